//! 六(一): written notices, objections with working-day deadlines; both databases, over HTTP.

mod common;

use common::{call, spawn};
use jifen::service::tokens::Role;
use serde_json::{json, Value};

struct World {
    s: common::TestServer,
    a: String,
    b: String,
    p: String,
    hr_a: String,
    hr_other: String,
    agency: String,
}

fn world(db: &common::TestDb) -> World {
    let s = spawn(db);
    let post = |path: &str, body: Value| call("POST", &format!("{}{path}", s.base), Some(&s.admin), Some(&body), &[]);
    for code in ["H37081100001", "H37081100002"] {
        let (st, b) = post(
            "/institutions",
            json!({"code": code, "name": "医院", "kind": "medical", "agreement_start": "2020-01-01", "agreement_end": "2030-12-31"}),
        );
        assert_eq!(st, 201, "{b}");
    }
    for inst in ["H37081100001", "H37081100002"] {
        let (st, b) = post(
            "/registrations",
            json!({"institution_code": inst, "personnel_code": "D370811000001", "name": "张三",
                   "id_number": common::id_number("19800101", 1), "category": "physician", "registered_on": "2023-01-01"}),
        );
        assert_eq!(st, 201, "{b}");
    }
    let hr_a = s.app.create_token(Role::Hr, Some("H37081100001"), None).unwrap();
    let hr_other = s.app.create_token(Role::Hr, Some("H37081100009"), None).unwrap();
    let agency = s.app.create_token(Role::Agency, None, None).unwrap();
    World { s, a: "H37081100001".into(), b: "H37081100002".into(), p: "D370811000001".into(), hr_a, hr_other, agency }
}

impl World {
    fn url(&self, p: &str) -> String {
        format!("{}{p}", self.s.base)
    }
    fn as_(&self, token: &str, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        static KEY: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let key = format!("k{}", KEY.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
        call(method, &self.url(path), Some(token), body.as_ref(), &[("Idempotency-Key", &key)])
    }
    /// A 6-point deduction decided on `on`: suspension for 3 months.
    fn deduct(&self, on: &str) -> i64 {
        let (st, b) = self.as_(
            &self.s.admin,
            "POST",
            "/inspections",
            Some(json!({"institution_code": self.a, "inspected_on": on, "decided_on": on,
                "violations": [{"personnel_code": self.p, "items": ["6.4"], "note": "出借医保代码"}]})),
        );
        assert_eq!(st, 201, "{b}");
        b["violations"][0]["deduction_id"].as_i64().unwrap()
    }
    fn payable(&self, date: &str) -> bool {
        let (_, b) = self.as_(
            &self.s.admin,
            "POST",
            "/eligibility/check",
            Some(json!({"lines": [{"personnel_code": self.p, "institution_code": self.a, "service_date": date}]})),
        );
        b["lines"][0]["payable"].as_bool().unwrap()
    }
}

#[test]
fn every_deduction_gives_each_institution_a_written_notice() {
    for db in common::all() {
        let w = world(&db);
        let d = w.deduct("2024-09-27");
        let (st, list) = w.as_(&w.s.admin, "GET", &format!("/notices?personnel_code={}", w.p), None);
        assert_eq!(st, 200);
        let notices = list["notices"].as_array().unwrap();
        let mut to: Vec<&str> = notices.iter().map(|n| n["institution_code"].as_str().unwrap()).collect();
        to.sort();
        assert_eq!(to, [w.a.as_str(), w.b.as_str()], "both sites are told: {list}");
        let n = &notices[0];
        assert_eq!((n["deduction_id"].as_i64(), n["notice_date"].as_str()), (Some(d), Some("2024-09-27")));
        // 六(一): the 10 working days run from the agency's decision on an objection, not from here.
        assert!(n["objection_deadline"].is_null(), "{n}");
        assert_eq!(n["body"]["sanctions"][0]["kind"], "suspension");
        assert_eq!(n["body"]["items"][0]["article"], "四(三)4");

        // HR sees its own institution's notices only.
        let (_, mine) = w.as_(&w.hr_a, "GET", "/notices", None);
        assert!(mine["notices"].as_array().unwrap().iter().all(|n| n["institution_code"] == w.a.as_str()), "{mine}");
        let other_id = notices.iter().find(|n| n["institution_code"] == w.b.as_str()).unwrap()["id"].as_i64().unwrap();
        let (st, _) = w.as_(&w.hr_a, "GET", &format!("/notices/{other_id}"), None);
        assert_eq!(st, 404);

        // The printable notice.
        let id = n["id"].as_i64().unwrap();
        let html = ureq::get(&w.url(&format!("/notices/{id}")))
            .set("Authorization", &format!("Bearer {}", w.s.admin))
            .set("Accept", "text/html")
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        for needle in [
            "济宁市医疗保障局",
            "@page",
            "四(三)4",
            "中止服务协议",
            "属地医保经办机构",
            "接到该书面通知后10个工作日内",
            "六(一)",
            "一、违规事实",
        ] {
            assert!(html.contains(needle), "{needle} missing from the notice:\n{html}");
        }
    }
}

#[test]
fn objection_upheld_by_the_agency_revokes_and_lists_the_days_to_pay_back() {
    for db in common::all() {
        let w = world(&db);
        let d = w.deduct("2024-04-01");
        assert!(!w.payable("2024-05-01"));
        let (st, o) = w.as_(
            &w.hr_other,
            "POST",
            &format!("/deductions/{d}/objections"),
            Some(json!({"filed_on": "2024-04-03", "grounds": "x"})),
        );
        assert_eq!(st, 404, "another institution's HR: {o}");
        let (st, o) = w.as_(
            &w.hr_a,
            "POST",
            &format!("/deductions/{d}/objections"),
            Some(json!({"filed_on": "2024-04-03", "grounds": "代码被盗用"})),
        );
        assert_eq!((st, o["status"].as_str()), (201, Some("filed")), "{o}");
        let id = o["id"].as_i64().unwrap();
        let (st, o) = w.as_(
            &w.agency,
            "POST",
            &format!("/objections/{id}/decide"),
            Some(json!({"decision": "uphold", "decided_on": "2024-04-17", "evidence": "公安机关证明"})),
        );
        assert_eq!((st, o["status"].as_str()), (200, Some("upheld")), "{o}");
        let days = &o["affected_periods"][0];
        assert_eq!((days["from"].as_str(), days["until"].as_str()), (Some("2024-04-01"), Some("2024-07-01")), "{o}");
        assert!(w.payable("2024-05-01"), "retroactive");
        let (_, s) = w.as_(&w.s.admin, "GET", &format!("/practitioners/{}/status?date=2024-05-01", w.p), None);
        assert_eq!((s["status"].as_str(), s["cycle_total"].as_u64()), (Some("active"), Some(0)));
        let (_, list) = w.as_(&w.s.admin, "GET", &format!("/notices?personnel_code={}", w.p), None);
        assert!(list["notices"].as_array().unwrap().iter().any(|n| n["kind"] == "revocation"), "a revocation notice");
        assert!(w.s.app.verify().unwrap().differences.is_empty());
    }
}

impl World {
    /// HR of A objects to a deduction; the agency rejects it on `rejected_on`. → objection id.
    fn rejected(&self, d: i64, filed_on: &str, rejected_on: &str) -> i64 {
        let (st, o) = self.as_(
            &self.hr_a,
            "POST",
            &format!("/deductions/{d}/objections"),
            Some(json!({"filed_on": filed_on, "grounds": "代码被他人冒用"})),
        );
        assert_eq!(st, 201, "{o}");
        let id = o["id"].as_i64().unwrap();
        let (st, o) = self.as_(
            &self.agency,
            "POST",
            &format!("/objections/{id}/decide"),
            Some(json!({"decision": "reject", "decided_on": rejected_on, "evidence": "监控录像显示本人操作"})),
        );
        assert_eq!((st, o["status"].as_str()), (200, Some("rejected")), "{o}");
        id
    }
    fn escalate(&self, id: i64, on: &str) -> (u16, Value) {
        self.as_(&self.hr_a, "POST", &format!("/objections/{id}/escalate"), Some(json!({"on": on})))
    }
}

/// 六(一) 对医保经办机构作出的处理决定仍有异议的，可在接到书面通知后10个工作日内…: the 10
/// working days run from the agency's written rejection, not from the deduction. Deduction on
/// 2024-09-02; the agency takes until Fri 2024-09-27 to reject. Across the National Day holiday
/// (Sun 9-29 and Sat 10-12 worked, 10-1…10-7 off) the 10th working day after the rejection is
/// 2024-10-16: escalating then is 201, on the 11th (10-17) 422 naming the rejection's date.
#[test]
fn liu_yi_escalation_runs_from_the_agencys_rejection_10th_and_11th_working_day() {
    for db in common::all() {
        let w = world(&db);
        let d = w.deduct("2024-09-02");
        // The deduction's notice says how to object to the agency; no escalation period runs from it.
        let (_, list) = w.as_(&w.s.admin, "GET", &format!("/notices?personnel_code={}", w.p), None);
        let n = list["notices"].as_array().unwrap().iter().find(|n| n["kind"] == "deduction").cloned().unwrap();
        assert!(n["objection_deadline"].is_null(), "{n}");
        assert!(n["body"]["objection"]["zh"].as_str().unwrap().contains("属地医保经办机构"), "{n}");
        let id = w.rejected(d, "2024-09-04", "2024-09-27");
        let (_, o) = w.as_(&w.hr_a, "GET", &format!("/objections/{id}"), None);
        assert_eq!(
            (o["escalation_deadline"].as_str(), o["decision_received_on"].as_str(), o["escalate_to"].as_str()),
            (Some("2024-10-16"), Some("2024-09-27"), Some("属地医保行政部门")),
            "{o}"
        );
        // The rejection is a written notice of its own, dated the decision date, saying by when and to whom.
        let notice_id = o["decision_notice_id"].as_i64().expect("the rejection's notice");
        let (st, n) = w.as_(&w.hr_a, "GET", &format!("/notices/{notice_id}"), None);
        assert_eq!(
            (st, n["kind"].as_str(), n["notice_date"].as_str()),
            (200, Some("objection_decision"), Some("2024-09-27")),
            "{n}"
        );
        assert_eq!(
            (n["objection_deadline"].as_str(), n["body"]["decision"].as_str()),
            (Some("2024-10-16"), Some("reject")),
            "{n}"
        );
        let how = n["body"]["escalation"]["zh"].as_str().unwrap();
        assert!(how.contains("10个工作日") && how.contains("属地医保行政部门") && how.contains("2024-10-16"), "{how}");
        let html = ureq::get(&w.url(&format!("/notices/{notice_id}")))
            .set("Authorization", &format!("Bearer {}", w.s.admin))
            .set("Accept", "text/html")
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        for needle in
            ["异议处理决定通知书", "2024年09月27日", "2024-10-16", "属地医保行政部门", "监控录像显示本人操作", "六(一)"]
        {
            assert!(html.contains(needle), "{needle} missing from the printed rejection:\n{html}");
        }
        // The 11th working day: too late, and the error names the rejection's date.
        let (st, e) = w.escalate(id, "2024-10-17");
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("deadline_passed")), "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("2024-09-27"), "{e}");
        assert!(e["error"]["message_zh"].as_str().unwrap().contains("2024-09-27"), "{e}");
        // Before the rejection: not a date to escalate on.
        let (st, e) = w.escalate(id, "2024-09-26");
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("invalid_date")), "{e}");
        // The 10th working day: in time.
        let (st, e) = w.escalate(id, "2024-10-16");
        assert_eq!((st, e["status"].as_str()), (201, Some("escalated")), "{e}");
        assert!(w.s.app.verify().unwrap().differences.is_empty());
    }
}

/// 六(一) 医保行政部门按规定作出处理: the escalation is the administrative department's; in jifen
/// the admin role records its decision, with its own written notice; `uphold` revokes.
#[test]
fn liu_yi_the_administrative_department_decides_an_escalation() {
    for db in common::all() {
        let w = world(&db);
        let d = w.deduct("2024-09-02");
        assert!(!w.payable("2024-10-01"));
        let id = w.rejected(d, "2024-09-04", "2024-09-27");
        assert_eq!(w.escalate(id, "2024-10-08").0, 201);
        // The agency's route does not decide an escalation.
        let (st, e) = w.as_(
            &w.agency,
            "POST",
            &format!("/objections/{id}/decide"),
            Some(json!({"decision": "uphold", "decided_on": "2024-11-01", "evidence": "x"})),
        );
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("escalated")), "{e}");
        let decide =
            |token: &str, body: Value| w.as_(token, "POST", &format!("/objections/{id}/escalation/decide"), Some(body));
        let (st, _) = decide(&w.agency, json!({"decision": "uphold", "decided_on": "2024-11-01", "reasoning": "r"}));
        assert_eq!(st, 403, "the admin records the department's decision");
        let (st, e) = decide(&w.s.admin, json!({"decision": "uphold", "decided_on": "2024-10-07", "reasoning": "r"}));
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("invalid_date")), "before the escalation: {e}");
        let (st, o) = decide(
            &w.s.admin,
            json!({"decision": "uphold", "decided_on": "2024-11-01", "reasoning": "复核认定代码被冒用"}),
        );
        assert_eq!((st, o["status"].as_str()), (200, Some("upheld_by_department")), "{o}");
        assert_eq!(o["decisions"][1]["level"], "department");
        assert!(w.payable("2024-10-01"), "the deduction is revoked for every date");
        let (_, list) = w.as_(&w.hr_a, "GET", &format!("/notices?personnel_code={}", w.p), None);
        let notices = list["notices"].as_array().unwrap();
        let department = notices
            .iter()
            .find(|n| n["kind"] == "objection_decision" && n["body"]["level"] == "department")
            .unwrap_or_else(|| panic!("the department's notice: {list}"));
        assert_eq!(
            (department["notice_date"].as_str(), department["body"]["decision"].as_str()),
            (Some("2024-11-01"), Some("uphold"))
        );
        assert!(department["objection_deadline"].is_null());
        let (st, _) = decide(&w.s.admin, json!({"decision": "reject", "decided_on": "2024-11-02"}));
        assert_eq!(st, 409, "decided once");
        assert!(w.s.app.verify().unwrap().differences.is_empty());
        assert!(w.s.app.unaudited_facts().unwrap().is_empty());
    }
}

/// 六(一) 接到书面通知: the days run from receipt. HR acknowledges the rejection as received on
/// Mon 2024-09-30: the 10th working day is then 2024-10-18. A notice never acknowledged counts
/// as received on its date plus the agency's delivery allowance (0 until set; here 3 days from
/// 2024-09-01: received 2024-09-30, the same deadline).
#[test]
fn liu_yi_the_deadline_counts_from_receipt() {
    for db in common::all() {
        let w = world(&db);
        let (_, a) = w.as_(&w.hr_a, "GET", "/settings/delivery-allowance?date=2024-09-27", None);
        assert_eq!((a["days"].as_u64(), a["set_by_agency"].as_bool()), (Some(0), Some(false)), "{a}");
        let id = w.rejected(w.deduct("2024-09-02"), "2024-09-04", "2024-09-27");
        let (_, o) = w.as_(&w.hr_a, "GET", &format!("/objections/{id}"), None);
        let notice = o["decision_notice_id"].as_i64().unwrap();
        let receive = |token: &str, on: &str| {
            w.as_(token, "POST", &format!("/notices/{notice}/received"), Some(json!({"on": on})))
        };
        assert_eq!(receive(&w.hr_other, "2024-09-30").0, 404, "another institution's HR");
        assert_eq!(receive(&w.agency, "2024-09-30").0, 403);
        let (st, e) = receive(&w.hr_a, "2024-09-26");
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("invalid_date")), "before the notice: {e}");
        let (st, n) = receive(&w.hr_a, "2024-09-30");
        assert_eq!(
            (st, n["received_on"].as_str(), n["objection_deadline"].as_str()),
            (200, Some("2024-09-30"), Some("2024-10-18")),
            "{n}"
        );
        let (st, e) = receive(&w.hr_a, "2024-10-01");
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("already_received")), "{e}");
        let (_, o) = w.as_(&w.hr_a, "GET", &format!("/objections/{id}"), None);
        assert_eq!(o["escalation_deadline"], "2024-10-18", "{o}");
        assert_eq!(w.escalate(id, "2024-10-21").0, 422);
        assert_eq!(w.escalate(id, "2024-10-18").0, 201);

        // The agency sets a delivery allowance for notices from 2024-09-01.
        let (st, _) =
            w.as_(&w.hr_a, "POST", "/settings/delivery-allowance", Some(json!({"days": 3, "from": "2024-09-01"})));
        assert_eq!(st, 403);
        let (st, a) =
            w.as_(&w.agency, "POST", "/settings/delivery-allowance", Some(json!({"days": 3, "from": "2024-09-01"})));
        assert_eq!((st, a["days"].as_u64()), (201, Some(3)), "{a}");
        let id = w.rejected(w.deduct("2024-09-03"), "2024-09-04", "2024-09-27");
        let (_, o) = w.as_(&w.hr_a, "GET", &format!("/objections/{id}"), None);
        assert_eq!(
            (o["decision_received_on"].as_str(), o["escalation_deadline"].as_str()),
            (Some("2024-09-30"), Some("2024-10-18")),
            "{o}"
        );
        assert_eq!(w.escalate(id, "2024-10-21").0, 422);
        assert_eq!(w.escalate(id, "2024-10-18").0, 201);
        assert!(w.s.app.unaudited_facts().unwrap().is_empty(), "receipts and allowances are audited");
    }
}

#[test]
fn next_years_calendar_is_uploaded_by_an_admin() {
    for db in common::all() {
        let w = world(&db);
        let (st, b) = w.as_(&w.s.admin, "GET", "/calendar/working-days?from=2026-12-28&days=10", None);
        assert_eq!((st, b["error"]["code"].as_str()), (422, Some("calendar_missing")));
        let year_2027 = "year = 2027\nsource = \"国务院办公厅关于2027年部分节假日安排的通知（示例）\"\nholidays = [\"2027-01-01\"]\nworkdays = []\n";
        let url = w.url("/calendar/years");
        let (st, b) = common::call_raw("POST", &url, Some(&w.agency), year_2027.as_bytes(), "application/toml");
        assert_eq!(st, 403, "admins only: {b}");
        let (st, b) = common::call_raw(
            "POST",
            &url,
            Some(&w.s.admin),
            b"year = 2027\nholidays = [\"2026-05-01\"]",
            "application/toml",
        );
        assert_eq!((st, b["error"]["code"].as_str()), (422, Some("invalid_calendar")), "{b}");
        let (st, b) = common::call_raw("POST", &url, Some(&w.s.admin), year_2027.as_bytes(), "application/toml");
        assert_eq!((st, b["year"].as_i64()), (201, Some(2027)), "{b}");
        // 2026-12-28 Mon … 12-31 (4), 2027-01-01 is a holiday, Mon 01-04 … Fri 01-08 (9), Mon 01-11 (10).
        let (st, b) = w.as_(&w.s.admin, "GET", "/calendar/working-days?from=2026-12-28&days=10", None);
        assert_eq!((st, b["date"].as_str()), (200, Some("2027-01-12")), "{b}");
        // It survives a restart: a new App reads the upload.
        let again = jifen::service::App::open(&db.url).unwrap();
        assert_eq!(again.working_days_after(d("2026-12-28"), 10).unwrap(), d("2027-01-12"));
    }
}

fn d(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn interviews_are_recorded_with_participants_and_overdue_ones_listed() {
    let db = common::sqlite();
    let w = world(&db);
    let (st, _) = w.as_(
        &w.s.admin,
        "POST",
        "/inspections",
        Some(json!({"institution_code": w.a, "inspected_on": "2024-04-01", "decided_on": "2024-04-01",
            "violations": [{"personnel_code": w.p, "items": ["3.1"]}, {"personnel_code": w.p, "items": ["1.1"]}, {"personnel_code": w.p, "items": ["1.2"]}]})),
    );
    assert_eq!(st, 201);
    let (_, overdue) = w.as_(&w.s.admin, "GET", "/interview-orders?overdue=true&date=2024-05-15", None);
    let orders = overdue["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 2, "both sites were ordered and neither held it: {overdue}");
    let (_, early) = w.as_(&w.s.admin, "GET", "/interview-orders?overdue=true&date=2024-04-20", None);
    assert_eq!(early["orders"].as_array().unwrap().len(), 0, "not yet 30 days");
    let id = orders.iter().find(|o| o["institution_code"] == w.a.as_str()).unwrap()["id"].as_i64().unwrap();
    let (st, rec) = w.as_(
        &w.hr_a,
        "POST",
        &format!("/interview-orders/{id}/record"),
        Some(json!({"held_on": "2024-05-20", "notes": "已约谈，本人承认", "participants": ["张三", "医务科李主任"]})),
    );
    assert_eq!((st, rec["participants"].as_str()), (200, Some("张三、医务科李主任")), "{rec}");
    let (_, overdue) = w.as_(&w.s.admin, "GET", "/interview-orders?overdue=true&date=2024-05-25", None);
    assert_eq!(overdue["orders"].as_array().unwrap().len(), 1, "the other site has still not held it");
}

/// The institution agreement's own rules (聊城 第二十九条、第三十一条、第三十三条; 吉林 第四十六条).
#[test]
fn institution_agreements_follow_the_designation_rules() {
    for db in common::all() {
        let w = world(&db);
        // 吉林 第四十九条: the agency's suspensions follow a notice of intent 8 days before.
        let susp = |inst: &str, mut body: Value| {
            if body["requested"] != json!(true) {
                let from = chrono::NaiveDate::parse_from_str(body["from"].as_str().unwrap(), "%Y-%m-%d").unwrap();
                let notified = (from - chrono::Duration::days(8)).to_string();
                let (_, i) = w.as_(
                    &w.s.admin,
                    "POST",
                    &format!("/institutions/{inst}/agreement/intents"),
                    Some(json!({"action": "suspend", "facts": "f", "basis": "b", "notified_on": notified})),
                );
                body["intent_id"] = i["id"].clone();
            }
            w.as_(&w.s.admin, "POST", &format!("/institutions/{inst}/agreement/suspend"), Some(body))
        };
        // A violation-based suspension runs at most a year; a requested one at most 180 days.
        let (st, b) = susp(&w.a, json!({"from": "2024-01-10", "until": "2025-01-11", "reason": "违规"}));
        assert_eq!((st, b["error"]["code"].as_str()), (422, Some("suspension_too_long")), "{b}");
        let (st, b) = susp(
            &w.a,
            json!({"from": "2024-01-10", "until": "2024-07-09", "reason": "装修", "requested": true, "requested_on": "2023-10-10"}),
        );
        assert_eq!((st, b["error"]["code"].as_str()), (422, Some("suspension_too_long")), "{b}");
        // Requested, open-ended: not resumed within 180 days, the agreement ends by itself.
        let (st, b) = susp(
            &w.a,
            json!({"from": "2024-01-10", "reason": "停业装修", "requested": true, "requested_on": "2023-10-10"}),
        );
        assert_eq!((st, b["history"][0]["lapses_on"].as_str()), (200, Some("2024-07-08")), "{b}");
        let inst_status =
            |d: &str| w.as_(&w.s.admin, "GET", &format!("/institutions/{}?date={d}", w.a), None).1["status"].clone();
        assert_eq!(inst_status("2024-07-07"), "suspended");
        // 自动终止 is an ending (终止), not a termination for cause (解除): no re-application bar.
        assert_eq!(inst_status("2024-07-08"), "expired", "自动终止");
        let (_, v) = w.as_(&w.s.admin, "GET", &format!("/institutions/{}?date=2024-08-01", w.a), None);
        assert_eq!((v["end"]["kind"].as_str(), v["end"]["cause"].as_str()), (Some("ended"), Some("lapse")), "{v}");
        assert!(v["end"]["institution_bar"].is_null() && v["end"]["legal_representative_bar"].is_null(), "{v}");
        let (_, s) = w.as_(&w.s.admin, "GET", &format!("/practitioners/{}/status?date=2024-07-08", w.p), None);
        let site =
            s["sites"].as_array().unwrap().iter().find(|x| x["institution_code"] == w.a.as_str()).cloned().unwrap();
        assert_eq!(site["status"], "institution_expired", "{s}");
        // A restore in time keeps the agreement (at B). A requested suspension is not one for
        // B's own violations: it does not count towards 聊城 第三十一条(一); a second violation one does.
        susp(&w.b, json!({"from": "2024-02-01", "until": "2024-03-01", "reason": "违规"}));
        susp(
            &w.b,
            json!({"from": "2024-05-01", "reason": "申请中止", "requested": true, "requested_on": "2024-02-01"}),
        );
        let (st, v) = w.as_(
            &w.s.admin,
            "POST",
            &format!("/institutions/{}/agreement/restore", w.b),
            Some(json!({"on": "2024-06-01"})),
        );
        assert_eq!((st, v["status"].as_str()), (200, Some("active")), "{v}");
        assert_eq!(v["suspensions_in_term"], 1, "the requested one does not count: {v}");
        susp(&w.b, json!({"from": "2024-08-01", "until": "2024-09-01", "reason": "再次违规"}));
        let (_, v) = w.as_(&w.s.admin, "GET", &format!("/institutions/{}?date=2025-01-01", w.b), None);
        assert_eq!((v["status"].as_str(), v["suspensions_in_term"].as_u64()), (Some("active"), Some(2)), "{v}");
        assert!(v["termination_grounds"][0].as_str().unwrap().contains("第三十一条"), "{v}");
        // The second suspension opened a case; the agency decides it.
        let (_, cases) = w.as_(&w.s.admin, "GET", "/termination-cases", None);
        let case = cases["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["institution_code"] == w.b.as_str())
            .cloned()
            .expect("a case");
        assert_eq!((case["suspensions"].as_i64(), case["status"].as_str()), (Some(2), Some("open")), "{case}");
        let id = case["id"].as_i64().unwrap();
        let (_, intent) = w.as_(
            &w.agency,
            "POST",
            &format!("/institutions/{}/agreement/intents", w.b),
            Some(json!({"action": "terminate", "facts": "一个协议期内两次中止", "basis": "聊城 第三十一条(一)", "notified_on": "2024-11-20"})),
        );
        let (st, decided) = w.as_(
            &w.agency,
            "POST",
            &format!("/termination-cases/{id}/decide"),
            Some(json!({"decision": "terminate", "reason": "一个协议期内两次中止", "on": "2024-12-01", "intent_id": intent["id"]})),
        );
        assert_eq!((st, decided["status"].as_str()), (200, Some("decided")), "{decided}");
        assert_eq!(inst_status_b(&w, "2024-12-01"), "terminated");
        // A public hospital may not ask for it.
        let (st, _) = w.as_(
            &w.s.admin,
            "POST",
            "/institutions",
            Some(json!({"code": "H37081100003", "name": "人民医院", "kind": "medical", "public": true,
                        "agreement_start": "2020-01-01", "agreement_end": "2030-12-31"})),
        );
        assert_eq!(st, 201);
        let (st, b) = susp("H37081100003", json!({"from": "2024-01-10", "reason": "申请", "requested": true}));
        assert_eq!((st, b["error"]["code"].as_str()), (422, Some("public_may_not_request")), "{b}");
        let (st, b) = w.as_(
            &w.s.admin,
            "POST",
            "/institutions/H37081100003/agreement/terminate",
            Some(json!({"on": "2024-01-10", "reason": "申请解除", "requested": true})),
        );
        assert_eq!((st, b["error"]["code"].as_str()), (422, Some("public_may_not_request")), "{b}");
    }
}

/// An officer follows one deduction from the inspection to the decision on the objection in the
/// audit trail: who, from which request, which facts, the projection before and after.
#[test]
fn every_step_is_in_the_audit_trail() {
    for db in common::all() {
        let w = world(&db);
        let officer = w.s.app.create_token(Role::Officer, None, Some("370811")).unwrap();
        let (st, r) = call(
            "POST",
            &w.url("/inspections"),
            Some(&officer),
            Some(&json!({"institution_code": w.a, "inspected_on": "2024-04-01", "decided_on": "2024-04-01",
                "violations": [{"personnel_code": w.p, "items": ["6.4"]}]})),
            &[("Idempotency-Key", "audit-1"), ("X-Request-Id", "req-audit-1")],
        );
        assert_eq!(st, 201, "{r}");
        let d = r["violations"][0]["deduction_id"].as_i64().unwrap();
        let (_, o) = w.as_(
            &w.hr_a,
            "POST",
            &format!("/deductions/{d}/objections"),
            Some(json!({"filed_on": "2024-04-03", "grounds": "g"})),
        );
        let id = o["id"].as_i64().unwrap();
        w.as_(
            &w.agency,
            "POST",
            &format!("/objections/{id}/decide"),
            Some(json!({"decision": "uphold", "decided_on": "2024-04-17", "evidence": "e"})),
        );

        let (st, trail) = w.as_(&officer, "GET", &format!("/audit?target={}", w.p), None);
        assert_eq!(st, 200, "{trail}");
        let entries = trail["entries"].as_array().unwrap();
        let inspection = entries
            .iter()
            .find(|e| e["facts"].as_array().unwrap().iter().any(|f| f == &json!(format!("deductions:{d}"))))
            .unwrap();
        assert_eq!(
            (inspection["role"].as_str(), inspection["request_id"].as_str()),
            (Some("officer"), Some("req-audit-1")),
            "{inspection}"
        );
        assert_eq!(inspection["action"], "POST /api/v1/inspections");
        let change = &inspection["changes"][0];
        assert_eq!(change["personnel_code"], w.p.as_str());
        assert!(
            change["before"]["sanctions"].as_array().unwrap().is_empty()
                && !change["after"]["sanctions"].as_array().unwrap().is_empty(),
            "{change}"
        );
        let roles: Vec<&str> = entries.iter().filter_map(|e| e["role"].as_str()).collect();
        assert!(roles.contains(&"hr") && roles.contains(&"agency"), "the objection and its decision: {roles:?}");
        let revocation = entries
            .iter()
            .find(|e| e["facts"].as_array().unwrap().iter().any(|f| f.as_str().unwrap().starts_with("revocations:")))
            .unwrap();
        assert!(
            revocation["changes"][0]["after"]["sanctions"].as_array().unwrap().is_empty(),
            "the suspension withdrawn: {revocation}"
        );
        let (st, _) = w.as_(&w.hr_a, "GET", &format!("/audit?target={}", w.p), None);
        assert_eq!(st, 403, "officers and admins only");
        assert!(w.s.app.unaudited_facts().unwrap().is_empty(), "every fact has its audit row");
    }
}

fn inst_status_b(w: &World, d: &str) -> Value {
    w.as_(&w.s.admin, "GET", &format!("/institutions/{}?date={d}", w.b), None).1["status"].clone()
}
