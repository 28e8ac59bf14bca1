//! The inspection preview (`App::preview_inspection`, `POST /inspections/preview`) equals what
//! recording the same inspection then produces — each person's cycle total, the sanctions it
//! causes with their dates, the notices issued and the institution's 五(三) figures — for random
//! sequences of inspections (proptest), on SQLite and (with TEST_DATABASE_URL) PostgreSQL. And
//! the preview writes nothing.

mod common;

use jifen::service::inspections::preview::SanctionPreview;
use jifen::service::inspections::{NewInspection, NewViolation};
use jifen::service::institutions::NewInstitution;
use jifen::service::registrations::NewRegistration;
use jifen::service::{App, Caller};
use proptest::prelude::*;

const INST: &str = "H37081100001";
const ITEMS: [&str; 10] = ["1.1", "1.4", "1.8", "3.1", "3.2", "3.4", "6.1", "6.4", "12.1", "12.5"];

fn person(k: usize) -> String {
    format!("D370811{:06}", k + 1)
}

fn world(app: &App, staff: usize) {
    let sys = Caller::system();
    let inst = NewInstitution {
        code: INST.into(),
        name: "济宁市第一人民医院".into(),
        kind: "medical".into(),
        region_code: None,
        agreement_start: "2023-01-01".into(),
        agreement_end: "2030-12-31".into(),
        public: None,
        organization_code: None,
        legal_representative: None,
    };
    app.create_institution(&sys, &inst).expect("institution");
    for k in 0..staff {
        let reg = NewRegistration {
            institution_code: INST.into(),
            personnel_code: person(k),
            name: format!("人员{k}"),
            id_number: common::id_number("19800101", k as u32 + 1),
            category: "physician".into(),
            registered_on: "2023-01-01".into(),
            phone: None,
        };
        app.register(&sys, &reg).expect("register");
    }
}

/// One generated inspection: a decision day (days after 2024-04-01) and violations
/// (person, item indexes).
#[derive(Debug, Clone)]
struct Spec {
    day: i64,
    violations: Vec<(usize, Vec<usize>)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (0i64..1000, prop::collection::vec((0usize..3, prop::collection::vec(0usize..ITEMS.len(), 1..3)), 1..4))
        .prop_map(|(day, violations)| Spec { day, violations })
}

fn request(s: &Spec) -> NewInspection {
    let start = chrono::NaiveDate::from_ymd_opt(2024, 4, 1).expect("date");
    let on = (start + chrono::Duration::days(s.day)).to_string();
    NewInspection {
        institution_code: INST.into(),
        inspected_on: on.clone(),
        decided_on: on,
        violations: s
            .violations
            .iter()
            .map(|(p, items)| NewViolation {
                personnel_code: person(*p),
                items: items.iter().map(|i| ITEMS[*i].to_string()).collect(),
                occurred_on: None,
                note: String::new(),
                points: None,
                ban_months: None,
                fund_loss: None,
            })
            .collect(),
    }
}

fn notice_count(app: &App) -> usize {
    app.notices(&Caller::system(), Some(INST.to_string()), None).expect("notices").len()
}

/// Previews then records each inspection; every figure of the preview is checked against the
/// recording's answer and the ledger after it.
fn check(app: &App, specs: &[Spec]) -> Result<(), TestCaseError> {
    let sys = Caller::system();
    for (n, s) in specs.iter().enumerate() {
        let req = request(s);
        let notices_before = notice_count(app);
        let preview = app.preview_inspection(&sys, &req);
        prop_assert_eq!(notice_count(app), notices_before, "the preview wrote notices");
        let recorded = app.record_inspection(&sys, Some(&format!("k{n}")), &req);
        let (preview, recorded) = match (preview, recorded) {
            (Ok(p), Ok(r)) => (p, r),
            (Err(p), Err(r)) => {
                prop_assert_eq!(
                    p.client().map(|c| c.code),
                    r.client().map(|c| c.code),
                    "both refuse, for the same reason"
                );
                continue;
            }
            (p, r) => return Err(TestCaseError::fail(format!("preview {p:?} but recording {r:?}"))),
        };
        for person in &preview.people {
            let mine: Vec<_> =
                recorded.violations.iter().filter(|v| v.personnel_code == person.personnel_code).collect();
            prop_assert!(!mine.is_empty());
            for v in &mine {
                prop_assert_eq!(v.cycle_total, person.total_after, "{}: total", person.personnel_code);
            }
            let points: Vec<u32> = mine.iter().map(|v| v.points).collect();
            let previewed: Vec<u32> = person.violations.iter().map(|v| v.points).collect();
            prop_assert_eq!(points, previewed, "{}: points", person.personnel_code);
            let caused: Vec<SanctionPreview> = recorded
                .sanctions
                .iter()
                .filter(|s| s.personnel_code == person.personnel_code)
                .map(|s| SanctionPreview::of(&s.sanction))
                .collect();
            prop_assert_eq!(&caused, &person.sanctions, "{}: sanctions", person.personnel_code);
            let status = app.status(&sys, &person.personnel_code, req.decided_on.parse().expect("date"))?;
            prop_assert_eq!(status.status.cycle_total, person.total_after);
        }
        let notices: usize = preview.people.iter().map(|p| p.notices.len()).sum();
        prop_assert_eq!(notice_count(app) - notices_before, notices, "notices issued");
        let year = chrono::Datelike::year(&preview.decided_on);
        let after = app.cascade_figures(&sys, INST, year)?;
        prop_assert_eq!(&after, &preview.cascade_after, "五(三) figures after");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn the_preview_of_an_inspection_is_what_recording_it_produces(
        specs in prop::collection::vec(spec(), 1..7)
    ) {
        for db in common::all() {
            let app = App::open(&db.url).expect("open");
            world(&app, 3);
            check(&app, &specs)?;
        }
    }
}

/// A fixed case that reaches every band: 6 points suspend for 3 months, a later 12 terminates.
#[test]
fn a_preview_names_the_band_the_sanction_and_its_dates() {
    for db in common::all() {
        let app = App::open(&db.url).expect("open");
        world(&app, 2);
        let sys = Caller::system();
        let s = Spec { day: 14, violations: vec![(0, vec![6]), (1, vec![1])] };
        let p = app.preview_inspection(&sys, &request(&s)).expect("preview");
        assert_eq!(p.decided_on.to_string(), "2024-04-15");
        let first = &p.people[0];
        assert_eq!((first.total_before, first.total_after, first.remaining_after), (0, 6, 6), "{}", db.backend);
        let band = first.band.as_ref().expect("a band");
        assert_eq!((band.min, band.entered), (6, true));
        assert_eq!(first.sanctions.len(), 1);
        let s0 = &first.sanctions[0];
        assert_eq!(s0.kind, jifen::rules::SanctionKind::Suspension);
        assert_eq!((s0.months, s0.ends_on.map(|d| d.to_string())), (Some(3), Some("2024-07-15".into())));
        assert_eq!(first.notices.len(), 1, "one notice to the one site");
        assert!(p.people[1].sanctions.is_empty() && p.people[1].band.is_none());
        assert_eq!((p.cascade_before.numerator, p.cascade_after.numerator, p.cascade_after.denominator), (0, 1, 2));
        assert!(p.cascade_case_opens, "1 of 2 is 50 %");
        // Nothing was written: the ledger is empty, no case opened.
        let ledger = app.ledger(&sys, &person(0), 2024).expect("ledger");
        assert!(ledger.deductions.is_empty() && ledger.sanctions.is_empty(), "{}", db.backend);
        assert!(app.cascade_cases(&sys).expect("cases").is_empty(), "no case opened");
    }
}
