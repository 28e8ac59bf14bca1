use actix_web::{web, HttpResponse};

use super::State;
use crate::error::Result;
use crate::service::{Action, Caller};

/// `GET /healthz`: no token needed.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// `GET /metrics`: Prometheus text, for an admin token (a scraper sends it as its bearer
/// token): the shape of the traffic is nobody else's business.
pub async fn metrics(state: web::Data<State>, caller: Caller) -> Result<HttpResponse> {
    caller.permit(Action::ReadMetrics)?;
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(state.metrics.render()))
}

/// `GET /openapi.json`: the OpenAPI 3.1 document of this API, generated from the code
/// (`super::openapi`; `docs/openapi.json` is the same text).
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(super::openapi::pretty())
}
