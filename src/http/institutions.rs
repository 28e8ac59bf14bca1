use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::body::Body;
use super::{date_or_today, json_body, run, State};
use crate::error::Result;
use crate::service::institutions::{NewInstitution, RestoreInstitution, SuspendInstitution, TerminateInstitution};
use crate::service::{Action, Caller};

#[derive(Deserialize)]
pub struct DateQuery {
    pub date: Option<String>,
}

#[derive(Deserialize)]
pub struct YearQuery {
    pub year: Option<i32>,
}

/// `POST /institutions` (admin, agency).
pub async fn create(state: web::Data<State>, caller: Caller, body: Body) -> Result<HttpResponse> {
    caller.permit(Action::CreateInstitution)?;
    let req: NewInstitution = json_body(&body.bytes)?;
    let view = run(&state, move |app| app.create_institution(&caller, &req)).await?;
    Ok(HttpResponse::Created().json(view))
}

/// `GET /institutions/{code}?date=`.
pub async fn show(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    q: web::Query<DateQuery>,
) -> Result<HttpResponse> {
    let code = path.into_inner();
    caller.require_institution(Action::ReadInstitution, &code)?;
    let on = date_or_today("date", q.date.as_deref())?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.institution(&caller, &code, on)).await?))
}

/// `POST /institutions/{code}/agreement/suspend` (admin, agency, officer of the county).
pub async fn suspend(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    body: Body,
) -> Result<HttpResponse> {
    let code = path.into_inner();
    caller.require_institution(Action::ChangeAgreement, &code)?;
    let req: SuspendInstitution = json_body(&body.bytes)?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.suspend_institution(&caller, &code, &req)).await?))
}

pub async fn restore(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    body: Body,
) -> Result<HttpResponse> {
    let code = path.into_inner();
    caller.require_institution(Action::ChangeAgreement, &code)?;
    let req: RestoreInstitution = json_body(&body.bytes)?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.restore_institution(&caller, &code, &req)).await?))
}

pub async fn terminate(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    body: Body,
) -> Result<HttpResponse> {
    let code = path.into_inner();
    caller.require_institution(Action::ChangeAgreement, &code)?;
    let req: TerminateInstitution = json_body(&body.bytes)?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.terminate_institution(&caller, &code, &req)).await?))
}

/// `GET /institutions/{code}/cascade?year=` — 五(三) figures.
pub async fn cascade(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    q: web::Query<YearQuery>,
) -> Result<HttpResponse> {
    let code = path.into_inner();
    caller.require_institution(Action::ReadCascade, &code)?;
    let year = q.year.unwrap_or_else(|| chrono::Datelike::year(&crate::domain::dates::today_china()));
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.cascade_figures(&caller, &code, year)).await?))
}
