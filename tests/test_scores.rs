//! Training-test scores keep their decimals (issue 11, 三(三)): 85.5 is stored, compared with the
//! year's pass mark and answered as 85.5 — never rounded to 86; "85分" parses; a whole score is
//! still the JSON number it always was; the migration keeps the scores recorded before it.
//! Both databases.

mod common;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use jifen::service::batches::{BatchOptions, BatchReport};
use jifen::service::institutions::NewInstitution;
use jifen::service::registrations::NewRegistration;
use jifen::service::training_tests::NewTrainingTest;
use jifen::service::{App, Caller};
use serde_json::json;

const INST: &str = "H37081100001";

/// The institution and its three staff (张一, 王二, 李三).
fn staff(app: &App) {
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

fn upload(app: &App, text: &str, commit: bool) -> BatchReport {
    let opts = BatchOptions { commit, partial: true };
    app.upload_tests(&Caller::system(), std::io::Cursor::new(text.as_bytes().to_vec()), opts, &mut |_| {}).unwrap()
}

/// The scores of a person's recorded tests, as the service answers them.
fn scores(app: &App, code: &str) -> Vec<String> {
    let record = app.training_record(&Caller::system(), code).unwrap();
    record.years.iter().flat_map(|y| &y.tests).map(|t| t.score.map(|s| s.to_string()).unwrap_or_default()).collect()
}

#[test]
fn a_score_keeps_its_decimals_from_the_file_to_the_answer() {
    for db in common::all() {
        let app = App::open(&db.url).unwrap();
        staff(&app);
        let text = "医保对应代码,姓名,测试日期,成绩（分）,是否合格\n\
                    D370811000001,张一,2024-06-01,85.5,合格\n\
                    D370811000002,王二,2024-06-01,８５分,合格\n\
                    D370811000003,李三,2024-06-01,85.555,合格\n";
        let r = upload(&app, text, true);
        let bad: Vec<(u64, &str)> = r.rejected.iter().map(|x| (x.row, x.code)).collect();
        assert_eq!(bad, [(4, "invalid_score")], "{} more than two decimals is a typing error: {r:?}", db.backend);
        assert!(r.committed, "{}", db.backend);
        assert_eq!(scores(&app, "D370811000001"), ["85.5"], "{}: not 86", db.backend);
        assert_eq!(scores(&app, "D370811000002"), ["85"], "{}", db.backend);
        // JSON: a number, as the field always was.
        let record = serde_json::to_value(app.training_record(&Caller::system(), "D370811000001").unwrap()).unwrap();
        assert_eq!(record["years"][0]["tests"][0]["score"], json!(85.5), "{}", db.backend);
        // The same file again records nothing: 85.5 equals what was stored.
        let again = upload(&app, text, true);
        assert_eq!((again.counts.accepted, again.counts.unchanged), (0, 2), "{} {again:?}", db.backend);
        assert!(app.verify().unwrap().differences.is_empty(), "{}", db.backend);
    }
}

/// 三(三): the pass mark is compared exactly — 59.5 is below 60, so 合格 contradicts it.
#[test]
fn a_half_point_below_the_pass_mark_is_a_fail() {
    for db in common::all() {
        let app = App::open(&db.url).unwrap();
        staff(&app);
        let text = "医保对应代码,姓名,测试日期,成绩,是否合格\n\
                    D370811000001,张一,2024-06-01,59.5,合格\n\
                    D370811000002,王二,2024-06-01,59.5,不合格\n\
                    D370811000003,李三,2024-06-01,60.0,合格\n";
        let r = upload(&app, text, false);
        let bad: Vec<(u64, &str)> = r.rejected.iter().map(|x| (x.row, x.code)).collect();
        assert_eq!(bad, [(2, "result_contradicts_score")], "{} {r:?}", db.backend);
        assert!(r.rejected[0].reason_zh.contains("成绩59.5分"), "{:?}", r.rejected[0]);
        // The single-test form of the API compares the same way.
        let req = |score: serde_json::Value, passed: bool| NewTrainingTest {
            personnel_code: "D370811000001".into(),
            tested_on: "2024-06-01".into(),
            format: "closed".into(),
            score: Some(score),
            passed,
            retake: false,
            retake_reason: None,
            delivery: None,
        };
        let e = app.record_test(&Caller::system(), &req(json!(59.5), true)).unwrap_err();
        assert!(format!("{e:?}").contains("result_contradicts_score"), "{} {e:?}", db.backend);
        let e = app.record_test(&Caller::system(), &req(json!("八十"), true)).unwrap_err();
        assert!(format!("{e:?}").contains("invalid_score"), "{} {e:?}", db.backend);
        let t = app.record_test(&Caller::system(), &req(json!("85.5分"), true)).unwrap();
        assert_eq!(serde_json::to_value(&t).unwrap()["score"], json!(85.5), "{}", db.backend);
    }
}

/// Over HTTP: `POST /training-tests` answers the score it was given, a decimal as a decimal and
/// a whole score as the integer it always was.
#[test]
fn the_api_answers_the_score_as_given() {
    for db in common::all() {
        let s = common::spawn(&db);
        staff(&s.app);
        let url = format!("{}/training-tests", s.base);
        for (code, score) in [("D370811000001", json!(85.5)), ("D370811000002", json!(90))] {
            let body = json!({"personnel_code": code, "tested_on": "2024-06-01", "format": "closed",
                "score": score, "passed": true});
            let (st, b) = common::call("POST", &url, Some(&s.admin), Some(&body), &[]);
            assert_eq!((st, &b["score"]), (201, &score), "{} {b}", db.backend);
            assert_eq!(b["score"].to_string(), score.to_string(), "{}: 90 stays 90, not 90.0", db.backend);
            let path = format!("{}/practitioners/{code}/training-tests", s.base);
            let (st, b) = common::call("GET", &path, Some(&s.admin), None, &[]);
            assert_eq!((st, &b["years"][0]["tests"][0]["score"]), (200, &score), "{} {b}", db.backend);
        }
    }
}

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const EXACT: &str = "2026-12-09-000004";

#[derive(QueryableByName)]
struct Score {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    score: Option<String>,
}

/// Runs the migrations before the exact-score one, records whole scores the old way, runs the
/// rest: the scores read back as they were. (A macro: the same steps on either connection type.)
macro_rules! scores_survive {
    ($c:expr, $migrations:expr) => {{
        let c = $c;
        loop {
            let pending = c.pending_migrations($migrations).unwrap();
            let next = pending.first().expect("the exact-score migration is missing");
            if next.name().to_string().starts_with(EXACT) {
                break;
            }
            c.run_migration(next.as_ref()).unwrap();
        }
        c.batch_execute(
            "INSERT INTO practitioners (personnel_code, name, id_number, category, birth_date, recorded_at) \
             VALUES ('D370811000001', '张一', '370811198501010011', 'physician', '1985-01-01', '2024-01-01 00:00:00');
             INSERT INTO training_tests (personnel_code, tested_on, cycle_year, format, score, passed, recorded_at) \
             VALUES ('D370811000001', '2024-06-01', 2024, 'closed', 85, true, '2024-06-02 00:00:00'),
                    ('D370811000001', '2025-06-01', 2025, 'closed', NULL, true, '2025-06-02 00:00:00');",
        )
        .unwrap();
        c.run_pending_migrations($migrations).unwrap();
        let back: Vec<Score> =
            diesel::sql_query("SELECT score FROM training_tests ORDER BY tested_on").load(c).unwrap();
        let back: Vec<Option<String>> = back.into_iter().map(|s| s.score).collect();
        assert_eq!(back, [Some("85".to_string()), None]);
    }};
}

#[test]
fn the_migration_keeps_the_scores_recorded_before_it() {
    let db = common::sqlite();
    let mut c = SqliteConnection::establish(&db.url).unwrap();
    scores_survive!(&mut c, SQLITE);
    if let Some(db) = common::postgres() {
        let mut c = PgConnection::establish(&db.url).unwrap();
        scores_survive!(&mut c, POSTGRES);
    }
}
