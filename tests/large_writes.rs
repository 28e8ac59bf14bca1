//! A write that touches more people than PostgreSQL has lock slots (64 × 100 connections by
//! default): a 20 000-row roster commit. Each advisory lock takes a slot of the server's shared
//! lock table, and such a commit failed with "out of shared memory" (a 500) until a writer of
//! more than `MAX_KEY_LOCKS` keys took the one all-writers lock instead (found by
//! `scripts/crash-trials`, roster kind); and a training-test file of more people than
//! `MAX_KEY_LOCKS`, through the same all-writers lock. On SQLite and (with TEST_DATABASE_URL)
//! PostgreSQL.

mod common;

use jifen::service::institutions::NewInstitution;
use jifen::service::rosters::{RosterMode, UploadOptions};
use jifen::service::{App, Caller};

const INST: &str = "H37081100001";

/// One large write at a time in this binary: PostgreSQL's advisory locks span every schema of a
/// database, so the all-writers lock one test holds would make the other's writes wait (and time
/// out) although their schemas differ.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
const ROWS: u32 = 20_000;

fn roster() -> Vec<u8> {
    let mut s = String::from("姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间\n");
    for n in 1..=ROWS {
        let birth = format!("1970{:02}{:02}", 1 + (n / 1000) % 12, 1 + (n / 12_000) % 28);
        s.push_str(&format!("张伟,{},医保医师,D370811{n:06},2023-01-01\n", common::id_number(&birth, n)));
    }
    s.into_bytes()
}

#[test]
fn a_roster_commit_larger_than_the_lock_table() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    assert!(ROWS as usize > 6_400 + jifen::store::MAX_KEY_LOCKS, "more people than lock slots");
    let file = roster();
    for db in common::all() {
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
        let opts = UploadOptions { mode: RosterMode::Delta, commit: true, partial: false, confirm_deregister: None };
        let upload = |bytes: Vec<u8>| {
            app.upload_roster(&Caller::system(), INST, std::io::Cursor::new(bytes), opts, &mut |_| {})
                .unwrap_or_else(|e| panic!("{}: {e:?}", db.backend))
        };
        let r = upload(file.clone());
        assert!(r.committed, "{}", db.backend);
        assert_eq!((r.counts.added, r.counts.rejected), (ROWS as usize, 0), "{}", db.backend);
        let again = upload(file.clone());
        assert_eq!((again.committed, again.counts.unchanged), (false, ROWS as usize), "{}", db.backend);
        // A small writer after the large one: the per-key path still works.
        let one = format!(
            "姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间\n李四,{},医保医师,D370811900001,2023-01-01\n",
            common::id_number("19800101", 1)
        );
        assert_eq!(upload(one.into_bytes()).counts.added, 1, "{}", db.backend);
        assert!(app.verify().unwrap().differences.is_empty(), "{}", db.backend);
    }
}

/// A training-test file of more people than `MAX_KEY_LOCKS` (issue 11: a 10⁵-row file answered
/// 500 on PostgreSQL with the lock buckets of that time): committed whole under the all-writers
/// lock, chained, and a single writer after it takes the per-key path again. The full size is
/// `scripts/measure-test-file` (docs/scaling.md).
#[test]
fn a_test_file_commit_of_more_people_than_key_locks() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    const PEOPLE: u32 = 1_200;
    assert!(PEOPLE as usize > jifen::store::MAX_KEY_LOCKS);
    let mut roster = String::from("姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间\n");
    let mut tests = String::from("医保对应代码,姓名,考试日期,考试方式,成绩（分）,考试结果\n");
    for n in 1..=PEOPLE {
        let birth = format!("1970{:02}{:02}", 1 + n % 12, 1 + n % 28);
        roster.push_str(&format!("张伟,{},医保医师,D370811{n:06},2023-01-01\n", common::id_number(&birth, n)));
        tests.push_str(&format!("D370811{n:06},张伟,2026-06-01,机考,{}.5,合格\n", 60 + n % 40));
    }
    for db in common::all() {
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
        let opts = UploadOptions { mode: RosterMode::Delta, commit: true, partial: false, confirm_deregister: None };
        app.upload_roster(
            &Caller::system(),
            INST,
            std::io::Cursor::new(roster.clone().into_bytes()),
            opts,
            &mut |_| {},
        )
        .unwrap();
        let upload = |text: String| {
            let opts = jifen::service::batches::BatchOptions { commit: true, partial: false };
            app.upload_tests(&Caller::system(), std::io::Cursor::new(text.into_bytes()), opts, &mut |_| {})
                .unwrap_or_else(|e| panic!("{}: {e:?}", db.backend))
        };
        let r = upload(tests.clone());
        assert!(r.committed, "{}: {:?}", db.backend, r.counts);
        assert_eq!((r.counts.accepted, r.counts.rejected), (PEOPLE as usize, 0), "{}", db.backend);
        // A single writer after the large one.
        let single = jifen::service::training_tests::SetPassMark { year: 2027, mark: 60 };
        app.set_pass_mark(&Caller::system(), &single).unwrap_or_else(|e| panic!("{}: {e:?}", db.backend));
        let report = app.verify().unwrap();
        assert!(report.differences.is_empty(), "{}: {:?}", db.backend, report.differences);
        assert!(report.chain.breaks.is_empty(), "{}: {:?}", db.backend, report.chain.breaks);
    }
}
