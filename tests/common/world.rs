//! Random worlds for property tests through the service layer: two institutions, four people,
//! and sequences of operations (inspections, revocations, tests, institution suspensions and
//! restores, deregistrations, a second site in another county). Shared by `tests/invariants.rs` and `tests/feed_consumer.rs`.

use chrono::{Datelike, NaiveDate};
use jifen::service::{App, Caller};
use proptest::prelude::*;

pub const ITEMS: [&str; 23] = [
    "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "3.1", "3.2", "3.3", "3.4", "3.5", "6.1", "6.2", "6.3",
    "6.4", "12.1", "12.2", "12.3", "12.4", "12.5", "12.6",
];
pub const A: &str = "H37081100001";
pub const B: &str = "H37081100002";
pub const INSTITUTIONS: [&str; 2] = [A, B];
/// In another county (370883): a second site for `Op::Register`.
pub const C: &str = "H37088300001";
pub const PEOPLE: usize = 4;

/// Days from 2024-03-29, the day the notice came into force (七): no fact before it is scored.
pub fn day(n: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, 29).unwrap() + chrono::Duration::days(i64::from(n))
}

#[derive(Debug, Clone)]
pub enum Op {
    Inspect(usize, u32, usize),
    Revoke(usize),
    Test(usize, u32, bool),
    Suspend(usize, u32, u32),
    Restore(usize, u32),
    Deregister(usize, u32),
    /// A second site, in the other county.
    Register(usize, u32),
}

pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0usize..4, 0u32..1000, 0usize..ITEMS.len()).prop_map(|(p, d, i)| Op::Inspect(p, d, i)),
        2 => (0usize..20).prop_map(Op::Revoke),
        1 => (0usize..4, 0u32..1000, prop::bool::weighted(0.7)).prop_map(|(p, d, ok)| Op::Test(p, d, ok)),
        1 => (0usize..2, 0u32..1000, 1u32..120).prop_map(|(i, d, l)| Op::Suspend(i, d, l)),
        1 => (0usize..2, 0u32..1000).prop_map(|(i, d)| Op::Restore(i, d)),
        1 => (0usize..4, 100u32..1000).prop_map(|(p, d)| Op::Deregister(p, d)),
        1 => (0usize..4, 0u32..1000).prop_map(|(p, d)| Op::Register(p, d)),
    ]
}

pub fn person(p: usize) -> String {
    format!("D3708110000{:02}", p + 1)
}

/// The three institutions and the four people (person p at institution p % 2).
pub fn setup(app: &App) {
    for code in [A, B, C] {
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
    for p in 0..PEOPLE {
        app.register(
            &Caller::system(),
            &jifen::service::registrations::NewRegistration {
                institution_code: INSTITUTIONS[p % 2].into(),
                personnel_code: person(p),
                name: "测试".into(),
                id_number: super::id_number(if p == 3 { "19700101" } else { "19850101" }, p as u32),
                category: "physician".into(),
                registered_on: "2023-06-01".into(),
                phone: None,
            },
        )
        .unwrap();
    }
}

/// Applies operation `k`; `tag` keeps idempotency keys apart between writers. A client error
/// (a second test in a year, a restore with nothing suspended…) is refused and changes
/// nothing; any other error fails the property.
pub fn apply(app: &App, tag: &str, k: usize, op: &Op, deductions: &mut Vec<i64>) {
    let insts = INSTITUTIONS;
    let r: Result<(), jifen::error::Error> = match op {
        Op::Inspect(p, d, i) => {
            let req = serde_json::from_value(
                serde_json::json!({"institution_code": insts[p % 2], "inspected_on": day(*d),
                "decided_on": day(*d), "violations": [{"personnel_code": person(*p), "items": [ITEMS[*i]]}]}),
            )
            .unwrap();
            app.record_inspection(&Caller::system(), Some(&format!("{tag}op{k}")), &req)
                .map(|r| deductions.push(r.violations[0].deduction_id))
        }
        Op::Revoke(n) => match deductions.get(*n) {
            Some(id) => app
                .revoke(
                    &Caller::system(),
                    *id,
                    &jifen::service::inspections::RevokeDeduction { on: "2026-12-01".into(), reason: "r".into() },
                )
                .map(drop),
            None => Ok(()),
        },
        Op::Test(p, d, passed) => {
            let format = if *p == 3 && day(*d).year() >= 2020 { "open" } else { "closed" };
            let req = serde_json::from_value(serde_json::json!({"personnel_code": person(*p), "tested_on": day(*d), "format": format, "score": 70, "passed": passed})).unwrap();
            app.record_test(&Caller::system(), &req).map(drop)
        }
        // 吉林 第四十九条: told 8 days before.
        Op::Suspend(i, d, l) => app
            .notify_intent(
                &Caller::system(),
                insts[*i],
                &serde_json::from_value(serde_json::json!({"action": "suspend", "facts": "f", "basis": "b",
                    "notified_on": day(*d) - chrono::Duration::days(8)}))
                .unwrap(),
            )
            .and_then(|intent| {
                app.suspend_institution(
                    &Caller::system(),
                    insts[*i],
                    &serde_json::from_value(
                        serde_json::json!({"from": day(*d), "until": day(d + l), "reason": "r", "intent_id": intent.id}),
                    )
                    .unwrap(),
                )
            })
            .map(drop),
        Op::Restore(i, d) => app
            .restore_institution(
                &Caller::system(),
                insts[*i],
                &serde_json::from_value(serde_json::json!({"on": day(*d)})).unwrap(),
            )
            .map(drop),
        Op::Deregister(p, d) => app.deregister(&Caller::system(), insts[p % 2], &person(*p), day(*d)).map(drop),
        Op::Register(p, d) => app
            .register(
                &Caller::system(),
                &jifen::service::registrations::NewRegistration {
                    institution_code: C.into(),
                    personnel_code: person(*p),
                    name: "测试".into(),
                    id_number: super::id_number(if *p == 3 { "19700101" } else { "19850101" }, *p as u32),
                    category: "physician".into(),
                    registered_on: day(*d).to_string(),
                    phone: None,
                },
            )
            .map(drop),
    };
    if let Err(e) = r {
        assert!(e.client().is_some(), "{op:?}: {e}");
    }
}
