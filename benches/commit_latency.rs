//! Single inspections while a large training-test file commits (issue 11): the p99 latency of
//! `POST /inspections` over real HTTP (the actix server of this bench process, release build,
//! keep-alive, 2 clients) while a 10⁵-row file (10⁴ with `--quick`) is previewed, checked and
//! committed through `POST /training-tests/batch?commit=true&async=true`, beside the p99 of the
//! same requests without the file, in the same run. Answers are counted by kind: a busy database
//! is 503 `busy` with `Retry-After` (counted, fine), never a 500 (counted, a failure).
//! SQLite, and PostgreSQL when BENCH_DATABASE_URL or TEST_DATABASE_URL is set.
//!
//!     cargo bench --bench commit_latency [-- --quick] [--postgres-only]

use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use jifen::service::institutions::NewInstitution;
use jifen::service::rosters::{RosterMode, UploadOptions};
use jifen::service::{App, Caller};

const TOKEN: &str = "bench-token";
const BIG: &str = "H37081100001";
const SMALL: &str = "H37081100002";

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut targets = vec![("sqlite", dir.path().join("latency.db").to_string_lossy().into_owned())];
    // `--postgres-only`: the PostgreSQL line alone (the SQLite one takes minutes at full size).
    if std::env::args().any(|a| a == "--postgres-only") {
        targets.clear();
    }
    if let Some(pg) = std::env::var("BENCH_DATABASE_URL").ok().or_else(|| std::env::var("TEST_DATABASE_URL").ok()) {
        if !pg.is_empty() {
            let schema = format!("bench_latency_{}", std::process::id());
            let mut c: diesel::PgConnection = diesel::Connection::establish(&pg).expect("postgres");
            c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
                .expect("schema");
            let sep = if pg.contains('?') { '&' } else { '?' };
            targets.push(("postgresql", format!("{pg}{sep}options=-csearch_path%3D{schema}")));
        }
    }
    for (backend, url) in targets {
        run(backend, &url, quick);
    }
}

fn institution(app: &App, code: &str) {
    app.create_institution(
        &Caller::system(),
        &NewInstitution {
            code: code.into(),
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
}

/// What the clients saw in one window.
#[derive(Default)]
struct Window {
    /// Milliseconds of every answer.
    ms: Vec<f64>,
    created: usize,
    busy: usize,
    /// A 503 without `Retry-After`, any 5xx other than 503, or no answer.
    errors: usize,
}

impl Window {
    fn p(&self, q: f64) -> f64 {
        let mut v = self.ms.clone();
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            return f64::NAN;
        }
        v[((v.len() as f64 - 1.0) * q).round() as usize]
    }
}

fn run(backend: &str, url: &str, quick: bool) {
    let app = App::open(url).expect("open");
    let rows = if quick { 10_000 } else { 100_000 };
    institution(&app, BIG);
    institution(&app, SMALL);
    // The file's people at one institution, the inspected people (not in the file) at another.
    let world = jifen::demo::generate(29, rows + 2_000);
    let (tested, inspected) = world.people.split_at(rows);
    for (inst, people) in [(BIG, tested), (SMALL, inspected)] {
        let mut csv = String::from("姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间\n");
        for p in people {
            csv.push_str(&format!("{},{},{},{},2023-01-01\n", p.name, p.id_number, p.category, p.code));
        }
        let opts = UploadOptions { mode: RosterMode::Delta, commit: true, partial: false, confirm_deregister: None };
        app.upload_roster(&Caller::system(), inst, std::io::Cursor::new(csv.into_bytes()), opts, &mut |_| {})
            .expect("roster");
    }
    // The test centre's file: every score with its half, all passes (测试形式 by age).
    let mut file = String::from("医保对应代码,姓名,考试日期,考试方式,成绩（分）,考试结果\n");
    for p in tested {
        file.push_str(&format!("{},{},2026-06-01,机考,85.5,合格\n", p.code, p.name));
    }
    let codes: Arc<Vec<String>> = Arc::new(inspected.iter().map(|p| p.code.clone()).collect());

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let served = app.clone();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let _ = jifen::http::server(served, listener, Some(TOKEN.into())).expect("server").await;
        })
    });
    std::thread::sleep(Duration::from_millis(200));
    let next = Arc::new(AtomicUsize::new(0));

    // Baseline: the same requests, nothing else running.
    let baseline = inspections(addr, &codes, &next, Duration::from_secs(if quick { 4 } else { 15 }), None);

    // The file: committed as a job; the clients run until it has finished.
    let agent = ureq::AgentBuilder::new().build();
    let started = Instant::now();
    let answer: serde_json::Value = agent
        .post(&format!("http://{addr}/api/v1/training-tests/batch?commit=true&async=true"))
        .set("Authorization", &format!("Bearer {TOKEN}"))
        .set("Content-Type", "text/csv")
        .send_bytes(file.as_bytes())
        .expect("start the job")
        .into_json()
        .expect("json");
    let job = answer["url"].as_str().expect("job url").to_string();
    let writing = Arc::new(AtomicBool::new(false));
    let finished = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (writing, finished) = (writing.clone(), finished.clone());
        std::thread::spawn(move || {
            let agent = ureq::AgentBuilder::new().build();
            let mut write_started = None;
            loop {
                let v: serde_json::Value = agent
                    .get(&format!("http://{addr}{job}"))
                    .set("Authorization", &format!("Bearer {TOKEN}"))
                    .call()
                    .expect("job")
                    .into_json()
                    .expect("json");
                if v["phase"] == "writing" && write_started.is_none() {
                    write_started = Some(Instant::now());
                    writing.store(true, Ordering::SeqCst);
                }
                if v["state"] != "running" {
                    finished.store(true, Ordering::SeqCst);
                    return (v, write_started.map(|t| t.elapsed()));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let during = inspections(addr, &codes, &next, Duration::from_secs(3600), Some((writing, finished)));
    let (outcome, write_time) = watcher.join().expect("watcher");
    let took = started.elapsed().as_secs_f64();
    let recorded = outcome["result"]["counts"]["accepted"].as_u64().unwrap_or(0);
    assert_eq!(outcome["state"], "done", "{outcome}");
    assert!(outcome["result"]["committed"] == true, "the file was committed: {}", outcome["result"]["counts"]);

    let ms = |w: &Window, q: f64| w.p(q);
    println!("figure test_file_commit_{backend} {took:.1} s ({recorded} rows, async job)");
    if let Some(w) = write_time {
        println!("figure test_file_writing_phase_{backend} {:.1} s", w.as_secs_f64());
    }
    for (name, w) in [("baseline", &baseline), ("during_commit", &during)] {
        println!(
            "figure inspection_p99_{name}_{backend} {:.1} ms (p50 {:.1} ms, max {:.1} ms, {} answers: {} created, {} busy 503, {} errors)",
            ms(w, 0.99),
            ms(w, 0.5),
            ms(w, 1.0),
            w.ms.len(),
            w.created,
            w.busy,
            w.errors
        );
    }
    println!("figure inspection_busy_during_commit_{backend} {} answers (503 busy with Retry-After)", during.busy);
    println!(
        "figure inspection_errors_during_commit_{backend} {} answers (500 or 503 without Retry-After)",
        during.errors
    );
    println!(
        "ratio inspection_p99_during_commit_vs_baseline_{backend} {:.1} target none",
        ms(&during, 0.99) / ms(&baseline, 0.99)
    );
    println!("ratio inspection_500s_during_commit_{backend} {} target 0", during.errors);
}

/// Two clients sending single `POST /inspections` (one 1-point violation each, a new key each)
/// for `time`, or — with `until` — from the moment the file's writing phase starts until the job
/// has finished (the answers before the writing phase are not counted).
fn inspections(
    addr: SocketAddr,
    codes: &Arc<Vec<String>>,
    next: &Arc<AtomicUsize>,
    time: Duration,
    until: Option<(Arc<AtomicBool>, Arc<AtomicBool>)>,
) -> Window {
    let seen = Arc::new(Mutex::new(Window::default()));
    let end = Instant::now() + time;
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (codes, next, seen, until) = (codes.clone(), next.clone(), seen.clone(), until.clone());
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(60)).build();
                loop {
                    if Instant::now() > end || until.as_ref().is_some_and(|(_, done)| done.load(Ordering::SeqCst)) {
                        break;
                    }
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    // A different person each time: a few 1-point deductions each.
                    let code = &codes[k % codes.len()];
                    let day = 1 + (k / codes.len()) % 28;
                    let body = serde_json::json!({"institution_code": SMALL, "inspected_on": format!("2026-02-{day:02}"),
                        "decided_on": format!("2026-02-{day:02}"),
                        "violations": [{"personnel_code": code, "items": ["1.8"], "note": "病历不规范"}]});
                    let t = Instant::now();
                    let r = agent
                        .post(&format!("http://{addr}/api/v1/inspections"))
                        .set("Authorization", &format!("Bearer {TOKEN}"))
                        .set("Idempotency-Key", &format!("latency-{k}"))
                        .send_json(body);
                    let ms = t.elapsed().as_secs_f64() * 1e3;
                    if until.as_ref().is_some_and(|(writing, _)| !writing.load(Ordering::SeqCst)) {
                        continue;
                    }
                    let mut w = seen.lock().unwrap_or_else(|e| e.into_inner());
                    w.ms.push(ms);
                    match r {
                        Ok(_) => w.created += 1,
                        Err(ureq::Error::Status(503, resp)) if resp.header("Retry-After").is_some() => {
                            w.busy += 1;
                            drop(w);
                            // As a client told to come back later does.
                            std::thread::sleep(Duration::from_millis(200));
                        }
                        Err(_) => w.errors += 1,
                    }
                }
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
    Arc::try_unwrap(seen).ok().map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner())).unwrap_or_default()
}
