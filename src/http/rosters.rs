use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::spool::SpooledUpload;
use super::{flag, run, State};
use crate::error::Result;
use crate::service::jobs::JobOutput;
use crate::service::progress::Progress;
use crate::service::rosters::{RosterMode, StoredReport, UploadOptions};
use crate::service::{Action, Caller};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    pub mode: Option<String>,
    pub commit: Option<String>,
    pub partial: Option<String>,
    /// The number of people the snapshot's preview said it would deregister.
    pub confirm_deregister: Option<String>,
    /// `true`: run as a job, answer 202 at once and follow `GET /jobs/{id}`.
    #[serde(rename = "async")]
    pub run_async: Option<String>,
}

/// `POST /rosters/{institution_code}?mode=delta|snapshot&commit=&partial=` — a CSV body in
/// UTF-8 (with or without BOM), GBK or UTF-16; a preview unless `commit=true`. The body is
/// received into a temporary file and read by the service as a stream.
pub async fn upload(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    q: web::Query<UploadQuery>,
    body: SpooledUpload,
) -> Result<HttpResponse> {
    let inst = path.into_inner().trim().to_ascii_uppercase();
    caller.require_institution(Action::UploadRoster, &inst)?;
    let opts = UploadOptions {
        mode: RosterMode::parse(q.mode.as_deref())?,
        commit: flag("commit", q.commit.as_deref())?,
        partial: flag("partial", q.partial.as_deref())?,
        confirm_deregister: match q.confirm_deregister.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(s.parse().map_err(|_| {
                crate::error::Error::invalid(
                    "invalid_query",
                    "confirm_deregister",
                    "confirm_deregister is the number of people the preview would deregister",
                    "confirm_deregister 应为预览显示的注销人数",
                )
            })?),
        },
    };
    let input = body.into_reader()?;
    if flag("async", q.run_async.as_deref())? {
        return super::jobs::start(&state, caller, "roster", move |app, caller, progress| {
            // The roster reports the rows it has read; its other phases are its own.
            let mut read = 0u64;
            let mut tick = |_row: u64| {
                read += 1;
                progress(Progress::reading(read));
            };
            let report = app.upload_roster(caller, &inst, input, opts, &mut tick)?;
            Ok(JobOutput::Json(serde_json::to_value(&report).unwrap_or_default()))
        })
        .await;
    }
    let report = run(&state, move |app| app.upload_roster(&caller, &inst, input, opts, &mut |_| {})).await?;
    Ok(HttpResponse::Ok().json(report))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// Omitted: the full report as JSON; `csv` (with `encoding=gbk`) or `xlsx`: the rejected rows.
    pub format: Option<String>,
    pub encoding: Option<String>,
}

/// `GET /rosters/{institution_code}/reports/{id}` — the full report of a large file, kept 7 days.
pub async fn report(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<(String, String)>,
    q: web::Query<ReportQuery>,
) -> Result<HttpResponse> {
    let (inst, id) = path.into_inner();
    let inst = inst.trim().to_ascii_uppercase();
    let format = match q.format.as_deref().filter(|f| !f.is_empty()) {
        None => None,
        Some(f) => Some(crate::sheets::export::ExportFormat::parse(Some(f), None, q.encoding.as_deref())?),
    };
    let stored = run(&state, move |app| app.roster_report(&caller, &inst, &id, format)).await?;
    Ok(match stored {
        StoredReport::Json(text) => {
            HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).content_type("application/json").body(text)
        }
        StoredReport::File(bytes, fmt) => {
            super::exports::attachment(bytes, fmt.content_type(), &format!("rejected-rows.{}", fmt.extension()))
        }
    })
}
