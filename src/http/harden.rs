//! Headers every answer carries, and JSON for every error, whoever produced it.
//!
//! - `X-Content-Type-Options: nosniff` everywhere; a CSP, `X-Frame-Options` and no referrer on
//!   HTML (the printable notice: its CSS is inline, so `style-src 'unsafe-inline'`, and it has no
//!   script at all).
//! - `Cache-Control: no-store` on every answer but the public lookups, `healthz` and the OpenAPI
//!   document: the others hold personal data (rosters, status lists, rejected rows) or decisions.
//! - An error answered by the framework itself (an extractor, a guard) in plain text is given the
//!   JSON error body of `error.rs`, with the same status.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::HttpResponse;

use crate::error::{ClientError, Kind};

/// The printable notice needs its inline `<style>` and nothing else.
pub const HTML_CSP: &str = "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'none'; \
     object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The pages for people: their own scripts (htmx, charts, embedded under /static) and forms
/// posting to themselves, nothing from elsewhere.
pub const PAGE_CSP: &str = "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn cacheable(path: &str) -> bool {
    path.starts_with("/api/v1/public/") || path == "/api/v1/healthz" || path == "/api/v1/openapi.json"
}

pub async fn harden(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> actix_web::Result<ServiceResponse<BoxBody>> {
    let cacheable = cacheable(req.path());
    let page = !req.path().starts_with("/api/") && req.path() != "/metrics";
    let res = next.call(req).await?.map_into_boxed_body();
    // A page's own error page (403, 404 in the layout) stays HTML; anything else becomes JSON.
    let error_page = page && is_html(res.headers());
    let mut res =
        if res.status().as_u16() >= 400 && !is_json(res.headers()) && !error_page { as_json(res) } else { res };
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if is_html(h) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(if page { PAGE_CSP } else { HTML_CSP }));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    }
    if !cacheable && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

fn is_html(h: &header::HeaderMap) -> bool {
    h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"))
}

fn is_json(h: &header::HeaderMap) -> bool {
    h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"))
}

/// The framework's own plain-text error, as the JSON error of `error.rs`.
fn as_json(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    let (code, en, zh) = match status {
        StatusCode::BAD_REQUEST => ("bad_request", "the request is malformed", "请求格式错误"),
        StatusCode::NOT_FOUND => ("not_found", "not found", "资源不存在"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "method not allowed", "不支持该请求方法"),
        StatusCode::REQUEST_TIMEOUT => ("request_timeout", "the request took too long to arrive", "请求发送超时"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the body is too large", "请求内容过大"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "this content type is not accepted here", "不支持该内容类型")
        }
        StatusCode::URI_TOO_LONG => ("uri_too_long", "the URL is too long", "URL 过长"),
        s if s.is_server_error() => ("internal", "internal error", "服务器内部错误"),
        _ => ("bad_request", "the request was refused", "请求被拒绝"),
    };
    let body = super::error::body(&ClientError::new(Kind::BadRequest, code, en, zh));
    let (req, old) = res.into_parts();
    let mut fresh = HttpResponse::build(status);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            fresh.append_header((name.clone(), value.clone()));
        }
    }
    ServiceResponse::new(req, fresh.json(body)).map_into_boxed_body()
}
