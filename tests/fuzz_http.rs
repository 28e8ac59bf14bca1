//! Fuzzing the endpoints backed by a database (issue 16): for `JIFEN_FUZZ_SECS` seconds (20 by
//! default) per database, random and mutated requests to every POST, PUT and DELETE route of
//! `http::routes::ROUTES` on the real server — JSON bodies generated from the route's schema in
//! `docs/openapi.json` (valid, wrong types, extreme values, missing and unknown fields, broken
//! JSON), and spreadsheet, TOML and multipart uploads mutated from the fixtures — as each
//! role. Every answer must be below 500 and every 4xx a JSON error with a code and a Chinese
//! message; afterwards the service's `verify` (what `jifen verify` prints) must find the
//! projections equal to a replay and every hash chain whole. `JIFEN_FUZZ_SEED` replays a run.

mod common;
#[path = "fuzz_http/gen.rs"]
mod gen;

use std::time::{Duration, Instant};

use common::{call, TestDb, TestServer};
use jifen::http::routes::{Body, ROUTES};
use jifen::service::tokens::Role;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

const INST: &str = "H37081100001";
const PHARMACY: &str = "P37081100002";

/// Facts for the requests to name: two institutions, people registered at them, an inspection
/// with deductions, a training test. Returns the personnel codes.
fn seed(s: &TestServer) -> Vec<String> {
    let post = |path: &str, body: Value| {
        let (st, b) = call("POST", &format!("{}{path}", s.base), Some(&s.admin), Some(&body), &[]);
        assert!(st < 300, "seeding {path}: {st} {b}");
        b
    };
    for (code, kind) in [(INST, "medical"), (PHARMACY, "pharmacy")] {
        post(
            "/institutions",
            json!({"code": code, "name": "测试机构", "kind": kind, "agreement_start": "2024-01-01", "agreement_end": "2030-12-31"}),
        );
    }
    let mut people = Vec::new();
    for n in 1..=4u32 {
        let code = format!("D370811{n:06}");
        post(
            "/registrations",
            json!({"institution_code": INST, "personnel_code": code, "name": "张三", "id_number": common::id_number("19800101", n),
                   "category": "physician", "registered_on": "2024-01-01"}),
        );
        people.push(code);
    }
    post(
        "/inspections",
        json!({"institution_code": INST, "inspected_on": "2024-06-01", "decided_on": "2024-06-01",
               "violations": [{"personnel_code": people[0], "items": ["1.1"]}, {"personnel_code": people[1], "items": ["1.2"]}]}),
    );
    people
}

/// What a request was, to show when its answer breaks the contract.
fn shown(method: &str, url: &str, body: &[u8], ctype: &str) -> String {
    let cut = &body[..body.len().min(600)];
    format!("{method} {url} ({ctype}, {} bytes): {}", body.len(), String::from_utf8_lossy(cut))
}

fn send(method: &str, url: &str, token: &str, body: &[u8], ctype: &str) -> (u16, Option<String>, String) {
    let mut req = ureq::request(method, url).set("Authorization", &format!("Bearer {token}"));
    if !ctype.is_empty() {
        req = req.set("Content-Type", ctype);
    }
    let res = match req.timeout(Duration::from_secs(120)).send_bytes(body) {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error (the server died?): {e} on {}", shown(method, url, body, ctype)),
    };
    let status = res.status();
    let content_type = res.header("Content-Type").map(str::to_string);
    (status, content_type, res.into_string().unwrap_or_default())
}

/// The contract every answer keeps: never 5xx but 503 `busy`; a 4xx is a JSON error body.
fn check_answer(status: u16, ctype: Option<&str>, text: &str, request: impl Fn() -> String) {
    assert!(status < 500 || status == 503, "{status} {text} for {}", request());
    if (400..500).contains(&status) || status == 503 {
        assert!(ctype.is_some_and(|c| c.starts_with("application/json")), "{status} as {ctype:?} for {}", request());
        let v: Value =
            serde_json::from_str(text).unwrap_or_else(|_| panic!("{status} not JSON: {text} for {}", request()));
        let e = &v["error"];
        assert!(e["code"].as_str().is_some_and(|c| !c.is_empty()), "{status} without a code: {v} for {}", request());
        assert!(
            e["message_zh"].as_str().is_some_and(|m| !m.trim().is_empty()),
            "{status} without message_zh: {v} for {}",
            request()
        );
    }
}

/// One time-boxed run against `db`: (requests, answers by status class).
fn run(db: &TestDb, secs: u64, seed_value: u64) -> (usize, [usize; 3]) {
    let s = common::spawn(db);
    let people = seed(&s);
    let tokens = [
        s.admin.clone(),
        s.app.create_token(Role::Officer, None, None).unwrap(),
        s.app.create_token(Role::Agency, None, None).unwrap(),
        s.app.create_token(Role::Hr, Some(INST), None).unwrap(),
    ];
    let spec: Value = serde_json::from_str(include_str!("../docs/openapi.json")).unwrap();
    let ctx = gen::Context { people, institutions: vec![INST.into(), PHARMACY.into()] };
    let files = gen::upload_seeds();
    let routes: Vec<_> = ROUTES.iter().filter(|r| matches!(r.method, "POST" | "PUT" | "DELETE" | "PATCH")).collect();
    assert!(routes.len() >= 30, "every writing route: {}", routes.len());
    let mut rng = StdRng::seed_from_u64(seed_value);
    let (started, mut n, mut classes) = (Instant::now(), 0usize, [0usize; 3]);
    while started.elapsed() < Duration::from_secs(secs) || n < routes.len() {
        // Every route once first, then at random.
        let route = if n < routes.len() { routes[n] } else { routes[rng.gen_range(0..routes.len())] };
        let path = gen::fill_path(route.path, &ctx, &mut rng);
        let op = spec["paths"]
            .get(route.path.trim_start_matches("/api/v1"))
            .and_then(|p| p.get(route.method.to_lowercase()));
        let query = op.map(|op| gen::query(op, &mut rng)).unwrap_or_default();
        let (body, ctype) = match route.body {
            Body::Upload => gen::upload(route.path, &files, &mut rng),
            _ => gen::json_body(&spec, op, &ctx, &mut rng),
        };
        let url = format!("{}{}{}", s.base.trim_end_matches("/api/v1"), path, query);
        let token = &tokens[if rng.gen_bool(0.7) { 0 } else { rng.gen_range(1..tokens.len()) }];
        let (status, answer_type, text) = send(route.method, &url, token, &body, &ctype);
        check_answer(status, answer_type.as_deref(), &text, || shown(route.method, &url, &body, &ctype));
        classes[usize::from(status / 100).clamp(2, 4) - 2] += 1;
        n += 1;
    }
    let report = s.app.verify().expect("verify runs");
    assert!(report.differences.is_empty(), "projections differ after fuzzing: {:?}", report.differences);
    assert!(report.chain.breaks.is_empty(), "hash chains break after fuzzing: {:?}", report.chain.breaks);
    (n, classes)
}

#[test]
fn random_and_mutated_requests_to_every_writing_route_on_both_databases() {
    let secs = std::env::var("JIFEN_FUZZ_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let seed_value = std::env::var("JIFEN_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(rand::random);
    eprintln!("JIFEN_FUZZ_SEED={seed_value} replays this run");
    for db in common::all() {
        let started = Instant::now();
        let (n, [ok, redirect, client]) = run(&db, secs, seed_value);
        eprintln!(
            "{}: {n} requests in {:.1} s (seed {seed_value}): {ok} 2xx, {redirect} 3xx, {client} 4xx, 0 5xx",
            db.backend,
            started.elapsed().as_secs_f64()
        );
        assert!(client > 0 && ok > 0, "the run reached both refusals and writes");
    }
}

/// Found by the run above: a calendar upload linked the chain and the audit to
/// `calendar_years:<year>` instead of the row's id, so `verify` failed after any upload.
#[test]
fn a_calendar_uploaded_twice_keeps_every_chain_whole() {
    for db in common::all() {
        let s = common::spawn(&db);
        let text = include_str!("../data/calendar/2025.toml");
        for _ in 0..2 {
            let (st, b) = common::call_raw(
                "POST",
                &format!("{}/calendar/years", s.base),
                Some(&s.admin),
                text.as_bytes(),
                "application/toml",
            );
            assert_eq!(st, 201, "{}: {b}", db.backend);
        }
        let report = s.app.verify().unwrap();
        assert!(report.chain.breaks.is_empty() && report.differences.is_empty(), "{}: {report:?}", db.backend);
    }
}

/// Found by `tests/fuzz.rs`: an amount of 27 digits or more overflowed the decimal
/// multiplication of `Fen::parse_yuan` (a panic: rust_decimal's "Multiplication overflowed").
#[test]
fn an_amount_too_large_for_a_decimal_is_a_422_not_a_crash() {
    for db in common::all() {
        let s = common::spawn(&db);
        let people = seed(&s);
        let huge = "79228162514264337593543950335";
        let line = json!({"personnel_code": people[2], "institution_code": INST, "service_date": "2024-06-01", "amount": huge});
        let inspection = json!({"institution_code": INST, "inspected_on": "2024-07-01", "decided_on": "2024-07-01",
            "violations": [{"personnel_code": people[3], "items": ["1.1"], "fund_loss": huge}]});
        for (path, body) in [("/eligibility/check", json!({"lines": [line]})), ("/inspections", inspection)] {
            let url = format!("{}{path}", s.base);
            let (status, ctype, text) =
                send("POST", &url, &s.admin, &serde_json::to_vec(&body).unwrap(), "application/json");
            check_answer(status, ctype.as_deref(), &text, || format!("{}: POST {path} {body}", db.backend));
            assert_eq!(status, 422, "{}: {path}: {text}", db.backend);
        }
    }
}

/// Found by the run above (PostgreSQL only): a UTF-16 roster cut at odd bytes decodes to
/// cells holding NUL; the rejected rows' cells and the header are kept with the report, and
/// PostgreSQL refused the NUL — a 500. Every upload route now answers it below 500.
#[test]
fn a_utf16_file_cut_at_odd_bytes_is_refused_or_reported_not_a_500() {
    let file = std::fs::read(format!(
        "{}/tests/fixtures/fuzz/roster_utf16be_cut_at_odd_bytes.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    for db in common::all() {
        let s = common::spawn(&db);
        seed(&s);
        for path in [
            format!("/rosters/{INST}?mode=snapshot&commit=false"),
            format!("/rosters/{INST}?commit=true&partial=true"),
            "/training-tests/batch".to_string(),
            "/inspections/batch".to_string(),
        ] {
            let url = format!("{}{path}", s.base);
            let (status, ctype, text) = send("POST", &url, &s.admin, &file, "text/csv");
            check_answer(status, ctype.as_deref(), &text, || format!("{}: POST {path}", db.backend));
        }
        let report = s.app.verify().unwrap();
        assert!(report.chain.breaks.is_empty() && report.differences.is_empty(), "{}: {report:?}", db.backend);
    }
}
