use actix_web::{web, HttpResponse};

use super::body::Body;
use super::{json_body, run, State};
use crate::error::Result;
use crate::service::training_tests::NewTrainingTest;
use crate::service::{Action, Caller};

/// `POST /training-tests` (agency, admin): 201, or 422 when the format contradicts the age.
pub async fn create(state: web::Data<State>, caller: Caller, body: Body) -> Result<HttpResponse> {
    caller.permit(Action::RecordTest)?;
    let req: NewTrainingTest = json_body(&body.bytes)?;
    Ok(HttpResponse::Created().json(run(&state, move |app| app.record_test(&caller, &req)).await?))
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
    let report =
        run(&state, move |app| app.upload_tests(&caller, std::io::Cursor::new(body.bytes), opts, &mut |_| {})).await?;
    Ok(HttpResponse::Ok().json(report))
}
