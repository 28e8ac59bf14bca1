//! `GET /stats/…`: the dashboard's figures for the bureau's own BI tools (officer: the county,
//! or the city for a city officer; admin). `?year=` (default: the latest cycle with a decision)
//! and `?county=` (six digits; a county officer may name only their own, another is 404) and
//! `?category=` (医保支付资格类别: physician, nurse, pharmacist, technician, carer; every
//! figure about people or deductions is narrowed to it).

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

use super::{run, State};
use crate::error::Result;
use crate::service::stats::StatsScope;
use crate::service::{Action, App, Caller};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    pub year: Option<i32>,
    pub county: Option<String>,
    pub category: Option<String>,
    /// `/stats/institutions`: how many of the nearest to list (default 15, at most 500).
    pub top: Option<usize>,
}

type Figures<T> = fn(&App, &Caller, &StatsScope, &StatsQuery) -> Result<T>;

async fn answer<T: Serialize + Send + 'static>(
    state: web::Data<State>,
    caller: Caller,
    q: web::Query<StatsQuery>,
    figures: Figures<T>,
) -> Result<HttpResponse> {
    caller.permit(Action::ReadStats)?;
    let q = q.into_inner();
    let body = run(&state, move |app| {
        let scope = app.stats_scope_in(&caller, q.year, q.county.as_deref(), q.category.as_deref())?;
        figures(app, &caller, &scope, &q)
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// `GET /stats/dashboard`: everything below in one answer.
pub async fn dashboard(s: web::Data<State>, c: Caller, q: web::Query<StatsQuery>) -> Result<HttpResponse> {
    answer(s, c, q, |app, c, scope, _| app.dashboard(c, scope)).await
}

/// `GET /stats/deductions`: deductions and points per month by county, and the year before.
pub async fn deductions(s: web::Data<State>, c: Caller, q: web::Query<StatsQuery>) -> Result<HttpResponse> {
    answer(s, c, q, |app, c, scope, _| app.stats_deductions(c, scope)).await
}

/// `GET /stats/statuses`: people by status today and at each month's end.
pub async fn statuses(s: web::Data<State>, c: Caller, q: web::Query<StatsQuery>) -> Result<HttpResponse> {
    answer(s, c, q, |app, c, scope, _| app.stats_statuses(c, scope)).await
}

/// `GET /stats/items`: the catalogue items most cited, with points and article.
pub async fn items(s: web::Data<State>, c: Caller, q: web::Query<StatsQuery>) -> Result<HttpResponse> {
    answer(s, c, q, |app, c, scope, _| app.stats_items(c, scope)).await
}

/// `GET /stats/institutions?top=`: nearest the 30 % of 五(三), and the watch list (六(三)).
pub async fn institutions(s: web::Data<State>, c: Caller, q: web::Query<StatsQuery>) -> Result<HttpResponse> {
    answer(s, c, q, |app, c, scope, q| app.stats_institutions(c, scope, q.top.unwrap_or(15).min(500))).await
}

/// `GET /stats/training-tests`: pass rates by age group and test format (三(三)).
pub async fn training_tests(s: web::Data<State>, c: Caller, q: web::Query<StatsQuery>) -> Result<HttpResponse> {
    answer(s, c, q, |app, c, scope, _| app.stats_training_tests(c, scope)).await
}

/// `GET /stats/objections`: filed, upheld, rejected, pending, escalated; median working days.
pub async fn objections(s: web::Data<State>, c: Caller, q: web::Query<StatsQuery>) -> Result<HttpResponse> {
    answer(s, c, q, |app, c, scope, _| app.stats_objections(c, scope)).await
}
