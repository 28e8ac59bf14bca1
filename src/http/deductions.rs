use actix_web::{web, HttpResponse};

use super::auth::Auth;
use super::{json_body, run, State};
use crate::error::{Error, Result};
use crate::service::inspections::RevokeDeduction;
use crate::service::tokens::Role::{Admin, Hr, Officer};

/// `POST /deductions/{id}/revoke` (officer, admin): the recomputed ledger of that person.
pub async fn revoke(
    state: web::Data<State>,
    auth: Auth,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse> {
    auth.require(&[Admin, Officer])?;
    let id = path.into_inner();
    let req: RevokeDeduction = json_body(&body)?;
    let person = run(&state, move |app| app.deduction_person(id))
        .await?
        .ok_or_else(|| Error::not_found("deduction", "扣分记录"))?;
    let sites = run(&state, move |app| app.sites_of(&person)).await?;
    auth.require_person(&[Admin, Officer], &sites)?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.revoke(id, &req, "officer")).await?))
}

/// `POST /deductions/{id}/objections` (hr of an institution of that person, admin): 201.
pub async fn object(
    state: web::Data<State>,
    auth: Auth,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse> {
    auth.require(&[Admin, Hr])?;
    let id = path.into_inner();
    let req: crate::service::objections::NewObjection = json_body(&body)?;
    let person = run(&state, move |app| app.deduction_person(id))
        .await?
        .ok_or_else(|| Error::not_found("deduction", "扣分记录"))?;
    let sites = run(&state, move |app| app.sites_of(&person)).await?;
    auth.require_person(&[Admin, Hr], &sites)?;
    let hr_institution = auth.0.institution_code.clone().filter(|_| auth.role() == crate::service::tokens::Role::Hr);
    let objection = run(&state, move |app| app.file_objection(id, &req, hr_institution.as_deref())).await?;
    Ok(HttpResponse::Created().json(objection))
}
