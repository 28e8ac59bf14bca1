//! Violation recording over HTTP: 32 clients, each inspection 1–3 violations; sustained
//! deductions per second and p99 latency on SQLite (and PostgreSQL when BENCH_DATABASE_URL or
//! TEST_DATABASE_URL is set), against baselines measured in the same run on the same database:
//! single-row insert-and-commit transactions (the durability floor every recorded violation pays,
//! synchronous=FULL on SQLite), and on SQLite the same load with group commit off.
//!
//!     cargo bench --bench record [-- --quick]

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use jifen::service::institutions::NewInstitution;
use jifen::service::rosters::{RosterMode, UploadOptions};
use jifen::service::App;
use jifen::service::Caller;

const TOKEN: &str = "bench-token";

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut targets = vec![("sqlite", dir.path().join("record.db").to_string_lossy().into_owned())];
    if let Some(pg) = std::env::var("BENCH_DATABASE_URL").ok().or_else(|| std::env::var("TEST_DATABASE_URL").ok()) {
        if !pg.is_empty() {
            let schema = format!("bench_record_{}", std::process::id());
            let mut c: diesel::PgConnection = diesel::Connection::establish(&pg).expect("postgres");
            c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
                .expect("schema");
            let sep = if pg.contains('?') { '&' } else { '?' };
            targets.push(("postgresql", format!("{pg}{sep}options=-csearch_path%3D{schema}")));
        }
    }
    let ungrouped = dir.path().join("ungrouped.db").to_string_lossy().into_owned();
    for (backend, url) in targets {
        let measured = run(backend, &url, quick);
        if backend == "sqlite" {
            // The baseline: the same load, same run, one commit per inspection (before #18).
            std::env::set_var("JIFEN_GROUP_COMMIT", "off");
            let off = run("sqlite_ungrouped", &ungrouped, quick);
            std::env::remove_var("JIFEN_GROUP_COMMIT");
            println!("ratio record_group_commit_vs_one_commit_each_sqlite {:.2} target none", measured / off);
        }
    }
}

/// Deductions per second.
fn run(backend: &str, url: &str, quick: bool) -> f64 {
    let app = App::open(url).expect("open");
    let people = 2_000;
    app.create_institution(
        &Caller::system(),
        &NewInstitution {
            code: "H37081100001".into(),
            name: "基准医院".into(),
            kind: "medical".into(),
            region_code: None,
            agreement_start: "2020-01-01".into(),
            agreement_end: "2030-12-31".into(),
            public: None,
            organization_code: None,
            legal_representative: None,
        },
    )
    .expect("institution");
    let world = jifen::demo::generate(11, people);
    let mut csv = String::from("姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间\n");
    for p in &world.people {
        csv.push_str(&format!("{},{},{},{},2023-01-01\n", p.name, p.id_number, p.category, p.code));
    }
    let opts = UploadOptions { mode: RosterMode::Delta, commit: true, partial: false, confirm_deregister: None };
    app.upload_roster(&Caller::system(), "H37081100001", std::io::Cursor::new(csv.into_bytes()), opts, &mut |_| {})
        .expect("roster");
    let codes: Arc<Vec<String>> = Arc::new(world.people.iter().map(|p| p.code.clone()).collect());

    // Baseline: the same number of single-row insert + commit transactions, same database.
    let n_base = if quick { 300 } else { 2_000 };
    let base = {
        let mut c = app.conn().expect("conn");
        c.batch_execute("CREATE TABLE IF NOT EXISTS bench_floor (id BIGINT NOT NULL, note TEXT NOT NULL)")
            .expect("table");
        let t = Instant::now();
        for k in 0..n_base {
            c.batch_execute(&format!("BEGIN; INSERT INTO bench_floor VALUES ({k}, 'x'); COMMIT;")).expect("insert");
        }
        n_base as f64 / t.elapsed().as_secs_f64()
    };

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let served = app.clone();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let _ = jifen::http::server(served, listener, Some(TOKEN.into())).expect("server").await;
        })
    });
    std::thread::sleep(Duration::from_millis(200));
    let total = if quick { 1_500 } else { 8_000 };
    let clients = 32;
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(if quick { 30 } else { 120 });
    let handles: Vec<_> = (0..clients)
        .map(|_| {
            let next = next.clone();
            let codes = codes.clone();
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().build();
                let mut done = 0usize;
                let mut latencies = Vec::new();
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= total || Instant::now() > deadline {
                        break;
                    }
                    let day = 1 + (k / codes.len()) % 28;
                    // 1–3 violations, each a different person.
                    let n = 1 + k % 3;
                    let violations: Vec<_> = (0..n)
                        .map(|j| serde_json::json!({"personnel_code": codes[(k * 3 + j) % codes.len()], "items": ["1.8"], "note": "病历不规范"}))
                        .collect();
                    let body = serde_json::json!({"institution_code": "H37081100001", "inspected_on": format!("2025-03-{day:02}"),
                        "decided_on": format!("2025-03-{day:02}"), "violations": violations});
                    let sent = Instant::now();
                    let r = agent
                        .post(&format!("http://{addr}/api/v1/inspections"))
                        .set("Authorization", &format!("Bearer {TOKEN}"))
                        .set("Idempotency-Key", &format!("bench-{k}"))
                        .send_json(body);
                    if r.is_ok() {
                        done += n;
                        latencies.push(sent.elapsed());
                    }
                }
                (done, latencies)
            })
        })
        .collect();
    let mut done = 0usize;
    let mut latencies = Vec::new();
    for h in handles {
        let (d, l) = h.join().unwrap_or_default();
        done += d;
        latencies.extend(l);
    }
    let rate = done as f64 / started.elapsed().as_secs_f64();
    latencies.sort();
    let p99 = latencies.get(latencies.len() * 99 / 100).map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    println!("figure record_http_deductions_per_second_{backend} {rate:.0} deductions/s");
    println!("figure record_http_p99_{backend} {p99:.1} ms");
    println!("figure record_commit_floor_{backend} {base:.0} transactions/s");
    println!("ratio record_vs_commit_floor_{backend} {:.2} target none", rate / base);
    if backend == "sqlite" || backend == "postgresql" {
        println!("ratio record_http_deductions_per_second_{backend} {rate:.0} target 2000");
    }
    rate
}
