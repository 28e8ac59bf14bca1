//! The HTTP API (actix-web): thin handlers that parse, authorise, call the service layer and
//! render. Every route is registered in `routes.rs`; a handler file per URL segment.

mod audit;
pub mod auth;
pub mod body;
mod calendar;
mod cascade_cases;
mod changes;
mod deductions;
mod eligibility;
pub mod error;
mod exports;
mod harden;
mod health;
mod inspections;
mod institutions;
mod interview_orders;
mod jobs;
pub mod metrics;
mod multipart;
pub(crate) mod notices;
mod objections;
pub mod openapi;
mod practitioners;
mod public;
mod rate;
mod registrations;
mod rosters;
pub mod routes;
mod settings;
mod spool;
mod stats;
mod termination_cases;
mod training_tests;
mod watch_list;

use std::net::TcpListener;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tracing::Instrument;

use crate::domain::dates::{parse_date, today_china};
use crate::error::{Error, Result};
use crate::service::batches::BatchOptions;
use crate::service::App;

/// Shared by every worker.
pub struct State {
    pub app: App,
    /// The SHA-256 of `JIFEN_ADMIN_TOKEN`, compared in constant time.
    pub admin_digest: Option<[u8; 32]>,
    pub tokens: auth::TokenCache,
    /// `/api/v1/public/*` lookups per client address.
    pub public_rate: rate::RateLimit,
    /// Uploads being read and processed (`limits::UPLOADS_AT_ONCE`).
    pub uploads: body::UploadSlots,
    pub metrics: metrics::Metrics,
    /// Serving a read replica: writes are refused.
    pub read_only: bool,
}

/// Runs a blocking service call off the async workers.
pub async fn run<T, F>(state: &web::Data<State>, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&App) -> Result<T> + Send + 'static,
{
    // The packs of the jurisdiction in force when the request starts.
    let app = state.app.current();
    web::block(move || f(&app)).await.map_err(|e| Error::Internal(anyhow::anyhow!("blocking call: {e}")))?
}

/// `?date=` or today in China.
pub fn date_or_today(field: &str, raw: Option<&str>) -> Result<NaiveDate> {
    match raw {
        Some(s) if !s.is_empty() => parse_date(field, s),
        _ => Ok(today_china()),
    }
}

/// `true`/`false` (or 1/0) in a query string.
pub fn flag(name: &str, v: Option<&str>) -> Result<bool> {
    match v.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("false") | Some("0") | Some("no") => Ok(false),
        Some("true") | Some("1") | Some("yes") => Ok(true),
        Some(other) => Err(Error::invalid(
            "invalid_query",
            name,
            format!("{name} is true or false, not '{other}'"),
            format!("{name} 应为 true 或 false"),
        )),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchQuery {
    pub commit: Option<String>,
    pub partial: Option<String>,
    /// `true`: run as a job, answer 202 at once and follow `GET /jobs/{id}`.
    #[serde(rename = "async")]
    pub run_async: Option<String>,
}

pub fn batch_options(q: &BatchQuery) -> Result<BatchOptions> {
    Ok(BatchOptions { commit: flag("commit", q.commit.as_deref())?, partial: flag("partial", q.partial.as_deref())? })
}

/// Reads a JSON body: malformed JSON is 400, a string holding a control character (NUL among
/// them) 422 `control_character` naming its field, a well-formed body of the wrong shape 422.
pub fn json_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| shape_error(&e))?;
    if let Some(field) = control_in(&value, String::new()) {
        return Err(crate::domain::limits::control_character(&field));
    }
    serde_json::from_value(value).map_err(|e| shape_error(&e))
}

fn shape_error(e: &serde_json::Error) -> Error {
    use serde_json::error::Category;
    match e.classify() {
        Category::Data => Error::invalid(
            "invalid_body",
            &field_of(&e.to_string()),
            format!("the body does not have the expected fields: {e}"),
            format!("请求内容字段不符合要求：{e}"),
        ),
        _ => error::bad_request(
            "malformed_json",
            format!("the body is not valid JSON: {e}"),
            format!("请求内容不是有效的 JSON：{e}"),
        ),
    }
}

/// The path (`violations[0].note`) of the first string or key holding a forbidden control
/// character (`limits::is_forbidden_control`: C0 but tab, CR, LF; and DEL).
fn control_in(v: &serde_json::Value, path: String) -> Option<String> {
    use crate::domain::limits::is_forbidden_control;
    use serde_json::Value;
    let named = |path: &str| if path.is_empty() { "body".to_string() } else { path.to_string() };
    match v {
        Value::String(s) => s.chars().any(is_forbidden_control).then(|| named(&path)),
        Value::Array(items) => items.iter().enumerate().find_map(|(k, x)| control_in(x, format!("{path}[{k}]"))),
        Value::Object(map) => map.iter().find_map(|(key, x)| {
            let here = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            if key.chars().any(is_forbidden_control) {
                return Some(named(&path));
            }
            control_in(x, here)
        }),
        _ => None,
    }
}

/// The first percent-encoded control character (`%00`…`%1F`, `%7F`, tab/CR/LF included: none
/// belongs in a code, a date or a flag) in a path or query string: its byte offset.
fn encoded_control(raw: &str) -> Option<usize> {
    let b = raw.as_bytes();
    let mut k = 0;
    while k < b.len() {
        if b[k] == b'%' && k + 2 < b.len() {
            let hex = std::str::from_utf8(&b[k + 1..k + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
            if hex.is_some_and(|c| c < 0x20 || c == 0x7f) {
                return Some(k);
            }
            k += 3;
        } else {
            k += 1;
        }
    }
    None
}

/// 422 `control_character` for a path or query carrying one, naming the path parameter (from
/// the route's pattern) or the query parameter.
fn control_in_url(req: &ServiceRequest) -> Option<String> {
    let path = req.uri().path();
    if let Some(at) = encoded_control(path) {
        let segment = path[..at].matches('/').count();
        let name = req
            .match_pattern()
            .and_then(|p| p.split('/').nth(segment).map(|s| s.trim_matches(|c| c == '{' || c == '}').to_string()))
            .unwrap_or_else(|| "path".into());
        return Some(name);
    }
    let query = req.query_string();
    encoded_control(query).map(|at| {
        let pair = query[..at].rsplit('&').next().unwrap_or("");
        match pair.split_once('=') {
            Some((name, _)) if !name.is_empty() => name.to_string(),
            _ => "query".to_string(),
        }
    })
}

fn field_of(message: &str) -> String {
    // serde: "missing field `name` at line 1 column 2" / "unknown variant …"
    message.split('`').nth(1).unwrap_or("body").to_string()
}

/// The request id, a span per request, metrics, and a request id in the body of any 500.
async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> actix_web::Result<ServiceResponse<impl MessageBody>> {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|h| h.to_str().ok())
        .filter(|s| s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map(str::to_string)
        .unwrap_or_else(new_request_id);
    // Bounded labels: a method outside HTTP's own is `OTHER`, a path of no route `unmatched`.
    // The pages' catch-all 404 (`/{tail:.*}`) is no route either.
    let route = req.match_pattern().filter(|p| !p.contains("{tail:")).unwrap_or_else(|| "unmatched".into());
    let method = metrics::method_label(req.method()).to_string();
    let state = req.app_data::<web::Data<State>>().cloned();
    let span = tracing::info_span!("request", request_id = %request_id, method = %method, route = %route);
    let started = Instant::now();
    let writes = !matches!(*req.method(), actix_web::http::Method::GET | actix_web::http::Method::HEAD);
    if writes && state.as_ref().is_some_and(|s| s.read_only) && route != "/api/v1/eligibility/check" {
        let body = error::body(&crate::error::ClientError::new(
            crate::error::Kind::Conflict,
            "read_only",
            "this server reads a replica: send writes to the primary",
            "本服务连接只读副本，写操作请发往主库服务",
        ));
        let (req, _) = req.into_parts();
        let res = HttpResponse::ServiceUnavailable().json(body);
        return Ok(ServiceResponse::new(req, res).map_into_boxed_body());
    }
    if let Some(field) = control_in_url(&req) {
        let e = crate::domain::limits::control_character(&field);
        let (req, _) = req.into_parts();
        return Ok(ServiceResponse::new(req, actix_web::ResponseError::error_response(&e)).map_into_boxed_body());
    }
    req.extensions_mut()
        .insert(auth::RequestMeta { request_id: request_id.clone(), action: format!("{method} {route}") });
    let res = next.call(req).instrument(span.clone()).await?;
    let status = res.status().as_u16();
    let elapsed = started.elapsed();
    span.in_scope(|| tracing::info!(status, micros = elapsed.as_micros() as u64, "done"));
    if let Some(s) = state {
        s.metrics.observe(&method, &route, status, elapsed);
    }
    let mut res = if status == 500 {
        let (req, _) = res.into_parts();
        let body = HttpResponse::InternalServerError().json(error::internal_body(&request_id));
        ServiceResponse::new(req, body).map_into_boxed_body()
    } else {
        res.map_into_boxed_body()
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(HeaderName::from_static("x-request-id"), v);
    }
    Ok(res)
}

fn new_request_id() -> String {
    use rand::RngCore;
    let mut b = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// How a server runs; `Options::default()` is what `jifen serve` uses.
#[derive(Debug, Clone)]
pub struct Options {
    /// `JIFEN_ADMIN_TOKEN`.
    pub admin_token: Option<String>,
    /// Serving a read replica: writes are refused.
    pub read_only: bool,
    /// Public lookups a client address may make at once, then one more per `public_refill`.
    pub public_burst: u32,
    pub public_refill: std::time::Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            admin_token: None,
            read_only: false,
            public_burst: crate::domain::limits::PUBLIC_BURST,
            public_refill: crate::domain::limits::PUBLIC_REFILL,
        }
    }
}

/// Builds the server on a bound listener (port 0 in tests).
pub fn server(app: App, listener: TcpListener, admin_token: Option<String>) -> std::io::Result<actix_web::dev::Server> {
    server_with_options(app, listener, Options { admin_token, ..Options::default() })
}

/// A server for a read replica: reads and claims screening only; any other write is 503.
pub fn server_with(
    app: App,
    listener: TcpListener,
    admin_token: Option<String>,
    read_only: bool,
) -> std::io::Result<actix_web::dev::Server> {
    server_with_options(app, listener, Options { admin_token, read_only, ..Options::default() })
}

pub fn server_with_options(app: App, listener: TcpListener, o: Options) -> std::io::Result<actix_web::dev::Server> {
    let state = web::Data::new(State {
        app,
        admin_digest: o.admin_token.filter(|t| !t.is_empty()).map(|t| crate::service::tokens::digest(&t)),
        tokens: auth::TokenCache::default(),
        metrics: metrics::Metrics::default(),
        public_rate: rate::RateLimit::new(o.public_burst, o.public_refill),
        uploads: body::UploadSlots::default(),
        read_only: o.read_only,
    });
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(state.clone())
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                error::bad_request("invalid_query", format!("invalid query: {e}"), format!("查询参数无效：{e}")).into()
            }))
            .app_data(web::PathConfig::default().error_handler(|_, _| Error::not_found("resource", "资源").into()))
            .wrap(actix_web::middleware::from_fn(rate::limit_public))
            .wrap(actix_web::middleware::from_fn(observe))
            .wrap(actix_web::middleware::from_fn(harden::harden))
            .configure(routes::configure)
            .configure(crate::web::configure)
            .default_service(web::to(|| async { Err::<HttpResponse, _>(Error::not_found("route", "接口")) }))
    })
    .client_request_timeout(crate::domain::limits::REQUEST_HEAD_TIMEOUT)
    .listen(listener)?
    .run();
    Ok(server)
}
