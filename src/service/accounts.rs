//! Accounts of the people who log in to the pages (HR clerks, agency staff, officers, admins).
//! They carry the role and scope of a token; settlement systems keep tokens and get no
//! account. Passwords are Argon2id hashes (PHC strings). Only an admin (or the command line)
//! creates, disables and re-enables accounts and resets passwords; after a reset the person
//! must choose a new password at the next login. Every change is in the audit trail.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::NaiveDateTime;
use diesel::Connection;
use serde::Serialize;

use super::tokens::Role;
use super::{App, Caller};
use crate::error::{Error, Result};
use crate::store::accounts::{self as store, AccountRow};
use crate::store::audit::{self, AuditRow};
use crate::store::{facts, DbConn};

/// The shortest password accepted (a passphrase is better; the lock stops guessing online).
pub const MIN_PASSWORD_CHARS: usize = 10;

/// An account as the admin page and `jifen user list` show it (never its hash).
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    #[serde(serialize_with = "role_name")]
    pub role: Role,
    pub institution_code: Option<String>,
    pub region_code: Option<String>,
    pub disabled: bool,
    pub must_change_password: bool,
    /// Locked after repeated failed logins, until then (UTC).
    pub locked_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

fn role_name<S: serde::Serializer>(r: &Role, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(r.as_str())
}

impl Account {
    pub(crate) fn of(row: &AccountRow) -> Option<Account> {
        Some(Account {
            id: row.id,
            username: row.username.clone(),
            role: Role::parse(&row.role)?,
            institution_code: row.institution_code.clone(),
            region_code: row.region_code.clone(),
            disabled: row.disabled,
            must_change_password: row.must_change_password,
            locked_until: row.locked_until.filter(|&u| u > crate::store::now()),
            created_at: row.created_at,
        })
    }
}

/// `jifen user create`, and the admin page's form.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub password: String,
    pub role: String,
    pub institution_code: Option<String>,
    pub region_code: Option<String>,
}

/// Argon2id with the crate's defaults (OWASP's minimum: 19 MiB, 2 passes).
pub(crate) fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(anyhow::anyhow!("hashing a password: {e}")))
}

/// Whether `password` matches the stored PHC string (false for a malformed one).
pub(crate) fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

pub(crate) fn check_password_rules(field: &str, password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::invalid(
            "weak_password",
            field,
            format!("a password has at least {MIN_PASSWORD_CHARS} characters"),
            format!("密码至少{MIN_PASSWORD_CHARS}个字符"),
        ));
    }
    if password.len() > 1024 {
        return Err(Error::invalid("weak_password", field, "a password has at most 1024 bytes", "密码过长"));
    }
    Ok(())
}

fn check_username(username: &str) -> Result<()> {
    let ok = (2..=64).contains(&username.len())
        && username.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "invalid_username",
            "username",
            "a username has 2 to 64 letters, digits or . _ - @",
            "用户名为2至64位字母、数字或 . _ - @",
        ))
    }
}

/// Only an admin (a page admin, an admin token, the command line) manages accounts.
fn require_admin(caller: &Caller) -> Result<()> {
    if caller.role == Role::Admin {
        Ok(())
    } else {
        Err(Error::forbidden())
    }
}

/// One row of the audit trail about an account: who (the caller, or the person logging in),
/// what, which account. Accounts are not facts: the row names no fact and no projection.
pub(crate) fn audit_account_event(
    c: &mut DbConn,
    role: &str,
    token_id: Option<i64>,
    request_id: &str,
    action: String,
    account: Option<&AccountRow>,
) -> Result<()> {
    audit::insert(
        c,
        &AuditRow {
            id: 0,
            token_id,
            role: role.to_string(),
            request_id: request_id.to_string(),
            action,
            targets: account
                .map_or_else(|| "account:unknown".to_string(), |a| format!("account:{} {}", a.id, a.username)),
            facts: String::new(),
            changes: "[]".into(),
            recorded_at: crate::store::now(),
        },
    )?;
    Ok(())
}

fn audit_by(c: &mut DbConn, caller: &Caller, what: &str, account: &AccountRow) -> Result<()> {
    audit_account_event(
        c,
        caller.audit_role(),
        caller.token_id(),
        &caller.request_id,
        format!("{what}: {}", caller.action),
        Some(account),
    )
}

impl App {
    pub fn create_account(&self, caller: &Caller, req: &NewAccount) -> Result<Account> {
        require_admin(caller)?;
        let username = req.username.trim();
        check_username(username)?;
        let role = Role::parse(req.role.trim()).filter(|r| *r != Role::Settlement).ok_or_else(|| {
            Error::invalid(
                "invalid_role",
                "role",
                "role is admin, officer, agency or hr (settlement systems use tokens)",
                "角色应为 admin（管理员）、officer（执法人员）、agency（经办机构）或 hr（定点医药机构人事）",
            )
        })?;
        check_password_rules("password", &req.password)?;
        let institution =
            req.institution_code.as_deref().map(|s| s.trim().to_ascii_uppercase()).filter(|s| !s.is_empty());
        let region = req.region_code.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let (institution, region) = match role {
            Role::Hr => (
                Some(institution.ok_or_else(|| {
                    Error::invalid(
                        "missing_institution",
                        "institution_code",
                        "an hr account needs its institution",
                        "人事账户须指定所属定点医药机构",
                    )
                })?),
                None,
            ),
            Role::Officer => (None, region),
            _ => (None, None),
        };
        if let Some(r) = &region {
            if r.len() != 6 || !r.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::invalid(
                    "invalid_region",
                    "region_code",
                    "region_code has 6 digits (GB/T 2260)",
                    "区划代码应为6位数字（GB/T 2260）",
                ));
            }
        }
        let hash = hash_password(&req.password)?;
        let mut c = self.conn()?;
        let row = c.transaction::<AccountRow, Error, _>(|c| {
            if let Some(code) = &institution {
                if facts::institution(c, code)?.is_none() {
                    return Err(Error::invalid(
                        "unknown_institution",
                        "institution_code",
                        format!("institution {code} is not registered"),
                        format!("定点医药机构 {code} 不存在"),
                    ));
                }
            }
            if store::by_username(c, username)?.is_some() {
                return Err(Error::conflict(
                    "already_exists",
                    format!("the username {username} is taken"),
                    format!("用户名 {username} 已被使用"),
                ));
            }
            let id = store::insert_account(
                c,
                &store::NewAccount {
                    username,
                    password_hash: &hash,
                    role: role.as_str(),
                    institution_code: institution.as_deref(),
                    region_code: region.as_deref(),
                    must_change_password: false,
                    created_at: crate::store::now(),
                },
            )?;
            let row = store::by_id(c, id)?.ok_or_else(|| Error::not_found("account", "账户"))?;
            audit_by(c, caller, "account_create", &row)?;
            Ok(row)
        })?;
        Account::of(&row).ok_or_else(|| Error::Internal(anyhow::anyhow!("account {} has an unknown role", row.id)))
    }

    pub fn accounts(&self, caller: &Caller) -> Result<Vec<Account>> {
        require_admin(caller)?;
        let mut c = self.conn()?;
        Ok(store::all(&mut c)?.iter().filter_map(Account::of).collect())
    }

    /// Disables (every session ends at once) or re-enables an account.
    pub fn set_account_disabled(&self, caller: &Caller, username: &str, disabled: bool) -> Result<Account> {
        require_admin(caller)?;
        let mut c = self.conn()?;
        let row = c.transaction::<AccountRow, Error, _>(|c| {
            let row = store::by_username(c, username.trim())?.ok_or_else(|| Error::not_found("account", "账户"))?;
            if caller.subject == super::access::Subject::Account(row.id) && disabled {
                return Err(Error::conflict(
                    "own_account",
                    "you cannot disable your own account",
                    "不能停用自己的账户",
                ));
            }
            store::set_disabled(c, row.id, disabled)?;
            if disabled {
                store::delete_sessions_of(c, row.id)?;
            }
            audit_by(c, caller, if disabled { "account_disable" } else { "account_enable" }, &row)?;
            Ok(row)
        })?;
        let mut c = self.conn()?;
        let row = store::by_id(&mut c, row.id)?.ok_or_else(|| Error::not_found("account", "账户"))?;
        Account::of(&row).ok_or_else(|| Error::not_found("account", "账户"))
    }

    /// An admin sets a temporary password: the sessions end, the lock lifts, and the person
    /// must choose a new password at the next login.
    pub fn reset_password(&self, caller: &Caller, username: &str, temporary: &str) -> Result<Account> {
        require_admin(caller)?;
        check_password_rules("password", temporary)?;
        let hash = hash_password(temporary)?;
        let mut c = self.conn()?;
        let id = c.transaction::<i64, Error, _>(|c| {
            let row = store::by_username(c, username.trim())?.ok_or_else(|| Error::not_found("account", "账户"))?;
            store::set_password(c, row.id, &hash, true)?;
            store::delete_sessions_of(c, row.id)?;
            audit_by(c, caller, "password_reset", &row)?;
            Ok(row.id)
        })?;
        let row = store::by_id(&mut c, id)?.ok_or_else(|| Error::not_found("account", "账户"))?;
        Account::of(&row).ok_or_else(|| Error::not_found("account", "账户"))
    }

    /// The person changes their own password (the current one is asked again). Other sessions
    /// of the account end; the one asking stays.
    pub fn change_own_password(
        &self,
        caller: &Caller,
        current: &str,
        new: &str,
        keep_session: Option<i64>,
    ) -> Result<()> {
        let super::access::Subject::Account(id) = caller.subject else {
            return Err(Error::forbidden());
        };
        check_password_rules("new_password", new)?;
        let mut c = self.conn()?;
        let row = store::by_id(&mut c, id)?.ok_or_else(|| Error::not_found("account", "账户"))?;
        if !verify_password(current, &row.password_hash) {
            return Err(Error::invalid(
                "wrong_password",
                "current_password",
                "the current password is not right",
                "当前密码不正确",
            ));
        }
        if current == new {
            return Err(Error::invalid(
                "same_password",
                "new_password",
                "the new password is the current one",
                "新密码不能与当前密码相同",
            ));
        }
        let hash = hash_password(new)?;
        c.transaction::<(), Error, _>(|c| {
            store::set_password(c, id, &hash, false)?;
            for s in crate::store::accounts::sessions_of(c, id)? {
                if Some(s) != keep_session {
                    store::delete_session(c, s)?;
                }
            }
            audit_by(c, caller, "password_change", &row)
        })
    }

    /// `jifen demo`: the account with this password, created or reset (not forced to change:
    /// the demo prints it for whoever tries the pages).
    pub fn ensure_demo_account(&self, caller: &Caller, req: &NewAccount) -> Result<Account> {
        require_admin(caller)?;
        let existing = {
            let mut c = self.conn()?;
            store::by_username(&mut c, req.username.trim())?
        };
        let Some(row) = existing else {
            return self.create_account(caller, req);
        };
        check_password_rules("password", &req.password)?;
        let hash = hash_password(&req.password)?;
        let mut c = self.conn()?;
        c.transaction::<(), Error, _>(|c| {
            store::set_password(c, row.id, &hash, false)?;
            store::set_disabled(c, row.id, false)?;
            audit_by(c, caller, "password_reset", &row)
        })?;
        let row = store::by_id(&mut c, row.id)?.ok_or_else(|| Error::not_found("account", "账户"))?;
        Account::of(&row).ok_or_else(|| Error::not_found("account", "账户"))
    }
}
