//! Loads a synthetic world through the service layer (the same use-cases as the API), in few
//! transactions so that a city of 60 000 practitioners loads in well under a minute.

use std::time::Instant;

use chrono::Datelike;

use super::world::World;
use crate::error::{Error, Result};
use crate::rules::{TestFact, TestFormat};
use crate::service::inspections::{NewInspection, NewViolation};
use crate::service::institutions::{NewInstitution, SuspendInstitution};
use crate::service::rosters::{RosterMode, UploadOptions};
use crate::service::{person_lock, App, Caller, Lock};
use crate::store::bulk::{self, NewTestRow};

/// What was loaded, for the banner.
#[derive(Debug, Default)]
pub struct Loaded {
    pub institutions: usize,
    pub practitioners: usize,
    pub registrations: usize,
    pub inspections: usize,
    pub deductions: usize,
    pub tests: usize,
    pub seconds: f64,
}

pub fn load(app: &App, caller: &Caller, world: &World, log: &mut dyn FnMut(&str)) -> Result<Loaded> {
    let started = Instant::now();
    let mut loaded = Loaded::default();
    for i in &world.institutions {
        app.create_institution(
            caller,
            &NewInstitution {
                code: i.code.clone(),
                name: i.name.clone(),
                kind: i.kind.into(),
                region_code: Some(i.region.into()),
                agreement_start: "2023-01-01".into(),
                agreement_end: "2027-12-31".into(),
                public: None,
                organization_code: None,
                legal_representative: None,
            },
        )?;
        loaded.institutions += 1;
    }
    log(&format!("{} institutions", loaded.institutions));

    // Rosters, as each institution's HR would upload them.
    let mut staff: Vec<Vec<usize>> = vec![Vec::new(); world.institutions.len()];
    for (k, p) in world.people.iter().enumerate() {
        for &s in &p.sites {
            staff[s].push(k);
        }
    }
    for (idx, inst) in world.institutions.iter().enumerate() {
        if staff[idx].is_empty() {
            continue;
        }
        let mut csv = String::from("姓名,身份证号码,医保支付资格类别,医保对应代码,联系电话,注册时间,备案时间\n");
        for &k in &staff[idx] {
            let p = &world.people[k];
            csv.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                p.name, p.id_number, p.category, p.code, p.phone, p.registered_on, p.registered_on
            ));
        }
        let report = app.upload_roster(
            caller,
            &inst.code,
            std::io::Cursor::new(csv.into_bytes()),
            UploadOptions { mode: RosterMode::Delta, commit: true, partial: false, confirm_deregister: None },
            &mut |_| {},
        )?;
        if !report.rejected.is_empty() {
            return Err(Error::Internal(anyhow::anyhow!(
                "demo roster of {} rejected rows: {:?}",
                inst.code,
                report.rejected.first()
            )));
        }
        loaded.registrations += report.counts.added;
    }
    loaded.practitioners = world.people.len();
    log(&format!("{} practitioners, {} registrations", loaded.practitioners, loaded.registrations));

    // Training tests: the passed ones in bulk (they change no status), the failed ones one by one.
    let (passed, failed): (Vec<_>, Vec<_>) = world.tests.iter().partition(|t| t.passed);
    let now = crate::store::now();
    let rows: Vec<NewTestRow> = passed
        .iter()
        .map(|t| NewTestRow {
            personnel_code: world.people[t.person].code.clone(),
            tested_on: t.tested_on,
            cycle_year: t.tested_on.year(),
            format: if t.open_book { crate::rules::TestFormat::Open } else { crate::rules::TestFormat::Closed },
            score: Some(t.score.to_string()),
            passed: true,
            recorded_at: now,
        })
        .collect();
    app.write(caller, &[], |c, touched| {
        bulk::passed_tests(c, &rows)?;
        // They recompute no one, so the dashboard's projection of tests is filled here.
        crate::store::dashboard::add_missing_tests(c)?;
        // A fresh city: every test in the table is one just inserted.
        for id in crate::store::audit::fact_ids(c, "training_tests")? {
            touched.fact("training_tests", id);
        }
        Ok(())
    })?;
    // 七: a test before the jurisdiction's first pack is not scored (under 济宁 the world
    // already draws none).
    let first = app.packs.first_effective();
    let failed: Vec<_> = failed.into_iter().filter(|t| t.tested_on >= first).collect();
    let locks: Vec<Lock> = failed.iter().map(|t| person_lock(&world.people[t.person].code)).collect();
    app.write(caller, &locks, |c, touched| {
        for t in &failed {
            let fact = TestFact {
                id: 0,
                tested_on: t.tested_on,
                format: if t.open_book { TestFormat::Open } else { TestFormat::Closed },
                score: crate::domain::Score::from_whole(t.score),
                passed: false,
            };
            app.apply_test(c, touched, &world.people[t.person].code, &fact)?;
        }
        Ok(())
    })?;
    loaded.tests = world.tests.len();
    log(&format!("{} training tests ({} failed)", loaded.tests, failed.len()));

    // Inspections, a month per transaction.
    let mut month: Vec<_> = Vec::new();
    let flush = |month: &mut Vec<crate::service::inspections::PreparedInspection>| -> Result<()> {
        if month.is_empty() {
            return Ok(());
        }
        let locks: Vec<Lock> = month.iter().flat_map(|p| p.locks()).collect();
        app.write(caller, &locks, |c, touched| {
            for p in month.iter() {
                app.apply_inspection(c, touched, p)?;
            }
            Ok(())
        })?;
        month.clear();
        Ok(())
    };
    let mut current = None;
    let jining = crate::rules::PackSet::embedded()?;
    let jining = jining.latest();
    for i in world.inspections.iter().filter(|i| i.inspected_on >= first) {
        let key = (i.decided_on.year(), i.decided_on.month());
        if current.is_some_and(|c| c != key) {
            flush(&mut month)?;
        }
        current = Some(key);
        let mut violations: Vec<NewViolation> = Vec::with_capacity(i.violations.len());
        for (p, drawn) in &i.violations {
            let (items, points) = super::catalogue::cite(jining, &app.packs, i.decided_on, drawn);
            let code = &world.people[*p].code;
            // Two acts re-cited as one item of another catalogue are one violation there.
            if violations.iter().any(|v| &v.personnel_code == code && v.items == items) {
                continue;
            }
            violations.push(NewViolation {
                personnel_code: code.clone(),
                items,
                occurred_on: None,
                note: "专项检查".into(),
                points,
                ban_months: None,
                fund_loss: None,
            });
        }
        let req = NewInspection {
            institution_code: world.institutions[i.institution].code.clone(),
            inspected_on: i.inspected_on.to_string(),
            decided_on: i.decided_on.to_string(),
            violations,
        };
        loaded.deductions += req.violations.len();
        month.push(app.prepare_inspection(Some(&format!("demo:{}", i.reference)), &req)?);
        loaded.inspections += 1;
    }
    flush(&mut month)?;
    log(&format!("{} inspections, {} deductions", loaded.inspections, loaded.deductions));

    for (inst, from, until) in &world.suspensions {
        // 吉林 第四十九条: the institution is told two weeks before, and says nothing.
        let intent = app.notify_intent(
            caller,
            &world.institutions[*inst].code,
            &crate::service::institutions::NewIntent {
                action: "suspend".into(),
                facts: "日常检查发现违反医保协议".into(),
                basis: "吉林 第四十六条".into(),
                notified_on: (*from - chrono::Duration::days(14)).to_string(),
                department: None,
            },
        )?;
        app.suspend_institution(
            caller,
            &world.institutions[*inst].code,
            &SuspendInstitution {
                from: from.to_string(),
                until: Some(until.to_string()),
                reason: "违反医保协议，暂停结算".into(),
                article: Some("吉林 第四十六条".into()),
                requested: None,
                requested_on: None,
                department: None,
                intent_id: Some(intent.id),
                statement_response: None,
                statement_adopted: None,
            },
        )?;
    }
    log(&format!("{} institution agreements suspended", world.suspensions.len()));
    loaded.seconds = started.elapsed().as_secs_f64();
    Ok(loaded)
}
