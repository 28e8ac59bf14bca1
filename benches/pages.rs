//! The dashboard on the demo city: `App::dashboard` (every figure of `/dashboard`, aggregated in
//! SQL) for the whole city and for one county, against a baseline measured in the same run on
//! the same database: one count of the distinct people over every registration, the floor of
//! any figure about the city's people. Issue 15's budget: under 300 ms on the 60 000-practitioner city.
//!
//!     cargo bench --bench pages [-- --quick] [-- --practitioners N]

use std::time::Instant;

use jifen::service::{App, Caller};

/// The median of `runs` timings of `f`, in milliseconds.
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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let people = args
        .iter()
        .position(|a| a == "--practitioners")
        .and_then(|k| args.get(k + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(if quick { 6_000 } else { 60_000 });
    let dir = tempfile::tempdir().expect("tempdir");
    let app = App::open(&dir.path().join("city.db").to_string_lossy()).expect("open");
    let sys = Caller::system();
    let started = Instant::now();
    let world = jifen::demo::generate(2024, people);
    jifen::demo::load(&app, &sys, &world, &mut |_| {}).expect("demo city");
    println!("figure pages_city_practitioners {} practitioners", world.people.len());
    println!("figure pages_city_load {:.1} s", started.elapsed().as_secs_f64());

    let runs = if quick { 5 } else { 11 };
    let baseline = median_ms(runs, || {
        use diesel::prelude::*;
        let mut c = app.conn().expect("conn");
        use jifen::store::schema::registrations::dsl::*;
        let n: i64 = registrations
            .select(diesel::dsl::count(personnel_code).aggregate_distinct())
            .first(&mut *c)
            .expect("count");
        std::hint::black_box(n);
    });
    let city = app.stats_scope(&sys, Some(2025), None).expect("scope");
    let county = app.stats_scope(&sys, Some(2025), Some("370811")).expect("scope");
    let whole = median_ms(runs, || {
        std::hint::black_box(app.dashboard(&sys, &city).expect("dashboard"));
    });
    let one = median_ms(runs, || {
        std::hint::black_box(app.dashboard(&sys, &county).expect("dashboard"));
    });
    type Figure<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let parts: [Figure; 6] = [
        ("deductions", Box::new(|| drop(app.stats_deductions(&sys, &city).expect("figures")))),
        ("statuses", Box::new(|| drop(app.stats_statuses(&sys, &city).expect("figures")))),
        ("items", Box::new(|| drop(app.stats_items(&sys, &city).expect("figures")))),
        ("institutions", Box::new(|| drop(app.stats_institutions(&sys, &city, 15).expect("figures")))),
        ("training_tests", Box::new(|| drop(app.stats_training_tests(&sys, &city).expect("figures")))),
        ("objections", Box::new(|| drop(app.stats_objections(&sys, &city).expect("figures")))),
    ];
    println!("figure pages_baseline_count_people {baseline:.2} ms");
    for (name, f) in &parts {
        println!("figure pages_dashboard_{name} {:.2} ms", median_ms(runs, f));
    }
    println!("figure pages_dashboard_city {whole:.2} ms");
    println!("figure pages_dashboard_county {one:.2} ms");
    println!("ratio pages_dashboard_vs_count_people {:.1} target none", whole / baseline.max(1e-6));
    println!("ratio pages_dashboard_city_ms {whole:.1} target 300");
}
