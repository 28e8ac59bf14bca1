use actix_web::{web, HttpResponse};

use super::body::Body;
use super::{json_body, run, State};
use crate::error::Result;
use crate::service::institutions::DecideCascade;
use crate::service::{Action, Caller};

/// `GET /cascade-cases` (officer — own county —, agency, admin).
pub async fn list(state: web::Data<State>, caller: Caller) -> Result<HttpResponse> {
    let cases = run(&state, move |app| app.cascade_cases(&caller)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "cases": cases })))
}

pub async fn show(state: web::Data<State>, caller: Caller, path: web::Path<i64>) -> Result<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.cascade_case(&caller, id)).await?))
}

/// `POST /cascade-cases/{id}/decide` (officer, admin): 五(三).
pub async fn decide(state: web::Data<State>, caller: Caller, path: web::Path<i64>, body: Body) -> Result<HttpResponse> {
    caller.permit(Action::DecideCascade)?;
    let id = path.into_inner();
    let req: DecideCascade = json_body(&body.bytes)?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.decide_cascade(&caller, id, &req)).await?))
}
