//! Group commit (#18): on SQLite, inspections that arrive together share one transaction, each
//! under its own savepoint. One refused inspection of a group fails alone; the others are
//! recorded, answered, published and chained as if each had committed on its own.

mod common;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use jifen::service::inspections::NewInspection;
use jifen::service::{App, Caller, Lock};

const INST: &str = "H37081100001";
const OTHER: &str = "H37081100002";
const PEOPLE: [&str; 3] = ["D370811000001", "D370811000002", "D370811000003"];
const ELSEWHERE: &str = "D370811000009";

fn institution(app: &App, code: &str) {
    app.create_institution(
        &Caller::system(),
        &jifen::service::institutions::NewInstitution {
            code: code.into(),
            name: "医院".into(),
            kind: "medical".into(),
            region_code: None,
            agreement_start: "2020-01-01".into(),
            agreement_end: "2035-12-31".into(),
            public: None,
            organization_code: None,
            legal_representative: None,
        },
    )
    .unwrap();
}

fn register(app: &App, inst: &str, code: &str, seq: u32) {
    app.register(
        &Caller::system(),
        &jifen::service::registrations::NewRegistration {
            institution_code: inst.into(),
            personnel_code: code.into(),
            name: "张三".into(),
            id_number: common::id_number("19800101", seq),
            category: "physician".into(),
            registered_on: "2023-01-01".into(),
            phone: None,
        },
    )
    .unwrap();
}

fn inspection(code: &str) -> NewInspection {
    serde_json::from_value(serde_json::json!({"institution_code": INST, "inspected_on": "2025-03-03",
        "decided_on": "2025-03-03", "violations": [{"personnel_code": code, "items": ["3.1"]}]}))
    .unwrap()
}

fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn one_refused_inspection_of_a_group_fails_alone() {
    let db = common::sqlite();
    let app = App::open(&db.url).unwrap();
    institution(&app, INST);
    institution(&app, OTHER);
    for (k, code) in PEOPLE.iter().enumerate() {
        register(&app, INST, code, k as u32 + 1);
    }
    // Registered, but at another hospital than the one inspected: refused inside the transaction.
    register(&app, OTHER, ELSEWHERE, 9);

    // A grouped write that waits inside its transaction holds the lead, so that the four
    // inspections sent meanwhile queue up and go in as one group.
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let holder = {
        let app = app.clone();
        std::thread::spawn(move || {
            app.write_grouped(&Caller::system(), vec![Lock::Key("hold".into())], move |_, _, _| {
                started_tx.send(()).ok();
                release_rx.recv().ok();
                Ok(())
            })
        })
    };
    started_rx.recv().unwrap();
    let order = [PEOPLE[0], ELSEWHERE, PEOPLE[1], PEOPLE[2]];
    let senders: Vec<_> = order
        .iter()
        .enumerate()
        .map(|(k, code)| {
            let app = app.clone();
            let code = code.to_string();
            let queued = k;
            let handle = {
                let app = app.clone();
                std::thread::spawn(move || {
                    app.record_inspection(&Caller::system(), Some(&format!("g-{code}")), &inspection(&code))
                })
            };
            // One at a time, so the group's order is the order above.
            wait_until("the inspection to queue", || app.group_waiting() == queued + 1);
            handle
        })
        .collect();
    assert_eq!(app.group_waiting(), 4, "the four inspections wait for one group");
    release_tx.send(()).unwrap();
    holder.join().unwrap().unwrap();
    let answers: Vec<_> = senders.into_iter().map(|h| h.join().unwrap()).collect();

    assert!(answers[0].is_ok(), "{:?}", answers[0]);
    let refused = answers[1].as_ref().expect_err("the person does not work at the inspected hospital");
    assert_eq!(refused.client().map(|c| c.code), Some("unknown_practitioner"));
    assert!(answers[2].is_ok() && answers[3].is_ok());

    // Recorded and published: the index and the ledger agree, 3 points each.
    for code in PEOPLE {
        let s = app.status(&Caller::system(), code, chrono::NaiveDate::from_ymd_opt(2025, 3, 4).unwrap()).unwrap();
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["cycle_total"], 3, "{code}: {v}");
    }
    let s = app.status(&Caller::system(), ELSEWHERE, chrono::NaiveDate::from_ymd_opt(2025, 3, 4).unwrap()).unwrap();
    assert_eq!(serde_json::to_value(&s).unwrap()["cycle_total"], 0, "the refused inspection wrote nothing");

    // The same key again answers the stored answer: the group kept idempotency.
    let again = app.record_inspection(&Caller::system(), Some(&format!("g-{}", PEOPLE[0])), &inspection(PEOPLE[0]));
    assert_eq!(again.unwrap(), *answers[0].as_ref().unwrap());

    let report = app.verify().unwrap();
    assert!(report.differences.is_empty(), "{:?}", report.differences);
    assert!(report.chain.breaks.is_empty(), "{:?}", report.chain.breaks);
}
