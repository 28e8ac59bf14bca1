//! Tamper evidence (issue 16): rows edited, deleted or inserted behind jifen's back with SQL are
//! found by `verify`, which names the first row where the hash chain breaks; a database of the
//! previous release upgrades in place (its rows chained once) and verifies. SQLite and, with
//! TEST_DATABASE_URL, PostgreSQL.

mod common;

use std::process::Command;

use common::{call, spawn, TestServer};
use diesel::RunQueryDsl;
use jifen::store::chain::ChainBreak;
use serde_json::{json, Value};

fn post(s: &TestServer, path: &str, body: Value) -> Value {
    let (st, b) = call("POST", &format!("{}{path}", s.base), Some(&s.admin), Some(&body), &[]);
    assert!(st == 201 || st == 200, "{path}: {st} {b}");
    b
}

/// An institution, two practitioners, an inspection with two deductions, a revocation and a
/// training test: facts in several tables, each with its audit row. Returns the deduction ids.
fn some_facts(s: &TestServer, tag: u32) -> (i64, i64) {
    let inst = format!("H3708110{tag:04}");
    post(
        s,
        "/institutions",
        json!({"code": inst, "name": "测试医院", "kind": "medical", "region_code": "370811",
               "agreement_start": "2023-01-01", "agreement_end": "2030-12-31"}),
    );
    let people: Vec<String> = (0..2).map(|i| format!("D370811{tag:05}{i}")).collect();
    for (i, p) in people.iter().enumerate() {
        post(
            s,
            "/registrations",
            json!({"institution_code": inst, "personnel_code": p, "name": "张三",
                   "id_number": common::id_number("19800101", tag * 10 + i as u32), "category": "physician",
                   "registered_on": "2023-01-01"}),
        );
    }
    let body = json!({"institution_code": inst, "inspected_on": "2024-05-10", "decided_on": "2024-05-10",
        "violations": people.iter().map(|p| json!({"personnel_code": p, "items": ["3.2"],
            "occurred_on": "2024-05-01", "note": "抽查"})).collect::<Vec<_>>()});
    let (st, v) = call(
        "POST",
        &format!("{}/inspections", s.base),
        Some(&s.admin),
        Some(&body),
        &[("Idempotency-Key", &format!("tamper-{tag}"))],
    );
    assert_eq!(st, 201, "{v}");
    let ids: Vec<i64> =
        v["violations"].as_array().unwrap().iter().map(|x| x["deduction_id"].as_i64().unwrap()).collect();
    post(s, &format!("/deductions/{}/revoke", ids[1]), json!({"on": "2024-06-01", "reason": "复核撤销"}));
    post(
        s,
        "/training-tests",
        json!({"personnel_code": people[0], "tested_on": "2024-09-01", "format": "closed", "score": 90, "passed": true}),
    );
    (ids[0], ids[1])
}

fn sql(s: &TestServer, q: &str) {
    let mut c = s.app.pool.get().unwrap();
    diesel::sql_query(q).execute(&mut *c).unwrap_or_else(|e| panic!("{q}: {e}"));
}

fn breaks(s: &TestServer) -> Vec<ChainBreak> {
    s.app.verify().unwrap().chain.breaks
}

fn first_break(s: &TestServer) -> (String, i64, String) {
    let b = breaks(s);
    let f = b.first().unwrap_or_else(|| panic!("verify found nothing"));
    (f.table.clone(), f.id, f.reason.clone())
}

fn cli_verify(url: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jifen")).arg("--database-url").arg(url).arg("verify").output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// The newest audit row naming `fact` (`table:id`): its id and role.
fn audit_row_of(s: &TestServer, fact: &str) -> (i64, String) {
    let mut c = s.app.pool.get().unwrap();
    let row = jifen::store::audit::about(&mut c, fact, 10).unwrap().pop().unwrap();
    (row.id, row.role)
}

#[test]
fn edits_deletions_and_insertions_behind_jifens_back_are_named_by_verify() {
    for db in common::all() {
        let s = spawn(&db);
        let (kept, revoked) = some_facts(&s, 1);
        let report = s.app.verify().unwrap();
        assert!(report.differences.is_empty(), "{}: {:?}", db.backend, report.differences);
        assert!(report.chain.links >= 12, "{}: {:?}", db.backend, report.chain);
        let (ok, out) = cli_verify(&db.url);
        assert!(ok && out.contains("0 chain breaks"), "{}: {out}", db.backend);

        // A deduction's points changed: named, and put back it verifies again.
        sql(&s, &format!("UPDATE deductions SET points = 1 WHERE id = {kept}"));
        let (t, id, why) = first_break(&s);
        assert_eq!((t.as_str(), id), ("deductions", kept), "{}: {why}", db.backend);
        assert!(why.contains("edited"), "{why}");
        let (ok, out) = cli_verify(&db.url);
        assert!(!ok && out.contains(&format!("first at deductions:{kept}")), "{}: {out}", db.backend);
        sql(&s, &format!("UPDATE deductions SET points = 3 WHERE id = {kept}"));
        assert_eq!(breaks(&s), vec![], "{}: the original value checks again", db.backend);

        // The audit trail edited: who did it.
        let (audit, role) = audit_row_of(&s, &format!("deductions:{kept}"));
        sql(&s, &format!("UPDATE audit_log SET role = 'forged' WHERE id = {audit}"));
        assert_eq!(first_break(&s).0.as_str(), "audit_log", "{}", db.backend);
        assert_eq!(first_break(&s).1, audit, "{}", db.backend);
        sql(&s, &format!("UPDATE audit_log SET role = '{role}' WHERE id = {audit}"));
        assert_eq!(breaks(&s), vec![], "{}", db.backend);

        // A revocation deleted (the deduction would count again): named.
        sql(&s, &format!("DELETE FROM revocations WHERE deduction_id = {revoked}"));
        let b = breaks(&s);
        assert!(b.iter().any(|x| x.table == "revocations" && x.reason.contains("gone")), "{}: {b:?}", db.backend);
        let (ok, out) = cli_verify(&db.url);
        assert!(!ok && out.contains("revocations:"), "{}: {out}", db.backend);

        // A deduction deleted together with its link (a gap in the chain) is named too.
        let db2 = if db.backend == "sqlite" { common::sqlite() } else { common::postgres().unwrap() };
        let s2 = spawn(&db2);
        let (d2, _) = some_facts(&s2, 2);
        sql(&s2, &format!("DELETE FROM chain_links WHERE fact_table = 'deductions' AND fact_id = {d2}"));
        sql(&s2, &format!("DELETE FROM deductions WHERE id = {d2}"));
        let b = breaks(&s2);
        assert!(b.iter().any(|x| x.reason.contains("missing") || x.id == d2), "{}: {b:?}", db.backend);

        // A row inserted behind jifen's back has no link.
        sql(&s2, "INSERT INTO pass_marks (year, mark, recorded_at) VALUES (2031, 10, '2026-12-09 00:00:00')");
        let b = breaks(&s2);
        assert!(b.iter().any(|x| x.table == "pass_marks" && x.reason.contains("no link")), "{}: {b:?}", db.backend);
    }
}

#[test]
fn a_database_of_the_previous_release_upgrades_in_place_and_verifies() {
    for db in common::all() {
        {
            let s = spawn(&db);
            some_facts(&s, 3);
            // Back to the previous release's schema: its facts and audit rows, no chains.
            sql(&s, "DROP TABLE chain_links");
            sql(&s, "DROP TABLE chain_upgrade");
            sql(&s, "DELETE FROM __diesel_schema_migrations WHERE version LIKE '20261209000005%'");
        }
        // Opening it migrates and chains the rows it holds, once.
        let s = spawn(&db);
        let report = s.app.verify().unwrap();
        assert!(report.differences.is_empty(), "{}: {:?}", db.backend, report.differences);
        assert!(report.chain.links >= 12 && report.chain.breaks.is_empty(), "{}: {:?}", db.backend, report.chain);
        // New writes chain as usual beside the upgraded rows.
        some_facts(&s, 4);
        assert_eq!(breaks(&s), vec![], "{}", db.backend);
        // And an edit of an upgraded row is found.
        sql(&s, "UPDATE deductions SET points = 6 WHERE id = (SELECT MIN(id) FROM deductions)");
        let (t, _, why) = first_break(&s);
        assert_eq!(t, "deductions", "{}: {why}", db.backend);
        drop(s);
        // Reopening does not chain the edited or any later row again.
        let s = spawn(&db);
        assert_eq!(first_break(&s).0, "deductions", "{}", db.backend);
    }
}

/// 考试方式 came after the chains (issue 11): a training test without one hashes exactly as
/// before the column existed (the canonical row of the previous release, written out here), so
/// upgraded chains still verify; a test with one includes it, and editing it is found.
#[test]
fn a_training_tests_delivery_is_chained_and_a_row_without_one_hashes_as_before() {
    use sha2::Digest as _;
    for db in common::all() {
        let s = spawn(&db);
        some_facts(&s, 5);
        let code = "D370811000050";
        // Two tests inserted by hand, each linked with the hash of the canonical row we expect.
        let canon = |delivery: &str| {
            format!(
                r#"{{"personnel_code":"{code}","tested_on":"2025-09-01","cycle_year":2025,"format":"closed","score":"85.5","passed":true,"recorded_at":"2025-09-01 08:00:00.000000","retake_reason":null{delivery}}}"#
            )
        };
        for (id, delivery, tail) in [(900_001, "NULL", String::new()), (900_002, "'computer'", canon_tail("computer"))]
        {
            sql(
                &s,
                &format!(
                    "INSERT INTO training_tests (id, personnel_code, tested_on, cycle_year, format, score, passed, \
                     recorded_at, retake_reason, delivery) VALUES ({id}, '{code}', '2025-09-01', 2025, 'closed', \
                     '85.5', true, '2025-09-01 08:00:00', NULL, {delivery})"
                ),
            );
            let digest: [u8; 32] = sha2::Sha256::digest(canon(&tail).as_bytes()).into();
            let hash = jifen::store::chain::link_hash(jifen::store::chain::GENESIS, "training_tests", id, &digest);
            sql(
                &s,
                &format!(
                    "INSERT INTO chain_links (chain, seq, fact_table, fact_id, hash) \
                     VALUES ('by-hand:{id}', 1, 'training_tests', {id}, '{hash}')"
                ),
            );
        }
        assert_eq!(breaks(&s), vec![], "{}: both rows hash as written out", db.backend);
        sql(&s, "UPDATE training_tests SET delivery = 'paper' WHERE id = 900002");
        assert_eq!(first_break(&s).1, 900_002, "{}", db.backend);
        sql(&s, "UPDATE training_tests SET delivery = 'computer' WHERE id = 900002");
        // A delivery added behind jifen's back to a test that had none is found too.
        sql(&s, "UPDATE training_tests SET delivery = 'online' WHERE id = 900001");
        assert_eq!(first_break(&s).1, 900_001, "{}", db.backend);
    }
}

fn canon_tail(delivery: &str) -> String {
    format!(r#","delivery":"{delivery}""#)
}
