//! The dashboard on a province: `App::dashboard` (every figure of `/dashboard`, aggregated in SQL)
//! for the whole city, one county, and one category in the city, on a database that is built once
//! and kept (building 10⁶ practitioners takes a while; measuring again after a change should not).
//! Issue 15's budget: under 2 s on a 10⁶-practitioner province.
//!
//!     cargo bench --bench dashboard -- --practitioners 1000000 --db target/province.db
//!
//! Without `--db` the database is a temporary file. `--build-only` stops after building. Each
//! dashboard line is printed with the same figures computed the slow way (from the facts, as
//! before the dashboard's projections) and the count of people, both from the same run.

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

fn arg<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|a| a == name).and_then(|k| args.get(k + 1)).map(String::as_str)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let people: usize =
        arg(&args, "--practitioners").and_then(|n| n.parse().ok()).unwrap_or(if quick { 6_000 } else { 60_000 });
    let dir = tempfile::tempdir().expect("tempdir");
    let db = arg(&args, "--db")
        .map_or_else(|| dir.path().join("province.db").to_string_lossy().into_owned(), str::to_string);
    let app = App::open(&db).expect("open");
    let sys = Caller::system();
    let filled = {
        let mut c = app.conn().expect("conn");
        jifen::store::facts::institution_count(&mut c).expect("count") > 0
    };
    if filled {
        println!("figure dashboard_db_reused {db}");
    } else {
        let started = Instant::now();
        let world = jifen::demo::generate(2024, people);
        jifen::demo::load(&app, &sys, &world, &mut |m| println!("  {m}")).expect("demo province");
        println!("figure dashboard_province_practitioners {} practitioners", world.people.len());
        println!("figure dashboard_province_load {:.1} s", started.elapsed().as_secs_f64());
    }
    if args.iter().any(|a| a == "--build-only") {
        return;
    }

    let runs = if quick { 3 } else { 5 };
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
    println!("figure dashboard_baseline_count_people {baseline:.1} ms");
    let city = app.stats_scope(&sys, Some(2025), None).expect("scope");
    let county = app.stats_scope(&sys, Some(2025), Some("370811")).expect("scope");
    let nurses = app.stats_scope_in(&sys, Some(2025), None, Some("nurse")).expect("scope");
    type Figure<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let parts: [Figure; 6] = [
        ("deductions", Box::new(|| drop(app.stats_deductions(&sys, &city).expect("figures")))),
        ("statuses", Box::new(|| drop(app.stats_statuses(&sys, &city).expect("figures")))),
        ("items", Box::new(|| drop(app.stats_items(&sys, &city).expect("figures")))),
        ("institutions", Box::new(|| drop(app.stats_institutions(&sys, &city, 15).expect("figures")))),
        ("training_tests", Box::new(|| drop(app.stats_training_tests(&sys, &city).expect("figures")))),
        ("objections", Box::new(|| drop(app.stats_objections(&sys, &city).expect("figures")))),
    ];
    for (name, f) in &parts {
        println!("figure dashboard_part_{name} {:.1} ms", median_ms(runs, f));
    }
    for (name, scope) in [("city", &city), ("county", &county), ("city_nurses", &nurses)] {
        let ms = median_ms(runs, || {
            std::hint::black_box(app.dashboard(&sys, scope).expect("dashboard"));
        });
        // The same figures the slow way (the SQL over every registration and test that ran
        // before the dashboard's projections), in the same run.
        let facts = scope.clone().from_facts();
        let slow = median_ms(if quick { 1 } else { 3 }, || {
            std::hint::black_box(app.dashboard(&sys, &facts).expect("dashboard"));
        });
        println!("figure dashboard_{name} {ms:.1} ms");
        println!("figure dashboard_{name}_from_facts {slow:.1} ms");
        println!("ratio dashboard_{name}_vs_from_facts {:.3} target none", ms / slow.max(1e-6));
        println!("ratio dashboard_{name}_vs_count_people {:.2} target none", ms / baseline.max(1e-6));
        println!("ratio dashboard_{name}_ms {ms:.1} target 2000");
    }
}
