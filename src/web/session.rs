//! The person behind a page request: the session cookie resolved to a [`SessionInfo`] (or a
//! redirect to the login page), and from it the [`Caller`] every use-case checks.

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::errors::{need_for, PageError};
use super::layout::{role_zh, Layout};
use super::{paths, settings};
use crate::error::{Error, Result};
use crate::http::auth::RequestMeta;
use crate::http::State;
use crate::service::sessions::SessionInfo;
use crate::service::{App, Caller};

/// A logged-in person on a page.
pub struct Viewer {
    pub session: SessionInfo,
    pub request_id: String,
    /// `GET /staff` — the audit trail's action.
    pub action: String,
    pub path: String,
    pub state: web::Data<State>,
}

/// The session of a page that also works without one (`/lookup`, `/login`).
pub struct MaybeViewer(pub Option<Viewer>);

fn request_id(req: &HttpRequest) -> String {
    req.extensions().get::<RequestMeta>().map(|m| m.request_id.clone()).unwrap_or_default()
}

/// Only a path of this site, never `//host` or a scheme (no open redirect).
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        paths::HOME.to_string()
    }
}

async fn resolve(req: HttpRequest) -> std::result::Result<Option<Viewer>, PageError> {
    let rid = request_id(&req);
    let Some(state) = req.app_data::<web::Data<State>>().cloned() else {
        return Err(PageError::Internal { request_id: rid });
    };
    let Some(secret) = req.cookie(paths::SESSION_COOKIE).map(|c| c.value().to_string()) else {
        return Ok(None);
    };
    let policy = settings::current().policy;
    let app = state.app.clone();
    let found = web::block(move || app.session(&secret, &policy, crate::store::now()))
        .await
        .map_err(|_| PageError::Internal { request_id: rid.clone() })?
        .map_err(|e| PageError::from_service(e, Layout::anonymous("错误"), "", "", &rid))?;
    Ok(found.map(|session| Viewer {
        session,
        request_id: rid,
        action: format!("{} {}", req.method(), req.path()),
        path: req.path().to_string(),
        state,
    }))
}

impl FromRequest for Viewer {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = std::result::Result<Viewer, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let htmx = super::render::is_htmx(&req);
            let next = match req.query_string() {
                "" => req.path().to_string(),
                q => format!("{}?{q}", req.path()),
            };
            let next = if req.method() == actix_web::http::Method::GET { next } else { paths::HOME.to_string() };
            let viewer = resolve(req.clone()).await?.ok_or(PageError::Login { next, htmx })?;
            // After an admin reset, nothing but choosing a new password (or leaving).
            if viewer.session.must_change_password && req.path() != paths::ACCOUNT && req.path() != paths::LOGOUT {
                return Err(PageError::Redirect(paths::ACCOUNT.to_string()));
            }
            Ok(viewer)
        })
    }
}

impl FromRequest for MaybeViewer {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = std::result::Result<MaybeViewer, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(MaybeViewer(resolve(req).await?)) })
    }
}

impl Viewer {
    pub fn caller(&self) -> Caller {
        self.session.caller(&self.request_id, &self.action)
    }

    pub fn layout(&self, title: impl Into<String>) -> Layout {
        Layout::new(title, &self.session, &self.path)
    }

    /// Runs a use-case as this person, off the async workers.
    pub async fn call<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&App, &Caller) -> Result<T> + Send + 'static,
    {
        let caller = self.caller();
        crate::http::run(&self.state, move |app| f(app, &caller)).await
    }

    /// A service error as this page's error page.
    pub fn fail(&self, e: Error) -> PageError {
        PageError::from_service(
            e,
            self.layout("错误"),
            need_for(&self.path),
            role_zh(self.session.role),
            &self.request_id,
        )
    }

    /// 403 unless `token` is this session's CSRF token (every form that changes anything).
    pub fn check_csrf(&self, token: &str) -> std::result::Result<(), PageError> {
        if self.session.csrf_matches(token) {
            Ok(())
        } else {
            Err(PageError::Csrf { layout: Box::new(self.layout("表单已失效")) })
        }
    }
}
