//! Limits on values (issue 12, low): a 1 MB name, a 5 MB note, 20 000 identical violations,
//! dates 9999-12-31 and -0001-01-01, an agreement 0000–9999 and calendar year 0 were all
//! accepted. Each is now a 422 with the field and `message_zh`, and writes nothing — on both
//! databases. The limits are `jifen::domain::limits`.

mod common;

use common::{call, call_raw, spawn};
use jifen::domain::limits;
use serde_json::{json, Value};

fn refused(st: u16, b: &Value, code: &str, field: &str, what: &str) {
    assert_eq!(st, 422, "{what}: {b}");
    assert_eq!(b["error"]["code"], code, "{what}: {b}");
    assert_eq!(b["error"]["field"], field, "{what}: {b}");
    assert!(b["error"]["message_zh"].as_str().is_some_and(|m| !m.is_empty()), "{what}: {b}");
}

#[test]
fn names_notes_phones_dates_years_and_violations_have_limits() {
    for db in common::all() {
        let s = spawn(&db);
        let be = db.backend;
        let post = |p: &str, body: Value| call("POST", &format!("{}{p}", s.base), Some(&s.admin), Some(&body), &[]);
        let inst = |code: &str, name: &str, start: &str, end: &str| {
            post(
                "/institutions",
                json!({"code": code, "name": name, "kind": "medical", "agreement_start": start, "agreement_end": end}),
            )
        };
        let (st, b) = inst("H37081100001", &"医".repeat(limits::NAME_MAX_CHARS + 1), "2020-01-01", "2030-12-31");
        refused(st, &b, "too_long", "name", be);
        for (start, end, field) in [
            ("0000-01-01", "9999-12-31", "agreement_start"),
            ("2020-01-01", "9999-12-31", "agreement_end"),
            ("-0001-01-01", "2030-12-31", "agreement_start"),
        ] {
            let (st, b) = inst("H37081100001", "医院", start, end);
            assert_eq!(st, 422, "{be} {start}..{end}: {b}");
            assert_eq!(b["error"]["field"], field, "{b}");
        }
        let (st, b) = inst("H37081100001", &"医".repeat(limits::NAME_MAX_CHARS), "1900-01-01", "2100-12-31");
        assert_eq!(st, 201, "{be} the limits themselves are allowed: {b}");

        let person = |code: &str, name: &str, phone: &str, on: &str| {
            json!({"institution_code": "H37081100001", "personnel_code": code, "name": name, "phone": phone,
                "id_number": common::id_number("19800101", 1), "category": "physician", "registered_on": on})
        };
        let (st, b) = post("/registrations", person("D370811000001", &"张".repeat(1000), "13800000000", "2023-01-01"));
        refused(st, &b, "too_long", "name", be);
        let (st, b) = post("/registrations", person("D370811000001", "张三", &"1".repeat(21), "2023-01-01"));
        refused(st, &b, "too_long", "phone", be);
        let (st, b) = post("/registrations", person("D370811000001", "张三", "=1+2", "2023-01-01"));
        refused(st, &b, "invalid_phone", "phone", be);
        let (st, b) = post("/registrations", person("D370811000001", "张三", "138", "9999-12-31"));
        refused(st, &b, "date_out_of_range", "registered_on", be);
        let (st, b) = post("/registrations", person("D370811000001", "张三", "+86 138-0000-0000", "2023-01-01"));
        assert_eq!(st, 201, "{be} {b}");

        let inspection = |violations: Vec<Value>| {
            json!({"institution_code": "H37081100001", "inspected_on": "2024-05-06", "decided_on": "2024-05-06",
                "violations": violations})
        };
        let v = |items: &[&str], note: &str| json!({"personnel_code": "D370811000001", "items": items, "note": note});
        let (st, b) = post("/inspections", inspection(vec![v(&["1.1"], &"x".repeat(limits::TEXT_MAX_CHARS + 1))]));
        refused(st, &b, "too_long", "violations[0].note", be);
        let many = vec![v(&["1.1"], ""); limits::VIOLATIONS_PER_INSPECTION_MAX + 1];
        let (st, b) = post("/inspections", inspection(many));
        refused(st, &b, "too_many_violations", "violations", be);
        let (st, b) = post("/inspections", inspection(vec![v(&["1.1", "3.2"], "a"), v(&["3.2", "1.1"], "b")]));
        refused(st, &b, "duplicate_violation", "violations[1].items", be);
        // The same person for different acts in one inspection is two violations (四, preamble 2).
        let (st, b) = post("/inspections", inspection(vec![v(&["1.1"], "a"), v(&["1.2"], "b")]));
        assert_eq!(st, 201, "{be} {b}");
        let d = b["violations"][0]["deduction_id"].as_i64().unwrap_or(0);
        let (st, b) = post(
            &format!("/deductions/{d}/objections"),
            json!({"filed_on": "2024-05-07", "grounds": "理".repeat(limits::TEXT_MAX_CHARS + 1)}),
        );
        refused(st, &b, "too_long", "grounds", be);
        let (st, b) =
            post(&format!("/deductions/{d}/revoke"), json!({"on": "2024-05-08", "reason": "r".repeat(5_000_000)}));
        assert_eq!(st, 413, "{be} a 5 MB note does not even get read: {b}");

        // A batch: duplicate rows of one inspection are rejected together.
        let csv = "检查编号,定点医药机构编码,医保对应代码,扣分情形,检查日期,处理决定日期\n\
                   K1,H37081100001,D370811000001,1.3,2024-06-01,2024-06-01\n\
                   K1,H37081100001,D370811000001,1.3,2024-06-01,2024-06-01\n\
                   K2,H37081100001,D370811000001,1.4,2024-06-01,9999-06-01\n";
        let (st, b) = call_raw(
            "POST",
            &format!("{}/inspections/batch?commit=true&partial=true", s.base),
            Some(&s.admin),
            csv.as_bytes(),
            "text/csv",
        );
        assert_eq!(st, 200, "{be} {b}");
        let codes: Vec<&str> =
            b["rejected"].as_array().map(|r| r.iter().filter_map(|x| x["code"].as_str()).collect()).unwrap_or_default();
        assert!(codes.contains(&"duplicate_violation") && codes.contains(&"date_out_of_range"), "{be} {b}");

        // Calendar years outside 2000..=2100.
        for year in [0, 1999, 2101] {
            let toml = format!("year = {year}\nsource = \"x\"\nholidays = []\nworkdays = []\n");
            let (st, b) =
                call_raw("POST", &format!("{}/calendar/years", s.base), Some(&s.admin), toml.as_bytes(), "text/plain");
            assert_eq!(st, 422, "{be} year {year}: {b}");
            if year != 0 {
                assert_eq!(b["error"]["code"], "year_out_of_range", "{b}");
            }
        }

        // Nothing refused was written: one deduction each for 1.1 and 1.2 only.
        let (st, b) =
            call("GET", &format!("{}/practitioners/D370811000001/ledger?year=2024", s.base), Some(&s.admin), None, &[]);
        assert_eq!((st, &b["total"]), (200, &json!(2)), "{be} {b}");
    }
}
