//! The engine's input: everything about one practitioner, read from the facts.

use super::Q;
use super::{deductions_of, institution_facts_for, practitioner, registrations_of, revocations_of, score_of, tests_of};
use crate::rules::{DeductionFact, PractitionerFacts, RegistrationFact, TestFact};
use crate::store::conn::DbConn;

/// Everything the engine needs about one practitioner, read in the caller's transaction.
pub fn practitioner_facts(conn: &mut DbConn, personnel_code: &str) -> Q<Option<PractitionerFacts>> {
    let Some(p) = practitioner(conn, personnel_code)? else {
        return Ok(None);
    };
    let regs = registrations_of(conn, personnel_code)?;
    let revoked: std::collections::HashSet<i64> =
        revocations_of(conn, personnel_code)?.into_iter().map(|r| r.deduction_id).collect();
    let deductions = deductions_of(conn, personnel_code)?
        .into_iter()
        .map(|d| DeductionFact {
            id: d.id,
            inspection: d.inspection_id,
            institution_code: d.institution_code,
            decided_on: d.decided_on,
            items: split_items(&d.items),
            chosen_points: d.chosen_points.map(|p| p.max(0) as u32),
            ban_months: d.ban_months.map(|m| m.max(0) as u32),
            revoked: revoked.contains(&d.id),
        })
        .collect();
    // A revoked test (三(三), recorded wrongly) counts for no date.
    let revoked_tests: std::collections::HashSet<i64> =
        crate::store::training::revoked_tests_of(conn, personnel_code)?.into_iter().collect();
    let tests = tests_of(conn, personnel_code)?
        .into_iter()
        .filter(|t| !revoked_tests.contains(&t.id))
        .map(|t| {
            let score = score_of(t.score.as_deref())?;
            Ok(TestFact { id: t.id, tested_on: t.tested_on, format: t.format, score, passed: t.passed })
        })
        .collect::<Q<Vec<TestFact>>>()?;
    let mut codes: Vec<String> = regs.iter().map(|r| r.institution_code.clone()).collect();
    codes.sort();
    codes.dedup();
    let mut institutions = Vec::with_capacity(codes.len());
    for c in &codes {
        if let Some(i) = institution_facts_for(conn, c, personnel_code)? {
            institutions.push(i);
        }
    }
    Ok(Some(PractitionerFacts {
        personnel_code: p.personnel_code,
        birth_date: p.birth_date,
        registrations: regs
            .into_iter()
            .map(|r| RegistrationFact {
                id: r.id,
                institution_code: r.institution_code,
                registered_on: r.registered_on,
                deregistered_on: r.deregistered_on,
            })
            .collect(),
        deductions,
        tests,
        institutions,
    }))
}

pub fn split_items(s: &str) -> Vec<String> {
    s.split(';').filter(|x| !x.is_empty()).map(str::to_string).collect()
}
