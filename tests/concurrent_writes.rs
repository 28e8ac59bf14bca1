//! Concurrent writes on one practitioner never lose an update, and one Idempotency-Key records
//! once however many send it at the same time; on SQLite and (with TEST_DATABASE_URL)
//! PostgreSQL. The threads race for real: the test itself serialises nothing.

mod common;

use std::sync::{Arc, Barrier};

use jifen::service::inspections::NewInspection;
use jifen::service::App;
use jifen::service::Caller;

const INST: &str = "H37081100001";
const P: &str = "D370811000001";

fn app(db: &common::TestDb) -> App {
    let app = App::open(&db.url).unwrap();
    app.create_institution(
        &Caller::system(),
        &jifen::service::institutions::NewInstitution {
            code: INST.into(),
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
    app.register(
        &Caller::system(),
        &jifen::service::registrations::NewRegistration {
            institution_code: INST.into(),
            personnel_code: P.into(),
            name: "张三".into(),
            id_number: common::id_number("19800101", 1),
            category: "physician".into(),
            registered_on: "2023-01-01".into(),
            phone: None,
        },
    )
    .unwrap();
    app
}

fn inspection(day: u32, item: &str) -> NewInspection {
    serde_json::from_value(serde_json::json!({"institution_code": INST, "inspected_on": format!("2025-{:02}-{:02}", 1 + day / 28, 1 + day % 28),
        "decided_on": format!("2025-{:02}-{:02}", 1 + day / 28, 1 + day % 28), "violations": [{"personnel_code": P, "items": [item]}]}))
    .unwrap()
}

#[test]
fn eight_threads_writing_one_person_lose_nothing() {
    for db in common::all() {
        let app = app(&db);
        let threads = 8;
        let per = 5;
        let barrier = Arc::new(Barrier::new(threads));
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let app = app.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    let mut ids = Vec::new();
                    for k in 0..per {
                        let n = (t * per + k) as u32;
                        let r = app
                            .record_inspection(&Caller::system(), Some(&format!("t{t}-{k}")), &inspection(n, "1.1"))
                            .unwrap();
                        ids.push(r.violations[0].deduction_id);
                        // Every third write is followed by a racing revocation of it.
                        if k % 3 == 2 {
                            let req = jifen::service::inspections::RevokeDeduction {
                                on: "2025-12-01".into(),
                                reason: "r".into(),
                            };
                            app.revoke(&Caller::system(), ids[k], &req).unwrap();
                        }
                    }
                    ids
                })
            })
            .collect();
        let ids: Vec<i64> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
        assert_eq!(ids.len(), threads * per);
        let revoked = threads * (per / 3);
        let (_, t) = app.timeline(P).unwrap();
        assert_eq!(t.deductions.len(), threads * per, "{}: every deduction recorded", db.backend);
        let d = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let s = app.status(&Caller::system(), P, d).unwrap().status;
        assert_eq!(s.cycle_total as usize, threads * per - revoked, "{}", db.backend);
        // The projections written by the last commit match a rebuild: no update was lost.
        assert!(app.verify().unwrap().differences.is_empty(), "{}", db.backend);
    }
}

#[test]
fn one_idempotency_key_sent_at_once_records_once() {
    for db in common::all() {
        let app = app(&db);
        let threads = 8;
        let barrier = Arc::new(Barrier::new(threads));
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let app = app.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    app.record_inspection(&Caller::system(), Some("same"), &inspection(3, "1.2"))
                        .map(|r| r.violations[0].deduction_id)
                })
            })
            .collect();
        let ids: Vec<i64> = handles.into_iter().map(|h| h.join().unwrap().unwrap()).collect();
        assert!(ids.iter().all(|id| *id == ids[0]), "{}: {ids:?}", db.backend);
        let d = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        assert_eq!(app.status(&Caller::system(), P, d).unwrap().status.cycle_total, 1, "{}", db.backend);
        let err = app.record_inspection(&Caller::system(), Some("same"), &inspection(3, "1.3")).unwrap_err();
        assert_eq!(err.client().map(|c| c.code), Some("idempotency_conflict"));
    }
}
