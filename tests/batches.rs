//! Bulk training-test results and bulk violations: preview, all-or-nothing commit, partial
//! commit, idempotent re-upload, every rejection reason; both databases.

mod common;

use jifen::service::batches::{BatchOptions, BatchReport};
use jifen::service::institutions::NewInstitution;
use jifen::service::registrations::NewRegistration;
use jifen::service::App;
use jifen::service::Caller;

const INST: &str = "H37081100001";

fn d(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn app(db: &common::TestDb) -> App {
    let app = App::open(&db.url).unwrap();
    seed(&app);
    app
}

/// Two people under 50 (D…01, D…02), one over 50 (D…03), at INST.
fn seed(app: &App) {
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
    for (k, birth) in [(1, "19800101"), (2, "19850101"), (3, "19600101")] {
        app.register(
            &Caller::system(),
            &NewRegistration {
                institution_code: INST.into(),
                personnel_code: format!("D3708110000{k:02}"),
                name: "测试".into(),
                id_number: common::id_number(birth, k),
                category: "physician".into(),
                registered_on: "2023-01-01".into(),
                phone: None,
            },
        )
        .unwrap();
    }
}

fn gbk(text: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(text).0.into_owned()
}

fn tests(app: &App, text: &str, commit: bool, partial: bool) -> BatchReport {
    app.upload_tests(&Caller::system(), std::io::Cursor::new(gbk(text)), BatchOptions { commit, partial }, &mut |_| {})
        .unwrap()
}

fn violations(app: &App, text: &str, commit: bool, partial: bool) -> BatchReport {
    app.upload_violations(
        &Caller::system(),
        std::io::Cursor::new(text.as_bytes().to_vec()),
        BatchOptions { commit, partial },
        &mut |_| {},
    )
    .unwrap()
}

const TESTS: &str = "医保对应代码,姓名,测试日期,测试形式,成绩,是否合格
D370811000001,测试,2024-06-01,闭卷,92,合格
D370811000002,测试,2024-06-01,闭卷,41,不合格
D370811000003,测试,2024-06-01,闭卷,80,合格
D370811999999,无此人,2024-06-01,闭卷,80,合格
D370811000001,测试,2024-09-01,闭卷,88,合格
D370811000001,测试,2024-13-01,闭卷,88,合格
D370811000001,测试,2025-06-01,笔试,88,合格
";

#[test]
fn training_tests_in_bulk() {
    for db in common::all() {
        let app = app(&db);
        let r = tests(&app, TESTS, true, false);
        assert_eq!(r.encoding, "gbk");
        let got: Vec<(u64, &str)> = r.rejected.iter().map(|x| (x.row, x.code)).collect();
        assert_eq!(
            got,
            [(4, "format_contradicts_age"), (5, "unknown_practitioner"), (6, "duplicate_test"), (7, "invalid_date"),],
            "{r:#?}"
        );
        assert!(!r.committed);
        assert_eq!(
            app.status(&Caller::system(), "D370811000002", d("2024-06-02")).unwrap().status.status.as_str(),
            "active",
            "nothing written"
        );

        let r = tests(&app, TESTS, true, true);
        assert!(r.committed);
        // Row 8's 笔试 is how the test was delivered, not its format: 闭卷 follows from the age.
        assert_eq!(r.counts.accepted, 3);
        // 三(三): a fail terminates with a one-year ban.
        let s = app.status(&Caller::system(), "D370811000002", d("2024-06-02")).unwrap().status;
        assert_eq!((s.status.as_str(), s.banned_until), ("terminated", Some(d("2025-06-01"))));
        let notices = app.notices(&Caller::system(), None, Some("D370811000002")).unwrap();
        assert!(
            notices.iter().any(|n| n.kind == "sanction" && n.notice_date == d("2024-06-01")),
            "a written notice of the termination"
        );
        let again = tests(&app, TESTS, true, true);
        assert_eq!((again.counts.accepted, again.counts.unchanged, again.committed), (0, 3, false), "{again:?}");
        assert!(app.verify().unwrap().differences.is_empty());
    }
}

const VIOLATIONS: &str = "检查编号,定点医药机构编码,医保对应代码,扣分情形,检查日期,处理决定日期,违规发生日期,备注
JN2024-001,H37081100001,D370811000001,3.2;1.1,2024-04-01,2024-04-10,2024-03-29,超范围结算
JN2024-001,H37081100001,D370811000002,6.1,2024-04-01,2024-04-10,,拒不配合
JN2024-002,H37081100001,D370811000003,9.9,2024-05-01,2024-05-02,,
JN2024-003,H37081100001,D370811999999,1.1,2024-05-01,2024-05-02,,
JN2024-004,H37081100001,D370811000003,1.1,2024-05-01,2024-05-02,,
JN2024-004,H37081100001,D370811000003,1.2,2024-05-01,2024-05-03,,
";

#[test]
fn violations_in_bulk_grouped_by_inspection() {
    for db in common::all() {
        let app = app(&db);
        let r = violations(&app, VIOLATIONS, false, false);
        let got: Vec<(u64, &str)> = r.rejected.iter().map(|x| (x.row, x.code)).collect();
        assert_eq!(
            got,
            [
                (4, "unknown_item"),
                (5, "unknown_practitioner"),
                (6, "inconsistent_inspection"),
                (7, "inconsistent_inspection")
            ],
            "{r:#?}"
        );
        assert_eq!(r.counts.accepted, 2);
        let r = violations(&app, VIOLATIONS, true, true);
        assert!(r.committed);
        let s = app.status(&Caller::system(), "D370811000001", d("2024-04-10")).unwrap().status;
        assert_eq!(s.cycle_total, 3, "highest item once");
        let s = app.status(&Caller::system(), "D370811000002", d("2024-04-10")).unwrap().status;
        assert_eq!((s.status.as_str(), s.cycle_total), ("suspended", 6));
        // The same file again records nothing; the same reference with other rows is refused.
        let again = violations(&app, VIOLATIONS, true, true);
        assert_eq!((again.counts.accepted, again.counts.unchanged, again.committed), (0, 2, false), "{again:?}");
        let changed = VIOLATIONS.replace("3.2;1.1", "3.3");
        let r = violations(&app, &changed, true, true);
        assert!(r.rejected.iter().any(|x| x.row == 2 && x.code == "idempotency_conflict"), "{r:#?}");
        assert_eq!(app.status(&Caller::system(), "D370811000001", d("2024-04-10")).unwrap().status.cycle_total, 3);
        assert!(app.verify().unwrap().differences.is_empty());
    }
}

#[test]
fn bulk_uploads_over_http_respect_roles_and_counties() {
    let db = common::sqlite();
    let s = common::spawn(&db);
    seed(&s.app);
    let officer_elsewhere = s.app.create_token(jifen::service::tokens::Role::Officer, None, Some("370812")).unwrap();
    let agency = s.app.create_token(jifen::service::tokens::Role::Agency, None, None).unwrap();
    let url = |p: &str| format!("{}{p}", s.base);
    let (st, b) = common::call_raw(
        "POST",
        &url("/inspections/batch?commit=true"),
        Some(&officer_elsewhere),
        VIOLATIONS.as_bytes(),
        "text/csv",
    );
    assert_eq!(st, 200, "{b}");
    assert!(b["rejected"].as_array().unwrap().iter().any(|x| x["code"] == "outside_region"), "{b}");
    assert_eq!(b["committed"], false);
    let (st, _) =
        common::call_raw("POST", &url("/inspections/batch"), Some(&agency), VIOLATIONS.as_bytes(), "text/csv");
    assert_eq!(st, 403, "the agency records no violations");
    let (st, b) = common::call_raw(
        "POST",
        &url("/training-tests/batch?commit=true&partial=true"),
        Some(&agency),
        &gbk(TESTS),
        "text/csv",
    );
    assert_eq!((st, b["counts"]["accepted"].as_u64()), (200, Some(3)), "{b}");
}
