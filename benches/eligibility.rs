//! Claims screening speed, each figure with a baseline measured in the same run, so the noisy
//! shared machine cancels out. Prints `figure <name> <value> <unit>` and
//! `ratio <name> <value> target <target>` lines.
//!
//!     cargo bench --bench eligibility            # full
//!     cargo bench --bench eligibility -- --quick # a few seconds

use std::collections::HashMap;
use std::hint::black_box;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use jifen::service::eligibility::ClaimLine;
use jifen::service::App;
use jifen::service::Caller;
use jifen::store::projections::IntervalRow;

const TOKEN: &str = "bench-token";

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let people: usize = if quick { 20_000 } else { 60_000 };
    let dir = tempfile::tempdir().expect("tempdir");
    let app = App::open(&dir.path().join("bench.db").to_string_lossy()).expect("open");
    let (rows, keys) = synthetic_city(people);
    app.index.replace_all(rows);

    in_process(&app, &keys, quick);
    http(&app, &keys, quick);
}

/// A city's status runs: each person at one or two sites, a tenth of them suspended for a while.
fn synthetic_city(people: usize) -> (Vec<IntervalRow>, Vec<(String, String)>) {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    let mut rows = Vec::new();
    let mut keys = Vec::new();
    for k in 0..people {
        let p = format!("D370811{k:06}");
        let i = format!("H37081100{:03}", k % 1000);
        if k.is_multiple_of(10) {
            rows.push(row(&p, &i, d("2023-01-01"), Some(d("2024-04-15")), "active"));
            rows.push(row(&p, &i, d("2024-04-15"), Some(d("2024-07-15")), "suspended"));
            rows.push(row(&p, &i, d("2024-07-15"), None, "active"));
        } else {
            rows.push(row(&p, &i, d("2023-01-01"), None, "active"));
        }
        if k.is_multiple_of(20) {
            rows.push(row(&p, "H37081200001", d("2023-06-01"), None, "active"));
        }
        keys.push((p, i));
    }
    (rows, keys)
}

fn row(p: &str, i: &str, from: NaiveDate, until: Option<NaiveDate>, status: &str) -> IntervalRow {
    IntervalRow {
        personnel_code: p.into(),
        institution_code: i.into(),
        from_on: from,
        until_on: until,
        status: jifen::rules::SiteStatus::parse(status).expect("a site status"),
    }
}

fn line(p: &str, i: &str, k: usize) -> ClaimLine {
    ClaimLine {
        personnel_code: p.to_string(),
        institution_code: i.to_string(),
        service_date: if k.is_multiple_of(2) { "2024-05-01".into() } else { "2024-09-01".into() },
        emergency: k.is_multiple_of(7),
        amount: Some(serde_json::Value::String("12.30".into())),
    }
}

fn in_process(app: &App, keys: &[(String, String)], quick: bool) {
    let n = if quick { 200_000 } else { 2_000_000 };
    let date = NaiveDate::from_ymd_opt(2024, 5, 1).expect("date");
    // Baseline: a bare HashMap lookup of the same keys.
    let plain: HashMap<&str, u8> = keys.iter().map(|(p, _)| (p.as_str(), 1)).collect();
    let t = Instant::now();
    for k in 0..n {
        black_box(plain.get(keys[k % keys.len()].0.as_str()));
    }
    let base = t.elapsed();
    let t = Instant::now();
    for k in 0..n {
        let (p, i) = &keys[k % keys.len()];
        black_box(app.index.site_status(p, i, date));
    }
    let index = t.elapsed();
    let per_sec = n as f64 / index.as_secs_f64();
    println!("figure eligibility_single_in_process {per_sec:.0} lines/s");
    println!("figure eligibility_single_in_process_latency {:.0} ns", index.as_nanos() as f64 / n as f64);
    println!("ratio eligibility_index_vs_hashmap {:.2} target none", index.as_secs_f64() / base.as_secs_f64());

    let batch_n = if quick { 100_000 } else { 1_000_000 };
    let lines: Vec<ClaimLine> =
        (0..batch_n).map(|k| line(&keys[k % keys.len()].0, &keys[k % keys.len()].1, k)).collect();
    let t = Instant::now();
    let r = app.check_claims(&Caller::system(), &lines).expect("batch");
    let took = t.elapsed();
    black_box(&r);
    println!("figure eligibility_batch_{batch_n}_in_process {:.3} s", took.as_secs_f64());
    println!("ratio eligibility_batch_1e6_seconds {:.3} target 2", took.as_secs_f64() * 1_000_000.0 / batch_n as f64);
}

fn http(app: &App, keys: &[(String, String)], quick: bool) {
    let jifen = TcpListener::bind("127.0.0.1:0").expect("bind");
    let jifen_addr = jifen.local_addr().expect("addr");
    let constant = TcpListener::bind("127.0.0.1:0").expect("bind");
    let constant_addr = constant.local_addr().expect("addr");
    let served = app.clone();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let a = jifen::http::server(served, jifen, Some(TOKEN.into())).expect("server");
            let b = actix_web::HttpServer::new(|| {
                actix_web::App::new().route(
                    "/api/v1/eligibility/check",
                    // Reads the body, as any real handler must for keep-alive to hold.
                    actix_web::web::post().to(|_body: actix_web::web::Bytes| async {
                        actix_web::HttpResponse::Ok().content_type("application/json").body(
                            r#"{"lines":[{"payable":true,"reason":"active","status":"active","article":"五(二)"}],"refused_amount":"0.00","lines_checked":1,"lines_refused":0}"#,
                        )
                    }),
                )
            })
            .listen(constant)
            .expect("listen")
            .run();
            let _ = futures_util::future::join(a, b).await;
        })
    });
    std::thread::sleep(Duration::from_millis(300));
    let requests = if quick { 4_000 } else { 40_000 };
    let clients = 4;
    // Warm both up, then alternate and keep each one's best round.
    load(constant_addr, keys, 1_000, clients);
    load(jifen_addr, keys, 1_000, clients);
    let best = |a: (f64, f64, f64), b: (f64, f64, f64)| if b.0 > a.0 { b } else { a };
    let mut base = (0.0, 0.0, 0.0);
    let mut ours = (0.0, 0.0, 0.0);
    for _ in 0..2 {
        base = best(base, load(constant_addr, keys, requests, clients));
        ours = best(ours, load(jifen_addr, keys, requests, clients));
    }
    let ((base_rps, base_p50, base_p99), (rps, p50, p99)) = (base, ours);
    println!("figure http_eligibility_single_rps {rps:.0} requests/s");
    println!("figure http_eligibility_single_p50 {:.3} ms", p50 * 1e3);
    println!("figure http_eligibility_single_p99 {:.3} ms", p99 * 1e3);
    println!("figure http_constant_handler_rps {base_rps:.0} requests/s");
    println!("figure http_constant_handler_p50 {:.3} ms", base_p50 * 1e3);
    println!("figure http_constant_handler_p99 {:.3} ms", base_p99 * 1e3);
    println!("ratio http_eligibility_vs_constant {:.2} target 0.5", rps / base_rps);
    println!("ratio http_eligibility_p99_ms {:.3} target 2", p99 * 1e3);

    let lines: Vec<serde_json::Value> = (0..100_000)
        .map(|k| serde_json::to_value(line(&keys[k % keys.len()].0, &keys[k % keys.len()].1, k)).expect("json"))
        .collect();
    let body = serde_json::json!({ "lines": lines }).to_string();
    let t = Instant::now();
    let res = ureq::post(&format!("http://{jifen_addr}/api/v1/eligibility/check"))
        .set("Authorization", &format!("Bearer {TOKEN}"))
        .set("Content-Type", "application/json")
        .send_string(&body)
        .expect("batch");
    let text = res.into_string().expect("body");
    let took = t.elapsed();
    assert!(text.contains("refused_amount"));
    println!("figure http_eligibility_batch_100000 {:.3} s", took.as_secs_f64());
    println!("figure http_eligibility_batch_100000_bytes {} bytes", body.len());
}

/// `requests` single-line checks from `clients` keep-alive connections; (rps, p50, p99) seconds.
fn load(addr: std::net::SocketAddr, keys: &[(String, String)], requests: usize, clients: usize) -> (f64, f64, f64) {
    let url = format!("http://{addr}/api/v1/eligibility/check");
    let started = Instant::now();
    let deadline = started + Duration::from_secs(120);
    let per = requests / clients;
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let url = url.clone();
            let bodies: Vec<String> = (0..per)
                .map(|k| {
                    let (p, i) = &keys[(c * per + k) % keys.len()];
                    serde_json::json!({"lines": [line(p, i, k)]}).to_string()
                })
                .collect();
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().max_idle_connections_per_host(1).build();
                let mut lat = Vec::with_capacity(bodies.len());
                for b in &bodies {
                    if Instant::now() > deadline {
                        break;
                    }
                    let t = Instant::now();
                    let r = agent
                        .post(&url)
                        .set("Authorization", &format!("Bearer {TOKEN}"))
                        .set("Content-Type", "application/json")
                        .send_string(b)
                        .expect("request");
                    black_box(r.into_string().expect("body"));
                    lat.push(t.elapsed().as_secs_f64());
                }
                lat
            })
        })
        .collect();
    let mut all: Vec<f64> = handles.into_iter().flat_map(|h| h.join().expect("client")).collect();
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_by(|a, b| a.total_cmp(b));
    let pick = |q: f64| all.get(((all.len() as f64 - 1.0) * q) as usize).copied().unwrap_or(0.0);
    (all.len() as f64 / elapsed, pick(0.5), pick(0.99))
}
