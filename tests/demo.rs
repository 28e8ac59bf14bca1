//! The synthetic city: deterministic, valid, and consistent once loaded.

use jifen::service::Caller;
mod common;

#[test]
fn a_small_city_loads_through_the_service_layer_and_verifies() {
    let a = jifen::demo::generate(7, 1_500);
    let b = jifen::demo::generate(7, 1_500);
    assert_eq!(
        a.people.iter().map(|p| &p.id_number).collect::<Vec<_>>(),
        b.people.iter().map(|p| &p.id_number).collect::<Vec<_>>(),
        "same seed, same city"
    );
    assert!(a.people.len() > 1_200 && a.institutions.len() >= 12);
    let multi = a.people.iter().filter(|p| p.sites.len() > 1).count();
    assert!(multi > 0, "multi-site physicians");
    for db in common::all() {
        let app = jifen::service::App::open(&db.url).unwrap();
        let loaded = jifen::demo::load(&app, &Caller::system(), &a, &mut |_| {}).unwrap();
        assert_eq!((loaded.practitioners, loaded.registrations), (a.people.len(), a.people.len() + multi));
        assert!(loaded.deductions > 0 && loaded.tests == a.tests.len());
        let report = app.verify().unwrap();
        assert!(report.differences.is_empty(), "{:?}", &report.differences[..report.differences.len().min(5)]);
        // Most people have no points; someone has a sanction.
        let d = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let statuses: Vec<_> =
            a.people.iter().take(300).map(|p| app.status(&Caller::system(), &p.code, d).unwrap().status).collect();
        assert!(statuses.iter().filter(|s| s.cycle_total == 0).count() > 200);
    }
}

#[test]
fn generate_writes_files_the_importers_read() {
    let dir = tempfile::tempdir().unwrap();
    let world = jifen::demo::generate(3, 600);
    let files = jifen::demo::export::write_csv(&world, dir.path()).unwrap();
    assert!(files.contains(&"violations.csv".to_string()));
    let app = jifen::service::App::open(&common::sqlite().url).unwrap();
    let inst = &world.institutions[0];
    app.create_institution(
        &Caller::system(),
        &jifen::service::institutions::NewInstitution {
            code: inst.code.clone(),
            name: inst.name.clone(),
            kind: inst.kind.into(),
            region_code: None,
            agreement_start: "2023-01-01".into(),
            agreement_end: "2027-12-31".into(),
            public: None,
            organization_code: None,
            legal_representative: None,
        },
    )
    .unwrap();
    let roster = std::fs::File::open(dir.path().join(format!("rosters/{}.csv", inst.code))).unwrap();
    let opts = jifen::service::rosters::UploadOptions {
        mode: jifen::service::rosters::RosterMode::Delta,
        commit: false,
        partial: false,
        confirm_deregister: None,
    };
    let r = app.upload_roster(&Caller::system(), &inst.code, roster, opts, &mut |_| {}).unwrap();
    assert!(r.counts.added > 0 && r.rejected.is_empty(), "{:?}", r.rejected.first());
}
