//! Bearer tokens: stored only as SHA-256 hashes.

use rand::RngCore;
use sha2::{Digest, Sha256};

use super::App;
use crate::error::{Error, Result};
use crate::store::facts;

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
}

pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl App {
    /// Creates a token; returns the secret, shown once.
    pub fn create_token(&self, role: Role, institution: Option<&str>, region: Option<&str>) -> Result<String> {
        if role == Role::Hr && institution.is_none() {
            return Err(Error::invalid(
                "missing_institution",
                "institution",
                "an hr token needs --institution",
                "hr 令牌须指定 --institution",
            ));
        }
        let mut bytes = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut bytes);
        let secret = format!("jf_{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
        let mut conn = self.conn()?;
        facts::insert_token(&mut conn, &hash_token(&secret), role.as_str(), institution, region)?;
        Ok(secret)
    }

    pub fn principal_for(&self, token: &str) -> Result<Option<Principal>> {
        let mut conn = self.conn()?;
        let Some(row) = facts::token_by_hash(&mut conn, &hash_token(token))? else {
            return Ok(None);
        };
        Ok(Role::parse(&row.role).map(|role| Principal {
            token_id: Some(row.id),
            role,
            institution_code: row.institution_code,
            region_code: row.region_code,
        }))
    }
}
