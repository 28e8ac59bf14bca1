//! Personal data never reaches a log line: the real binary with JSON logs at debug level,
//! requests carrying ID numbers and phones (valid and invalid), then a grep of what it wrote.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use serde_json::json;

#[test]
fn no_id_number_or_phone_in_any_log_line() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_jifen"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--database-url"])
        .arg(dir.path().join("logs.db"))
        .env("JIFEN_ADMIN_TOKEN", "log-test-token")
        .env("JIFEN_LOG_FORMAT", "json")
        .env("RUST_LOG", "trace")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}/api/v1");
    for _ in 0..200 {
        if ureq::get(&format!("{base}/healthz")).call().is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let token = Some("log-test-token");
    let id = common::id_number("19800101", 7);
    let bad_id = format!("{}{}", &id[..17], if id.ends_with('1') { '2' } else { '1' });
    let phone = "13912345678";
    let post =
        |path: &str, body: serde_json::Value| common::call("POST", &format!("{base}{path}"), token, Some(&body), &[]);
    let (st, _) = post(
        "/institutions",
        json!({"code": "H37081100001", "name": "医院", "kind": "medical", "agreement_start": "2024-01-01", "agreement_end": "2030-01-01"}),
    );
    assert_eq!(st, 201);
    for (idn, expect) in [(&id, 201), (&bad_id, 422)] {
        let (st, _) = post(
            "/registrations",
            json!({"institution_code": "H37081100001", "personnel_code": "D370811000007", "name": "王五",
                   "id_number": idn, "category": "physician", "registered_on": "2024-01-01", "phone": phone}),
        );
        assert_eq!(st, expect);
    }
    let (st, _) = common::call("GET", &format!("{base}/public/practitioners/D370811000007"), None, None, &[]);
    assert_eq!(st, 200);
    let (st, _) = common::call("GET", &format!("{base}/practitioners/D370811000007/status"), token, None, &[]);
    assert_eq!(st, 200);
    // A request whose URL and body carry an ID number and a phone.
    let (st, _) = common::call("GET", &format!("{base}/practitioners/{id}/status?phone={phone}"), token, None, &[]);
    assert_eq!(st, 404);

    let _ = child.kill();
    let mut logs = String::new();
    child.stderr.take().unwrap().read_to_string(&mut logs).unwrap();
    let _ = child.wait();
    assert!(logs.lines().count() > 5, "the server logged: {logs}");
    assert!(
        logs.lines().filter(|l| l.starts_with('{')).all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()),
        "JSON logs"
    );
    assert!(logs.contains("request_id"), "{logs}");
    for secret in [id.as_str(), bad_id.as_str(), &id[6..14], phone] {
        assert!(!logs.contains(secret), "{secret} appears in the logs:\n{logs}");
    }
}
