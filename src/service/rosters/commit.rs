//! Writing a planned roster. The check stages every write (a JSON line each) in a temporary file;
//! the commit reads them back a chunk at a time inside ONE write transaction: all or nothing,
//! however large the file. New people go in bulk (their whole ledger is this row), everyone else
//! through the ordinary facts, each touched person recomputed; the audit trail gets one entry
//! per chunk, naming that chunk's people.

use std::io::BufRead;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::spool::{io, Spool};
use crate::domain::Category;
use crate::error::{Error, Result};
use crate::rules::{self, PractitionerFacts, RegistrationFact};
use crate::service::{institution_lock, person_lock, App, Caller, Touched};
use crate::store::bulk::{self, NewRegistrationRow, NewRosterRow};
use crate::store::facts::{self, Practitioner, RosterDetails};
use crate::store::projections::PractitionerProjection;
use crate::store::DbConn;

/// Rows written per chunk (and per audit entry).
const WRITE_CHUNK: usize = 5_000;

/// One planned write of a row.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Staged {
    pub code: String,
    pub id_number: String,
    pub birth_date: NaiveDate,
    pub category: Category,
    pub registered_on: NaiveDate,
    pub details: RosterDetails,
    /// Whether the ledger knew this person before the file.
    pub known: bool,
    pub action: Action,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) enum Action {
    Add,
    Change,
    Deregister(i64, NaiveDate),
}

/// The writes of a file, staged as they are planned.
pub(super) struct Stage {
    spool: Spool,
    pub count: usize,
    /// `lock_key` of every person staged (8 bytes each).
    pub lock_hashes: Vec<i64>,
}

impl Stage {
    pub fn new() -> Result<Stage> {
        Ok(Stage { spool: Spool::new()?, count: 0, lock_hashes: Vec::new() })
    }

    pub fn push(&mut self, s: &Staged) -> Result<()> {
        let mut line = serde_json::to_vec(s).map_err(io)?;
        line.push(b'\n');
        self.spool.write(&line)?;
        self.lock_hashes.push(crate::store::conn::lock_key(&person_lock(&s.code).key()));
        self.count += 1;
        Ok(())
    }
}

impl App {
    /// Applies the staged writes and the snapshot's deregistrations in one write transaction
    /// that holds the institution's and every touched person's lock.
    pub(super) fn commit_roster(
        &self,
        caller: &Caller,
        institution: &str,
        stage: Stage,
        snapshot_out: &[(String, i64)],
        today: NaiveDate,
    ) -> Result<()> {
        let Stage { spool, lock_hashes: mut hashes, .. } = stage;
        hashes.push(crate::store::conn::lock_key(&institution_lock(institution).key()));
        hashes.extend(snapshot_out.iter().map(|(c, _)| crate::store::conn::lock_key(&person_lock(c).key())));
        let mut lines = spool.reader()?.lines();
        // The locks are taken here, all at once and in one order (no lock is held by name in
        // `write`): each chunk's audit entry names its own people.
        self.write(caller, &[], |c, touched| {
            crate::store::conn::lock_hashes_for_write(c, std::mem::take(&mut hashes))?;
            let inst_facts = facts::institution_facts(c, institution)?
                .ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
            // The snapshot's deregistrations first (as the rows' recomputations have always
            // seen them), their people recomputed last.
            let mut out_ids = Vec::with_capacity(snapshot_out.len());
            for (_, reg) in snapshot_out {
                out_ids.push(facts::insert_deregistration(c, *reg, today)?);
            }
            let mut chunk: Vec<Staged> = Vec::with_capacity(WRITE_CHUNK);
            loop {
                chunk.clear();
                for line in lines.by_ref().take(WRITE_CHUNK) {
                    chunk.push(serde_json::from_str(&line.map_err(io)?).map_err(io)?);
                }
                if chunk.is_empty() {
                    break;
                }
                self.apply_chunk(c, touched, institution, &inst_facts, &chunk)?;
                let mut locks = vec![institution_lock(institution)];
                locks.extend(chunk.iter().map(|s| person_lock(&s.code)));
                touched.audit_now(c, caller, &locks)?;
                touched.defer_publication();
            }
            let mut locks = vec![institution_lock(institution)];
            for ((code, _), id) in snapshot_out.iter().zip(out_ids) {
                touched.fact("deregistrations", id);
                self.recompute(c, touched, code)?;
                locks.push(person_lock(code));
            }
            touched.audit_now(c, caller, &locks)
        })
    }

    fn apply_chunk(
        &self,
        c: &mut DbConn,
        touched: &mut Touched,
        institution: &str,
        inst_facts: &rules::InstitutionFacts,
        chunk: &[Staged],
    ) -> Result<()> {
        let now = crate::store::now();
        // New people: their whole ledger is this row, so they are inserted in bulk and their
        // projection computed from these facts alone (no read back).
        let new_people: Vec<&Staged> = chunk.iter().filter(|s| matches!(s.action, Action::Add) && !s.known).collect();
        if !new_people.is_empty() {
            bulk::practitioners(
                c,
                &new_people
                    .iter()
                    .map(|s| Practitioner {
                        personnel_code: s.code.clone(),
                        name: s.details.name.clone(),
                        id_number: s.id_number.clone(),
                        category: s.category,
                        birth_date: s.birth_date,
                        phone: s.details.phone.clone(),
                        recorded_at: now,
                    })
                    .collect::<Vec<_>>(),
            )?;
            bulk::registrations(
                c,
                &new_people
                    .iter()
                    .map(|s| NewRegistrationRow {
                        institution_code: institution.to_string(),
                        personnel_code: s.code.clone(),
                        registered_on: s.registered_on,
                        recorded_at: now,
                    })
                    .collect::<Vec<_>>(),
            )?;
            let codes: Vec<String> = new_people.iter().map(|s| s.code.clone()).collect();
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
                    .map(|s| NewRosterRow { details: s.details.clone(), recorded_at: now })
                    .collect::<Vec<_>>(),
            )?;
            let mut intervals = Vec::new();
            let mut spans = Vec::new();
            for s in &new_people {
                spans.extend(crate::store::dashboard::spans_of(
                    &s.code,
                    s.category,
                    std::iter::once((institution, s.registered_on, None)),
                ));
                let f = PractitionerFacts {
                    personnel_code: s.code.clone(),
                    birth_date: s.birth_date,
                    registrations: vec![RegistrationFact {
                        id: 0,
                        institution_code: institution.to_string(),
                        registered_on: s.registered_on,
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
            crate::store::dashboard::insert_spans(c, &spans)?;
            // New people: their one pair is new to the feed.
            touched.pairs_changed(c, institution, &codes)?;
        }
        for s in chunk {
            match s.action {
                Action::Add if !s.known => continue,
                Action::Add => {
                    let id = facts::insert_registration(c, institution, &s.code, s.registered_on)?;
                    touched.fact("registrations", id);
                    facts::insert_roster_details(c, &s.details)?;
                }
                Action::Change => facts::insert_roster_details(c, &s.details)?,
                Action::Deregister(reg, on) => {
                    let id = facts::insert_deregistration(c, reg, on)?;
                    touched.fact("deregistrations", id);
                }
            }
            self.recompute(c, touched, &s.code)?;
        }
        Ok(())
    }
}
