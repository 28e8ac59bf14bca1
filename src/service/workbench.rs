//! Read-only use-cases of the officer's workbench: the catalogue to pick items from, a recorded
//! inspection, and a person's points through three cycles (the chart of the person page).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::inspections::InspectionResult;
use super::pages::ItemText;
use super::{Action, App, Caller};
use crate::error::{Error, Result};
use crate::rules::SanctionKind;
use crate::store::{facts, workbench};

/// An inspection as recorded, with the names of the institution and the people.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedInspection {
    #[serde(flatten)]
    pub result: InspectionResult,
    pub institution_name: String,
    pub names: HashMap<String, String>,
    /// The deductions of this inspection revoked since (by deduction id): not to be revoked again.
    pub revocations: HashMap<i64, RevocationNote>,
}

/// A revocation of a deduction: when and why (an officer's, or an upheld objection's).
#[derive(Debug, Clone, Serialize)]
pub struct RevocationNote {
    pub revoked_on: chrono::NaiveDate,
    pub reason: String,
}

/// A threshold of 五(一): the total at which a band starts.
#[derive(Debug, Clone, Serialize)]
pub struct Threshold {
    pub min: u32,
    pub sanction: SanctionKind,
    pub months: Option<u32>,
    pub article: String,
}

/// One inspection's step of the cycle total.
#[derive(Debug, Clone, Serialize)]
pub struct PointsStep {
    pub decided_on: NaiveDate,
    /// `None` for an inspection at an institution outside the caller's scope (counted, not named).
    pub inspection_id: Option<i64>,
    pub institution_code: Option<String>,
    pub points: u32,
    pub total_after: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct CycleHistory {
    pub year: i32,
    pub initial_points: u32,
    pub steps: Vec<PointsStep>,
    pub total: u32,
    pub thresholds: Vec<Threshold>,
}

/// A sanction drawn as a bar: `[starts_on, ends_on)`; a termination's ban to `ban_until`.
#[derive(Debug, Clone, Serialize)]
pub struct SanctionSpan {
    pub kind: SanctionKind,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub ban_until: Option<NaiveDate>,
    pub total: u32,
    pub article: String,
    pub explanation_zh: String,
}

/// A person's points in a cycle and the two before (the three-cycle rule of 五(一)).
#[derive(Debug, Clone, Serialize)]
pub struct PointsHistory {
    pub personnel_code: String,
    pub cycles: Vec<CycleHistory>,
    /// Sanctions that run in the three cycles.
    pub sanctions: Vec<SanctionSpan>,
}

impl App {
    /// The catalogue of the pack in force on `on`, in the pack's order (四).
    pub fn catalogue(&self, caller: &Caller, on: NaiveDate) -> Result<Vec<ItemText>> {
        caller.permit(Action::RecordInspection)?;
        let pack = self.packs.in_force(on)?;
        Ok(pack
            .items
            .iter()
            .map(|i| ItemText {
                code: i.code.clone(),
                text: i.text.clone(),
                article: i.article.clone(),
                points: i.points,
            })
            .collect())
    }

    /// A recorded inspection: the answer `POST /inspections` gave, for whoever may record at
    /// its institution.
    pub fn inspection_result(&self, caller: &Caller, id: i64) -> Result<RecordedInspection> {
        caller.permit(Action::RecordInspection)?;
        let mut c = self.conn()?;
        let row = workbench::inspection_by_id(&mut c, id)?.ok_or_else(|| Error::not_found("inspection", "检查"))?;
        caller
            .require_institution(Action::RecordInspection, &row.institution_code)
            .map_err(|_| Error::not_found("inspection", "检查"))?;
        let result: InspectionResult = serde_json::from_str(&row.response).map_err(|e| Error::Internal(e.into()))?;
        let institution_name = facts::institution(&mut c, &row.institution_code)?.map(|i| i.name).unwrap_or_default();
        let mut names = HashMap::new();
        for v in &result.violations {
            if !names.contains_key(&v.personnel_code) {
                let name = facts::practitioner(&mut c, &v.personnel_code)?.map(|p| p.name).unwrap_or_default();
                names.insert(v.personnel_code.clone(), name);
            }
        }
        let mut revocations = HashMap::new();
        for v in &result.violations {
            if let Some(r) = facts::revocation_of(&mut c, v.deduction_id)? {
                revocations.insert(v.deduction_id, RevocationNote { revoked_on: r.revoked_on, reason: r.reason });
            }
        }
        Ok(RecordedInspection { result, institution_name, names, revocations })
    }

    /// The cycle total of `year` and the two cycles before, step by step, with the thresholds
    /// of the pack of each cycle and the sanctions (officer of one of the person's counties,
    /// admin).
    pub fn points_history(&self, caller: &Caller, code: &str, year: i32) -> Result<PointsHistory> {
        caller.require_person(Action::RecordInspection, &self.sites_of(code)?)?;
        let (_, t) = self.timeline(code)?;
        let mut cycles = Vec::new();
        for y in year - 2..=year {
            let pack = self.packs.in_force_or_first(crate::domain::dates::year_start(y))?;
            let mut steps: Vec<PointsStep> = Vec::new();
            for d in t.deductions.iter().filter(|d| !d.revoked && d.cycle_year == y) {
                let named = caller.covers_institution(&d.institution_code);
                match steps.last_mut() {
                    Some(s) if s.decided_on == d.decided_on && s.inspection_id == named.then_some(d.inspection) => {
                        s.points += d.points;
                        s.total_after = d.total_after.unwrap_or(s.total_after);
                    }
                    _ => steps.push(PointsStep {
                        decided_on: d.decided_on,
                        inspection_id: named.then_some(d.inspection),
                        institution_code: named.then(|| d.institution_code.clone()),
                        points: d.points,
                        total_after: d.total_after.unwrap_or(0),
                    }),
                }
            }
            cycles.push(CycleHistory {
                year: y,
                initial_points: pack.cycle.initial_points,
                total: t.cycle(y).map_or(0, |c| c.total),
                steps,
                thresholds: pack
                    .bands
                    .iter()
                    .map(|b| Threshold {
                        min: b.min,
                        sanction: b.sanction,
                        months: b.months,
                        article: b.article.clone(),
                    })
                    .collect(),
            });
        }
        let (from, until) = (crate::domain::dates::year_start(year - 2), crate::domain::dates::year_start(year + 1));
        let sanctions = t
            .sanctions
            .iter()
            .filter(|s| {
                let end = match s.kind {
                    SanctionKind::Interview => s.starts_on.succ_opt(),
                    _ => s.ends_on.or(s.ban_until),
                };
                s.starts_on < until && end.is_none_or(|e| e > from)
            })
            .map(|s| SanctionSpan {
                kind: s.kind,
                starts_on: s.starts_on,
                ends_on: s.ends_on,
                ban_until: s.ban_until,
                total: s.total,
                article: s.article.clone(),
                explanation_zh: s.explanation.zh.clone(),
            })
            .collect();
        Ok(PointsHistory { personnel_code: code.to_string(), cycles, sanctions })
    }
}
