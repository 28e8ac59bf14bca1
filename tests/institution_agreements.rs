//! The institution agreement rules of the designation seeds (聊城 000, 楚雄 001, 新疆 002,
//! 吉林 004) as 济宁 applies them, and 五(三) of the 济宁 notice: over HTTP, on SQLite and
//! (with TEST_DATABASE_URL) PostgreSQL. Each test is named after its article.

mod common;

use common::{call, spawn, TestServer};
use serde_json::{json, Value};

struct W {
    s: TestServer,
}

impl W {
    fn new(db: &common::TestDb) -> W {
        W { s: spawn(db) }
    }
    fn go(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        static KEY: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let key = format!("ia{}", KEY.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
        call(
            method,
            &format!("{}{path}", self.s.base),
            Some(&self.s.admin),
            body.as_ref(),
            &[("Idempotency-Key", &key)],
        )
    }
    fn ok(&self, method: &str, path: &str, body: Value) -> Value {
        let (st, b) = self.go(method, path, Some(body));
        assert!((200..300).contains(&st), "{method} {path}: {st} {b}");
        b
    }
    fn institution(&self, code: &str, extra: Value) -> Value {
        let mut body = json!({"code": code, "name": "医院", "kind": if code.starts_with('P') { "pharmacy" } else { "medical" },
            "agreement_start": "2024-01-01", "agreement_end": "2024-12-31"});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        self.ok("POST", "/institutions", body)
    }
    fn register(&self, inst: &str, code: &str, n: u32) {
        self.ok(
            "POST",
            "/registrations",
            json!({"institution_code": inst, "personnel_code": code, "name": "张三",
                   "id_number": common::id_number("19800101", n), "category": "physician", "registered_on": "2024-01-01"}),
        );
    }
    fn status(&self, code: &str, date: &str) -> Value {
        self.go("GET", &format!("/institutions/{code}?date={date}"), None).1
    }
    fn site(&self, person: &str, inst: &str, date: &str) -> String {
        let (_, s) = self.go("GET", &format!("/practitioners/{person}/status?date={date}"), None);
        s["sites"].as_array().unwrap().iter().find(|x| x["institution_code"] == inst).unwrap()["status"]
            .as_str()
            .unwrap()
            .to_string()
    }
    fn suspend(&self, code: &str, body: Value) -> (u16, Value) {
        self.go("POST", &format!("/institutions/{code}/agreement/suspend"), Some(body))
    }
}

/// 吉林 第四十六条 因违法违规违约等情形被中止医保协议的，原则上中止协议时间不超过1年: longer is
/// refused (its last accepted and first refused day), and an open-ended one ends a year after
/// it began at the latest.
#[test]
fn jilin_46_a_violation_suspension_lasts_at_most_a_year() {
    for db in common::all() {
        let w = W::new(&db);
        w.institution("H37081100001", json!({"agreement_end": "2026-12-31"}));
        w.register("H37081100001", "D370811000001", 1);
        let (st, e) = w.suspend("H37081100001", json!({"from": "2024-05-06", "until": "2025-05-07", "reason": "违规"}));
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("suspension_too_long")), "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("吉林 第四十六条"), "{e}");
        let (st, v) = w.suspend("H37081100001", json!({"from": "2024-05-06", "reason": "违规，未定期限"}));
        assert_eq!(
            (st, v["history"][0]["until"].as_str()),
            (200, Some("2025-05-06")),
            "open-ended ends at 1 year: {v}"
        );
        assert_eq!(w.status("H37081100001", "2025-05-05")["status"], "suspended");
        assert_eq!(w.status("H37081100001", "2025-05-06")["status"], "active");
        assert_eq!(w.site("D370811000001", "H37081100001", "2025-05-06"), "active", "the staff come back with it");
        // An explicit year to the day is accepted.
        w.institution("H37081100002", json!({"agreement_end": "2026-12-31"}));
        let (st, _) = w.suspend("H37081100002", json!({"from": "2024-05-06", "until": "2025-05-06", "reason": "违规"}));
        assert_eq!(st, 200);
        assert!(w.s.app.verify().unwrap().differences.is_empty());
    }
}

/// 五(三) 医保经办机构可以中止…该定点医药机构医保服务协议: a suspension decided on a 30 % case is
/// a suspension for violations (吉林 第四十六条): at most a year; without `until`, one year.
#[test]
fn wu_san_a_suspension_decided_on_a_30_percent_case_lasts_at_most_a_year() {
    for db in common::all() {
        let w = W::new(&db);
        w.institution("H37081100001", json!({"agreement_end": "2027-12-31"}));
        for k in 1..=3 {
            w.register("H37081100001", &format!("D37081100000{k}"), k);
        }
        // 1 of 3 suspended: 33 % ≥ 30 %: a case opens.
        w.ok(
            "POST",
            "/inspections",
            json!({"institution_code": "H37081100001", "inspected_on": "2024-05-06", "decided_on": "2024-05-06",
                   "violations": [{"personnel_code": "D370811000001", "items": ["6.1"]}]}),
        );
        let (_, cases) = w.go("GET", "/cascade-cases", None);
        let id = cases["cases"][0]["id"].as_i64().expect("a 30 % case");
        let decide = |body: Value| w.go("POST", &format!("/cascade-cases/{id}/decide"), Some(body));
        let (st, e) =
            decide(json!({"decision": "suspend", "reason": "30%", "on": "2024-06-03", "until": "2026-08-03"}));
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("suspension_too_long")), "26 months: {e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("五(三)"), "{e}");
        let (st, e) =
            decide(json!({"decision": "suspend", "reason": "30%", "on": "2024-06-03", "until": "2025-06-04"}));
        assert_eq!(st, 422, "a year and a day: {e}");
        let (st, c) = decide(json!({"decision": "suspend", "reason": "30%", "on": "2024-06-03"}));
        assert_eq!((st, c["until"].as_str()), (200, Some("2025-06-03")), "{c}");
        assert_eq!(w.status("H37081100001", "2025-06-02")["status"], "suspended");
        assert_eq!(w.status("H37081100001", "2025-06-03")["status"], "active");
    }
}
