//! Termination cases: the second suspension within an agreement term is grounds for
//! termination (聊城 第三十一条(一)); the agency terminates or takes no action.

use chrono::NaiveDate;
use serde::Serialize;

use super::cascade_cases::DecideCascade;
use super::{non_empty, Change};
use crate::domain::codes::region_of;
use crate::domain::dates::parse_date;
use crate::error::{Error, Result};
use crate::rules::institution::{suspensions_in_term, termination_due, InstitutionPeriods};
use crate::service::{institution_lock, Action, App, Caller, Lock, Touched};
use crate::store::facts::{self, AgreementAction, TerminationDecision};
use crate::store::DbConn;

impl App {
    /// 聊城 第三十一条(一): the second suspension within the agreement term opens a case.
    pub(super) fn open_termination_case(
        &self,
        c: &mut DbConn,
        touched: &mut Touched,
        code: &str,
        on: NaiveDate,
    ) -> Result<()> {
        let f = facts::institution_facts(c, code)?.ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
        let (term_start, term_end) = InstitutionPeriods::of(&f, &self.packs).term_on(on);
        let rule = &self.packs.in_force_or_first(on)?.institution_agreement;
        let events = facts::institution_events_of(c, code)?;
        let starts = events.iter().filter(|e| e.own_violation_suspension()).map(|e| e.from_on);
        let in_term = suspensions_in_term(starts, term_start, term_end);
        if termination_due(rule, in_term) && facts::termination_case_for(c, code, term_start)?.is_none() {
            let id =
                facts::insert_termination_case(c, code, term_start, on, in_term as i32, &rule.termination_article)?;
            touched.fact("termination_cases", id);
        }
        Ok(())
    }

    pub fn termination_cases(&self, caller: &Caller) -> Result<Vec<TerminationCaseView>> {
        caller.permit(Action::ReadCases)?;
        let region = caller.region();
        let mut c = self.conn()?;
        let mut out = Vec::new();
        for r in facts::termination_cases_all(&mut c)? {
            if region.is_some_and(|reg| region_of(&r.institution_code) != Some(reg)) {
                continue;
            }
            out.push(termination_view(&mut c, r)?);
        }
        Ok(out)
    }

    pub fn termination_case(&self, caller: &Caller, id: i64) -> Result<TerminationCaseView> {
        caller.permit(Action::ReadCases)?;
        let mut c = self.conn()?;
        let r =
            facts::termination_case(&mut c, id)?.ok_or_else(|| Error::not_found("termination case", "解除协议案件"))?;
        caller.require_institution(Action::ReadCases, &r.institution_code)?;
        termination_view(&mut c, r)
    }

    /// The agency terminates the agreement or takes no action, with a reason.
    pub fn decide_termination_case(
        &self,
        caller: &Caller,
        id: i64,
        req: &DecideCascade,
    ) -> Result<TerminationCaseView> {
        caller.permit(Action::DecideTerminationCase)?;
        let case = {
            let mut c = self.conn()?;
            facts::termination_case(&mut c, id)?.ok_or_else(|| Error::not_found("termination case", "解除协议案件"))?
        };
        caller.require_institution(Action::DecideTerminationCase, &case.institution_code)?;
        let on = parse_date("on", &req.on)?;
        non_empty("reason", &req.reason)?;
        crate::domain::limits::check_note("reason", &req.reason)?;
        // 聊城 第三十一条(一)、吉林 第四十七条(一) 应解除: terminate, or defer with the reason
        // recorded — never closed as "none".
        let decision = match TerminationDecision::parse(&req.decision) {
            Some(TerminationDecision::NoAction) => {
                return Err(Error::invalid(
                    "termination_required",
                    "decision",
                    format!(
                        "{}: the agreement is to be terminated (应解除): decide terminate, or defer with the reason",
                        case.article
                    ),
                    format!(
                        "{}：应解除医保协议，处理决定应为 terminate（解除），或写明理由 defer（暂缓）",
                        case.article
                    ),
                ))
            }
            Some(d) => d,
            None => {
                return Err(Error::invalid(
                    "invalid_decision",
                    "decision",
                    "decision is terminate or defer",
                    "处理决定应为 terminate（解除）或 defer（暂缓，须写明理由）",
                ))
            }
        };
        let reason = format!("{}：{}", case.article, req.reason);
        let mut change = Change::plain(AgreementAction::Terminate, on, None, &reason, &case.article, None);
        change.cause = Some(super::agreement::termination_cause(req.cause.as_deref(), false, false)?);
        change.needs_intent = true;
        change.intent = super::intents::IntentUse {
            id: req.intent_id,
            response: req.statement_response.as_deref(),
            adopted: req.statement_adopted,
        };
        let (locks, related) = if decision == TerminationDecision::Terminate {
            self.event_locks(&case.institution_code, &change, &[Lock::TerminationCase(id)])?
        } else {
            (vec![institution_lock(&case.institution_code), Lock::TerminationCase(id)], Vec::new())
        };
        // The decision and the termination it orders are one transaction.
        self.write(caller, &locks, |c, touched| {
            if facts::termination_decision(c, id)?.is_some() {
                return Err(Error::conflict("already_decided", "this case is already decided", "该案件已作出处理决定"));
            }
            let d = facts::insert_termination_decision(c, id, decision, &req.reason, on)?;
            touched.fact("termination_case_decisions", d);
            if decision == TerminationDecision::Terminate {
                self.apply_institution_event(c, touched, &case.institution_code, &change, &related)?;
            }
            let r =
                facts::termination_case(c, id)?.ok_or_else(|| Error::not_found("termination case", "解除协议案件"))?;
            termination_view(c, r)
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TerminationCaseView {
    pub id: i64,
    pub institution_code: String,
    pub term_start: NaiveDate,
    pub opened_on: NaiveDate,
    pub suspensions: i32,
    pub article: String,
    /// `open`, `decided` (terminated; `none` before 应解除 was enforced) or `deferred`.
    pub status: &'static str,
    pub decision: Option<TerminationDecision>,
    pub reason: Option<String>,
    pub decided_on: Option<NaiveDate>,
}

fn termination_view(c: &mut DbConn, r: facts::TerminationCaseRow) -> Result<TerminationCaseView> {
    let d = facts::termination_decision(c, r.id)?;
    Ok(TerminationCaseView {
        id: r.id,
        institution_code: r.institution_code,
        term_start: r.term_start,
        opened_on: r.opened_on,
        suspensions: r.suspensions,
        article: r.article,
        status: match d.as_ref().map(|d| d.decision) {
            None => "open",
            Some(TerminationDecision::Defer) => "deferred",
            Some(_) => "decided",
        },
        decision: d.as_ref().map(|d| d.decision),
        reason: d.as_ref().map(|d| d.reason.clone()),
        decided_on: d.map(|d| d.decided_on),
    })
}
