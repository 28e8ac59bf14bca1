//! Writing a planned roster: new people in bulk (their whole ledger is this row), everyone
//! else through the ordinary facts, each touched person recomputed — in the caller's transaction.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::domain::Category;

use super::row::{Plan, Row};
use crate::error::{Error, Result};
use crate::rules::{self, PractitionerFacts, RegistrationFact};
use crate::service::{App, Touched};
use crate::store::bulk::{self, NewRegistrationRow, NewRosterRow};
use crate::store::facts::{self, Practitioner};
use crate::store::projections::PractitionerProjection;
use crate::store::DbConn;

/// A planned roster to write.
#[derive(Clone, Copy)]
pub(super) struct RosterWrite<'a> {
    pub institution: &'a str,
    pub plans: &'a [(Row, Plan)],
    /// Personnel code → (ID number, category) of people known before the file.
    pub known: &'a HashMap<String, (String, Category)>,
    pub snapshot_out: &'a [(String, i64)],
    pub today: NaiveDate,
}

impl App {
    /// Applies `plans` and the snapshot's deregistrations inside a write transaction that holds
    /// the institution's and every touched person's lock.
    pub(super) fn apply_roster(&self, c: &mut DbConn, touched: &mut Touched, w: &RosterWrite) -> Result<()> {
        let RosterWrite { institution, plans, known, snapshot_out, today } = *w;
        let now = crate::store::now();
        // New people: their whole ledger is this row, so they are inserted in bulk and
        // their projection computed from these facts alone (no read back).
        let new_people: Vec<&Row> = plans
            .iter()
            .filter(|(r, p)| matches!(p, Plan::Add) && !known.contains_key(&r.code))
            .map(|(r, _)| r)
            .collect();
        if !new_people.is_empty() {
            let inst_facts = facts::institution_facts(c, institution)?
                .ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
            bulk::practitioners(
                c,
                &new_people
                    .iter()
                    .map(|r| Practitioner {
                        personnel_code: r.code.clone(),
                        name: r.details.name.clone(),
                        id_number: r.id.as_str().to_string(),
                        category: r.category,
                        birth_date: r.id.birth_date(),
                        phone: r.details.phone.clone(),
                        recorded_at: now,
                    })
                    .collect::<Vec<_>>(),
            )?;
            bulk::registrations(
                c,
                &new_people
                    .iter()
                    .map(|r| NewRegistrationRow {
                        institution_code: institution.to_string(),
                        personnel_code: r.code.clone(),
                        registered_on: r.registered_on,
                        recorded_at: now,
                    })
                    .collect::<Vec<_>>(),
            )?;
            let codes: Vec<String> = new_people.iter().map(|r| r.code.clone()).collect();
            for id in bulk::registration_ids(c, institution, &codes)? {
                touched.fact("registrations", id);
            }
            for code in &codes {
                touched.fact("practitioners", code);
            }
            bulk::roster_entries(
                c,
                &new_people
                    .iter()
                    .map(|r| NewRosterRow { details: r.details.clone(), recorded_at: now })
                    .collect::<Vec<_>>(),
            )?;
            let mut intervals = Vec::new();
            for r in &new_people {
                let f = PractitionerFacts {
                    personnel_code: r.code.clone(),
                    birth_date: r.id.birth_date(),
                    registrations: vec![RegistrationFact {
                        id: 0,
                        institution_code: institution.to_string(),
                        registered_on: r.registered_on,
                        deregistered_on: None,
                    }],
                    deductions: Vec::new(),
                    tests: Vec::new(),
                    institutions: vec![inst_facts.clone()],
                };
                let t = rules::evaluate(&self.packs, &f)?;
                intervals.extend(PractitionerProjection::of(&t, &[]).intervals);
                touched.publish(t);
            }
            bulk::intervals(c, &intervals)?;
        }
        let mut recompute: Vec<&str> = Vec::new();
        for (r, plan) in plans {
            match plan {
                Plan::Unchanged => continue,
                Plan::Add if !known.contains_key(&r.code) => continue,
                Plan::Add => {
                    let id = facts::insert_registration(c, institution, &r.code, r.registered_on)?;
                    touched.fact("registrations", id);
                    facts::insert_roster_details(c, &r.details)?;
                }
                Plan::Change(_) => facts::insert_roster_details(c, &r.details)?,
                Plan::Deregister(reg, on) => {
                    let id = facts::insert_deregistration(c, *reg, *on)?;
                    touched.fact("deregistrations", id);
                }
            }
            recompute.push(&r.code);
        }
        for (code, reg) in snapshot_out {
            let id = facts::insert_deregistration(c, *reg, today)?;
            touched.fact("deregistrations", id);
            recompute.push(code);
        }
        for code in recompute {
            self.recompute(c, touched, code)?;
        }
        Ok(())
    }
}
