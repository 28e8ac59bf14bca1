//! `GET /api/v1/jobs/{id}`: an upload started with `?async=true` — its phase, rows done and rows
//! total while it runs; once finished, `state` `done` with the synchronous call's answer under
//! `result`, or `failed` with its error body under `error` and the status it would have had.
//! Only the caller who started it sees it (404 for anyone else).

use actix_web::{web, HttpResponse, ResponseError};
use serde_json::json;

use super::{run, State};
use crate::error::{Error, Result};
use crate::service::jobs::{JobOutput, JobSnapshot};
use crate::service::{Action, App, Caller};

pub async fn show(state: web::Data<State>, caller: Caller, path: web::Path<String>) -> Result<HttpResponse> {
    caller.permit(Action::ReadJob)?;
    let id = path.into_inner();
    let job = run(&state, move |app| app.job(&caller, &id)).await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(view(&job)))
}

/// The job as JSON: `state` `running` | `done` | `failed`.
pub fn view(job: &JobSnapshot) -> serde_json::Value {
    let p = &job.progress;
    let mut v = json!({
        "id": job.id,
        "kind": job.kind,
        "state": "running",
        "phase": p.phase.as_str(),
        "phase_zh": p.phase.zh(),
        "rows_done": p.rows_done,
        "rows_total": p.rows_total,
        "percent": p.percent(),
    });
    match &job.outcome {
        None => {}
        Some(Ok(out)) => {
            v["state"] = json!("done");
            v["status"] = json!(200);
            v["result"] = out.to_json();
        }
        Some(Err(e)) => {
            v["state"] = json!("failed");
            v["status"] = json!(e.status_code().as_u16());
            v["error"] = match e {
                Error::Client(c) => super::error::body(c)["error"].clone(),
                Error::Internal(_) => super::error::internal_body("")["error"].clone(),
            };
        }
    }
    v
}

/// `?async=true` of an upload: starts `work` as the caller's job and answers 202 with its id
/// and where to follow it (`Location`).
pub async fn start<F>(state: &web::Data<State>, caller: Caller, kind: &'static str, work: F) -> Result<HttpResponse>
where
    F: FnOnce(&App, &Caller, &mut dyn FnMut(crate::service::progress::Progress)) -> Result<JobOutput> + Send + 'static,
{
    let id = run(state, move |app| app.start_job(&caller, kind, work)).await?;
    let url = format!("/api/v1/jobs/{id}");
    Ok(HttpResponse::Accepted()
        .insert_header(("Location", url.clone()))
        .json(json!({"job_id": id, "state": "running", "url": url})))
}
