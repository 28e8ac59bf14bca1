//! `POST /inspections/preview`: what recording an inspection would do, computed by the engine
//! without writing anything — each person's new cycle total, the band entered, the sanctions it
//! causes with their dates, the notices that would be issued, and the inspected institution's
//! 30 % figures of 五(三) after it.
//!
//! The same checks as recording (`prepare_inspection`, the institution, each person registered
//! there on the day of the conduct), then the engine on each person's facts with the would-be
//! deductions added as one more inspection, recorded after every existing one (as the new
//! inspection would be). `tests/inspection_preview.rs` checks on both databases that the
//! preview equals what recording then produces.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{not_registered_here, registered_at, PreparedInspection};
use crate::error::{Error, Result};
use crate::rules::cascade::{self, CascadeFigures};
use crate::rules::{self, DeductionFact, SanctionKind};
use crate::service::notices::{deduction_notice_sites, deduction_notice_title};
use crate::service::{Action, App, Caller};
use crate::store::{facts, projections};

/// The ids the would-be deductions carry inside the engine: above any stored id.
const PREVIEW_ID_BASE: i64 = i64::MAX - 1_000;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InspectionPreview {
    pub institution_code: String,
    pub institution_name: String,
    pub inspected_on: NaiveDate,
    pub decided_on: NaiveDate,
    /// One entry per person, in the order they first appear in the request.
    pub people: Vec<PersonPreview>,
    /// The inspected institution's 五(三) figures of the decision year, before and after.
    pub cascade_before: CascadeFigures,
    pub cascade_after: CascadeFigures,
    /// A 五(三) case would open (the threshold is reached after and no case is open yet).
    pub cascade_case_opens: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PersonPreview {
    pub personnel_code: String,
    pub name: String,
    pub cycle_year: i32,
    /// The cycle total on the decision date, before and after the inspection.
    pub total_before: u32,
    pub total_after: u32,
    pub remaining_after: u32,
    /// The band of 五(一) the total is in after the inspection (`None` below the first).
    pub band: Option<BandPreview>,
    pub violations: Vec<ViolationPreview>,
    /// The sanctions the inspection causes.
    pub sanctions: Vec<SanctionPreview>,
    /// The written notices that would be issued (六(一)).
    pub notices: Vec<NoticePreview>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BandPreview {
    pub min: u32,
    pub max: Option<u32>,
    pub sanction: SanctionKind,
    pub article: String,
    pub text: String,
    /// The inspection takes the total into this band (its sanction applies now).
    pub entered: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ViolationPreview {
    pub items: Vec<String>,
    pub points: u32,
    pub article: String,
}

/// A sanction the inspection would cause: the engine's sanction without the ids of deductions
/// that do not exist yet.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SanctionPreview {
    pub kind: SanctionKind,
    pub decided_on: NaiveDate,
    pub starts_on: NaiveDate,
    /// Suspension: the first day back in force.
    pub ends_on: Option<NaiveDate>,
    pub months: Option<u32>,
    /// Termination: the first day a new agreement may be signed.
    pub ban_until: Option<NaiveDate>,
    pub total: u32,
    pub article: String,
    pub explanation_zh: String,
    pub explanation_en: String,
    /// Interview orders go to these institutions.
    pub institutions: Vec<String>,
}

impl SanctionPreview {
    pub fn of(s: &rules::Sanction) -> SanctionPreview {
        SanctionPreview {
            kind: s.kind,
            decided_on: s.decided_on,
            starts_on: s.starts_on,
            ends_on: s.ends_on,
            months: s.months,
            ban_until: s.ban_until,
            total: s.total,
            article: s.article.clone(),
            explanation_zh: s.explanation.zh.clone(),
            explanation_en: s.explanation.en.clone(),
            institutions: s.institutions.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NoticePreview {
    pub institution_code: String,
    pub notice_date: NaiveDate,
    pub title: String,
    /// The last day to take a rejected objection further (六(一)), when the calendar knows it.
    pub objection_deadline: Option<NaiveDate>,
}

impl App {
    /// What recording `req` would do, computed without writing (officer of the county, admin).
    pub fn preview_inspection(&self, caller: &Caller, req: &super::NewInspection) -> Result<InspectionPreview> {
        caller.require_institution(Action::RecordInspection, req.institution_code.trim())?;
        let prepared = self.prepare_inspection(Some("preview"), req)?;
        let PreparedInspection { inst, inspected_on, decided_on, parsed, .. } = &prepared;
        let (inspected_on, decided_on) = (*inspected_on, *decided_on);
        let mut c = self.conn()?;
        let institution = facts::institution(&mut c, inst)?.ok_or_else(|| {
            Error::invalid(
                "unknown_institution",
                "institution_code",
                format!("institution {inst} is not registered"),
                format!("定点医药机构 {inst} 不存在"),
            )
        })?;
        for (k, p) in parsed.iter().enumerate() {
            let on = p.occurred_on.unwrap_or(inspected_on);
            if !registered_at(&mut c, inst, &p.code, on)? {
                return Err(Error::Client(
                    not_registered_here(&p.code, inst, on).field(format!("violations[{k}].personnel_code")),
                ));
            }
        }
        let year = decided_on.year();
        let pack = self.packs.in_force(decided_on)?;
        let (num_before, den) = projections::cascade_counts(&mut c, inst, year)?;
        let mut num_after = num_before;
        let deadline = self.objection_deadline(decided_on);
        let mut order: Vec<&str> = Vec::new();
        for p in parsed {
            if !order.contains(&p.code.as_str()) {
                order.push(&p.code);
            }
        }
        let mut people = Vec::with_capacity(order.len());
        for person in order {
            let before_facts =
                facts::practitioner_facts(&mut c, person)?.ok_or_else(|| Error::not_found("practitioner", "人员"))?;
            let name = facts::practitioner(&mut c, person)?.map(|p| p.name).unwrap_or_default();
            let before = rules::evaluate(&self.packs, &before_facts)?;
            let mut after_facts = before_facts.clone();
            let mut new_ids: HashMap<i64, usize> = HashMap::new();
            for (k, p) in parsed.iter().enumerate().filter(|(_, p)| p.code == person) {
                let id = PREVIEW_ID_BASE + k as i64;
                new_ids.insert(id, k);
                after_facts.deductions.push(DeductionFact {
                    id,
                    // Recorded after every stored inspection, as the new one will be.
                    inspection: i64::MAX,
                    institution_code: inst.clone(),
                    decided_on,
                    items: p.items.clone(),
                    chosen_points: p.chosen,
                    ban_months: p.ban,
                    revoked: false,
                });
            }
            let after = rules::evaluate(&self.packs, &after_facts)?;
            let total_before = before.total_on(decided_on);
            let total_after = after.total_on(decided_on);
            let sanctions: Vec<SanctionPreview> = after
                .sanctions
                .iter()
                .filter(|s| s.explanation.deduction_ids.iter().any(|d| new_ids.contains_key(d)))
                .map(SanctionPreview::of)
                .collect();
            let band = pack.band_for(total_after).map(|(_, b)| BandPreview {
                min: b.min,
                max: b.max,
                sanction: b.sanction,
                article: b.article.clone(),
                text: b.text.clone(),
                entered: sanctions.iter().any(|s| s.kind == b.sanction),
            });
            let sites = deduction_notice_sites(&after_facts, inst, decided_on);
            let mut violations = Vec::new();
            let mut notices = Vec::new();
            for d in after.deductions.iter().filter(|d| new_ids.contains_key(&d.id)) {
                violations.push(ViolationPreview {
                    items: d.items.clone(),
                    points: d.points,
                    article: d.explanation.article.clone(),
                });
                for site in &sites {
                    notices.push(NoticePreview {
                        institution_code: site.clone(),
                        notice_date: decided_on,
                        title: deduction_notice_title(person, d.points),
                        objection_deadline: deadline,
                    });
                }
            }
            // 五(三): the inspected institution's numerator, with this person counted anew.
            if cascade::member_in(&after_facts, inst, year) {
                let (was, is) = (cascade::sanctioned_in(&before, year), cascade::sanctioned_in(&after, year));
                num_after = (num_after + u32::from(is)).saturating_sub(u32::from(was));
            }
            people.push(PersonPreview {
                personnel_code: person.to_string(),
                name,
                cycle_year: year,
                total_before,
                total_after,
                remaining_after: pack.cycle.initial_points.saturating_sub(total_after),
                band,
                violations,
                sanctions,
                notices,
            });
        }
        let cascade_before = cascade::figures(pack, inst, year, num_before, den);
        let cascade_after = cascade::figures(pack, inst, year, num_after, den);
        // As `App::open_cascade_cases` after the write: a new personal suspension or termination
        // at a member institution whose ratio then reaches the threshold, once a year.
        let suspends = people.iter().flat_map(|p| &p.sanctions).any(|s| s.kind != SanctionKind::Interview);
        let cascade_case_opens =
            suspends && cascade_after.threshold_reached && facts::cascade_case_for(&mut c, inst, year)?.is_none();
        Ok(InspectionPreview {
            institution_code: inst.clone(),
            institution_name: institution.name,
            inspected_on,
            decided_on,
            people,
            cascade_before,
            cascade_after,
            cascade_case_opens,
        })
    }
}
