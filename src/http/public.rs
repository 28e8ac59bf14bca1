use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{date_or_today, run, State};
use crate::error::Result;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DateQuery {
    #[param(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub date: Option<String>,
}

/// `GET /public/practitioners/{code}`: no token; name and ID masked, no phone.
pub async fn practitioner(
    state: web::Data<State>,
    path: web::Path<String>,
    q: web::Query<DateQuery>,
) -> Result<HttpResponse> {
    let code = path.into_inner().trim().to_ascii_uppercase();
    let on = date_or_today("date", q.date.as_deref())?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.public_practitioner(&code, on)).await?))
}

/// `GET /public/institutions/{code}`: no token.
pub async fn institution(
    state: web::Data<State>,
    path: web::Path<String>,
    q: web::Query<DateQuery>,
) -> Result<HttpResponse> {
    let code = path.into_inner().trim().to_ascii_uppercase();
    let on = date_or_today("date", q.date.as_deref())?;
    let view = run(&state, move |app| app.public_institution(&code, on)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "code": view.code,
        "name": view.name,
        "kind": view.kind,
        "region_code": view.region_code,
        "date": view.date,
        "status": view.status,
        "suspended_until": view.suspended_until,
        "agreement_start": view.agreement_start,
        "agreement_end": view.agreement_end,
    })))
}
