use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::body::Body;
use super::{date_or_today, json_body, run, State};
use crate::error::Result;
use crate::service::registrations::NewRegistration;
use crate::service::{Action, Caller};

/// `POST /registrations` (admin, agency, hr of that institution).
pub async fn create(state: web::Data<State>, caller: Caller, body: Body) -> Result<HttpResponse> {
    caller.permit(Action::Register)?;
    let req: NewRegistration = json_body(&body.bytes)?;
    let view = run(&state, move |app| app.register(&caller, &req)).await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OnQuery {
    #[param(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub on: Option<String>,
}

/// `DELETE /registrations/{institution_code}/{personnel_code}?on=` — 注销.
pub async fn delete(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<(String, String)>,
    q: web::Query<OnQuery>,
) -> Result<HttpResponse> {
    let (inst, code) = path.into_inner();
    caller.require_institution(Action::Register, &inst)?;
    let on = date_or_today("on", q.on.as_deref())?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.deregister(&caller, &inst, &code, on)).await?))
}
