use actix_web::{web, HttpResponse};

use super::auth::Auth;
use super::{json_body, run, State};
use crate::error::Result;
use crate::service::institutions::DecideCascade;
use crate::service::tokens::Role::{Admin, Agency, Officer};

/// `GET /cascade-cases` (officer — own county —, agency, admin).
pub async fn list(state: web::Data<State>, auth: Auth) -> Result<HttpResponse> {
    auth.require(&[Admin, Agency, Officer])?;
    let region = auth.region().map(str::to_string);
    let cases = run(&state, move |app| app.cascade_cases(region.as_deref())).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "cases": cases })))
}

pub async fn show(state: web::Data<State>, auth: Auth, path: web::Path<i64>) -> Result<HttpResponse> {
    auth.require(&[Admin, Agency, Officer])?;
    let id = path.into_inner();
    let case = run(&state, move |app| app.cascade_case(id)).await?;
    auth.require_institution(&[Admin, Agency, Officer], &case.institution_code)?;
    Ok(HttpResponse::Ok().json(case))
}

/// `POST /cascade-cases/{id}/decide` (officer, admin): 五(三).
pub async fn decide(
    state: web::Data<State>,
    auth: Auth,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse> {
    auth.require(&[Admin, Officer])?;
    let id = path.into_inner();
    let req: DecideCascade = json_body(&body)?;
    let case = run(&state, move |app| app.cascade_case(id)).await?;
    auth.require_institution(&[Admin, Officer], &case.institution_code)?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.decide_cascade(id, &req)).await?))
}

/// `GET /termination-cases` (officer — own county —, agency, admin): 聊城 第三十一条(一).
pub async fn termination_list(state: web::Data<State>, auth: Auth) -> Result<HttpResponse> {
    auth.require(&[Admin, Agency, Officer])?;
    let region = auth.region().map(str::to_string);
    let cases = run(&state, move |app| app.termination_cases(region.as_deref())).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "cases": cases })))
}

/// `POST /termination-cases/{id}/decide` (agency, officer, admin): `terminate` or `none`.
pub async fn termination_decide(
    state: web::Data<State>,
    auth: Auth,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse> {
    auth.require(&[Admin, Agency, Officer])?;
    let id = path.into_inner();
    let req: DecideCascade = json_body(&body)?;
    let case = run(&state, move |app| app.termination_case(id)).await?;
    auth.require_institution(&[Admin, Agency, Officer], &case.institution_code)?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.decide_termination_case(id, &req)).await?))
}
