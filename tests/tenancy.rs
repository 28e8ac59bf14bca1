//! The tenancy chains of the security review, replayed: each step a request an ordinary hr or
//! county-officer token can make, and the step that used to get through now refused. On SQLite
//! and (with TEST_DATABASE_URL) PostgreSQL.

mod common;

use common::{call, call_raw, spawn, TestServer};
use jifen::service::tokens::Role;
use serde_json::{json, Value};

struct City {
    s: TestServer,
    /// 任城 (370811) and 邹城 (370883) hospitals.
    a: String,
    b: String,
    /// Registered only at B, with a deduction recorded at B.
    p: String,
    p_id: String,
    deduction: i64,
}

fn admin(s: &TestServer, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    call(method, &format!("{}{path}", s.base), Some(&s.admin), body.as_ref(), &[("Idempotency-Key", path)])
}

fn city(db: &common::TestDb) -> City {
    let s = spawn(db);
    for (code, region) in [("H37081100001", "370811"), ("H37088300001", "370883")] {
        let (st, b) = admin(
            &s,
            "POST",
            "/institutions",
            Some(json!({"code": code, "name": "医院", "kind": "medical", "region_code": region,
                "agreement_start": "2023-01-01", "agreement_end": "2030-12-31"})),
        );
        assert_eq!(st, 201, "{b}");
    }
    let p_id = common::id_number("19800101", 366);
    let (st, b) = admin(
        &s,
        "POST",
        "/registrations",
        Some(json!({"institution_code": "H37088300001", "personnel_code": "D370883000036", "name": "李四",
            "id_number": p_id, "category": "physician", "registered_on": "2024-01-01"})),
    );
    assert_eq!(st, 201, "{b}");
    let (st, b) = admin(
        &s,
        "POST",
        "/inspections",
        Some(json!({"institution_code": "H37088300001", "inspected_on": "2024-05-06", "decided_on": "2024-05-06",
            "violations": [{"personnel_code": "D370883000036", "items": ["6.1"]}]})),
    );
    assert_eq!(st, 201, "{b}");
    let deduction = b["violations"][0]["deduction_id"].as_i64().expect("deduction id");
    City { s, a: "H37081100001".into(), b: "H37088300001".into(), p: "D370883000036".into(), p_id, deduction }
}

fn roster(code: &str, id: &str) -> Vec<u8> {
    format!("姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间\n李四,{id},医保医师,{code},2020-01-01\n")
        .into_bytes()
}

/// Critical: a county officer registered another county's practitioner at their own county's
/// hospital and then revoked that county's deduction.
#[test]
fn a_county_officer_cannot_revoke_another_countys_deduction_through_a_roster() {
    for db in common::all() {
        let c = city(&db);
        let officer = c.s.app.create_token(Role::Officer, None, Some("370811")).unwrap();
        // (2) The preview's rejection names no other record.
        let other = format!("D370811{:06}", 99);
        let url = format!("{}/rosters/{}?mode=delta", c.s.base, c.a);
        let (st, b) = call_raw("POST", &url, Some(&officer), &roster(&other, &c.p_id), "text/csv");
        assert_eq!(st, 200, "{} {b}", db.backend);
        let reason = b["rejected"][0].to_string();
        assert!(b["rejected"][0]["code"] == "id_number_has_another_code", "{} {b}", db.backend);
        assert!(!reason.contains(&c.p), "{} the rejection discloses the other code: {reason}", db.backend);
        // (3) Officers do not commit rosters.
        let (st, b) =
            call_raw("POST", &format!("{url}&commit=true"), Some(&officer), &roster(&c.p, &c.p_id), "text/csv");
        assert_eq!(st, 403, "{} {b}", db.backend);
        // Even when the person is registered in the officer's county (by that hospital's hr) …
        let hr_a = c.s.app.create_token(Role::Hr, Some(&c.a), None).unwrap();
        let (st, b) = call_raw("POST", &format!("{url}&commit=true"), Some(&hr_a), &roster(&c.p, &c.p_id), "text/csv");
        assert_eq!(st, 200, "{} {b}", db.backend);
        assert_eq!(b["committed"], true, "{} {b}", db.backend);
        // (4) … the deduction recorded in 邹城 stays out of the 任城 officer's reach.
        let (st, b) = call(
            "POST",
            &format!("{}/deductions/{}/revoke", c.s.base, c.deduction),
            Some(&officer),
            Some(&json!({"on": "2024-06-01", "reason": "r"})),
            &[],
        );
        assert_eq!(st, 404, "{} {b}", db.backend);
        // The 邹城 officer may.
        let zoucheng = c.s.app.create_token(Role::Officer, None, Some("370883")).unwrap();
        let (st, b) = call(
            "POST",
            &format!("{}/deductions/{}/revoke", c.s.base, c.deduction),
            Some(&zoucheng),
            Some(&json!({"on": "2024-06-01", "reason": "r"})),
            &[],
        );
        assert_eq!(st, 200, "{} {b}", db.backend);
    }
}

/// Critical: hr registered another hospital's staff member with a backdated date, read the
/// ledger and objected to the other hospital's deduction.
#[test]
fn a_registration_grants_hr_no_sight_of_or_power_over_another_institutions_deduction() {
    for db in common::all() {
        let c = city(&db);
        let hr_a = c.s.app.create_token(Role::Hr, Some(&c.a), None).unwrap();
        let (st, b) = call(
            "POST",
            &format!("{}/registrations", c.s.base),
            Some(&hr_a),
            Some(&json!({"institution_code": c.a, "personnel_code": c.p, "name": "李四", "id_number": c.p_id,
                "category": "physician", "registered_on": "2020-01-01"})),
            &[],
        );
        assert_eq!(st, 201, "{} {b}", db.backend);
        let (st, ledger) =
            call("GET", &format!("{}/practitioners/{}/ledger?year=2024", c.s.base, c.p), Some(&hr_a), None, &[]);
        assert_eq!(st, 200, "{} {ledger}", db.backend);
        assert_eq!(ledger["deductions"].as_array().map(Vec::len), Some(0), "{} {ledger}", db.backend);
        assert_eq!(ledger["not_listed"], 1, "{} {ledger}", db.backend);
        assert_eq!(ledger["total"], 6, "{} the standing still counts every site: {ledger}", db.backend);
        let (st, b) = call(
            "POST",
            &format!("{}/deductions/{}/objections", c.s.base, c.deduction),
            Some(&hr_a),
            Some(&json!({"filed_on": "2024-05-08", "grounds": "g"})),
            &[],
        );
        assert_eq!(st, 404, "{} {b}", db.backend);
        // The inspected hospital's hr files it; hr of A cannot read it.
        let hr_b = c.s.app.create_token(Role::Hr, Some(&c.b), None).unwrap();
        let (st, o) = call(
            "POST",
            &format!("{}/deductions/{}/objections", c.s.base, c.deduction),
            Some(&hr_b),
            Some(&json!({"filed_on": "2024-05-08", "grounds": "g"})),
            &[],
        );
        assert_eq!(st, 201, "{} {o}", db.backend);
        let (st, b) = call("GET", &format!("{}/objections/{}", c.s.base, o["id"]), Some(&hr_a), None, &[]);
        assert_eq!(st, 404, "{} {b}", db.backend);
        // A conflicting registration names nothing to hr.
        let (st, b) = call(
            "POST",
            &format!("{}/registrations", c.s.base),
            Some(&hr_a),
            Some(&json!({"institution_code": c.a, "personnel_code": c.p, "name": "王五",
                "id_number": common::id_number("19900101", 5), "category": "physician", "registered_on": "2024-01-01"})),
            &[],
        );
        assert_eq!(st, 409, "{} {b}", db.backend);
        assert!(!b.to_string().contains(&c.p_id), "{} {b}", db.backend);
    }
}

/// High: the audit trail was matched by substring and not scoped by county.
#[test]
fn the_audit_trail_is_scoped_by_county_and_matched_exactly() {
    for db in common::all() {
        let c = city(&db);
        let get = |token: &str, target: &str| {
            call("GET", &format!("{}/audit?target={target}", c.s.base), Some(token), None, &[])
        };
        let renzheng = c.s.app.create_token(Role::Officer, None, Some("370811")).unwrap();
        let nowhere = c.s.app.create_token(Role::Officer, None, Some("379999")).unwrap();
        let city_officer = c.s.app.create_token(Role::Officer, None, None).unwrap();
        for token in [&renzheng, &nowhere] {
            assert_eq!(get(token, "370").0, 404, "{}", db.backend);
            assert_eq!(get(token, &c.p).0, 404, "{}", db.backend);
            assert_eq!(get(token, &c.b).0, 404, "{}", db.backend);
        }
        let (st, b) = get(&city_officer, "370");
        assert_eq!(st, 200, "{} {b}", db.backend);
        assert_eq!(b["entries"].as_array().map(Vec::len), Some(0), "{} a substring matches nothing: {b}", db.backend);
        let (st, b) = get(&city_officer, &c.p);
        assert_eq!(st, 200, "{} {b}", db.backend);
        assert!(b["entries"].as_array().is_some_and(|e| e.len() >= 2), "{} {b}", db.backend);
        let zoucheng = c.s.app.create_token(Role::Officer, None, Some("370883")).unwrap();
        assert_eq!(get(&zoucheng, &c.p).0, 200, "{}", db.backend);
    }
}

/// Reading unmasked ID numbers and phones leaves a line in the trail.
#[test]
fn a_roster_export_is_audited_as_a_read_of_each_person() {
    for db in common::all() {
        let c = city(&db);
        let hr_b = c.s.app.create_token(Role::Hr, Some(&c.b), None).unwrap();
        let res = ureq::get(&format!("{}/institutions/{}/roster.csv", c.s.base, c.b))
            .set("Authorization", &format!("Bearer {hr_b}"))
            .call()
            .expect("export");
        assert_eq!(res.status(), 200);
        let (st, b) = admin(&c.s, "GET", &format!("/audit?target={}", c.p), None);
        assert_eq!(st, 200, "{b}");
        let reads: Vec<&Value> = b["entries"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["action"].as_str().is_some_and(|a| a.starts_with("read:")))
            .collect();
        assert_eq!(reads.len(), 1, "{} {b}", db.backend);
        assert_eq!(reads[0]["role"], "hr", "{} {b}", db.backend);
    }
}
