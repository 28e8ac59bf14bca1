//! Bearer tokens and what each role may see. 401 without a valid token; 403 outside the
//! role; 404 where the existence of a person or institution must not leak (hr).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::RwLock;

use actix_web::{web, FromRequest, HttpRequest};

use super::error::unauthorized;
use super::State;
use crate::error::Error;
use crate::service::tokens::{Principal, Role};

/// The caller, resolved from `Authorization: Bearer …`.
pub struct Auth(pub Principal);

/// Tokens already resolved, so the hot path does not read the database.
#[derive(Default)]
pub struct TokenCache {
    map: RwLock<HashMap<String, Principal>>,
}

impl FromRequest for Auth {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Auth, Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<State>>().cloned();
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
                return Ok(Auth::noted(Principal {
                    token_id: None,
                    role: Role::Admin,
                    institution_code: None,
                    region_code: None,
                }));
            }
            if let Some(p) = state.tokens.map.read().ok().and_then(|m| m.get(&token).cloned()) {
                return Ok(Auth::noted(p));
            }
            let app = state.app.clone();
            let t = token.clone();
            let found = web::block(move || app.principal_for(&t))
                .await
                .map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))??;
            let p = found.ok_or_else(unauthorized)?;
            if let Ok(mut m) = state.tokens.map.write() {
                m.insert(token, p.clone());
            }
            Ok(Auth::noted(p))
        })
    }
}

impl Auth {
    /// The caller, noted as the author of the request's writes (audit trail).
    fn noted(p: Principal) -> Auth {
        let _ = super::ACTOR.try_with(|a| {
            let mut a = a.borrow_mut();
            a.token_id = p.token_id;
            a.role = p.role.as_str().to_string();
        });
        Auth(p)
    }

    pub fn role(&self) -> Role {
        self.0.role
    }

    /// 403 unless the role is one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), Error> {
        if roles.contains(&self.0.role) {
            Ok(())
        } else {
            Err(Error::forbidden())
        }
    }

    /// An officer limited to a county sees only institutions of that county.
    pub fn covers_institution(&self, code: &str) -> bool {
        match self.0.role {
            Role::Admin | Role::Agency => true,
            Role::Officer => self.0.region_code.as_deref().is_none_or(|r| crate::domain::region_of(code) == Some(r)),
            Role::Hr => self.0.institution_code.as_deref() == Some(code),
            Role::Settlement => false,
        }
    }

    /// Institution-scoped access: hr and county officers get 404 outside their scope.
    pub fn require_institution(&self, roles: &[Role], code: &str) -> Result<(), Error> {
        self.require(roles)?;
        if self.covers_institution(code) {
            Ok(())
        } else {
            Err(Error::not_found("institution", "定点医药机构"))
        }
    }

    /// A person is in scope when one of their sites is.
    pub fn require_person(&self, roles: &[Role], sites: &[String]) -> Result<(), Error> {
        self.require(roles)?;
        if matches!(self.0.role, Role::Admin | Role::Agency) || sites.iter().any(|s| self.covers_institution(s)) {
            Ok(())
        } else {
            Err(Error::not_found("practitioner", "人员"))
        }
    }

    pub fn region(&self) -> Option<&str> {
        match self.0.role {
            Role::Officer => self.0.region_code.as_deref(),
            _ => None,
        }
    }
}
