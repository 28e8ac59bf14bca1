//! `/roster`: upload the staff roster (CSV in any encoding jifen reads; .xlsx/.xls once the
//! sheets layer reads them — the use-case takes any `Read`), delta or snapshot; the preview
//! lists added, changed, deregistered (by name), unchanged and rejected rows, each rejected
//! cell highlighted with its reason in Chinese; then **全部提交** or **只提交正确的行**
//! (`partial`); a snapshot that deregisters many people asks for confirmation first; the
//! rejected rows download as CSV. All through `app.upload_roster`, as the API.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use futures_util::StreamExt;
use serde::Deserialize;

use super::errors::PageError;
use super::labels::date;
use super::layout::Layout;
use super::render::{is_htmx, ok, page};
use super::session::Viewer;
use super::uploads;
use crate::error::{Error, Kind};
use crate::service::rosters::{RosterMode, RosterReport, UploadOptions};
use crate::service::tokens::Role;

const MAX_FILE: usize = 64 * 1024 * 1024;

#[derive(Deserialize, Default)]
pub struct RosterQuery {
    institution: Option<String>,
}

pub struct RefLine {
    pub row: String,
    pub code: String,
    pub name: String,
    pub note: String,
}

pub struct RejectedLine {
    pub row: String,
    /// (cell, whether it is the rejected one)
    pub cells: Vec<(String, bool)>,
    pub reasons: String,
}

/// The preview (or the result of a commit): what htmx swaps in under the form.
#[derive(Template)]
#[template(path = "roster_preview.html")]
pub struct Preview {
    pub upload_id: String,
    pub csrf: String,
    pub file_name: String,
    pub mode_zh: &'static str,
    pub encoding: String,
    pub rows: usize,
    pub committed: bool,
    /// Why a commit was refused (`commit_refused`, `confirmation_required`, …).
    pub refusal: Option<String>,
    pub added: Vec<RefLine>,
    pub changed: Vec<RefLine>,
    pub deregistered: Vec<RefLine>,
    pub unchanged: usize,
    pub rejected_count: usize,
    pub header: Vec<String>,
    pub rejected: Vec<RejectedLine>,
    pub unknown_columns: String,
    pub confirmation: Option<usize>,
    pub leaving_names: String,
    pub writes: usize,
}

/// A refused upload, for htmx (the form stays as it is).
#[derive(Template)]
#[template(path = "roster_error.html")]
struct RosterError<'a> {
    message: &'a str,
}

#[derive(Template)]
#[template(path = "roster.html")]
struct RosterPage {
    layout: Layout,
    institution: String,
    fixed_institution: bool,
    error: Option<String>,
    preview: Option<Preview>,
}

fn mode_zh(m: RosterMode) -> &'static str {
    match m {
        RosterMode::Delta => "增量（按行新增、变更、注销）",
        RosterMode::Snapshot => "全量（文件外的在册人员将注销）",
    }
}

fn preview_of(report: &RosterReport, upload_id: &str, csrf: &str, file_name: &str, refusal: Option<String>) -> Preview {
    let row = |r: Option<u64>| r.map(|n| n.to_string()).unwrap_or_else(|| "（文件中没有）".into());
    let mut header = Vec::new();
    let mut rejected = Vec::new();
    if let Some(csv_text) = &report.rejected_csv {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(csv_text.as_bytes());
        let mut records = rdr.records().filter_map(|r| r.ok());
        if let Some(h) = records.next() {
            // The file's columns, then 原行号 and 错误原因 (sheet_import::finish_rejections).
            header = h.iter().map(str::to_string).collect();
            let n = header.len().saturating_sub(2);
            for rec in records {
                let cells: Vec<&str> = rec.iter().collect();
                let row_no = cells.get(n).copied().unwrap_or("").to_string();
                let bad: Vec<&str> = report
                    .rejected
                    .iter()
                    .filter(|r| r.row.to_string() == row_no)
                    .filter_map(|r| r.column.as_deref())
                    .collect();
                rejected.push(RejectedLine {
                    cells: (0..n)
                        .map(|k| {
                            let name = header.get(k).map(|s| s.trim()).unwrap_or("");
                            (cells.get(k).copied().unwrap_or("").to_string(), bad.contains(&name))
                        })
                        .collect(),
                    reasons: cells.get(n + 1).copied().unwrap_or("").to_string(),
                    row: row_no,
                });
            }
            header.truncate(n);
        }
    }
    let leaving: Vec<&str> = report.deregistered.iter().filter(|r| r.row.is_none()).map(|r| r.name.as_str()).collect();
    Preview {
        upload_id: upload_id.to_string(),
        csrf: csrf.to_string(),
        file_name: file_name.to_string(),
        mode_zh: mode_zh(report.mode),
        encoding: report.encoding.to_string(),
        rows: report.rows,
        committed: report.committed,
        refusal,
        added: report
            .added
            .iter()
            .map(|r| RefLine {
                row: row(r.row),
                code: r.personnel_code.clone(),
                name: r.name.clone(),
                note: match (r.banned_until, r.resumed_on) {
                    (Some(b), _) => format!("禁止签约期内登记：服务协议自 {} 起生效（五(二)）", date(Some(b))),
                    (_, Some(on)) => format!("重新登记，自 {} 起", date(Some(on))),
                    _ => String::new(),
                },
            })
            .collect(),
        changed: report
            .changed
            .iter()
            .map(|r| RefLine {
                row: row(r.row),
                code: r.personnel_code.clone(),
                name: r.name.clone(),
                note: r.fields.join("、"),
            })
            .collect(),
        deregistered: report
            .deregistered
            .iter()
            .map(|r| RefLine {
                row: row(r.row),
                code: r.personnel_code.clone(),
                name: r.name.clone(),
                note: String::new(),
            })
            .collect(),
        unchanged: report.counts.unchanged,
        rejected_count: report.counts.rejected,
        header,
        rejected,
        unknown_columns: report.unknown_columns.join("、"),
        confirmation: report.confirmation_required,
        leaving_names: leaving.join("、"),
        writes: report.counts.added + report.counts.changed + report.counts.deregistered,
    }
}

fn institution_of(viewer: &Viewer, asked: Option<&str>) -> Option<String> {
    match viewer.session.role {
        Role::Hr => viewer.session.institution_code.clone(),
        _ => asked.map(|s| s.trim().to_ascii_uppercase()).filter(|s| !s.is_empty()),
    }
}

fn full(
    viewer: &Viewer,
    institution: String,
    error: Option<String>,
    preview: Option<Preview>,
    status: StatusCode,
) -> HttpResponse {
    page(
        status,
        &RosterPage {
            layout: viewer.layout("花名册上传"),
            fixed_institution: viewer.session.role == Role::Hr,
            institution,
            error,
            preview,
        },
    )
}

/// `GET /roster`.
pub async fn show(viewer: Viewer, q: web::Query<RosterQuery>) -> Result<HttpResponse, PageError> {
    // A role that may not even preview a roster is told so before it picks a file.
    viewer.caller().permit(crate::service::Action::UploadRoster).map_err(|e| viewer.fail(e))?;
    let institution = institution_of(&viewer, q.institution.as_deref()).unwrap_or_default();
    Ok(full(&viewer, institution, None, None, StatusCode::OK))
}

struct UploadForm {
    csrf_token: String,
    institution: String,
    mode: String,
    file_name: String,
    file: Vec<u8>,
}

async fn read_form(mut payload: Multipart) -> Result<UploadForm, String> {
    let mut form = UploadForm {
        csrf_token: String::new(),
        institution: String::new(),
        mode: String::new(),
        file_name: String::new(),
        file: Vec::new(),
    };
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|e| format!("上传内容无法读取：{e}"))?;
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            form.file_name = field.content_disposition().and_then(|d| d.get_filename()).unwrap_or("").to_string();
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| format!("上传内容无法读取：{e}"))?;
            if bytes.len() + chunk.len() > MAX_FILE {
                return Err("文件超过64MB，请分批上传。".into());
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = || String::from_utf8_lossy(&bytes).trim().to_string();
        match name.as_str() {
            "file" => form.file = bytes,
            "csrf_token" => form.csrf_token = text(),
            "institution" => form.institution = text(),
            "mode" => form.mode = text(),
            _ => {}
        }
    }
    Ok(form)
}

/// A refused upload (the file, the mode, the commit) as a message on the page; other errors
/// are error pages.
fn message_of(viewer: &Viewer, e: Error) -> Result<(String, Option<RosterReport>), PageError> {
    match e {
        Error::Client(c)
            if matches!(c.kind, Kind::Unprocessable | Kind::BadRequest | Kind::Conflict | Kind::PayloadTooLarge) =>
        {
            Ok((c.message_zh.clone(), None))
        }
        e => Err(viewer.fail(e)),
    }
}

/// `POST /roster/preview` (multipart: the file, the mode): nothing is written.
pub async fn preview(viewer: Viewer, req: HttpRequest, payload: Multipart) -> Result<HttpResponse, PageError> {
    let form = match read_form(payload).await {
        Ok(f) => f,
        Err(message) => {
            return Ok(full(&viewer, String::new(), Some(message), None, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    viewer.check_csrf(&form.csrf_token)?;
    let institution = institution_of(&viewer, Some(&form.institution)).unwrap_or_default();
    let htmx = is_htmx(&req);
    let refuse = |message: &str| {
        if htmx {
            page(StatusCode::UNPROCESSABLE_ENTITY, &RosterError { message })
        } else {
            full(&viewer, institution.clone(), Some(message.to_string()), None, StatusCode::UNPROCESSABLE_ENTITY)
        }
    };
    if institution.is_empty() {
        return Ok(refuse("请填写定点医药机构编码。"));
    }
    if form.file.is_empty() {
        return Ok(refuse("请选择要上传的花名册文件。"));
    }
    let mode = match RosterMode::parse(Some(if form.mode.is_empty() { "delta" } else { &form.mode })) {
        Ok(m) => m,
        Err(e) => return Ok(refuse(&message_of(&viewer, e)?.0)),
    };
    let id = uploads::put(viewer.session.account_id, &institution, mode, &form.file_name, form.file.clone());
    let inst = institution.clone();
    let bytes = form.file;
    let opts = UploadOptions { mode, commit: false, partial: false, confirm_deregister: None };
    let result = viewer
        .call(move |app, caller| app.upload_roster(caller, &inst, std::io::Cursor::new(bytes), opts, &mut |_| {}))
        .await;
    let report = match result {
        Ok(r) => r,
        Err(e) => return Ok(refuse(&message_of(&viewer, e)?.0)),
    };
    uploads::set_rejected(&id, report.rejected_csv.clone());
    let p = preview_of(&report, &id, &viewer.session.csrf_token, &form.file_name, None);
    if htmx {
        return Ok(ok(&p));
    }
    Ok(full(&viewer, institution, None, Some(p), StatusCode::OK))
}

#[derive(Deserialize)]
pub struct CommitForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    upload_id: String,
    #[serde(default)]
    partial: String,
    confirm_deregister: Option<String>,
}

/// `POST /roster/commit`: writes the previewed file (all rows, or the good ones).
pub async fn commit(viewer: Viewer, req: HttpRequest, form: web::Form<CommitForm>) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let Some(stashed) = uploads::get(&form.upload_id, viewer.session.account_id) else {
        return Ok(full(
            &viewer,
            institution_of(&viewer, None).unwrap_or_default(),
            Some("上传的文件已过期（30分钟），请重新选择文件预览。".into()),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let opts = UploadOptions {
        mode: stashed.mode,
        commit: true,
        partial: form.partial == "true",
        confirm_deregister: form.confirm_deregister.as_deref().and_then(|s| s.trim().parse().ok()),
    };
    let (inst, bytes) = (stashed.institution.clone(), stashed.bytes.clone());
    let result = viewer
        .call(move |app, caller| {
            app.upload_roster(caller, &inst, std::io::Cursor::new(bytes.as_ref().clone()), opts, &mut |_| {})
        })
        .await;
    let (report, refusal) = match result {
        Ok(r) => (r, None),
        Err(Error::Client(c)) if matches!(c.code, "commit_refused" | "confirmation_required") => {
            // The report comes with the refusal; show the same preview again with the reason.
            let again = UploadOptions { commit: false, partial: false, confirm_deregister: None, ..opts };
            let (inst, bytes) = (stashed.institution.clone(), stashed.bytes.clone());
            let report = viewer
                .call(move |app, caller| {
                    app.upload_roster(caller, &inst, std::io::Cursor::new(bytes.as_ref().clone()), again, &mut |_| {})
                })
                .await
                .map_err(|e| viewer.fail(e))?;
            (report, Some(c.message_zh.clone()))
        }
        Err(e) => {
            let (message, _) = message_of(&viewer, e)?;
            return Ok(full(
                &viewer,
                stashed.institution.clone(),
                Some(message),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    uploads::set_rejected(&form.upload_id, report.rejected_csv.clone());
    let status = if refusal.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let p = preview_of(&report, &form.upload_id, &viewer.session.csrf_token, &stashed.file_name, refusal);
    if is_htmx(&req) {
        return Ok(page(status, &p));
    }
    Ok(full(&viewer, stashed.institution.clone(), None, Some(p), status))
}

/// `GET /roster/{upload_id}/rejected.csv`: the rejected rows with 原行号 and 错误原因, to fix in
/// Excel and upload again (UTF-8 with BOM so Excel reads the Chinese).
pub async fn rejected(viewer: Viewer, path: web::Path<String>) -> Result<HttpResponse, PageError> {
    let Some(csv_text) = uploads::get(&path.into_inner(), viewer.session.account_id).and_then(|s| s.rejected_csv)
    else {
        return Err(PageError::not_found(viewer.layout("未找到")));
    };
    let mut body = vec![0xEF, 0xBB, 0xBF];
    body.extend_from_slice(csv_text.as_bytes());
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"rejected-rows.csv\""))
        .insert_header(("Cache-Control", "no-store"))
        .body(body))
}
