//! The dashboard's projections (issue 15, `store::dashboard`) answer exactly what the SQL over
//! the facts answered before them: every figure of `GET /api/v1/stats/*` as JSON, computed the
//! fast way and the slow way (`StatsScope::from_facts`, the former SQL over every registration
//! and test), for several years, counties and categories, on a demo city — then again after
//! registrations in another county, deregistrations and revoked tests moved the projections,
//! with `verify` finding them equal to a rebuild from the facts. On both databases.
//!
//! `JIFEN_STATS_PEOPLE=60000` compares on the full demo city (slow in a debug build).

mod common;

use chrono::NaiveDate;
use jifen::service::stats::StatsScope;
use jifen::service::{App, Caller};

fn json<T: serde::Serialize>(v: jifen::error::Result<T>) -> String {
    serde_json::to_string(&v.expect("figures")).expect("json")
}

/// Every statistics endpoint's answer for a scope.
fn figures(app: &App, scope: &StatsScope) -> Vec<(&'static str, String)> {
    let sys = Caller::system();
    vec![
        ("deductions", json(app.stats_deductions(&sys, scope))),
        ("statuses", json(app.stats_statuses(&sys, scope))),
        ("items", json(app.stats_items(&sys, scope))),
        ("institutions", json(app.stats_institutions(&sys, scope, 15))),
        ("institutions, all", json(app.stats_institutions(&sys, scope, usize::MAX))),
        ("training-tests", json(app.stats_training_tests(&sys, scope))),
        ("objections", json(app.stats_objections(&sys, scope))),
        ("dashboard", json(app.dashboard(&sys, scope))),
    ]
}

/// Compares both ways for every scope; returns how many figures were compared.
fn compare(app: &App, backend: &str, when: &str) -> usize {
    let sys = Caller::system();
    let mut n = 0;
    for year in [2023, 2024, 2025] {
        for county in [None, Some("370811"), Some("370883")] {
            for category in [None, Some("nurse"), Some("physician")] {
                let scope = app.stats_scope_in(&sys, Some(year), county, category).expect("scope");
                let fast = figures(app, &scope);
                let slow = figures(app, &scope.clone().from_facts());
                for ((what, a), (_, b)) in fast.iter().zip(&slow) {
                    assert_eq!(a, b, "{backend} {when}: {what} of {year} {county:?} {category:?}");
                    n += 1;
                }
            }
        }
    }
    n
}

#[test]
fn the_projections_answer_what_the_facts_answer() {
    let people: usize = std::env::var("JIFEN_STATS_PEOPLE").ok().and_then(|v| v.parse().ok()).unwrap_or(1200);
    for db in common::all() {
        let app = App::open(&db.url).expect("open");
        let sys = Caller::system();
        let world = jifen::demo::generate(11, people);
        jifen::demo::load(&app, &sys, &world, &mut |_| {}).expect("demo");
        let city = app.dashboard(&sys, &app.stats_scope(&sys, Some(2025), None).expect("scope")).expect("city");
        // Figures worth comparing: people, tests and sanctioned institutions are there.
        assert!(city.statuses.today.counts.active > 0, "{}", db.backend);
        assert!(city.training_tests.tests > 0, "{}", db.backend);
        assert!(!city.institutions.nearest.is_empty(), "{}", db.backend);
        assert!(compare(&app, db.backend, "after the demo") > 0);

        // Move the projections: a person registered in a second county, people leaving (one
        // of them everywhere), a test revoked.
        let away = world.institutions.iter().find(|i| i.region == "370883").expect("an institution in 370883");
        let p = world
            .people
            .iter()
            .find(|p| world.institutions[p.sites[0]].region != "370883" && p.sites.len() == 1)
            .expect("someone outside 370883");
        app.register(
            &sys,
            &jifen::service::registrations::NewRegistration {
                institution_code: away.code.clone(),
                personnel_code: p.code.clone(),
                name: p.name.clone(),
                id_number: p.id_number.clone(),
                category: p.category.into(),
                registered_on: "2025-02-01".into(),
                phone: None,
            },
        )
        .expect("a second county");
        let early = |q: &&jifen::demo::world::Person| q.registered_on < NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        let leaving: Vec<_> = world.people.iter().filter(early).filter(|q| q.code != p.code).take(6).collect();
        for (k, q) in leaving.iter().enumerate() {
            let on = NaiveDate::from_ymd_opt(2024, 7 + k as u32, 15).unwrap();
            for &s in &q.sites {
                app.deregister(&sys, &world.institutions[s].code, &q.code, on).expect("deregister");
            }
        }
        // The one registered in two counties leaves the first only: still registered in the city.
        app.deregister(
            &sys,
            &world.institutions[p.sites[0]].code,
            &p.code,
            NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
        )
        .expect("deregister");
        let test_id = {
            let mut c = app.conn().expect("conn");
            jifen::store::facts::tests_of(&mut c, &leaving[0].code).expect("tests")[0].id
        };
        app.revoke_test(
            &sys,
            test_id,
            &jifen::service::training_tests::RevokeTest { on: "2025-11-01".into(), reason: "录入错误".into() },
        )
        .expect("revoke a test");
        assert!(compare(&app, db.backend, "after the changes") > 0);
        let report = app.verify().expect("verify");
        assert!(report.differences.is_empty(), "{}: {:?}", db.backend, report.differences);

        // verify notices a projection that disagrees with the facts.
        {
            use diesel::prelude::*;
            let mut c = app.conn().expect("conn");
            diesel::sql_query("DELETE FROM proj_tests WHERE test_id = (SELECT MIN(test_id) FROM proj_tests)")
                .execute(&mut *c)
                .expect("tamper");
            diesel::sql_query(format!(
                "UPDATE proj_people SET last_on = NULL WHERE personnel_code = '{}'",
                leaving[1].code
            ))
            .execute(&mut *c)
            .expect("tamper");
        }
        let report = app.verify().expect("verify");
        let text = report.differences.join("\n");
        assert!(text.contains("dashboard training tests"), "{}: {text}", db.backend);
        assert!(text.contains(&format!("{}: dashboard registration spans", leaving[1].code)), "{}: {text}", db.backend);
    }
}
