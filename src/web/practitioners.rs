//! `/practitioners/{code}`: one person — status on a date (the as-of picker, `?date=`), points
//! left in that cycle, the ledger with each item's text and article, sanctions with their dates,
//! notices and objections. Everything comes from the use-cases the API calls.

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::errors::PageError;
use super::labels::{date, notice_kind_zh, objection_status_zh, personal_status_zh, sanction_zh, site_status_zh};
use super::layout::Layout;
use super::render::ok;
use super::session::Viewer;
use crate::domain::dates::{parse_date, today_china};
use crate::domain::Category;
use crate::rules::PersonalStatus;
use crate::service::pages::ItemText;

#[derive(Deserialize)]
pub struct PersonQuery {
    date: Option<String>,
}

pub struct SiteLine {
    pub institution_code: String,
    pub status: &'static str,
    pub status_zh: &'static str,
    pub term_ends_on: String,
}

pub struct LedgerLine {
    pub id: i64,
    pub decided_on: String,
    pub institution_code: String,
    pub items: Vec<ItemText>,
    pub points: u32,
    pub total_after: String,
    pub note: String,
    pub revoked: String,
}

pub struct SanctionLine {
    pub kind_zh: &'static str,
    pub decided_on: String,
    pub starts_on: String,
    pub ends_on: String,
    pub ban_until: String,
    pub article: String,
    pub explanation: String,
}

/// One year of the training test (三(三)): its result and each test, re-sit or absence.
pub struct TrainingLine {
    pub year: i32,
    pub result: &'static str,
    pub result_zh: &'static str,
    pub explanation: String,
    pub entries: Vec<String>,
}

pub struct NoticeLine {
    pub id: i64,
    pub date: String,
    pub kind_zh: &'static str,
    pub title: String,
}

pub struct ObjectionLine {
    pub deduction_id: i64,
    pub filed_on: String,
    pub status_zh: &'static str,
    pub deadline: String,
}

#[derive(Template)]
#[template(path = "practitioner.html")]
struct PersonPage {
    layout: Layout,
    code: String,
    name: String,
    category_zh: &'static str,
    date: String,
    is_today: bool,
    status: &'static str,
    status_zh: &'static str,
    cycle_year: i32,
    cycle_total: u32,
    remaining: u32,
    suspended_until: String,
    banned_until: String,
    sites: Vec<SiteLine>,
    ledger: Vec<LedgerLine>,
    not_listed: usize,
    ledger_explanation: String,
    sanctions: Vec<SanctionLine>,
    training: Vec<TrainingLine>,
    notices: Vec<NoticeLine>,
    objections: Vec<ObjectionLine>,
    /// Officers and admins: the points chart and the corrections (`officer::person`).
    officer: Option<super::officer::person::Panel>,
}

/// `GET /practitioners/{code}?date=`.
pub async fn show(
    viewer: Viewer,
    path: web::Path<String>,
    q: web::Query<PersonQuery>,
) -> Result<HttpResponse, PageError> {
    let code = path.into_inner().trim().to_ascii_uppercase();
    let today = today_china();
    let on: NaiveDate = match q.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => parse_date("date", d).map_err(|e| viewer.fail(e))?,
        None => today,
    };
    let c = code.clone();
    let (status, ledger, items, mut notices, objections, training) = viewer
        .call(move |app, caller| {
            let status = app.status(caller, &c, on)?;
            let ledger = app.ledger(caller, &c, on.year())?;
            let items: Vec<Vec<ItemText>> =
                ledger.deductions.iter().map(|d| app.item_texts(&d.deduction.items, d.deduction.decided_on)).collect();
            let notices = app.notices(caller, None, Some(&c))?;
            let objections: Vec<_> =
                app.objections_list(caller, None)?.into_iter().filter(|o| o.personnel_code == c).collect();
            let training = app.training_record(caller, &c)?;
            Ok((status, ledger, items, notices, objections, training))
        })
        .await
        .map_err(|e| viewer.fail(e))?;
    notices.sort_by_key(|n| std::cmp::Reverse((n.notice_date, n.id)));
    let officer = super::officer::person::panel(&viewer, &code, on).await;
    let s = &status.status;
    let page = PersonPage {
        layout: viewer.layout(format!("{} {}", status.name, status.personnel_code)),
        code: status.personnel_code.clone(),
        name: status.name.clone(),
        category_zh: Category::parse("category", &status.category).map_or("", |c| c.name_zh()),
        date: date(Some(on)),
        is_today: on == today,
        status: match s.status {
            PersonalStatus::Active => "active",
            PersonalStatus::Suspended => "suspended",
            PersonalStatus::Terminated => "terminated",
            PersonalStatus::Unregistered => "unregistered",
        },
        status_zh: personal_status_zh(s.status),
        cycle_year: s.cycle_year,
        cycle_total: s.cycle_total,
        remaining: s.remaining,
        suspended_until: date(s.suspended_until),
        banned_until: date(s.banned_until),
        sites: s
            .sites
            .iter()
            .map(|x| SiteLine {
                institution_code: x.institution_code.clone(),
                status: x.status.as_str(),
                status_zh: site_status_zh(x.status),
                term_ends_on: date(x.term_ends_on),
            })
            .collect(),
        ledger: ledger
            .deductions
            .iter()
            .zip(items)
            .map(|(d, items)| LedgerLine {
                id: d.deduction.id,
                decided_on: date(Some(d.deduction.decided_on)),
                institution_code: d.deduction.institution_code.clone(),
                items,
                points: d.deduction.points,
                total_after: d.deduction.total_after.map(|t| t.to_string()).unwrap_or_default(),
                note: d.note.clone(),
                revoked: match (d.revoked_on, &d.revocation_reason) {
                    (Some(on), Some(r)) => format!("{} 已撤销：{r}", date(Some(on))),
                    (Some(on), None) => format!("{} 已撤销", date(Some(on))),
                    _ => String::new(),
                },
            })
            .collect(),
        not_listed: ledger.not_listed,
        ledger_explanation: ledger.explanation.zh.clone(),
        sanctions: ledger
            .sanctions
            .iter()
            .map(|x| SanctionLine {
                kind_zh: sanction_zh(x.kind),
                decided_on: date(Some(x.decided_on)),
                starts_on: date(Some(x.starts_on)),
                ends_on: date(x.ends_on),
                ban_until: date(x.ban_until),
                article: x.article.clone(),
                explanation: x.explanation.zh.clone(),
            })
            .collect(),
        training: training
            .years
            .iter()
            .map(|y| {
                use crate::rules::training::YearResult::*;
                let (result, result_zh) = match y.result {
                    Passed => ("passed", "合格"),
                    Failed => ("failed", "未合格"),
                    Absent => ("absent", "缺考（不视为合格）"),
                    NotTested => ("not_tested", "无记录"),
                };
                let tests = y.tests.iter().map(|t| {
                    format!(
                        "{} {}{}测试{}，{}{}{}",
                        date(Some(t.tested_on)),
                        t.delivery.map(|d| format!("{}、", d.zh())).unwrap_or_default(),
                        if t.format == "open" { "开卷" } else { "闭卷" },
                        t.score.map(|s| format!("{s}分")).unwrap_or_default(),
                        if t.passed { "合格" } else { "未合格" },
                        t.retake_reason.as_deref().map(|r| format!("（补考：{r}）")).unwrap_or_default(),
                        if t.revoked { "（已撤销）" } else { "" }
                    )
                });
                let absences = y.absences.iter().map(|a| {
                    let why = if a.reason.is_empty() { String::new() } else { format!("（{}）", a.reason) };
                    format!("{} 缺考{why}：未参加测试，不视为合格", date(Some(a.absent_on)))
                });
                TrainingLine {
                    year: y.year,
                    result,
                    result_zh,
                    explanation: y.explanation.clone(),
                    entries: tests.chain(absences).collect(),
                }
            })
            .collect(),
        notices: notices
            .iter()
            .map(|n| NoticeLine {
                id: n.id,
                date: date(Some(n.notice_date)),
                kind_zh: notice_kind_zh(&n.kind),
                title: n.title.clone(),
            })
            .collect(),
        objections: objections
            .iter()
            .map(|o| ObjectionLine {
                deduction_id: o.deduction_id,
                filed_on: date(Some(o.filed_on)),
                status_zh: objection_status_zh(o.status),
                deadline: date(o.escalation_deadline),
            })
            .collect(),
        officer,
    };
    Ok(ok(&page))
}
