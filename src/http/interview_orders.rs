use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::body::Body;
use super::{json_body, run, State};
use crate::domain::dates::parse_date;
use crate::error::{Error, Result};
use crate::service::{Action, Caller};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub institution_code: Option<String>,
    pub year: Option<i32>,
    /// `true`: only orders not held 30 days after they were given (as of `date`, default today).
    pub overdue: Option<String>,
    #[param(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub date: Option<String>,
}

/// The body of `POST /interview-orders/{id}/record`.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = RecordInterview)]
pub(crate) struct RecordBody {
    #[schema(format = Date)]
    held_on: String,
    #[serde(default)]
    notes: String,
    /// Who took part: a list of names or one string.
    participants: Option<serde_json::Value>,
}

/// `GET /interview-orders?institution_code=&year=` — hr sees only its own institution.
pub async fn list(state: web::Data<State>, caller: Caller, q: web::Query<ListQuery>) -> Result<HttpResponse> {
    caller.permit(Action::ReadInterviewOrders)?;
    let q = q.into_inner();
    caller.own_institution(q.institution_code.clone())?;
    // `date` is checked even when `overdue` does not use it: a malformed query is never ignored.
    let on = super::date_or_today("date", q.date.as_deref())?;
    let overdue_on = super::flag("overdue", q.overdue.as_deref())?.then_some(on);
    let orders = run(&state, move |app| app.interview_orders(&caller, q.institution_code, q.year, overdue_on)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "orders": orders })))
}

/// `POST /interview-orders/{id}/record` (hr of that institution, admin).
pub async fn record(state: web::Data<State>, caller: Caller, path: web::Path<i64>, body: Body) -> Result<HttpResponse> {
    caller.permit(Action::RecordInterview)?;
    let id = path.into_inner();
    let req: RecordBody = json_body(&body.bytes)?;
    let held_on = parse_date("held_on", &req.held_on)?;
    let participants = match &req.participants {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s.trim().to_string()),
        Some(serde_json::Value::Array(v)) => Some(v.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join("、")),
        Some(_) => {
            return Err(Error::invalid(
                "invalid_participants",
                "participants",
                "participants is a list of names",
                "参加人员应为姓名列表",
            ))
        }
    };
    Ok(HttpResponse::Ok().json(
        run(&state, move |app| app.record_interview(&caller, id, held_on, &req.notes, participants.as_deref())).await?,
    ))
}
