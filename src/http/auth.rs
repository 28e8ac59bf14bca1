//! Bearer tokens: the request's [`Caller`], resolved from `Authorization: Bearer …` (the scheme
//! in any case). 401 without a valid token — unknown, revoked or expired; what the caller may
//! do is decided by the service (`service::access`).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::error::unauthorized;
use super::State;
use crate::domain::dates::today_china;
use crate::error::Error;
use crate::service::access::{Caller, Subject};
use crate::service::tokens::{digest, digests_equal, hash_token, Principal, Role};

/// How long a cached token is trusted before it is read again from the database.
///
/// Why re-reading rather than a revocation epoch: `jifen token revoke` usually runs in another
/// process (the command line), which cannot reach this one's memory, so this server has to ask
/// the database either way. A per-token re-read every few seconds is one indexed lookup per
/// active token per interval — nothing next to the requests it serves — and needs no extra
/// table or counter that every revocation path must remember to bump. A revoked token is
/// refused by every server within this interval; an expired one at once (the entry carries
/// its expiry, checked on every request).
pub const RECHECK: Duration = Duration::from_secs(5);
/// A token's `last_used_at` is written at most this often per server, not once per request.
pub const TOUCH_EVERY: Duration = Duration::from_secs(60);

struct Entry {
    principal: Principal,
    checked: Instant,
    touched: Instant,
}

/// Tokens already resolved, keyed by their SHA-256 (the secrets are not kept), so that the hot
/// path reads the database only every [`RECHECK`] per token.
#[derive(Default)]
pub struct TokenCache {
    map: RwLock<HashMap<String, Entry>>,
}

impl TokenCache {
    /// A fresh entry, when there is one; an expired token is dropped.
    fn fresh(&self, hash: &str) -> Option<Principal> {
        let hit = self
            .map
            .read()
            .ok()
            .and_then(|m| m.get(hash).filter(|e| e.checked.elapsed() < RECHECK).map(|e| e.principal.clone()))?;
        if hit.expired(today_china()) {
            self.forget(hash);
            return None;
        }
        Some(hit)
    }

    /// Whether the next database read of this token should also record its use.
    fn touch_due(&self, hash: &str) -> bool {
        self.map.read().ok().and_then(|m| m.get(hash).map(|e| e.touched.elapsed() >= TOUCH_EVERY)).unwrap_or(true)
    }

    fn store(&self, hash: String, principal: Principal, touched: bool) {
        if let Ok(mut m) = self.map.write() {
            let now = Instant::now();
            let last_touch = m.get(&hash).map(|e| e.touched);
            let touched = if touched { now } else { last_touch.unwrap_or(now) };
            m.insert(hash, Entry { principal, checked: now, touched });
        }
    }

    fn forget(&self, hash: &str) {
        if let Ok(mut m) = self.map.write() {
            m.remove(hash);
        }
    }
}

/// The request id and route, set by the `observe` middleware for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub request_id: String,
    pub action: String,
}

fn caller(p: Principal, subject: Subject, meta: RequestMeta) -> Caller {
    Caller {
        subject,
        role: p.role,
        institution_code: p.institution_code,
        region_code: p.region_code,
        request_id: meta.request_id,
        action: meta.action,
    }
}

/// The token of an `Authorization` header: the `Bearer` scheme in any case (RFC 7235 §2.1).
pub fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

impl FromRequest for Caller {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<State>>().cloned();
        let meta = req.extensions().get::<RequestMeta>().cloned().unwrap_or_default();
        let token =
            req.headers().get("authorization").and_then(|h| h.to_str().ok()).and_then(bearer).map(str::to_string);
        Box::pin(async move {
            let (Some(state), Some(token)) = (state, token) else {
                return Err(unauthorized());
            };
            if let Some(admin) = &state.admin_digest {
                if digests_equal(admin, &digest(&token)) {
                    let admin = Principal {
                        token_id: None,
                        role: Role::Admin,
                        institution_code: None,
                        region_code: None,
                        expires_on: None,
                    };
                    return Ok(caller(admin, Subject::AdminToken, meta));
                }
            }
            let hash = hash_token(&token);
            let p = match state.tokens.fresh(&hash) {
                Some(p) => p,
                None => {
                    let app = state.app.clone();
                    let touch = state.tokens.touch_due(&hash);
                    let h = hash.clone();
                    let found = web::block(move || app.principal_for_hash(&h, touch))
                        .await
                        .map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))??;
                    match found {
                        Some(p) => {
                            state.tokens.store(hash, p.clone(), touch);
                            p
                        }
                        None => {
                            state.tokens.forget(&hash);
                            return Err(unauthorized());
                        }
                    }
                }
            };
            let subject = p.token_id.map_or(Subject::AdminToken, Subject::Token);
            Ok(caller(p, subject, meta))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::bearer;

    #[test]
    fn the_scheme_is_case_insensitive() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("BEARER abc"), Some("abc"));
        assert_eq!(bearer("bearer   abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("Bearerabc"), None);
    }
}
