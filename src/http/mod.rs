//! The HTTP API (actix-web): thin handlers that parse, authorise, call the service layer and
//! render. Every route is registered in `routes.rs`; a handler file per URL segment.

mod audit;
pub mod auth;
mod calendar;
mod cascade_cases;
mod deductions;
mod eligibility;
pub mod error;
mod exports;
mod health;
mod inspections;
mod institutions;
mod interview_orders;
pub mod metrics;
pub(crate) mod notices;
mod objections;
mod practitioners;
mod public;
mod registrations;
mod rosters;
pub mod routes;
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
    pub admin_token: Option<String>,
    pub tokens: auth::TokenCache,
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
    let app = state.app.clone();
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

#[derive(Deserialize)]
pub struct BatchQuery {
    pub commit: Option<String>,
    pub partial: Option<String>,
}

pub fn batch_options(q: &BatchQuery) -> Result<BatchOptions> {
    Ok(BatchOptions { commit: flag("commit", q.commit.as_deref())?, partial: flag("partial", q.partial.as_deref())? })
}

/// Reads a JSON body: malformed JSON is 400, a well-formed body of the wrong shape is 422.
pub fn json_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| {
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
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
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

/// Builds the server on a bound listener (port 0 in tests).
pub fn server(app: App, listener: TcpListener, admin_token: Option<String>) -> std::io::Result<actix_web::dev::Server> {
    server_with(app, listener, admin_token, false)
}

/// A server for a read replica: reads and claims screening only; any other write is 503.
pub fn server_with(
    app: App,
    listener: TcpListener,
    admin_token: Option<String>,
    read_only: bool,
) -> std::io::Result<actix_web::dev::Server> {
    let state = web::Data::new(State {
        app,
        admin_token: admin_token.filter(|t| !t.is_empty()),
        tokens: auth::TokenCache::default(),
        metrics: metrics::Metrics::default(),
        read_only,
    });
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(64 * 1024 * 1024))
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                error::bad_request("invalid_query", format!("invalid query: {e}"), format!("查询参数无效：{e}")).into()
            }))
            .app_data(web::PathConfig::default().error_handler(|_, _| Error::not_found("resource", "资源").into()))
            .wrap(actix_web::middleware::from_fn(observe))
            .configure(routes::configure)
            .configure(crate::web::configure)
            .default_service(web::to(|| async { Err::<HttpResponse, _>(Error::not_found("route", "接口")) }))
    })
    .listen(listener)?
    .run();
    Ok(server)
}
