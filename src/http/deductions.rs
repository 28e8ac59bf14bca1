use actix_web::{web, HttpResponse};

use super::auth::Auth;
use super::{json_body, run, State};
use crate::error::{Error, Result};
use crate::service::inspections::RevokeDeduction;
use crate::service::tokens::Role::{Admin, Officer};

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
