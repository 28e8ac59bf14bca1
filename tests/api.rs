//! The HTTP contract of DESIGN.md through a real server on port 0, on SQLite and (with
//! TEST_DATABASE_URL) PostgreSQL.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};

use common::{call, call_raw, spawn, TestServer};
use jifen::service::tokens::Role;
use serde_json::{json, Value};

static SERIAL: AtomicU32 = AtomicU32::new(1);

fn serial() -> u32 {
    SERIAL.fetch_add(1, Ordering::SeqCst)
}

struct Api {
    s: TestServer,
}

impl Api {
    fn new(db: &common::TestDb) -> Api {
        Api { s: spawn(db) }
    }
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.s.base)
    }
    fn get(&self, path: &str) -> (u16, Value) {
        call("GET", &self.url(path), Some(&self.s.admin), None, &[])
    }
    fn post(&self, path: &str, body: Value) -> (u16, Value) {
        call("POST", &self.url(path), Some(&self.s.admin), Some(&body), &[])
    }
    fn institution(&self, region: &str) -> String {
        let code = format!("H{region}{:05}", serial());
        let (st, b) = self.post(
            "/institutions",
            json!({"code": code, "name": "测试医院", "kind": "medical", "region_code": region,
                   "agreement_start": "2023-01-01", "agreement_end": "2030-12-31"}),
        );
        assert_eq!(st, 201, "{b}");
        code
    }
    fn register(&self, inst: &str, birth: &str) -> String {
        let n = serial();
        let code = format!("D370811{n:06}");
        let (st, b) = self.post(
            "/registrations",
            json!({"institution_code": inst, "personnel_code": code, "name": "张三",
                   "id_number": common::id_number(birth, n), "category": "physician",
                   "registered_on": "2023-01-01", "phone": "13800000000"}),
        );
        assert_eq!(st, 201, "{b}");
        code
    }
    fn inspect(&self, inst: &str, decided: &str, violations: &[(&str, &[&str])]) -> Value {
        let body = json!({"institution_code": inst, "inspected_on": decided, "decided_on": decided,
            "violations": violations.iter().map(|(p, items)| json!({"personnel_code": p, "items": items,
                "occurred_on": decided, "note": "抽查"})).collect::<Vec<_>>()});
        let key = format!("key-{}", serial());
        let (st, b) =
            call("POST", &self.url("/inspections"), Some(&self.s.admin), Some(&body), &[("Idempotency-Key", &key)]);
        assert_eq!(st, 201, "{b}");
        b
    }
    /// 吉林 第四十九条: the institution told of an intended suspension or termination.
    fn intent(&self, inst: &str, action: &str, notified_on: &str) -> i64 {
        let (st, b) = self.post(
            &format!("/institutions/{inst}/agreement/intents"),
            json!({"action": action, "facts": "违规事实", "basis": "医保协议", "notified_on": notified_on}),
        );
        assert_eq!(st, 201, "{b}");
        b["id"].as_i64().unwrap()
    }
    fn status(&self, p: &str, date: &str) -> Value {
        let (st, b) = self.get(&format!("/practitioners/{p}/status?date={date}"));
        assert_eq!(st, 200, "{b}");
        b
    }
    fn payable(&self, p: &str, inst: &str, date: &str, emergency: bool) -> (bool, String) {
        let (st, b) = self.post(
            "/eligibility/check",
            json!({"lines": [{"personnel_code": p, "institution_code": inst, "service_date": date,
                              "emergency": emergency, "amount": "10.00"}]}),
        );
        assert_eq!(st, 200, "{b}");
        (
            b["lines"][0]["payable"].as_bool().unwrap_or(false),
            b["lines"][0]["reason"].as_str().unwrap_or("").to_string(),
        )
    }
}

fn code_of(b: &Value) -> &str {
    b["error"]["code"].as_str().unwrap_or("")
}

#[test]
fn a_deduction_from_inspection_to_claims_and_back() {
    for db in common::all() {
        let api = Api::new(&db);
        let a = api.institution("370811");
        let b = api.institution("370812");
        let p = api.register(&a, "19800101");
        // 多点执业: the same person at a second site.
        let (st, _) = api.post(
            "/registrations",
            json!({"institution_code": b, "personnel_code": p, "name": "张三",
                   "id_number": "ignored-for-existing-person", "category": "physician", "registered_on": "2023-01-01"}),
        );
        assert_eq!(st, 422, "the ID number is still validated");
        let first = api.inspect(&a, "2024-04-01", &[(&p, &["3.2", "1.1"])]);
        assert_eq!(first["violations"][0]["points"], 3, "highest item once: {first}");
        let r = api.inspect(&a, "2024-04-15", &[(&p, &["1.4"]), (&p, &["3.1"])]);
        assert_eq!(r["violations"][1]["cycle_total"], 7, "{r}");
        let kinds: Vec<&str> = r["sanctions"].as_array().unwrap().iter().filter_map(|s| s["kind"].as_str()).collect();
        assert_eq!(kinds, ["suspension"], "4 → 7 suspends without an interview: {r}");

        let s = api.status(&p, "2024-05-01");
        assert_eq!(s["status"], "suspended", "{s}");
        assert_eq!(s["suspended_until"], "2024-07-15");
        assert_eq!((s["cycle_total"].as_u64(), s["remaining"].as_u64()), (Some(7), Some(5)));
        assert_eq!(api.payable(&p, &a, "2024-05-01", false), (false, "suspended".into()));
        assert_eq!(api.payable(&p, &a, "2024-05-01", true), (true, "emergency_exception".into()));
        assert_eq!(api.payable(&p, &a, "2024-07-15", false), (true, "active".into()));
        assert_eq!(api.payable(&p, &b, "2024-05-01", false).1, "not_registered");

        let (st, ledger) = api.get(&format!("/practitioners/{p}/ledger?year=2024"));
        assert_eq!(st, 200);
        assert_eq!(ledger["total"], 7);
        assert_eq!(ledger["sanctions"][0]["article"], "五(一)");
        assert!(ledger["deductions"][0]["explanation"]["zh"].as_str().unwrap().contains("四(二)2"), "{ledger}");

        // A revocation is retroactive: the past date becomes payable.
        let id = r["violations"][1]["deduction_id"].as_i64().unwrap();
        let (st, after) =
            api.post(&format!("/deductions/{id}/revoke"), json!({"on": "2024-06-01", "reason": "复核撤销"}));
        assert_eq!(st, 200, "{after}");
        assert_eq!(after["total"], 4);
        assert_eq!(after["sanctions"].as_array().map(Vec::len), Some(0), "{after}");
        assert_eq!(api.payable(&p, &a, "2024-05-01", false), (true, "active".into()));
        let (st, again) = api.post(&format!("/deductions/{id}/revoke"), json!({"on": "2024-06-02", "reason": "again"}));
        assert_eq!((st, code_of(&again)), (409, "already_revoked"));

        // Money is exact: a fund loss in yuan comes back as the same decimal string.
        let body = json!({"institution_code": a, "inspected_on": "2024-11-01", "decided_on": "2024-11-02",
            "violations": [{"personnel_code": p, "items": ["1.8"], "fund_loss": "1234.56"}]});
        let (st, b) =
            call("POST", &api.url("/inspections"), Some(&api.s.admin), Some(&body), &[("Idempotency-Key", "loss")]);
        assert_eq!((st, b["violations"][0]["fund_loss"].as_str()), (201, Some("1234.56")), "{b}");
        let bad = json!({"institution_code": a, "inspected_on": "2024-11-01", "decided_on": "2024-11-02",
            "violations": [{"personnel_code": p, "items": ["1.8"], "fund_loss": "12.345"}]});
        let (st, b) =
            call("POST", &api.url("/inspections"), Some(&api.s.admin), Some(&bad), &[("Idempotency-Key", "loss2")]);
        assert_eq!((st, b["error"]["field"].as_str()), (422, Some("violations[0].fund_loss")), "{b}");
        let (_, ledger) = api.get(&format!("/practitioners/{p}/ledger?year=2024"));
        let loss = ledger["deductions"].as_array().unwrap().iter().find(|d| d["items"][0] == "1.8").cloned().unwrap();
        assert_eq!(loss["fund_loss"], "1234.56");
        assert!(api.s.app.verify().unwrap().differences.is_empty(), "{}", db.backend);
    }
}

#[test]
fn idempotency_keys_replay_or_conflict() {
    for db in common::all() {
        let api = Api::new(&db);
        let a = api.institution("370811");
        let p = api.register(&a, "19800101");
        let body = json!({"institution_code": a, "inspected_on": "2024-06-06", "decided_on": "2024-06-06",
            "violations": [{"personnel_code": p, "items": ["1.1"], "occurred_on": "2024-06-06", "note": ""}]});
        let h = [("Idempotency-Key", "same-key")];
        let (s1, b1) = call("POST", &api.url("/inspections"), Some(&api.s.admin), Some(&body), &h);
        let (s2, b2) = call("POST", &api.url("/inspections"), Some(&api.s.admin), Some(&body), &h);
        assert_eq!((s1, s2), (201, 201));
        assert_eq!(b1, b2, "same key, same body: the same answer");
        assert_eq!(api.status(&p, "2024-06-06")["cycle_total"], 1);
        let mut other = body.clone();
        other["violations"][0]["items"] = json!(["1.2"]);
        let (s3, b3) = call("POST", &api.url("/inspections"), Some(&api.s.admin), Some(&other), &h);
        assert_eq!((s3, code_of(&b3)), (409, "idempotency_conflict"), "{b3}");
        assert_eq!(api.status(&p, "2024-06-06")["cycle_total"], 1);
    }
}

#[test]
fn bad_input_gets_a_precise_error_and_changes_nothing() {
    let db = common::sqlite();
    let api = Api::new(&db);
    let a = api.institution("370811");
    let p = api.register(&a, "19800101");
    let n = serial();
    let good_id = common::id_number("19800101", n);
    let bad_id = format!("{}{}", &good_id[..17], if good_id.ends_with('1') { '2' } else { '1' });
    let cases: Vec<(&str, Value, u16, &str, &str)> = vec![
        (
            "/registrations",
            json!({"institution_code": a, "personnel_code": format!("D370811{n:06}"), "name": "李四",
            "id_number": bad_id, "category": "physician", "registered_on": "2024-01-01"}),
            422,
            "invalid_id_number",
            "id_number",
        ),
        (
            "/registrations",
            json!({"institution_code": a, "personnel_code": "X1", "name": "李四",
            "id_number": good_id, "category": "physician", "registered_on": "2024-01-01"}),
            422,
            "invalid_personnel_code",
            "personnel_code",
        ),
        (
            "/registrations",
            json!({"institution_code": a, "personnel_code": format!("D370811{n:06}"), "name": "李四",
            "id_number": good_id, "category": "厨师", "registered_on": "2024-01-01"}),
            422,
            "invalid_category",
            "category",
        ),
        (
            "/registrations",
            json!({"institution_code": a, "personnel_code": format!("D370811{n:06}"), "name": "李四",
            "id_number": good_id, "category": "physician", "registered_on": "2024-02-30"}),
            422,
            "invalid_date",
            "registered_on",
        ),
        (
            "/inspections",
            json!({"institution_code": a, "inspected_on": "2024-05-05", "decided_on": "2024-05-05",
            "violations": [{"personnel_code": p, "items": ["9.9"], "occurred_on": "2024-05-05", "note": ""}]}),
            422,
            "unknown_item",
            "violations[0].items",
        ),
        (
            "/inspections",
            json!({"institution_code": a, "inspected_on": "2024-05-05", "decided_on": "2024-05-05",
            "violations": []}),
            422,
            "no_violations",
            "violations",
        ),
        (
            "/training-tests",
            json!({"personnel_code": p, "tested_on": "2024-06-01", "format": "open", "score": 90, "passed": true}),
            422,
            "format_contradicts_age",
            "format",
        ),
        (
            "/institutions",
            json!({"code": "H123", "name": "x", "kind": "medical", "agreement_start": "2024-01-01",
            "agreement_end": "2025-01-01"}),
            422,
            "invalid_institution_code",
            "code",
        ),
        ("/inspections", json!({"institution_code": a}), 422, "invalid_body", "inspected_on"),
        (
            "/eligibility/check",
            json!({"lines": [{"personnel_code": p, "institution_code": a, "service_date": "2024-13-01"}]}),
            422,
            "invalid_date",
            "lines[0].service_date",
        ),
    ];
    for (path, body, status, code, field) in cases {
        let (st, b) = api.post(path, body.clone());
        assert_eq!((st, code_of(&b)), (status, code), "{path} {body}: {b}");
        assert_eq!(b["error"]["field"], field, "{path}: {b}");
        assert!(!b["error"]["message_zh"].as_str().unwrap_or("").is_empty(), "{b}");
    }
    let (st, b) =
        call_raw("POST", &api.url("/inspections"), Some(&api.s.admin), b"{\"institution_code\": ", "application/json");
    assert_eq!((st, code_of(&b)), (400, "malformed_json"));
    let (st, b) = api.get("/practitioners/D370811999999/status");
    assert_eq!((st, code_of(&b)), (404, "not_found"));
    let (st, _) = api.get(&format!("/practitioners/{p}/status?date=tomorrow"));
    assert_eq!(st, 422);
    // Nothing above was written.
    assert_eq!(api.status(&p, "2024-12-31")["cycle_total"], 0);
    assert!(api.s.app.verify().unwrap().differences.is_empty());
}

/// No input a user can send produces a 500: malformed, truncated, oversized, wrongly typed
/// and out-of-range bodies to every endpoint.
#[test]
fn no_body_makes_a_500() {
    let db = common::sqlite();
    let api = Api::new(&db);
    let a = api.institution("370811");
    let p = api.register(&a, "19800101");
    let posts = [
        "/institutions".to_string(),
        format!("/institutions/{a}/agreement/suspend"),
        format!("/institutions/{a}/agreement/restore"),
        format!("/institutions/{a}/agreement/terminate"),
        "/registrations".to_string(),
        "/inspections".to_string(),
        "/deductions/1/revoke".to_string(),
        "/deductions/abc/revoke".to_string(),
        "/training-tests".to_string(),
        "/eligibility/check".to_string(),
        "/cascade-cases/1/decide".to_string(),
        "/interview-orders/1/record".to_string(),
    ];
    let huge = "9".repeat(400);
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"{".to_vec(),
        b"[]".to_vec(),
        b"null".to_vec(),
        b"{\"code\": 1, \"name\": [], \"violations\": \"x\", \"lines\": {}}".to_vec(),
        format!("{{\"lines\": [{{\"personnel_code\": \"{p}\", \"institution_code\": \"{a}\", \"service_date\": \"9999-99-99\", \"amount\": {huge}}}]}}").into_bytes(),
        format!("{{\"institution_code\": \"{a}\", \"inspected_on\": \"2024-01-01\", \"decided_on\": \"2024-01-01\", \"violations\": [{{\"personnel_code\": \"{p}\", \"items\": [\"1.1\"], \"points\": -1}}]}}").into_bytes(),
        format!("{{\"personnel_code\": \"{p}\", \"tested_on\": \"2024-01-01\", \"format\": \"closed\", \"score\": 1e309, \"passed\": true}}").into_bytes(),
        br#"{"from": "2024-01-01", "until": "2023-01-01", "reason": "", "on": "0000-01-01", "decision": "maybe", "held_on": "x"}"#.to_vec(),
        vec![0xff, 0xfe, 0x00, 0x01],
        "{\"name\": \"\u{0000}\"}".as_bytes().to_vec(),
    ];
    for path in &posts {
        for body in &bodies {
            let (st, b) = call_raw("POST", &api.url(path), Some(&api.s.admin), body, "application/json");
            assert!((400..500).contains(&st), "{path} {:?} → {st} {b}", String::from_utf8_lossy(body));
            assert!(b["error"]["code"].is_string(), "{path}: {b}");
        }
    }
    for path in [
        format!("/practitioners/{p}/status?date=2024-02-30"),
        format!("/practitioners/{p}/ledger?year=abc"),
        "/watch-list?year=99999999999".to_string(),
        format!("/institutions/{a}/cascade?year=-1"),
        "/interview-orders?year=x".to_string(),
    ] {
        let (st, b) = api.get(&path);
        assert!((200..500).contains(&st) && st != 500, "{path} → {st} {b}");
    }
    let (st, _) =
        call("DELETE", &api.url(&format!("/registrations/{a}/{p}?on=2024-99-01")), Some(&api.s.admin), None, &[]);
    assert_eq!(st, 422);
}

/// Every role against every endpoint.
#[test]
fn roles_and_tenancy() {
    let db = common::sqlite();
    let api = Api::new(&db);
    let a = api.institution("370811");
    let b = api.institution("370812");
    let p = api.register(&a, "19800101");
    let q = api.register(&b, "19800101");
    let r = api.inspect(&a, "2024-05-05", &[(&p, &["1.1"])]);
    let d = r["violations"][0]["deduction_id"].as_i64().unwrap();
    let app = &api.s.app;
    let tok = |role, inst: Option<&str>, region: Option<&str>| app.create_token(role, inst, region).unwrap();
    let tokens = [
        ("admin", api.s.admin.clone()),
        ("officer_city", tok(Role::Officer, None, None)),
        ("officer_370811", tok(Role::Officer, None, Some("370811"))),
        ("officer_370812", tok(Role::Officer, None, Some("370812"))),
        ("agency", tok(Role::Agency, None, None)),
        ("hr_a", tok(Role::Hr, Some(&a), None)),
        ("hr_b", tok(Role::Hr, Some(&b), None)),
        ("settlement", tok(Role::Settlement, None, None)),
        ("bogus", "not-a-token".to_string()),
    ];
    // For each request: the status each role must get, in the order of `tokens`.
    // A = allowed (2xx, or 409 for a write an earlier role made), F = 403, N = 404, U = 401.
    let claim = json!({"lines": [{"personnel_code": p, "institution_code": a, "service_date": "2024-05-05"}]});
    let intent_b = api.intent(&b, "suspend", "2024-06-20");
    let table: Vec<(&str, String, Option<Value>, &str)> = vec![
        ("GET", format!("/practitioners/{p}/status?date=2024-05-05"), None, "AAAN AANFU"),
        ("GET", format!("/practitioners/{q}/ledger?year=2024"), None, "AANA ANAFU"),
        ("POST", "/eligibility/check".into(), Some(claim), "AFFF AFFAU"),
        ("GET", "/watch-list?year=2024".into(), None, "AAAA AFFFU"),
        ("GET", "/cascade-cases".into(), None, "AAAA AFFFU"),
        ("GET", format!("/institutions/{a}/cascade?year=2024"), None, "AAAN AANFU"),
        ("GET", "/interview-orders?year=2024".into(), None, "AAAA AAAFU"),
        ("GET", format!("/interview-orders?institution_code={b}"), None, "AAAA ANAFU"),
        (
            "POST",
            "/inspections".into(),
            Some(json!({"institution_code": a, "inspected_on": "2024-05-06",
            "decided_on": "2024-05-06", "violations": [{"personnel_code": p, "items": ["1.1"]}]})),
            "AAAN FFFFU",
        ),
        ("POST", format!("/deductions/{d}/revoke"), Some(json!({"on": "2024-06-01", "reason": "r"})), "AAAN FFFFU"),
        (
            "POST",
            "/training-tests".into(),
            Some(json!({"personnel_code": q, "tested_on": "2024-06-01",
            "format": "closed", "score": 90, "passed": true})),
            "AFFF AFFFU",
        ),
        (
            "POST",
            "/institutions".into(),
            Some(json!({"code": "H37081199999", "name": "n", "kind": "medical",
            "agreement_start": "2024-01-01", "agreement_end": "2030-01-01"})),
            "AFFF AFFFU",
        ),
        ("GET", format!("/institutions/{a}?date=2024-01-01"), None, "AAAN AANFU"),
        (
            "POST",
            format!("/institutions/{b}/agreement/suspend"),
            Some(json!({"from": "2024-07-01", "until": "2024-07-02", "reason": "r", "intent_id": intent_b})),
            "AANA AFFFU",
        ),
        ("POST", format!("/institutions/{b}/agreement/restore"), Some(json!({"on": "2024-07-01"})), "AANA AFFFU"),
        (
            "POST",
            "/registrations".into(),
            Some(json!({"institution_code": a, "personnel_code": "D370811777777", "name": "新人",
            "id_number": common::id_number("19900101", 777), "category": "physician", "registered_on": "2024-02-01"})),
            "AFFF AANFU",
        ),
        ("GET", "/notices".into(), None, "AAAA AAAFU"),
        ("GET", format!("/notices?institution_code={b}"), None, "AAAA ANAFU"),
        ("GET", "/exports/status-list.csv".into(), None, "AAAA AAAAU"),
        ("GET", format!("/institutions/{a}/roster.csv"), None, "AAAN AANFU"),
        ("GET", "/calendar/working-days?from=2024-09-27&days=10".into(), None, "AAAA AAAAU"),
    ];
    for (method, path, body, want) in &table {
        let want: Vec<char> = want.chars().filter(|c| !c.is_whitespace()).collect();
        for (k, (role, token)) in tokens.iter().enumerate() {
            let (st, resp) = call(
                method,
                &api.url(path),
                Some(token),
                body.as_ref(),
                &[("Idempotency-Key", &format!("rk{}", serial()))],
            );
            let got = match st {
                // 409: authorised, but the write was already made by an earlier role.
                200..=299 | 409 => 'A',
                401 => 'U',
                403 => 'F',
                404 => 'N',
                _ => '?',
            };
            assert_eq!(got, want[k], "{role} {method} {path}: {st} {resp}");
        }
    }
    let (st, _) = call("GET", &api.url("/watch-list"), None, None, &[]);
    assert_eq!(st, 401, "no token");
}

#[test]
fn public_lookup_masks_personal_data() {
    let db = common::sqlite();
    let api = Api::new(&db);
    let a = api.institution("370811");
    let p = api.register(&a, "19800101");
    let (st, b) = call("GET", &api.url(&format!("/public/practitioners/{p}?date=2024-01-01")), None, None, &[]);
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["name"], "张**", "the first character, not the length");
    assert!(b.get("id_number").is_none(), "no ID number, not even masked: {b}");
    assert!(!b.to_string().contains("370811198"), "{b}");
    assert!(!b.to_string().contains("13800000000"), "no phone: {b}");
    let (st, b) = call("GET", &api.url(&format!("/public/institutions/{a}?date=2024-01-01")), None, None, &[]);
    assert_eq!((st, b["status"].as_str()), (200, Some("active")));
}

#[test]
fn institution_agreement_carries_its_staff() {
    for db in common::all() {
        let api = Api::new(&db);
        let a = api.institution("370811");
        let b = api.institution("370811");
        let p = api.register(&a, "19800101");
        let (st, _) = api.post(
            "/registrations",
            json!({"institution_code": b, "personnel_code": p, "name": "张三", "id_number": api_id(&api, &p),
                   "category": "physician", "registered_on": "2023-01-01"}),
        );
        assert_eq!(st, 201);
        let intent = api.intent(&a, "suspend", "2024-02-20");
        let (st, v) = api.post(
            &format!("/institutions/{a}/agreement/suspend"),
            json!({"from": "2024-03-01", "reason": "违规", "article": "聊城 第二十九条", "intent_id": intent}),
        );
        assert_eq!((st, v["status"].as_str()), (200, Some("suspended")), "{v}");
        let s = api.status(&p, "2024-03-02");
        assert_eq!(s["status"], "active", "not a personal sanction: {s}");
        assert_eq!(api.payable(&p, &a, "2024-03-02", false), (false, "institution_suspended".into()));
        assert_eq!(api.payable(&p, &b, "2024-03-02", false), (true, "active".into()));
        let (st, v) = api.post(&format!("/institutions/{a}/agreement/restore"), json!({"on": "2024-04-01"}));
        assert_eq!((st, v["status"].as_str()), (200, Some("active")), "{v}");
        assert!(api.payable(&p, &a, "2024-04-01", false).0);
        assert!(!api.payable(&p, &a, "2024-03-31", false).0, "history is kept");
        let intent = api.intent(&a, "terminate", "2024-08-20");
        let (st, v) = api.post(
            &format!("/institutions/{a}/agreement/terminate"),
            json!({"on": "2024-09-01", "reason": "解除", "article": "聊城 第三十一条", "intent_id": intent}),
        );
        assert_eq!((st, v["status"].as_str()), (200, Some("terminated")), "{v}");
        assert_eq!(api.payable(&p, &a, "2024-09-01", false).1, "institution_terminated");
        assert!(api.s.app.verify().unwrap().differences.is_empty());
    }
}

fn api_id(api: &Api, code: &str) -> String {
    let mut c = api.s.app.conn().unwrap();
    jifen::store::facts::practitioner(&mut c, code).unwrap().unwrap().id_number
}

#[test]
fn thirty_percent_opens_a_case_the_officer_decides() {
    for db in common::all() {
        let api = Api::new(&db);
        let a = api.institution("370811");
        let staff: Vec<String> = (0..10).map(|_| api.register(&a, "19800101")).collect();
        for (k, p) in staff.iter().take(2).enumerate() {
            api.inspect(&a, &format!("2024-05-0{}", k + 1), &[(p, &["6.1"])]);
        }
        let (_, f) = api.get(&format!("/institutions/{a}/cascade?year=2024"));
        assert_eq!(
            (f["numerator"].as_u64(), f["denominator"].as_u64(), f["threshold_reached"].as_bool()),
            (Some(2), Some(10), Some(false)),
            "{f}"
        );
        let (_, cases) = api.get("/cascade-cases");
        assert!(cases["cases"].as_array().unwrap().iter().all(|c| c["institution_code"] != a.as_str()));
        api.inspect(&a, "2024-05-09", &[(&staff[2], &["12.1"])]);
        let (_, f) = api.get(&format!("/institutions/{a}/cascade?year=2024"));
        assert_eq!(
            (f["numerator"].as_u64(), f["ratio"].as_str(), f["threshold_reached"].as_bool()),
            (Some(3), Some("0.3000"), Some(true)),
            "{f}"
        );
        let (_, cases) = api.get("/cascade-cases");
        let case = cases["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["institution_code"] == a.as_str())
            .cloned()
            .expect("case opened");
        assert_eq!(
            (case["numerator"].as_i64(), case["denominator"].as_i64(), case["status"].as_str()),
            (Some(3), Some(10), Some("open"))
        );
        let id = case["id"].as_i64().unwrap();
        let intent = api.intent(&a, "suspend", "2024-05-20");
        let (st, decided) = api.post(
            &format!("/cascade-cases/{id}/decide"),
            json!({"decision": "suspend", "reason": "30%人员被处理", "on": "2024-06-01", "until": "2024-09-01", "intent_id": intent}),
        );
        assert_eq!((st, decided["status"].as_str()), (200, Some("decided")), "{decided}");
        assert_eq!(api.payable(&staff[5], &a, "2024-06-01", false).1, "institution_suspended");
        assert!(api.payable(&staff[5], &a, "2024-09-01", false).0);
        let (st, again) = api.post(
            &format!("/cascade-cases/{id}/decide"),
            json!({"decision": "none", "reason": "x", "on": "2024-06-02"}),
        );
        assert_eq!((st, code_of(&again)), (409, "already_decided"));
        // The watch list (六(三)) holds the 12-point deduction; the interview orders list exists.
        let (_, w) = api.get("/watch-list?year=2024");
        let entry = w["institutions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["institution_code"] == a.as_str())
            .cloned()
            .expect("listed");
        assert_eq!(entry["practitioners"][0]["personnel_code"], staff[2].as_str());
        assert_eq!(entry["practitioners"][0]["deductions"][0]["points"], 12, "{entry}");
        assert_eq!(entry["practitioners"][0]["deductions"][0]["article"], "四(四)1");
    }
}

#[test]
fn interview_orders_are_recorded_by_the_institution() {
    let db = common::sqlite();
    let api = Api::new(&db);
    let a = api.institution("370811");
    let p = api.register(&a, "19800101");
    api.inspect(&a, "2024-04-01", &[(&p, &["3.1"]), (&p, &["1.1"]), (&p, &["1.2"])]);
    let (_, list) = api.get(&format!("/interview-orders?institution_code={a}&year=2024"));
    let order = list["orders"][0].clone();
    assert_eq!(
        (order["personnel_code"].as_str(), order["ordered_on"].as_str()),
        (Some(p.as_str()), Some("2024-04-01")),
        "{list}"
    );
    assert!(order["held_on"].is_null());
    let hr = api.s.app.create_token(Role::Hr, Some(&a), None).unwrap();
    let id = order["id"].as_i64().unwrap();
    let (st, rec) = call(
        "POST",
        &api.url(&format!("/interview-orders/{id}/record")),
        Some(&hr),
        Some(&json!({"held_on": "2024-04-05", "notes": "已约谈"})),
        &[],
    );
    assert_eq!((st, rec["held_on"].as_str()), (200, Some("2024-04-05")), "{rec}");
}

#[test]
fn a_batch_of_100_000_claim_lines() {
    let db = common::sqlite();
    let api = Api::new(&db);
    let a = api.institution("370811");
    let p = api.register(&a, "19800101");
    api.inspect(&a, "2024-04-15", &[(&p, &["6.3"])]);
    let lines: Vec<Value> = (0..100_000)
        .map(|k| {
            json!({"personnel_code": p, "institution_code": a,
            "service_date": if k % 2 == 0 { "2024-05-01" } else { "2024-08-01" }, "emergency": false, "amount": "1.01"})
        })
        .collect();
    let (st, b) = api.post("/eligibility/check", json!({ "lines": lines }));
    assert_eq!(st, 200);
    assert_eq!(b["lines"].as_array().map(Vec::len), Some(100_000));
    assert_eq!(b["refused_amount"], "50500.00", "exact decimal");
    let (_, m) = call("GET", &api.url("/metrics"), Some(&api.s.admin), None, &[]);
    assert!(m.as_str().unwrap_or("").contains("jifen_eligibility_lines_total 100000"), "{m}");
}

#[test]
fn working_days_skip_holidays_and_count_adjusted_weekends() {
    let db = common::sqlite();
    let api = Api::new(&db);
    let (st, b) = api.get("/calendar/working-days?from=2024-09-27&days=10");
    assert_eq!((st, b["date"].as_str()), (200, Some("2024-10-16")), "{b}");
    let (st, b) = api.get("/calendar/working-days?from=2026-12-28&days=10");
    assert_eq!((st, code_of(&b)), (422, "calendar_missing"), "never a guess: {b}");
}

/// The OpenAPI document lists exactly the routes the server registers, and each documented
/// operation answers (a 401 without a token, or its public answer) rather than 404.
#[test]
fn openapi_matches_the_routes() {
    let db = common::sqlite();
    let api = Api::new(&db);
    let (st, doc) = call("GET", &api.url("/openapi.json"), None, None, &[]);
    assert_eq!(st, 200);
    let documented: std::collections::BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(move |m| (m.to_uppercase(), path.clone())))
        .collect();
    let served: std::collections::BTreeSet<(String, String)> = jifen::http::routes::ROUTES
        .iter()
        .map(|r| (r.method.to_string(), r.path.strip_prefix("/api/v1").unwrap_or(r.path).to_string()))
        .collect();
    assert_eq!(documented, served, "the served document and src/http/routes.rs disagree");
    for (method, path) in &documented {
        let concrete = path.replace("{id}", "1").replace('{', "X").replace('}', "");
        let public = doc["paths"][path][method.to_lowercase()]["security"].is_array();
        let (st, b) = call(method, &api.url(&concrete), None, None, &[]);
        if public {
            assert_ne!(st, 401, "{method} {path} is documented as public: {b}");
        } else {
            assert_eq!(st, 401, "{method} {path} needs a token: {b}");
        }
        for code in doc["paths"][path][method.to_lowercase()]["responses"].as_object().unwrap().keys() {
            // 503 is the one server-side answer documented: busy or a read replica (`Retry-After`).
            assert!(code.len() == 3 && (!code.starts_with('5') || code == "503"), "{method} {path} documents {code}");
        }
    }
}

/// A server on a read replica answers reads and claims, and refuses every other write.
#[test]
fn a_read_only_server_refuses_writes() {
    let db = common::sqlite();
    let writer = jifen::service::App::open(&db.url).unwrap();
    let inst = "H37081100001";
    writer
        .create_institution(
            &jifen::service::Caller::system(),
            &jifen::service::institutions::NewInstitution {
                code: inst.into(),
                name: "医院".into(),
                kind: "medical".into(),
                region_code: None,
                agreement_start: "2020-01-01".into(),
                agreement_end: "2030-01-01".into(),
                public: None,
                organization_code: None,
                legal_representative: None,
            },
        )
        .unwrap();
    let reader = jifen::service::App::open_read_only(&db.url).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/api/v1", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let _ = jifen::http::server_with(reader, listener, Some("ro".into()), true).unwrap().await;
        })
    });
    std::thread::sleep(std::time::Duration::from_millis(200));
    let (st, b) =
        call("POST", &format!("{base}/institutions"), Some("ro"), Some(&json!({"code": "H37081100002"})), &[]);
    assert_eq!((st, code_of(&b)), (503, "read_only"), "{b}");
    let (st, b) = call("GET", &format!("{base}/institutions/{inst}?date=2024-01-01"), Some("ro"), None, &[]);
    assert_eq!((st, b["status"].as_str()), (200, Some("active")), "{b}");
    let claim =
        json!({"lines": [{"personnel_code": "D370811000001", "institution_code": inst, "service_date": "2024-01-01"}]});
    let (st, b) = call("POST", &format!("{base}/eligibility/check"), Some("ro"), Some(&claim), &[]);
    assert_eq!((st, b["lines"][0]["reason"].as_str()), (200, Some("not_registered")), "{b}");
}

/// 七: 本通知自印发之日起施行. Decided 2024-03-28: refused, saying why; 2024-03-29: accepted.
/// Conduct before the day in force is refused too, and so is a training test sat before it.
#[test]
fn qi_in_force_from_2024_03_29_no_retroactive_scoring() {
    for db in common::all() {
        let api = Api::new(&db);
        let a = api.institution("370811");
        let p = api.register(&a, "19800101");
        let inspect = |decided: &str, occurred: Option<&str>| {
            let body = json!({"institution_code": a, "inspected_on": decided, "decided_on": decided,
                "violations": [{"personnel_code": p, "items": ["6.1"], "occurred_on": occurred}]});
            api.post("/inspections", body)
        };
        let (st, e) = inspect("2024-03-28", None);
        assert_eq!(
            (st, e["error"]["code"].as_str(), e["error"]["field"].as_str()),
            (422, Some("not_retroactive"), Some("decided_on")),
            "{e}"
        );
        let (en, zh) = (e["error"]["message"].as_str().unwrap(), e["error"]["message_zh"].as_str().unwrap());
        assert!(en.contains("2024-03-28") && en.contains("2024-03-29") && en.contains("七"), "{en}");
        assert!(zh.contains("本通知自印发之日起施行") && zh.contains("不溯及既往"), "{zh}");
        let (st, e) = inspect("2024-04-08", Some("2024-03-20"));
        assert_eq!((st, e["error"]["field"].as_str()), (422, Some("violations[0].occurred_on")), "{e}");
        let (st, s) = api.get(&format!("/practitioners/{p}/status?date=2024-03-28"));
        assert_eq!((st, s["cycle_total"].as_u64(), s["remaining"].as_u64()), (200, Some(0), Some(12)), "{s}");
        let (st, r) = inspect("2024-03-29", None);
        assert_eq!((st, r["violations"][0]["points"].as_u64()), (201, Some(6)), "{r}");
        let (_, s) = api.get(&format!("/practitioners/{p}/status?date=2024-03-29"));
        assert_eq!((s["status"].as_str(), s["remaining"].as_u64()), (Some("suspended"), Some(6)), "a full 12: {s}");
        let (st, e) = api.post(
            "/training-tests",
            json!({"personnel_code": p, "tested_on": "2024-03-28", "format": "closed", "score": 90, "passed": true}),
        );
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("not_retroactive")), "{e}");
    }
}

/// 五(二) 医保基金不予支付（急诊、抢救除外），并不得转嫁于参保人员: every refused line says its
/// amount may not be passed on to the insured person, and the answer carries the text.
#[test]
fn wu_er_a_refused_amount_may_not_be_passed_on_to_the_insured() {
    for db in common::all() {
        let api = Api::new(&db);
        let a = api.institution("370811");
        let p = api.register(&a, "19800101");
        api.inspect(&a, "2024-05-06", &[(&p, &["6.1"])]);
        let line = |date: &str, emergency: bool| json!({"personnel_code": p, "institution_code": a, "service_date": date, "emergency": emergency, "amount": "100.50"});
        let (st, b) = api.post(
            "/eligibility/check",
            json!({"lines": [line("2024-06-01", false), line("2024-06-01", true), line("2024-04-01", false)]}),
        );
        assert_eq!(st, 200, "{b}");
        let flags: Vec<bool> =
            b["lines"].as_array().unwrap().iter().map(|l| l["not_to_insured"].as_bool().unwrap()).collect();
        assert_eq!(flags, [true, false, false], "refused while suspended; emergency and before it paid: {b}");
        assert_eq!(b["refused_amount"], "100.50");
        assert_eq!(b["not_to_insured"]["article"], "五(二)");
        assert!(b["not_to_insured"]["zh"].as_str().unwrap().contains("不得转嫁于参保人员"), "{b}");
        assert!(b["not_to_insured"]["en"].as_str().unwrap().contains("insured person"), "{b}");
    }
}
