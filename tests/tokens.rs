//! Token management (issue 12): a label and an optional expiry chosen at creation, `token list`
//! without secrets, `token revoke` refused by a running server within seconds, an expired token
//! 401, a scope that does not exist refused at creation, the `Bearer` scheme in any case. The
//! command line runs as its own process, as an operator would run it, against the database the
//! server uses — on SQLite and (with TEST_DATABASE_URL) PostgreSQL.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{call, spawn};
use serde_json::json;

fn jifen(db: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jifen"))
        .arg("--database-url")
        .arg(db)
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .env_remove("DATABASE_URL")
        .output()
        .expect("run jifen");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn secret(out: &str) -> String {
    out.split_whitespace().last().unwrap_or("").to_string()
}

/// `hr token 3 created: jf_…` → 3
fn id_of(out: &str) -> String {
    out.split_whitespace().nth(2).unwrap_or("").to_string()
}

fn institution(s: &common::TestServer, code: &str) {
    let (st, b) = call(
        "POST",
        &format!("{}/institutions", s.base),
        Some(&s.admin),
        Some(&json!({"code": code, "name": "医院", "kind": "medical",
            "agreement_start": "2023-01-01", "agreement_end": "2030-12-31"})),
        &[],
    );
    assert_eq!(st, 201, "{b}");
}

#[test]
fn a_token_revoked_from_the_command_line_is_refused_by_the_running_server_within_seconds() {
    for db in common::all() {
        let s = spawn(&db);
        institution(&s, "H37081100001");
        let (ok, out) = jifen(
            &db.url,
            &["token", "create", "--role", "hr", "--institution", "H37081100001", "--label", "任城医院人事科"],
        );
        assert!(ok, "{} {out}", db.backend);
        let (token, id) = (secret(&out), id_of(&out));
        let url = format!("{}/institutions/H37081100001", s.base);
        let (st, b) = call("GET", &url, Some(&token), None, &[]);
        assert_eq!(st, 200, "{} {b}", db.backend);
        // The scheme in capitals works too.
        let (st, b) = call("GET", &url, None, None, &[("Authorization", &format!("BEARER {token}"))]);
        assert_eq!(st, 200, "{} {b}", db.backend);

        let (ok, out) = jifen(&db.url, &["token", "list"]);
        assert!(ok && out.contains("任城医院人事科") && out.contains("institution H37081100001"), "{out}");
        assert!(!out.contains(&token) && !out.contains(&token[3..]), "list shows no secret: {out}");
        let row = out.lines().find(|l| l.contains("任城医院人事科")).unwrap_or_default();
        assert!(row.matches('Z').count() >= 2, "created and last used shown: {row}");

        let (ok, out) = jifen(&db.url, &["token", "revoke", &id]);
        assert!(ok && out.contains("revoked"), "{out}");
        let revoked = Instant::now();
        loop {
            let (st, _) = call("GET", &url, Some(&token), None, &[]);
            if st == 401 {
                break;
            }
            assert_eq!(st, 200);
            assert!(revoked.elapsed() < Duration::from_secs(8), "{} still served after 8 s", db.backend);
            std::thread::sleep(Duration::from_millis(200));
        }
        let (ok, out) = jifen(&db.url, &["token", "list"]);
        let row = out.lines().find(|l| l.contains("任城医院人事科")).unwrap_or_default();
        assert!(ok && !row.trim_end().ends_with('-'), "revocation time listed: {row}");
        let (ok, out) = jifen(&db.url, &["token", "revoke", &id]);
        assert!(ok && out.contains("already"), "{out}");
        let (ok, _) = jifen(&db.url, &["token", "revoke", "999999"]);
        assert!(!ok, "no such token");
    }
}

#[test]
fn an_expired_token_is_401_and_no_expiry_is_the_default() {
    for db in common::all() {
        let s = spawn(&db);
        let (ok, out) = jifen(&db.url, &["token", "create", "--role", "agency", "--expires", "2100-12-31"]);
        assert!(ok && out.contains("valid through 2100-12-31"), "{out}");
        let (token, id) = (secret(&out), id_of(&out));
        let (ok, out) = jifen(&db.url, &["token", "create", "--role", "settlement"]);
        assert!(ok, "{out}");
        let forever = secret(&out);
        let url = format!("{}/watch-list?year=2024", s.base);
        let (st, b) = call("GET", &url, Some(&token), None, &[]);
        assert_eq!(st, 200, "{} {b}", db.backend);
        // Its last day passes (set in the database, as no one can create a token already expired).
        let mut conn = s.app.conn().unwrap();
        let yesterday = jifen::domain::dates::today_china().pred_opt().unwrap();
        jifen::store::tokens::set_expiry(&mut conn, id.parse().unwrap(), Some(yesterday)).unwrap();
        drop(conn);
        let t0 = Instant::now();
        loop {
            let (st, b) = call("GET", &url, Some(&token), None, &[]);
            if st == 401 {
                assert_eq!(b["error"]["code"], "unauthorized");
                break;
            }
            assert!(t0.elapsed() < Duration::from_secs(8), "{} an expired token still served", db.backend);
            std::thread::sleep(Duration::from_millis(200));
        }
        let (st, _) = call("GET", &format!("{}/exports/status-list.csv", s.base), Some(&forever), None, &[]);
        assert_eq!(st, 200, "a token without expiry keeps working");
        let (ok, out) = jifen(&db.url, &["token", "create", "--role", "agency", "--expires", "2020-01-01"]);
        assert!(!ok && out.contains("expiry_in_the_past"), "{out}");
        let (ok, out) = jifen(&db.url, &["token", "create", "--role", "agency", "--expires", "tomorrow"]);
        assert!(!ok && out.contains("invalid_date"), "{out}");
    }
}

#[test]
fn a_token_for_a_scope_that_does_not_exist_is_refused() {
    let db = common::sqlite();
    let s = spawn(&db);
    institution(&s, "H37081100001");
    for (args, code) in [
        (vec!["--role", "hr", "--institution", "H37081199999"], "unknown_institution"),
        (vec!["--role", "hr"], "missing_institution"),
        (vec!["--role", "officer", "--region", "379999"], "unknown_region"),
        (vec!["--role", "officer", "--region", "3708"], "unknown_region"),
        (vec!["--role", "agency", "--region", "370811"], "scope_not_allowed"),
        (vec!["--role", "settlement", "--institution", "H37081100001"], "scope_not_allowed"),
    ] {
        let mut all = vec!["token", "create"];
        all.extend(args.iter());
        let (ok, out) = jifen(&db.url, &all);
        assert!(!ok && out.contains(code), "{args:?}: {out}");
    }
    for args in [
        vec!["--role", "hr", "--institution", "h37081100001"],
        vec!["--role", "officer", "--region", "370883"],
        vec!["--role", "officer"],
        vec!["--role", "admin", "--label", "运维"],
    ] {
        let mut all = vec!["token", "create"];
        all.extend(args.iter());
        let (ok, out) = jifen(&db.url, &all);
        assert!(ok && secret(&out).starts_with("jf_"), "{args:?}: {out}");
    }
    let (_, out) = jifen(&db.url, &["token", "list"]);
    assert!(out.contains("county 370883") && out.contains("city") && out.contains("运维"), "{out}");
}

#[test]
fn the_admin_token_of_the_environment_works_and_a_near_miss_does_not() {
    let db = common::sqlite();
    let s = spawn(&db);
    let url = format!("{}/watch-list?year=2024", s.base);
    let (st, _) = call("GET", &url, Some(&s.admin), None, &[]);
    assert_eq!(st, 200);
    let near = format!("{}x", s.admin);
    for t in [near.as_str(), &s.admin[..s.admin.len() - 1], ""] {
        let (st, _) = call("GET", &url, Some(t), None, &[]);
        assert_eq!(st, 401, "{t:?}");
    }
}
