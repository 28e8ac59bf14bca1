use actix_web::{web, HttpResponse};

use super::body::Body;
use super::{json_body, run, State};
use crate::error::Result;
use crate::service::jobs::JobOutput;
use crate::service::training_tests::{NewAbsence, NewTrainingTest, RevokeTest, SetPassMark};
use crate::service::{Action, Caller};

/// `POST /training-tests` (agency, admin): 201, or 422 when the format contradicts the age.
pub async fn create(state: web::Data<State>, caller: Caller, body: Body) -> Result<HttpResponse> {
    caller.permit(Action::RecordTest)?;
    let req: NewTrainingTest = json_body(&body.bytes)?;
    Ok(HttpResponse::Created().json(run(&state, move |app| app.record_test(&caller, &req)).await?))
}

/// `POST /training-tests/absences` (agency, admin): 三(三) 缺考 — recorded, never a pass; 201.
pub async fn absence(state: web::Data<State>, caller: Caller, body: Body) -> Result<HttpResponse> {
    caller.permit(Action::RecordTest)?;
    let req: NewAbsence = json_body(&body.bytes)?;
    Ok(HttpResponse::Created().json(run(&state, move |app| app.record_absence(&caller, &req)).await?))
}

/// `POST /training-tests/batch?commit=&partial=` (agency, admin) — 三(三) results as CSV.
pub async fn batch(
    state: web::Data<State>,
    caller: Caller,
    q: web::Query<super::BatchQuery>,
    body: Body,
) -> Result<HttpResponse> {
    caller.permit(Action::RecordTest)?;
    let opts = super::batch_options(&q)?;
    if super::flag("async", q.run_async.as_deref())? {
        return super::jobs::start(&state, caller, "training_tests", move |app, caller, progress| {
            app.upload_tests(caller, std::io::Cursor::new(body.bytes), opts, progress)
                .map(|r| JobOutput::Batch(Box::new(r)))
        })
        .await;
    }
    let report =
        run(&state, move |app| app.upload_tests(&caller, std::io::Cursor::new(body.bytes), opts, &mut |_| {})).await?;
    Ok(HttpResponse::Ok().json(report))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    pub year: Option<i32>,
}

/// `GET /training-tests/pass-marks?year=` — the year's pass mark (三(三)), 60 until the agency
/// sets one.
pub async fn pass_mark(state: web::Data<State>, caller: Caller, q: web::Query<YearQuery>) -> Result<HttpResponse> {
    let year = q.year.unwrap_or_else(|| chrono::Datelike::year(&crate::domain::dates::today_china()));
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.pass_mark(&caller, year)).await?))
}

/// `POST /training-tests/pass-marks` (agency, admin): `year, mark`; 201, audited.
pub async fn set_pass_mark(state: web::Data<State>, caller: Caller, body: web::Bytes) -> Result<HttpResponse> {
    caller.permit(Action::RecordTest)?;
    let req: SetPassMark = json_body(&body)?;
    Ok(HttpResponse::Created().json(run(&state, move |app| app.set_pass_mark(&caller, &req)).await?))
}

/// `POST /training-tests/{id}/revoke` (agency, admin): `on, reason`; the test counts for no
/// date and a termination it caused is withdrawn; the corrected result can then be recorded.
pub async fn revoke(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse> {
    caller.permit(Action::RecordTest)?;
    let id = path.into_inner();
    let req: RevokeTest = json_body(&body)?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.revoke_test(&caller, id, &req)).await?))
}
