use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::body::Body;
use super::State;
use crate::domain::dates::parse_date;
use crate::error::{Error, Result};
use crate::service::{Action, Caller};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkingDaysQuery {
    #[param(format = Date, required = true)]
    pub from: Option<String>,
    pub days: Option<u32>,
}

/// `GET /calendar/working-days?from=&days=`: the `days`-th working day after `from`
/// (六(一): objections within 10 working days of the written notice).
pub async fn working_days(
    state: web::Data<State>,
    caller: Caller,
    q: web::Query<WorkingDaysQuery>,
) -> Result<HttpResponse> {
    let from = parse_date("from", q.from.as_deref().unwrap_or(""))?;
    let days = q.days.unwrap_or(10);
    if days > 366 {
        return Err(Error::invalid("invalid_days", "days", "days is 0..=366", "工作日天数应为0-366"));
    }
    let date = state.app.working_days(&caller, from, days)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "from": from, "days": days, "date": date })))
}

/// `POST /calendar/years` (admin): next year's holidays and adjusted working days, as the TOML
/// of `data/calendar/` (year, source, holidays, workdays). 201 with the year.
pub async fn upload(state: web::Data<State>, caller: Caller, body: Body) -> Result<HttpResponse> {
    caller.permit(Action::UploadCalendar)?;
    let text = String::from_utf8(body.bytes.to_vec()).map_err(|_| {
        Error::invalid("invalid_calendar", "body", "the calendar is UTF-8 TOML", "日历文件应为 UTF-8 编码的 TOML")
    })?;
    let year = super::run(&state, move |app| app.upload_calendar(&caller, &text)).await?;
    Ok(HttpResponse::Created().json(serde_json::json!({ "year": year })))
}
