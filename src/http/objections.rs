use actix_web::{web, HttpResponse};

use super::body::Body;
use super::{json_body, run, State};
use crate::error::Result;
use crate::service::objections::{DecideEscalation, DecideObjection, EscalateObjection};
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

/// `POST /objections/{id}/escalate` (hr of the objecting institution, admin): 201 up to the 10th
/// working day after receiving the agency's written rejection, else 422 `deadline_passed`.
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

/// `POST /objections/{id}/escalation/decide` (admin, recording the administrative department's
/// decision, 六(一)): `uphold` revokes the deduction; either way a written notice.
pub async fn decide_escalation(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<i64>,
    body: Body,
) -> Result<HttpResponse> {
    caller.permit(Action::DecideEscalation)?;
    let id = path.into_inner();
    let req: DecideEscalation = json_body(&body.bytes)?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.decide_escalation(&caller, id, &req)).await?))
}
