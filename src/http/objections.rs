use actix_web::{web, HttpResponse};

use super::body::Body;
use super::{json_body, run, State};
use crate::error::Result;
use crate::service::objections::{DecideObjection, EscalateObjection};
use crate::service::{Action, Caller};

/// `GET /objections/{id}`.
pub async fn show(state: web::Data<State>, caller: Caller, path: web::Path<i64>) -> Result<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.objection(&caller, id)).await?))
}

/// `POST /objections/{id}/decide` (agency, officer, admin): `uphold` revokes the deduction.
pub async fn decide(state: web::Data<State>, caller: Caller, path: web::Path<i64>, body: Body) -> Result<HttpResponse> {
    caller.permit(Action::DecideObjection)?;
    let id = path.into_inner();
    let req: DecideObjection = json_body(&body.bytes)?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.decide_objection(&caller, id, &req)).await?))
}

/// `POST /objections/{id}/escalate` (hr of the person's institution, admin): 201 within 10
/// working days of the notice, else 422 `deadline_passed`.
pub async fn escalate(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<i64>,
    body: Body,
) -> Result<HttpResponse> {
    caller.permit(Action::EscalateObjection)?;
    let id = path.into_inner();
    let req: EscalateObjection = json_body(&body.bytes)?;
    Ok(HttpResponse::Created().json(run(&state, move |app| app.escalate_objection(&caller, id, &req)).await?))
}
