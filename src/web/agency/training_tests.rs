//! `/training-tests` (agency, admin): 三(三), the annual training test. Upload the year's
//! results (.xlsx, .xls, CSV in any encoding jifen reads) with a preview — each rejected cell
//! highlighted with its reason — then **全部提交** or **只提交正确的行**, and download the
//! rejected rows; the year's pass mark and the form to set it; the year's tests with pass rates
//! by age group and by format; revoke a test recorded wrongly, with a reason. All through the
//! use-cases the API calls (`upload_tests`, `pass_mark`, `set_pass_mark`, `revoke_test`) and one
//! read-only use-case for the list (`training_test_year`).

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{message, refusal, rejected_table, RejectedLine};
use crate::domain::dates::today_china;
use crate::error::Error;
use crate::rules::TestFormat;
use crate::service::agency_pages::{this_year, PassRate, TestFilter, TestYear};
use crate::service::batches::{BatchOptions, BatchReport};
use crate::service::jobs::JobOutput;
use crate::service::progress::{Phase, Progress};
use crate::service::rosters::RosterMode;
use crate::service::training_tests::{PassMarkView, RevokeTest, SetPassMark};
use crate::service::Action;
use crate::web::errors::PageError;
use crate::web::labels::date;
use crate::web::layout::Layout;
use crate::web::render::{is_htmx, ok, page, see_other};
use crate::web::session::Viewer;
use crate::web::uploads::UploadProgress;
use crate::web::{paths, uploads};

/// What the upload stash records as the "institution" of a training-test file, so that a
/// roster commit never takes it for a roster (and this page never takes a roster).
const STASH_KIND: &str = "三(三)培训测试";

#[derive(Deserialize, Default)]
pub struct TestsQuery {
    year: Option<i32>,
    q: Option<String>,
    /// `passed`, `failed` or empty.
    result: Option<String>,
    page: Option<i64>,
    /// A test to revoke: fills in the revoke form.
    revoke: Option<i64>,
    msg: Option<String>,
}

pub struct AcceptedLine {
    pub row: u64,
    pub code: String,
}

/// The preview of an upload (or the result of its commit): what htmx swaps in under the form.
#[derive(Template)]
#[template(path = "agency_tests_preview.html")]
pub struct Preview {
    pub upload_id: String,
    pub csrf: String,
    pub file_name: String,
    pub encoding: String,
    pub rows: usize,
    pub committed: bool,
    /// Why a commit wrote nothing.
    pub refusal: Option<String>,
    pub accepted: Vec<AcceptedLine>,
    pub unchanged: usize,
    pub rejected_count: usize,
    pub header: Vec<String>,
    pub rejected: Vec<RejectedLine>,
    pub unknown_columns: String,
    /// "2025年度 60分" for each year in the file.
    pub pass_marks: String,
}

/// A refused upload, for htmx (the form stays as it is).
#[derive(Template)]
#[template(path = "agency_tests_error.html")]
struct UploadError<'a> {
    message: &'a str,
}

pub struct RateRow {
    pub group: &'static str,
    pub tested: u32,
    pub passed: u32,
    pub failed: u32,
    pub percent: String,
}

impl RateRow {
    fn of(r: &PassRate) -> RateRow {
        RateRow {
            group: r.group,
            tested: r.tested,
            passed: r.passed,
            failed: r.tested - r.passed,
            percent: r.percent(),
        }
    }
}

pub struct Line {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub tested_on: String,
    pub format_zh: &'static str,
    /// 考试方式 (线上/线下/笔试/机考), empty when the file gave none.
    pub delivery_zh: &'static str,
    pub score: String,
    pub passed: bool,
    pub revoked: String,
}

pub struct PageLink {
    pub n: i64,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "agency_training_tests.html")]
struct TestsPage {
    layout: Layout,
    year: i32,
    years: Vec<i32>,
    pass_mark: u32,
    pass_mark_set: bool,
    pass_mark_article: &'static str,
    all: RateRow,
    /// By age group, then by format.
    rate_tables: Vec<(&'static str, Vec<RateRow>)>,
    lines: Vec<Line>,
    matching: i64,
    pages: Vec<PageLink>,
    q: String,
    result: String,
    revoke_id: String,
    today: String,
    error: Option<String>,
    preview: Option<Preview>,
}

fn format_zh(f: TestFormat) -> &'static str {
    match f {
        TestFormat::Closed => "闭卷",
        TestFormat::Open => "开卷",
    }
}

fn preview_of(report: &BatchReport, upload_id: &str, csrf: &str, file_name: &str) -> Preview {
    let (header, rejected) = rejected_table(report.rejected_csv.as_deref(), &report.rejected);
    let refusal = (report.commit && !report.committed).then(|| {
        if report.counts.rejected > 0 {
            "文件中有错误的行，“全部提交”没有写入任何数据。请改正后重新上传，或选择“只提交正确的行”。".to_string()
        } else {
            "没有可写入的测试结果（都已记录过）。".to_string()
        }
    });
    Preview {
        upload_id: upload_id.to_string(),
        csrf: csrf.to_string(),
        file_name: file_name.to_string(),
        encoding: report.encoding.to_string(),
        rows: report.rows,
        committed: report.committed,
        refusal,
        accepted: report.accepted.iter().map(|a| AcceptedLine { row: a.row, code: a.personnel_code.clone() }).collect(),
        unchanged: report.counts.unchanged,
        rejected_count: report.counts.rejected,
        header,
        rejected,
        unknown_columns: report.unknown_columns.join("、"),
        pass_marks: report.pass_marks.iter().map(|(y, m)| format!("{y}年度 {m}分")).collect::<Vec<_>>().join("；"),
    }
}

fn href(year: i32, q: &str, result: &str, page: i64) -> String {
    format!(
        "{}?year={year}&q={}&result={}&page={page}#tests",
        paths::TRAINING_TESTS,
        crate::web::errors::urlencode(q),
        crate::web::errors::urlencode(result)
    )
}

async fn render(
    viewer: &Viewer,
    q: &TestsQuery,
    error: Option<String>,
    preview: Option<Preview>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let year = q.year.filter(|y| (2000..=2100).contains(y)).unwrap_or_else(this_year);
    let result = q.result.clone().unwrap_or_default();
    let filter = TestFilter {
        q: q.q.clone(),
        passed: match result.as_str() {
            "passed" => Some(true),
            "failed" => Some(false),
            _ => None,
        },
        page: q.page.unwrap_or(1),
    };
    let (data, mark): (TestYear, PassMarkView) = viewer
        .call(move |app, caller| Ok((app.training_test_year(caller, year, &filter)?, app.pass_mark(caller, year)?)))
        .await
        .map_err(|e| viewer.fail(e))?;
    let text = q.q.clone().unwrap_or_default();
    let first = (data.page - 3).max(1);
    let last = (first + 6).min(data.pages);
    let pages = if data.pages > 1 {
        (first..=last).map(|n| PageLink { n, href: href(year, &text, &result, n), current: n == data.page }).collect()
    } else {
        Vec::new()
    };
    Ok(page(
        status,
        &TestsPage {
            layout: viewer.layout("培训测试").flash(message(q.msg.as_deref())),
            year,
            years: data.years.clone(),
            pass_mark: mark.mark,
            pass_mark_set: mark.set_by_agency,
            pass_mark_article: mark.article,
            all: RateRow::of(&data.all),
            rate_tables: vec![
                ("按年龄分组", data.by_age.iter().map(RateRow::of).collect()),
                ("按测试形式", data.by_format.iter().map(RateRow::of).collect()),
            ],
            lines: data
                .lines
                .iter()
                .map(|l| Line {
                    id: l.id,
                    code: l.personnel_code.clone(),
                    name: l.name.clone(),
                    tested_on: date(Some(l.tested_on)),
                    format_zh: format_zh(l.format),
                    delivery_zh: l.delivery.map_or("", |d| d.zh()),
                    score: l.score.map(|s| s.to_string()).unwrap_or_default(),
                    passed: l.passed,
                    revoked: match (&l.revoked_on, &l.revoke_reason) {
                        (Some(on), Some(why)) => format!("{} 已撤销：{why}", date(Some(*on))),
                        (Some(on), None) => format!("{} 已撤销", date(Some(*on))),
                        _ => String::new(),
                    },
                })
                .collect(),
            matching: data.matching,
            pages,
            q: text,
            result,
            revoke_id: q.revoke.map(|id| id.to_string()).unwrap_or_default(),
            today: date(Some(today_china())),
            error,
            preview,
        },
    ))
}

/// `GET /training-tests`.
pub async fn show(viewer: Viewer, q: web::Query<TestsQuery>) -> Result<HttpResponse, PageError> {
    // A role that may not record tests is told so before anything is read.
    viewer.caller().permit(Action::RecordTest).map_err(|e| viewer.fail(e))?;
    render(&viewer, &q, None, None, StatusCode::OK).await
}

/// An upload refused as a whole (no header row, an unreadable file): a message, not a page.
fn upload_refusal(viewer: &Viewer, e: Error) -> Result<String, PageError> {
    match refusal(&e) {
        Some(m) => Ok(m),
        None => match &e {
            Error::Client(c) if c.kind == crate::error::Kind::PayloadTooLarge => Ok(c.message_zh.clone()),
            _ => Err(viewer.fail(e)),
        },
    }
}

/// `POST /training-tests/preview` (multipart: the file): nothing is written.
pub async fn preview(viewer: Viewer, req: HttpRequest, payload: Multipart) -> Result<HttpResponse, PageError> {
    let htmx = is_htmx(&req);
    let form = match uploads::read_upload_form(payload).await {
        Ok(f) => f,
        Err(m) => {
            return render(&viewer, &TestsQuery::default(), Some(m), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    };
    viewer.check_csrf(&form.csrf_token)?;
    viewer.caller().permit(Action::RecordTest).map_err(|e| viewer.fail(e))?;
    if form.file.is_empty() {
        let m = "请选择要上传的测试结果文件。";
        if htmx {
            return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &UploadError { message: m }));
        }
        return render(&viewer, &TestsQuery::default(), Some(m.into()), None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let id = uploads::put(viewer.session.account_id, STASH_KIND, RosterMode::Delta, &form.file_name, form.file.clone());
    let bytes = form.file;
    let opts = BatchOptions { commit: false, partial: false };
    if htmx {
        // With JavaScript: a job, and a progress bar until its preview replaces it.
        return start_job(&viewer, id, opts, bytes).await;
    }
    let result =
        viewer.call(move |app, caller| app.upload_tests(caller, std::io::Cursor::new(bytes), opts, &mut |_| {})).await;
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            let m = upload_refusal(&viewer, e)?;
            if htmx {
                return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &UploadError { message: &m }));
            }
            return render(&viewer, &TestsQuery::default(), Some(m), None, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    uploads::set_rejected(&id, report.rejected_csv.clone());
    let p = preview_of(&report, &id, &viewer.session.csrf_token, &form.file_name);
    if htmx {
        return Ok(ok(&p));
    }
    render(&viewer, &TestsQuery::default(), None, Some(p), StatusCode::OK).await
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

/// `POST /training-tests/commit`: records the previewed file (all rows, or the good ones).
pub async fn commit(viewer: Viewer, req: HttpRequest, form: web::Form<CommitForm>) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let Some(stashed) =
        uploads::get(&form.upload_id, viewer.session.account_id).filter(|s| s.institution == STASH_KIND)
    else {
        let m = "上传的文件已过期（30分钟），请重新选择文件预览。".to_string();
        return render(&viewer, &TestsQuery::default(), Some(m), None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let opts = BatchOptions { commit: true, partial: form.partial == "true" };
    let bytes = stashed.bytes.clone();
    if is_htmx(&req) {
        return start_job(&viewer, form.upload_id.clone(), opts, bytes.as_ref().clone()).await;
    }
    let result = viewer
        .call(move |app, caller| {
            app.upload_tests(caller, std::io::Cursor::new(bytes.as_ref().clone()), opts, &mut |_| {})
        })
        .await;
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            let m = upload_refusal(&viewer, e)?;
            return render(&viewer, &TestsQuery::default(), Some(m), None, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    uploads::set_rejected(&form.upload_id, report.rejected_csv.clone());
    let status = if report.committed { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let p = preview_of(&report, &form.upload_id, &viewer.session.csrf_token, &stashed.file_name);
    if is_htmx(&req) {
        return Ok(page(status, &p));
    }
    render(&viewer, &TestsQuery::default(), None, Some(p), status).await
}

/// Starts the preview or commit of a stashed file as the viewer's job: the progress bar.
async fn start_job(
    viewer: &Viewer,
    upload_id: String,
    opts: BatchOptions,
    bytes: Vec<u8>,
) -> Result<HttpResponse, PageError> {
    let started = viewer
        .call(move |app, caller| {
            app.start_job(caller, "training_tests", move |app, caller, progress| {
                app.upload_tests(caller, std::io::Cursor::new(bytes), opts, progress)
                    .map(|r| JobOutput::Batch(Box::new(r)))
            })
        })
        .await;
    match started {
        Ok(job) => {
            let queued = Progress { phase: Phase::Queued, rows_done: 0, rows_total: None };
            Ok(ok(&UploadProgress::of(job_url(&job, &upload_id), &queued)))
        }
        Err(e) => {
            let m = upload_refusal(viewer, e)?;
            Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &UploadError { message: &m }))
        }
    }
}

fn job_url(job: &str, upload_id: &str) -> String {
    format!("/training-tests/jobs/{job}?upload={upload_id}")
}

#[derive(Deserialize)]
pub struct JobQuery {
    #[serde(default)]
    upload: String,
}

/// `GET /training-tests/jobs/{job_id}?upload=` (htmx): the progress bar while the viewer's job
/// runs; then its preview (or the result of its commit), as the synchronous form answers.
pub async fn job(viewer: Viewer, path: web::Path<String>, q: web::Query<JobQuery>) -> Result<HttpResponse, PageError> {
    let job_id = path.into_inner();
    let id = job_id.clone();
    let snapshot = viewer.call(move |app, caller| app.job(caller, &id)).await.map_err(|e| viewer.fail(e))?;
    let outcome = match snapshot.outcome {
        None => return Ok(ok(&UploadProgress::of(job_url(&job_id, &q.upload), &snapshot.progress))),
        Some(outcome) => outcome,
    };
    match outcome {
        Ok(JobOutput::Batch(report)) => {
            let stashed = uploads::get(&q.upload, viewer.session.account_id).filter(|s| s.institution == STASH_KIND);
            let file_name = stashed.as_ref().map(|s| s.file_name.clone()).unwrap_or_default();
            if stashed.is_some() {
                uploads::set_rejected(&q.upload, report.rejected_csv.clone());
            }
            let status =
                if report.commit && !report.committed { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
            Ok(page(status, &preview_of(&report, &q.upload, &viewer.session.csrf_token, &file_name)))
        }
        Ok(JobOutput::Json(_)) => Err(PageError::not_found(viewer.layout("未找到"))),
        Err(e) => {
            let m = upload_refusal(&viewer, e)?;
            Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &UploadError { message: &m }))
        }
    }
}

/// `GET /training-tests/{upload_id}/rejected.csv`: the rejected rows with 原行号 and 错误原因,
/// to fix in Excel and upload again (UTF-8 with BOM so Excel reads the Chinese).
pub async fn rejected(viewer: Viewer, path: web::Path<String>) -> Result<HttpResponse, PageError> {
    let Some(csv_text) = uploads::get(&path.into_inner(), viewer.session.account_id)
        .filter(|s| s.institution == STASH_KIND)
        .and_then(|s| s.rejected_csv)
    else {
        return Err(PageError::not_found(viewer.layout("未找到")));
    };
    let mut body = vec![0xEF, 0xBB, 0xBF];
    body.extend_from_slice(csv_text.as_bytes());
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"rejected-tests.csv\""))
        .insert_header(("Cache-Control", "no-store"))
        .body(body))
}

#[derive(Deserialize)]
pub struct PassMarkForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    mark: String,
}

/// `POST /training-tests/pass-mark`: the year's pass mark (`app.set_pass_mark`).
pub async fn set_pass_mark(viewer: Viewer, form: web::Form<PassMarkForm>) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let year = form.year.trim().parse::<i32>().ok();
    let back = TestsQuery { year, ..TestsQuery::default() };
    let (Some(year), Ok(mark)) = (year, form.mark.trim().parse::<u32>()) else {
        let m = "请填写年度和合格分数线（1-1000的整数）。".to_string();
        return render(&viewer, &back, Some(m), None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let req = SetPassMark { year, mark };
    match viewer.call(move |app, caller| app.set_pass_mark(caller, &req)).await {
        Ok(_) => Ok(see_other(&format!("{}?year={year}&msg=pass_mark_set", paths::TRAINING_TESTS))),
        Err(e) => match refusal(&e) {
            Some(m) => render(&viewer, &back, Some(m), None, StatusCode::UNPROCESSABLE_ENTITY).await,
            None => Err(viewer.fail(e)),
        },
    }
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    test_id: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    year: String,
}

/// `POST /training-tests/revoke`: a test recorded wrongly (`app.revoke_test`); a termination it
/// caused is withdrawn with it.
pub async fn revoke(viewer: Viewer, form: web::Form<RevokeForm>) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let year = form.year.trim().parse::<i32>().ok();
    let Ok(id) = form.test_id.trim().parse::<i64>() else {
        let back = TestsQuery { year, ..TestsQuery::default() };
        let m = "请填写要撤销的测试记录编号。".to_string();
        return render(&viewer, &back, Some(m), None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let back = TestsQuery { year, revoke: Some(id), ..TestsQuery::default() };
    let req = RevokeTest { on: form.on.trim().to_string(), reason: form.reason.clone() };
    match viewer.call(move |app, caller| app.revoke_test(caller, id, &req)).await {
        Ok(_) => Ok(see_other(&format!(
            "{}?year={}&msg=test_revoked",
            paths::TRAINING_TESTS,
            year.unwrap_or_else(this_year)
        ))),
        Err(e) => match refusal(&e) {
            Some(m) => render(&viewer, &back, Some(m), None, StatusCode::UNPROCESSABLE_ENTITY).await,
            None => Err(viewer.fail(e)),
        },
    }
}
