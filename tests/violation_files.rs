//! Violation files as officers make them (issue 11): an inspection is recorded whole or not at
//! all, every row is accounted for, the 姓名 is compared with the code's holder, and only staff of
//! the inspected institution can be deducted from. Both databases; a property test of the counts.

mod common;

use jifen::service::batches::{BatchOptions, BatchReport};
use jifen::service::institutions::NewInstitution;
use jifen::service::registrations::NewRegistration;
use jifen::service::{App, Caller};
use proptest::prelude::*;

const A: &str = "H37081100001";
const B: &str = "H37088300001";
const HEADER: &str = "检查编号,定点医药机构编码,医保对应代码,姓名,扣分情形,检查日期,处理决定日期,违规发生日期\n";

fn app(db: &common::TestDb) -> App {
    let app = App::open(&db.url).unwrap();
    for (code, region) in [(A, "370811"), (B, "370883")] {
        app.create_institution(
            &Caller::system(),
            &NewInstitution {
                code: code.into(),
                name: "医院".into(),
                kind: "medical".into(),
                region_code: Some(region.into()),
                agreement_start: "2020-01-01".into(),
                agreement_end: "2030-12-31".into(),
                public: None,
                organization_code: None,
                legal_representative: None,
            },
        )
        .unwrap();
    }
    // 人员1…人员5 at A; 邹城人 only at B.
    for k in 1..=5u32 {
        register(&app, A, &format!("D3708110000{k:02}"), &format!("人员{k}"), k);
    }
    register(&app, B, "D370883000001", "邹城人", 9);
    app
}

fn register(app: &App, inst: &str, code: &str, name: &str, k: u32) {
    app.register(
        &Caller::system(),
        &NewRegistration {
            institution_code: inst.into(),
            personnel_code: code.into(),
            name: name.into(),
            id_number: common::id_number("19800101", k),
            category: "physician".into(),
            registered_on: "2024-04-01".into(),
            phone: None,
        },
    )
    .unwrap();
}

fn upload(app: &App, text: &str, commit: bool, partial: bool) -> BatchReport {
    app.upload_violations(
        &Caller::system(),
        std::io::Cursor::new(text.as_bytes().to_vec()),
        BatchOptions { commit, partial },
        &mut |_| {},
    )
    .unwrap()
}

fn row(reference: &str, code: &str, name: &str, items: &str, decided: &str) -> String {
    format!("{reference},{A},{code},{name},{items},2024-05-06,{decided},2024-05-01\n")
}

fn total(app: &App, code: &str) -> u32 {
    let d = chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
    app.status(&Caller::system(), code, d).unwrap().status.cycle_total
}

#[test]
fn a_refused_inspection_goes_back_whole_and_records_whole_once_fixed() {
    for db in common::all() {
        let app = app(&db);
        // JC-1: three rows, the second with a bad item. JC-2: fine.
        let bad = format!(
            "{HEADER}{}{}{}{}",
            row("JC-1", "D370811000001", "人员1", "1.1", "2024-05-06"),
            row("JC-1", "D370811000002", "人员2", "9.9", "2024-05-06"),
            row("JC-1", "D370811000003", "人员3", "1.2", "2024-05-06"),
            row("JC-2", "D370811000004", "人员4", "3.1", "2024-05-06"),
        );
        let r = upload(&app, &bad, true, true);
        assert!(r.committed, "{}", db.backend);
        assert_eq!((r.counts.accepted, r.counts.rejected, r.rows), (1, 3, 4), "{} {r:?}", db.backend);
        let codes: Vec<(u64, &str)> = r.rejected.iter().map(|x| (x.row, x.code)).collect();
        assert_eq!(codes, [(2, "inspection_incomplete"), (3, "unknown_item"), (4, "inspection_incomplete")]);
        assert!(r.rejected[0].reason_zh.contains("整条检查未记录"), "{:?}", r.rejected[0]);
        assert_eq!((total(&app, "D370811000001"), total(&app, "D370811000004")), (0, 3), "{}", db.backend);
        let back = r.rejected_csv.expect("the rejected rows to fix");
        assert_eq!(back.lines().count(), 4, "the header and all three rows of JC-1: {back}");
        // The clerk fixes the item and uploads the whole file again: JC-1 is recorded in full.
        let fixed = bad.replace(",9.9,", ",1.3,");
        let r = upload(&app, &fixed, true, false);
        assert_eq!((r.counts.accepted, r.counts.unchanged, r.counts.rejected), (3, 1, 0), "{} {r:?}", db.backend);
        for k in 1..=3 {
            assert_eq!(total(&app, &format!("D3708110000{k:02}")), 1, "{}", db.backend);
        }
    }
}

#[test]
fn a_bad_date_in_one_row_never_records_the_rest_of_its_inspection() {
    for db in common::all() {
        let app = app(&db);
        let text = format!(
            "{HEADER}{}{}{}",
            row("JC-7", "D370811000001", "人员1", "1.1", "2024-05-06"),
            row("JC-7", "D370811000002", "人员2", "1.1", "2024-13-45"),
            row("JC-7", "D370811000003", "人员3", "1.1", "2024-05-06"),
        );
        let r = upload(&app, &text, true, true);
        assert_eq!((r.counts.accepted, r.counts.rejected), (0, 3), "{} {r:?}", db.backend);
        assert_eq!(total(&app, "D370811000001"), 0, "{}", db.backend);
        let fixed = text.replace("2024-13-45", "2024-05-06");
        let r = upload(&app, &fixed, true, false);
        assert_eq!(r.counts.accepted, 3, "{} {r:?}", db.backend);
    }
}

#[test]
fn a_name_that_is_not_the_codes_holder_is_refused_naming_both() {
    for db in common::all() {
        let app = app(&db);
        let text = format!("{HEADER}{}", row("JC-3", "D370811000002", "人员1", "6.1", "2024-05-06"));
        let r = upload(&app, &text, true, true);
        assert_eq!(r.rejected.iter().map(|x| x.code).collect::<Vec<_>>(), ["name_mismatch"], "{}", db.backend);
        assert!(r.rejected[0].reason_zh.contains("人员1") && r.rejected[0].reason_zh.contains("人员2"));
        assert_eq!(total(&app, "D370811000002"), 0, "{}", db.backend);
    }
}

#[test]
fn only_staff_of_the_inspected_institution_on_the_day_of_the_conduct_can_be_deducted_from() {
    for db in common::all() {
        let app = app(&db);
        // 邹城人 works only at B; the inspection is of A.
        let text = format!("{HEADER}{}", row("JC-4", "D370883000001", "邹城人", "6.1", "2024-05-06"));
        let r = upload(&app, &text, true, true);
        assert_eq!(r.rejected.iter().map(|x| x.code).collect::<Vec<_>>(), ["unknown_practitioner"]);
        assert!(!r.rejected[0].reason_zh.contains(B), "names no other institution: {:?}", r.rejected[0]);
        assert_eq!(total(&app, "D370883000001"), 0, "{}", db.backend);
        // The single-inspection API says the same.
        let req = serde_json::from_value(serde_json::json!({"institution_code": A, "inspected_on": "2024-05-06",
            "decided_on": "2024-05-06", "violations": [{"personnel_code": "D370883000001", "items": ["6.1"]}]}))
        .unwrap();
        match app.record_inspection(&Caller::system(), Some("jc4"), &req) {
            Err(jifen::error::Error::Client(c)) => {
                assert_eq!((c.code, c.kind), ("unknown_practitioner", jifen::error::Kind::Unprocessable))
            }
            other => panic!("{}: {other:?}", db.backend),
        }
        // Conduct before the registration began is refused too (人员6 is filed from 2024-05-01).
        app.register(
            &Caller::system(),
            &NewRegistration {
                institution_code: A.into(),
                personnel_code: "D370811000006".into(),
                name: "人员6".into(),
                id_number: common::id_number("19800101", 6),
                category: "physician".into(),
                registered_on: "2024-05-01".into(),
                phone: None,
            },
        )
        .unwrap();
        let early = format!("{HEADER}JC-5,{A},D370811000006,人员6,1.1,2024-05-06,2024-05-06,2024-04-30\n");
        let r = upload(&app, &early, true, true);
        assert_eq!(r.rejected.iter().map(|x| x.code).collect::<Vec<_>>(), ["unknown_practitioner"]);
        // And conduct before the notice came into force (七, 2024-03-29) is not scored at all.
        let before = format!("{HEADER}JC-6,{A},D370811000001,人员1,1.1,2024-05-06,2024-05-06,2024-03-28\n");
        let r = upload(&app, &before, true, true);
        assert_eq!(r.rejected.iter().map(|x| x.code).collect::<Vec<_>>(), ["not_retroactive"], "{r:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Every row of a random file is accepted, recorded already or rejected, exactly once; no
    /// inspection is split between the accepted and the rejected.
    #[test]
    fn every_row_is_accounted_for(rows in prop::collection::vec((0u8..6, 1u32..=5, 0u8..8), 1..30)) {
        let db = common::sqlite();
        let app = app(&db);
        let mut text = HEADER.to_string();
        for (group, person, fault) in &rows {
            let code = format!("D3708110000{person:02}");
            let (name, items, decided, reference) = match fault {
                0 => (format!("人员{person}"), "9.9", "2024-05-06", format!("JC-{group}")),
                1 => (format!("人员{person}"), "1.1", "2024-02-30", format!("JC-{group}")),
                2 => ("别人".to_string(), "1.1", "2024-05-06", format!("JC-{group}")),
                3 => (format!("人员{person}"), "1.1", "2024-05-06", String::new()),
                _ => (format!("人员{person}"), "1.1", "2024-05-06", format!("JC-{group}")),
            };
            text.push_str(&format!("{reference},{A},{code},{name},{items},2024-05-06,{decided},2024-05-01\n"));
        }
        let r = upload(&app, &text, true, true);
        prop_assert_eq!(r.counts.accepted + r.counts.unchanged + r.counts.rejected, r.rows, "{:?}", r);
        prop_assert_eq!(r.rows, rows.len());
        let rejected_refs: std::collections::HashSet<_> =
            r.rejected.iter().map(|x| x.row).collect();
        for a in &r.accepted {
            prop_assert!(!rejected_refs.contains(&a.row));
            let reference = a.inspection_ref.clone().unwrap_or_default();
            let same: Vec<u64> = rows.iter().enumerate()
                .filter(|(_, (g, _, f))| *f != 3 && format!("JC-{g}") == reference)
                .map(|(k, _)| k as u64 + 2)
                .collect();
            prop_assert!(same.iter().all(|row| !rejected_refs.contains(row)), "{reference} split: {:?}", r);
        }
    }
}

#[test]
fn items_and_amounts_are_read_as_officers_write_them() {
    for db in common::all() {
        let app = app(&db);
        let header =
            "检查编号,定点医药机构编码,医保对应代码,姓名,扣分情形,检查日期,处理决定日期,违规发生日期,基金损失\n";
        let text = format!(
            "{header}JC-8,{A},D370811000001,人员1,挂床住院,2024-05-06,2024-05-06,2024-05-01,1.2万元\n\
             JC-8,{A},D370811000002,人员2,１.２/3.3,2024-05-06,2024-05-06,2024-05-01,\"¥5,000\"\n\
             JC-9,{A},D370811000003,人员3,1.1,2024-05-06,2024-05-06,2024-05-01,很多\n"
        );
        let r = upload(&app, &text, true, true);
        assert_eq!(r.counts.accepted, 2, "{} {r:?}", db.backend);
        let warned: Vec<(u64, &str)> = r.warnings.iter().map(|w| (w.row, w.code)).collect();
        assert_eq!(warned, [(2, "item_matched")], "{r:?}");
        assert!(r.warnings[0].reason_zh.contains("1.1"), "{:?}", r.warnings[0]);
        assert_eq!(
            r.rejected.iter().map(|x| (x.row, x.column.as_deref())).collect::<Vec<_>>(),
            [(4, Some("基金损失"))]
        );
        assert!(!r.rejected[0].reason.contains("violations[") && !r.rejected[0].reason_zh.contains("violations["));
        assert_eq!(total(&app, "D370811000001"), 1, "{}", db.backend);
        assert_eq!(total(&app, "D370811000002"), 3, "the highest of 1.2 and 3.3 ({})", db.backend);
        let ledger = app.ledger(&Caller::system(), "D370811000001", 2024).unwrap();
        let loss = serde_json::to_value(ledger.deductions[0].fund_loss).unwrap();
        assert!(loss.as_str().is_some_and(|l| l.starts_with("12000")), "{loss}");
    }
}
