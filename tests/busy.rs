//! A writer that finds the database busy longer than it may wait gets 503 `busy` with
//! `Retry-After`, never a 500, and nothing is written (issue 11: a 100 000-row commit held the
//! SQLite write lock and single inspections answered 500). Every kind of writer while a large
//! commit holds the lock: the API's single writes and file commits, a token's first use (it
//! notes when it was last used), and the pages' forms. Both databases.

mod common;
#[path = "web_support/mod.rs"]
mod web_support;

use diesel::connection::SimpleConnection;
use diesel::Connection;
use web_support::{account, Client, PASSWORD};

fn institution(code: &str) -> serde_json::Value {
    serde_json::json!({"code": code, "name": "医院", "kind": "medical",
        "agreement_start": "2020-01-01", "agreement_end": "2030-12-31"})
}

/// What one request answered: its status, `Retry-After`, and the error code of a JSON body.
struct Answer {
    what: &'static str,
    status: u16,
    retry_after: Option<String>,
    code: String,
}

fn answer(what: &'static str, res: Result<ureq::Response, ureq::Error>) -> Answer {
    let res = match res {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{what}: transport error {e}"),
    };
    let (status, retry_after) = (res.status(), res.header("Retry-After").map(str::to_string));
    let body = res.into_string().unwrap_or_default();
    let code = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_string))
        .unwrap_or_else(|| if body.contains("数据库正忙") { "busy page".into() } else { String::new() });
    Answer { what, status, retry_after, code }
}

#[test]
fn every_writer_behind_a_large_commit_is_503_with_retry_after() {
    // One test in this binary: the wait is shortened for the whole process.
    std::env::set_var("JIFEN_BUSY_TIMEOUT_MS", "300");
    for db in common::all() {
        let s = common::spawn(&db);
        let (st, b) = common::call(
            "POST",
            &format!("{}/institutions", s.base),
            Some(&s.admin),
            Some(&institution("H37081100001")),
            &[],
        );
        assert_eq!(st, 201, "{b}");
        let code = web_support::person(&s.app, "H37081100001", 1, "张三");
        account(&s.app, "agency", "agency", None);
        let mut page = Client::new(&s.base);
        assert_eq!(page.login("agency", PASSWORD).status, 303);
        let csrf = page.session_csrf();
        let cookies = page.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let fresh = s.app.create_token(jifen::service::tokens::Role::Agency, None, None).unwrap();

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
        let api = |path: &str, token: &str| {
            ureq::post(&format!("{}{path}", s.base)).set("Authorization", &format!("Bearer {token}"))
        };
        let writers = vec![
            answer("POST /institutions", api("/institutions", &s.admin).send_json(institution("H37081100002"))),
            answer(
                "POST /inspections",
                api("/inspections", &s.admin).set("Idempotency-Key", "busy-1").send_json(serde_json::json!({
                    "institution_code": "H37081100001", "inspected_on": "2026-03-01", "decided_on": "2026-03-01",
                    "violations": [{"personnel_code": code, "items": ["1.8"], "note": "病历不规范"}]})),
            ),
            answer(
                "POST /training-tests",
                api("/training-tests", &s.admin).send_json(serde_json::json!({"personnel_code": code,
                    "tested_on": "2026-06-01", "format": "closed", "score": 80, "passed": true, "delivery": "机考"})),
            ),
            answer(
                "POST /training-tests/batch?commit=true",
                api("/training-tests/batch?commit=true", &s.admin).set("Content-Type", "text/csv").send_string(
                    &format!("医保对应代码,测试日期,考试方式,成绩,是否合格\n{code},2026-06-01,机考,80,合格\n"),
                ),
            ),
            answer(
                "the page form POST /training-tests/pass-mark",
                ureq::AgentBuilder::new()
                    .redirects(0)
                    .build()
                    .post(&format!("{}/training-tests/pass-mark", page.root))
                    .set("Cookie", &cookies)
                    .send_form(&[("csrf_token", &csrf), ("year", "2026"), ("mark", "70")]),
            ),
        ];
        // A read by a token never used: noting its first use is a write (SQLite waits for the
        // lock); it answers, or is busy as a writer is — never a 500.
        let reader = answer(
            "GET /practitioners/{code}/status by a new token",
            ureq::get(&format!("{}/practitioners/{code}/status", s.base))
                .set("Authorization", &format!("Bearer {fresh}"))
                .call(),
        );
        release();
        for a in &writers {
            assert_eq!(
                (a.status, a.retry_after.as_deref()),
                (503, Some("5")),
                "{}: {} answered {} {}",
                db.backend,
                a.what,
                a.status,
                a.code
            );
            assert!(a.code == "busy" || a.code == "busy page", "{}: {} {}", db.backend, a.what, a.code);
        }
        assert!(
            reader.status == 200 || (reader.status == 503 && reader.retry_after.as_deref() == Some("5")),
            "{}: {} answered {} {:?}",
            db.backend,
            reader.what,
            reader.status,
            reader.retry_after
        );

        // Once the lock is released the same requests go through: nothing was half-written.
        let (st, b) = common::call(
            "POST",
            &format!("{}/institutions", s.base),
            Some(&s.admin),
            Some(&institution("H37081100002")),
            &[],
        );
        assert_eq!(st, 201, "{b}");
        let (st, b) = common::call(
            "POST",
            &format!("{}/training-tests", s.base),
            Some(&s.admin),
            Some(&serde_json::json!({"personnel_code": code, "tested_on": "2026-06-01", "format": "closed",
                "score": 80, "passed": true})),
            &[],
        );
        assert_eq!(st, 201, "{}: the refused test was not recorded: {b}", db.backend);

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
                Some(&institution("H37081100003")),
                &[],
            );
            assert_eq!(st, 201, "another schema's large write blocked this one: {b}");
            other.batch_execute("ROLLBACK;").unwrap();
        }
    }
}
