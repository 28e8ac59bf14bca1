//! The public lookups (issue 12, medium): rate-limited per client address, and an answer that
//! shows status and points with a name reduced to its first character and no ID number.

mod common;

use common::{call, spawn};
use serde_json::json;

#[test]
fn the_lookup_after_the_burst_is_429_with_retry_after() {
    let db = common::sqlite();
    let s = spawn(&db);
    let burst = jifen::domain::limits::PUBLIC_BURST;
    for k in 0..burst {
        let path = if k % 2 == 0 { "practitioners/D370811" } else { "institutions/H370811" };
        let (st, b) = call("GET", &format!("{}/public/{path}{k:06}", s.base), None, None, &[]);
        assert_ne!(st, 429, "lookup {k}: {b}");
    }
    let r = ureq::get(&format!("{}/public/practitioners/D370811000999", s.base)).call();
    let Err(ureq::Error::Status(429, r)) = r else { panic!("lookup {} was not refused", burst + 1) };
    let wait: u32 = r.header("retry-after").and_then(|v| v.parse().ok()).unwrap_or(0);
    assert!((1..=3).contains(&wait), "Retry-After: {wait}");
    let b: serde_json::Value = serde_json::from_str(&r.into_string().unwrap()).unwrap();
    assert_eq!(b["error"]["code"], "rate_limited", "{b}");
    assert!(b["error"]["message_zh"].as_str().is_some_and(|m| !m.is_empty()));
    // Token holders' routes are not limited.
    let (st, _) = call("GET", &format!("{}/watch-list?year=2024", s.base), Some(&s.admin), None, &[]);
    assert_eq!(st, 200);
    // The bucket refills: one more lookup after the wait.
    std::thread::sleep(std::time::Duration::from_secs(u64::from(wait)));
    let (st, _) = call("GET", &format!("{}/public/practitioners/D370811000999", s.base), None, None, &[]);
    assert_eq!(st, 404);
}

#[test]
fn the_public_answer_holds_no_id_number_and_no_name_length() {
    for db in common::all() {
        let s = spawn(&db);
        let admin = |path: &str, body: serde_json::Value| {
            call("POST", &format!("{}{path}", s.base), Some(&s.admin), Some(&body), &[])
        };
        admin(
            "/institutions",
            json!({"code": "H37081100001", "name": "医院", "kind": "medical",
                "agreement_start": "2020-01-01", "agreement_end": "2030-12-31"}),
        );
        let id = common::id_number("19800101", 366);
        let (st, b) = admin(
            "/registrations",
            json!({"institution_code": "H37081100001", "personnel_code": "D370811000036", "name": "欧阳娜娜",
                "id_number": id, "category": "physician", "registered_on": "2023-01-01", "phone": "13912345678"}),
        );
        assert_eq!(st, 201, "{b}");
        let (st, b) = call("GET", &format!("{}/public/practitioners/D370811000036", s.base), None, None, &[]);
        assert_eq!(st, 200, "{} {b}", db.backend);
        assert_eq!(b["name"], "欧**");
        assert_eq!(b["status"], "active");
        let text = b.to_string();
        assert!(b.get("id_number").is_none(), "{text}");
        for secret in [id.as_str(), &id[6..14], "13912345678", "娜"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}
