//! The officer's JSON routes on both databases: `POST /inspections/preview` (who may ask, what it
//! answers, that it writes nothing) and `GET /stats/…` (a county officer sees the county only,
//! another county is 404; city officers and admins see the city or a county they name; other
//! roles 403). And the dashboard's status counts, aggregated in SQL, equal each person's status
//! read one by one.

mod common;

use std::collections::HashMap;

use common::{call, TestServer};
use jifen::rules::PersonalStatus;
use jifen::service::tokens::Role;
use jifen::service::Caller;
use serde_json::{json, Value};

const A: &str = "H37081100001";
const B: &str = "H37081200001";

fn admin(s: &TestServer, method: &str, path: &str, body: Value) -> (u16, Value) {
    call(method, &format!("{}{path}", s.base), Some(&s.admin), Some(&body), &[])
}

/// A at 任城区 (370811) and B at 兖州区 (370812), three people at each, an inspection at each.
fn world(s: &TestServer) -> Vec<String> {
    let mut people = Vec::new();
    for (inst, region, base) in [(A, "370811", 0u32), (B, "370812", 10)] {
        let (st, b) = admin(
            s,
            "POST",
            "/institutions",
            json!({"code": inst, "name": "医院", "kind": "medical", "region_code": region,
                "agreement_start": "2024-01-01", "agreement_end": "2030-12-31"}),
        );
        assert_eq!(st, 201, "{b}");
        for k in 1..=3 {
            let code = format!("D{region}{:06}", base + k);
            let (st, b) = admin(
                s,
                "POST",
                "/registrations",
                json!({"institution_code": inst, "personnel_code": code, "name": "张三",
                    "id_number": common::id_number("19800101", base + k), "category": "physician",
                    "registered_on": "2024-01-01"}),
            );
            assert_eq!(st, 201, "{b}");
            people.push(code);
        }
    }
    // A: 6 points for its first person (suspended), 1 for the second; B: 3 for its first.
    for (inst, violations) in [
        (A, json!([{"personnel_code": people[0], "items": ["6.1"]}, {"personnel_code": people[1], "items": ["1.4"]}])),
        (B, json!([{"personnel_code": people[3], "items": ["3.2"]}])),
    ] {
        let (st, b) = admin(
            s,
            "POST",
            "/inspections",
            json!({"institution_code": inst, "inspected_on": "2025-04-10", "decided_on": "2025-04-10",
                "violations": violations}),
        );
        assert_eq!(st, 201, "{b}");
    }
    people
}

fn token(s: &TestServer, role: Role, institution: Option<&str>, region: Option<&str>) -> String {
    s.app.create_token(role, institution, region).expect("token")
}

#[test]
fn the_preview_answers_who_may_record_and_writes_nothing() {
    for db in common::all() {
        let s = common::spawn(&db);
        let people = world(&s);
        let url = format!("{}/inspections/preview", s.base);
        let body = json!({"institution_code": A, "inspected_on": "2025-06-02", "decided_on": "2025-06-03",
            "violations": [{"personnel_code": people[1], "items": ["3.1", "1.8"]},
                           {"personnel_code": people[1], "items": ["1.2"]}]});
        let county = token(&s, Role::Officer, None, Some("370811"));
        let (st, p) = call("POST", &url, Some(&county), Some(&body), &[]);
        assert_eq!(st, 200, "{}: {p}", db.backend);
        let person = &p["people"][0];
        assert_eq!(person["personnel_code"], people[1].as_str());
        assert_eq!((person["total_before"].as_u64(), person["total_after"].as_u64()), (Some(1), Some(5)), "{p}");
        assert_eq!(person["band"]["sanction"], "interview", "5 points: the interview of 五(一)");
        assert_eq!(person["band"]["entered"], true);
        assert_eq!(person["sanctions"][0]["kind"], "interview");
        assert_eq!(person["violations"][0]["points"], 3, "the highest item counts once");
        assert_eq!(person["notices"].as_array().map(Vec::len), Some(2), "a notice per deduction");
        assert_eq!(p["cascade_before"]["numerator"], 1);
        assert_eq!(p["cascade_after"]["numerator"], 1, "an interview is not a suspension");
        // Nothing was written.
        let (_, ledger) =
            call("GET", &format!("{}/practitioners/{}/ledger?year=2025", s.base, people[1]), Some(&s.admin), None, &[]);
        assert_eq!(ledger["total"], 1, "{}: {ledger}", db.backend);
        assert_eq!(s.app.interview_orders(&Caller::system(), None, None, None).expect("orders").len(), 0);

        // Who may ask: the county's officer and the city's, admins; not another county, not
        // hr, not the agency; a token is needed.
        let expect = [
            (Some(token(&s, Role::Officer, None, None)), 200),
            (Some(token(&s, Role::Officer, None, Some("370812"))), 404),
            (Some(token(&s, Role::Hr, Some(A), None)), 403),
            (Some(token(&s, Role::Agency, None, None)), 403),
            (None, 401),
        ];
        for (t, want) in expect {
            let (st, b) = call("POST", &url, t.as_deref(), Some(&body), &[]);
            assert_eq!(st, want, "{}: {b}", db.backend);
        }
        // Refused as recording would refuse it.
        let wrong = json!({"institution_code": A, "inspected_on": "2025-06-02", "decided_on": "2025-06-03",
            "violations": [{"personnel_code": people[3], "items": ["1.1"]}]});
        let (st, b) = call("POST", &url, Some(&county), Some(&wrong), &[]);
        assert_eq!((st, b["error"]["code"].as_str()), (422, Some("unknown_practitioner")), "{b}");
        let unknown = json!({"institution_code": A, "inspected_on": "2025-06-02", "decided_on": "2025-06-03",
            "violations": [{"personnel_code": people[1], "items": ["9.9"]}]});
        let (st, b) = call("POST", &url, Some(&county), Some(&unknown), &[]);
        assert_eq!((st, b["error"]["code"].as_str()), (422, Some("unknown_item")), "{b}");
    }
}

fn points_by_county(v: &Value) -> HashMap<String, u64> {
    v["counties"]
        .as_array()
        .expect("counties")
        .iter()
        .map(|c| {
            let total = c["points"].as_array().map(|p| p.iter().filter_map(Value::as_u64).sum()).unwrap_or(0);
            (c["county"].as_str().unwrap_or_default().to_string(), total)
        })
        .collect()
}

#[test]
fn the_figures_are_the_callers_county_or_the_city() {
    for db in common::all() {
        let s = common::spawn(&db);
        world(&s);
        let get = |path: &str, t: Option<&str>| call("GET", &format!("{}{path}", s.base), t, None, &[]);
        let city = token(&s, Role::Officer, None, None);
        let county = token(&s, Role::Officer, None, Some("370811"));

        let (st, all) = get("/stats/deductions?year=2025", Some(&city));
        assert_eq!(st, 200, "{all}");
        let points = points_by_county(&all);
        assert_eq!((points.get("370811"), points.get("370812")), (Some(&7), Some(&3)), "{}: {all}", db.backend);
        assert_eq!(all["counties"].as_array().map(Vec::len), Some(11), "every county of the city has a line");
        assert_eq!(all["total_points"], 10);

        let (st, own) = get("/stats/deductions?year=2025", Some(&county));
        assert_eq!(st, 200);
        assert_eq!(own["county"], "370811", "{}: {own}", db.backend);
        assert_eq!(points_by_county(&own).len(), 1, "only the county: {own}");
        assert_eq!(own["total_points"], 7);
        let (st, same) = get("/stats/deductions?year=2025&county=370811", Some(&county));
        assert_eq!((st, &same["total_points"]), (200, &json!(7)));
        let (st, b) = get("/stats/deductions?year=2025&county=370812", Some(&county));
        assert_eq!(st, 404, "{}: another county is not found: {b}", db.backend);
        let (st, b) = get("/stats/dashboard?year=2025&county=370812", Some(&county));
        assert_eq!(st, 404, "{b}");

        let (st, b) = get("/stats/deductions?year=2025&county=370812", Some(&city));
        assert_eq!((st, &b["total_points"]), (200, &json!(3)), "the city names a county: {b}");
        let (st, b) = get("/stats/items?year=2025", Some(&county));
        assert_eq!(st, 200);
        let codes: Vec<&str> =
            b["items"].as_array().expect("items").iter().filter_map(|i| i["code"].as_str()).collect();
        assert_eq!(codes.len(), 2, "{b}");
        assert!(codes.contains(&"6.1") && codes.contains(&"1.4") && !codes.contains(&"3.2"), "{b}");
        let (st, b) = get("/stats/institutions?year=2025", Some(&county));
        assert_eq!(st, 200);
        let near = b["nearest"].as_array().expect("nearest");
        assert_eq!(near.len(), 1, "{b}");
        assert_eq!((near[0]["institution_code"].as_str(), near[0]["ratio"].as_str()), (Some(A), Some("0.3333")));
        assert_eq!(near[0]["threshold_reached"], true);
        let (st, b) = get("/stats/statuses?year=2025", Some(&county));
        assert_eq!(st, 200);
        assert_eq!((b["today"]["suspended"].as_u64(), b["today"]["active"].as_u64()), (Some(0), Some(3)), "{b}");
        let april = &b["months"][3];
        assert_eq!((april["date"].as_str(), april["suspended"].as_u64()), (Some("2025-04-30"), Some(1)), "{b}");
        for path in ["/stats/training-tests?year=2025", "/stats/objections?year=2025", "/stats/dashboard?year=2025"] {
            let (st, b) = get(path, Some(&county));
            assert_eq!(st, 200, "{path}: {b}");
            assert_eq!(b["county"].as_str().or(b["scope"]["county"].as_str()), Some("370811"), "{path}: {b}");
        }

        // Other roles; wrong filters.
        for (t, want) in [
            (Some(token(&s, Role::Hr, Some(A), None)), 403),
            (Some(token(&s, Role::Agency, None, None)), 403),
            (Some(token(&s, Role::Settlement, None, None)), 403),
            (None, 401),
        ] {
            let (st, b) = get("/stats/deductions?year=2025", t.as_deref());
            assert_eq!(st, want, "{b}");
        }
        let (st, b) = get("/stats/deductions?county=999999", Some(&s.admin));
        assert_eq!((st, b["error"]["code"].as_str()), (422, Some("unknown_county")), "{b}");
        let (st, b) = get("/stats/deductions?year=1850", Some(&s.admin));
        assert_eq!((st, b["error"]["code"].as_str()), (422, Some("invalid_year")), "{b}");
    }
}

/// The counts of `/stats/statuses`, aggregated in SQL, equal each person's own status read one
/// by one (`App::status`), today and at month ends, for the city and for a county.
#[test]
fn status_counts_equal_each_persons_status() {
    for db in common::all() {
        let app = jifen::service::App::open(&db.url).expect("open");
        let world = jifen::demo::generate(5, 700);
        jifen::demo::load(&app, &Caller::system(), &world, &mut |_| {}).expect("demo");
        let sys = Caller::system();
        let orders = app.interview_orders(&sys, None, None, None).expect("orders");
        for county in [None, Some("370811")] {
            let scope = app.stats_scope(&sys, Some(2025), county).expect("scope");
            let stats = app.stats_statuses(&sys, &scope).expect("statuses");
            let mut probes = vec![(stats.today.date, stats.today.counts)];
            probes.extend(
                stats
                    .months
                    .iter()
                    .filter(|m| [3, 9, 12].contains(&chrono::Datelike::month(&m.date)))
                    .map(|m| (m.date, m.counts)),
            );
            for (d, counts) in probes {
                let mut want = jifen::service::stats::StatusCounts::default();
                for p in world
                    .people
                    .iter()
                    .filter(|p| county.is_none_or(|c| p.sites.iter().any(|&i| world.institutions[i].region == c)))
                {
                    let s = app.status(&sys, &p.code, d).expect("status").status;
                    if p.registered_on > d {
                        continue;
                    }
                    match s.status {
                        PersonalStatus::Active => {
                            want.active += 1;
                            let open = orders.iter().any(|o| {
                                o.personnel_code == p.code
                                    && o.ordered_on <= d
                                    && o.held_on.is_none_or(|h| h > d)
                                    && county.is_none_or(|c| o.institution_code[1..7] == *c)
                            });
                            want.active_with_open_interview += u64::from(open);
                        }
                        PersonalStatus::Suspended => want.suspended += 1,
                        PersonalStatus::Terminated => {
                            want.terminated += 1;
                            want.terminated_still_banned += u64::from(s.banned_until.is_some());
                        }
                        PersonalStatus::Unregistered => want.unregistered += 1,
                    }
                }
                assert_eq!(counts, want, "{} {county:?} on {d}", db.backend);
            }
        }
    }
}

/// `/search`: codes, names and the last digits of ID numbers, in the caller's scope, masked as
/// the role requires.
#[test]
fn the_search_box_finds_in_scope_and_masks_as_the_role_requires() {
    for db in common::all() {
        let s = common::spawn(&db);
        let people = world(&s);
        let caller = |role: Role, institution: Option<&str>, region: Option<&str>| Caller {
            role,
            institution_code: institution.map(str::to_string),
            region_code: region.map(str::to_string),
            ..Caller::system()
        };
        let city = caller(Role::Officer, None, None);
        let county = caller(Role::Officer, None, Some("370811"));
        // A name shared by all six people: the county officer sees its three.
        let all = s.app.search(&city, "张三").expect("search");
        assert_eq!((all.read_as, all.people.len()), ("name", 6), "{}", db.backend);
        let own = s.app.search(&county, "张三").expect("search");
        assert_eq!(own.people.len(), 3);
        assert!(own.people.iter().all(|p| p.sites.iter().all(|x| x.institution_code == A)));
        // The last six digits of an ID number; in full for an officer.
        let id = common::id_number("19800101", 2);
        let found = s.app.search(&county, &id[12..]).expect("search");
        assert_eq!(found.read_as, "id_number");
        assert_eq!(found.people.iter().map(|p| p.id_number.as_str()).collect::<Vec<_>>(), vec![id.as_str()]);
        // Another county's person is not found by a county officer, even by code.
        let other = s.app.search(&county, &people[3]).expect("search");
        assert!(other.people.is_empty(), "{}: {other:?}", db.backend);
        // An institution code finds the institution.
        let inst = s.app.search(&county, A).expect("search");
        assert_eq!(inst.institutions.len(), 1);
        assert!(s.app.search(&county, B).expect("search").institutions.is_empty());
        // hr sees its own institution's people only; the ID masked for no one of its own.
        let hr_b = s.app.search(&caller(Role::Hr, Some(B), None), "张三").expect("search");
        assert_eq!(hr_b.people.len(), 3);
        assert!(hr_b.people.iter().all(|p| !p.id_number.contains('*')));
        // Settlement: no search.
        assert!(s.app.search(&caller(Role::Settlement, None, None), "张三").is_err());
    }
}
