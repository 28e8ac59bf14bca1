//! The engine: recompute 10⁶ practitioner-years (time, peak memory) against a baseline that
//! only sums the same deductions per year (reading the ledger, no rules); and a whole city
//! rebuilt from the ledger by `verify` (facts read from SQLite, engine, projections compared).
//!
//!     cargo bench --bench engine [-- --quick]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

use chrono::NaiveDate;
use jifen::rules::{
    self, DeductionFact, InstitutionFacts, PackSet, PractitionerFacts, RegistrationFact, TestFact, TestFormat,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const ITEMS: [&str; 8] = ["1.1", "1.2", "1.8", "3.2", "3.4", "6.1", "6.4", "12.5"];

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn practitioner(rng: &mut StdRng, k: usize, inst: &InstitutionFacts) -> PractitionerFacts {
    let mut deductions = Vec::new();
    // Most people have nothing; a tail has several deductions a year.
    let n = match rng.gen_range(0..100) {
        0..=69 => 0,
        70..=89 => rng.gen_range(1..3),
        _ => rng.gen_range(3..10),
    };
    for j in 0..n {
        let item = ITEMS[rng.gen_range(0..ITEMS.len()) * usize::from(rng.gen_bool(0.3)) % ITEMS.len()];
        deductions.push(DeductionFact {
            id: (k * 16 + j) as i64,
            inspection: (k * 16 + j) as i64,
            institution_code: inst.code.clone(),
            decided_on: d(2024 + rng.gen_range(0..4), rng.gen_range(1..13), rng.gen_range(1..29)),
            items: vec![item.to_string()],
            chosen_points: None,
            ban_months: None,
            revoked: rng.gen_bool(0.05),
        });
    }
    PractitionerFacts {
        personnel_code: format!("D370811{k:06}"),
        birth_date: d(1970, 1, 1),
        registrations: vec![RegistrationFact {
            id: k as i64,
            institution_code: inst.code.clone(),
            registered_on: d(2020, 1, 1),
            deregistered_on: None,
        }],
        deductions,
        tests: vec![TestFact {
            id: k as i64,
            tested_on: d(2025, 10, 20),
            format: TestFormat::Closed,
            score: jifen::domain::Score::from_whole(90),
            passed: rng.gen_bool(0.98),
        }],
        institutions: vec![inst.clone()],
    }
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let packs = PackSet::embedded().expect("packs");
    let inst = InstitutionFacts {
        code: "H37081100001".into(),
        agreement_start: d(2020, 1, 1),
        agreement_end: d(2030, 12, 31),
        events: vec![],
    };
    // Four cycles (2024–2027) each: 250 000 people = 10⁶ practitioner-years.
    let people = if quick { 25_000 } else { 250_000 };
    let years = 4;
    let mut rng = StdRng::seed_from_u64(1);
    let before = peak_rss_kib();
    let mut total_time = 0.0;
    let mut base_time = 0.0;
    let mut sanctions = 0usize;
    // Chunks keep memory bounded: facts are built, evaluated and dropped, as a rebuild would.
    for chunk in 0..10 {
        let facts: Vec<PractitionerFacts> =
            (0..people / 10).map(|k| practitioner(&mut rng, chunk * people + k, &inst)).collect();
        let t = Instant::now();
        for f in &facts {
            let mut per_year: BTreeMap<i32, u32> = BTreeMap::new();
            for x in f.deductions.iter().filter(|x| !x.revoked) {
                *per_year.entry(chrono::Datelike::year(&x.decided_on)).or_default() += x.items.len() as u32;
            }
            black_box(per_year);
        }
        base_time += t.elapsed().as_secs_f64();
        let t = Instant::now();
        for f in &facts {
            let timeline = rules::evaluate(&packs, f).expect("evaluate");
            sanctions += timeline.sanctions.len();
            black_box(timeline);
        }
        total_time += t.elapsed().as_secs_f64();
    }
    let practitioner_years = people * years;
    let peak = peak_rss_kib().max(before);
    println!("figure engine_practitioner_years {practitioner_years} practitioner-years");
    println!("figure engine_sanctions {sanctions} sanctions");
    println!("figure engine_recompute {total_time:.3} s");
    println!("figure engine_recompute_per_second {:.0} practitioner-years/s", practitioner_years as f64 / total_time);
    println!("figure engine_peak_memory {:.0} MiB", peak as f64 / 1024.0);
    println!("ratio engine_vs_summing_only {:.1} target none", total_time / base_time.max(1e-9));
    println!(
        "ratio engine_1e6_practitioner_years_seconds {:.2} target 30",
        total_time * 1e6 / practitioner_years as f64
    );
    println!("ratio engine_peak_memory_gib {:.2} target 1", peak as f64 / 1024.0 / 1024.0);

    // From the ledger: a synthetic city in SQLite, every practitioner rebuilt and compared.
    let dir = tempfile::tempdir().expect("tempdir");
    let app = jifen::service::App::open(&dir.path().join("city.db").to_string_lossy()).expect("open");
    let world = jifen::demo::generate(2024, if quick { 3_000 } else { 20_000 });
    jifen::demo::load(&app, &jifen::service::Caller::system(), &world, &mut |_| {}).expect("load");
    let t = Instant::now();
    let report = app.verify().expect("verify");
    let took = t.elapsed().as_secs_f64();
    assert!(report.differences.is_empty());
    println!("figure verify_from_ledger_practitioners {} practitioners", report.practitioners);
    println!("figure verify_from_ledger {took:.3} s");
    println!("figure verify_from_ledger_per_second {:.0} practitioners/s", report.practitioners as f64 / took);
}
