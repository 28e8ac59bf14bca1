use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::auth::Auth;
use super::{date_or_today, run, State};
use crate::error::Result;
use crate::service::tokens::Role::{Admin, Agency, Hr, Officer, Settlement};
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
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse> {
    let code = path.into_inner().trim().to_ascii_uppercase();
    auth.require_institution(&[Admin, Agency, Officer, Hr], &code)?;
    let on = date_or_today("date", q.date.as_deref())?;
    let enc = ExportEncoding::parse(q.encoding.as_deref())?;
    let name = format!("roster-{code}-{on}.csv");
    let bytes = run(&state, move |app| app.export_roster(&code, on, enc)).await?;
    Ok(csv(bytes, enc, &name))
}

/// `GET /exports/status-list.csv?date=&encoding=gbk` — suspended and terminated practitioners.
pub async fn status_list(state: web::Data<State>, auth: Auth, q: web::Query<ExportQuery>) -> Result<HttpResponse> {
    auth.require(&[Admin, Agency, Officer, Hr, Settlement])?;
    let on = date_or_today("date", q.date.as_deref())?;
    let enc = ExportEncoding::parse(q.encoding.as_deref())?;
    let region = auth.region().map(str::to_string);
    let bytes = run(&state, move |app| app.export_status_list(on, region.as_deref(), enc)).await?;
    Ok(csv(bytes, enc, &format!("status-list-{on}.csv")))
}
