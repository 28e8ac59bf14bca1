//! Roster uploads (附件1) in every encoding, every rejection reason, all-or-nothing commits,
//! partial commits with the rejected rows back as CSV, snapshots, idempotent re-uploads; on
//! SQLite and (with TEST_DATABASE_URL) PostgreSQL.

mod common;

use jifen::service::institutions::NewInstitution;
use jifen::service::rosters::{RosterMode, RosterReport, UploadOptions};
use jifen::service::App;
use jifen::service::Caller;

const INST: &str = "H37081100001";

fn app(db: &common::TestDb) -> App {
    let app = App::open(&db.url).unwrap();
    for code in [INST, "H37081100002"] {
        app.create_institution(
            &Caller::system(),
            &NewInstitution {
                code: code.into(),
                name: "济宁市第一人民医院".into(),
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
    }
    app
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn upload(app: &App, inst: &str, bytes: Vec<u8>, mode: RosterMode, commit: bool, partial: bool) -> RosterReport {
    try_upload(app, inst, bytes, mode, UploadOptions { mode, commit, partial, confirm_deregister: None }).unwrap()
}

fn try_upload(
    app: &App,
    inst: &str,
    bytes: Vec<u8>,
    mode: RosterMode,
    opts: UploadOptions,
) -> Result<RosterReport, jifen::error::Error> {
    let opts = UploadOptions { mode, ..opts };
    app.upload_roster(&Caller::system(), inst, std::io::Cursor::new(bytes), opts, &mut |_| {})
}

/// A commit refused as a whole: the error's code and the report it carries.
fn refused(app: &App, inst: &str, bytes: Vec<u8>, opts: UploadOptions) -> (&'static str, serde_json::Value) {
    match try_upload(app, inst, bytes, opts.mode, opts) {
        Err(jifen::error::Error::Client(c)) => (c.code, c.report.map(|r| *r).unwrap_or_default()),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn status(app: &App, code: &str) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
    app.status(&Caller::system(), code, d)
        .map(|s| s.status.status.as_str().to_string())
        .unwrap_or_else(|e| format!("{e}"))
}

#[test]
fn every_encoding_previews_then_commits_once() {
    for db in common::all() {
        for (k, (file, encoding)) in [
            ("roster_utf8.csv", "utf-8"),
            ("roster_utf8_bom.csv", "utf-8-bom"),
            ("roster_gbk.csv", "gbk"),
            ("roster_utf16.txt", "utf-16le"),
        ]
        .into_iter()
        .enumerate()
        {
            // Each file into a fresh ledger; the first on every backend.
            let sqlite = common::sqlite();
            let fresh = if k == 0 { app(&db) } else { app(&sqlite) };
            let preview = upload(&fresh, INST, fixture(file), RosterMode::Delta, false, false);
            assert_eq!(preview.encoding, encoding, "{file}");
            assert_eq!(
                (preview.counts.added, preview.counts.rejected, preview.committed),
                (3, 0, false),
                "{file}: {preview:?}"
            );
            assert_eq!(preview.added[0].name, "张三", "{file}: decoded");
            assert!(status(&fresh, "D370811100001").contains("not found"), "a preview writes nothing");
            let done = upload(&fresh, INST, fixture(file), RosterMode::Delta, true, false);
            assert!(done.committed, "{file}");
            assert_eq!(status(&fresh, "D370811100001"), "active");
            assert_eq!(status(&fresh, "HY370811100003"), "active");
            let again = upload(&fresh, INST, fixture(file), RosterMode::Delta, true, false);
            assert_eq!(
                (again.counts.unchanged, again.counts.added, again.committed),
                (3, 0, false),
                "{file}: {again:?}"
            );
            assert!(fresh.verify().unwrap().differences.is_empty());
        }
    }
}

#[test]
fn english_headers_in_any_order_and_unknown_columns_reported() {
    let app = app(&common::sqlite());
    let r = upload(&app, INST, fixture("roster_english.csv"), RosterMode::Delta, true, false);
    assert_eq!((r.counts.added, r.counts.rejected), (3, 0), "{r:?}");
    assert_eq!(r.unknown_columns, ["工号"]);
    assert!(r.committed);
}

#[test]
fn each_bad_row_is_rejected_with_its_reason_and_nothing_is_written() {
    for db in common::all() {
        let app = app(&db);
        let r = upload(&app, INST, fixture("roster_bad.csv"), RosterMode::Delta, false, false);
        assert!(!r.committed);
        let all_or_nothing =
            UploadOptions { mode: RosterMode::Delta, commit: true, partial: false, confirm_deregister: None };
        let (code, report) = refused(&app, INST, fixture("roster_bad.csv"), all_or_nothing);
        assert_eq!((code, report["counts"]["rejected"].as_u64()), ("commit_refused", Some(7)), "{report}");
        let got: Vec<(u64, &str, Option<&str>)> =
            r.rejected.iter().map(|x| (x.row, x.code, x.column.as_deref())).collect();
        assert_eq!(
            got,
            [
                (2, "invalid_id_number", Some("身份证号码")),
                (3, "invalid_id_number", Some("身份证号码")),
                (4, "invalid_personnel_code", Some("医保对应代码")),
                (5, "invalid_category", Some("医保支付资格类别")),
                (6, "invalid_date", Some("注册时间")),
                (8, "duplicate_in_file", Some("医保对应代码")),
                (9, "missing_field", Some("姓名")),
            ],
            "{r:#?}"
        );
        assert!(r.rejected[1].reason.contains("birth date"), "{:?}", r.rejected[1]);
        assert!(r.rejected.iter().all(|x| !x.reason_zh.is_empty()));
        assert!(status(&app, "D370811200010").contains("not found"), "all or nothing");

        // partial=true writes the good rows and hands back the others as CSV.
        let r = upload(&app, INST, fixture("roster_bad.csv"), RosterMode::Delta, true, true);
        assert!(r.committed);
        // A wrong phone number is a warning on its row, never a rejection (issue 10).
        assert_eq!(r.counts.added, 3, "{r:?}");
        let warned: Vec<(u64, &str)> = r.warnings.iter().map(|w| (w.row, w.code)).collect();
        assert_eq!(warned, [(10, "invalid_phone")]);
        assert_eq!(status(&app, "D370811200010"), "active");
        let back = r.rejected_csv.expect("rejected rows as CSV");
        let mut rd = csv::Reader::from_reader(back.as_bytes());
        let head = rd.headers().unwrap().clone();
        assert_eq!(head.iter().next_back(), Some("错误原因"));
        let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 7);
        assert!(rows[0].iter().next_back().unwrap().contains("校验码"), "{:?}", rows[0]);
        // Fixing a row and uploading the returned file again adds it.
        let fixed = back.replace("厨师", "医保医师");
        let r = upload(&app, INST, fixed.into_bytes(), RosterMode::Delta, true, true);
        assert_eq!(r.counts.added, 1, "{r:?}");
        assert!(app.verify().unwrap().differences.is_empty());
    }
}

#[test]
fn a_bad_last_row_of_a_large_file_stops_the_whole_commit() {
    let app = app(&common::sqlite());
    let mut text = String::from("姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间\n");
    for k in 0..3000u32 {
        text.push_str(&format!(
            "人员{k},{},医保医师,D370811{:06},2020-01-01\n",
            common::id_number(&format!("198{}0101", k / 1000), k),
            300000 + k
        ));
    }
    text.push_str("坏行,370811198001010000,医保医师,D370811999999,2020-01-01\n");
    let opts = UploadOptions { mode: RosterMode::Delta, commit: true, partial: false, confirm_deregister: None };
    let (code, r) = refused(&app, INST, text.into_bytes(), opts);
    assert_eq!(code, "commit_refused");
    let n = |k: &str| r["counts"][k].as_u64();
    assert_eq!(
        (r["rows"].as_u64(), n("added"), n("rejected"), r["committed"].as_bool()),
        (Some(3001), Some(3000), Some(1), Some(false))
    );
    assert_eq!(r["rejected"][0]["row"], 3002);
    assert!(status(&app, "D370811300000").contains("not found"));
}

#[test]
fn snapshot_deregisters_who_is_missing_and_delta_applies_operations() {
    for db in common::all() {
        let app = app(&db);
        upload(&app, INST, fixture("roster_utf8.csv"), RosterMode::Delta, true, false);
        let two: String =
            String::from_utf8(fixture("roster_utf8.csv")).unwrap().lines().take(3).collect::<Vec<_>>().join("\n");
        let preview = upload(&app, INST, two.clone().into_bytes(), RosterMode::Snapshot, false, false);
        let out: Vec<&str> = preview.deregistered.iter().map(|d| d.personnel_code.as_str()).collect();
        assert_eq!(out, ["HY370811100003"], "listed in the preview first");
        assert_eq!(status(&app, "HY370811100003"), "active");
        assert_eq!(preview.confirmation_required, Some(1), "1 of 3 is more than a fifth");
        let snapshot =
            UploadOptions { mode: RosterMode::Snapshot, commit: true, partial: false, confirm_deregister: None };
        let (code, _) = refused(&app, INST, two.clone().into_bytes(), snapshot);
        assert_eq!(code, "confirmation_required");
        let confirmed = UploadOptions { confirm_deregister: Some(1), ..snapshot };
        let done = try_upload(&app, INST, two.into_bytes(), RosterMode::Snapshot, confirmed).unwrap();
        assert!(done.committed);
        let today = jifen::domain::dates::today_china();
        let s = app.status(&Caller::system(), "HY370811100003", today).unwrap();
        assert_eq!(s.status.status.as_str(), "unregistered");

        // 变更 and 注销 rows.
        let ops = "姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间,联系电话,操作,注销时间\n\
                   张三,"
            .to_string()
            + &app_id(&app, "D370811100001")
            + ",医保医师,D370811100001,2015-07-01,13999999999,变更,\n李四,"
            + &app_id(&app, "N370811100002")
            + ",医保护士,N370811100002,2012-09-01,,注销,2024-09-01\n";
        let r = upload(&app, INST, ops.into_bytes(), RosterMode::Delta, true, false);
        assert_eq!((r.counts.changed, r.counts.deregistered, r.counts.rejected), (1, 1, 0), "{r:?}");
        assert!(r.changed[0].fields.contains(&"联系电话"), "{r:?}");
        let d = |s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            app.status(&Caller::system(), "N370811100002", d("2024-08-31")).unwrap().status.status.as_str(),
            "active"
        );
        assert_eq!(
            app.status(&Caller::system(), "N370811100002", d("2024-09-01")).unwrap().status.status.as_str(),
            "unregistered"
        );
        assert!(app.verify().unwrap().differences.is_empty());
    }
}

fn app_id(app: &App, code: &str) -> String {
    let mut c = app.conn().unwrap();
    jifen::store::facts::practitioner(&mut c, code).unwrap().unwrap().id_number
}

#[test]
fn a_code_held_by_another_id_and_a_banned_person_are_reported() {
    let app = app(&common::sqlite());
    upload(&app, INST, fixture("roster_utf8.csv"), RosterMode::Delta, true, false);
    let other = common::id_number("19700101", 77);
    let text = format!(
        "姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间\n冒用,{other},医保医师,D370811100001,2020-01-01\n"
    );
    let r = upload(&app, "H37081100002", text.into_bytes(), RosterMode::Delta, false, false);
    assert_eq!(r.rejected.iter().map(|x| x.code).collect::<Vec<_>>(), ["code_held_by_another"]);

    // 张三 is terminated (12 points) on 2024-04-01, then filed at a second site during the ban.
    app.record_inspection(
        &Caller::system(),
        Some("ban"),
        &serde_json::from_value(serde_json::json!({"institution_code": INST, "inspected_on": "2024-04-01",
            "decided_on": "2024-04-01", "violations": [{"personnel_code": "D370811100001", "items": ["12.5"]}]}))
        .unwrap(),
    )
    .unwrap();
    let text = format!(
        "姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间,备案时间\n张三,{},医保医师,D370811100001,2015-07-01,2024-06-01\n",
        app_id(&app, "D370811100001")
    );
    let r = upload(&app, "H37081100002", text.into_bytes(), RosterMode::Delta, true, false);
    assert_eq!(r.counts.added, 1);
    assert_eq!(r.added[0].banned_until, chrono::NaiveDate::from_ymd_opt(2025, 4, 1), "{r:?}");
    let s =
        app.status(&Caller::system(), "D370811100001", chrono::NaiveDate::from_ymd_opt(2024, 7, 1).unwrap()).unwrap();
    let site = s.status.sites.iter().find(|x| x.institution_code == "H37081100002").unwrap();
    assert_eq!(site.status.as_str(), "banned");
}

#[test]
fn the_http_upload_of_a_gbk_file() {
    let db = common::sqlite();
    let s = common::spawn(&db);
    let (st, _) = common::call(
        "POST",
        &format!("{}/institutions", s.base),
        Some(&s.admin),
        Some(
            &serde_json::json!({"code": INST, "name": "医院", "kind": "medical", "agreement_start": "2020-01-01", "agreement_end": "2030-01-01"}),
        ),
        &[],
    );
    assert_eq!(st, 201);
    let hr = s.app.create_token(jifen::service::tokens::Role::Hr, Some(INST), None).unwrap();
    let other_hr = s.app.create_token(jifen::service::tokens::Role::Hr, Some("H37081100009"), None).unwrap();
    let url = format!("{}/rosters/{INST}?mode=delta&commit=false", s.base);
    let (st, b) = common::call_raw("POST", &url, Some(&other_hr), &fixture("roster_gbk.csv"), "text/csv");
    assert_eq!(st, 404, "another institution's HR: {b}");
    let (st, b) = common::call_raw("POST", &url, Some(&hr), &fixture("roster_gbk.csv"), "text/csv");
    assert_eq!((st, b["counts"]["added"].as_u64(), b["encoding"].as_str()), (200, Some(3), Some("gbk")), "{b}");
    let (st, b) = common::call_raw(
        "POST",
        &url.replace("commit=false", "commit=true"),
        Some(&hr),
        &fixture("roster_gbk.csv"),
        "text/csv",
    );
    assert_eq!((st, b["committed"].as_bool()), (200, Some(true)), "{b}");
    let (st, b) = common::call_raw("POST", &url.replace("commit=false", "commit=maybe"), Some(&hr), b"x", "text/csv");
    assert_eq!((st, b["error"]["code"].as_str()), (422, Some("invalid_query")), "{b}");
    let (st, b) = common::call_raw("POST", &url, Some(&hr), "姓名,身份证号码\n".as_bytes(), "text/csv");
    assert_eq!((st, b["error"]["code"].as_str()), (422, Some("missing_column")), "{b}");
}

#[test]
fn exports_open_in_excel() {
    let db = common::sqlite();
    let s = common::spawn(&db);
    let app = &s.app;
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
    upload(app, INST, fixture("roster_gbk.csv"), RosterMode::Delta, true, false);
    app.record_inspection(
        &Caller::system(),
        Some("susp"),
        &serde_json::from_value(serde_json::json!({"institution_code": INST, "inspected_on": "2024-05-01",
            "decided_on": "2024-05-01", "violations": [{"personnel_code": "N370811100002", "items": ["6.1"]}]}))
        .unwrap(),
    )
    .unwrap();
    let get = |path: &str| {
        let r = ureq::get(&format!("{}{path}", s.base))
            .set("Authorization", &format!("Bearer {}", s.admin))
            .call()
            .unwrap();
        let ctype = r.header("content-type").unwrap_or("").to_string();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut r.into_reader(), &mut bytes).unwrap();
        (ctype, bytes)
    };
    let (ctype, bytes) = get(&format!("/institutions/{INST}/roster.csv?date=2024-06-01&encoding=gbk"));
    assert!(ctype.contains("gbk"));
    let text = encoding_rs::GBK.decode(&bytes).0.into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("姓名,身份证号码"), "{text}");
    assert_eq!(lines.len(), 4, "{text}");
    let nurse = lines.iter().find(|l| l.contains("N370811100002")).unwrap();
    assert!(nurse.contains("suspended") && nurse.contains(",6,6,2024-08-01,"), "{nurse}");
    let (_, bytes) = get("/exports/status-list.csv?date=2024-06-01");
    assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF], "UTF-8 with BOM for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.contains("N370811100002,李*,370811********") && text.contains("中止,2024-05-01,2024-08-01,五(一)"),
        "{text}"
    );
}
