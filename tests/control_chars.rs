//! NUL and other control characters (issue 12, medium): PostgreSQL answered 500 (`invalid byte
//! sequence for encoding "UTF8": 0x00`) where SQLite stored and exported them. Now a 422
//! `control_character` naming the field, on both databases, in a path, a query, a JSON string
//! and an uploaded CSV; tab and line breaks in free text stay allowed.

mod common;

use common::{call, call_raw, spawn};
use serde_json::{json, Value};

fn refused(st: u16, b: &Value, field: &str, what: &str) {
    assert_eq!(st, 422, "{what}: {b}");
    assert_eq!(b["error"]["code"], "control_character", "{what}: {b}");
    assert_eq!(b["error"]["field"], field, "{what}: {b}");
    assert!(b["error"]["message_zh"].as_str().is_some_and(|m| !m.is_empty()), "{what}: {b}");
}

#[test]
fn a_control_character_anywhere_is_422_and_writes_nothing() {
    for db in common::all() {
        let s = spawn(&db);
        let url = |p: &str| format!("{}{p}", s.base);
        let post = |p: &str, body: Value| call("POST", &url(p), Some(&s.admin), Some(&body), &[("Idempotency-Key", p)]);
        let (st, b) = post(
            "/institutions",
            json!({"code": "H37081100001", "name": "医院", "kind": "medical",
                "agreement_start": "2020-01-01", "agreement_end": "2030-12-31"}),
        );
        assert_eq!(st, 201, "{b}");
        let person = |name: &str| {
            json!({"institution_code": "H37081100001", "personnel_code": "D370811000001", "name": name,
                "id_number": common::id_number("19800101", 1), "category": "physician", "registered_on": "2023-01-01"})
        };
        let (st, b) = post("/registrations", person("张\u{0}三"));
        refused(st, &b, "name", db.backend);
        let (st, b) = post("/registrations", person("张\u{1b}[31m三"));
        refused(st, &b, "name", db.backend);
        let (st, b) = post("/registrations", person("张三"));
        assert_eq!(st, 201, "{} {b}", db.backend);
        let inspection = |note: &str| {
            json!({"institution_code": "H37081100001", "inspected_on": "2024-05-06", "decided_on": "2024-05-06",
                "violations": [{"personnel_code": "D370811000001", "items": ["1.1"], "note": note}]})
        };
        let (st, b) = post("/inspections", inspection("病历\u{0}不全"));
        refused(st, &b, "violations[0].note", db.backend);
        // Tab and line breaks are text.
        let (st, b) =
            call("POST", &url("/inspections"), Some(&s.admin), Some(&inspection("第一条\t病历\r\n第二条")), &[]);
        assert_eq!(st, 201, "{} {b}", db.backend);
        let d = b["violations"][0]["deduction_id"].as_i64().unwrap_or(0);
        let (st, b) = post(&format!("/deductions/{d}/revoke"), json!({"on": "2024-06-01", "reason": "\u{0}"}));
        refused(st, &b, "reason", db.backend);
        let (st, b) = post(
            "/eligibility/check",
            json!({"lines": [{"personnel_code": "D370811000001\u{0}", "institution_code": "H37081100001",
                "service_date": "2024-05-06"}]}),
        );
        refused(st, &b, "lines[0].personnel_code", db.backend);

        // Path and query.
        let (st, b) = call("GET", &url("/practitioners/D370811%00/status"), Some(&s.admin), None, &[]);
        refused(st, &b, "code", db.backend);
        let (st, b) = call("GET", &url("/public/practitioners/D370811000001%00"), None, None, &[]);
        refused(st, &b, "code", db.backend);
        let (st, b) = call("GET", &url("/notices?institution_code=H3708%0011"), Some(&s.admin), None, &[]);
        refused(st, &b, "institution_code", db.backend);
        let (st, b) = call(
            "DELETE",
            &url("/registrations/H37081100001/D370811000001?on=2024-01-01%00"),
            Some(&s.admin),
            None,
            &[],
        );
        refused(st, &b, "on", db.backend);
        let (st, b) = call("GET", &url("/audit?target=D370811000001%1F"), Some(&s.admin), None, &[]);
        refused(st, &b, "target", db.backend);

        // An uploaded CSV: the line is the row.
        let csv = "姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间\n李四\0,110101198001010011,医保医师,D370811000002,2024-01-01\n";
        let (st, b) =
            call_raw("POST", &url("/rosters/H37081100001?commit=true"), Some(&s.admin), csv.as_bytes(), "text/csv");
        refused(st, &b, "body", db.backend);
        assert_eq!(b["error"]["row"], 2, "{b}");
        let (st, b) = call_raw(
            "POST",
            &url("/training-tests/batch"),
            Some(&s.admin),
            "\u{feff}personnel_code,tested_on\nD370811000001\u{7},2024-01-01\n".as_bytes(),
            "text/csv",
        );
        refused(st, &b, "body", db.backend);

        // Nothing above was written: one person, one deduction.
        let (st, b) = call("GET", &url("/practitioners/D370811000001/ledger?year=2024"), Some(&s.admin), None, &[]);
        assert_eq!(st, 200, "{b}");
        assert_eq!(b["total"], 1, "{} {b}", db.backend);
        let (st, _) = call("GET", &url("/practitioners/D370811000002/status"), Some(&s.admin), None, &[]);
        assert_eq!(st, 404);
    }
}
