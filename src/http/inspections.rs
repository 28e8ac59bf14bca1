use actix_web::{web, HttpRequest, HttpResponse};

use super::body::Body;
use super::{json_body, run, State};
use crate::error::{Error, Result};
use crate::service::inspections::NewInspection;
use crate::service::jobs::JobOutput;
use crate::service::{Action, Caller};

/// `POST /inspections` with `Idempotency-Key` (officer of the county, admin).
pub async fn create(state: web::Data<State>, caller: Caller, req: HttpRequest, body: Body) -> Result<HttpResponse> {
    caller.permit(Action::RecordInspection)?;
    let key = match req.headers().get("idempotency-key") {
        Some(v) => Some(
            v.to_str()
                .ok()
                .map(str::trim)
                .filter(|k| !k.is_empty() && k.len() <= 200)
                .ok_or_else(|| {
                    Error::invalid(
                        "invalid_idempotency_key",
                        "Idempotency-Key",
                        "Idempotency-Key must be 1-200 visible characters",
                        "幂等键应为1-200个可见字符",
                    )
                })?
                .to_string(),
        ),
        None => None,
    };
    let body: NewInspection = json_body(&body.bytes)?;
    let result = run(&state, move |app| app.record_inspection(&caller, key.as_deref(), &body)).await?;
    Ok(HttpResponse::Created().json(result))
}

/// `POST /inspections/batch?commit=&partial=` (officer, admin) — one row per violation.
pub async fn batch(
    state: web::Data<State>,
    caller: Caller,
    q: web::Query<super::BatchQuery>,
    body: Body,
) -> Result<HttpResponse> {
    caller.permit(Action::RecordInspection)?;
    let opts = super::batch_options(&q)?;
    if super::flag("async", q.run_async.as_deref())? {
        return super::jobs::start(&state, caller, "violations", move |app, caller, progress| {
            app.upload_violations(caller, std::io::Cursor::new(body.bytes), opts, progress)
                .map(|r| JobOutput::Batch(Box::new(r)))
        })
        .await;
    }
    let report =
        run(&state, move |app| app.upload_violations(&caller, std::io::Cursor::new(body.bytes), opts, &mut |_| {}))
            .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// `POST /inspections/preview` (officer of the county, admin): the body of `POST /inspections`;
/// what recording it would do, computed by the engine, nothing written.
pub async fn preview(state: web::Data<State>, caller: Caller, body: Body) -> Result<HttpResponse> {
    caller.permit(Action::RecordInspection)?;
    let body: NewInspection = json_body(&body.bytes)?;
    let preview = run(&state, move |app| app.preview_inspection(&caller, &body)).await?;
    Ok(HttpResponse::Ok().json(preview))
}
