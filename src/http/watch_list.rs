use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::auth::Auth;
use super::{run, State};
use crate::error::Result;
use crate::service::tokens::Role::{Admin, Agency, Officer};

#[derive(Deserialize)]
pub struct YearQuery {
    pub year: Option<i32>,
}

/// `GET /watch-list?year=` — 六(三).
pub async fn list(state: web::Data<State>, auth: Auth, q: web::Query<YearQuery>) -> Result<HttpResponse> {
    auth.require(&[Admin, Agency, Officer])?;
    let year = q.year.unwrap_or_else(|| chrono::Datelike::year(&crate::domain::dates::today_china()));
    let region = auth.region().map(str::to_string);
    let entries = run(&state, move |app| app.watch_list(year, region.as_deref())).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "year": year, "institutions": entries })))
}
