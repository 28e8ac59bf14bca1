use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::body::Body;
use super::{date_or_today, json_body, run, State};
use crate::error::Result;
use crate::service::institutions::{
    InspectionResult, NewInstitution, NewIntent, NewStatement, NonRenewal, RenewInstitution, RestoreInstitution,
    SuspendInstitution, TerminateInstitution,
};
use crate::service::{Action, Caller};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DateQuery {
    #[param(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub date: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    pub year: Option<i32>,
}

/// `POST /institutions` (admin, agency).
pub async fn create(state: web::Data<State>, caller: Caller, body: Body) -> Result<HttpResponse> {
    caller.permit(Action::CreateInstitution)?;
    let req: NewInstitution = json_body(&body.bytes)?;
    // 聊城 第十条; 吉林 第十七条: the day of the application decides whether a bar still runs.
    let applied: AppliedOn = json_body(&body.bytes)?;
    let applied_on =
        applied.applied_on.as_deref().map(|d| crate::domain::dates::parse_date("applied_on", d)).transpose()?;
    let view = run(&state, move |app| app.create_institution_applied(&caller, &req, applied_on)).await?;
    Ok(HttpResponse::Created().json(view))
}

/// The day an institution applied for designation (default today).
#[derive(serde::Deserialize)]
struct AppliedOn {
    applied_on: Option<String>,
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

/// `POST /institutions/{code}/agreement/renew` (agency, admin): a new term from the day after the
/// current one (续签, 聊城 第十九条).
pub async fn renew(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    body: Body,
) -> Result<HttpResponse> {
    let code = path.into_inner();
    caller.require_institution(Action::RenewAgreement, &code)?;
    let req: RenewInstitution = json_body(&body.bytes)?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.renew_institution(&caller, &code, &req)).await?))
}

/// `POST /institutions/{code}/agreement/non-renewal` (agency, admin): the agreement ends with its
/// term (不再续签; an ending, no re-application bar).
pub async fn non_renewal(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    body: Body,
) -> Result<HttpResponse> {
    let code = path.into_inner();
    caller.require_institution(Action::RenewAgreement, &code)?;
    let req: NonRenewal = json_body(&body.bytes)?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.refuse_renewal(&caller, &code, &req)).await?))
}

/// `POST /institutions/{code}/agreement/intents` (agency, officers, admin): tell the institution
/// the intended decision, its facts and basis (吉林 第四十九条); 201.
pub async fn intent(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    body: Body,
) -> Result<HttpResponse> {
    let code = path.into_inner();
    caller.require_institution(Action::ChangeAgreement, &code)?;
    let req: NewIntent = json_body(&body.bytes)?;
    Ok(HttpResponse::Created().json(run(&state, move |app| app.notify_intent(&caller, &code, &req)).await?))
}

/// `GET /institutions/{code}/agreement/intents`: the notices of intent, statements, decisions.
pub async fn intents(state: web::Data<State>, caller: Caller, path: web::Path<String>) -> Result<HttpResponse> {
    let code = path.into_inner();
    let list = run(&state, move |app| app.intents(&caller, &code)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "intents": list })))
}

/// `POST /institutions/{code}/agreement/intents/{id}/statement` (hr of the institution, admin):
/// 陈述申辩 within 7 days, or the waiver of them; 201.
pub async fn statement(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<(String, i64)>,
    body: Body,
) -> Result<HttpResponse> {
    let (code, id) = path.into_inner();
    caller.require_institution(Action::StateCase, &code)?;
    let req: NewStatement = json_body(&body.bytes)?;
    Ok(HttpResponse::Created().json(run(&state, move |app| app.state_case(&caller, &code, id, &req)).await?))
}

/// `POST /institutions/{code}/agreement/inspection-result` (agency, officers, admin): the
/// inspection after a suspension where the rules require one (吉林 第四十六条).
pub async fn inspection_result(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    body: Body,
) -> Result<HttpResponse> {
    let code = path.into_inner();
    caller.require_institution(Action::ChangeAgreement, &code)?;
    let req: InspectionResult = json_body(&body.bytes)?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.record_inspection_result(&caller, &code, &req)).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EndingQuery {
    #[param(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub date: Option<String>,
    /// Any u32: the document says so (not int32's bound).
    #[param(format = Int64, minimum = 0, maximum = 4294967295_u64)]
    pub days: Option<u32>,
}

/// `GET /agreements/ending?date=&days=` (agency, officers, admin): terms ending within `days`
/// (60 by default) and those past their term awaiting the decision (顺延).
pub async fn ending(state: web::Data<State>, caller: Caller, q: web::Query<EndingQuery>) -> Result<HttpResponse> {
    let on = date_or_today("date", q.date.as_deref())?;
    let days = q.days;
    let list = run(&state, move |app| app.agreements_ending(&caller, on, days)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "agreements": list })))
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
