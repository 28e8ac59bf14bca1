//! Bearer tokens: stored only as SHA-256 hashes, each with a role and scope, a label, an
//! optional expiry and a revocation. Managed from the command line (`jifen token …`).

use chrono::{NaiveDate, NaiveDateTime};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::App;
use crate::domain::dates::today_china;
use crate::domain::limits;
use crate::domain::regions::Regions;
use crate::error::{Error, Result};
use crate::store::{facts, tokens};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Officer,
    Agency,
    Hr,
    Settlement,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "officer" => Some(Role::Officer),
            "agency" => Some(Role::Agency),
            "hr" => Some(Role::Hr),
            "settlement" => Some(Role::Settlement),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Officer => "officer",
            Role::Agency => "agency",
            Role::Hr => "hr",
            Role::Settlement => "settlement",
        }
    }
}

/// Who is calling, and over what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub token_id: Option<i64>,
    pub role: Role,
    pub institution_code: Option<String>,
    pub region_code: Option<String>,
    /// The last day (China time) the token is accepted; none: no expiry.
    pub expires_on: Option<NaiveDate>,
}

impl Principal {
    /// Whether the token has expired by `today` (it still works on its `expires_on` day).
    pub fn expired(&self, today: NaiveDate) -> bool {
        self.expires_on.is_some_and(|last| today > last)
    }
}

/// `jifen token create`: what the operator asked for.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub role: Role,
    pub institution: Option<String>,
    pub region: Option<String>,
    pub label: Option<String>,
    /// The last day it is accepted; none (the default): until revoked, so that a settlement
    /// system is not cut off overnight.
    pub expires_on: Option<NaiveDate>,
}

/// A token as `jifen token list` shows it: never the secret, nor its hash.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub label: Option<String>,
    pub role: String,
    /// `institution H37081100001`, `county 370811`, `city` or `-`.
    pub scope: String,
    pub created_at: NaiveDateTime,
    pub expires_on: Option<NaiveDate>,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// The SHA-256 of a secret, as stored (hex).
pub fn hash_token(token: &str) -> String {
    digest(token).iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a secret.
pub fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Equal digests, compared in constant time: every byte is looked at whatever the first
/// difference, so the time taken says nothing about how much of a guess was right. Comparing
/// digests rather than the secrets themselves also hides the secret's length.
pub fn digests_equal(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b.iter()) {
        diff |= x ^ y;
    }
    std::hint::black_box(diff) == 0
}

fn new_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("jf_{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

fn scope_of(role: &str, institution: Option<&str>, region: Option<&str>) -> String {
    match (role, institution, region) {
        (_, Some(i), _) => format!("institution {i}"),
        (_, None, Some(r)) => format!("county {r}"),
        ("officer", None, None) => "city".into(),
        _ => "-".into(),
    }
}

impl App {
    /// Creates a token without checking its scope exists: for the process itself (the demo,
    /// tests). The command line uses [`App::issue_token`]. Returns the secret, shown once.
    pub fn create_token(&self, role: Role, institution: Option<&str>, region: Option<&str>) -> Result<String> {
        if role == Role::Hr && institution.is_none() {
            return Err(missing_institution());
        }
        let secret = new_secret();
        let mut conn = self.conn()?;
        tokens::insert(
            &mut conn,
            &tokens::NewTokenRow {
                hash: &hash_token(&secret),
                role: role.as_str(),
                institution,
                region,
                label: None,
                expires_on: None,
            },
        )?;
        Ok(secret)
    }

    /// `jifen token create`: an hr token names an institution that exists, an officer's county
    /// is one of `data/regions.toml`, no other role carries a scope, and an expiry is not in
    /// the past. Returns the id and the secret, shown once.
    pub fn issue_token(&self, req: &NewToken) -> Result<(i64, String)> {
        let institution = req.institution.as_deref().map(|s| s.trim().to_ascii_uppercase());
        let region = req.region.as_deref().map(str::trim);
        let mut conn = self.conn()?;
        match (req.role, &institution) {
            (Role::Hr, None) => return Err(missing_institution()),
            (Role::Hr, Some(code)) => {
                if facts::institution(&mut conn, code)?.is_none() {
                    return Err(Error::invalid(
                        "unknown_institution",
                        "institution",
                        format!("there is no institution {code}: create it first"),
                        format!("定点医药机构 {code} 不存在，请先登记该机构"),
                    ));
                }
            }
            (_, Some(_)) => {
                return Err(Error::invalid(
                    "scope_not_allowed",
                    "institution",
                    "only an hr token names an institution",
                    "只有 hr 令牌可以指定机构",
                ))
            }
            (_, None) => {}
        }
        if let Some(r) = region {
            if req.role != Role::Officer {
                return Err(Error::invalid(
                    "scope_not_allowed",
                    "region",
                    "only an officer token names a county",
                    "只有 officer 令牌可以指定区县",
                ));
            }
            if Regions::embedded().county(r).is_none() {
                return Err(Error::invalid(
                    "unknown_region",
                    "region",
                    format!("{r} is not a county of data/regions.toml"),
                    format!("{r} 不是本市的区县代码（见 data/regions.toml）"),
                ));
            }
        }
        let label = req.label.as_deref().map(str::trim).filter(|l| !l.is_empty());
        if let Some(l) = label {
            limits::check_text("label", l, limits::LABEL_MAX_CHARS)?;
        }
        if let Some(e) = req.expires_on {
            if e < today_china() {
                return Err(Error::invalid(
                    "expiry_in_the_past",
                    "expires",
                    format!("{e} has passed: a token's expiry is today or later"),
                    format!("{e} 已过去：有效期应为今天或以后"),
                ));
            }
        }
        let secret = new_secret();
        let id = tokens::insert(
            &mut conn,
            &tokens::NewTokenRow {
                hash: &hash_token(&secret),
                role: req.role.as_str(),
                institution: institution.as_deref(),
                region,
                label,
                expires_on: req.expires_on,
            },
        )?;
        Ok((id, secret))
    }

    /// `jifen token list`.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>> {
        let mut conn = self.conn()?;
        Ok(tokens::all(&mut conn)?
            .into_iter()
            .map(|t| TokenInfo {
                id: t.id,
                scope: scope_of(&t.role, t.institution_code.as_deref(), t.region_code.as_deref()),
                label: t.label,
                role: t.role,
                created_at: t.created_at,
                expires_on: t.expires_on,
                last_used_at: t.last_used_at,
                revoked_at: t.revoked_at,
            })
            .collect())
    }

    /// `jifen token revoke ID`: refused from then on, by every running server within
    /// `http::auth::RECHECK` (their caches re-read the token). `false` when it was revoked
    /// already; 404 when there is no such token.
    pub fn revoke_token(&self, id: i64) -> Result<bool> {
        let mut conn = self.conn()?;
        if tokens::by_id(&mut conn, id)?.is_none() {
            return Err(Error::not_found("token", "令牌"));
        }
        Ok(tokens::revoke(&mut conn, id, crate::store::now())? == 1)
    }

    /// The principal of a token by its hash; none when unknown, revoked or expired. With
    /// `touch`, records its use (a write: skipped on a read replica).
    pub fn principal_for_hash(&self, hash: &str, touch: bool) -> Result<Option<Principal>> {
        let mut conn = self.conn()?;
        let Some(row) = tokens::by_hash(&mut conn, hash)? else {
            return Ok(None);
        };
        if row.revoked_at.is_some() {
            return Ok(None);
        }
        let Some(role) = Role::parse(&row.role) else {
            return Ok(None);
        };
        let p = Principal {
            token_id: Some(row.id),
            role,
            institution_code: row.institution_code,
            region_code: row.region_code,
            expires_on: row.expires_on,
        };
        if p.expired(today_china()) {
            return Ok(None);
        }
        if touch && !self.read_only {
            tokens::touch(&mut conn, row.id, crate::store::now())?;
        }
        Ok(Some(p))
    }

    /// The principal of a secret; none when unknown, revoked or expired.
    pub fn principal_for(&self, token: &str) -> Result<Option<Principal>> {
        self.principal_for_hash(&hash_token(token), false)
    }
}

fn missing_institution() -> Error {
    Error::invalid(
        "missing_institution",
        "institution",
        "an hr token needs --institution",
        "hr 令牌须指定 --institution",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_compare_whole() {
        let a = digest("jf_abc");
        assert!(digests_equal(&a, &digest("jf_abc")));
        assert!(!digests_equal(&a, &digest("jf_abd")));
        assert!(!digests_equal(&a, &digest("")));
    }

    #[test]
    fn a_token_works_through_its_last_day() {
        let p = Principal {
            token_id: Some(1),
            role: Role::Agency,
            institution_code: None,
            region_code: None,
            expires_on: NaiveDate::from_ymd_opt(2025, 3, 31),
        };
        assert!(!p.expired(NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()));
        assert!(p.expired(NaiveDate::from_ymd_opt(2025, 4, 1).unwrap()));
    }
}
