//! Property tests (proptest) of the engine's invariants, and of the ledger on both databases.

mod common;

use chrono::{Datelike, NaiveDate};
use jifen::rules::{
    self, DeductionFact, InstitutionEvent, InstitutionFacts, PackSet, PractitionerFacts, RegistrationFact,
    SanctionKind, TestFact, TestFormat, Timeline,
};
use jifen::service::Caller;
use proptest::prelude::*;

const ITEMS: [&str; 23] = [
    "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "3.1", "3.2", "3.3", "3.4", "3.5", "6.1", "6.2", "6.3",
    "6.4", "12.1", "12.2", "12.3", "12.4", "12.5", "12.6",
];
const A: &str = "H37081100001";
const B: &str = "H37081100002";

/// Days from 2024-03-29, the day the notice came into force (七): no fact before it is scored.
fn day(n: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, 29).unwrap() + chrono::Duration::days(i64::from(n))
}

fn institution(code: &str, events: Vec<InstitutionEvent>) -> InstitutionFacts {
    InstitutionFacts {
        code: code.into(),
        agreement_start: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        agreement_end: NaiveDate::from_ymd_opt(2035, 12, 31).unwrap(),
        events,
    }
}

/// One practitioner's facts over 2024–2026: up to 12 deductions in random inspections, some
/// revoked, up to 2 tests, up to 2 institution events, 1 or 2 sites.
fn facts() -> impl Strategy<Value = PractitionerFacts> {
    let deduction = (
        0u32..1096,
        0usize..ITEMS.len(),
        proptest::option::of(0usize..ITEMS.len()),
        0i64..6,
        any::<bool>(),
        prop::bool::weighted(0.15),
    );
    let test = (0u32..1096, prop::bool::weighted(0.8));
    let event = (0u32..1096, 0u8..3, 1u32..200);
    (
        prop::collection::vec(deduction, 0..12),
        prop::collection::vec(test, 0..3),
        prop::collection::vec(event, 0..3),
        any::<bool>(),
    )
        .prop_map(|(ds, ts, es, two_sites)| {
            let deductions = ds
                .into_iter()
                .enumerate()
                .map(|(k, (d, i, j, group, site_b, revoked))| DeductionFact {
                    id: k as i64 + 1,
                    inspection: group * 1000 + i64::from(d),
                    institution_code: if site_b && two_sites { B.into() } else { A.into() },
                    decided_on: day(d),
                    items: std::iter::once(ITEMS[i].to_string()).chain(j.map(|j| ITEMS[j].to_string())).collect(),
                    chosen_points: None,
                    ban_months: None,
                    revoked,
                })
                .collect();
            let mut years = std::collections::BTreeSet::new();
            let tests = ts
                .into_iter()
                .enumerate()
                .filter(|(_, (d, _))| years.insert(day(*d).year()))
                .map(|(k, (d, passed))| TestFact {
                    id: k as i64 + 1,
                    tested_on: day(d),
                    format: TestFormat::Closed,
                    score: jifen::domain::Score::from_whole(80),
                    passed,
                })
                .collect();
            let events = es
                .into_iter()
                .map(|(d, kind, len)| match kind {
                    0 => InstitutionEvent::Suspend { from: day(d), until: Some(day(d + len)), lapses_on: None },
                    1 => InstitutionEvent::Suspend { from: day(d), until: None, lapses_on: None },
                    _ => InstitutionEvent::Restore { on: day(d) },
                })
                .collect();
            let mut registrations = vec![RegistrationFact {
                id: 1,
                institution_code: A.into(),
                registered_on: day(0),
                deregistered_on: None,
            }];
            let mut institutions = vec![institution(A, events)];
            if two_sites {
                registrations.push(RegistrationFact {
                    id: 2,
                    institution_code: B.into(),
                    registered_on: day(0),
                    deregistered_on: None,
                });
                institutions.push(institution(B, vec![]));
            }
            PractitionerFacts {
                personnel_code: "D370811000001".into(),
                birth_date: NaiveDate::from_ymd_opt(1980, 1, 1).unwrap(),
                registrations,
                deductions,
                tests,
                institutions,
            }
        })
}

fn packs() -> PackSet {
    PackSet::embedded().unwrap()
}

/// What must not depend on how the facts were recorded.
fn outcome(t: &Timeline) -> (String, String, String) {
    (
        serde_json::to_string(&t.sanctions).unwrap(),
        serde_json::to_string(&t.cycles).unwrap(),
        serde_json::to_string(&t.intervals).unwrap(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Recording then revoking a deduction is the same as never recording it.
    #[test]
    fn revoking_equals_never_recording(f in facts(), pick in any::<prop::sample::Index>()) {
        prop_assume!(!f.deductions.is_empty());
        let packs = packs();
        let k = pick.index(f.deductions.len());
        let mut revoked = f.clone();
        revoked.deductions[k].revoked = true;
        let mut without = f.clone();
        without.deductions.remove(k);
        let a = rules::evaluate(&packs, &revoked).unwrap();
        let b = rules::evaluate(&packs, &without).unwrap();
        // Explanations name the deductions; compare what they decide.
        let strip = |t: &Timeline| t.sanctions.iter().map(|s| (s.kind, s.starts_on, s.ends_on, s.ban_until, s.total)).collect::<Vec<_>>();
        prop_assert_eq!(strip(&a), strip(&b));
        prop_assert_eq!(&a.intervals, &b.intervals);
        let totals = |t: &Timeline| t.cycles.iter().map(|c| (c.year, c.total)).collect::<Vec<_>>();
        prop_assert_eq!(totals(&a), totals(&b));
    }

    /// Facts in any insertion order give the same timeline.
    #[test]
    fn insertion_order_does_not_matter(f in facts(), seed in any::<u64>()) {
        let packs = packs();
        let mut shuffled = f.clone();
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed);
        use rand::seq::SliceRandom;
        shuffled.deductions.shuffle(&mut rng);
        shuffled.tests.shuffle(&mut rng);
        shuffled.registrations.shuffle(&mut rng);
        shuffled.institutions.shuffle(&mut rng);
        prop_assert_eq!(outcome(&rules::evaluate(&packs, &f).unwrap()), outcome(&rules::evaluate(&packs, &shuffled).unwrap()));
    }

    /// Suspension periods never overlap, and none runs past a termination.
    #[test]
    fn sanction_periods_never_overlap(f in facts()) {
        let t = rules::evaluate(&packs(), &f).unwrap();
        let sus: Vec<(NaiveDate, NaiveDate)> = t.sanctions.iter()
            .filter(|s| s.kind == SanctionKind::Suspension)
            .map(|s| (s.starts_on, s.ends_on.unwrap()))
            .filter(|(a, b)| a < b)
            .collect();
        for (i, a) in sus.iter().enumerate() {
            for b in &sus[i + 1..] {
                prop_assert!(a.1 <= b.0 || b.1 <= a.0, "{:?} overlaps {:?}", a, b);
            }
        }
        for term in t.sanctions.iter().filter(|s| s.kind == SanctionKind::Termination) {
            for s in &sus {
                prop_assert!(!(s.0 < term.starts_on && term.starts_on < s.1), "suspension {:?} runs past the termination of {}", s, term.starts_on);
            }
        }
    }

    /// The cycle total is the sum of the year's non-revoked deductions, as of any date too;
    /// remaining is 12 − total, not below 0.
    #[test]
    fn totals_are_sums_of_non_revoked_deductions(f in facts(), probe in 0u32..1096) {
        let packs = packs();
        let t = rules::evaluate(&packs, &f).unwrap();
        for c in &t.cycles {
            let sum: u32 = f.deductions.iter().filter(|d| !d.revoked && d.decided_on.year() == c.year)
                .map(|d| packs.points_for(d.decided_on, &d.items, None).unwrap().0).sum();
            prop_assert_eq!(c.total, sum);
        }
        let d = day(probe);
        let s = rules::status_on(&f, &t, 12, 24, d);
        let sum: u32 = f.deductions.iter().filter(|x| !x.revoked && x.decided_on.year() == d.year() && x.decided_on <= d)
            .map(|x| packs.points_for(x.decided_on, &x.items, None).unwrap().0).sum();
        prop_assert_eq!(s.cycle_total, sum);
        prop_assert_eq!(s.remaining, 12u32.saturating_sub(sum));
    }
}

/// Random operation sequences through the service layer: the projections always equal a
/// rebuild from the facts, and the stored status equals the pure engine's.
mod ledger {
    use super::*;
    use jifen::service::App;

    use common::world::{apply, op, person, setup, Op, INSTITUTIONS};

    fn run(app: &App, ops: &[Op]) {
        let insts = INSTITUTIONS;
        setup(app);
        let mut deductions = Vec::new();
        for (k, op) in ops.iter().enumerate() {
            apply(app, "", k, op, &mut deductions);
        }
        let report = app.verify().unwrap();
        assert!(report.differences.is_empty(), "{:?}", report.differences);
        // The dashboard's figures from its projections equal the SQL over the facts.
        for year in [2024, 2025, 2026] {
            for county in [None, Some("370811"), Some("370883")] {
                let sys = Caller::system();
                let scope = app.stats_scope(&sys, Some(year), county).unwrap();
                let facts = scope.clone().from_facts();
                let json = |v: serde_json::Result<String>| v.unwrap();
                assert_eq!(
                    json(serde_json::to_string(&app.stats_statuses(&sys, &scope).unwrap())),
                    json(serde_json::to_string(&app.stats_statuses(&sys, &facts).unwrap())),
                    "statuses {year} {county:?}"
                );
                assert_eq!(
                    json(serde_json::to_string(&app.stats_training_tests(&sys, &scope).unwrap())),
                    json(serde_json::to_string(&app.stats_training_tests(&sys, &facts).unwrap())),
                    "tests {year} {county:?}"
                );
                assert_eq!(
                    json(serde_json::to_string(&app.stats_institutions(&sys, &scope, usize::MAX).unwrap())),
                    json(serde_json::to_string(&app.stats_institutions(&sys, &facts, usize::MAX).unwrap())),
                    "institutions {year} {county:?}"
                );
            }
        }
        let packs = PackSet::embedded().unwrap();
        let mut c = app.conn().unwrap();
        for p in 0..4 {
            let f = jifen::store::facts::practitioner_facts(&mut c, &person(p)).unwrap().unwrap();
            let t = rules::evaluate(&packs, &f).unwrap();
            for probe in [0, 200, 400, 700, 1000] {
                let d = day(probe);
                let engine = rules::status_on(&f, &t, 12, 24, d);
                let served = app.status(&Caller::system(), &person(p), d).unwrap().status;
                assert_eq!(engine, served, "{} on {d}", person(p));
                for inst in insts {
                    let from_index = app.index.site_status(&person(p), inst, d);
                    let from_engine =
                        t.intervals.iter().find(|i| i.institution_code == inst && i.covers(d)).map(|i| i.status);
                    assert_eq!(from_index, from_engine, "eligibility index of {} at {inst} on {d}", person(p));
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10))]

        #[test]
        fn verify_finds_no_difference_after_random_operations(ops in prop::collection::vec(op(), 5..25)) {
            for db in common::all() {
                let app = App::open(&db.url).unwrap();
                run(&app, &ops);
            }
        }
    }
}
