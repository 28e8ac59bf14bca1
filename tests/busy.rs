//! A writer that finds the database busy longer than it may wait gets 503 `busy` with
//! `Retry-After`, never a 500, and nothing is written (issue 11: a 100 000-row commit held the
//! SQLite write lock and single inspections answered 500). Both databases.

mod common;

use diesel::connection::SimpleConnection;
use diesel::Connection;

#[test]
fn a_busy_database_is_503_with_retry_after() {
    // One test in this binary: the wait is shortened for the whole process.
    std::env::set_var("JIFEN_BUSY_TIMEOUT_MS", "300");
    for db in common::all() {
        let s = common::spawn(&db);
        let (st, b) = common::call(
            "POST",
            &format!("{}/institutions", s.base),
            Some(&s.admin),
            Some(&serde_json::json!({"code": "H37081100001", "name": "医院", "kind": "medical",
            "agreement_start": "2020-01-01", "agreement_end": "2030-12-31"})),
            &[],
        );
        assert_eq!(st, 201, "{b}");
        // Another process's long commit holds the write lock (SQLite), or the all-writers lock a
        // write of more than MAX_KEY_LOCKS keys takes exclusively (PostgreSQL, where the wait is
        // lock_timeout).
        let release: Box<dyn FnOnce()> = if db.backend == "sqlite" {
            let mut other = diesel::SqliteConnection::establish(&db.url).unwrap();
            other.batch_execute("BEGIN IMMEDIATE; UPDATE write_lock SET n = n + 1 WHERE id = 1;").unwrap();
            Box::new(move || other.batch_execute("ROLLBACK;").unwrap())
        } else {
            let mut other = diesel::PgConnection::establish(&db.url).unwrap();
            let all = jifen::store::conn::all_writers_key();
            // Salted with the schema, as jifen takes it (store::conn::lock_hashes_for_write).
            other
                .batch_execute(&format!(
                    "BEGIN; SELECT pg_advisory_xact_lock({all}::bigint # hashtextextended(current_schema(), 0));"
                ))
                .unwrap();
            Box::new(move || other.batch_execute("ROLLBACK;").unwrap())
        };
        let res = ureq::post(&format!("{}/institutions", s.base))
            .set("Authorization", &format!("Bearer {}", s.admin))
            .send_json(serde_json::json!({"code": "H37081100002", "name": "医院", "kind": "medical",
            "agreement_start": "2020-01-01", "agreement_end": "2030-12-31"}));
        let Err(ureq::Error::Status(503, res)) = res else { panic!("{}: expected 503, got {res:?}", db.backend) };
        assert_eq!(res.header("Retry-After"), Some("5"));
        let body: serde_json::Value = res.into_json().unwrap();
        assert_eq!(body["error"]["code"], "busy", "{body}");
        assert!(body["error"]["message_zh"].as_str().is_some_and(|m| m.contains("未写入")), "{body}");
        release();
        // Once the lock is released the same request goes through: nothing was half-written.
        let (st, b) = common::call(
            "POST",
            &format!("{}/institutions", s.base),
            Some(&s.admin),
            Some(&serde_json::json!({"code": "H37081100002", "name": "医院", "kind": "medical",
            "agreement_start": "2020-01-01", "agreement_end": "2030-12-31"})),
            &[],
        );
        assert_eq!(st, 201, "{b}");

        if db.backend == "postgresql" {
            // Advisory locks are the whole database's: a large write of a jifen in another schema
            // (another deployment, another test run) holding its all-writers lock must not make
            // this one busy.
            let elsewhere = common::postgres().expect("postgres");
            let mut other = diesel::PgConnection::establish(&elsewhere.url).unwrap();
            let all = jifen::store::conn::all_writers_key();
            other
                .batch_execute(&format!(
                    "BEGIN; SELECT pg_advisory_xact_lock({all}::bigint # hashtextextended(current_schema(), 0));"
                ))
                .unwrap();
            let (st, b) = common::call(
                "POST",
                &format!("{}/institutions", s.base),
                Some(&s.admin),
                Some(&serde_json::json!({"code": "H37081100003", "name": "医院", "kind": "medical",
                "agreement_start": "2020-01-01", "agreement_end": "2030-12-31"})),
                &[],
            );
            assert_eq!(st, 201, "another schema's large write blocked this one: {b}");
            other.batch_execute("ROLLBACK;").unwrap();
        }
    }
}
