//! `/inspections/upload` (officer, admin): the batch violations file (.xlsx, .xls, CSV in any
//! encoding jifen reads), one row per violation grouped into inspections by 检查编号, as
//! `POST /inspections/batch` takes it. A preview first — the inspections it would record, each
//! rejected row with its cells highlighted and its reasons in Chinese, the items read from their
//! words to check — then **全部提交** or **只提交正确的行**, and the rejected rows to download as
//! .xlsx. Which institutions an officer may name is decided by the service (`upload_violations`:
//! a county officer's rows for another county come back rejected).

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::error::{Error, Kind};
use crate::service::batches::{BatchOptions, BatchReport};
use crate::service::rosters::RosterMode;
use crate::service::Action;
use crate::web::agency::{rejected_table, RejectedLine};
use crate::web::errors::PageError;
use crate::web::layout::Layout;
use crate::web::render::{is_htmx, ok, page};
use crate::web::session::Viewer;
use crate::web::uploads;

/// What the upload stash records as the "institution" of a violations file, so that neither the
/// roster nor the training-test pages ever take it for theirs (nor this page theirs).
const STASH_KIND: &str = "检查结果批量上传";

/// One inspection of the file: its 检查编号, the rows and the people.
pub struct InspectionLine {
    pub reference: String,
    pub rows: String,
    pub people: Vec<String>,
}

pub struct WarningLine {
    pub row: u64,
    pub message: String,
}

/// The preview of a file (or the result of its commit): what htmx swaps in under the form.
#[derive(Template)]
#[template(path = "officer_upload_preview.html")]
pub struct Preview {
    pub upload_id: String,
    pub csrf: String,
    pub file_name: String,
    pub encoding: String,
    pub rows: usize,
    pub committed: bool,
    /// Why a commit wrote nothing.
    pub refusal: Option<String>,
    pub inspections: Vec<InspectionLine>,
    pub accepted: usize,
    pub unchanged: usize,
    pub rejected_count: usize,
    pub header: Vec<String>,
    pub rejected: Vec<RejectedLine>,
    pub warnings: Vec<WarningLine>,
    pub unknown_columns: String,
}

/// A refused upload, for htmx (the form stays as it is).
#[derive(Template)]
#[template(path = "officer_upload_error.html")]
struct UploadError<'a> {
    message: &'a str,
}

#[derive(Template)]
#[template(path = "officer_upload.html")]
struct UploadPage {
    layout: Layout,
    /// The officer's county, or empty for the city.
    county: String,
    error: Option<String>,
    preview: Option<Preview>,
}

fn preview_of(report: &BatchReport, upload_id: &str, csrf: &str, file_name: &str) -> Preview {
    let (header, rejected) = rejected_table(report.rejected_csv.as_deref(), &report.rejected);
    let refusal = (report.commit && !report.committed).then(|| {
        if report.counts.rejected > 0 {
            "文件中有错误的行，“全部提交”没有写入任何数据。请改正后重新上传，或选择“只提交正确的行”。".to_string()
        } else {
            "没有可写入的检查（都已记录过）。".to_string()
        }
    });
    let mut inspections: Vec<InspectionLine> = Vec::new();
    for a in &report.accepted {
        let reference = a.inspection_ref.clone().unwrap_or_default();
        match inspections.iter_mut().find(|i| i.reference == reference) {
            Some(i) => {
                i.rows.push_str(&format!("、{}", a.row));
                if !i.people.contains(&a.personnel_code) {
                    i.people.push(a.personnel_code.clone());
                }
            }
            None => inspections.push(InspectionLine {
                reference,
                rows: a.row.to_string(),
                people: vec![a.personnel_code.clone()],
            }),
        }
    }
    Preview {
        upload_id: upload_id.to_string(),
        csrf: csrf.to_string(),
        file_name: file_name.to_string(),
        encoding: report.encoding.to_string(),
        rows: report.rows,
        committed: report.committed,
        refusal,
        inspections,
        accepted: report.counts.accepted,
        unchanged: report.counts.unchanged,
        rejected_count: report.counts.rejected,
        header,
        rejected,
        warnings: report.warnings.iter().map(|w| WarningLine { row: w.row, message: w.reason_zh.clone() }).collect(),
        unknown_columns: report.unknown_columns.join("、"),
    }
}

fn full(viewer: &Viewer, error: Option<String>, preview: Option<Preview>, status: StatusCode) -> HttpResponse {
    page(
        status,
        &UploadPage {
            layout: viewer.layout("检查结果批量上传"),
            county: viewer.caller().region().map(str::to_string).unwrap_or_default(),
            error,
            preview,
        },
    )
}

/// `GET /inspections/upload`.
pub async fn show(viewer: Viewer) -> Result<HttpResponse, PageError> {
    // A role that may not record inspections is told so before it picks a file.
    viewer.caller().permit(Action::RecordInspection).map_err(|e| viewer.fail(e))?;
    Ok(full(&viewer, None, None, StatusCode::OK))
}

/// A file refused as a whole (no header row, required columns missing, unreadable): a message
/// on the page; anything else is an error page.
fn upload_refusal(viewer: &Viewer, e: Error) -> Result<String, PageError> {
    match e {
        Error::Client(c)
            if matches!(c.kind, Kind::Unprocessable | Kind::BadRequest | Kind::Conflict | Kind::PayloadTooLarge) =>
        {
            Ok(c.message_zh.clone())
        }
        e => Err(viewer.fail(e)),
    }
}

fn refuse(viewer: &Viewer, htmx: bool, message: String) -> HttpResponse {
    if htmx {
        page(StatusCode::UNPROCESSABLE_ENTITY, &UploadError { message: &message })
    } else {
        full(viewer, Some(message), None, StatusCode::UNPROCESSABLE_ENTITY)
    }
}

/// `POST /inspections/upload/preview` (multipart: the file): nothing is written.
pub async fn preview(viewer: Viewer, req: HttpRequest, payload: Multipart) -> Result<HttpResponse, PageError> {
    let htmx = is_htmx(&req);
    let form = match uploads::read_upload_form(payload).await {
        Ok(f) => f,
        Err(m) => return Ok(full(&viewer, Some(m), None, StatusCode::UNPROCESSABLE_ENTITY)),
    };
    viewer.check_csrf(&form.csrf_token)?;
    viewer.caller().permit(Action::RecordInspection).map_err(|e| viewer.fail(e))?;
    if form.file.is_empty() {
        return Ok(refuse(&viewer, htmx, "请选择要上传的检查结果文件。".into()));
    }
    let id = uploads::put(viewer.session.account_id, STASH_KIND, RosterMode::Delta, &form.file_name, form.file.clone());
    let bytes = form.file;
    let opts = BatchOptions { commit: false, partial: false };
    let result = viewer
        .call(move |app, caller| app.upload_violations(caller, std::io::Cursor::new(bytes), opts, &mut |_| {}))
        .await;
    let report = match result {
        Ok(r) => r,
        Err(e) => return Ok(refuse(&viewer, htmx, upload_refusal(&viewer, e)?)),
    };
    uploads::set_rejected(&id, report.rejected_csv.clone());
    let p = preview_of(&report, &id, &viewer.session.csrf_token, &form.file_name);
    if htmx {
        return Ok(ok(&p));
    }
    Ok(full(&viewer, None, Some(p), StatusCode::OK))
}

#[derive(Deserialize)]
pub struct CommitForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    upload_id: String,
    #[serde(default)]
    partial: String,
}

/// `POST /inspections/upload/commit`: records the previewed file (all rows, or the good ones).
/// Each inspection is recorded under `batch:<检查编号>`: posting again records nothing twice.
pub async fn commit(viewer: Viewer, req: HttpRequest, form: web::Form<CommitForm>) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let htmx = is_htmx(&req);
    let Some(stashed) =
        uploads::get(&form.upload_id, viewer.session.account_id).filter(|s| s.institution == STASH_KIND)
    else {
        return Ok(refuse(&viewer, htmx, "上传的文件已过期（30分钟），请重新选择文件预览。".into()));
    };
    let opts = BatchOptions { commit: true, partial: form.partial == "true" };
    let bytes = stashed.bytes.clone();
    let result = viewer
        .call(move |app, caller| {
            app.upload_violations(caller, std::io::Cursor::new(bytes.as_ref().clone()), opts, &mut |_| {})
        })
        .await;
    let report = match result {
        Ok(r) => r,
        Err(e) => return Ok(refuse(&viewer, htmx, upload_refusal(&viewer, e)?)),
    };
    uploads::set_rejected(&form.upload_id, report.rejected_csv.clone());
    let status = if report.committed { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let p = preview_of(&report, &form.upload_id, &viewer.session.csrf_token, &stashed.file_name);
    if htmx {
        return Ok(page(status, &p));
    }
    Ok(full(&viewer, None, Some(p), status))
}

/// `GET /inspections/upload/{upload_id}/rejected.xlsx`: the rejected rows with 原行号 and
/// 错误原因 as a workbook, to fix in Excel and upload again.
pub async fn rejected(viewer: Viewer, path: web::Path<String>) -> Result<HttpResponse, PageError> {
    let Some(csv_text) = uploads::get(&path.into_inner(), viewer.session.account_id)
        .filter(|s| s.institution == STASH_KIND)
        .and_then(|s| s.rejected_csv)
    else {
        return Err(PageError::not_found(viewer.layout("未找到")));
    };
    let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(csv_text.as_bytes());
    let mut records = rdr.records().filter_map(|r| r.ok()).map(|r| r.iter().map(str::to_string).collect::<Vec<_>>());
    let header = records.next().unwrap_or_default();
    let rows: Vec<Vec<String>> = records.collect();
    let head: Vec<&str> = header.iter().map(String::as_str).collect();
    let bytes = crate::sheets::export::to_xlsx("有误的行", &head, &rows)
        .map_err(|e| viewer.fail(Error::Internal(anyhow::anyhow!("xlsx: {e}"))))?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header(("Content-Disposition", "attachment; filename=\"rejected-violations.xlsx\""))
        .insert_header(("Cache-Control", "no-store"))
        .body(bytes))
}
