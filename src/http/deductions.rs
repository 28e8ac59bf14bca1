use actix_web::{web, HttpResponse};

use super::body::Body;
use super::{json_body, run, State};
use crate::error::Result;
use crate::service::inspections::RevokeDeduction;
use crate::service::objections::NewObjection;
use crate::service::{Action, Caller};

/// `POST /deductions/{id}/revoke` (officer, admin): the recomputed ledger of that person.
pub async fn revoke(state: web::Data<State>, caller: Caller, path: web::Path<i64>, body: Body) -> Result<HttpResponse> {
    caller.permit(Action::RevokeDeduction)?;
    let id = path.into_inner();
    let req: RevokeDeduction = json_body(&body.bytes)?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.revoke(&caller, id, &req)).await?))
}

/// `POST /deductions/{id}/objections` (hr of an institution of that person, admin): 201.
pub async fn object(state: web::Data<State>, caller: Caller, path: web::Path<i64>, body: Body) -> Result<HttpResponse> {
    caller.permit(Action::FileObjection)?;
    let id = path.into_inner();
    let req: NewObjection = json_body(&body.bytes)?;
    let objection = run(&state, move |app| app.file_objection(&caller, id, &req)).await?;
    Ok(HttpResponse::Created().json(objection))
}
