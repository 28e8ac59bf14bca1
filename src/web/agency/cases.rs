//! `/termination-cases` and `/cascade-cases`: the cases the rules open on institution
//! agreements. A termination case opens at the second suspension within an agreement term
//! (聊城 第三十一条(一)): the agency terminates or takes no action. A 30 % case opens when a
//! cycle's personally suspended or terminated staff reach 30 % (五(三)): an officer suspends,
//! terminates or takes no action. Lists for the agency, officers (their county) and admins;
//! the decision forms call `decide_termination_case` and `decide_cascade`, which decide who may.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{message, refusal};
use crate::domain::dates::today_china;
use crate::error::Result as ServiceResult;
use crate::service::institutions::{CascadeCaseView, DecideCascade, TerminationCaseView};
use crate::service::Action;
use crate::store::facts::{AgreementAction, CascadeDecision, TerminationDecision};
use crate::web::errors::PageError;
use crate::web::labels::date;
use crate::web::layout::Layout;
use crate::web::paths;
use crate::web::render::{page, see_other};
use crate::web::session::Viewer;

#[derive(Deserialize)]
pub struct CasesQuery {
    msg: Option<String>,
}

/// One case as both lists show it.
pub struct CaseLine {
    pub id: i64,
    pub institution_code: String,
    pub institution_name: String,
    pub opened_on: String,
    /// The grounds: "协议期（2023-01-01起）内第2次中止" or "2025年度 4/10 人（40.0%）".
    pub grounds: String,
    pub article: String,
    pub open: bool,
    pub decision: String,
    /// For an open case its decider may decide: the staff a suspension or termination would
    /// take with it today (三(四)).
    pub effect: String,
}

#[derive(Template)]
#[template(path = "agency_cases.html")]
struct CasesPage {
    layout: Layout,
    /// `termination` or `cascade`.
    kind: &'static str,
    heading: &'static str,
    explanation: &'static str,
    lines: Vec<CaseLine>,
    may_decide: bool,
    today: String,
    error: Option<String>,
}

fn termination_decision_zh(d: TerminationDecision) -> &'static str {
    match d {
        TerminationDecision::Terminate => "解除医保协议",
        TerminationDecision::NoAction => "不予处理",
        TerminationDecision::Defer => "暂缓解除（说明理由）",
    }
}

fn cascade_decision_zh(d: CascadeDecision) -> &'static str {
    match d {
        CascadeDecision::Suspend => "中止医保协议",
        CascadeDecision::Terminate => "解除医保协议",
        CascadeDecision::NoAction => "不予处理",
    }
}

fn decided(
    decision: &str,
    on: Option<chrono::NaiveDate>,
    until: Option<chrono::NaiveDate>,
    reason: &Option<String>,
) -> String {
    let mut s = format!("{} {}", date(on), decision);
    if until.is_some() {
        s.push_str(&format!("（至 {} 恢复）", date(until)));
    }
    if let Some(r) = reason {
        s.push_str(&format!("：{r}"));
    }
    s
}

fn termination_line(c: &TerminationCaseView, name: String) -> CaseLine {
    CaseLine {
        id: c.id,
        institution_code: c.institution_code.clone(),
        institution_name: name,
        opened_on: date(Some(c.opened_on)),
        grounds: format!("协议期（{}起）内第{}次中止协议", date(Some(c.term_start)), c.suspensions),
        article: c.article.clone(),
        open: c.status == "open",
        decision: c
            .decision
            .map(|d| decided(termination_decision_zh(d), c.decided_on, None, &c.reason))
            .unwrap_or_default(),
        effect: String::new(),
    }
}

fn cascade_line(c: &CascadeCaseView, name: String) -> CaseLine {
    let percent = if c.denominator > 0 {
        format!("{:.1}", f64::from(c.numerator) * 100.0 / f64::from(c.denominator))
    } else {
        "0.0".into()
    };
    CaseLine {
        id: c.id,
        institution_code: c.institution_code.clone(),
        institution_name: name,
        opened_on: date(Some(c.opened_on)),
        grounds: format!("{}年度 {}/{} 人被中止或解除（{percent}%）", c.cycle_year, c.numerator, c.denominator),
        article: c.article.clone(),
        open: c.status == "open",
        decision: c
            .decision
            .map(|d| decided(cascade_decision_zh(d), c.decided_on, c.until, &c.reason))
            .unwrap_or_default(),
        effect: String::new(),
    }
}

/// Open cases first, then the newest.
fn sort(lines: &mut [CaseLine]) {
    lines.sort_by(|a, b| b.open.cmp(&a.open).then(b.id.cmp(&a.id)));
}

async fn render(
    viewer: &Viewer,
    kind: &'static str,
    msg: Option<&str>,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let action = if kind == "termination" { Action::DecideTerminationCase } else { Action::DecideCascade };
    let lines = viewer
        .call(move |app, caller| -> ServiceResult<Vec<CaseLine>> {
            let mut lines = if kind == "termination" {
                let cases = app.termination_cases(caller)?;
                let codes: Vec<String> = cases.iter().map(|c| c.institution_code.clone()).collect();
                let names = app.institution_names(caller, &codes)?;
                cases
                    .iter()
                    .map(|c| termination_line(c, names.get(&c.institution_code).cloned().unwrap_or_default()))
                    .collect::<Vec<_>>()
            } else {
                let cases = app.cascade_cases(caller)?;
                let codes: Vec<String> = cases.iter().map(|c| c.institution_code.clone()).collect();
                let names = app.institution_names(caller, &codes)?;
                cases
                    .iter()
                    .map(|c| cascade_line(c, names.get(&c.institution_code).cloned().unwrap_or_default()))
                    .collect::<Vec<_>>()
            };
            sort(&mut lines);
            // What deciding would do to the staff, for those who decide (read-only).
            let decides = caller.permit(action).is_ok();
            let today = today_china();
            for l in lines.iter_mut().filter(|l| l.open && decides) {
                let e = app.agreement_effect(caller, &l.institution_code, AgreementAction::Terminate, today, false)?;
                l.effect = format!(
                    "今日在册 {} 人（其中 {} 人服务协议正常）：中止或解除医保协议的，他们在本机构的服务协议随之中止或解除（三(四)）",
                    e.staff, e.in_force
                );
                if !e.related.is_empty() {
                    let names: Vec<String> = e.related.iter().map(|r| format!("{}（{} 人）", r.name, r.staff)).collect();
                    l.effect.push_str(&format!("；关联机构一并处理：{}", names.join("、")));
                }
            }
            Ok(lines)
        })
        .await
        .map_err(|e| viewer.fail(e))?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (heading, explanation) = if kind == "termination" {
        (
            "解除协议案件",
            "定点医药机构在一个协议期内第二次被中止医保协议的，立案供经办机构决定是否解除医保协议（聊城 第三十一条(一)）。",
        )
    } else {
        (
            "30%联动案件（五(三)）",
            "一个记分周期内，定点医药机构被中止或解除服务协议的相关人员达到该机构在册人员30%的，立案由执法人员决定是否中止或解除该机构的医保协议（五(三)）。",
        )
    };
    Ok(page(
        status,
        &CasesPage {
            layout: viewer.layout(heading).flash(message(msg)),
            kind,
            heading,
            explanation,
            lines,
            may_decide: viewer.caller().permit(action).is_ok(),
            today: date(Some(today_china())),
            error,
        },
    ))
}

/// `GET /termination-cases`.
pub async fn termination_list(viewer: Viewer, q: web::Query<CasesQuery>) -> Result<HttpResponse, PageError> {
    render(&viewer, "termination", q.msg.as_deref(), None).await
}

/// `GET /cascade-cases`.
pub async fn cascade_list(viewer: Viewer, q: web::Query<CasesQuery>) -> Result<HttpResponse, PageError> {
    render(&viewer, "cascade", q.msg.as_deref(), None).await
}

#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    reason: String,
    /// The notice of intent the decision follows (吉林 第四十九条).
    #[serde(default)]
    intent_id: String,
}

impl DecideForm {
    fn request(&self) -> DecideCascade {
        DecideCascade {
            decision: self.decision.trim().to_string(),
            reason: self.reason.clone(),
            on: self.on.trim().to_string(),
            until: Some(self.until.trim().to_string()).filter(|s| !s.is_empty()),
            cause: None,
            intent_id: self.intent_id.trim().parse().ok(),
            statement_response: None,
            statement_adopted: None,
        }
    }
}

async fn decide(
    viewer: Viewer,
    kind: &'static str,
    path: web::Path<String>,
    form: web::Form<DecideForm>,
) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let Ok(id) = path.into_inner().parse::<i64>() else {
        return Err(PageError::not_found(viewer.layout("未找到")));
    };
    let req = form.request();
    let result = if kind == "termination" {
        viewer.call(move |app, caller| app.decide_termination_case(caller, id, &req).map(drop)).await
    } else {
        viewer.call(move |app, caller| app.decide_cascade(caller, id, &req).map(drop)).await
    };
    let back = if kind == "termination" { paths::TERMINATION_CASES } else { paths::CASCADE_CASES };
    match result {
        Ok(()) => Ok(see_other(&format!("{back}?msg=case_decided"))),
        Err(e) => match refusal(&e) {
            Some(m) => render(&viewer, kind, None, Some(m)).await,
            None => Err(viewer.fail(e)),
        },
    }
}

/// `POST /termination-cases/{id}/decide` (agency, officers, admins).
pub async fn termination_decide(
    viewer: Viewer,
    path: web::Path<String>,
    form: web::Form<DecideForm>,
) -> Result<HttpResponse, PageError> {
    decide(viewer, "termination", path, form).await
}

/// `POST /cascade-cases/{id}/decide` (officers, admins).
pub async fn cascade_decide(
    viewer: Viewer,
    path: web::Path<String>,
    form: web::Form<DecideForm>,
) -> Result<HttpResponse, PageError> {
    decide(viewer, "cascade", path, form).await
}
