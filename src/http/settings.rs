//! Settings the agency keeps: the delivery allowance of written notices (六(一)); the
//! jurisdiction whose policy packs the deployment runs (issue 17, admin).

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::body::Body;
use super::{date_or_today, json_body, run, State};
use crate::error::Result;
use crate::service::jurisdiction::SetJurisdiction;
use crate::service::receipts::SetDeliveryAllowance;
use crate::service::{Action, Caller};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DateQuery {
    #[param(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub date: Option<String>,
}

/// `GET /settings/delivery-allowance?date=`: the allowance of a notice dated `date` (today).
pub async fn delivery_allowance(
    state: web::Data<State>,
    caller: Caller,
    q: web::Query<DateQuery>,
) -> Result<HttpResponse> {
    let on = date_or_today("date", q.date.as_deref())?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.delivery_allowance(&caller, on)).await?))
}

/// `POST /settings/delivery-allowance` (agency, admin): `days, from`; 201, audited. A notice
/// never acknowledged counts as received on its date plus these calendar days.
pub async fn set_delivery_allowance(state: web::Data<State>, caller: Caller, body: Body) -> Result<HttpResponse> {
    caller.permit(Action::SetDeliveryAllowance)?;
    let req: SetDeliveryAllowance = json_body(&body.bytes)?;
    Ok(HttpResponse::Created().json(run(&state, move |app| app.set_delivery_allowance(&caller, &req)).await?))
}

/// `GET /settings/jurisdiction`: the jurisdiction, its packs, and the ones available.
pub async fn jurisdiction(state: web::Data<State>, caller: Caller) -> Result<HttpResponse> {
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.jurisdiction(&caller)).await?))
}

/// `POST /settings/jurisdiction` (admin): `{"jurisdiction": "tianjin"}`; 201, audited; 409
/// `ledger_not_empty` once deductions or tests are recorded.
pub async fn set_jurisdiction(state: web::Data<State>, caller: Caller, body: Body) -> Result<HttpResponse> {
    caller.permit(Action::SetJurisdiction)?;
    let req: SetJurisdiction = json_body(&body.bytes)?;
    Ok(HttpResponse::Created().json(run(&state, move |app| app.set_jurisdiction(&caller, &req)).await?))
}
