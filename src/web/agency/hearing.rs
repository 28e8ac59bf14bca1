//! The hearing step on `/institutions/{code}` (陈述申辩, 吉林 第四十九条): the agency tells the
//! institution the intended suspension or termination with its facts and basis (`POST
//! /institutions/{code}/intents`, as `POST …/agreement/intents`); the institution's HR (or an
//! admin recording it) enters its statement with evidence, or its waiver, within the days the
//! rules give (`POST /institutions/{code}/intents/{id}/statement`); the suspension or termination
//! form then names the notice and answers the statement. Where the rules in force do not require
//! the step (济宁, after 聊城), a notice given is still recorded and its days honoured.

use actix_web::{web, HttpResponse};

use super::institution::{flag, render_show, ChangeForm, Extra, ShowQuery};
use super::refusal;
use crate::service::institutions::{Hearing, IntentView, NewIntent, NewStatement};
use crate::store::facts::AgreementAction;
use crate::web::errors::PageError;
use crate::web::labels::date;
use crate::web::paths;
use crate::web::render::see_other;
use crate::web::session::Viewer;

/// One notice of intent as the page lists it.
pub struct IntentLine {
    pub id: i64,
    pub action: &'static str,
    pub action_zh: &'static str,
    pub facts: String,
    pub basis: String,
    pub notified_on: String,
    pub statement_until: String,
    pub decide_from: String,
    /// The statement in words ("" before one).
    pub statement: String,
    /// The decision that followed, in words ("" before one).
    pub decision: String,
    /// No decision yet: a suspension or termination may name it.
    pub open: bool,
    /// Open and no statement yet: the form takes the day it was made (the service refuses one
    /// after the days end).
    pub may_state: bool,
}

/// The hearing block of the page.
pub struct Block {
    pub required: bool,
    pub days: u32,
    pub article: String,
    pub intents: Vec<IntentLine>,
}

impl Block {
    /// The open notices of one kind (`suspend`, `terminate`), for the decision forms.
    pub fn open(&self, action: &str) -> Vec<&IntentLine> {
        self.intents.iter().filter(|i| i.open && i.action == action).collect()
    }
}

fn line(i: &IntentView) -> IntentLine {
    let statement = match &i.statement {
        None => String::new(),
        Some(s) if s.waived => format!("{} 放弃陈述申辩", date(Some(s.stated_on))),
        Some(s) => {
            let evidence = if s.evidence.is_empty() { String::new() } else { format!("（证据：{}）", s.evidence) };
            format!("{} 陈述申辩：{}{evidence}", date(Some(s.stated_on)), s.statement)
        }
    };
    let decision = match &i.decision {
        None => String::new(),
        Some(d) => {
            let answer = match d.adopted {
                Some(true) => format!("；采纳陈述申辩：{}", d.response),
                Some(false) => format!("；不予采纳陈述申辩：{}", d.response),
                None => String::new(),
            };
            format!("{} 作出处理决定{answer}", date(Some(d.decided_on)))
        }
    };
    let suspend = i.action == AgreementAction::Suspend;
    IntentLine {
        id: i.id,
        action: if suspend { "suspend" } else { "terminate" },
        action_zh: if suspend { "中止医保协议" } else { "解除医保协议" },
        facts: i.facts.clone(),
        basis: i.basis.clone(),
        notified_on: date(Some(i.notified_on)),
        statement_until: date(Some(i.statement_until)),
        decide_from: date(Some(i.decide_from)),
        open: i.decision.is_none(),
        may_state: i.decision.is_none() && i.statement.is_none(),
        statement,
        decision,
    }
}

pub fn block(h: &Hearing) -> Block {
    Block {
        required: h.required,
        days: h.days,
        article: h.article.clone(),
        intents: h.intents.iter().map(line).collect(),
    }
}

fn back(code: &str, msg: &str) -> HttpResponse {
    see_other(&format!("{}/{code}?msg={msg}#hearing", paths::INSTITUTIONS))
}

/// `POST /institutions/{code}/intents`: the notice of the intended decision
/// (`app.notify_intent`, agency, officers of the county, admins).
pub async fn notify(
    viewer: Viewer,
    path: web::Path<String>,
    form: web::Form<ChangeForm>,
) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let code = path.into_inner().trim().to_ascii_uppercase();
    let form = form.into_inner();
    let req = NewIntent {
        action: form.action.trim().to_string(),
        facts: form.facts.clone(),
        basis: form.basis.clone(),
        notified_on: form.notified_on.trim().to_string(),
        department: None,
    };
    let c = code.clone();
    match viewer.call(move |app, caller| app.notify_intent(caller, &c, &req)).await {
        Ok(_) => Ok(back(&code, "intent_notified")),
        Err(e) => match refusal(&e) {
            Some(m) => render_show(&viewer, code, &ShowQuery::default(), Extra::refused("intent", m, form)).await,
            None => Err(viewer.fail(e)),
        },
    }
}

/// `POST /institutions/{code}/intents/{id}/statement`: the institution's statement with its
/// evidence, or its waiver (`app.state_case`, the institution's HR, admins).
pub async fn state(
    viewer: Viewer,
    path: web::Path<(String, String)>,
    form: web::Form<ChangeForm>,
) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let (code, id) = path.into_inner();
    let code = code.trim().to_ascii_uppercase();
    let Ok(id) = id.parse::<i64>() else {
        return Err(PageError::not_found(viewer.layout("未找到")));
    };
    let form = form.into_inner();
    let req = NewStatement {
        stated_on: form.stated_on.trim().to_string(),
        statement: form.statement.clone(),
        evidence: form.evidence.clone(),
        waived: flag(&form.waived),
    };
    let c = code.clone();
    match viewer.call(move |app, caller| app.state_case(caller, &c, id, &req)).await {
        Ok(_) => Ok(back(&code, "case_stated")),
        Err(e) => match refusal(&e) {
            Some(m) => render_show(&viewer, code, &ShowQuery::default(), Extra::refused("statement", m, form)).await,
            None => Err(viewer.fail(e)),
        },
    }
}
