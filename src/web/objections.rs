//! `/objections`: 六(一). HR files an objection on a deduction found at its institution and,
//! after the agency rejects it, escalates before the deadline the service computes (10 working
//! days after the decision notice); the agency, officers and admins decide filed objections
//! with their evidence; an admin records the administrative department's decision on an
//! escalated one. Each form calls the use-case the API calls.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Datelike;
use serde::Deserialize;

use super::errors::PageError;
use super::labels::{date, objection_status_zh};
use super::layout::Layout;
use super::render::{page, see_other};
use super::session::Viewer;
use super::{flash, paths};
use crate::domain::dates::today_china;
use crate::error::{Error, Kind};
use crate::service::objections::{DecideEscalation, DecideObjection, EscalateObjection, NewObjection};
use crate::service::tokens::Role;

#[derive(Deserialize)]
pub struct ObjectionsQuery {
    msg: Option<String>,
    /// `pending`: only the objections waiting for a decision (the agency's queue).
    status: Option<String>,
}

pub struct Line {
    pub id: i64,
    pub deduction_id: i64,
    pub personnel_code: String,
    pub institution_code: String,
    pub filed_on: String,
    pub grounds: String,
    pub status_zh: &'static str,
    pub decisions: String,
    pub deadline: String,
    pub may_escalate: bool,
    pub may_decide: bool,
    /// Escalated, and the caller records the administrative department's decision (admin).
    pub may_decide_escalation: bool,
}

pub struct DeductionChoice {
    pub id: i64,
    pub label: String,
}

#[derive(Template)]
#[template(path = "objections.html")]
struct ObjectionsPage {
    layout: Layout,
    may_file: bool,
    deductions: Vec<DeductionChoice>,
    lines: Vec<Line>,
    today: String,
    error: Option<String>,
    /// The deciders' queue: whether only pending objections are shown, how many are pending,
    /// and the last day to escalate if one is rejected today (六(一)).
    pending_only: bool,
    pending: usize,
    may_decide_any: bool,
    reject_deadline: String,
}

async fn render(viewer: &Viewer, msg: Option<&str>, error: Option<String>) -> Result<HttpResponse, PageError> {
    render_filtered(viewer, msg, error, false).await
}

async fn render_filtered(
    viewer: &Viewer,
    msg: Option<&str>,
    error: Option<String>,
    pending_only: bool,
) -> Result<HttpResponse, PageError> {
    let today = today_china();
    let role = viewer.session.role;
    let own = viewer.session.institution_code.clone();
    let (objections, deductions, reject_deadline) = viewer
        .call(move |app, caller| {
            let objections = app.objections_list(caller, None)?;
            let reject_deadline = app.objection_deadline(today);
            let mut deductions = Vec::new();
            if let (Role::Hr, Some(code)) = (role, own) {
                for year in [today.year(), today.year() - 1] {
                    deductions.extend(app.institution_deductions(caller, &code, year)?);
                }
            }
            Ok((objections, deductions, reject_deadline))
        })
        .await
        .map_err(|e| viewer.fail(e))?;
    let may_file = matches!(role, Role::Hr);
    let may_decide_role = matches!(role, Role::Agency | Role::Officer | Role::Admin);
    let pending = objections.iter().filter(|o| matches!(o.status, "filed" | "escalated")).count();
    let mut lines: Vec<Line> = objections
        .iter()
        .filter(|o| !pending_only || matches!(o.status, "filed" | "escalated"))
        .map(|o| Line {
            id: o.id,
            deduction_id: o.deduction_id,
            personnel_code: o.personnel_code.clone(),
            institution_code: o.institution_code.clone(),
            filed_on: date(Some(o.filed_on)),
            grounds: o.grounds.clone(),
            status_zh: objection_status_zh(o.status),
            decisions: o
                .decisions
                .iter()
                .map(|d| {
                    format!(
                        "{} {}{}：{}",
                        date(Some(d.decided_on)),
                        if d.level == crate::store::due_process::ObjectionLevel::Agency {
                            "经办机构"
                        } else {
                            "行政部门"
                        },
                        if d.decision == crate::store::due_process::ObjectionRuling::Uphold {
                            "采纳"
                        } else {
                            "驳回"
                        },
                        d.evidence
                    )
                })
                .collect::<Vec<_>>()
                .join("；"),
            deadline: if o.status == "rejected" { date(o.escalation_deadline) } else { String::new() },
            may_escalate: matches!(role, Role::Hr | Role::Admin)
                && o.status == "rejected"
                && o.escalation_deadline.is_some_and(|d| today <= d),
            // 六(一): an escalation is the administrative department's (POST
            // /api/v1/objections/{id}/escalation/decide, admin), not this form's.
            may_decide: may_decide_role && o.status == "filed",
            may_decide_escalation: role == Role::Admin && o.status == "escalated",
        })
        .collect();
    // The deciders see the objections waiting for them first.
    if may_decide_role {
        lines.sort_by_key(|l| !(l.may_decide || l.may_decide_escalation));
    }
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(page(
        status,
        &ObjectionsPage {
            layout: viewer.layout("异议").flash(flash::message(msg)),
            may_file,
            deductions: deductions
                .iter()
                .filter(|d| d.revoked_on.is_none())
                .map(|d| DeductionChoice {
                    id: d.id,
                    label: format!(
                        "{} {} {}（{}，{}分，编号{}）",
                        date(Some(d.decided_on)),
                        d.name,
                        d.personnel_code,
                        d.items.join("、"),
                        d.points,
                        d.id
                    ),
                })
                .collect(),
            lines,
            today: date(Some(today)),
            error,
            pending_only,
            pending,
            may_decide_any: may_decide_role,
            reject_deadline: date(reject_deadline),
        },
    ))
}

/// `GET /objections`.
pub async fn list(viewer: Viewer, q: web::Query<ObjectionsQuery>) -> Result<HttpResponse, PageError> {
    render_filtered(&viewer, q.msg.as_deref(), None, q.status.as_deref() == Some("pending")).await
}

/// A refused form is shown on the page with the reason; other errors are error pages.
async fn outcome<T>(viewer: &Viewer, result: crate::error::Result<T>, msg: &str) -> Result<HttpResponse, PageError> {
    match result {
        Ok(_) => Ok(see_other(&format!("{}?msg={msg}", paths::OBJECTIONS))),
        Err(Error::Client(c)) if matches!(c.kind, Kind::Unprocessable | Kind::Conflict) => {
            render(viewer, None, Some(c.message_zh.clone())).await
        }
        Err(e) => Err(viewer.fail(e)),
    }
}

#[derive(Deserialize)]
pub struct FileForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    deduction_id: String,
    #[serde(default)]
    filed_on: String,
    #[serde(default)]
    grounds: String,
}

/// `POST /objections`: file one (`app.file_objection`).
pub async fn file(viewer: Viewer, form: web::Form<FileForm>) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let Ok(id) = form.deduction_id.trim().parse::<i64>() else {
        return render(&viewer, None, Some("请选择要提出异议的扣分记录。".into())).await;
    };
    let req = NewObjection {
        filed_on: form.filed_on.trim().to_string(),
        grounds: form.grounds.clone(),
        institution_code: None,
    };
    let result = viewer.call(move |app, caller| app.file_objection(caller, id, &req)).await;
    outcome(&viewer, result, "objection_filed").await
}

/// The `{id}` of an objection form's path; anything but a number is the 404 page.
fn objection_id(viewer: &Viewer, path: web::Path<String>) -> Result<i64, PageError> {
    path.into_inner().parse::<i64>().map_err(|_| PageError::not_found(viewer.layout("未找到")))
}

#[derive(Deserialize)]
pub struct EscalateForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    on: String,
}

/// `POST /objections/{id}/escalate`: refused after the deadline, as the API.
pub async fn escalate(
    viewer: Viewer,
    path: web::Path<String>,
    form: web::Form<EscalateForm>,
) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let id = objection_id(&viewer, path)?;
    let req = EscalateObjection { on: form.on.trim().to_string() };
    let result = viewer.call(move |app, caller| app.escalate_objection(caller, id, &req)).await;
    outcome(&viewer, result, "escalated").await
}

#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    decided_on: String,
    #[serde(default)]
    evidence: String,
}

/// `POST /objections/{id}/decide` (agency, officers, admins): `uphold` revokes the deduction.
pub async fn decide(
    viewer: Viewer,
    path: web::Path<String>,
    form: web::Form<DecideForm>,
) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let id = objection_id(&viewer, path)?;
    let req = DecideObjection {
        decision: form.decision.trim().to_string(),
        decided_on: form.decided_on.trim().to_string(),
        evidence: form.evidence.clone(),
    };
    let result = viewer.call(move |app, caller| app.decide_objection(caller, id, &req)).await;
    outcome(&viewer, result, "objection_decided").await
}

#[derive(Deserialize)]
pub struct DecideEscalationForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    decided_on: String,
    #[serde(default)]
    reasoning: String,
}

/// `POST /objections/{id}/escalation/decide` (admin, recording the administrative department's
/// decision, 六(一)): `uphold` revokes the deduction for every date.
pub async fn decide_escalation(
    viewer: Viewer,
    path: web::Path<String>,
    form: web::Form<DecideEscalationForm>,
) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let id = objection_id(&viewer, path)?;
    let req = DecideEscalation {
        decision: form.decision.trim().to_string(),
        decided_on: form.decided_on.trim().to_string(),
        reasoning: form.reasoning.clone(),
    };
    let result = viewer.call(move |app, caller| app.decide_escalation(caller, id, &req)).await;
    outcome(&viewer, result, "escalation_decided").await
}
