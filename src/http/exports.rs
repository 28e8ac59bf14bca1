use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{date_or_today, run, State};
use crate::error::Result;
use crate::service::{Action, Caller};
use crate::sheets::export::ExportFormat;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    #[param(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub date: Option<String>,
    /// CSV: `utf-8` (with BOM, the default) or `gbk`.
    pub encoding: Option<String>,
    /// `csv` or `xlsx`; without it, `Accept` decides (CSV unless it asks for .xlsx).
    pub format: Option<String>,
}

/// The format asked for: the path's extension first (`roster.xlsx`), then `?format=`, then
/// `Accept`.
fn format_of(req: &HttpRequest, q: &ExportQuery) -> Result<ExportFormat> {
    if req.path().ends_with(".xlsx") {
        return Ok(ExportFormat::Xlsx);
    }
    let accept = req.headers().get(header::ACCEPT).and_then(|h| h.to_str().ok());
    ExportFormat::parse(q.format.as_deref(), accept, q.encoding.as_deref())
}

/// A file to download; personal data is never cached.
pub fn attachment(bytes: Vec<u8>, content_type: &str, name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .insert_header(("Cache-Control", "no-store"))
        .body(bytes)
}

/// `GET /institutions/{code}/roster.csv|.xlsx?date=&encoding=gbk&format=` — the staff with
/// status and points; ID numbers and codes are text cells in .xlsx.
pub async fn roster(
    state: web::Data<State>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse> {
    let code = path.into_inner().trim().to_ascii_uppercase();
    caller.require_institution(Action::ExportRoster, &code)?;
    let on = date_or_today("date", q.date.as_deref())?;
    let fmt = format_of(&req, &q)?;
    let name = format!("roster-{code}-{on}.{}", fmt.extension());
    let bytes = run(&state, move |app| app.export_roster(&caller, &code, on, fmt)).await?;
    Ok(attachment(bytes, fmt.content_type(), &name))
}

/// `GET /exports/status-list.csv|.xlsx?date=&encoding=gbk&format=` — suspended and terminated
/// practitioners, masked.
pub async fn status_list(
    state: web::Data<State>,
    caller: Caller,
    req: HttpRequest,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse> {
    caller.permit(Action::ExportStatusList)?;
    let on = date_or_today("date", q.date.as_deref())?;
    let fmt = format_of(&req, &q)?;
    let bytes = run(&state, move |app| app.export_status_list(&caller, on, fmt)).await?;
    Ok(attachment(bytes, fmt.content_type(), &format!("status-list-{on}.{}", fmt.extension())))
}

/// `GET /rosters/template.xlsx` — the blank 附件1 roster: the columns in order with a note on
/// each, ID and code columns as text, drop-downs for 医保支付资格类别 and 操作.
pub async fn roster_template(caller: Caller) -> Result<HttpResponse> {
    caller.permit(Action::UploadRoster)?;
    let bytes = crate::service::rosters::template()?;
    Ok(attachment(bytes, crate::sheets::export::XLSX_CONTENT_TYPE, "附件1-医保支付资格相关人员信息表.xlsx"))
}
