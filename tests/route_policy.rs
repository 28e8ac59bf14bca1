//! Tenancy by construction (issue 12): the route table of `src/http/routes.rs` declares, for
//! every route, who may call it (`Public`, or an `Action` of `service::access` and where the
//! tenant comes from). This test
//! (a) checks that the table is the only place routes are registered, and that every route of
//!     it has a request here — a new route fails this test until it is given one;
//! (b) calls every route as every principal — admin, city officer, the county officer of A's
//!     county and of another, agency, hr of A, hr of B, settlement, a revoked token, an
//!     expired token, no token — on objects of institution A, and checks each answer against
//!     the table: 401 without a valid token, 403 when the role is not in `Action::roles()`,
//!     404 when the object is outside the principal's scope, otherwise authorised (2xx, or a
//!     4xx about the body or the state such as 409/422);
//! (c) asks every path with a method it does not serve: 405 with `Allow`.
//! On SQLite and (with TEST_DATABASE_URL) PostgreSQL.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{call, call_raw, TestServer};
use jifen::http::routes::{Policy, Route, Scope, ROUTES};
use jifen::service::tokens::Role;
use serde_json::{json, Value};

const A: &str = "H37081100001";
const B: &str = "H37081200001";
const P1: &str = "D370811000001";
const P2: &str = "D370811000002";
const P3: &str = "D370811000003";

/// The objects of institution A every `{…}` of a path is replaced with.
struct Objects {
    deduction: i64,
    objection: i64,
    notice: i64,
    cascade_case: i64,
    termination_case: i64,
    interview_order: i64,
    training_test: i64,
    /// The full report of a large roster preview at A.
    roster_report: String,
    /// A notice of intent to A (吉林 第四十九条).
    intent: i64,
    /// An upload the admin started as a job (`?async=true`): the admin's own.
    job: String,
}

struct Principal {
    name: &'static str,
    token: Option<String>,
    /// `None`: not a valid token (401 expected everywhere a token is needed).
    role: Option<Role>,
    /// Whether A's objects are in its scope.
    covers_a: bool,
}

fn admin(s: &TestServer, method: &str, path: &str, body: Value) -> (u16, Value) {
    static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let key = format!("setup-{}", SEQ.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
    call(method, &format!("{}{path}", s.base), Some(&s.admin), Some(&body), &[("Idempotency-Key", &key)])
}

fn get(s: &TestServer, path: &str) -> Value {
    let (st, b) = call("GET", &format!("{}{path}", s.base), Some(&s.admin), None, &[]);
    assert_eq!(st, 200, "{path}: {b}");
    b
}

fn first_id(list: &Value, key: &str, institution: &str) -> i64 {
    list[key]
        .as_array()
        .and_then(|v| v.iter().find(|x| x["institution_code"] == institution))
        .and_then(|x| x["id"].as_i64())
        .unwrap_or_else(|| panic!("no {key} of {institution}: {list}"))
}

/// A and B, three staff at A, a 5-point person (interview order), a suspended person (the
/// 30 % case), an objection, and two institution suspensions in one term (termination case).
fn world(s: &TestServer) -> Objects {
    for (code, region) in [(A, "370811"), (B, "370812")] {
        let (st, b) = admin(
            s,
            "POST",
            "/institutions",
            json!({"code": code, "name": "医院", "kind": "medical", "region_code": region,
                "agreement_start": "2024-01-01", "agreement_end": "2030-12-31"}),
        );
        assert_eq!(st, 201, "{b}");
    }
    for (k, code) in [P1, P2, P3].iter().enumerate() {
        let (st, b) = admin(
            s,
            "POST",
            "/registrations",
            json!({"institution_code": A, "personnel_code": code, "name": "张三",
                "id_number": common::id_number("19800101", k as u32 + 1), "category": "physician",
                "registered_on": "2024-01-01"}),
        );
        assert_eq!(st, 201, "{b}");
    }
    let (st, b) = admin(
        s,
        "POST",
        "/inspections",
        json!({"institution_code": A, "inspected_on": "2024-05-06", "decided_on": "2024-05-06",
            "violations": [{"personnel_code": P1, "items": ["3.1"]}, {"personnel_code": P1, "items": ["1.1"]},
                           {"personnel_code": P1, "items": ["1.2"]}, {"personnel_code": P2, "items": ["6.1"]}]}),
    );
    assert_eq!(st, 201, "{b}");
    let deduction = b["violations"][0]["deduction_id"].as_i64().expect("deduction");
    let (st, b) = admin(
        s,
        "POST",
        &format!("/deductions/{deduction}/objections"),
        json!({"filed_on": "2024-05-07", "grounds": "g"}),
    );
    assert_eq!(st, 201, "{b}");
    let objection = b["id"].as_i64().expect("objection");
    for (notified, from, until) in
        [("2024-06-20", "2024-07-01", "2024-07-10"), ("2024-07-20", "2024-08-01", "2024-08-10")]
    {
        let (st, i) = admin(
            s,
            "POST",
            &format!("/institutions/{A}/agreement/intents"),
            json!({"action": "suspend", "facts": "f", "basis": "b", "notified_on": notified}),
        );
        assert_eq!(st, 201, "{i}");
        let (st, b) = admin(
            s,
            "POST",
            &format!("/institutions/{A}/agreement/suspend"),
            json!({"from": from, "until": until, "reason": "违规", "intent_id": i["id"]}),
        );
        assert_eq!(st, 200, "{b}");
    }
    let (st, intent) = admin(
        s,
        "POST",
        &format!("/institutions/{A}/agreement/intents"),
        json!({"action": "suspend", "facts": "f", "basis": "b", "notified_on": "2025-02-10"}),
    );
    assert_eq!(st, 201, "{intent}");
    let (st, t) = admin(
        s,
        "POST",
        "/training-tests",
        json!({"personnel_code": P3, "tested_on": "2024-04-01", "format": "closed", "score": 90, "passed": true}),
    );
    assert_eq!(st, 201, "{t}");
    // A roster of more than 10 000 rows is answered with a summary; its report is kept.
    let mut big = String::from("姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间\n");
    for k in 0..10_001u32 {
        big.push_str(&format!(
            "人员{k},{},医保医师,D370811{:06},2024-01-01\n",
            common::id_number("19900101", k % 1000),
            600_000 + k
        ));
    }
    let (st, r) = common::call_raw(
        "POST",
        &format!("{}/rosters/{A}?mode=delta", s.base),
        Some(&s.admin),
        big.as_bytes(),
        "text/csv",
    );
    assert_eq!(st, 200, "{r}");
    let (st, job) = common::call_raw(
        "POST",
        &format!("{}/training-tests/batch?async=true", s.base),
        Some(&s.admin),
        format!("医保对应代码,测试日期,是否合格\n{P1},2024-06-02,合格\n").as_bytes(),
        "text/csv",
    );
    assert_eq!(st, 202, "{job}");
    Objects {
        job: job["job_id"].as_str().expect("a job id").to_string(),
        roster_report: r["report_id"].as_str().expect("a report id").to_string(),
        intent: intent["id"].as_i64().expect("intent"),
        training_test: t["id"].as_i64().expect("test"),
        deduction,
        objection,
        notice: first_id(&get(s, &format!("/notices?institution_code={A}")), "notices", A),
        cascade_case: first_id(&get(s, "/cascade-cases"), "cases", A),
        termination_case: first_id(&get(s, "/termination-cases"), "cases", A),
        interview_order: first_id(&get(s, &format!("/interview-orders?institution_code={A}")), "orders", A),
    }
}

fn principals(s: &TestServer) -> Vec<Principal> {
    let app = &s.app;
    let tok = |role, inst: Option<&str>, region: Option<&str>| Some(app.create_token(role, inst, region).unwrap());
    let revoked = app
        .issue_token(&jifen::service::tokens::NewToken {
            role: Role::Agency,
            institution: None,
            region: None,
            label: Some("revoked".into()),
            expires_on: None,
        })
        .unwrap();
    assert!(app.revoke_token(revoked.0).unwrap());
    let expired = app
        .issue_token(&jifen::service::tokens::NewToken {
            role: Role::Admin,
            institution: None,
            region: None,
            label: Some("expired".into()),
            expires_on: None,
        })
        .unwrap();
    let yesterday = jifen::domain::dates::today_china().pred_opt().unwrap();
    jifen::store::tokens::set_expiry(&mut app.conn().unwrap(), expired.0, Some(yesterday)).unwrap();
    let p = |name, token, role, covers_a| Principal { name, token, role, covers_a };
    vec![
        p("admin", Some(s.admin.clone()), Some(Role::Admin), true),
        p("officer of the city", tok(Role::Officer, None, None), Some(Role::Officer), true),
        p("officer of A's county", tok(Role::Officer, None, Some("370811")), Some(Role::Officer), true),
        p("officer of another county", tok(Role::Officer, None, Some("370812")), Some(Role::Officer), false),
        p("agency", tok(Role::Agency, None, None), Some(Role::Agency), true),
        p("hr of A", tok(Role::Hr, Some(A), None), Some(Role::Hr), true),
        p("hr of B", tok(Role::Hr, Some(B), None), Some(Role::Hr), false),
        p("settlement", tok(Role::Settlement, None, None), Some(Role::Settlement), false),
        p("revoked token", Some(revoked.1), None, false),
        p("expired token", Some(expired.1), None, false),
        p("no token", None, None, false),
    ]
}

/// What a route is called with: the concrete URL (from the server's root), a JSON body or a
/// raw one with its content type.
enum Send {
    Nothing,
    Json(Value),
    Raw(&'static str, String),
}

fn request(route: &Route, o: &Objects) -> Option<(String, Send)> {
    let id = |prefix: &str| match prefix {
        "deductions" => o.deduction,
        "objections" => o.objection,
        "notices" => o.notice,
        "cascade-cases" => o.cascade_case,
        "termination-cases" => o.termination_case,
        "interview-orders" => o.interview_order,
        "training-tests" => o.training_test,
        "rosters" => 0,
        "institutions" => o.intent,
        other => panic!("no object for /{other}/{{id}}"),
    };
    let path = route.path;
    let segment = path.trim_start_matches("/api/v1/").split('/').next().unwrap_or("");
    let url = path
        .replace("{institution_code}", A)
        .replace("{personnel_code}", P3)
        .replace(
            "{id}",
            &if segment == "rosters" {
                o.roster_report.clone()
            } else if segment == "jobs" {
                o.job.clone()
            } else if path.contains("{id}") {
                id(segment).to_string()
            } else {
                String::new()
            },
        )
        .replace("{code}", if segment == "practitioners" || path.contains("/public/practitioners/") { P1 } else { A });
    let csv = |s: &str| Send::Raw("text/csv", s.to_string());
    let roster = format!(
        "姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间\n王五,{},医保医师,D370811000007,2024-01-01\n",
        common::id_number("19850101", 7)
    );
    let (query, body) = match (route.method, path) {
        ("GET", "/metrics" | "/api/v1/healthz" | "/api/v1/metrics" | "/api/v1/openapi.json") => ("", Send::Nothing),
        ("POST", "/api/v1/institutions") => (
            "",
            Send::Json(json!({"code": "H37081100009", "name": "新医院", "kind": "medical",
                "agreement_start": "2024-01-01", "agreement_end": "2030-12-31"})),
        ),
        ("GET", "/api/v1/institutions/{code}") => ("?date=2024-06-01", Send::Nothing),
        ("POST", "/api/v1/institutions/{code}/agreement/suspend") => (
            "",
            Send::Json(json!({"from": "2025-03-01", "until": "2025-03-05", "reason": "r", "intent_id": o.intent})),
        ),
        ("GET", "/api/v1/institutions/{code}/agreement/intents") => ("", Send::Nothing),
        ("POST", "/api/v1/institutions/{code}/agreement/inspection-result") => {
            ("", Send::Json(json!({"on": "2024-09-01", "passed": true, "reason": "验收合格"})))
        }
        ("POST", "/api/v1/institutions/{code}/agreement/intents") => (
            "",
            Send::Json(json!({"action": "terminate", "facts": "f", "basis": "b", "notified_on": "2029-11-01"})),
        ),
        ("POST", "/api/v1/institutions/{code}/agreement/intents/{id}/statement") => {
            ("", Send::Json(json!({"stated_on": "2025-02-11", "statement": "申辩"})))
        }
        ("POST", "/api/v1/institutions/{code}/agreement/restore") => ("", Send::Json(json!({"on": "2025-03-02"}))),
        ("POST", "/api/v1/institutions/{code}/agreement/terminate") => {
            ("", Send::Json(json!({"on": "2029-12-01", "reason": "r"})))
        }
        ("GET", "/api/v1/institutions/{code}/cascade") => ("?year=2024", Send::Nothing),
        ("POST", "/api/v1/institutions/{code}/agreement/renew") => {
            ("", Send::Json(json!({"on": "2030-10-01", "agreement_end": "2031-12-31"})))
        }
        ("POST", "/api/v1/institutions/{code}/agreement/non-renewal") => {
            ("", Send::Json(json!({"on": "2030-10-01", "reason": "r"})))
        }
        ("GET", "/api/v1/agreements/ending") => ("?date=2030-11-15", Send::Nothing),
        ("GET", "/api/v1/institutions/{code}/roster.csv" | "/api/v1/institutions/{code}/roster.xlsx") => {
            ("?date=2024-06-01", Send::Nothing)
        }
        (
            "GET",
            "/api/v1/exports/status-list.csv"
            | "/api/v1/exports/status-list.xlsx"
            | "/api/v1/exports/status-list.json"
            | "/api/v1/exports/institution-status-list.csv"
            | "/api/v1/exports/institution-status-list.xlsx"
            | "/api/v1/exports/institution-status-list.json",
        ) => ("?date=2024-06-01", Send::Nothing),
        ("GET", "/api/v1/changes") => ("?after=0&limit=5", Send::Nothing),
        ("GET", "/api/v1/rosters/template.xlsx") => ("", Send::Nothing),
        ("GET", "/api/v1/rosters/{institution_code}/reports/{id}") => ("", Send::Nothing),
        ("GET", "/api/v1/training-tests/pass-marks") => ("?year=2024", Send::Nothing),
        ("POST", "/api/v1/training-tests/pass-marks") => ("", Send::Json(json!({"year": 2024, "mark": 60}))),
        ("POST", "/api/v1/training-tests/{id}/revoke") => {
            ("", Send::Json(json!({"on": "2024-04-10", "reason": "录入错误"})))
        }
        ("POST", "/api/v1/registrations") => (
            "",
            Send::Json(json!({"institution_code": A, "personnel_code": "D370811000005", "name": "李四",
                "id_number": common::id_number("19900101", 5), "category": "physician", "registered_on": "2024-02-01"})),
        ),
        ("DELETE", "/api/v1/registrations/{institution_code}/{personnel_code}") => ("?on=2024-12-01", Send::Nothing),
        ("POST", "/api/v1/rosters/{institution_code}") => ("?mode=delta", Send::Raw("text/csv", roster)),
        ("POST", "/api/v1/inspections") => (
            "",
            Send::Json(json!({"institution_code": A, "inspected_on": "2024-06-03", "decided_on": "2024-06-03",
                "violations": [{"personnel_code": P3, "items": ["1.3"]}]})),
        ),
        ("POST", "/api/v1/inspections/preview") => (
            "",
            Send::Json(json!({"institution_code": A, "inspected_on": "2024-06-03", "decided_on": "2024-06-03",
                "violations": [{"personnel_code": P3, "items": ["6.1"]}]})),
        ),
        ("POST", "/api/v1/inspections/batch") => (
            "",
            csv(&format!("检查编号,定点医药机构编码,医保对应代码,扣分情形,检查日期,处理决定日期\nR1,{A},{P3},1.4,2024-06-04,2024-06-04\n")),
        ),
        ("POST", "/api/v1/deductions/{id}/revoke") => ("", Send::Json(json!({"on": "2024-06-01", "reason": "r"}))),
        ("POST", "/api/v1/deductions/{id}/objections") => {
            ("", Send::Json(json!({"filed_on": "2024-05-08", "grounds": "g"})))
        }
        ("GET", "/api/v1/objections/{id}") => ("", Send::Nothing),
        ("POST", "/api/v1/objections/{id}/decide") => {
            ("", Send::Json(json!({"decision": "reject", "decided_on": "2024-05-20", "evidence": "e"})))
        }
        ("POST", "/api/v1/objections/{id}/escalate") => ("", Send::Json(json!({"on": "2024-05-21"}))),
        ("POST", "/api/v1/objections/{id}/escalation/decide") => {
            ("", Send::Json(json!({"decision": "reject", "decided_on": "2024-06-01", "reasoning": "r"})))
        }
        ("POST", "/api/v1/notices/{id}/received") => ("", Send::Json(json!({"on": "2024-05-07"}))),
        ("GET", "/api/v1/settings/jurisdiction") => ("", Send::Nothing),
        // The jurisdiction the ledger was recorded under: allowed again (another is 409).
        ("POST", "/api/v1/settings/jurisdiction") => ("", Send::Json(json!({"jurisdiction": "jining"}))),
        ("GET", "/api/v1/settings/delivery-allowance") => ("?date=2024-06-01", Send::Nothing),
        ("POST", "/api/v1/settings/delivery-allowance") => {
            ("", Send::Json(json!({"days": 0, "from": "2024-06-01"})))
        }
        ("GET", "/api/v1/notices") => ("?institution_code=H37081100001", Send::Nothing),
        ("GET", "/api/v1/notices/{id}") => ("", Send::Nothing),
        ("GET", "/api/v1/audit") => ("?target=H37081100001", Send::Nothing),
        ("POST", "/api/v1/training-tests") => (
            "",
            Send::Json(json!({"personnel_code": P1, "tested_on": "2024-06-01", "format": "closed",
                "score": 90, "passed": true})),
        ),
        ("POST", "/api/v1/training-tests/batch") => {
            ("", csv(&format!("医保对应代码,测试日期,测试形式,成绩,是否合格\n{P1},2024-06-02,闭卷,90,合格\n")))
        }
        ("GET", "/api/v1/practitioners/{code}/status") => ("?date=2024-06-01", Send::Nothing),
        ("GET", "/api/v1/practitioners/{code}/training-tests") => ("", Send::Nothing),
        ("POST", "/api/v1/training-tests/absences") => {
            ("", Send::Json(json!({"personnel_code": P2, "absent_on": "2024-10-12", "reason": "未到场"})))
        }
        ("GET", "/api/v1/practitioners/{code}/ledger") => ("?year=2024", Send::Nothing),
        ("POST", "/api/v1/eligibility/check") => (
            "",
            Send::Json(json!({"lines": [{"personnel_code": P1, "institution_code": A, "service_date": "2024-06-01"}]})),
        ),
        ("GET", "/api/v1/cascade-cases" | "/api/v1/termination-cases") => ("", Send::Nothing),
        ("GET", "/api/v1/cascade-cases/{id}") => ("", Send::Nothing),
        ("POST", "/api/v1/cascade-cases/{id}/decide") => {
            ("", Send::Json(json!({"decision": "none", "reason": "r", "on": "2024-06-01"})))
        }
        ("POST", "/api/v1/termination-cases/{id}/decide") => {
            ("", Send::Json(json!({"decision": "none", "reason": "r", "on": "2024-09-01"})))
        }
        ("GET", "/api/v1/watch-list") => ("?year=2024", Send::Nothing),
        ("GET", "/api/v1/interview-orders") => ("?institution_code=H37081100001", Send::Nothing),
        ("POST", "/api/v1/interview-orders/{id}/record") => {
            ("", Send::Json(json!({"held_on": "2024-05-20", "notes": "已约谈"})))
        }
        ("GET", "/api/v1/calendar/working-days") => ("?from=2024-09-27&days=10", Send::Nothing),
        ("POST", "/api/v1/calendar/years") => (
            "",
            Send::Raw("text/plain", "year = 2027\nsource = \"test\"\nholidays = []\nworkdays = []\n".into()),
        ),
        ("GET", "/api/v1/stats/dashboard" | "/api/v1/stats/deductions" | "/api/v1/stats/statuses") => {
            ("?year=2024", Send::Nothing)
        }
        ("GET", "/api/v1/stats/items" | "/api/v1/stats/institutions" | "/api/v1/stats/training-tests") => {
            ("?year=2024", Send::Nothing)
        }
        ("GET", "/api/v1/stats/objections") => ("?year=2024", Send::Nothing),
        ("GET", "/api/v1/public/practitioners/{code}" | "/api/v1/public/institutions/{code}") => ("", Send::Nothing),
        ("GET", "/api/v1/jobs/{id}") => ("", Send::Nothing),
        _ => return None,
    };
    Some((format!("{url}{query}"), body))
}

/// Writes that change what later requests see run last.
fn destructive(route: &Route) -> bool {
    route.method == "DELETE" || route.path.ends_with("/agreement/terminate")
}

fn expected(route: &Route, p: &Principal) -> &'static str {
    let Policy::Token(action, scope) = route.policy else {
        return "authorised";
    };
    let Some(role) = p.role else {
        return "401";
    };
    if !action.roles().contains(&role) {
        return "403";
    }
    let in_scope = match scope {
        Scope::None | Scope::InstitutionInRows => true,
        Scope::FilteredList => role != Role::Hr || p.covers_a,
        Scope::InstitutionInPath
        | Scope::InstitutionInBody
        | Scope::InstitutionInQuery
        | Scope::PersonInPath
        | Scope::Object(_) => p.covers_a,
        // The world's objects are the admin's: a job is its starter's only.
        Scope::Own => p.name == "admin",
    };
    if in_scope {
        "authorised"
    } else {
        "404"
    }
}

fn got(status: u16) -> &'static str {
    match status {
        401 => "401",
        403 => "403",
        404 => "404",
        s if s < 500 && s != 405 && s != 429 => "authorised",
        _ => "unexpected",
    }
}

/// (a) The macro of routes.rs is the only registration of a route anywhere in src/.
#[test]
fn the_route_table_is_the_only_registration() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let registrations = [".route(", "web::resource(", "web::scope(", "cfg.service(", "App::new().service("]
                .iter()
                .map(|needle| text.matches(needle).count())
                .sum::<usize>();
            // The pages for people are mounted in one place too (src/web/mod.rs); each page builds
            // its Caller from the session and the service decides access, as for the API.
            let allowed = if path.ends_with("http/routes.rs") {
                3
            } else if path.ends_with("web/mod.rs") {
                registrations
            } else {
                0
            };
            assert_eq!(registrations, allowed, "{} registers routes outside the table", path.display());
        }
    }
    let mut seen = BTreeSet::new();
    for r in ROUTES {
        assert!(seen.insert((r.method, r.path)), "{} {} is in the table twice", r.method, r.path);
    }
}

/// (b) and (c).
#[test]
fn every_route_answers_every_principal_as_the_table_says() {
    for db in common::all() {
        let options = jifen::http::Options { public_burst: 10_000, ..jifen::http::Options::default() };
        let s = common::spawn_with(&db, options);
        let root = s.base.trim_end_matches("/api/v1").to_string();
        let objects = world(&s);
        let people = principals(&s);
        let mut routes: Vec<&Route> = ROUTES.iter().collect();
        routes.sort_by_key(|r| destructive(r));
        let mut failures = Vec::new();
        for (n, route) in routes.iter().enumerate() {
            let (url, body) = request(route, &objects).unwrap_or_else(|| {
                panic!("{} {} has no request in tests/route_policy.rs: add one", route.method, route.path)
            });
            for (k, p) in people.iter().enumerate() {
                let mut url = format!("{root}{url}");
                if route.method == "DELETE" {
                    // Each principal deregisters a person of its own: one deregistration does
                    // not leave the next caller a 404 of the state rather than of the scope.
                    let code = format!("D3708110001{k:02}");
                    let (st, b) = admin(
                        &s,
                        "POST",
                        "/registrations",
                        json!({"institution_code": A, "personnel_code": code, "name": "赵六",
                            "id_number": common::id_number("19750101", 100 + k as u32), "category": "physician",
                            "registered_on": "2024-01-01"}),
                    );
                    assert_eq!(st, 201, "{b}");
                    url = url.replace(P3, &code);
                }
                let key = format!("policy-{n}-{}", p.name.replace(' ', "-").replace('\'', ""));
                let (st, answer) = match &body {
                    Send::Nothing => call(route.method, &url, p.token.as_deref(), None, &[("Idempotency-Key", &key)]),
                    Send::Json(v) => {
                        call(route.method, &url, p.token.as_deref(), Some(v), &[("Idempotency-Key", &key)])
                    }
                    Send::Raw(ctype, text) => call_raw(route.method, &url, p.token.as_deref(), text.as_bytes(), ctype),
                };
                let want = expected(route, p);
                if got(st) != want {
                    failures.push(format!(
                        "{} {} as {}: {st}, the table says {want}: {answer}",
                        route.method, route.path, p.name
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{}:\n{}", db.backend, failures.join("\n"));

        // (c) Every path asked with a method it does not serve.
        let mut methods: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for r in ROUTES {
            methods.entry(r.path).or_default().push(r.method);
        }
        for (path, allowed) in methods {
            let concrete = path.replace('{', "X").replace('}', "");
            let wrong = if allowed.contains(&"PATCH") { "PUT" } else { "PATCH" };
            let r = ureq::request(wrong, &format!("{root}{concrete}"))
                .set("Authorization", &format!("Bearer {}", s.admin))
                .call();
            let Err(ureq::Error::Status(405, r)) = r else { panic!("{wrong} {path}: not 405") };
            assert_eq!(r.header("allow"), Some(allowed.join(", ").as_str()), "{path}");
        }
    }
}
