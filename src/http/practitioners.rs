use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{date_or_today, run, State};
use crate::error::Result;
use crate::service::Caller;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    #[param(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub date: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    pub year: Option<i32>,
}

/// `GET /practitioners/{code}/status?date=`.
pub async fn status(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    q: web::Query<StatusQuery>,
) -> Result<HttpResponse> {
    let code = path.into_inner().trim().to_ascii_uppercase();
    let on = date_or_today("date", q.date.as_deref())?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.status(&caller, &code, on)).await?))
}

/// `GET /practitioners/{code}/training-tests`: every year's tests, re-sits and absences (三(三)).
pub async fn training(state: web::Data<State>, caller: Caller, path: web::Path<String>) -> Result<HttpResponse> {
    let code = path.into_inner();
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.training_record(&caller, &code)).await?))
}

/// `GET /practitioners/{code}/ledger?year=`.
pub async fn ledger(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    q: web::Query<LedgerQuery>,
) -> Result<HttpResponse> {
    let code = path.into_inner().trim().to_ascii_uppercase();
    let year = q.year.unwrap_or_else(|| chrono::Datelike::year(&crate::domain::dates::today_china()));
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.ledger(&caller, &code, year)).await?))
}
