//! Rendering a template into a response: the page's headers (no caching of personal data,
//! no framing, a content security policy that allows only this server's files).

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

/// Scripts and styles from this server only (htmx is vendored; no inline script).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn page(status: StatusCode, t: &impl Template) -> HttpResponse {
    match t.render() {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
            .insert_header((header::X_FRAME_OPTIONS, "DENY"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .insert_header((header::REFERRER_POLICY, "same-origin"))
            .body(html),
        Err(e) => {
            tracing::error!(error = %e, "rendering a page");
            HttpResponse::InternalServerError().finish()
        }
    }
}

pub fn ok(t: &impl Template) -> HttpResponse {
    page(StatusCode::OK, t)
}

/// Whether htmx sent the request (then only the part that changed is rendered).
pub fn is_htmx(req: &HttpRequest) -> bool {
    req.headers().get("HX-Request").is_some_and(|v| v.as_bytes() == b"true")
}

/// 303 to `to` (after a form was handled: the browser then GETs the page).
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish()
}
