use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{date_or_today, run, State};
use crate::error::Result;
use crate::service::{Action, Caller};
use crate::sheets::export::ExportEncoding;

#[derive(Deserialize)]
pub struct ExportQuery {
    pub date: Option<String>,
    pub encoding: Option<String>,
}

fn csv(bytes: Vec<u8>, enc: ExportEncoding, name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(enc.content_type())
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .body(bytes)
}

/// `GET /institutions/{code}/roster.csv?date=&encoding=gbk` — the staff with status and points.
pub async fn roster(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse> {
    let code = path.into_inner().trim().to_ascii_uppercase();
    caller.require_institution(Action::ExportRoster, &code)?;
    let on = date_or_today("date", q.date.as_deref())?;
    let enc = ExportEncoding::parse(q.encoding.as_deref())?;
    let name = format!("roster-{code}-{on}.csv");
    let bytes = run(&state, move |app| app.export_roster(&caller, &code, on, enc)).await?;
    Ok(csv(bytes, enc, &name))
}

/// `GET /exports/status-list.csv?date=&encoding=gbk` — suspended and terminated practitioners.
pub async fn status_list(state: web::Data<State>, caller: Caller, q: web::Query<ExportQuery>) -> Result<HttpResponse> {
    caller.permit(Action::ExportStatusList)?;
    let on = date_or_today("date", q.date.as_deref())?;
    let enc = ExportEncoding::parse(q.encoding.as_deref())?;
    let bytes = run(&state, move |app| app.export_status_list(&caller, on, enc)).await?;
    Ok(csv(bytes, enc, &format!("status-list-{on}.csv")))
}
