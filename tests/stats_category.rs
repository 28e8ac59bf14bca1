//! The dashboard's category filter (医保支付资格类别), on both databases: each person has one
//! category, so the figures of the five categories add up to the figures of everyone —
//! deductions and points per month and county, items cited, people by status today and at each
//! month's end, training tests, objections — while the institutions' 30 % (五(三)) and the
//! watch list count all staff whatever the category. And the same filter on
//! `GET /api/v1/stats/*`: named in English, in Chinese or by number; an unknown one is 422.

mod common;

use common::call;
use jifen::domain::codes::Category;
use jifen::service::stats::StatusCounts;
use jifen::service::{App, Caller};

fn add(a: &mut StatusCounts, b: &StatusCounts) {
    a.active += b.active;
    a.active_with_open_interview += b.active_with_open_interview;
    a.suspended += b.suspended;
    a.terminated += b.terminated;
    a.terminated_still_banned += b.terminated_still_banned;
    a.unregistered += b.unregistered;
}

fn check_partition(app: &App, backend: &str, county: Option<&str>) {
    let sys = Caller::system();
    let all = app.dashboard(&sys, &app.stats_scope(&sys, Some(2025), county).expect("scope")).expect("all");
    assert!(all.deductions.total_deductions > 0, "{backend}: the demo city has deductions");
    let mut months = vec![0u64; 12];
    let mut deductions = 0;
    let mut points = 0;
    let mut items: std::collections::BTreeMap<String, u64> = Default::default();
    let mut today = StatusCounts::default();
    let mut month_ends = vec![StatusCounts::default(); all.statuses.months.len()];
    let (mut tests, mut failed, mut filed, mut upheld) = (0, 0, 0, 0);
    let mut with_deductions = 0;
    for c in Category::ALL {
        let scope = app.stats_scope_in(&sys, Some(2025), county, Some(c.as_str())).expect("scope");
        assert_eq!((scope.category, scope.category_name.as_str()), (Some(c), c.name_zh()));
        let d = app.dashboard(&sys, &scope).expect("dashboard");
        with_deductions += usize::from(d.deductions.total_deductions > 0);
        deductions += d.deductions.total_deductions;
        points += d.deductions.total_points;
        for county in &d.deductions.counties {
            for (m, v) in county.points.iter().enumerate() {
                months[m] += v;
            }
        }
        for i in &d.items.items {
            *items.entry(i.code.clone()).or_default() += i.deductions;
        }
        add(&mut today, &d.statuses.today.counts);
        for (k, m) in d.statuses.months.iter().enumerate() {
            add(&mut month_ends[k], &m.counts);
        }
        tests += d.training_tests.tests;
        failed += d.training_tests.failed;
        filed += d.objections.filed;
        upheld += d.objections.upheld;
        // The institutions' figures are the institutions' own: every category sees the same.
        let ratio = |x: &jifen::service::stats::InstitutionStats| {
            x.nearest.iter().map(|r| (r.institution_code.clone(), r.numerator, r.denominator)).collect::<Vec<_>>()
        };
        assert_eq!(ratio(&d.institutions), ratio(&all.institutions), "{backend} {c:?}");
        assert_eq!(d.institutions.watch_list.len(), all.institutions.watch_list.len());
    }
    // With the sums below, this proves the filter narrows: one ignored would count everything five times.
    assert!(with_deductions >= 1, "{backend}");
    assert_eq!((deductions, points), (all.deductions.total_deductions, all.deductions.total_points), "{backend}");
    let all_months: Vec<u64> = (0..12).map(|m| all.deductions.counties.iter().map(|c| c.points[m]).sum()).collect();
    assert_eq!(months, all_months, "{backend} {county:?}");
    let all_items: std::collections::BTreeMap<String, u64> =
        all.items.items.iter().map(|i| (i.code.clone(), i.deductions)).collect();
    assert_eq!(items, all_items, "{backend} {county:?}");
    assert_eq!(today, all.statuses.today.counts, "{backend} {county:?}: today");
    let all_month_ends: Vec<StatusCounts> = all.statuses.months.iter().map(|m| m.counts).collect();
    assert_eq!(month_ends, all_month_ends, "{backend} {county:?}: month ends");
    assert_eq!((tests, failed), (all.training_tests.tests, all.training_tests.failed), "{backend}");
    assert_eq!((filed, upheld), (all.objections.filed, all.objections.upheld), "{backend}");
}

#[test]
fn the_categories_add_up_to_everyone() {
    for db in common::all() {
        let app = App::open(&db.url).expect("open");
        let world = jifen::demo::generate(7, 900);
        jifen::demo::load(&app, &Caller::system(), &world, &mut |_| {}).expect("demo");
        check_partition(&app, db.backend, None);
        check_partition(&app, db.backend, Some("370811"));
    }
}

#[test]
fn the_api_takes_the_category_and_refuses_an_unknown_one() {
    for db in common::all() {
        let s = common::spawn(&db);
        let world = jifen::demo::generate(3, 400);
        jifen::demo::load(&s.app, &Caller::system(), &world, &mut |_| {}).expect("demo");
        let get =
            |q: &str| call("GET", &format!("{}/stats/deductions?year=2025{q}", s.base), Some(&s.admin), None, &[]);
        let (st, all) = get("");
        assert_eq!(st, 200, "{all}");
        assert_eq!(all["category"], serde_json::Value::Null);
        let mut sum = 0;
        for (k, c) in Category::ALL.iter().enumerate() {
            // The English name, the 附件1 name, the number: one category.
            let forms = [c.as_str().to_string(), c.name_zh().to_string(), (k + 1).to_string()];
            let answers: Vec<serde_json::Value> = forms
                .iter()
                .map(|f| {
                    let (st, b) = get(&format!("&category={}", urlencode(f)));
                    assert_eq!(st, 200, "{} {f}: {b}", db.backend);
                    assert_eq!(b["category"].as_str(), Some(c.as_str()));
                    assert_eq!(b["category_name"].as_str(), Some(c.name_zh()));
                    b["total_deductions"].clone()
                })
                .collect();
            assert!(answers.windows(2).all(|w| w[0] == w[1]), "{}: {answers:?}", db.backend);
            sum += answers[0].as_u64().unwrap_or(0);
        }
        assert_eq!(Some(sum), all["total_deductions"].as_u64(), "{}", db.backend);
        for path in ["dashboard", "statuses", "items", "institutions", "training-tests", "objections"] {
            let (st, b) = call("GET", &format!("{}/stats/{path}?category=nurse", s.base), Some(&s.admin), None, &[]);
            assert_eq!(st, 200, "{path}: {b}");
        }
        let (st, b) = get("&category=chef");
        assert_eq!((st, b["error"]["code"].as_str()), (422, Some("invalid_category")), "{b}");
        assert_eq!(b["error"]["field"].as_str(), Some("category"), "{b}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
