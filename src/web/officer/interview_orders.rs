//! `/interview-orders` for officers: the 约谈 of 五(一) ordered in the county, overdue first
//! (not held 30 days after the order), then the other open ones, then those held — from
//! `app.interview_orders`, as the API. HR records an interview on its own view of the same path.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::super::errors::PageError;
use super::super::labels::date;
use super::super::layout::Layout;
use super::super::render::ok;
use super::super::session::Viewer;
use crate::domain::dates::today_china;
use crate::service::queries::InterviewOrder;

#[derive(Deserialize, Default)]
pub struct OfficerQuery {
    institution: Option<String>,
    year: Option<i32>,
    /// `open`: only the orders not held yet.
    show: Option<String>,
}

pub struct Line {
    pub institution_code: String,
    pub personnel_code: String,
    pub cycle_year: i32,
    pub ordered_on: String,
    pub due_on: String,
    pub overdue: bool,
    pub days_over: i64,
    pub held_on: String,
}

#[derive(Template)]
#[template(path = "officer_interview_orders.html")]
struct OfficerOrdersPage {
    layout: Layout,
    institution: String,
    year: String,
    open_only: bool,
    overdue: usize,
    open: usize,
    lines: Vec<Line>,
}

/// The officer's view of `GET /interview-orders` (the query as the browser sent it).
pub async fn list(viewer: Viewer, query: &str) -> Result<HttpResponse, PageError> {
    let q: OfficerQuery = web::Query::<OfficerQuery>::from_query(query).map(|q| q.into_inner()).unwrap_or_default();
    let institution = q.institution.map(|s| s.trim().to_ascii_uppercase()).filter(|s| !s.is_empty());
    let inst = institution.clone();
    let year = q.year.filter(|y| (2000..=2100).contains(y));
    let mut orders: Vec<InterviewOrder> = viewer
        .call(move |app, caller| app.interview_orders(caller, inst, year, None))
        .await
        .map_err(|e| viewer.fail(e))?;
    let open_only = q.show.as_deref() == Some("open");
    if open_only {
        orders.retain(|o| o.held_on.is_none());
    }
    let today = today_china();
    // Overdue first (the longest overdue at the top), then open by due date, then held.
    orders.sort_by_key(|o| (!o.overdue, o.held_on.is_some(), o.held_on.map(std::cmp::Reverse), o.ordered_on, o.id));
    let lines: Vec<Line> = orders
        .iter()
        .take(1000)
        .map(|o| {
            let due = o.ordered_on + chrono::Duration::days(30);
            Line {
                institution_code: o.institution_code.clone(),
                personnel_code: o.personnel_code.clone(),
                cycle_year: o.cycle_year,
                ordered_on: date(Some(o.ordered_on)),
                due_on: date(Some(due)),
                overdue: o.overdue,
                days_over: if o.overdue { (today - due).num_days() } else { 0 },
                held_on: date(o.held_on),
            }
        })
        .collect();
    let page = OfficerOrdersPage {
        layout: viewer.layout("约谈（执法人员）"),
        institution: institution.unwrap_or_default(),
        year: year.map(|y| y.to_string()).unwrap_or_default(),
        open_only,
        overdue: orders.iter().filter(|o| o.overdue).count(),
        open: orders.iter().filter(|o| o.held_on.is_none()).count(),
        lines,
    };
    Ok(ok(&page))
}
