use actix_web::{web, HttpResponse};

use super::auth::Auth;
use super::{json_body, run, State};
use crate::error::Result;
use crate::service::objections::{DecideObjection, EscalateObjection};
use crate::service::tokens::Role::{Admin, Agency, Hr, Officer};

/// `GET /objections/{id}`.
pub async fn show(state: web::Data<State>, auth: Auth, path: web::Path<i64>) -> Result<HttpResponse> {
    let id = path.into_inner();
    let sites = run(&state, move |app| app.objection_sites(id)).await?;
    auth.require_person(&[Admin, Agency, Officer, Hr], &sites)?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.objection(id)).await?))
}

/// `POST /objections/{id}/decide` (agency, officer, admin): `uphold` revokes the deduction.
pub async fn decide(
    state: web::Data<State>,
    auth: Auth,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse> {
    auth.require(&[Admin, Agency, Officer])?;
    let id = path.into_inner();
    let req: DecideObjection = json_body(&body)?;
    let sites = run(&state, move |app| app.objection_sites(id)).await?;
    auth.require_person(&[Admin, Agency, Officer], &sites)?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.decide_objection(id, &req)).await?))
}

/// `POST /objections/{id}/escalate` (hr of the person's institution, admin): 201 within 10
/// working days of the notice, else 422 `deadline_passed`.
pub async fn escalate(
    state: web::Data<State>,
    auth: Auth,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse> {
    auth.require(&[Admin, Hr])?;
    let id = path.into_inner();
    let req: EscalateObjection = json_body(&body)?;
    let sites = run(&state, move |app| app.objection_sites(id)).await?;
    auth.require_person(&[Admin, Hr], &sites)?;
    Ok(HttpResponse::Created().json(run(&state, move |app| app.escalate_objection(id, &req)).await?))
}
