use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{date_or_today, run, State};
use crate::error::Result;
use crate::service::exports::ListFile;
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

/// `GET /exports/status-list.csv|.json|.xlsx?date=&encoding=gbk&format=` — every practitioner
/// whose claims are refused on the day, masked as the caller's role requires; 304 when the
/// caller's copy is current.
pub async fn status_list(
    state: web::Data<State>,
    caller: Caller,
    req: HttpRequest,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse> {
    list(state, caller, req, q, ListFile::Practitioners).await
}

/// `GET /exports/institution-status-list.csv|.json|.xlsx?date=` — every institution whose
/// agreement does not pay on the day.
pub async fn institution_status_list(
    state: web::Data<State>,
    caller: Caller,
    req: HttpRequest,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse> {
    list(state, caller, req, q, ListFile::Institutions).await
}

async fn list(
    state: web::Data<State>,
    caller: Caller,
    req: HttpRequest,
    q: web::Query<ExportQuery>,
    which: ListFile,
) -> Result<HttpResponse> {
    caller.permit(Action::ExportStatusList)?;
    let on = date_or_today("date", q.date.as_deref())?;
    let fmt = if req.path().ends_with(".json") { None } else { Some(format_of(&req, &q)?) };
    let (ctype, ext) = fmt.map_or(("application/json", "json"), |f| (f.content_type(), f.extension()));
    let (bytes, head_at) = run(&state, move |app| app.list_file(&caller, which, on, fmt)).await?;
    Ok(conditional(&req, bytes, ctype, &format!("{}-{on}.{ext}", which.stem()), head_at))
}

/// A list with its `ETag` (the SHA-256 of the bytes: exact) and `Last-Modified` (the newest
/// change's commit, to the second); 304 when `If-None-Match` names the tag or, without it,
/// nothing changed since `If-Modified-Since` (RFC 9110 13.2.2).
fn conditional(
    req: &HttpRequest,
    bytes: Vec<u8>,
    content_type: &str,
    name: &str,
    head_at: Option<chrono::NaiveDateTime>,
) -> HttpResponse {
    use sha2::Digest;
    let etag = format!("\"{:x}\"", sha2::Sha256::digest(&bytes));
    let modified: Option<std::time::SystemTime> = head_at.map(|t| {
        let secs = t.and_utc().timestamp().max(0) as u64;
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs)
    });
    let header_str = |h: header::HeaderName| req.headers().get(h).and_then(|v| v.to_str().ok());
    let not_modified = match header_str(header::IF_NONE_MATCH) {
        Some(tags) => tags.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == etag),
        None => {
            match (header_str(header::IF_MODIFIED_SINCE).and_then(|v| v.parse::<header::HttpDate>().ok()), modified) {
                (Some(since), Some(m)) => m <= std::time::SystemTime::from(since),
                _ => false,
            }
        }
    };
    let mut out =
        if not_modified { HttpResponse::NotModified().finish() } else { attachment(bytes, content_type, name) };
    let headers = out.headers_mut();
    if let Ok(v) = header::HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    if let Some(m) = modified {
        if let Ok(v) = header::HeaderValue::from_str(&header::HttpDate::from(m).to_string()) {
            headers.insert(header::LAST_MODIFIED, v);
        }
    }
    headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    out
}

/// `GET /rosters/template.xlsx` — the blank 附件1 roster: the columns in order with a note on
/// each, ID and code columns as text, drop-downs for 医保支付资格类别 and 操作.
pub async fn roster_template(caller: Caller) -> Result<HttpResponse> {
    caller.permit(Action::UploadRoster)?;
    let bytes = crate::service::rosters::template()?;
    Ok(attachment(bytes, crate::sheets::export::XLSX_CONTENT_TYPE, "附件1-医保支付资格相关人员信息表.xlsx"))
}
