//! The content of a written notice (六(一)): one shape per kind of notice, stored as JSON in
//! `notices.body` and returned as is by the API. The row's `kind` says which shape to read; a
//! body that does not have that shape is a read error.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize, Serializer};

use super::due_process::{NoticeKind, ObjectionLevel, ObjectionRuling};
use super::facts::AgreementAction;
use crate::rules::explain::Explanation;
use crate::rules::Sanction;

#[derive(Debug, Clone, PartialEq)]
pub enum NoticeBody {
    Deduction(DeductionNotice),
    /// A sanction decided without a deduction (a failed training test, 三(三)).
    Sanction(SanctionNotice),
    Revocation(RevocationNotice),
    /// A training test revoked: it counts for no date; a termination it caused is withdrawn.
    TestRevocation(TestRevocationNotice),
    /// An institution agreement suspended, restored or terminated (三(四)).
    Institution(InstitutionNotice),
    /// The agency's decision on an objection, or the department's on an escalation (六(一)).
    ObjectionDecision(ObjectionDecisionNotice),
}

/// 六(一): 医保经办机构根据提供的佐证材料作出处理决定 — and its written notice, to the
/// institution that objected. A rejection by the agency says to whom and by when the
/// institution may take it further (对…处理决定仍有异议的，可在接到书面通知后10个工作日内…);
/// the department's decision on an escalation is the last step in jifen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionDecisionNotice {
    pub objection_id: i64,
    pub deduction_id: i64,
    pub personnel_code: String,
    /// The institution that objected (所在单位).
    pub institution_code: String,
    pub filed_on: NaiveDate,
    pub grounds: String,
    /// `agency` (经办机构) or `department` (医保行政部门).
    pub level: ObjectionLevel,
    pub decision: ObjectionRuling,
    pub decided_on: NaiveDate,
    /// The evidence and reasoning of the decision.
    pub evidence: String,
    pub article: String,
    /// What the decision means for the deduction.
    pub zh: String,
    pub en: String,
    /// A rejection by the agency: to whom and by when to escalate. `None` otherwise.
    pub escalation: Option<HowToObject>,
}

/// One deduction, to each institution where the person was registered that day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeductionNotice {
    pub personnel_code: String,
    pub name: String,
    pub inspection: InspectionOfNotice,
    /// Institution code → name, of the institutions notified.
    pub institution_names: BTreeMap<String, String>,
    pub items: Vec<NoticeItem>,
    pub points: u32,
    pub explanation: Explanation,
    pub cycle_year: i32,
    /// The cycle total after this deduction's inspection.
    pub cycle_total: Option<u32>,
    /// The sanctions this deduction caused.
    pub sanctions: Vec<Sanction>,
    pub objection: HowToObject,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectionOfNotice {
    pub institution_code: String,
    pub institution_name: Option<String>,
    pub inspected_on: NaiveDate,
    pub decided_on: NaiveDate,
}

/// A catalogue item (四) the deduction cites.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeItem {
    pub code: String,
    pub article: String,
    pub text: String,
    pub points: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SanctionNotice {
    pub personnel_code: String,
    pub name: String,
    pub decided_on: NaiveDate,
    pub sanctions: Vec<Sanction>,
    pub objection: HowToObject,
}

/// The deduction no longer counts; the sanctions that no longer follow are withdrawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevocationNotice {
    pub personnel_code: String,
    pub deduction_id: i64,
    pub revoked_on: NaiveDate,
    pub reason: String,
    pub points: Option<u32>,
    pub cycle_year: Option<i32>,
    /// The deduction's cycle total at the end of its year, recomputed.
    pub cycle_total: Option<u32>,
    pub withdrawn_sanctions: Vec<Sanction>,
    pub sanctions_now: Vec<Sanction>,
}

/// A training test recorded wrongly and revoked (三(三)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestRevocationNotice {
    pub personnel_code: String,
    pub test_id: i64,
    pub tested_on: NaiveDate,
    pub passed: bool,
    pub revoked_on: NaiveDate,
    pub reason: String,
    pub withdrawn_sanctions: Vec<Sanction>,
    pub sanctions_now: Vec<Sanction>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstitutionNotice {
    pub institution_code: String,
    pub action: AgreementAction,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
    pub reason: String,
    pub article: String,
    /// 三(四): the staff's agreements follow the institution's.
    pub staff: String,
    /// `None` for a restore.
    pub objection: Option<HowToObject>,
}

/// How and by when to object (六(一)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HowToObject {
    pub article: String,
    /// The last day to take a rejected objection to the administrative department.
    pub deadline: Option<NaiveDate>,
    pub zh: String,
    pub en: String,
}

impl NoticeBody {
    pub fn kind(&self) -> NoticeKind {
        match self {
            NoticeBody::Deduction(_) => NoticeKind::Deduction,
            NoticeBody::Sanction(_) => NoticeKind::Sanction,
            NoticeBody::Revocation(_) => NoticeKind::Revocation,
            NoticeBody::TestRevocation(_) => NoticeKind::TestRevocation,
            NoticeBody::Institution(b) => match b.action {
                AgreementAction::Suspend => NoticeKind::InstitutionSuspend,
                AgreementAction::Restore => NoticeKind::InstitutionRestore,
                AgreementAction::Terminate => NoticeKind::InstitutionTerminate,
                AgreementAction::Renew => NoticeKind::InstitutionRenew,
                AgreementAction::NonRenewal => NoticeKind::InstitutionNonRenewal,
                AgreementAction::Inspection => NoticeKind::InstitutionInspection,
            },
            NoticeBody::ObjectionDecision(_) => NoticeKind::ObjectionDecision,
        }
    }

    /// The way to object, on every notice but a revocation or a restore; on an objection's
    /// decision, the way to escalate a rejection.
    pub fn objection(&self) -> Option<&HowToObject> {
        match self {
            NoticeBody::Deduction(b) => Some(&b.objection),
            NoticeBody::Sanction(b) => Some(&b.objection),
            NoticeBody::Revocation(_) | NoticeBody::TestRevocation(_) => None,
            NoticeBody::Institution(b) => b.objection.as_ref(),
            NoticeBody::ObjectionDecision(b) => b.escalation.as_ref(),
        }
    }

    /// The stored body of a notice of `kind`.
    pub fn read(kind: NoticeKind, json: &str) -> Result<Self, String> {
        let body = match kind {
            NoticeKind::Deduction => serde_json::from_str(json).map(NoticeBody::Deduction),
            NoticeKind::Sanction => serde_json::from_str(json).map(NoticeBody::Sanction),
            NoticeKind::Revocation => serde_json::from_str(json).map(NoticeBody::Revocation),
            NoticeKind::TestRevocation => serde_json::from_str(json).map(NoticeBody::TestRevocation),
            NoticeKind::InstitutionSuspend
            | NoticeKind::InstitutionRestore
            | NoticeKind::InstitutionTerminate
            | NoticeKind::InstitutionRenew
            | NoticeKind::InstitutionNonRenewal
            | NoticeKind::InstitutionInspection => serde_json::from_str(json).map(NoticeBody::Institution),
            NoticeKind::ObjectionDecision => serde_json::from_str(json).map(NoticeBody::ObjectionDecision),
        }
        .map_err(|e| format!("the body of a {} notice: {e}", kind.as_str()))?;
        if body.kind() != kind {
            return Err(format!("notice kind {} with a body of kind {}", kind.as_str(), body.kind().as_str()));
        }
        Ok(body)
    }

    /// The text to store.
    pub fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(self)
    }
}

/// Keys in alphabetical order at every level, as the bodies were first written (through a
/// `serde_json::Value`, whose map is sorted): the stored text and the API's answers keep
/// their bytes.
impl Serialize for NoticeBody {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let value = match self {
            NoticeBody::Deduction(b) => serde_json::to_value(b),
            NoticeBody::Sanction(b) => serde_json::to_value(b),
            NoticeBody::Revocation(b) => serde_json::to_value(b),
            NoticeBody::TestRevocation(b) => serde_json::to_value(b),
            NoticeBody::Institution(b) => serde_json::to_value(b),
            NoticeBody::ObjectionDecision(b) => serde_json::to_value(b),
        }
        .map_err(serde::ser::Error::custom)?;
        value.serialize(s)
    }
}
