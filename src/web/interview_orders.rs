//! `/interview-orders`: the interviews (约谈) of 五(一) the institution was ordered to hold, open
//! ones first with their due date; HR records one that was held (date, participants, summary)
//! through `app.record_interview`, as the API.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::errors::PageError;
use super::labels::date;
use super::layout::Layout;
use super::render::{page, see_other};
use super::session::Viewer;
use super::{flash, paths};
use crate::domain::dates::{parse_date, today_china};
use crate::error::{Error, Kind};
use crate::service::tokens::Role;

#[derive(Deserialize)]
pub struct OrdersQuery {
    institution: Option<String>,
    msg: Option<String>,
}

pub struct Line {
    pub id: i64,
    pub institution_code: String,
    pub personnel_code: String,
    pub ordered_on: String,
    pub due_on: String,
    pub overdue: bool,
    pub held_on: String,
    pub participants: String,
    pub notes: String,
}

#[derive(Template)]
#[template(path = "interview_orders.html")]
struct OrdersPage {
    layout: Layout,
    pick_institution: bool,
    institution: String,
    may_record: bool,
    open: Vec<Line>,
    held: Vec<Line>,
    today: String,
    /// A refused record: the order's id and the reason.
    error_id: i64,
    error_msg: String,
}

async fn render(
    viewer: &Viewer,
    institution: Option<String>,
    msg: Option<&str>,
    error: Option<(i64, String)>,
) -> Result<HttpResponse, PageError> {
    let inst = institution.clone();
    let orders = viewer
        .call(move |app, caller| app.interview_orders(caller, inst, None, None))
        .await
        .map_err(|e| viewer.fail(e))?;
    let line = |o: &crate::service::queries::InterviewOrder| {
        let due = o.ordered_on + chrono::Duration::days(30);
        Line {
            id: o.id,
            institution_code: o.institution_code.clone(),
            personnel_code: o.personnel_code.clone(),
            ordered_on: date(Some(o.ordered_on)),
            due_on: date(Some(due)),
            overdue: o.held_on.is_none() && due < today_china(),
            held_on: date(o.held_on),
            participants: o.participants.clone().unwrap_or_default(),
            notes: o.notes.clone().unwrap_or_default(),
        }
    };
    let mut open: Vec<&crate::service::queries::InterviewOrder> =
        orders.iter().filter(|o| o.held_on.is_none()).collect();
    open.sort_by_key(|o| (o.ordered_on, o.id));
    let mut held: Vec<&crate::service::queries::InterviewOrder> =
        orders.iter().filter(|o| o.held_on.is_some()).collect();
    held.sort_by_key(|o| std::cmp::Reverse((o.held_on, o.id)));
    held.truncate(200);
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(page(
        status,
        &OrdersPage {
            layout: viewer.layout("约谈").flash(flash::message(msg)),
            pick_institution: viewer.session.role != Role::Hr,
            institution: institution.unwrap_or_default(),
            may_record: matches!(viewer.session.role, Role::Hr | Role::Admin),
            open: open.into_iter().map(line).collect(),
            held: held.into_iter().map(line).collect(),
            today: date(Some(today_china())),
            error_id: error.as_ref().map_or(0, |(id, _)| *id),
            error_msg: error.map(|(_, m)| m).unwrap_or_default(),
        },
    ))
}

/// `GET /interview-orders` (officers: their own view, overdue first).
pub async fn list(viewer: Viewer, req: HttpRequest, q: web::Query<OrdersQuery>) -> Result<HttpResponse, PageError> {
    if viewer.session.role == Role::Officer {
        return super::officer::interview_orders::list(viewer, req.query_string()).await;
    }
    let inst = q.institution.as_deref().map(|s| s.trim().to_ascii_uppercase()).filter(|s| !s.is_empty());
    render(&viewer, inst, q.msg.as_deref(), None).await
}

#[derive(Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    notes: String,
}

/// `POST /interview-orders/{id}/record`.
pub async fn record(
    viewer: Viewer,
    path: web::Path<String>,
    form: web::Form<RecordForm>,
) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let Ok(id) = path.into_inner().parse::<i64>() else {
        return Err(PageError::not_found(viewer.layout("未找到")));
    };
    let form = form.into_inner();
    let result = match parse_date("held_on", form.held_on.trim()) {
        Ok(held_on) => {
            let participants = Some(form.participants.trim().to_string()).filter(|p| !p.is_empty());
            let notes = form.notes.trim().to_string();
            viewer
                .call(move |app, caller| app.record_interview(caller, id, held_on, &notes, participants.as_deref()))
                .await
                .map(drop)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("{}?msg=interview_recorded", paths::INTERVIEW_ORDERS))),
        Err(Error::Client(c)) if matches!(c.kind, Kind::Unprocessable | Kind::Conflict) => {
            render(&viewer, None, None, Some((id, c.message_zh.clone()))).await
        }
        Err(e) => Err(viewer.fail(e)),
    }
}
