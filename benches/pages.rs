//! The dashboard on the demo city: `App::dashboard` (every figure of `/dashboard`, aggregated in
//! SQL) for the whole city and for one county, against a baseline measured in the same run on
//! the same database: one count of the distinct people over every registration, the floor of
//! any figure about the city's people. Issue 15's budget: under 300 ms on the 60 000-practitioner city.
//!
//! And the people's pages (issue 14's budget: each under 100 ms on that city): `/`, `/staff` and
//! `/notices` as the HR of the largest institution, `/training-tests`, `/institutions/{code}` and
//! `/practitioners/{code}` (a person with deductions) as the agency — each a GET through the real server with a logged-in
//! session, so the figure is the page handler's service calls and its template render (plus
//! the session check and a loopback request, well under a millisecond).
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

    people_pages(&app, runs, baseline);
}

/// The real server on a free port, serving `app`; its root URL.
fn serve(app: &App) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let served = app.clone();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server =
                jifen::http::server_with_options(served, listener, jifen::http::Options::default()).expect("server");
            let _ = server.await;
        })
    });
    let root = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if ureq::get(&format!("{root}/api/v1/healthz")).call().is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    root
}

/// The `name=value` of a response's first `Set-Cookie` named `name`.
fn cookie(res: &ureq::Response, name: &str) -> Option<String> {
    res.all("set-cookie").into_iter().find_map(|h| {
        let first = h.split(';').next()?;
        first.starts_with(&format!("{name}=")).then(|| first.to_string())
    })
}

/// Logs in through the form; the session cookie.
fn login(root: &str, username: &str, password: &str) -> String {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let form = agent.get(&format!("{root}/login")).call().expect("login page");
    let csrf_cookie = cookie(&form, "jifen_login_csrf").expect("the login's csrf cookie");
    let body = form.into_string().expect("body");
    let at = body.find("name=\"csrf_token\" value=\"").expect("csrf field") + "name=\"csrf_token\" value=\"".len();
    let token = &body[at..at + body[at..].find('"').expect("end")];
    let res = agent.post(&format!("{root}/login")).set("Cookie", &csrf_cookie).send_form(&[
        ("username", username),
        ("password", password),
        ("csrf_token", token),
        ("next", "/"),
    ]);
    let res = match res {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("login: {e}"),
    };
    cookie(&res, "jifen_session").expect("a session")
}

/// Issue 14: each page under 100 ms on the demo city.
fn people_pages(app: &App, runs: usize, baseline: f64) {
    use jifen::service::accounts::NewAccount;
    let sys = Caller::system();
    let today = jifen::domain::dates::today_china();
    // The largest hospital (the longest staff list), one of its people with deductions.
    let list = app.institution_list(&sys, "", today).expect("institutions");
    let big = list.lines.iter().max_by_key(|l| l.staff).expect("an institution").code.clone();
    let year: i32 = today.format("%Y").to_string().parse().expect("year");
    // A person with deductions (the demo city's inspections are in its own years, 2024–2025),
    // at the largest institution that has one.
    let mut by_staff: Vec<_> = list.lines.iter().collect();
    by_staff.sort_by_key(|l| std::cmp::Reverse(l.staff));
    let person = by_staff
        .iter()
        .flat_map(|l| (year - 4..=year).rev().map(move |y| (l.code.clone(), y)))
        .find_map(|(code, y)| {
            app.institution_deductions(&sys, &code, y).ok()?.first().map(|d| d.personnel_code.clone())
        })
        .expect("a person with deductions");
    let password = "bench passphrase 14";
    for (username, role, institution) in [("bench_hr", "hr", Some(big.clone())), ("bench_agency", "agency", None)] {
        let req = NewAccount {
            username: username.into(),
            password: password.into(),
            role: role.into(),
            institution_code: institution,
            region_code: None,
        };
        app.create_account(&sys, &req).expect("account");
    }
    let root = serve(app);
    let hr = login(&root, "bench_hr", password);
    let agency = login(&root, "bench_agency", password);
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let pages: [(&str, &String, String); 6] = [
        ("home_hr", &hr, "/".to_string()),
        ("staff", &hr, "/staff".to_string()),
        ("training_tests", &agency, format!("/training-tests?year={}", year - 1)),
        ("notices", &hr, "/notices".to_string()),
        ("institution", &agency, format!("/institutions/{big}")),
        ("practitioner", &agency, format!("/practitioners/{person}")),
    ];
    let mut slowest = 0.0f64;
    println!("figure pages_people_institution_staff {} people", list.lines.iter().map(|l| l.staff).max().unwrap_or(0));
    for (name, session, path) in &pages {
        let url = format!("{root}{path}");
        let get = || {
            let res = agent.get(&url).set("Cookie", session).call().expect("page");
            assert_eq!(res.status(), 200, "{path}");
            std::hint::black_box(res.into_string().expect("body").len());
        };
        get();
        let ms = median_ms(runs, get);
        slowest = slowest.max(ms);
        println!("figure page_{name}_ms {ms:.2} ms");
        println!("ratio page_{name}_vs_count_people {:.1} target none", ms / baseline.max(1e-6));
    }
    println!("ratio pages_people_slowest_ms {slowest:.1} target 100");
}
