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
    /// A request as the admin. A suspension or termination the agency decides (not requested,
    /// no `intent_id` key in the body) is first told to the institution 8 days before it
    /// (吉林 第四十九条; its own test is `jilin_49_…`).
    fn go(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        static KEY: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let key = format!("ia{}", KEY.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
        let mut body = body;
        let action = ["suspend", "terminate"].into_iter().find(|a| path.ends_with(&format!("/agreement/{a}")));
        if let (Some(b), Some(action)) = (body.as_mut(), action) {
            let date = b
                .get("from")
                .or_else(|| b.get("on"))
                .and_then(|d| d.as_str())
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            if let (None, true, Some(d)) = (b.get("intent_id"), b["requested"] != json!(true), date) {
                let code = path.trim_start_matches("/institutions/").split('/').next().unwrap_or("");
                let notice = json!({"action": action, "facts": "违规事实", "basis": "医保协议",
                    "department": b.get("department"), "notified_on": (d - chrono::Duration::days(8)).to_string()});
                let url = format!("{}/institutions/{code}/agreement/intents", self.s.base);
                let (st, i) = call("POST", &url, Some(&self.s.admin), Some(&notice), &[]);
                if st == 201 {
                    b["intent_id"] = i["id"].clone();
                }
            }
        }
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
        let intent = w.ok(
            "POST",
            "/institutions/H37081100001/agreement/intents",
            json!({"action": "suspend", "facts": "30%人员被处理", "basis": "五(三)", "notified_on": "2024-05-24"}),
        )["id"]
            .clone();
        let decide = |mut body: Value| {
            body["intent_id"] = intent.clone();
            w.go("POST", &format!("/cascade-cases/{id}/decide"), Some(body))
        };
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

/// 聊城 第十九条 年度协议考核、续签工作完成前，协议有效期顺延 (济宁 `on_expiry = extend`): an
/// agreement one day past its term, not yet renewed, is `renewal_pending` and its staff are paid;
/// renewed, the new term starts the day after the old one. Not renewed, it ends (终止) with its
/// term — or, decided during the extension, that day. `GET /agreements/ending` lists both.
#[test]
fn liao_cheng_19_an_agreement_past_its_term_stays_in_force_until_renewed_or_not() {
    for db in common::all() {
        let w = W::new(&db);
        for code in ["H37081100001", "H37081100002", "H37081100003"] {
            w.institution(code, json!({}));
        }
        for (k, code) in ["H37081100001", "H37081100002", "H37081100003"].iter().enumerate() {
            w.register(code, &format!("D37081100000{}", k + 1), k as u32 + 1);
        }
        let payable = |person: &str, inst: &str, date: &str| {
            let (_, b) = w.go(
                "POST",
                "/eligibility/check",
                Some(json!({"lines": [{"personnel_code": person, "institution_code": inst, "service_date": date}]})),
            );
            b["lines"][0]["payable"].as_bool().unwrap()
        };
        let (_, list) = w.go("GET", "/agreements/ending?date=2024-11-15", None);
        let listed: Vec<&str> =
            list["agreements"].as_array().unwrap().iter().map(|a| a["institution_code"].as_str().unwrap()).collect();
        assert_eq!(listed, ["H37081100001", "H37081100002", "H37081100003"], "{list}");
        assert_eq!(list["agreements"][0]["days_left"], 46);
        // One day past its term, before the renewal: extended, staff paid.
        assert_eq!(w.status("H37081100001", "2024-12-31")["status"], "active");
        assert_eq!(w.status("H37081100001", "2025-01-01")["status"], "renewal_pending");
        assert!(payable("D370811000001", "H37081100001", "2025-01-01"), "paid while the renewal is pending");
        let (_, list) = w.go("GET", "/agreements/ending?date=2025-01-02", None);
        assert_eq!(list["agreements"][0]["status"], "renewal_pending", "{list}");
        // Renewed on 2025-01-10: the new term runs from 2025-01-01.
        let v = w.ok(
            "POST",
            "/institutions/H37081100001/agreement/renew",
            json!({"on": "2025-01-10", "agreement_end": "2025-12-31"}),
        );
        assert_eq!(
            (v["agreement_end"].as_str(), v["terms"][1]["start"].as_str()),
            (Some("2025-12-31"), Some("2025-01-01")),
            "{v}"
        );
        assert_eq!(w.status("H37081100001", "2025-01-01")["status"], "active");
        assert!(payable("D370811000001", "H37081100001", "2025-06-01"));
        // Not renewed, decided before the term's end: it ends with the term (终止, no bar).
        w.ok(
            "POST",
            "/institutions/H37081100002/agreement/non-renewal",
            json!({"on": "2024-12-20", "reason": "考核不合格，未达成一致"}),
        );
        assert_eq!(w.status("H37081100002", "2024-12-31")["status"], "active");
        let v = w.status("H37081100002", "2025-01-01");
        assert_eq!(
            (v["status"].as_str(), v["end"]["cause"].as_str(), v["end"]["kind"].as_str()),
            (Some("expired"), Some("non_renewal"), Some("ended")),
            "{v}"
        );
        assert!(v["end"]["institution_bar"].is_null(), "{v}");
        assert!(!payable("D370811000002", "H37081100002", "2025-01-01"));
        assert_eq!(w.site("D370811000002", "H37081100002", "2025-01-01"), "institution_expired");
        let (st, e) = w.go(
            "POST",
            "/institutions/H37081100002/agreement/renew",
            Some(json!({"on": "2025-01-05", "agreement_end": "2025-12-31"})),
        );
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("not_renewed")), "{e}");
        // Not renewed during the extension: in force (paid) up to that day.
        assert_eq!(w.status("H37081100003", "2025-01-15")["status"], "renewal_pending");
        w.ok(
            "POST",
            "/institutions/H37081100003/agreement/non-renewal",
            json!({"on": "2025-02-10", "reason": "不再续签"}),
        );
        assert!(payable("D370811000003", "H37081100003", "2025-02-09"));
        assert!(!payable("D370811000003", "H37081100003", "2025-02-10"));
        assert_eq!(w.status("H37081100003", "2025-02-10")["status"], "expired");
        let (_, list) = w.go("GET", "/agreements/ending?date=2025-02-11", None);
        assert!(list["agreements"].as_array().unwrap().is_empty(), "{list}");
        assert!(w.s.app.verify().unwrap().differences.is_empty());
    }
}

/// 聊城 第十条(五)–(八)、第十四条; 吉林 第十七条、第二十一条: the cause of an end decides the bar on a
/// new application (POST /institutions with the same credit code, or the same legal
/// representative after a serious cause): 违法违规 3 years (the legal representative 5), 违约
/// 1 year, 弄虚作假申请 3 years from discovery, a lapse (终止) none. Last refused and first
/// accepted day of each.
#[test]
fn liao_cheng_10_jilin_17_the_cause_of_an_end_decides_the_reapplication_bar() {
    for db in common::all() {
        let w = W::new(&db);
        let apply = |code: &str, org: &str, rep: &str, applied_on: &str| {
            w.go(
                "POST",
                "/institutions",
                Some(json!({"code": code, "name": "新机构", "kind": "medical", "agreement_start": applied_on,
                    "agreement_end": "2030-12-31", "organization_code": org, "legal_representative": rep, "applied_on": applied_on})),
            )
        };
        let terminate =
            |code: &str, body: Value| w.ok("POST", &format!("/institutions/{code}/agreement/terminate"), body);
        // 违法违规: the institution 3 years, its legal representative 5.
        w.institution(
            "H37081100001",
            json!({"organization_code": "ORG-A", "legal_representative": "王某", "agreement_end": "2030-12-31"}),
        );
        terminate("H37081100001", json!({"on": "2024-06-03", "reason": "欺诈骗保", "cause": "violation"}));
        let (st, e) = apply("H37081100011", "ORG-A", "赵某", "2027-06-02");
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("reapplication_barred")), "{e}");
        let m = e["error"]["message"].as_str().unwrap();
        assert!(m.contains("2027-06-03") && m.contains("第十条(六)"), "{m}");
        assert_eq!(apply("H37081100011", "ORG-A", "赵某", "2027-06-03").0, 201);
        let (st, e) = apply("H37081100012", "ORG-X", "王某", "2029-06-02");
        assert_eq!(
            (st, e["error"]["code"].as_str()),
            (409, Some("reapplication_barred")),
            "the legal representative: {e}"
        );
        assert!(e["error"]["message"].as_str().unwrap().contains("2029-06-03"), "{e}");
        assert_eq!(apply("H37081100012", "ORG-X", "王某", "2029-06-03").0, 201);
        // 违约: 1 year, the legal representative not barred.
        w.institution(
            "H37081100002",
            json!({"organization_code": "ORG-B", "legal_representative": "李某", "agreement_end": "2030-12-31"}),
        );
        terminate("H37081100002", json!({"on": "2024-06-03", "reason": "严重违约"}));
        let v = w.status("H37081100002", "2024-06-03");
        assert_eq!(
            (v["end"]["cause"].as_str(), v["end"]["institution_bar"]["until"].as_str()),
            (Some("breach"), Some("2025-06-03")),
            "{v}"
        );
        assert_eq!(apply("H37081100021", "ORG-B", "钱某", "2025-06-02").0, 409);
        assert_eq!(apply("H37081100021", "ORG-B", "钱某", "2025-06-03").0, 201);
        assert_eq!(apply("H37081100022", "ORG-Y", "李某", "2024-07-01").0, 201, "no bar on the person after a breach");
        // 弄虚作假申请: 3 years from discovery.
        w.institution("H37081100003", json!({"organization_code": "ORG-C", "agreement_end": "2030-12-31"}));
        terminate(
            "H37081100003",
            json!({"on": "2024-06-03", "reason": "伪造申请材料", "cause": "fraud", "discovered_on": "2024-05-06"}),
        );
        assert_eq!(apply("H37081100031", "ORG-C", "孙某", "2027-05-05").0, 409);
        assert_eq!(apply("H37081100031", "ORG-C", "孙某", "2027-05-06").0, 201);
        // A lapse is an ending (终止): no bar at all.
        w.institution(
            "H37081100004",
            json!({"organization_code": "ORG-D", "legal_representative": "周某", "agreement_end": "2030-12-31"}),
        );
        w.ok(
            "POST",
            "/institutions/H37081100004/agreement/suspend",
            json!({"from": "2024-01-10", "reason": "停业", "requested": true, "requested_on": "2023-10-10"}),
        );
        assert_eq!(w.status("H37081100004", "2024-07-08")["end"]["cause"], "lapse");
        assert_eq!(apply("H37081100041", "ORG-D", "周某", "2024-08-01").0, 201, "a lapse bars nothing");
        let terminate_d = |cause: &str| {
            w.go(
                "POST",
                "/institutions/H37081100004/agreement/terminate",
                Some(json!({"on": "2024-08-01", "reason": "r", "cause": cause})),
            )
        };
        let (st, e) = terminate_d("sometimes");
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("invalid_cause")), "{e}");
        let (st, e) = terminate_d("violation");
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("agreement_ended")), "already ended: {e}");
    }
}

/// 聊城 第三十三条 定点医疗机构所在地的…统筹地区经办机构与其中止或解除医保协议，该定点医疗机构在
/// 其他统筹地区的医保协议也同时中止或解除: the same organisation's agreement in another pooling
/// region (济南 3701) follows; one inside 济宁's own (3708, another county) does not. A restore at
/// home restores the copy it caused. Copies never count as the copy's own suspensions
/// (聊城 第三十一条(一)).
#[test]
fn liao_cheng_33_a_medical_institution_is_followed_in_other_pooling_regions_only() {
    for db in common::all() {
        let w = W::new(&db);
        let org = json!({"organization_code": "91370800MA00000001", "agreement_end": "2030-12-31"});
        w.institution("H37081100010", org.clone());
        w.institution("H37082900010", org.clone());
        w.institution(
            "H37010200010",
            json!({"organization_code": "91370800MA00000001", "agreement_end": "2030-12-31", "region_code": "370102"}),
        );
        let st = |code: &str, d: &str| w.status(code, d)["status"].as_str().unwrap().to_string();
        w.ok("POST", "/institutions/H37081100010/agreement/suspend", json!({"from": "2024-04-01", "reason": "违规"}));
        assert_eq!(st("H37010200010", "2024-04-01"), "suspended", "another pooling region follows");
        assert_eq!(st("H37082900010", "2024-04-01"), "active", "the same pooling region (3708) does not");
        let copy = w.status("H37010200010", "2024-04-01");
        assert_eq!(
            (copy["history"][0]["copied_from"].as_str(), copy["history"][0]["article"].as_str()),
            (Some("H37081100010"), Some("聊城 第三十三条")),
            "{copy}"
        );
        // Restored at home on 2024-06-03: the copy is restored with it.
        w.ok("POST", "/institutions/H37081100010/agreement/restore", json!({"on": "2024-06-03"}));
        assert_eq!(st("H37010200010", "2024-06-02"), "suspended");
        assert_eq!(st("H37010200010", "2024-06-03"), "active", "the copy follows the restore");
        // A second suspension at home: two of its own there; the copy holds none of its own.
        w.ok(
            "POST",
            "/institutions/H37081100010/agreement/suspend",
            json!({"from": "2024-08-01", "until": "2024-09-01", "reason": "再次违规"}),
        );
        assert_eq!(w.status("H37081100010", "2024-10-01")["suspensions_in_term"], 2);
        assert_eq!(w.status("H37010200010", "2024-10-01")["suspensions_in_term"], 0, "copies are not its own");
        let (_, cases) = w.go("GET", "/termination-cases", None);
        let codes: Vec<&str> =
            cases["cases"].as_array().unwrap().iter().map(|c| c["institution_code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["H37081100010"], "{cases}");
        // A termination at home: the other pooling region's agreement is terminated too.
        w.ok(
            "POST",
            "/institutions/H37081100010/agreement/terminate",
            json!({"on": "2024-12-02", "reason": "欺诈骗保", "cause": "violation"}),
        );
        assert_eq!(st("H37010200010", "2024-12-02"), "terminated");
        assert_eq!(st("H37082900010", "2024-12-02"), "active");
        assert!(w.s.app.verify().unwrap().differences.is_empty());
    }
}

/// 聊城 第三十二条(十五): a chain pharmacy terminated because its headquarters' legal
/// representative (企业负责人, 实际控制人) broke the law takes the branches with the same person;
/// the cause is recorded on the termination. Pharmacies do not follow an organisation's
/// suspension (第三十三条 speaks of 定点医疗机构).
#[test]
fn liao_cheng_32_15_a_chains_branches_with_the_same_legal_representative_are_terminated_with_it() {
    for db in common::all() {
        let w = W::new(&db);
        for (code, rep) in [("P37081100011", "王某"), ("P37082900012", "王某"), ("P37081100013", "李某")] {
            w.institution(
                code,
                json!({"legal_representative": rep, "organization_code": "CHAIN", "agreement_end": "2030-12-31"}),
            );
        }
        let st = |code: &str, d: &str| w.status(code, d)["status"].as_str().unwrap().to_string();
        w.ok(
            "POST",
            "/institutions/P37081100011/agreement/suspend",
            json!({"from": "2024-04-01", "until": "2024-05-01", "reason": "违规"}),
        );
        assert_eq!(st("P37082900012", "2024-04-01"), "active", "a pharmacy's suspension passes to no branch");
        let v = w.ok(
            "POST",
            "/institutions/P37081100011/agreement/terminate",
            json!({"on": "2024-08-01", "reason": "总部法定代表人骗保", "legal_representative_violation": true}),
        );
        assert!(v["history"][1]["reason"].as_str().unwrap().contains("法定代表人"), "the cause is recorded: {v}");
        assert_eq!(v["history"][1]["cause"], "violation");
        assert_eq!(st("P37082900012", "2024-08-01"), "terminated", "the same legal representative");
        assert_eq!(st("P37081100013", "2024-08-01"), "active", "another legal representative");
        assert_eq!(w.status("P37082900012", "2024-08-01")["history"][0]["article"], "聊城 第三十二条(十五)");
    }
}

/// 聊城 第三十一条(一)、吉林 第四十七条(一) 协议有效期内累计2次及以上被中止…应解除: only the
/// institution's own violation suspensions in the current term count — not the ones it asked
/// for. The case is decided `terminate`, or deferred with the reason; never closed as "none".
#[test]
fn liao_cheng_31_jilin_47_two_own_suspensions_in_a_term_call_for_termination() {
    for db in common::all() {
        let w = W::new(&db);
        w.institution("H37081100001", json!({"agreement_end": "2025-12-31"}));
        let suspend = |body: Value| w.ok("POST", "/institutions/H37081100001/agreement/suspend", body);
        suspend(json!({"from": "2024-02-01", "until": "2024-03-01", "reason": "违规"}));
        suspend(
            json!({"from": "2024-05-01", "until": "2024-06-01", "reason": "装修", "requested": true, "requested_on": "2024-02-01"}),
        );
        let (_, cases) = w.go("GET", "/termination-cases", None);
        assert!(cases["cases"].as_array().unwrap().is_empty(), "a voluntary suspension does not count: {cases}");
        suspend(json!({"from": "2024-08-01", "until": "2024-09-01", "reason": "再次违规"}));
        let (_, cases) = w.go("GET", "/termination-cases", None);
        let case = &cases["cases"][0];
        assert_eq!((case["suspensions"].as_i64(), case["status"].as_str()), (Some(2), Some("open")), "{cases}");
        let id = case["id"].as_i64().unwrap();
        let decide = |body: Value| w.go("POST", &format!("/termination-cases/{id}/decide"), Some(body));
        let (st, e) = decide(json!({"decision": "none", "reason": "不处理", "on": "2024-10-08"}));
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("termination_required")), "{e}");
        let (st, e) = decide(json!({"decision": "defer", "reason": " ", "on": "2024-10-08"}));
        assert_eq!(st, 422, "a deferral needs its reason: {e}");
        let (st, c) = decide(json!({"decision": "defer", "reason": "整改期内，待年度考核后决定", "on": "2024-10-08"}));
        assert_eq!((st, c["status"].as_str(), c["decision"].as_str()), (200, Some("deferred"), Some("defer")), "{c}");
        assert_eq!(w.status("H37081100001", "2024-10-08")["status"], "active");
    }
}

/// 聊城 第三十三条、新疆 第十六条、吉林 第四十八条 请求中止、解除医保协议或不再续签医保协议的，应当
/// 提前3个月…提出申请: the day the institution asked is recorded, and the change takes effect no
/// earlier than 3 months after it — its last refused and first accepted day, for a suspension,
/// a termination and a non-renewal.
#[test]
fn liao_cheng_33_a_change_the_institution_asks_for_needs_3_months_notice() {
    for db in common::all() {
        let w = W::new(&db);
        for code in ["H37081100001", "H37081100002", "H37081100003"] {
            w.institution(code, json!({"agreement_end": "2024-12-31"}));
        }
        let post = |code: &str, what: &str, body: Value| {
            w.go("POST", &format!("/institutions/{code}/agreement/{what}"), Some(body))
        };
        // Asked on 2024-03-01: 2024-05-31 is refused, 2024-06-01 accepted.
        let (st, e) =
            post("H37081100001", "suspend", json!({"from": "2024-06-01", "reason": "装修", "requested": true}));
        assert_eq!((st, e["error"]["field"].as_str()), (422, Some("requested_on")), "the day it asked is needed: {e}");
        let (st, e) = post(
            "H37081100001",
            "suspend",
            json!({"from": "2024-05-31", "reason": "装修", "requested": true, "requested_on": "2024-03-01"}),
        );
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("notice_period")), "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("2024-06-01"), "names the earliest day: {e}");
        let (st, v) = post(
            "H37081100001",
            "suspend",
            json!({"from": "2024-06-01", "reason": "装修", "requested": true, "requested_on": "2024-03-01"}),
        );
        assert_eq!((st, v["history"][0]["requested_on"].as_str()), (200, Some("2024-03-01")), "{v}");
        let (st, e) = post(
            "H37081100002",
            "terminate",
            json!({"on": "2024-05-31", "reason": "歇业", "requested": true, "requested_on": "2024-03-01"}),
        );
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("notice_period")), "{e}");
        let (st, v) = post(
            "H37081100002",
            "terminate",
            json!({"on": "2024-06-01", "reason": "歇业", "requested": true, "requested_on": "2024-03-01"}),
        );
        assert_eq!((st, v["end"]["cause"].as_str()), (200, Some("voluntary")), "{v}");
        // Not renewing ends the agreement on 2025-01-01: asked on 2024-10-02 is too late, 10-01 in time.
        let (st, e) = post(
            "H37081100003",
            "non-renewal",
            json!({"on": "2024-10-15", "reason": "不再续签", "requested": true, "requested_on": "2024-10-02"}),
        );
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("notice_period")), "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("2025-01-02"), "{e}");
        let (st, _) = post(
            "H37081100003",
            "non-renewal",
            json!({"on": "2024-10-15", "reason": "不再续签", "requested": true, "requested_on": "2024-10-01"}),
        );
        assert_eq!(st, 200);
        assert_eq!(w.status("H37081100003", "2025-01-01")["status"], "expired");
    }
}

/// 聊城 第三十四条、新疆 第十七条、吉林 第五十一条 定点医疗机构的部分人员、科室有违反医保协议…的，
/// 医保经办机构可以对该人员、科室中止…医保结算: a suspension limited to one department (科室)
/// takes the staff the roster files there (column 科室), not the others; the institution stays
/// active, and it does not count towards 聊城 第三十一条(一).
#[test]
fn liao_cheng_34_a_department_is_suspended_with_its_staff_only() {
    for db in common::all() {
        let w = W::new(&db);
        w.institution("H37081100001", json!({"agreement_end": "2030-12-31"}));
        let roster = format!(
            "姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间,科室\n\
             张三,{},医保医师,D370811000001,2024-01-01,骨科\n\
             李四,{},医保医师,D370811000002,2024-01-01,内科\n\
             王五,{},医保医师,D370811000003,2024-01-01,\n",
            common::id_number("19800101", 1),
            common::id_number("19800101", 2),
            common::id_number("19800101", 3)
        );
        let (st, r) = common::call_raw(
            "POST",
            &format!("{}/rosters/H37081100001?mode=delta&commit=true", w.s.base),
            Some(&w.s.admin),
            roster.as_bytes(),
            "text/csv",
        );
        assert_eq!(st, 200, "{r}");
        let (st, v) = w.suspend(
            "H37081100001",
            json!({"from": "2024-06-03", "until": "2024-09-02", "reason": "骨科违规", "department": "骨科"}),
        );
        assert_eq!((st, v["status"].as_str()), (200, Some("active")), "the institution stays active: {v}");
        assert_eq!(v["history"][0]["department"], "骨科");
        assert_eq!(w.site("D370811000001", "H37081100001", "2024-06-03"), "institution_suspended");
        assert_eq!(w.site("D370811000002", "H37081100001", "2024-06-03"), "active", "another department");
        assert_eq!(w.site("D370811000003", "H37081100001", "2024-06-03"), "active", "no department on the roster");
        assert_eq!(w.site("D370811000001", "H37081100001", "2024-09-02"), "active", "back at its end");
        assert_eq!(v["suspensions_in_term"], 0);
        let (st, e) = w.suspend("H37081100001", json!({"from": "2024-10-08", "reason": "r", "department": "骨科", "requested": true, "requested_on": "2024-01-02"}));
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("invalid_department")), "{e}");
        // Restored early, for that department only.
        w.suspend("H37081100001", json!({"from": "2024-10-08", "reason": "再次", "department": "骨科"}));
        let (st, e) = w.go(
            "POST",
            "/institutions/H37081100001/agreement/restore",
            Some(json!({"on": "2024-11-01", "department": "内科"})),
        );
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("not_suspended")), "{e}");
        w.ok("POST", "/institutions/H37081100001/agreement/restore", json!({"on": "2024-11-01", "department": "骨科"}));
        assert_eq!(w.site("D370811000001", "H37081100001", "2024-10-31"), "institution_suspended");
        assert_eq!(w.site("D370811000001", "H37081100001", "2024-11-01"), "active");
        assert!(w.s.app.verify().unwrap().differences.is_empty());
    }
}

/// 吉林 第四十九条 医保经办机构对定点医药机构作出协议处理决定前，应当告知…拟作出的处理决定及事实、
/// 依据…定点医药机构…应当在医保经办机构告知7日内作出陈述和申辩…不予采纳的，应当说明理由: the
/// notice of intent, the statement within 7 days (calendar days, the day of the notice not
/// counted), the decision no earlier than the 8th day unless the institution waived them, and the
/// agency's answer to the statement.
#[test]
fn jilin_49_the_institution_is_heard_before_a_decision() {
    for db in common::all() {
        // 济宁's pack (聊城's rules) does not require the step: a pack of 吉林's rules does.
        let app = jifen::service::App::open(&db.url).unwrap();
        let text = include_str!("../data/packs/jining-2024.toml").replacen(
            "statement_required = false",
            "statement_required = true",
            1,
        );
        let app = app.with_packs(
            jifen::rules::PackSet::new(vec![jifen::rules::PolicyPack::from_toml("jilin49.toml", &text).unwrap()])
                .unwrap(),
        );
        let w = W { s: common::serve(app, jifen::http::Options::default()) };
        w.institution("H37081100001", json!({"agreement_end": "2030-12-31"}));
        let hr = w.s.app.create_token(jifen::service::tokens::Role::Hr, Some("H37081100001"), None).unwrap();
        let hr_other = w.s.app.create_token(jifen::service::tokens::Role::Hr, Some("H37081100002"), None).unwrap();
        let notify = |action: &str, on: &str| {
            w.ok(
                "POST",
                "/institutions/H37081100001/agreement/intents",
                json!({"action": action, "facts": "串换药品，涉及金额3万元", "basis": "医保协议第八条", "notified_on": on}),
            )
        };
        let state = |token: &str, id: &Value, body: Value| {
            let url = format!("{}/institutions/H37081100001/agreement/intents/{id}/statement", w.s.base);
            call("POST", &url, Some(token), Some(&body), &[])
        };
        let i = notify("suspend", "2024-06-03");
        assert_eq!(
            (i["statement_until"].as_str(), i["decide_from"].as_str()),
            (Some("2024-06-10"), Some("2024-06-11")),
            "{i}"
        );
        let id = i["id"].clone();
        let (st, e) = w.suspend("H37081100001", json!({"from": "2024-06-11", "reason": "违规", "intent_id": null}));
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("intent_required")), "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("吉林 第四十九条"), "{e}");
        assert_eq!(state(&hr_other, &id, json!({"stated_on": "2024-06-05", "statement": "x"})).0, 404);
        let (st, s) = state(
            &hr,
            &id,
            json!({"stated_on": "2024-06-05", "statement": "系统故障所致，非主观串换", "evidence": "厂商说明"}),
        );
        assert_eq!((st, s["statement"]["evidence"].as_str()), (201, Some("厂商说明")), "{s}");
        // Day 7 (2024-06-10) is still the institution's; the 8th day is the first a decision may be dated.
        let (st, e) = w.suspend("H37081100001", json!({"from": "2024-06-10", "reason": "违规", "intent_id": id}));
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("statement_period")), "{e}");
        let (st, e) = w.suspend("H37081100001", json!({"from": "2024-06-11", "reason": "违规", "intent_id": id}));
        assert_eq!((st, e["error"]["field"].as_str()), (422, Some("statement_response")), "answer the statement: {e}");
        let (st, e) = w.go(
            "POST",
            "/institutions/H37081100001/agreement/terminate",
            Some(json!({"on": "2024-06-11", "reason": "r", "intent_id": id, "statement_response": "x"})),
        );
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("invalid_intent")), "told of a suspension: {e}");
        let (st, v) = w.suspend(
            "H37081100001",
            json!({"from": "2024-06-11", "until": "2024-07-11", "reason": "违规", "intent_id": id,
                   "statement_response": "厂商说明不能证明系统故障，不予采纳", "statement_adopted": false}),
        );
        assert_eq!((st, v["status"].as_str()), (200, Some("suspended")), "{v}");
        let (_, list) = w.go("GET", "/institutions/H37081100001/agreement/intents", None);
        let d = &list["intents"][0]["decision"];
        assert_eq!((d["adopted"].as_bool(), d["decided_on"].as_str()), (Some(false), Some("2024-06-11")), "{list}");
        assert!(d["response"].as_str().unwrap().contains("不予采纳"));
        let (st, _) = w.suspend(
            "H37081100001",
            json!({"from": "2024-08-01", "reason": "再次", "intent_id": id, "statement_response": "x"}),
        );
        assert_eq!(st, 409, "a notice of intent is followed by one decision");
        // Late statements are refused; a waiver lets the agency decide at once.
        let late = notify("terminate", "2024-08-01");
        let (st, e) = state(&hr, &late["id"], json!({"stated_on": "2024-08-09", "statement": "迟到的申辩"}));
        assert_eq!((st, e["error"]["code"].as_str()), (422, Some("statement_late")), "{e}");
        let (st, s) = state(&hr, &late["id"], json!({"stated_on": "2024-08-02", "waived": true}));
        assert_eq!((st, s["decide_from"].as_str()), (201, Some("2024-08-02")), "{s}");
        let (st, v) = w.go(
            "POST",
            "/institutions/H37081100001/agreement/terminate",
            Some(json!({"on": "2024-08-02", "reason": "严重违约", "intent_id": late["id"]})),
        );
        assert_eq!((st, v["status"].as_str()), (200, Some("terminated")), "{v}");
        assert!(w.s.app.unaudited_facts().unwrap().is_empty(), "intents, statements and decisions are audited");
    }
}

/// 聊城 第二十九条 (济宁, `after_suspension = continue`): 中止期结束，未超过协议有效期的，协议继续
/// 履行；超过协议有效期的，协议自动终止 — no inspection is needed, and a suspension ending past the
/// term ends the agreement (终止, no bar).
#[test]
fn liao_cheng_29_a_suspension_ending_past_the_term_ends_the_agreement() {
    for db in common::all() {
        let w = W::new(&db);
        w.institution("H37081100001", json!({"agreement_end": "2024-12-31"}));
        w.ok(
            "POST",
            "/institutions/H37081100001/agreement/suspend",
            json!({"from": "2024-06-03", "until": "2024-09-02", "reason": "违规"}),
        );
        assert_eq!(w.status("H37081100001", "2024-09-02")["status"], "active", "it simply continues");
        let (st, e) = w.go(
            "POST",
            "/institutions/H37081100001/agreement/inspection-result",
            Some(json!({"on": "2024-09-02", "passed": true, "reason": "验收"})),
        );
        assert_eq!((st, e["error"]["code"].as_str()), (409, Some("no_inspection_required")), "{e}");
        w.ok(
            "POST",
            "/institutions/H37081100001/agreement/suspend",
            json!({"from": "2024-12-02", "until": "2025-02-03", "reason": "再次违规"}),
        );
        assert_eq!(w.status("H37081100001", "2025-01-15")["status"], "suspended");
        let v = w.status("H37081100001", "2025-02-03");
        assert_eq!((v["status"].as_str(), v["end"]["kind"].as_str()), (Some("expired"), Some("ended")), "{v}");
    }
}

/// 吉林 第四十六条 (`after_suspension = inspect`, the rules of a pack other than 济宁's): a
/// suspension that ran its course leaves the institution `awaiting_inspection`, its staff unpaid,
/// until the inspection: passed, the agreement continues; failed, it is terminated (解除, a breach).
/// Through the service layer with such a pack, on both databases.
#[test]
fn jilin_46_under_inspect_the_agreement_waits_for_its_inspection() {
    use jifen::service::Caller;
    for db in common::all() {
        let app = jifen::service::App::open(&db.url).unwrap();
        let text = include_str!("../data/packs/jining-2024.toml")
            .replacen("after_suspension = \"continue\"", "after_suspension = \"inspect\"", 1)
            .replacen("statement_required = false", "statement_required = true", 1);
        let app = app.with_packs(
            jifen::rules::PackSet::new(vec![jifen::rules::PolicyPack::from_toml("inspect.toml", &text).unwrap()])
                .unwrap(),
        );
        let sys = Caller::system();
        fn v<T: serde::de::DeserializeOwned>(x: Value) -> T {
            serde_json::from_value(x).unwrap()
        }
        app.create_institution(&sys, &v(json!({"code": "H37081100001", "name": "医院", "kind": "medical", "agreement_start": "2024-01-01", "agreement_end": "2030-12-31"}))).unwrap();
        app.register(
            &sys,
            &v(json!({"institution_code": "H37081100001", "personnel_code": "D370811000001", "name": "张三",
            "id_number": common::id_number("19800101", 1), "category": "physician", "registered_on": "2024-01-01"})),
        )
        .unwrap();
        let suspend = |from: &str, until: &str, notified: &str| {
            let i = app
                .notify_intent(
                    &sys,
                    "H37081100001",
                    &v(json!({"action": "suspend", "facts": "f", "basis": "b", "notified_on": notified})),
                )
                .unwrap();
            app.suspend_institution(
                &sys,
                "H37081100001",
                &v(json!({"from": from, "until": until, "reason": "违规", "intent_id": i.id})),
            )
            .unwrap();
        };
        let status = |d: &str| {
            app.institution(&sys, "H37081100001", chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap())
                .unwrap()
                .status
        };
        let site = |d: &str| {
            let s =
                app.status(&sys, "D370811000001", chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()).unwrap();
            s.status.sites[0].status.as_str()
        };
        suspend("2024-06-03", "2024-09-02", "2024-05-20");
        assert_eq!(status("2024-09-02"), "awaiting_inspection");
        assert_eq!(site("2024-09-05"), "institution_suspended", "not paid while awaiting the inspection");
        let early = app.record_inspection_result(
            &sys,
            "H37081100001",
            &v(json!({"on": "2024-08-01", "passed": true, "reason": "r"})),
        );
        assert_eq!(early.unwrap_err().client().map(|c| c.code), Some("not_awaiting_inspection"));
        app.record_inspection_result(
            &sys,
            "H37081100001",
            &v(json!({"on": "2024-09-10", "passed": true, "reason": "整改到位"})),
        )
        .unwrap();
        assert_eq!(status("2024-09-10"), "active");
        assert_eq!(site("2024-09-10"), "active");
        // Failed: terminated for a breach — told and heard first like any termination.
        suspend("2024-10-08", "2024-11-08", "2024-09-25");
        let refused = app.record_inspection_result(
            &sys,
            "H37081100001",
            &v(json!({"on": "2024-11-15", "passed": false, "reason": "整改不到位"})),
        );
        assert_eq!(refused.unwrap_err().client().map(|c| c.code), Some("intent_required"));
        let i = app.notify_intent(&sys, "H37081100001", &v(json!({"action": "terminate", "facts": "验收不合格", "basis": "吉林 第四十六条", "notified_on": "2024-11-08"}))).unwrap();
        let view = app
            .record_inspection_result(
                &sys,
                "H37081100001",
                &v(json!({"on": "2024-11-18", "passed": false, "reason": "整改不到位", "intent_id": i.id})),
            )
            .unwrap();
        assert_eq!(view.status, "terminated");
        assert_eq!(view.end.as_ref().map(|e| e.cause.as_str()), Some("breach"));
        assert_eq!(site("2024-11-18"), "institution_terminated");
        assert!(app.verify().unwrap().differences.is_empty());
    }
}
