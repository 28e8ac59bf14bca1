//! Pages for people (HR clerks, agency staff, officers, admins): server-rendered HTML with
//! askama templates, htmx where a partial update helps, every page working without
//! JavaScript. Pages are thin: they parse the form, build a `Caller` from the session, call the
//! same `App` use-cases as the JSON API, and render. Access is decided in the service.
//!
//! One file per page family, named after its path (`staff.rs` → `/staff`); the page layer's
//! own parts: `session.rs` (cookie → caller), `errors.rs` (403/404 pages), `layout.rs`
//! (navigation), `paths.rs` (URLs), `render.rs`, `flash.rs`, `static_files.rs`, `settings.rs`.

mod errors;
mod flash;
mod home;
mod labels;
mod layout;
mod login;
mod paths;
mod practitioners;
mod render;
mod session;
pub mod settings;
mod staff;
mod static_files;

use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};

pub use settings::Settings;

/// Mounts the pages (called once in `http::server_with`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::show))
        .route(paths::LOGIN, web::get().to(login::show))
        .route(paths::LOGIN, web::post().to(login::submit))
        .route(paths::LOGOUT, web::post().to(login::logout))
        .route(paths::ACCOUNT, web::get().to(login::account))
        .route(paths::ACCOUNT, web::post().to(login::change_password))
        .route(paths::STAFF, web::get().to(staff::show))
        .route("/staff/register", web::post().to(staff::register))
        .route("/staff/deregister", web::post().to(staff::deregister))
        .route("/staff/export.csv", web::get().to(staff::export))
        .route("/practitioners/{code}", web::get().to(practitioners::show))
        .route("/static/{name}", web::get().to(static_files::serve))
        // Last: every other path (the API scope above answers its own paths first).
        .route("/{tail:.*}", web::to(not_found));
}

/// A role's name in Chinese (`jifen demo` prints it beside each account).
pub fn role_label(role: &str) -> &'static str {
    crate::service::tokens::Role::parse(role).map_or("", layout::role_zh)
}

pub(crate) fn request_id(req: &HttpRequest) -> String {
    req.extensions().get::<crate::http::auth::RequestMeta>().map(|m| m.request_id.clone()).unwrap_or_default()
}

/// Anything else: the API's JSON 404 under `/api/`, the 404 page for a person.
async fn not_found(req: HttpRequest, viewer: session::MaybeViewer) -> actix_web::Result<HttpResponse> {
    if req.path().starts_with("/api/") || req.path() == "/metrics" {
        return Err(crate::error::Error::not_found("route", "接口").into());
    }
    let layout = match &viewer.0 {
        Some(v) => v.layout("未找到"),
        None => layout::Layout::anonymous("未找到"),
    };
    Err(errors::PageError::not_found(layout).into())
}
