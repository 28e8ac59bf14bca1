use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::auth::Auth;
use super::{json_body, run, State};
use crate::domain::dates::parse_date;
use crate::error::{Error, Result};
use crate::service::tokens::Role::{Admin, Agency, Hr, Officer};

#[derive(Deserialize)]
pub struct ListQuery {
    pub institution_code: Option<String>,
    pub year: Option<i32>,
    /// `true`: only orders not held 30 days after they were given (as of `date`, default today).
    pub overdue: Option<String>,
    pub date: Option<String>,
}

#[derive(Deserialize)]
struct RecordBody {
    held_on: String,
    #[serde(default)]
    notes: String,
    /// Who took part: a list of names or one string.
    participants: Option<serde_json::Value>,
}

/// `GET /interview-orders?institution_code=&year=` — hr sees only its own institution.
pub async fn list(state: web::Data<State>, auth: Auth, q: web::Query<ListQuery>) -> Result<HttpResponse> {
    auth.require(&[Admin, Agency, Officer, Hr])?;
    let q = q.into_inner();
    let inst = match (&auth.0.institution_code, auth.role()) {
        (Some(own), Hr) => {
            if q.institution_code.as_deref().is_some_and(|i| i != own) {
                return Err(Error::not_found("institution", "定点医药机构"));
            }
            Some(own.clone())
        }
        _ => q.institution_code,
    };
    let region = auth.region().map(str::to_string);
    let overdue_on = if super::flag("overdue", q.overdue.as_deref())? {
        Some(super::date_or_today("date", q.date.as_deref())?)
    } else {
        None
    };
    let mut orders = run(&state, move |app| app.interview_orders(inst.as_deref(), q.year, overdue_on)).await?;
    if let Some(r) = region {
        orders.retain(|o| crate::domain::region_of(&o.institution_code) == Some(r.as_str()));
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({ "orders": orders })))
}

/// `POST /interview-orders/{id}/record` (hr of that institution, admin).
pub async fn record(
    state: web::Data<State>,
    auth: Auth,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse> {
    auth.require(&[Admin, Hr])?;
    let id = path.into_inner();
    let req: RecordBody = json_body(&body)?;
    let held_on = parse_date("held_on", &req.held_on)?;
    let inst = run(&state, move |app| app.interview_order_institution(id))
        .await?
        .ok_or_else(|| Error::not_found("interview order", "约谈通知"))?;
    auth.require_institution(&[Admin, Hr], &inst)?;
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
    Ok(HttpResponse::Ok()
        .json(run(&state, move |app| app.record_interview(id, held_on, &req.notes, participants.as_deref())).await?))
}
