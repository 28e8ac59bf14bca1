//! HTTP hygiene (issue 12, low): headers on every answer, 405 with `Allow` for a known path
//! asked with another method, JSON for the framework's own errors, `/metrics` behind an admin
//! token with bounded labels.

mod common;

use common::{call, spawn};

fn raw(method: &str, url: &str, token: Option<&str>, headers: &[(&str, &str)]) -> ureq::Response {
    let mut req = ureq::request(method, url);
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.set(k, v);
    }
    match req.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    }
}

#[test]
fn every_answer_says_nosniff_and_personal_exports_are_not_stored() {
    let db = common::sqlite();
    let s = spawn(&db);
    for (path, token, cached) in [
        ("/healthz", None, true),
        ("/public/institutions/H37081100001", None, true),
        ("/exports/status-list.csv", Some(s.admin.as_str()), false),
        ("/watch-list?year=2024", Some(s.admin.as_str()), false),
        ("/watch-list", None, false),
        ("/no/such/route", None, false),
    ] {
        let r = raw("GET", &format!("{}{path}", s.base), token, &[]);
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(r.header("cache-control") == Some("no-store"), !cached, "{path}: {:?}", r.header("cache-control"));
        assert!(r.header("content-security-policy").is_none(), "CSP is for HTML: {path}");
    }
}

#[test]
fn a_wrong_method_is_405_with_allow_and_a_json_body() {
    let db = common::sqlite();
    let s = spawn(&db);
    for (method, path, allow) in [
        ("GET", "/inspections", "POST"),
        ("DELETE", "/institutions/H37081100001", "GET"),
        ("PUT", "/registrations/H37081100001/D370811000001", "DELETE"),
        ("POST", "/healthz", "GET"),
    ] {
        let r = raw(method, &format!("{}{path}", s.base), Some(&s.admin), &[]);
        assert_eq!(r.status(), 405, "{method} {path}");
        assert_eq!(r.header("allow"), Some(allow), "{method} {path}");
        let b: serde_json::Value = serde_json::from_str(&r.into_string().unwrap()).unwrap();
        assert_eq!(b["error"]["code"], "method_not_allowed", "{b}");
        assert!(b["error"]["message_zh"].is_string());
    }
    // An unknown path stays 404, in JSON.
    let (st, b) = call("GET", &format!("{}/nothing/here", s.base), None, None, &[]);
    assert_eq!((st, b["error"]["code"].as_str()), (404, Some("not_found")), "{b}");
    // A bad query string is 400 `invalid_query`.
    let (st, b) = call("GET", &format!("{}/watch-list?year=soon", s.base), Some(&s.admin), None, &[]);
    assert_eq!((st, b["error"]["code"].as_str()), (400, Some("invalid_query")), "{b}");
}

#[test]
fn metrics_need_an_admin_token_and_their_labels_stay_bounded() {
    let db = common::sqlite();
    let s = spawn(&db);
    let hr = s.app.create_token(jifen::service::tokens::Role::Hr, Some("H37081100001"), None).unwrap();
    for base in [s.base.clone(), s.base.trim_end_matches("/api/v1").to_string()] {
        let (st, _) = call("GET", &format!("{base}/metrics"), None, None, &[]);
        assert_eq!(st, 401);
        let (st, _) = call("GET", &format!("{base}/metrics"), Some(&hr), None, &[]);
        assert_eq!(st, 403);
    }
    let size = || {
        let (st, m) = call("GET", &format!("{}/metrics", s.base), Some(&s.admin), None, &[]);
        assert_eq!(st, 200);
        m.as_str().unwrap_or("").lines().count()
    };
    for k in 0..30 {
        let _ = raw(&format!("M{k}X"), &format!("{}/healthz", s.base), None, &[]);
        let _ = raw("GET", &format!("{}/random/{k}", s.base), None, &[]);
        let _ = raw(&format!("Z{k}"), &format!("{}/random/{k}/x", s.base), None, &[]);
    }
    size();
    let before = size();
    for k in 30..200 {
        let _ = raw(&format!("M{k}X"), &format!("{}/healthz", s.base), None, &[]);
        let _ = raw("GET", &format!("{}/random/{k}", s.base), None, &[]);
        let _ = raw(&format!("Z{k}"), &format!("{}/random/{k}/x", s.base), None, &[]);
    }
    assert_eq!(size(), before, "random methods and paths do not add lines");
    let (_, m) = call("GET", &format!("{}/metrics", s.base), Some(&s.admin), None, &[]);
    let text = m.as_str().unwrap_or("");
    assert!(text.contains("method=\"OTHER\",route=\"/api/v1/healthz\",status=\"405\""), "{text}");
    assert!(text.contains("route=\"unmatched\""), "{text}");
    assert!(!text.contains("M199X") && !text.contains("random"), "{text}");
}

#[test]
fn the_printable_notice_carries_a_csp_that_allows_its_inline_style_only() {
    let db = common::sqlite();
    let s = spawn(&db);
    let post = |path: &str, body: serde_json::Value| {
        common::call("POST", &format!("{}{path}", s.base), Some(&s.admin), Some(&body), &[("Idempotency-Key", path)])
    };
    post(
        "/institutions",
        serde_json::json!({"code": "H37081100001", "name": "医院", "kind": "medical",
            "agreement_start": "2020-01-01", "agreement_end": "2030-12-31"}),
    );
    post(
        "/registrations",
        serde_json::json!({"institution_code": "H37081100001", "personnel_code": "D370811000001", "name": "张三",
            "id_number": common::id_number("19800101", 1), "category": "physician", "registered_on": "2023-01-01"}),
    );
    let (st, b) = post(
        "/inspections",
        serde_json::json!({"institution_code": "H37081100001", "inspected_on": "2024-09-20",
            "decided_on": "2024-09-27", "violations": [{"personnel_code": "D370811000001", "items": ["3.2"]}]}),
    );
    assert_eq!(st, 201, "{b}");
    let (_, list) = call("GET", &format!("{}/notices", s.base), Some(&s.admin), None, &[]);
    let id = list["notices"][0]["id"].as_i64().unwrap();
    let r = raw("GET", &format!("{}/notices/{id}", s.base), Some(&s.admin), &[("Accept", "text/html")]);
    let csp = r.header("content-security-policy").unwrap_or("").to_string();
    assert!(csp.contains("default-src 'self'") && csp.contains("style-src 'self' 'unsafe-inline'"), "{csp}");
    assert!(csp.contains("script-src 'none'"), "{csp}");
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let html = r.into_string().unwrap();
    assert!(html.contains("<style") && !html.contains("<script"), "{html}");
}
