//! Logging in, and the server-side sessions of the pages. The cookie carries a random id; the
//! table keeps only its SHA-256, with a synchronizer CSRF token, the last request's time (idle
//! timeout) and the absolute end. Five failed logins of one account within 15 minutes lock it
//! for 15 minutes. Whatever went wrong, the person is told the same thing: the answer never
//! says whether a username exists. Every login, failure, lock and logout is in the audit trail.

use chrono::{Duration, NaiveDateTime};
use diesel::Connection;
use rand::RngCore;

use super::access::{Caller, Subject};
use super::accounts::{audit_account_event, hash_password, verify_password};
use super::tokens::{hash_token, Role};
use super::App;
use crate::error::{Error, Result};
use crate::store::accounts::{self as store, AccountRow};

/// How long sessions live and how guessing is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session unused this long ends (30 minutes).
    pub idle: Duration,
    /// A session ends this long after the login, used or not (12 hours).
    pub absolute: Duration,
    /// Failed logins within `failure_window` that lock the account (5 in 15 minutes).
    pub max_failures: i32,
    pub failure_window: Duration,
    /// How long the lock lasts (15 minutes).
    pub lock: Duration,
}

impl SessionPolicy {
    /// 30 minutes idle, 12 hours at most; 5 failures in 15 minutes lock for 15 minutes.
    pub const DEFAULT: SessionPolicy = SessionPolicy {
        idle: Duration::minutes(30),
        absolute: Duration::hours(12),
        max_failures: 5,
        failure_window: Duration::minutes(15),
        lock: Duration::minutes(15),
    };
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy::DEFAULT
    }
}

/// A session just opened: the secret goes into the cookie and nowhere else.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub secret: String,
    pub must_change_password: bool,
}

/// A live session and who it belongs to.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub session_id: i64,
    pub account_id: i64,
    pub username: String,
    pub role: Role,
    pub institution_code: Option<String>,
    pub region_code: Option<String>,
    pub csrf_token: String,
    pub must_change_password: bool,
}

impl SessionInfo {
    /// The caller of the use-cases a page calls: the account's role and scope; the audit trail
    /// names the account in the action.
    pub fn caller(&self, request_id: &str, action: &str) -> Caller {
        Caller {
            subject: Subject::Account(self.account_id),
            role: self.role,
            institution_code: self.institution_code.clone(),
            region_code: self.region_code.clone(),
            request_id: request_id.to_string(),
            action: format!("{action} [account:{} {}]", self.account_id, self.username),
        }
    }

    /// Whether `token` is this session's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, token: &str) -> bool {
        constant_time_eq(self.csrf_token.as_bytes(), token.as_bytes())
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// 32 random bytes as hex.
pub fn random_secret() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A hash to verify against when the username is unknown, so a miss costs as long as a hit.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&random_secret()).unwrap_or_default())
}

impl App {
    /// Checks a username and password; `None` whatever the reason (unknown, wrong, locked,
    /// disabled). `now` is a parameter so the lock can be tested.
    pub fn login(
        &self,
        username: &str,
        password: &str,
        policy: &SessionPolicy,
        request_id: &str,
        now: NaiveDateTime,
    ) -> Result<Option<NewSession>> {
        let username = username.trim();
        let mut c = self.conn()?;
        let Some(found) = store::by_username(&mut c, username)? else {
            verify_password(password, decoy_hash());
            audit_account_event(&mut c, "anonymous", None, request_id, "login_failed".into(), None)?;
            return Ok(None);
        };
        let right = verify_password(password, &found.password_hash);
        c.transaction::<Option<NewSession>, Error, _>(|c| {
            crate::store::lock_for_write(c, &[format!("account:{}", found.id)])?;
            let a = store::by_id(c, found.id)?.ok_or_else(|| Error::not_found("account", "账户"))?;
            let event = |c: &mut crate::store::DbConn, what: &str| {
                audit_account_event(c, &a.role, None, request_id, what.to_string(), Some(&a))
            };
            if a.locked_until.is_some_and(|u| u > now) {
                event(c, "login_refused_locked")?;
                return Ok(None);
            }
            if a.disabled || Role::parse(&a.role).is_none_or(|r| r == Role::Settlement) {
                event(c, "login_refused_disabled")?;
                return Ok(None);
            }
            if !right {
                let in_window = a.first_failed_at.is_some_and(|f| now - f < policy.failure_window);
                let (failed, first) = if in_window { (a.failed_logins + 1, a.first_failed_at) } else { (1, Some(now)) };
                let locked = (failed >= policy.max_failures).then(|| now + policy.lock);
                if locked.is_some() {
                    // The count starts again once the lock has run out.
                    store::set_failures(c, a.id, 0, None, locked)?;
                    event(c, "login_failed")?;
                    event(c, "account_locked")?;
                } else {
                    store::set_failures(c, a.id, failed, first, None)?;
                    event(c, "login_failed")?;
                }
                return Ok(None);
            }
            if a.failed_logins != 0 || a.locked_until.is_some() {
                store::set_failures(c, a.id, 0, None, None)?;
            }
            let secret = random_secret();
            store::insert_session(c, &hash_token(&secret), a.id, &random_secret(), now, now + policy.absolute)?;
            event(c, "login")?;
            Ok(Some(NewSession { secret, must_change_password: a.must_change_password }))
        })
    }

    /// The live session of a cookie, or `None` (unknown, idle too long, past its end, or the
    /// account disabled: the row is deleted then). Notes the request at most once a minute.
    pub fn session(&self, secret: &str, policy: &SessionPolicy, now: NaiveDateTime) -> Result<Option<SessionInfo>> {
        if secret.is_empty() || secret.len() > 128 {
            return Ok(None);
        }
        let mut c = self.conn()?;
        let Some((s, a)) = store::session_by_hash(&mut c, &hash_token(secret))? else {
            return Ok(None);
        };
        let role = Role::parse(&a.role);
        if now >= s.expires_at || now - s.last_seen_at > policy.idle || a.disabled || role.is_none() {
            store::delete_session(&mut c, s.id)?;
            return Ok(None);
        }
        if now - s.last_seen_at > Duration::minutes(1) {
            store::touch_session(&mut c, s.id, now)?;
        }
        Ok(Some(info(&s, &a, role.unwrap_or(Role::Hr))))
    }

    /// Ends a session on the server: its cookie no longer works anywhere.
    pub fn logout(&self, session: &SessionInfo, request_id: &str) -> Result<()> {
        let mut c = self.conn()?;
        c.transaction::<(), Error, _>(|c| {
            store::delete_session(c, session.session_id)?;
            let a = store::by_id(c, session.account_id)?;
            audit_account_event(c, session.role.as_str(), None, request_id, "logout".into(), a.as_ref())
        })
    }

    /// Deletes the sessions that have ended (run now and then; expired ones are refused anyway).
    pub fn purge_sessions(&self, policy: &SessionPolicy, now: NaiveDateTime) -> Result<usize> {
        let mut c = self.conn()?;
        Ok(store::delete_expired(&mut c, now, now - policy.idle)?)
    }
}

fn info(s: &store::SessionRow, a: &AccountRow, role: Role) -> SessionInfo {
    SessionInfo {
        session_id: s.id,
        account_id: a.id,
        username: a.username.clone(),
        role,
        institution_code: a.institution_code.clone(),
        region_code: a.region_code.clone(),
        csrf_token: s.csrf_token.clone(),
        must_change_password: a.must_change_password,
    }
}
