//! 六(一) objections: the institution objects for its staff to the local agency (an officer of
//! the deduction's county or the city, or the agency), which upholds or rejects with evidence
//! and notifies the institution in writing. Against a rejection the institution may go to the
//! administrative department within 10 working days of *receiving that written notice* (对医保
//! 经办机构作出的处理决定仍有异议的，可在接到书面通知后10个工作日内…): the days run from the
//! agency's decision, never from the deduction. The department's decision (recorded by the
//! admin role, `decide_escalation`) has its own notice. Upholding at either level revokes the
//! deduction and recomputes the cycle.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::inspections::Revocation;
use super::{person_lock, Action, App, Caller, Lock};
use crate::domain::dates::parse_date;
use crate::error::{Error, Result};
use crate::rules::status::PayabilityChange;
use crate::store::due_process::{self, ObjectionLevel, ObjectionRow, ObjectionRuling};
use crate::store::notice_body::NoticeBody;
use crate::store::{facts, DbConn};

/// `POST /deductions/{id}/objections`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewObjection {
    #[schema(format = Date)]
    pub filed_on: String,
    pub grounds: String,
    /// The objecting institution; defaults to the HR token's, or the inspected one.
    pub institution_code: Option<String>,
}

/// `POST /objections/{id}/decide`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DecideObjection {
    pub decision: String,
    #[schema(format = Date)]
    pub decided_on: String,
    #[serde(default)]
    pub evidence: String,
}

/// `POST /objections/{id}/escalate`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct EscalateObjection {
    #[schema(format = Date)]
    pub on: String,
}

/// `POST /objections/{id}/escalation/decide`: the administrative department's decision (admin).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DecideEscalation {
    pub decision: String,
    #[schema(format = Date)]
    pub decided_on: String,
    /// The department's reasoning.
    #[serde(default, alias = "evidence")]
    pub reasoning: String,
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
    /// The date of the deduction's written notice (how to object to the agency).
    pub notice_date: NaiveDate,
    /// The agency's written decision on the objection (`GET /notices/{id}`), once decided.
    pub decision_notice_id: Option<i64>,
    /// After a rejection: the day its notice counts as received (acknowledged, or its date plus
    /// the delivery allowance); the escalation period runs from it.
    pub decision_received_on: Option<NaiveDate>,
    /// After a rejection: the last day to escalate, the 10th working day after
    /// `decision_received_on`; `None` before a rejection or outside the calendar.
    pub escalation_deadline: Option<NaiveDate>,
    /// After a rejection: to whom (六(一): 属地医保行政部门).
    pub escalate_to: Option<String>,
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
                // 六(一): an escalation is the administrative department's, not the agency's.
                "escalated" => {
                    return Err(Error::conflict(
                        "escalated",
                        format!("objection {id} is escalated: the administrative department decides it (POST /objections/{id}/escalation/decide, admin)"),
                        format!("该异议已提交医保行政部门，由行政部门作出处理决定（POST /objections/{id}/escalation/decide，系统管理员录入）"),
                    ))
                }
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
            self.apply_objection_decision(c, touched, &o, &person, level, ruling, on, req.evidence.trim())
        })
    }

    /// 六(一) 医保行政部门按规定作出处理: the department's decision on an escalated objection,
    /// recorded by the admin role, with its own written notice; `uphold` revokes the deduction.
    pub fn decide_escalation(&self, caller: &Caller, id: i64, req: &DecideEscalation) -> Result<Objection> {
        caller.permit(Action::DecideEscalation)?;
        let (o, person) = self.objection_in_scope(caller, Action::DecideEscalation, id)?;
        let on = parse_date("decided_on", &req.decided_on)?;
        crate::domain::limits::check_note("reasoning", &req.reasoning)?;
        let Some(ruling) = ObjectionRuling::parse(&req.decision) else {
            let other = &req.decision;
            return Err(Error::invalid(
                "invalid_decision",
                "decision",
                format!("decision '{other}' is uphold or reject"),
                format!("处理决定 '{other}' 应为 uphold（采纳）或 reject（驳回）"),
            ));
        };
        self.write(caller, &[person_lock(&person), Lock::Objection(id)], |c, touched| {
            match objection_status(c, &o)? {
                "escalated" => {}
                "upheld_by_department" | "rejected_by_department" => {
                    return Err(Error::conflict(
                        "already_decided",
                        "the administrative department has already decided this objection",
                        "行政部门已对该异议作出处理决定",
                    ))
                }
                _ => {
                    return Err(Error::conflict(
                        "not_escalated",
                        "only an objection escalated to the administrative department can be decided here",
                        "仅已提交医保行政部门的异议可在此作出处理决定",
                    ))
                }
            }
            let escalated_on = due_process::escalation_of(c, id)?.unwrap_or(o.filed_on);
            if on < escalated_on {
                return Err(Error::invalid(
                    "invalid_date",
                    "decided_on",
                    format!("decided_on is before the escalation ({escalated_on})"),
                    format!("处理日期早于提交行政部门的日期（{escalated_on}）"),
                ));
            }
            let level = ObjectionLevel::Department;
            self.apply_objection_decision(c, touched, &o, &person, level, ruling, on, req.reasoning.trim())
        })
    }

    /// Records a decision, its written notice to the objecting institution, and for `uphold` the
    /// revocation, inside the caller's write transaction (which holds the person's lock).
    #[allow(clippy::too_many_arguments)]
    fn apply_objection_decision(
        &self,
        c: &mut DbConn,
        touched: &mut super::Touched,
        o: &ObjectionRow,
        person: &str,
        level: ObjectionLevel,
        ruling: ObjectionRuling,
        on: NaiveDate,
        evidence: &str,
    ) -> Result<Objection> {
        let d = due_process::insert_decision(c, o.id, level, ruling, on, evidence)?;
        touched.fact("objection_decisions", d);
        self.notify_objection_decision(c, o, person, level, ruling, on, evidence)?;
        let mut affected = Vec::new();
        if ruling == ObjectionRuling::Uphold {
            let reason = format!(
                "六(一) 异议成立（{}）：{}",
                if level == ObjectionLevel::Agency { "经办机构" } else { "行政部门" },
                evidence
            );
            let revocation = Revocation { deduction_id: o.deduction_id, on, reason: &reason, source: "objection" };
            let ledger = self.apply_revocation(c, touched, person, &revocation)?;
            affected = ledger.affected_periods;
        }
        self.objection_view(c, o.id, affected)
    }

    /// To the administrative department, after the agency's rejection, within 10 working days of
    /// receiving its written notice (六(一)).
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
            let r = self.rejection_of(c, &o)?.ok_or_else(|| {
                Error::conflict(
                    "not_rejected",
                    "only an objection the agency rejected can be escalated",
                    "仅经办机构驳回的异议可向行政部门提出",
                )
            })?;
            let rule = self.objection_rule(r.rejected_on)?;
            let (days, article) = (rule.working_days, &rule.article);
            let (rejected_on, received) = (r.rejected_on, r.received_on);
            if on < rejected_on {
                return Err(Error::invalid(
                    "invalid_date",
                    "on",
                    format!("on is before the agency's decision of {rejected_on}"),
                    format!("日期早于经办机构作出处理决定的日期（{rejected_on}）"),
                ));
            }
            let deadline = r.deadline.ok_or_else(|| {
                Error::invalid(
                    "calendar_missing",
                    "on",
                    format!("no working-day calendar covers the {days} working days after {received}"),
                    format!("节假日安排未覆盖{received}后{days}个工作日"),
                )
            })?;
            if on > deadline {
                return Err(Error::invalid(
                    "deadline_passed",
                    "on",
                    format!(
                        "the {days} working days to escalate the agency's rejection of {rejected_on} (its written notice received on {received}) ended on {deadline} ({article})"
                    ),
                    format!("已超过接到经办机构{rejected_on}作出的处理决定书面通知（{received}接到）后{days}个工作日的期限（{deadline}）（{article}）"),
                ));
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
        let rejection = self.rejection_of(c, &o)?;
        let decision_notice_id = due_process::notices_of_objection(c, id)?
            .into_iter()
            .find(|n| matches!(&n.body, NoticeBody::ObjectionDecision(b) if b.level == ObjectionLevel::Agency))
            .map(|n| n.id);
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
            decision_notice_id,
            decision_received_on: rejection.as_ref().map(|r| r.received_on),
            escalation_deadline: rejection.as_ref().and_then(|r| r.deadline),
            escalate_to: match &rejection {
                Some(r) => Some(self.objection_rule(r.rejected_on)?.department.clone()),
                None => None,
            },
            escalated_on: due_process::escalation_of(c, id)?,
            decisions,
            affected_periods: affected,
            article: "六(一)",
        })
    }
}

/// The agency's rejection of an objection and the escalation period it opened (六(一)).
struct Rejection {
    rejected_on: NaiveDate,
    /// The day its written notice counts as received.
    received_on: NaiveDate,
    /// The 10th working day after `received_on`; `None` outside the calendar.
    deadline: Option<NaiveDate>,
}

impl App {
    /// The agency's rejection, if the agency rejected the objection: from the day its written
    /// notice counts as received (acknowledged, or its date plus the delivery allowance).
    fn rejection_of(&self, c: &mut DbConn, o: &ObjectionRow) -> Result<Option<Rejection>> {
        let decisions = due_process::decisions_of(c, o.id)?;
        let Some(agency) = decisions.iter().find(|d| d.level == ObjectionLevel::Agency) else {
            return Ok(None);
        };
        if agency.decision != ObjectionRuling::Reject {
            return Ok(None);
        }
        let notice = due_process::notices_of_objection(c, o.id)?
            .into_iter()
            .find(|n| matches!(&n.body, NoticeBody::ObjectionDecision(b) if b.level == ObjectionLevel::Agency));
        let received_on = match notice {
            Some(n) => self.notice_views(c, vec![n])?.pop().map_or(agency.decided_on, |v| v.deemed_received_on),
            // A rejection recorded before decisions had notices: from its date and the allowance.
            None => self.deemed_receipt(c, agency.decided_on)?,
        };
        let days = self.objection_rule(agency.decided_on)?.working_days;
        Ok(Some(Rejection {
            rejected_on: agency.decided_on,
            received_on,
            deadline: self.working_days_after(received_on, days).ok(),
        }))
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
