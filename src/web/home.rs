//! `/`: each role's home. HR: its staff by status, this year's deductions, the share of staff
//! suspended or terminated this year against the 30 % of 五(三), interviews to hold with their
//! due dates, objections with their deadlines, the latest notices and how many are unread.
//! Others: where to go.

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Datelike;
use serde::Deserialize;

use super::errors::PageError;
use super::flash;
use super::labels::{date, notice_kind_zh, objection_status_zh, site_status_zh};
use super::layout::Layout;
use super::render::ok;
use super::session::Viewer;
use crate::domain::dates::today_china;
use crate::service::tokens::Role;

#[derive(Deserialize)]
pub struct HomeQuery {
    msg: Option<String>,
}

pub struct DeductionLine {
    pub code: String,
    pub name: String,
    pub items: String,
    pub points: u32,
    pub decided_on: String,
    pub revoked: bool,
}

pub struct InterviewLine {
    pub code: String,
    pub name: String,
    pub ordered_on: String,
    pub due_on: String,
    pub overdue: bool,
}

pub struct ObjectionLine {
    pub id: i64,
    pub code: String,
    pub deduction_id: i64,
    pub status_zh: &'static str,
    pub deadline: String,
    pub may_escalate: bool,
}

pub struct NoticeLine {
    pub id: i64,
    pub title: String,
    pub kind_zh: &'static str,
    pub date: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "home_hr.html")]
struct HrHome {
    layout: Layout,
    institution_name: String,
    institution_code: String,
    today: String,
    year: i32,
    staff_total: usize,
    counts: Vec<(&'static str, &'static str, usize)>,
    deductions: Vec<DeductionLine>,
    deduction_points: u32,
    numerator: u32,
    denominator: u32,
    percent: String,
    /// `<meter>` value: numerator / denominator (0 when no one was registered).
    share: f64,
    threshold_reached: bool,
    cascade_article: String,
    interviews: Vec<InterviewLine>,
    objections: Vec<ObjectionLine>,
    notices: Vec<NoticeLine>,
    /// Notices none of the institution's HR has opened.
    unread: i64,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    layout: Layout,
    role: &'static str,
}

/// `GET /`.
pub async fn show(viewer: Viewer, q: web::Query<HomeQuery>) -> Result<HttpResponse, PageError> {
    let flash_msg = flash::message(q.msg.as_deref());
    let institution = match (viewer.session.role, viewer.session.institution_code.clone()) {
        (Role::Hr, Some(code)) => code,
        (role, _) => {
            return Ok(ok(&Home { layout: viewer.layout("首页").flash(flash_msg), role: role.as_str() }));
        }
    };
    let today = today_china();
    let (home, unread, read) = viewer
        .call(move |app, caller| {
            Ok((
                app.institution_home(caller, &institution, today)?,
                app.unread_notice_count(caller)?,
                app.read_notice_ids(caller)?,
            ))
        })
        .await
        .map_err(|e| viewer.fail(e))?;
    let (num, den) = (home.cascade.numerator, home.cascade.denominator);
    let page = HrHome {
        layout: viewer.layout("首页").flash(flash_msg),
        institution_name: home.staff.institution_name.clone(),
        institution_code: home.staff.institution_code.clone(),
        today: date(Some(today)),
        year: today.year(),
        staff_total: home.staff.members.len(),
        counts: home.staff.counts().into_iter().map(|(s, n)| (s.as_str(), site_status_zh(s), n)).collect(),
        deduction_points: home.deduction_points,
        deductions: home
            .deductions
            .iter()
            .map(|d| DeductionLine {
                code: d.personnel_code.clone(),
                name: d.name.clone(),
                items: d.items.join("、"),
                points: d.points,
                decided_on: date(Some(d.decided_on)),
                revoked: d.revoked_on.is_some(),
            })
            .collect(),
        numerator: num,
        denominator: den,
        percent: if den == 0 { "0.0".into() } else { format!("{:.1}", f64::from(num) * 100.0 / f64::from(den)) },
        share: if den == 0 { 0.0 } else { f64::from(num) / f64::from(den) },
        threshold_reached: home.cascade.threshold_reached,
        cascade_article: home.cascade.article.clone(),
        interviews: home
            .open_interviews
            .iter()
            .map(|o| InterviewLine {
                code: o.order.personnel_code.clone(),
                name: o.name.clone(),
                ordered_on: date(Some(o.order.ordered_on)),
                due_on: date(Some(o.due_on)),
                overdue: o.due_on < today,
            })
            .collect(),
        objections: home
            .objections
            .iter()
            .map(|o| ObjectionLine {
                id: o.id,
                code: o.personnel_code.clone(),
                deduction_id: o.deduction_id,
                status_zh: objection_status_zh(o.status),
                deadline: if o.status == "rejected" { date(o.escalation_deadline) } else { String::new() },
                may_escalate: o.status == "rejected" && o.escalation_deadline.is_some_and(|d| today <= d),
            })
            .collect(),
        notices: home
            .notices
            .iter()
            .map(|n| NoticeLine {
                id: n.id,
                title: n.title.clone(),
                kind_zh: notice_kind_zh(&n.kind),
                date: date(Some(n.notice_date)),
                unread: !read.contains(&n.id),
            })
            .collect(),
        unread,
    };
    Ok(ok(&page))
}
