//! Bearer tokens: the request's [`Caller`], resolved from `Authorization: Bearer …`. 401
//! without a valid token; what the caller may do is decided by the service (`service::access`).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::RwLock;

use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::error::unauthorized;
use super::State;
use crate::error::Error;
use crate::service::access::{Caller, Subject};
use crate::service::tokens::{Principal, Role};

/// Tokens already resolved, so the hot path does not read the database.
#[derive(Default)]
pub struct TokenCache {
    map: RwLock<HashMap<String, Principal>>,
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

impl FromRequest for Caller {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<State>>().cloned();
        let meta = req.extensions().get::<RequestMeta>().cloned().unwrap_or_default();
        let token = req
            .headers()
            .get("authorization")
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
            .map(|t| t.trim().to_string());
        Box::pin(async move {
            let (Some(state), Some(token)) = (state, token) else {
                return Err(unauthorized());
            };
            if token.is_empty() {
                return Err(unauthorized());
            }
            if state.admin_token.as_deref() == Some(token.as_str()) {
                let admin = Principal { token_id: None, role: Role::Admin, institution_code: None, region_code: None };
                return Ok(caller(admin, Subject::AdminToken, meta));
            }
            let cached = state.tokens.map.read().ok().and_then(|m| m.get(&token).cloned());
            let p = match cached {
                Some(p) => p,
                None => {
                    let app = state.app.clone();
                    let t = token.clone();
                    let found = web::block(move || app.principal_for(&t))
                        .await
                        .map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))??;
                    let p = found.ok_or_else(unauthorized)?;
                    if let Ok(mut m) = state.tokens.map.write() {
                        m.insert(token, p.clone());
                    }
                    p
                }
            };
            let subject = p.token_id.map_or(Subject::AdminToken, Subject::Token);
            Ok(caller(p, subject, meta))
        })
    }
}
