//! Training-test files as test centres make them (issue 11): the name and ID number compared
//! with the person, the result compared with the score under the year's pass mark, no dates
//! after today, one bad row never refusing the file, and a wrong test corrected by revoking it.
//! Both databases, through the service and HTTP.

mod common;
mod web_support;

use jifen::service::batches::{BatchOptions, BatchReport};
use jifen::service::institutions::NewInstitution;
use jifen::service::registrations::NewRegistration;
use jifen::service::training_tests::SetPassMark;
use jifen::service::{App, Caller};

const INST: &str = "H37081100001";

fn app(db: &common::TestDb) -> App {
    let app = App::open(&db.url).unwrap();
    app_on(&app);
    app
}

/// The institution and its three staff (张一, 王二, 李三), on an open app.
fn app_on(app: &App) {
    app.create_institution(
        &Caller::system(),
        &NewInstitution {
            code: INST.into(),
            name: "医院".into(),
            kind: "medical".into(),
            region_code: None,
            agreement_start: "2020-01-01".into(),
            agreement_end: "2030-12-31".into(),
            public: None,
            organization_code: None,
            legal_representative: None,
        },
    )
    .unwrap();
    for (k, name) in [(1, "张一"), (2, "王二"), (3, "李三")] {
        app.register(
            &Caller::system(),
            &NewRegistration {
                institution_code: INST.into(),
                personnel_code: format!("D3708110000{k:02}"),
                name: name.into(),
                id_number: common::id_number("19850101", k),
                category: "physician".into(),
                registered_on: "2023-01-01".into(),
                phone: None,
            },
        )
        .unwrap();
    }
}

fn upload(app: &App, text: &str, commit: bool, partial: bool) -> BatchReport {
    app.upload_tests(
        &Caller::system(),
        std::io::Cursor::new(text.as_bytes().to_vec()),
        BatchOptions { commit, partial },
        &mut |_| {},
    )
    .unwrap()
}

fn status(app: &App, code: &str, on: &str) -> String {
    let d = chrono::NaiveDate::parse_from_str(on, "%Y-%m-%d").unwrap();
    app.status(&Caller::system(), code, d).unwrap().status.status.as_str().to_string()
}

fn codes(r: &BatchReport) -> Vec<(u64, &str)> {
    r.rejected.iter().map(|x| (x.row, x.code)).collect()
}

/// The test centre's own wording: 医保医师代码, 身份证号, 考试日期, 考试方式, 成绩（分）, 考试结果.
#[test]
fn a_test_centre_file_is_read_as_it_comes() {
    for db in common::all() {
        let app = app(&db);
        let id2 = common::id_number("19850101", 2);
        let text = format!(
            "医保医师代码,身份证号,姓名,考试日期,考试方式,成绩（分）,考试结果\n\
             D370811000001,,张一,2024-06-01,线上,85.5,合格\n\
             ,{id2},王二,2024-06-01,机考,85分,合格\n\
             D370811000003,,李三,,笔试,70,合格\n\
             D370811000003,,李三,2024-06-02,线下,70,合格\n"
        );
        let r = upload(&app, &text, true, true);
        assert_eq!(codes(&r), [(4, "missing_field")], "{} {r:?}", db.backend);
        assert_eq!(r.rejected[0].reason_zh, "测试日期不能为空");
        let back = r.rejected_csv.as_deref().unwrap_or("");
        assert!(back.contains("测试日期不能为空") && back.contains("李三"), "in the file to fix too: {back}");
        assert_eq!(r.counts.accepted, 3, "{} {r:?}", db.backend);
        let who: Vec<&str> = r.accepted.iter().map(|a| a.personnel_code.as_str()).collect();
        assert_eq!(who, ["D370811000001", "D370811000002", "D370811000003"], "王二 matched by ID number");
        assert_eq!(r.pass_marks.get(&2024), Some(&60), "the pass mark is shown in the preview");
    }
}

#[test]
fn a_name_or_id_that_is_not_the_codes_holder_terminates_nobody() {
    for db in common::all() {
        let app = app(&db);
        let other_id = common::id_number("19850101", 9);
        let text = format!(
            "医保对应代码,身份证号码,姓名,测试日期,成绩,是否合格\n\
             D370811000001,,王二,2024-06-01,30,不合格\n\
             D370811000003,{other_id},李三,2024-06-01,30,不合格\n"
        );
        let r = upload(&app, &text, true, true);
        assert_eq!(codes(&r), [(2, "name_mismatch"), (3, "id_number_mismatch")], "{} {r:?}", db.backend);
        assert!(r.rejected[0].reason_zh.contains("王二") && r.rejected[0].reason_zh.contains("张一"));
        assert_eq!(status(&app, "D370811000001", "2024-07-01"), "active", "{}", db.backend);
        assert_eq!(status(&app, "D370811000003", "2024-07-01"), "active", "{}", db.backend);
    }
}

#[test]
fn a_result_that_contradicts_its_score_is_refused_under_the_years_pass_mark() {
    for db in common::all() {
        let app = app(&db);
        let text = "医保对应代码,姓名,测试日期,成绩,是否合格\n\
                    D370811000001,张一,2024-06-01,92,不合格\n\
                    D370811000002,王二,2024-06-01,45,合格\n";
        let r = upload(&app, text, false, false);
        assert_eq!(
            codes(&r),
            [(2, "result_contradicts_score"), (3, "result_contradicts_score")],
            "{} {r:?}",
            db.backend
        );
        assert!(r.rejected[1].reason_zh.contains("合格分数线60分"), "{:?}", r.rejected[1]);
        // The agency sets 2024's mark at 40: 45 passes, 92 still does not fail.
        let set = app.set_pass_mark(&Caller::system(), &SetPassMark { year: 2024, mark: 40 }).unwrap();
        assert!(set.set_by_agency);
        let r = upload(&app, text, true, true);
        assert_eq!(codes(&r), [(2, "result_contradicts_score")], "{} {r:?}", db.backend);
        assert_eq!(r.pass_marks.get(&2024), Some(&40));
        assert_eq!(status(&app, "D370811000001", "2024-07-01"), "active", "{}", db.backend);
        assert!(app.verify().unwrap().differences.is_empty(), "the pass mark is audited ({})", db.backend);
    }
}

#[test]
fn a_future_date_or_one_before_every_pack_is_that_rows_rejection() {
    for db in common::all() {
        let app = app(&db);
        let tomorrow = jifen::domain::dates::today_china().succ_opt().unwrap();
        let text = format!(
            "医保对应代码,姓名,测试日期,成绩,是否合格\n\
             D370811000001,张一,{tomorrow},90,合格\n\
             D370811000002,王二,2019-06-01,90,合格\n\
             D370811000003,李三,2024-06-01,90,合格\n"
        );
        let r = upload(&app, &text, true, true);
        // 七: a test sat before the notice came into force (2024-03-29) is not its test.
        assert_eq!(codes(&r), [(2, "future_date"), (3, "not_retroactive")], "{} {r:?}", db.backend);
        assert_eq!(r.counts.accepted, 1, "{} the file is not refused whole", db.backend);
    }
}

#[test]
fn a_failed_test_recorded_wrongly_is_revoked_and_the_right_result_recorded() {
    for db in common::all() {
        let s = common::spawn(&db);
        let app = &s.app;
        let _ = app.create_institution(
            &Caller::system(),
            &NewInstitution {
                code: INST.into(),
                name: "医院".into(),
                kind: "medical".into(),
                region_code: None,
                agreement_start: "2020-01-01".into(),
                agreement_end: "2030-12-31".into(),
                public: None,
                organization_code: None,
                legal_representative: None,
            },
        );
        app.register(
            &Caller::system(),
            &NewRegistration {
                institution_code: INST.into(),
                personnel_code: "D370811000001".into(),
                name: "张一".into(),
                id_number: common::id_number("19850101", 1),
                category: "physician".into(),
                registered_on: "2023-01-01".into(),
                phone: None,
            },
        )
        .unwrap();
        let url = |p: &str| format!("{}{p}", s.base);
        let (st, t) = common::call(
            "POST",
            &url("/training-tests"),
            Some(&s.admin),
            Some(&serde_json::json!({"personnel_code": "D370811000001", "tested_on": "2024-06-01",
                "format": "closed", "score": 30, "passed": false})),
            &[],
        );
        assert_eq!(st, 201, "{} {t}", db.backend);
        assert_eq!(status(app, "D370811000001", "2024-07-01"), "terminated");
        // The right result cannot be recorded over it …
        let right = serde_json::json!({"personnel_code": "D370811000001", "tested_on": "2024-06-01",
            "format": "closed", "score": 80, "passed": true});
        let (st, _) = common::call("POST", &url("/training-tests"), Some(&s.admin), Some(&right), &[]);
        assert_eq!(st, 409, "{}", db.backend);
        // … until the wrong one is revoked, by the agency only.
        let hr = app.create_token(jifen::service::tokens::Role::Hr, Some(INST), None).unwrap();
        let revoke = serde_json::json!({"on": "2024-06-10", "reason": "成绩录入错误"});
        let path = format!("/training-tests/{}/revoke", t["id"]);
        let (st, _) = common::call("POST", &url(&path), Some(&hr), Some(&revoke), &[]);
        assert_eq!(st, 403, "{}", db.backend);
        let (st, b) = common::call("POST", &url(&path), Some(&s.admin), Some(&revoke), &[]);
        assert_eq!(st, 200, "{} {b}", db.backend);
        assert_eq!(b["withdrawn_sanctions"].as_array().map(Vec::len), Some(1), "{b}");
        let (st, _) = common::call("POST", &url(&path), Some(&s.admin), Some(&revoke), &[]);
        assert_eq!(st, 409, "revoked once ({})", db.backend);
        for day in ["2024-06-01", "2024-07-01", "2025-05-31"] {
            assert_eq!(status(app, "D370811000001", day), "active", "{} {day}", db.backend);
        }
        let (st, b) = common::call("POST", &url("/training-tests"), Some(&s.admin), Some(&right), &[]);
        assert_eq!(st, 201, "{} {b}", db.backend);
        // The history is kept: both tests, and the written notice of the revocation.
        let notices = app.notices(&Caller::system(), None, Some("D370811000001")).unwrap();
        assert!(notices.iter().any(|n| n.kind == "test_revocation"), "{}", db.backend);
        assert!(app.verify().unwrap().differences.is_empty(), "{}", db.backend);
        // The pass mark over HTTP: agency sets it; everyone with a token reads it.
        let (st, b) = common::call(
            "POST",
            &url("/training-tests/pass-marks"),
            Some(&s.admin),
            Some(&serde_json::json!({"year": 2025, "mark": 70})),
            &[],
        );
        assert_eq!((st, b["mark"].as_u64()), (201, Some(70)), "{b}");
        let (st, b) = common::call("GET", &url("/training-tests/pass-marks?year=2025"), Some(&hr), None, &[]);
        assert_eq!((st, b["mark"].as_u64(), b["set_by_agency"].as_bool()), (200, Some(70), Some(true)), "{b}");
    }
}

/// 三(三) 缺考: a file's 缺考 row is recorded as an absence — not a pass, not a fail, the year
/// still to be sat — and shown with the person's tests; 免考 is refused (no exemption in the
/// notice). Over HTTP, and on the person's page.
#[test]
fn san_san_an_absence_is_recorded_and_never_a_pass() {
    for db in common::all() {
        let s = common::spawn(&db);
        let app = &s.app;
        app_on(app);
        let text = "医保对应代码,姓名,测试日期,成绩,是否合格\n\
                    D370811000001,张一,2024-10-12,缺考,缺考\n\
                    D370811000002,王二,2024-10-12,,免考\n\
                    D370811000003,李三,2024-10-12,90,合格\n";
        let r = upload(app, text, true, true);
        assert_eq!(codes(&r), [(3, "exemption_not_recorded")], "{} {r:?}", db.backend);
        assert_eq!(r.counts.accepted, 2, "{r:?}");
        assert_eq!(upload(app, text, true, true).counts.unchanged, 2, "the same file twice changes nothing");
        assert_eq!(status(app, "D370811000001", "2024-10-12"), "active", "an absence terminates nobody");
        let get = |path: &str| common::call("GET", &format!("{}{path}", s.base), Some(&s.admin), None, &[]);
        let (st, rec) = get("/practitioners/D370811000001/training-tests");
        assert_eq!(st, 200, "{rec}");
        let year = &rec["years"][0];
        assert_eq!((year["year"].as_i64(), year["result"].as_str()), (Some(2024), Some("absent")), "{rec}");
        assert!(year["explanation"].as_str().unwrap().contains("不视为合格"), "{rec}");
        // The year is still to be sat: the make-up test is accepted without a re-sit flag.
        let post = |path: &str, body: serde_json::Value| {
            common::call("POST", &format!("{}{path}", s.base), Some(&s.admin), Some(&body), &[])
        };
        let (st, b) = post(
            "/training-tests",
            serde_json::json!({"personnel_code": "D370811000001", "tested_on": "2024-11-20", "format": "closed", "score": 80, "passed": true}),
        );
        assert_eq!(st, 201, "{b}");
        let (_, rec) = get("/practitioners/D370811000001/training-tests");
        assert_eq!(rec["years"][0]["result"], "passed", "{rec}");
        // An absence after the year's test contradicts it.
        let (st, b) = post(
            "/training-tests/absences",
            serde_json::json!({"personnel_code": "D370811000003", "absent_on": "2024-11-20"}),
        );
        assert_eq!((st, b["error"]["code"].as_str()), (409, Some("already_tested")), "{b}");
        let (st, b) = post(
            "/training-tests/absences",
            serde_json::json!({"personnel_code": "D370811000002", "absent_on": "2024-03-28"}),
        );
        assert_eq!((st, b["error"]["code"].as_str()), (422, Some("not_retroactive")), "{b}");
        let (st, _) = post(
            "/training-tests/absences",
            serde_json::json!({"personnel_code": "D370811000002", "absent_on": "2024-10-12", "reason": "病假"}),
        );
        assert_eq!(st, 201);
        assert!(app.verify().unwrap().differences.is_empty() && app.unaudited_facts().unwrap().is_empty());
        // HR sees it on the person's page.
        web_support::account(app, "hr", "hr", Some(INST));
        let root = s.base.trim_end_matches("/api/v1").to_string();
        let mut c = web_support::Client::new(&root);
        assert_eq!(c.login("hr", web_support::PASSWORD).status, 303);
        let page = c.get("/practitioners/D370811000002?date=2024-12-31");
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("缺考（不视为合格）") && page.body.contains("病假"), "{}", page.body);
    }
}

/// 三(三) 原则上每年1次: a second test in a year is refused, unless an admin records it as a
/// re-sit with its reason (kept on the test and in the audit trail).
#[test]
fn san_san_a_retake_is_recorded_by_an_admin_with_its_reason() {
    for db in common::all() {
        let s = common::spawn(&db);
        let app = &s.app;
        app_on(app);
        let agency = app.create_token(jifen::service::tokens::Role::Agency, None, None).unwrap();
        let post = |token: &str, body: serde_json::Value| {
            common::call("POST", &format!("{}/training-tests", s.base), Some(token), Some(&body), &[])
        };
        let test = |on: &str, retake: Option<&str>| {
            serde_json::json!({"personnel_code": "D370811000001", "tested_on": on, "format": "closed", "score": 90,
                "passed": true, "retake": retake.is_some(), "retake_reason": retake})
        };
        assert_eq!(post(&agency, test("2024-10-12", None)).0, 201);
        let (st, b) = post(&agency, test("2024-11-20", None));
        assert_eq!((st, b["error"]["code"].as_str()), (409, Some("duplicate_test")), "{b}");
        let (st, _) = post(&agency, test("2024-11-20", Some("上级要求全员重测")));
        assert_eq!(st, 403, "a re-sit is recorded by an admin");
        let (st, b) = post(&s.admin, test("2024-11-20", Some("  ")));
        assert_eq!((st, b["error"]["field"].as_str()), (422, Some("retake_reason")), "{b}");
        let (st, b) = post(&s.admin, test("2024-11-20", Some("上级要求全员重测")));
        assert_eq!((st, b["retake_reason"].as_str()), (201, Some("上级要求全员重测")), "{b}");
        let (_, rec) = common::call(
            "GET",
            &format!("{}/practitioners/D370811000001/training-tests", s.base),
            Some(&s.admin),
            None,
            &[],
        );
        let tests = rec["years"][0]["tests"].as_array().unwrap();
        assert_eq!(tests.len(), 2, "{rec}");
        assert_eq!(tests[1]["retake_reason"], "上级要求全员重测");
        let trail = app.audit(&Caller::system(), "D370811000001").unwrap();
        assert!(
            trail
                .iter()
                .any(|e| e.role == "admin" && e.facts.split(' ').any(|f| f == format!("training_tests:{}", b["id"]))),
            "the re-sit's audit row names the admin"
        );
    }
}
