use actix_web::{web, HttpResponse};

use super::State;

/// `GET /healthz`: no token needed.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// `GET /metrics`: Prometheus text.
pub async fn metrics(state: web::Data<State>) -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(state.metrics.render())
}

/// `GET /openapi.json`: the OpenAPI 3 document of this API (`docs/openapi.json`).
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(include_str!("../../docs/openapi.json"))
}
