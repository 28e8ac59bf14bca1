//! A roster never deregisters someone who still works there, a returning staff member can be
//! registered again, and a commit that writes nothing says so (issue 10's defects), on SQLite and
//! (with TEST_DATABASE_URL) PostgreSQL, through the service and through HTTP.

mod common;

use jifen::error::Error;
use jifen::service::institutions::NewInstitution;
use jifen::service::rosters::{RosterMode, RosterReport, UploadOptions};
use jifen::service::{App, Caller};

const INST: &str = "H37081100001";
const HEADER: &str = "姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间,备案时间,操作,注销时间\n";

fn app(db: &common::TestDb) -> App {
    let app = App::open(&db.url).unwrap();
    app.create_institution(
        &Caller::system(),
        &NewInstitution {
            code: INST.into(),
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
    app
}

fn opts(mode: RosterMode, commit: bool, partial: bool, confirm: Option<usize>) -> UploadOptions {
    UploadOptions { mode, commit, partial, confirm_deregister: confirm }
}

fn upload(app: &App, text: &str, o: UploadOptions) -> Result<RosterReport, Error> {
    app.upload_roster(&Caller::system(), INST, std::io::Cursor::new(text.as_bytes().to_vec()), o, &mut |_| {})
}

/// Ten staff: 张0 … 张9, codes D370811500000 … 09.
fn staff() -> Vec<(String, String, String)> {
    (0..10u32)
        .map(|k| (format!("张{k}"), common::id_number("19800101", 500 + k), format!("D370811{:06}", 500000 + k)))
        .collect()
}

fn file(rows: &[(String, String, String)]) -> String {
    let mut s = HEADER.to_string();
    for (name, id, code) in rows {
        s.push_str(&format!("{name},{id},医保医师,{code},2015-07-01,2024-01-01,,\n"));
    }
    s
}

fn status(app: &App, code: &str, on: &str) -> String {
    let d = chrono::NaiveDate::parse_from_str(on, "%Y-%m-%d").unwrap();
    app.status(&Caller::system(), code, d).map(|s| s.status.status.as_str().to_string()).unwrap_or_default()
}

fn today() -> String {
    jifen::domain::dates::today_china().to_string()
}

#[test]
fn a_snapshot_with_rejected_rows_never_deregisters_the_people_on_them() {
    for db in common::all() {
        let app = app(&db);
        let people = staff();
        upload(&app, &file(&people), opts(RosterMode::Delta, true, false, None)).unwrap();
        // 张3's ID was damaged by Excel and 张4's category is unusual; both still work here.
        // 张9 has left: the file no longer lists them.
        let mut text = HEADER.to_string();
        for (k, (name, id, code)) in people.iter().enumerate().take(9) {
            let (id, category) = match k {
                3 => ("3.70811E+17".to_string(), "医保医师"),
                4 => (id.clone(), "主治医师"),
                _ => (id.clone(), "医保医师"),
            };
            text.push_str(&format!("{name},{id},{category},{code},2015-07-01,2024-01-01,,\n"));
        }
        let preview = upload(&app, &text, opts(RosterMode::Snapshot, false, false, None)).unwrap();
        let leaving: Vec<(&str, &str)> =
            preview.deregistered.iter().map(|r| (r.personnel_code.as_str(), r.name.as_str())).collect();
        assert_eq!(leaving, [("D370811500009", "张9")], "{} {preview:?}", db.backend);
        assert_eq!(preview.counts.rejected, 2, "{}", db.backend);
        assert_eq!(preview.confirmation_required, None, "1 of 10 needs no confirmation ({})", db.backend);
        let done = upload(&app, &text, opts(RosterMode::Snapshot, true, true, None)).unwrap();
        assert!(done.committed, "{}", db.backend);
        for code in ["D370811500003", "D370811500004", "D370811500000"] {
            assert_eq!(status(&app, code, &today()), "active", "{} {code}", db.backend);
        }
        assert_eq!(status(&app, "D370811500009", &today()), "unregistered", "{}", db.backend);
        assert!(app.verify().unwrap().differences.is_empty(), "{}", db.backend);
    }
}

#[test]
fn a_snapshot_that_empties_the_roster_waits_for_the_count() {
    for db in common::all() {
        let app = app(&db);
        let people = staff();
        upload(&app, &file(&people), opts(RosterMode::Delta, true, false, None)).unwrap();
        let preview = upload(&app, HEADER, opts(RosterMode::Snapshot, false, false, None)).unwrap();
        assert_eq!(preview.confirmation_required, Some(10), "{}", db.backend);
        for wrong in [None, Some(9)] {
            match upload(&app, HEADER, opts(RosterMode::Snapshot, true, false, wrong)) {
                Err(Error::Client(c)) => {
                    assert_eq!(c.code, "confirmation_required", "{}", db.backend);
                    assert!(c.message_zh.contains("10") && c.message_zh.contains("张0"), "{}", c.message_zh);
                }
                other => panic!("{}: {other:?}", db.backend),
            }
            assert_eq!(status(&app, "D370811500000", &today()), "active", "nothing written ({})", db.backend);
        }
        let done = upload(&app, HEADER, opts(RosterMode::Snapshot, true, false, Some(10))).unwrap();
        assert_eq!(done.counts.deregistered, 10, "{}", db.backend);
        assert_eq!(status(&app, "D370811500000", &today()), "unregistered", "{}", db.backend);
    }
}

#[test]
fn a_returning_staff_member_is_registered_again_from_the_day_the_old_registration_ended() {
    for db in common::all() {
        let app = app(&db);
        let people = staff();
        let (name, id, code) = &people[0];
        upload(&app, &file(&people[..1]), opts(RosterMode::Delta, true, false, None)).unwrap();
        let leave = format!("{HEADER}{name},{id},医保医师,{code},2015-07-01,2024-01-01,注销,2025-03-01\n");
        upload(&app, &leave, opts(RosterMode::Delta, true, false, None)).unwrap();
        assert_eq!(status(&app, code, "2025-03-01"), "unregistered", "{}", db.backend);
        // Back, with the original 备案时间 copied from the old sheet: it was a 500 every time.
        let back = upload(&app, &file(&people[..1]), opts(RosterMode::Delta, true, false, None)).unwrap();
        assert!(back.committed, "{}", db.backend);
        assert_eq!(back.added[0].resumed_on.map(|d| d.to_string()).as_deref(), Some("2025-03-01"), "{}", db.backend);
        assert_eq!(status(&app, code, "2025-02-28"), "active", "{}", db.backend);
        assert_eq!(status(&app, code, &today()), "active", "{}", db.backend);
        // The same file again changes nothing.
        let again = upload(&app, &file(&people[..1]), opts(RosterMode::Delta, true, false, None)).unwrap();
        assert_eq!((again.counts.added, again.counts.unchanged), (0, 1), "{} {again:?}", db.backend);
        assert!(app.verify().unwrap().differences.is_empty(), "{}", db.backend);
    }
}

#[test]
fn a_refused_commit_is_422_with_the_report_over_http() {
    for db in common::all() {
        let s = common::spawn(&db);
        app_institution(&s);
        let mut text = file(&staff()[..2]);
        text.push_str("坏行,370811198001010000,医保医师,D370811599999,2015-07-01,2024-01-01,,\n");
        let url = format!("{}/rosters/{INST}?mode=delta&commit=true", s.base);
        let (st, b) = common::call_raw("POST", &url, Some(&s.admin), text.as_bytes(), "text/csv");
        assert_eq!(st, 422, "{} {b}", db.backend);
        assert_eq!(b["error"]["code"], "commit_refused", "{b}");
        assert!(b["error"]["message_zh"].as_str().is_some_and(|m| m.contains("未写入") && m.contains("1行")), "{b}");
        assert_eq!(b["error"]["report"]["counts"]["added"], 2, "{b}");
        assert_eq!(b["error"]["report"]["rejected"][0]["row"], 4, "{b}");
        let (st, b) =
            common::call_raw("POST", &format!("{url}&partial=true"), Some(&s.admin), text.as_bytes(), "text/csv");
        assert_eq!((st, b["committed"].as_bool()), (200, Some(true)), "{} {b}", db.backend);
    }
}

fn app_institution(s: &common::TestServer) {
    let (st, b) = common::call(
        "POST",
        &format!("{}/institutions", s.base),
        Some(&s.admin),
        Some(&serde_json::json!({"code": INST, "name": "医院", "kind": "medical",
            "agreement_start": "2020-01-01", "agreement_end": "2030-12-31"})),
        &[],
    );
    assert_eq!(st, 201, "{b}");
}
