//! 30 % cases (五(三)): an officer suspends, terminates or takes no action, with a reason.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{non_empty, Change};
use crate::domain::codes::region_of;
use crate::domain::dates::parse_date;
use crate::error::{Error, Result};
use crate::rules::institution::violation_suspension_end;
use crate::service::{institution_lock, Action, App, Caller, Lock};
use crate::store::facts::{self, AgreementAction, CascadeDecision};
use crate::store::DbConn;

/// `POST /cascade-cases/{id}/decide`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DecideCascade {
    pub decision: String,
    pub reason: String,
    #[schema(format = Date)]
    pub on: String,
    #[schema(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub until: Option<String>,
    /// A termination's cause (violation, breach, fraud): decides the re-application bar;
    /// `breach` (违约) unless given.
    #[serde(default)]
    pub cause: Option<String>,
    /// 吉林 第四十九条: the notice of intent a suspension or termination follows, and the answer
    /// to the institution's statement.
    #[serde(default)]
    pub intent_id: Option<i64>,
    #[serde(default)]
    pub statement_response: Option<String>,
    #[serde(default)]
    pub statement_adopted: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CascadeCaseView {
    pub id: i64,
    pub institution_code: String,
    pub cycle_year: i32,
    pub numerator: i32,
    pub denominator: i32,
    pub opened_on: NaiveDate,
    /// `open` or `decided`.
    pub status: &'static str,
    pub decision: Option<CascadeDecision>,
    pub reason: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub article: String,
}

impl App {
    pub fn cascade_cases(&self, caller: &Caller) -> Result<Vec<CascadeCaseView>> {
        caller.permit(Action::ReadCases)?;
        let region = caller.region();
        let mut c = self.conn()?;
        let rows = facts::cascade_cases_all(&mut c)?;
        let mut out = Vec::new();
        for r in rows {
            if region.is_some_and(|reg| region_of(&r.institution_code) != Some(reg)) {
                continue;
            }
            out.push(self.case_view(&mut c, r)?);
        }
        Ok(out)
    }

    pub fn cascade_case(&self, caller: &Caller, id: i64) -> Result<CascadeCaseView> {
        caller.permit(Action::ReadCases)?;
        let mut c = self.conn()?;
        let row = facts::cascade_case(&mut c, id)?.ok_or_else(|| Error::not_found("cascade case", "联动处理案件"))?;
        caller.require_institution(Action::ReadCases, &row.institution_code)?;
        self.case_view(&mut c, row)
    }

    fn case_view(&self, c: &mut DbConn, r: facts::CascadeCaseRow) -> Result<CascadeCaseView> {
        let d = facts::cascade_decision(c, r.id)?;
        Ok(CascadeCaseView {
            id: r.id,
            institution_code: r.institution_code,
            cycle_year: r.cycle_year,
            numerator: r.numerator,
            denominator: r.denominator,
            opened_on: r.opened_on,
            status: if d.is_some() { "decided" } else { "open" },
            decision: d.as_ref().map(|d| d.decision),
            reason: d.as_ref().map(|d| d.reason.clone()),
            decided_on: d.as_ref().map(|d| d.decided_on),
            until: d.as_ref().and_then(|d| d.until_on),
            article: "五(三)".into(),
        })
    }

    /// 五(三): the officer decides to suspend, terminate or take no action, with a reason.
    pub fn decide_cascade(&self, caller: &Caller, id: i64, req: &DecideCascade) -> Result<CascadeCaseView> {
        caller.permit(Action::DecideCascade)?;
        let case = {
            let mut c = self.conn()?;
            facts::cascade_case(&mut c, id)?.ok_or_else(|| Error::not_found("cascade case", "联动处理案件"))?
        };
        caller.require_institution(Action::DecideCascade, &case.institution_code)?;
        let on = parse_date("on", &req.on)?;
        let until = req.until.as_deref().filter(|s| !s.is_empty()).map(|u| parse_date("until", u)).transpose()?;
        non_empty("reason", &req.reason)?;
        crate::domain::limits::check_note("reason", &req.reason)?;
        let Some(decision) = CascadeDecision::parse(&req.decision) else {
            return Err(Error::invalid(
                "invalid_decision",
                "decision",
                "decision is suspend, terminate or none",
                "处理决定应为 suspend（中止）、terminate（解除）或 none（不处理）",
            ));
        };
        if until.is_some_and(|u| u <= on) {
            return Err(Error::invalid("invalid_period", "until", "until must be after on", "恢复日期应晚于决定日期"));
        }
        let reason = format!("五(三) 联动处理：{}", req.reason);
        // 五(三) with 吉林 第四十六条: a suspension decided on a 30 % case is one for violations,
        // at most a year; without `until` it ends a year after `on`.
        let rule = &self.packs.in_force_or_first(on)?.institution_agreement;
        let article = format!("五(三)；{}", rule.violation_article);
        let until = match decision {
            CascadeDecision::Suspend => Some(
                violation_suspension_end(rule, on, until)
                    .map_err(|latest| super::agreement::suspension_too_long(on, latest, &article))?,
            ),
            _ => until,
        };
        let change = match decision {
            CascadeDecision::Suspend => {
                let mut ch = Change::plain(AgreementAction::Suspend, on, until, &reason, "五(三)", Some(id));
                ch.needs_intent = true;
                Some(ch)
            }
            CascadeDecision::Terminate => {
                let mut ch = Change::plain(AgreementAction::Terminate, on, None, &reason, "五(三)", Some(id));
                ch.cause = Some(super::agreement::termination_cause(req.cause.as_deref(), false, false)?);
                ch.needs_intent = true;
                Some(ch)
            }
            CascadeDecision::NoAction => None,
        };
        let change = change.map(|mut ch| {
            ch.intent = super::intents::IntentUse {
                id: req.intent_id,
                response: req.statement_response.as_deref(),
                adopted: req.statement_adopted,
            };
            ch
        });
        let (locks, related) = match &change {
            Some(ch) => self.event_locks(&case.institution_code, ch, &[Lock::CascadeCase(id)])?,
            None => (vec![institution_lock(&case.institution_code), Lock::CascadeCase(id)], Vec::new()),
        };
        // The decision and the suspension or termination it orders are one transaction.
        self.write(caller, &locks, |c, touched| {
            if facts::cascade_decision(c, id)?.is_some() {
                return Err(Error::conflict("already_decided", "this case is already decided", "该案件已作出处理决定"));
            }
            let d = facts::insert_cascade_decision(c, id, decision, &req.reason, on, until)?;
            touched.fact("cascade_decisions", d);
            if let Some(ch) = &change {
                self.apply_institution_event(c, touched, &case.institution_code, ch, &related)?;
            }
            let row = facts::cascade_case(c, id)?.ok_or_else(|| Error::not_found("cascade case", "联动处理案件"))?;
            self.case_view(c, row)
        })
    }
}
