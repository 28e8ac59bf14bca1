//! 六(一) objections: the institution objects for its staff to the local agency, which upholds
//! or rejects with evidence; a rejected objection may go to the administrative department
//! within 10 working days of the written notice, whose decision is final. Upholding at either
//! level revokes the deduction and recomputes the cycle.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::inspections::Revocation;
use super::{person_lock, Action, App, Caller, Lock};
use crate::domain::dates::parse_date;
use crate::error::{Error, Result};
use crate::rules::status::PayabilityChange;
use crate::store::due_process::{self, ObjectionLevel, ObjectionRow, ObjectionRuling};
use crate::store::{facts, DbConn};

/// `POST /deductions/{id}/objections`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewObjection {
    pub filed_on: String,
    pub grounds: String,
    /// The objecting institution; defaults to the HR token's, or the inspected one.
    pub institution_code: Option<String>,
}

/// `POST /objections/{id}/decide`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DecideObjection {
    pub decision: String,
    pub decided_on: String,
    #[serde(default)]
    pub evidence: String,
}

/// `POST /objections/{id}/escalate`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EscalateObjection {
    pub on: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ObjectionDecision {
    /// `agency` (经办机构) or `department` (医保行政部门).
    pub level: ObjectionLevel,
    pub decision: ObjectionRuling,
    pub decided_on: NaiveDate,
    pub evidence: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Objection {
    pub id: i64,
    pub deduction_id: i64,
    pub personnel_code: String,
    pub institution_code: String,
    pub filed_on: NaiveDate,
    pub grounds: String,
    /// filed → upheld | rejected → escalated → upheld | rejected (final)
    pub status: &'static str,
    pub notice_date: NaiveDate,
    /// The last day to escalate (10 working days after the notice); `None` outside the calendar.
    pub escalation_deadline: Option<NaiveDate>,
    pub escalated_on: Option<NaiveDate>,
    pub decisions: Vec<ObjectionDecision>,
    /// When upheld: the days whose claims are now payable (to pay back refused claims).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub affected_periods: Vec<PayabilityChange>,
    pub article: &'static str,
}

impl App {
    pub fn file_objection(&self, caller: &Caller, deduction_id: i64, req: &NewObjection) -> Result<Objection> {
        caller.permit(Action::FileObjection)?;
        let d = {
            let mut c = self.conn()?;
            facts::deduction(&mut c, deduction_id)?.ok_or_else(|| Error::not_found("deduction", "扣分记录"))?
        };
        // 六(一): the inspected institution objects for its staff member; a registration at
        // another institution grants no power over this deduction.
        caller.require_institution(Action::FileObjection, &d.institution_code)?;
        let filed_on = parse_date("filed_on", &req.filed_on)?;
        if req.grounds.trim().is_empty() {
            return Err(Error::invalid("missing_field", "grounds", "grounds must not be empty", "异议理由不能为空"));
        }
        crate::domain::limits::check_note("grounds", &req.grounds)?;
        if filed_on < d.decided_on {
            return Err(Error::invalid(
                "invalid_date",
                "filed_on",
                "filed_on is before the decision",
                "异议日期早于处理决定日期",
            ));
        }
        let institution = caller
            .hr_institution()
            .map(str::to_string)
            .or_else(|| req.institution_code.clone().map(|s| s.trim().to_ascii_uppercase()))
            .unwrap_or_else(|| d.institution_code.clone());
        self.write(caller, &[person_lock(&d.personnel_code)], |c, touched| {
            if facts::revocation_of(c, deduction_id)?.is_some() {
                return Err(Error::conflict(
                    "already_revoked",
                    "this deduction is already revoked",
                    "该扣分记录已撤销",
                ));
            }
            let open = due_process::objections_of_deduction(c, deduction_id)?;
            for o in &open {
                if objection_status(c, o)? == "filed" {
                    return Err(Error::conflict(
                        "objection_pending",
                        "an objection to this deduction is pending",
                        "该扣分已有待处理的异议",
                    ));
                }
            }
            let id = due_process::insert_objection(c, deduction_id, &institution, filed_on, req.grounds.trim())?;
            touched.fact("objections", id);
            self.objection_view(c, id, Vec::new())
        })
    }

    pub fn objection(&self, caller: &Caller, id: i64) -> Result<Objection> {
        self.objection_in_scope(caller, Action::ReadObjection, id)?;
        let mut c = self.conn()?;
        self.objection_view(&mut c, id, Vec::new())
    }

    /// The agency decides a filed objection; the department an escalated one (final).
    pub fn decide_objection(&self, caller: &Caller, id: i64, req: &DecideObjection) -> Result<Objection> {
        caller.permit(Action::DecideObjection)?;
        let (o, person) = self.objection_in_scope(caller, Action::DecideObjection, id)?;
        let on = parse_date("decided_on", &req.decided_on)?;
        crate::domain::limits::check_note("evidence", &req.evidence)?;
        let Some(ruling) = ObjectionRuling::parse(&req.decision) else {
            let other = &req.decision;
            return Err(Error::invalid(
                "invalid_decision",
                "decision",
                format!("decision '{other}' is uphold or reject"),
                format!("处理决定 '{other}' 应为 uphold（采纳）或 reject（驳回）"),
            ));
        };
        // The decision and the revocation an upheld objection causes are one transaction.
        self.write(caller, &[person_lock(&person), Lock::Objection(id)], |c, touched| {
            let level = match objection_status(c, &o)? {
                "filed" => ObjectionLevel::Agency,
                "escalated" => ObjectionLevel::Department,
                _ => {
                    return Err(Error::conflict(
                        "already_decided",
                        "this objection is already decided",
                        "该异议已作出处理决定",
                    ))
                }
            };
            if on < o.filed_on {
                return Err(Error::invalid(
                    "invalid_date",
                    "decided_on",
                    "decided_on is before the objection",
                    "处理日期早于异议日期",
                ));
            }
            let d = due_process::insert_decision(c, id, level, ruling, on, req.evidence.trim())?;
            touched.fact("objection_decisions", d);
            let mut affected = Vec::new();
            if ruling == ObjectionRuling::Uphold {
                let reason = format!(
                    "六(一) 异议成立（{}）：{}",
                    if level == ObjectionLevel::Agency { "经办机构" } else { "行政部门" },
                    req.evidence.trim()
                );
                let revocation = Revocation { deduction_id: o.deduction_id, on, reason: &reason, source: "objection" };
                let ledger = self.apply_revocation(c, touched, &person, &revocation)?;
                affected = ledger.affected_periods;
            }
            self.objection_view(c, id, affected)
        })
    }

    /// To the administrative department, within 10 working days of the notice, after a reject.
    pub fn escalate_objection(&self, caller: &Caller, id: i64, req: &EscalateObjection) -> Result<Objection> {
        caller.permit(Action::EscalateObjection)?;
        let (o, person) = self.objection_in_scope(caller, Action::EscalateObjection, id)?;
        let on = parse_date("on", &req.on)?;
        self.write(caller, &[person_lock(&person), Lock::Objection(id)], |c, touched| {
            if objection_status(c, &o)? != "rejected" {
                return Err(Error::conflict(
                    "not_rejected",
                    "only an objection the agency rejected can be escalated",
                    "仅经办机构驳回的异议可向行政部门提出",
                ));
            }
            let notice_date = notice_date_of(c, &o)?;
            let rule = self.objection_rule(notice_date)?;
            let (days, article) = (rule.working_days, &rule.article);
            let deadline = self.objection_deadline(notice_date).ok_or_else(|| {
                Error::invalid(
                    "calendar_missing",
                    "on",
                    format!("no working-day calendar covers the {days} working days after {notice_date}"),
                    format!("节假日安排未覆盖{notice_date}后{days}个工作日"),
                )
            })?;
            if on > deadline {
                return Err(Error::invalid(
                    "deadline_passed",
                    "on",
                    format!(
                        "the {days} working days after the notice of {notice_date} ended on {deadline} ({article})"
                    ),
                    format!("已超过书面通知（{notice_date}）后{days}个工作日的期限（{deadline}）（{article}）"),
                ));
            }
            if on < notice_date {
                return Err(Error::invalid("invalid_date", "on", "on is before the notice", "日期早于书面通知日期"));
            }
            let e = due_process::insert_escalation(c, id, on)?;
            touched.fact("objection_escalations", e);
            self.objection_view(c, id, Vec::new())
        })
    }

    /// An objection belongs to the institution that filed it (the inspected one) and to the
    /// deduction's institution: hr sees its own, a county officer those of the county.
    fn objection_in_scope(&self, caller: &Caller, action: Action, id: i64) -> Result<(ObjectionRow, String)> {
        let mut c = self.conn()?;
        let o = due_process::objection(&mut c, id)?.ok_or_else(|| Error::not_found("objection", "异议"))?;
        let d = facts::deduction(&mut c, o.deduction_id)?.ok_or_else(|| Error::not_found("deduction", "扣分记录"))?;
        caller.permit(action)?;
        if !(caller.covers_institution(&o.institution_code) && caller.covers_institution(&d.institution_code)) {
            return Err(Error::not_found("objection", "异议"));
        }
        Ok((o, d.personnel_code))
    }

    fn objection_view(&self, c: &mut DbConn, id: i64, affected: Vec<PayabilityChange>) -> Result<Objection> {
        let o = due_process::objection(c, id)?.ok_or_else(|| Error::not_found("objection", "异议"))?;
        let d = facts::deduction(c, o.deduction_id)?.ok_or_else(|| Error::not_found("deduction", "扣分记录"))?;
        let notice_date = notice_date_of(c, &o)?;
        let decisions = due_process::decisions_of(c, id)?
            .into_iter()
            .map(|x| ObjectionDecision {
                level: x.level,
                decision: x.decision,
                decided_on: x.decided_on,
                evidence: x.evidence,
            })
            .collect();
        Ok(Objection {
            id,
            deduction_id: o.deduction_id,
            personnel_code: d.personnel_code,
            institution_code: o.institution_code.clone(),
            filed_on: o.filed_on,
            grounds: o.grounds.clone(),
            status: objection_status(c, &o)?,
            notice_date,
            escalation_deadline: self.objection_deadline(notice_date),
            escalated_on: due_process::escalation_of(c, id)?,
            decisions,
            affected_periods: affected,
            article: "六(一)",
        })
    }
}

/// The date of the deduction's written notice (its decision date).
fn notice_date_of(c: &mut DbConn, o: &ObjectionRow) -> Result<NaiveDate> {
    let notices = due_process::notices_of_deduction(c, o.deduction_id)?;
    match notices.first() {
        Some(n) => Ok(n.notice_date),
        None => Ok(facts::deduction(c, o.deduction_id)?
            .ok_or_else(|| Error::not_found("deduction", "扣分记录"))?
            .decided_on),
    }
}

fn objection_status(c: &mut DbConn, o: &ObjectionRow) -> Result<&'static str> {
    let decisions = due_process::decisions_of(c, o.id)?;
    let escalated = due_process::escalation_of(c, o.id)?.is_some();
    let agency = decisions.iter().find(|d| d.level == ObjectionLevel::Agency);
    let department = decisions.iter().find(|d| d.level == ObjectionLevel::Department);
    Ok(match (agency, escalated, department) {
        (None, _, _) => "filed",
        (Some(a), _, _) if a.decision == ObjectionRuling::Uphold => "upheld",
        (Some(_), false, _) => "rejected",
        (Some(_), true, None) => "escalated",
        (Some(_), true, Some(d)) if d.decision == ObjectionRuling::Uphold => "upheld_by_department",
        (Some(_), true, Some(_)) => "rejected_by_department",
    })
}
