//! 吉林 第四十九条: before a 协议处理决定 takes effect the agency tells the institution the
//! intended decision, its facts and basis (`notify_intent`); the institution has 7 days (日:
//! calendar days, the day of the notice not counted) to state its case with evidence, or waives
//! them (`state_case`); the agency adopts the statement or says why not, then decides — the
//! suspension or termination names the notice it follows (`intent_id`), and one dated before
//! the 7 days end is refused unless the institution waived them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::non_empty;
use crate::domain::dates::parse_date;
use crate::domain::limits;
use crate::error::{Error, Result};
use crate::rules::institution::statement_until;
use crate::service::{institution_lock, Action, App, Caller, Lock};
use crate::store::facts::{self, AgreementAction, IntentRow};
use crate::store::DbConn;

/// `POST /institutions/{code}/agreement/intents`: the notice of an intended decision.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewIntent {
    /// `suspend` or `terminate`.
    pub action: String,
    pub facts: String,
    pub basis: String,
    /// The day the institution was told.
    #[schema(format = Date)]
    pub notified_on: String,
    /// A suspension of one department (科室) only.
    #[serde(default)]
    pub department: Option<String>,
}

/// `POST /institutions/{code}/agreement/intents/{id}/statement`: the institution's 陈述申辩.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewStatement {
    #[schema(format = Date)]
    pub stated_on: String,
    #[serde(default)]
    pub statement: String,
    #[serde(default)]
    pub evidence: String,
    /// The institution waives its 7 days: the agency may decide at once.
    #[serde(default)]
    pub waived: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct IntentView {
    pub id: i64,
    pub institution_code: String,
    pub action: AgreementAction,
    pub department: Option<String>,
    pub facts: String,
    pub basis: String,
    pub notified_on: NaiveDate,
    /// The last day the institution may state its case.
    pub statement_until: NaiveDate,
    /// The first day a decision may be dated (the next day; at once after a waiver).
    pub decide_from: NaiveDate,
    pub statement: Option<StatementView>,
    pub decision: Option<IntentDecisionView>,
    pub article: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatementView {
    pub stated_on: NaiveDate,
    pub waived: bool,
    pub statement: String,
    pub evidence: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IntentDecisionView {
    /// The agreement change it led to (`history[].id` of the institution).
    pub event_id: i64,
    pub decided_on: NaiveDate,
    /// Whether the statement was adopted; `None` when there was none (or it was waived).
    pub adopted: Option<bool>,
    /// The agency's answer to the statement (adopted, or why not).
    pub response: String,
}

/// The hearing step (陈述申辩) as an institution's page shows it: whether the rules in force
/// require it before a suspension or termination, its article and days, and the notices given.
#[derive(Debug, Clone, Serialize)]
pub struct Hearing {
    pub required: bool,
    pub days: u32,
    pub article: String,
    /// Newest first.
    pub intents: Vec<IntentView>,
}

/// How a decision answers its notice of intent.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IntentUse<'a> {
    pub id: Option<i64>,
    pub response: Option<&'a str>,
    pub adopted: Option<bool>,
}

impl App {
    /// The agency tells the institution the intended decision, its facts and basis.
    pub fn notify_intent(&self, caller: &Caller, code: &str, req: &NewIntent) -> Result<IntentView> {
        caller.require_institution(Action::ChangeAgreement, code)?;
        let action = match req.action.trim() {
            "suspend" => AgreementAction::Suspend,
            "terminate" => AgreementAction::Terminate,
            other => {
                return Err(Error::invalid(
                    "invalid_action",
                    "action",
                    format!("action '{other}' is suspend or terminate"),
                    format!("拟作出的处理 '{other}' 应为 suspend（中止）或 terminate（解除）"),
                ))
            }
        };
        non_empty("facts", &req.facts)?;
        non_empty("basis", &req.basis)?;
        limits::check_note("facts", &req.facts)?;
        limits::check_note("basis", &req.basis)?;
        let department = req.department.as_deref().map(str::trim).filter(|d| !d.is_empty());
        if let Some(d) = department {
            limits::check_name("department", d)?;
        }
        let notified_on = parse_date("notified_on", &req.notified_on)?;
        self.write(caller, &[institution_lock(code)], |c, touched| {
            facts::institution(c, code)?.ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
            let id =
                facts::insert_intent(c, code, action, department, req.facts.trim(), req.basis.trim(), notified_on)?;
            touched.fact("agreement_intents", id);
            self.intent_view(c, id)
        })
    }

    /// The notices of intent to an institution, with their statements and decisions.
    pub fn intents(&self, caller: &Caller, code: &str) -> Result<Vec<IntentView>> {
        caller.require_institution(Action::ReadInstitution, code)?;
        let mut c = self.conn()?;
        // An institution that does not exist has no list, like `GET /institutions/{code}`.
        if facts::institution(&mut c, code)?.is_none() {
            return Err(Error::not_found("institution", "定点医药机构"));
        }
        let ids: Vec<i64> = facts::intents_of(&mut c, code)?.into_iter().map(|i| i.id).collect();
        ids.into_iter().map(|id| self.intent_view(&mut c, id)).collect()
    }

    /// The hearing step on `on` (吉林 第四十九条 requires it; 济宁's rules, after 聊城's, do not —
    /// a notice given is still recorded and its days honoured) and the notices to `code`.
    pub fn hearing(&self, caller: &Caller, code: &str, on: NaiveDate) -> Result<Hearing> {
        let mut intents = self.intents(caller, code)?;
        intents.sort_by_key(|i| std::cmp::Reverse((i.notified_on, i.id)));
        let rule = &self.packs.in_force_or_first(on)?.institution_agreement;
        Ok(Hearing {
            required: rule.statement_required,
            days: rule.statement_days,
            article: rule.statement_article.clone(),
            intents,
        })
    }

    /// 陈述申辩: the institution states its case with evidence within 7 days, or waives them.
    pub fn state_case(&self, caller: &Caller, code: &str, id: i64, req: &NewStatement) -> Result<IntentView> {
        caller.require_institution(Action::StateCase, code)?;
        let stated_on = parse_date("stated_on", &req.stated_on)?;
        limits::check_note("statement", &req.statement)?;
        limits::check_note("evidence", &req.evidence)?;
        if !req.waived {
            non_empty("statement", &req.statement)?;
        }
        self.write(caller, &[institution_lock(code), Lock::Intent(id)], |c, touched| {
            let intent = self.intent_of(c, code, id)?;
            let rule = &self.packs.in_force_or_first(intent.notified_on)?.institution_agreement;
            let until = statement_until(rule, intent.notified_on);
            if stated_on < intent.notified_on || stated_on > until {
                return Err(Error::invalid(
                    "statement_late",
                    "stated_on",
                    format!(
                        "told on {}, the institution may state its case from then until {until} ({})",
                        intent.notified_on, rule.statement_article
                    ),
                    format!(
                        "{}告知，陈述申辩应在{until}（含）前提出（{}）",
                        intent.notified_on, rule.statement_article
                    ),
                ));
            }
            if facts::statement_of(c, id)?.is_some() {
                return Err(Error::conflict(
                    "already_stated",
                    "the institution has already stated its case",
                    "已提出陈述申辩",
                ));
            }
            if facts::intent_decision_of(c, id)?.is_some() {
                return Err(Error::conflict("intent_decided", "the decision is already made", "已作出处理决定"));
            }
            let s = facts::insert_statement(c, id, stated_on, req.waived, req.statement.trim(), req.evidence.trim())?;
            touched.fact("agreement_statements", s);
            self.intent_view(c, id)
        })
    }

    fn intent_of(&self, c: &mut DbConn, code: &str, id: i64) -> Result<IntentRow> {
        facts::intent(c, id)?
            .filter(|i| i.institution_code == code)
            .ok_or_else(|| Error::not_found("notice of intent", "处理决定告知"))
    }

    fn intent_view(&self, c: &mut DbConn, id: i64) -> Result<IntentView> {
        let i = facts::intent(c, id)?.ok_or_else(|| Error::not_found("notice of intent", "处理决定告知"))?;
        let rule = &self.packs.in_force_or_first(i.notified_on)?.institution_agreement;
        let until = statement_until(rule, i.notified_on);
        let statement = facts::statement_of(c, id)?;
        let decide_from = match &statement {
            Some(s) if s.waived => s.stated_on,
            _ => until.succ_opt().unwrap_or(until),
        };
        Ok(IntentView {
            id,
            institution_code: i.institution_code,
            action: i.action,
            department: i.department,
            facts: i.facts,
            basis: i.basis,
            notified_on: i.notified_on,
            statement_until: until,
            decide_from,
            statement: statement.map(|s| StatementView {
                stated_on: s.stated_on,
                waived: s.waived,
                statement: s.statement,
                evidence: s.evidence,
            }),
            decision: facts::intent_decision_of(c, id)?.map(|d| IntentDecisionView {
                event_id: d.event_id,
                decided_on: d.decided_on,
                adopted: d.adopted,
                response: d.response,
            }),
            article: rule.statement_article.clone(),
        })
    }

    /// 吉林 第四十九条, inside the decision's transaction: the notice of intent the decision
    /// follows, its 7 days passed or waived, and the answer to a statement. → the intent to record
    /// the decision against, with the answer.
    pub(crate) fn check_intent(
        &self,
        c: &mut DbConn,
        code: &str,
        action: AgreementAction,
        department: Option<&str>,
        on: NaiveDate,
        u: &IntentUse,
    ) -> Result<Option<(i64, Option<bool>, String)>> {
        let rule = &self.packs.in_force_or_first(on)?.institution_agreement;
        let article = &rule.statement_article;
        let Some(id) = u.id else {
            if !rule.statement_required {
                return Ok(None);
            }
            return Err(Error::invalid(
                "intent_required",
                "intent_id",
                format!("tell the institution the intended decision, its facts and basis first, and give it {} days to state its case (POST /institutions/{code}/agreement/intents; {article})", rule.statement_days),
                format!("作出协议处理决定前，应先告知拟作出的处理决定及事实、依据，并给予{}日陈述申辩期（{article}）", rule.statement_days),
            ));
        };
        let intent = self.intent_of(c, code, id)?;
        if intent.action != action || intent.department.as_deref() != department {
            return Err(Error::invalid(
                "invalid_intent",
                "intent_id",
                format!("notice of intent {id} told of another decision ({})", intent.action.as_str()),
                format!("告知{id}所告知的处理决定与本决定不同"),
            ));
        }
        if facts::intent_decision_of(c, id)?.is_some() {
            return Err(Error::conflict(
                "intent_decided",
                "a decision already followed this notice of intent",
                "该告知已作出处理决定",
            ));
        }
        let until = statement_until(rule, intent.notified_on);
        let statement = facts::statement_of(c, id)?;
        let waived = statement.as_ref().is_some_and(|s| s.waived);
        if on < intent.notified_on || (!waived && on <= until) {
            return Err(Error::invalid(
                "statement_period",
                "on",
                format!(
                    "told on {}, the institution may state its case until {until}: a decision dated {on} is before that ends ({article})",
                    intent.notified_on
                ),
                format!("{}告知，陈述申辩期至{until}（含），处理决定不得早于期满（{article}）", intent.notified_on),
            ));
        }
        let response = u.response.map(str::trim).unwrap_or("");
        if statement.as_ref().is_some_and(|s| !s.waived) && response.is_empty() {
            return Err(Error::invalid(
                "missing_field",
                "statement_response",
                format!("the institution stated its case: adopt it or say why not ({article})"),
                format!("定点医药机构已陈述申辩：成立的应予采纳，不予采纳的应说明理由（{article}）"),
            ));
        }
        limits::check_note("statement_response", response)?;
        let adopted = statement.filter(|s| !s.waived).map(|_| u.adopted.unwrap_or(false));
        Ok(Some((id, adopted, response.to_string())))
    }
}
