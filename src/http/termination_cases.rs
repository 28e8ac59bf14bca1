use actix_web::{web, HttpResponse};

use super::body::Body;
use super::{json_body, run, State};
use crate::error::Result;
use crate::service::institutions::DecideCascade;
use crate::service::{Action, Caller};

/// `GET /termination-cases` (officer — own county —, agency, admin): 聊城 第三十一条(一).
pub async fn list(state: web::Data<State>, caller: Caller) -> Result<HttpResponse> {
    let cases = run(&state, move |app| app.termination_cases(&caller)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "cases": cases })))
}

/// `POST /termination-cases/{id}/decide` (agency, officer, admin): `terminate` or `none`.
pub async fn decide(state: web::Data<State>, caller: Caller, path: web::Path<i64>, body: Body) -> Result<HttpResponse> {
    caller.permit(Action::DecideTerminationCase)?;
    let id = path.into_inner();
    let req: DecideCascade = json_body(&body.bytes)?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.decide_termination_case(&caller, id, &req)).await?))
}
