use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{run, State};
use crate::error::Result;
use crate::service::{Action, Caller};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    pub year: Option<i32>,
}

/// `GET /watch-list?year=` — 六(三).
pub async fn list(state: web::Data<State>, caller: Caller, q: web::Query<YearQuery>) -> Result<HttpResponse> {
    caller.permit(Action::ReadWatchList)?;
    let year = q.year.unwrap_or_else(|| chrono::Datelike::year(&crate::domain::dates::today_china()));
    let entries = run(&state, move |app| app.watch_list(&caller, year)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "year": year, "institutions": entries })))
}
