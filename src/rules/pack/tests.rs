//! The packs of `data/packs/` load and validate; a broken pack is refused with every problem.

use chrono::NaiveDate;

use super::*;
use crate::rules::RuleError;

fn jining() -> String {
    include_str!("../../../data/packs/jining-2024.toml").to_string()
}

#[test]
fn the_embedded_pack_loads_with_23_items() {
    let set = PackSet::embedded().unwrap();
    let pack = set.in_force(NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()).unwrap();
    assert_eq!(pack.items.len(), 23);
    assert!(set.in_force(NaiveDate::from_ymd_opt(2023, 12, 31).unwrap()).is_err());
}

/// 七: 本通知自印发之日起施行 — in force from 2024-03-29, never before.
#[test]
fn qi_in_force_from_the_day_of_issue_not_retroactively() {
    let set = PackSet::embedded().unwrap();
    let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
    assert_eq!(set.first_effective(), d(3, 29));
    for what in [Dated::Decision, Dated::Conduct, Dated::Test] {
        match set.scoring(what, d(3, 28)) {
            Err(RuleError::NotRetroactive { what: w, date, effective_from, article, .. }) => {
                assert_eq!((w, date, effective_from, article.as_str()), (what, d(3, 28), d(3, 29), "七"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(set.scoring(what, d(3, 29)).unwrap().id, "jining-2024");
    }
    // 2024 is still a full cycle of 12 points.
    assert_eq!(set.scoring(Dated::Decision, d(3, 29)).unwrap().cycle.initial_points, 12);
}

#[test]
fn an_item_without_article_is_refused_by_name() {
    let text = jining().replacen("article = \"四(一)3\"", "article = \"\"", 1);
    let e = PolicyPack::from_toml("x.toml", &text).unwrap_err().to_string();
    assert!(e.contains("x.toml") && e.contains("\"1.3\"") && e.contains("no article"), "{e}");
}

#[test]
fn a_band_gap_is_refused() {
    let text = jining().replacen("min = 9\n", "min = 10\n", 1);
    let e = PolicyPack::from_toml("x.toml", &text).unwrap_err().to_string();
    assert!(e.contains("gap or overlap"), "{e}");
}

#[test]
fn overlapping_packs_are_refused() {
    let a = PolicyPack::from_toml("a", &jining()).unwrap();
    let mut b = a.clone();
    b.id = "later".into();
    b.effective_from = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    assert!(PackSet::new(vec![a.clone(), b.clone()]).is_err());
    let mut a2 = a;
    a2.effective_until = Some(b.effective_from);
    let set = PackSet::new(vec![b, a2]).unwrap();
    assert_eq!(set.in_force(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap()).unwrap().id, "jining-2024");
    assert_eq!(set.in_force(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()).unwrap().id, "later");
}

/// Catala's date-coverage idea: every day from the first pack on has exactly one pack.
#[test]
fn every_day_from_2024_to_2030_has_one_pack() {
    let set = PackSet::embedded().unwrap();
    let mut d = set.first_effective();
    while d < NaiveDate::from_ymd_opt(2031, 1, 1).unwrap() {
        let n = set.packs().iter().filter(|p| p.in_force_on(d)).count();
        assert_eq!(n, 1, "{d}");
        d = d.succ_opt().unwrap();
    }
}

#[test]
fn before_the_first_pack_only_in_force_or_first_answers() {
    let a = PolicyPack::from_toml("a", &jining()).unwrap();
    let mut a2 = a.clone();
    a2.effective_until = NaiveDate::from_ymd_opt(2026, 1, 1);
    let set = PackSet::new(vec![a2]).unwrap();
    let before = NaiveDate::from_ymd_opt(2023, 6, 1).unwrap();
    let after = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    assert!(matches!(set.in_force(before), Err(RuleError::NoPolicy(_))));
    assert_eq!(set.in_force_or_first(before).unwrap().id, "jining-2024");
    assert_eq!(set.in_force_or_first(NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()).unwrap().id, "jining-2024");
    assert!(matches!(set.in_force_or_first(after), Err(RuleError::NoPolicy(_))));
}

#[test]
fn an_empty_citation_is_refused_by_name() {
    let text = jining().replacen("institution_article = \"三(四)\"", "institution_article = \" \"", 1);
    let e = PolicyPack::from_toml("x.toml", &text).unwrap_err().to_string();
    assert!(e.contains("x.toml") && e.contains("payment.institution_article is empty"), "{e}");
}

#[test]
fn points_are_the_highest_item_once() {
    let set = PackSet::embedded().unwrap();
    let d = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
    let items = vec!["1.2".to_string(), "3.2".to_string(), "1.1".to_string()];
    let (p, item) = set.points_for(d, &items, None).unwrap();
    assert_eq!((p, item.article.as_str()), (3, "四(二)2"));
    assert!(matches!(set.points_for(d, &["9.9".into()], None), Err(RuleError::UnknownItem(..))));
    assert!(matches!(set.points_for(d, &[], None), Err(RuleError::NoItems)));
}

fn shipped(name: &str) -> String {
    crate::rules::EMBEDDED_PACKS.iter().find(|(n, _)| *n == name).map(|(_, t)| t.to_string()).unwrap()
}

#[test]
fn the_three_shipped_packs_load_by_jurisdiction() {
    let lib = PackLibrary::embedded().unwrap();
    let js: Vec<&str> = lib.jurisdictions().collect();
    assert_eq!(js, ["jining", "national", "tianjin"]);
    let d = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    assert_eq!(lib.set("national").unwrap().in_force(d).unwrap().id, "national-2024");
    assert_eq!(lib.set("tianjin").unwrap().in_force(d).unwrap().id, "tianjin-2025");
    assert!(matches!(lib.set("shanghai"), Err(RuleError::UnknownJurisdiction(_))));
}

/// Every problem is reported, each with the line it is on — not only the first.
#[test]
fn check_reports_every_problem_with_its_line() {
    let text = jining().replacen("article = \"四(一)3\"", "article = \"\"", 1).replacen("min = 9\n", "min = 10\n", 1);
    let line_of = |needle: &str| text.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    let (_, problems) = check::check(&text);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0].line, Some(line_of("article = \"\"")), "{}", problems[0]);
    assert!(problems[0].to_string().contains("\"1.3\") has no article"), "{}", problems[0]);
    assert_eq!(problems[1].line, Some(line_of("min = 10")), "{}", problems[1]);
    let e = PolicyPack::from_toml("x.toml", &text).unwrap_err().to_string();
    assert!(e.contains("no article") && e.contains("gap or overlap"), "{e}");
}

#[test]
fn check_refuses_a_range_the_bands_cannot_hold() {
    let text = shipped("tianjin-2025.toml");
    let bad =
        text.replacen("points_max = 12", "points_max = 13", 1).replacen("\"主要\" = [3, 3]", "\"主要\" = [3, 4]", 1);
    let (_, problems) = check::check(&bad);
    let all: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert!(all.iter().any(|p| p.contains("points_max 13 is more than the cycle's 12")), "{all:?}");
    assert!(all.iter().any(|p| p.contains("tier 主要 3..=4 is not within the item's 1..=3")), "{all:?}");
    assert!(problems.iter().all(|p| p.line.is_some()), "{all:?}");
    let (_, syntax) = check::check("id = \"x\"\n[cycle\n");
    assert_eq!(syntax[0].line, Some(2), "{syntax:?}");
}

#[test]
fn packs_of_one_jurisdiction_leave_no_gap_but_jurisdictions_may_overlap() {
    let a = PolicyPack::from_toml("a", &jining()).unwrap();
    let mut a2 = a.clone();
    a2.effective_until = NaiveDate::from_ymd_opt(2025, 1, 1);
    let mut b = a.clone();
    b.id = "later".into();
    b.effective_from = NaiveDate::from_ymd_opt(2025, 2, 1).unwrap();
    let e = PackSet::new(vec![a2.clone(), b.clone()]).unwrap_err().to_string();
    assert!(e.contains("leave a gap") && e.contains("2025-01-01"), "{e}");
    b.effective_from = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    assert!(PackSet::new(vec![a2.clone(), b.clone()]).is_ok());
    let mut other = b.clone();
    other.jurisdiction = "tianjin".into();
    assert!(PackSet::new(vec![a2.clone(), other.clone()]).is_err(), "one set is one jurisdiction");
    // Across jurisdictions packs overlap freely.
    let lib = PackLibrary::new(vec![a, other]).unwrap();
    assert_eq!(lib.jurisdictions().count(), 2);
}

#[test]
fn tianjin_points_are_chosen_within_the_tier_and_bans_go_by_cause() {
    let pack = PolicyPack::from_toml("t", &shipped("tianjin-2025.toml")).unwrap();
    let t2 = pack.item("T2").unwrap();
    assert_eq!((t2.range(), t2.is_choice(), t2.default_points()), ((4, 6), true, 5));
    assert_eq!(t2.tier_range(Responsibility::parse("主要责任")), (6, 6));
    assert_eq!(pack.ban_for(BanCause::Accumulated).months, 12);
    assert_eq!(pack.ban_for(BanCause::SingleDeduction).months, 36);
    let interview = &pack.bands[0];
    assert_eq!((interview.min, interview.held_by(), interview.close_supervision), (6, HeldBy::Institution, true));
    assert_eq!(pack.bands[1].months_range(), Some((1, 6)));
    assert!(pack.cascade.is_none() && pack.consecutive.is_none() && pack.repair.is_some());
    // 济宁 reads as before: one ban for every cause, the cascade, the consecutive rule.
    let j = PolicyPack::from_toml("j", &jining()).unwrap();
    assert_eq!(j.jurisdiction, "jining");
    assert_eq!((j.ban_for(BanCause::SingleDeduction).months, j.ban_for(BanCause::Fraud).max_months), (12, 24));
    assert!(j.cascade.is_some() && j.consecutive.is_some() && j.payment.emergency_exception);
}

#[test]
fn diff_names_what_an_official_reads() {
    let j = PolicyPack::from_toml("j", &jining()).unwrap();
    let t = PolicyPack::from_toml("t", &shipped("tianjin-2025.toml")).unwrap();
    let zh: Vec<String> = diff::diff(&j, &t).into_iter().map(|c| c.zh).collect();
    let has = |s: &str| zh.iter().any(|z| z.contains(s));
    assert!(has("新增条目 T1"), "{zh:?}");
    assert!(has("删除条目 12.6"), "{zh:?}");
    assert!(has("约谈起点：累计5分 → 6分"), "{zh:?}");
    assert!(has("中止（暂停）起点：累计6分 → 9分"), "{zh:?}");
    assert!(has("9-11分中止1-6个月（由经办人员选定）"), "{zh:?}");
    assert!(has("解除后禁止签约期限（一次性记满）：12-24个月 → 36个月"), "{zh:?}");
    assert!(has("机构30%连带处理：有 → 无"), "{zh:?}");
    let mut j2 = j.clone();
    j2.items[0].points = 2;
    let zh: Vec<String> = diff::diff(&j, &j2).into_iter().map(|c| c.zh).collect();
    assert_eq!(zh, ["分值调整 1.1「分解住院、挂床住院」：1分 → 2分"]);
}

/// A year that changes pack in its middle: each deduction is scored under the pack in force on
/// its decision date, the cycle total is their sum, and the crossing follows the pack in force
/// on the decision date of the deduction that crosses (issue 17).
#[test]
fn a_year_that_changes_pack_in_its_middle() {
    use crate::rules::{evaluate, DeductionFact, PractitionerFacts, RegistrationFact};
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let mut first = PolicyPack::from_toml("a", &jining()).unwrap();
    first.effective_until = Some(d("2025-07-01"));
    let mut second = first.clone();
    second.id = "jining-2025h2".into();
    second.effective_from = d("2025-07-01");
    second.effective_until = None;
    second.bands[1].months = Some(4);
    let set = PackSet::new(vec![first, second]).unwrap();
    let deduction = |id, on: &str, item: &str| DeductionFact {
        id,
        inspection: id,
        institution_code: "A".into(),
        decided_on: d(on),
        items: vec![item.into()],
        chosen_points: None,
        ban_months: None,
        revoked: false,
    };
    let facts = PractitionerFacts {
        personnel_code: "p".into(),
        birth_date: d("1980-01-01"),
        registrations: vec![RegistrationFact {
            id: 1,
            institution_code: "A".into(),
            registered_on: d("2024-01-01"),
            deregistered_on: None,
        }],
        deductions: vec![deduction(1, "2025-03-01", "3.1"), deduction(2, "2025-08-01", "3.2")],
        tests: Vec::new(),
        institutions: Vec::new(),
    };
    let t = evaluate(&set, &facts).unwrap();
    let policies: Vec<&str> = t.deductions.iter().map(|x| x.explanation.policy.as_str()).collect();
    assert_eq!(policies, ["jining-2024", "jining-2025h2"]);
    assert_eq!(t.total_on(d("2025-12-31")), 6);
    assert_eq!(t.sanctions.len(), 1);
    let s = &t.sanctions[0];
    assert_eq!((s.explanation.policy.as_str(), s.months, s.ends_on), ("jining-2025h2", Some(4), Some(d("2025-12-01"))));
}
