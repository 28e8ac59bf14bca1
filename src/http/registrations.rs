use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::auth::Auth;
use super::{date_or_today, json_body, run, State};
use crate::error::Result;
use crate::service::registrations::NewRegistration;
use crate::service::tokens::Role::{Admin, Agency, Hr};

/// `POST /registrations` (admin, agency, hr of that institution).
pub async fn create(state: web::Data<State>, auth: Auth, body: web::Bytes) -> Result<HttpResponse> {
    auth.require(&[Admin, Agency, Hr])?;
    let req: NewRegistration = json_body(&body)?;
    auth.require_institution(&[Admin, Agency, Hr], req.institution_code.trim())?;
    let view = run(&state, move |app| app.register(&req)).await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Deserialize)]
pub struct OnQuery {
    pub on: Option<String>,
}

/// `DELETE /registrations/{institution_code}/{personnel_code}?on=` — 注销.
pub async fn delete(
    state: web::Data<State>,
    auth: Auth,
    path: web::Path<(String, String)>,
    q: web::Query<OnQuery>,
) -> Result<HttpResponse> {
    let (inst, code) = path.into_inner();
    auth.require_institution(&[Admin, Agency, Hr], &inst)?;
    let on = date_or_today("on", q.on.as_deref())?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.deregister(&inst, &code, on)).await?))
}
