//! The exclusion list and its change feed on the demo city (issue 19's budgets: the full list of
//! a 10⁶-practitioner province, ≈ 1 % excluded, under 2 s; 10⁵ changes served under 2 s; an idle
//! long poll costs no CPU). The city is built once into `--db` and reused.
//!
//!     cargo bench --bench feed -- --db target/city.db            # 60 000 practitioners
//!     cargo bench --bench feed -- --db target/city.db --quick
//!
//! Prints `figure` and `ratio` lines; the list's time is extrapolated to 10⁴ listed rows (1 % of
//! 10⁶) from its time per listed row here, beside a same-run baseline (counting those rows).

use std::time::{Duration, Instant};

use jifen::service::exports::ListFile;
use jifen::service::{App, Caller};

fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn arg<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|a| a == name).and_then(|k| args.get(k + 1)).map(String::as_str)
}

/// User + system CPU time of this process (Linux `/proc/self/stat`, clock ticks of 10 ms).
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |k: usize| fields.get(k).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) * 10.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let people: usize =
        arg(&args, "--practitioners").and_then(|n| n.parse().ok()).unwrap_or(if quick { 6_000 } else { 60_000 });
    let dir = tempfile::tempdir().expect("tempdir");
    let db =
        arg(&args, "--db").map_or_else(|| dir.path().join("city.db").to_string_lossy().into_owned(), str::to_string);
    let app = App::open(&db).expect("open");
    let sys = Caller::system();
    if app.feed_head().expect("head") == 0 {
        let started = Instant::now();
        let world = jifen::demo::generate(2024, people);
        jifen::demo::load(&app, &sys, &world, &mut |m| println!("  {m}")).expect("demo city");
        println!("figure feed_city_load {:.1} s ({} practitioners)", started.elapsed().as_secs_f64(), people);
    }
    let runs = if quick { 3 } else { 5 };
    // The day with the most exclusions in the demo city's two years (institutions suspended
    // in 2025, personal sanctions running).
    let on = arg(&args, "--date")
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_else(|| chrono::NaiveDate::from_ymd_opt(2025, 7, 1).expect("date"));

    // The full list.
    let listed = app.status_list(&sys, on).expect("list").items.len().max(1);
    let baseline = median_ms(runs, || {
        let mut c = app.conn().expect("conn");
        std::hint::black_box(jifen::store::standing::refused_on(&mut c, on).expect("runs"));
    });
    let csv = median_ms(runs, || {
        std::hint::black_box(app.list_file(&sys, ListFile::Practitioners, on, None).expect("list"));
    });
    let per_row = csv / listed as f64;
    println!("figure feed_list_rows {listed} rows");
    println!("figure feed_list_baseline_refused_runs {baseline:.1} ms");
    println!("figure feed_list_json {csv:.1} ms ({per_row:.3} ms a row)");
    println!("ratio feed_list_10k_rows_ms {:.0} target 2000", per_row * 10_000.0);
    let inst = median_ms(runs, || {
        std::hint::black_box(app.list_file(&sys, ListFile::Institutions, on, None).expect("list"));
    });
    println!("figure feed_institution_list_json {inst:.1} ms");

    // The feed: every change from 0, as a consumer reads it, 10 000 at a time.
    let head = app.feed_head().expect("head");
    let started = Instant::now();
    let (mut after, mut served) = (0, 0usize);
    while served < 100_000 {
        let page = app.changes(&sys, after, 10_000).expect("page");
        if page.changes.is_empty() {
            break;
        }
        served += page.changes.len();
        after = page.next_after;
        std::hint::black_box(serde_json::to_vec(&page).expect("json"));
    }
    let secs = started.elapsed().as_secs_f64();
    println!("figure feed_changes_served {served} of {head} in {secs:.2} s");
    println!("ratio feed_100k_changes_ms {:.0} target 2000", secs * 1000.0 * 100_000.0 / served.max(1) as f64);

    // A replica following the feed every 200 ms (as `serve --read-only`): the time from a
    // commit on the primary to the replica's index answering with it (no replication here).
    let replica = App::open_read_only(&db).expect("replica");
    let mut after = replica.feed_head().expect("head");
    let follower = replica.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopped = stop.clone();
    let handle = std::thread::spawn(move || {
        while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(200));
            after = follower.follow_feed(after).expect("follow");
        }
    });
    let inst = {
        let mut c = app.conn().expect("conn");
        jifen::store::agency_pages::institutions_all(&mut c).expect("institutions")[0].code.clone()
    };
    let code = format!("D370811{:06}", 990_000 + head % 9_999);
    app.register(
        &sys,
        &jifen::service::registrations::NewRegistration {
            institution_code: inst.clone(),
            personnel_code: code.clone(),
            name: "测试".into(),
            id_number: "370811198001011231".into(),
            category: "physician".into(),
            registered_on: "2024-01-01".into(),
            phone: None,
        },
    )
    .expect("register");
    let started = Instant::now();
    while replica.index.site_status(&code, &inst, on).is_none() {
        std::thread::sleep(Duration::from_millis(1));
    }
    println!(
        "figure feed_replica_lag {:.0} ms (commit to the replica's index, following every 200 ms)",
        started.elapsed().as_secs_f64() * 1000.0
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = handle.join();

    // An idle long poll: the process's CPU time while one waits 5 s for a change that never comes.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let served_app = app.clone();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let o = jifen::http::Options { admin_token: Some("bench".into()), ..Default::default() };
            let _ = jifen::http::server_with_options(served_app, listener, o).expect("server").await;
        })
    });
    std::thread::sleep(Duration::from_millis(500));
    let head = app.feed_head().expect("head");
    let url = format!("http://127.0.0.1:{port}/api/v1/changes?after={head}&wait=5");
    let cpu = cpu_ms();
    let started = Instant::now();
    let r = ureq::get(&url).set("Authorization", "Bearer bench").call().expect("long poll");
    let waited = started.elapsed().as_secs_f64();
    println!("figure feed_idle_long_poll {waited:.1} s waited, {:.0} ms CPU (status {})", cpu_ms() - cpu, r.status());
}
