//! Pages for people (HR clerks, agency staff, officers, admins): server-rendered HTML with
//! askama templates, htmx where a partial update helps, every page working without
//! JavaScript. Pages are thin: they parse the form, build a `Caller` from the session, call the
//! same `App` use-cases as the JSON API, and render. Access is decided in the service.
//!
//! One file per page family, named after its path (`staff.rs` → `/staff`); the page layer's
//! own parts: `session.rs` (cookie → caller), `errors.rs` (403/404 pages), `layout.rs`
//! (navigation), `paths.rs` (URLs), `render.rs`, `flash.rs`, `static_files.rs`, `settings.rs`.

mod admin;
mod admin_audit;
mod admin_calendar;
mod admin_tokens;
mod agency;
mod dashboard;
mod errors;
mod flash;
mod home;
mod interview_orders;
mod labels;
mod layout;
mod login;
mod lookup;
mod notices;
mod objections;
mod officer;
mod paths;
mod practitioners;
mod render;
mod roster;
mod session;
pub mod settings;
mod staff;
mod static_files;
mod uploads;

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
        .route("/staff/export.xlsx", web::get().to(staff::export_xlsx))
        .route("/practitioners/{code}", web::get().to(practitioners::show))
        .route(paths::ROSTER, web::get().to(roster::show))
        .route("/roster/preview", web::post().to(roster::preview))
        .route("/roster/commit", web::post().to(roster::commit))
        .route("/roster/{upload_id}/rejected.csv", web::get().to(roster::rejected))
        .route(paths::NOTICES, web::get().to(notices::list))
        .route("/notices/{id}/print", web::get().to(notices::print))
        .route(paths::INTERVIEW_ORDERS, web::get().to(interview_orders::list))
        .route("/interview-orders/{id}/record", web::post().to(interview_orders::record))
        .route(paths::OBJECTIONS, web::get().to(objections::list))
        .route(paths::OBJECTIONS, web::post().to(objections::file))
        .route("/objections/{id}/escalate", web::post().to(objections::escalate))
        .route("/objections/{id}/decide", web::post().to(objections::decide))
        .route("/objections/{id}/escalation/decide", web::post().to(objections::decide_escalation))
        .route(paths::ADMIN_ACCOUNTS, web::get().to(admin::list))
        .route(paths::ADMIN_ACCOUNTS, web::post().to(admin::create))
        .route("/admin/accounts/{username}/{action}", web::post().to(admin::act))
        .route(paths::LOOKUP, web::get().to(lookup::show))
        // The agency's and the admin's pages.
        .route(paths::TRAINING_TESTS, web::get().to(agency::training_tests::show))
        .route("/training-tests/preview", web::post().to(agency::training_tests::preview))
        .route("/training-tests/commit", web::post().to(agency::training_tests::commit))
        .route("/training-tests/pass-mark", web::post().to(agency::training_tests::set_pass_mark))
        .route("/training-tests/revoke", web::post().to(agency::training_tests::revoke))
        .route("/training-tests/{upload_id}/rejected.csv", web::get().to(agency::training_tests::rejected))
        .route("/training-tests/jobs/{job_id}", web::get().to(agency::training_tests::job))
        .route(paths::INSTITUTIONS, web::get().to(agency::institutions::list))
        .route(paths::INSTITUTIONS, web::post().to(agency::institutions::create))
        .route("/institutions/{code}", web::get().to(agency::institution::show))
        .route("/institutions/{code}/intents", web::post().to(agency::hearing::notify))
        .route("/institutions/{code}/intents/{id}/statement", web::post().to(agency::hearing::state))
        .route("/institutions/{code}/{action}", web::post().to(agency::institution::change))
        .route(paths::TERMINATION_CASES, web::get().to(agency::cases::termination_list))
        .route("/termination-cases/{id}/decide", web::post().to(agency::cases::termination_decide))
        .route(paths::CASCADE_CASES, web::get().to(agency::cases::cascade_list))
        .route("/cascade-cases/{id}/decide", web::post().to(agency::cases::cascade_decide))
        .route(paths::ADMIN_TOKENS, web::get().to(admin_tokens::list))
        .route(paths::ADMIN_TOKENS, web::post().to(admin_tokens::create))
        .route("/admin/tokens/{id}/revoke", web::post().to(admin_tokens::revoke))
        .route(paths::ADMIN_CALENDAR, web::get().to(admin_calendar::show))
        .route(paths::ADMIN_CALENDAR, web::post().to(admin_calendar::upload))
        .route(paths::ADMIN_AUDIT, web::get().to(admin_audit::show))
        // The officer's workbench and the dashboard (issue 15).
        .route(paths::SEARCH, web::get().to(officer::search::show))
        .route(paths::INSPECTIONS_NEW, web::get().to(officer::inspections::new))
        .route(paths::INSPECTIONS_NEW, web::post().to(officer::inspections::submit))
        .route("/inspections", web::post().to(officer::inspections::confirm))
        .route(paths::INSPECTIONS_UPLOAD, web::get().to(officer::upload::show))
        .route("/inspections/upload/preview", web::post().to(officer::upload::preview))
        .route("/inspections/upload/commit", web::post().to(officer::upload::commit))
        .route("/inspections/upload/{upload_id}/rejected.xlsx", web::get().to(officer::upload::rejected))
        .route("/inspections/{id}", web::get().to(officer::inspections::show))
        .route("/deductions/{id}/revoke", web::post().to(officer::person::revoke))
        .route(paths::WATCH_LIST, web::get().to(officer::watch_list::show))
        .route(paths::DASHBOARD, web::get().to(dashboard::show))
        .route("/dashboard/{file}", web::get().to(dashboard::xlsx))
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
