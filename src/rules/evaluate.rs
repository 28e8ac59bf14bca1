//! The engine: one practitioner's facts and the policy packs in, the timeline out.
//! Pure: no I/O, no clock.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::explain::Explanation;
use super::facts::PractitionerFacts;
use super::pack::{BanCause, Band, HeldBy, PackSet, PolicyPack, SanctionKind};
use super::sanctions::{suspend, terminate, termination_in_force, Suspension, Termination};
use super::sites::site_intervals;
use super::timeline::{CountedDeduction, CycleTotal, Sanction, Timeline, Trigger};
use super::RuleError;

/// One step of the walk through time: an inspection's deductions, or a failed test.
enum Step<'a> {
    Inspection { decided_on: NaiveDate, deductions: Vec<&'a CountedDeduction>, ban_months: Option<u32> },
    FailedTest { tested_on: NaiveDate },
}

impl Step<'_> {
    fn date(&self) -> NaiveDate {
        match self {
            Step::Inspection { decided_on, .. } => *decided_on,
            Step::FailedTest { tested_on } => *tested_on,
        }
    }
}

pub fn evaluate(packs: &PackSet, facts: &PractitionerFacts) -> Result<Timeline, RuleError> {
    let deductions = count_deductions(packs, facts)?;
    let finals = final_totals(&deductions);
    let mut sanctions: Vec<Sanction> = Vec::new();

    // 四: inspections in order of decision date, then of recording; tests after the day's inspections.
    let mut steps: Vec<Step> = Vec::new();
    let mut by_inspection: BTreeMap<(NaiveDate, i64), Vec<&CountedDeduction>> = BTreeMap::new();
    for d in deductions.iter().filter(|d| !d.revoked) {
        by_inspection.entry((d.decided_on, d.inspection)).or_default().push(d);
    }
    for ((decided_on, _), group) in by_inspection {
        let ban_months =
            facts.deductions.iter().filter(|f| group.iter().any(|g| g.id == f.id)).filter_map(|f| f.ban_months).max();
        steps.push(Step::Inspection { decided_on, deductions: group, ban_months });
    }
    // 七: a test sat before the notice came into force (recorded before it was refused) ends nothing.
    for t in facts.tests.iter().filter(|t| !t.passed && t.tested_on >= packs.first_effective()) {
        steps.push(Step::FailedTest { tested_on: t.tested_on });
    }
    steps.sort_by_key(|s| (s.date(), matches!(s, Step::FailedTest { .. })));

    let mut running: BTreeMap<i32, u32> = BTreeMap::new();
    let mut highest_band: BTreeMap<i32, usize> = BTreeMap::new();
    let mut totals_after: BTreeMap<i64, u32> = BTreeMap::new();

    for step in &steps {
        let on = step.date();
        let pack = packs.in_force(on)?;
        match step {
            Step::Inspection { deductions: group, ban_months, .. } => {
                let year = on.year();
                let before = running.get(&year).copied().unwrap_or(0);
                let after = before + group.iter().map(|d| d.points).sum::<u32>();
                running.insert(year, after);
                for d in group {
                    totals_after.insert(d.id, after);
                }
                let Some((band_idx, band)) = pack.band_for(after) else {
                    continue;
                };
                // A band applies when the total first enters it; only the highest reached.
                if highest_band.get(&year).is_some_and(|&h| h >= band_idx) {
                    continue;
                }
                highest_band.insert(year, band_idx);
                let ids: Vec<i64> = group.iter().map(|d| d.id).collect();
                // 五(一) 连续三年…, in packs that have it.
                let consecutive = pack.consecutive.as_ref().filter(|c| {
                    band.sanction == SanctionKind::Suspension
                        && band.min >= c.min_total
                        && (1..=c.previous_cycles as i32)
                            .all(|k| finals.get(&(year - k)).is_some_and(|&t| t >= c.min_total))
                });
                let terminated = termination_in_force(facts, &sanctions, on);
                if consecutive.is_some() || band.sanction == SanctionKind::Termination {
                    let range = pack.ban_for(ban_cause(pack, group));
                    let ban = ban_months.unwrap_or(range.months).clamp(range.months, range.max_months);
                    let (trigger, article, zh, en) = if let Some(c) = consecutive {
                        (
                            Trigger::ConsecutiveCycles,
                            c.article.clone(),
                            format!(
                                "{year}年度累计扣分{after}分，且前{}个记分周期均扣分{}分以上：{}",
                                c.previous_cycles, c.min_total, c.text
                            ),
                            format!(
                                "cycle {year} total {after} with each of the {} previous cycles at {} or more: agreements terminated",
                                c.previous_cycles, c.min_total
                            ),
                        )
                    } else {
                        (
                            Trigger::Band,
                            band.article.clone(),
                            format!("{year}年度累计扣分{after}分：{}", band.text),
                            format!("cycle {year} total {after} reached {}: agreements terminated", band.min),
                        )
                    };
                    terminate(
                        &mut sanctions,
                        Termination {
                            pack,
                            on,
                            ban_months: ban,
                            ban: Some(range),
                            total: after,
                            trigger,
                            article,
                            zh,
                            en,
                            deduction_ids: ids,
                        },
                    );
                } else if terminated {
                    // Nothing left to suspend or interview about while terminated.
                    continue;
                } else if band.sanction == SanctionKind::Interview {
                    let institutions = sites_on(facts, on);
                    sanctions.push(Sanction {
                        kind: SanctionKind::Interview,
                        trigger: Trigger::Band,
                        cycle_year: year,
                        decided_on: on,
                        starts_on: on,
                        ends_on: None,
                        nominal_ends_on: None,
                        decided_ends_on: None,
                        months: None,
                        ban_until: None,
                        total: after,
                        institutions,
                        article: band.article.clone(),
                        explanation: Explanation {
                            article: band.article.clone(),
                            policy: pack.id.clone(),
                            zh: format!("{year}年度累计扣分{after}分：{}{}", band.text, interview_tail(band)),
                            en: format!(
                                "cycle {year} total {after}: {} must hold an interview and keep a record{}",
                                match band.held_by() {
                                    HeldBy::Agency => "the agency",
                                    HeldBy::Institution => "the institution",
                                },
                                if band.close_supervision { "; the person is put under close supervision" } else { "" }
                            ),
                            deduction_ids: ids,
                        },
                    });
                } else {
                    // The officer's choice within a range is not yet a recorded fact: the
                    // band's stated default (the fixed months where the pack fixes them).
                    let months = band.default_months();
                    suspend(
                        &mut sanctions,
                        Suspension {
                            pack,
                            on,
                            months,
                            total: after,
                            article: band.article.clone(),
                            text: band.text.clone(),
                            deduction_ids: ids,
                        },
                    );
                }
            }
            Step::FailedTest { tested_on } => {
                // A pack without the yearly test: a failed test recorded under it ends nothing.
                let Some(rule) = &pack.training_test else {
                    continue;
                };
                terminate(
                    &mut sanctions,
                    Termination {
                        pack,
                        on: *tested_on,
                        ban_months: rule.fail_ban_months,
                        ban: None,
                        total: 0,
                        trigger: Trigger::TrainingTest,
                        article: rule.article.clone(),
                        zh: format!("{tested_on}医保政策培训测试未合格：{}", rule.text),
                        en: "failed the annual training test: agreements terminated, no new agreement for the ban"
                            .to_string(),
                        deduction_ids: Vec::new(),
                    },
                );
            }
        }
    }

    let deductions = deductions
        .into_iter()
        .map(|mut d| {
            d.total_after = totals_after.get(&d.id).copied();
            d
        })
        .collect::<Vec<_>>();
    let cycles = cycles_of(&deductions);
    let intervals = site_intervals(packs, facts, &sanctions);
    Ok(Timeline { personnel_code: facts.personnel_code.clone(), deductions, cycles, sanctions, intervals })
}

/// 四 preamble: each deduction costs its highest item, in the cycle of its decision date.
fn count_deductions(packs: &PackSet, facts: &PractitionerFacts) -> Result<Vec<CountedDeduction>, RuleError> {
    let mut out = Vec::with_capacity(facts.deductions.len());
    for d in &facts.deductions {
        // 七: a deduction decided before the notice came into force (recorded before such
        // deductions were refused) is read under the first pack and counts on no date.
        let before_in_force = d.decided_on < packs.first_effective();
        let on = if before_in_force { packs.first_effective() } else { d.decided_on };
        let (points, item) = packs.points_for(on, &d.items, d.chosen_points)?;
        let pack = packs.in_force(on)?;
        let (zh, en) = if before_in_force {
            (
                format!(
                    "{}作出的扣分早于本通知施行之日（{}，{}：{}），不溯及既往，不计入任何日期",
                    d.decided_on, pack.effective_from, pack.effective_article, pack.effective_text
                ),
                format!(
                    "decided on {}, before the notice came into force on {} ({}): not retroactive, counts on no date",
                    d.decided_on, pack.effective_from, pack.effective_article
                ),
            )
        } else if d.revoked {
            (
                format!("{}扣{}分已撤销，不计入任何日期", item.article, points),
                format!("{} points under {} revoked: counts on no date", points, item.article),
            )
        } else if d.items.len() > 1 {
            (
                format!(
                    "同一违规行为涉及{}项情形，按最高分值扣分：{}「{}」扣{}分",
                    d.items.len(),
                    item.article,
                    item.text,
                    points
                ),
                format!(
                    "one act citing {} items costs the highest once: {} = {} points",
                    d.items.len(),
                    item.article,
                    points
                ),
            )
        } else {
            (format!("{}「{}」扣{}分", item.article, item.text, points), format!("{}: {} points", item.article, points))
        };
        // Issue 17: where the pack lets the officer choose, say so (or that the pack's default
        // stood in for a choice the facts do not hold).
        let (zh, en) = match (item.is_choice() && !before_in_force, d.chosen_points) {
            (true, Some(_)) => (
                format!("{zh}（分值由经办人员在{}分内选定）", item.range_text()),
                format!("{en} (chosen by the officer within {})", item.range_text()),
            ),
            (true, None) => (
                format!("{zh}（未记录选定分值，按政策包默认值计）"),
                format!("{en} (no choice recorded: the pack's default)"),
            ),
            _ => (zh, en),
        };
        out.push(CountedDeduction {
            id: d.id,
            inspection: d.inspection,
            institution_code: d.institution_code.clone(),
            decided_on: d.decided_on,
            cycle_year: d.decided_on.year(),
            items: d.items.clone(),
            points,
            revoked: d.revoked || before_in_force,
            total_after: None,
            explanation: Explanation {
                article: if before_in_force { pack.effective_article.clone() } else { item.article.clone() },
                policy: pack.id.clone(),
                zh,
                en,
                deduction_ids: vec![d.id],
            },
        });
    }
    out.sort_by_key(|d| (d.decided_on, d.inspection, d.id));
    Ok(out)
}

/// Why a crossing terminates, for the ban by cause: a fraud item, a single deduction worth the
/// whole cycle (一次性记满), else the total reached over time.
fn ban_cause(pack: &PolicyPack, group: &[&CountedDeduction]) -> BanCause {
    let fraud = group.iter().any(|d| d.items.iter().any(|c| pack.item(c).is_some_and(|i| i.fraud)));
    if fraud {
        BanCause::Fraud
    } else if group.iter().any(|d| d.points >= pack.cycle.initial_points) {
        BanCause::SingleDeduction
    } else {
        BanCause::Accumulated
    }
}

/// Who holds the interview, where the pack says more than its band text (天津: the person's
/// institution, with close supervision).
fn interview_tail(band: &Band) -> String {
    match (band.held_by, band.close_supervision) {
        (None, false) => String::new(),
        // The band's own text already says who holds it.
        _ if band.text.contains(band.held_by().zh()) => String::new(),
        (_, close) => format!("（由{}约谈{}）", band.held_by().zh(), if close { "，并列为重点监管对象" } else { "" }),
    }
}

fn final_totals(deductions: &[CountedDeduction]) -> BTreeMap<i32, u32> {
    let mut totals = BTreeMap::new();
    for d in deductions.iter().filter(|d| !d.revoked) {
        *totals.entry(d.cycle_year).or_insert(0) += d.points;
    }
    totals
}

fn cycles_of(deductions: &[CountedDeduction]) -> Vec<CycleTotal> {
    let mut cycles: BTreeMap<i32, CycleTotal> = BTreeMap::new();
    for d in deductions.iter().filter(|d| !d.revoked) {
        let c = cycles.entry(d.cycle_year).or_insert(CycleTotal {
            year: d.cycle_year,
            total: 0,
            deduction_ids: Vec::new(),
            max_single: 0,
        });
        c.total += d.points;
        c.deduction_ids.push(d.id);
        c.max_single = c.max_single.max(d.points);
    }
    cycles.into_values().collect()
}

fn sites_on(facts: &PractitionerFacts, on: NaiveDate) -> Vec<String> {
    let mut sites: Vec<String> =
        facts.registrations.iter().filter(|r| r.in_force_on(on)).map(|r| r.institution_code.clone()).collect();
    sites.sort();
    sites.dedup();
    sites
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::facts::{DeductionFact, RegistrationFact};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// 七: a deduction already in the ledger but decided before the notice came into force (it
    /// is refused today) counts on no date, and says why; the engine never fails on it.
    #[test]
    fn qi_a_deduction_recorded_before_the_notice_counts_nowhere() {
        let packs = PackSet::embedded().unwrap();
        let deduction = |id, on: &str| DeductionFact {
            id,
            inspection: id,
            institution_code: "A".into(),
            decided_on: d(on),
            items: vec!["6.1".into()],
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
            deductions: vec![deduction(1, "2024-03-28"), deduction(2, "2024-03-29")],
            tests: Vec::new(),
            institutions: Vec::new(),
        };
        let t = evaluate(&packs, &facts).unwrap();
        assert_eq!(t.total_on(d("2024-12-31")), 6);
        let legacy = t.deductions.iter().find(|x| x.id == 1).unwrap();
        assert!(legacy.revoked && legacy.explanation.article == "七", "{legacy:?}");
        assert!(legacy.explanation.zh.contains("不溯及既往"), "{}", legacy.explanation.zh);
        assert_eq!(t.sanctions.len(), 1, "one suspension, from the 2024-03-29 deduction only");
        assert_eq!(t.sanctions[0].starts_on, d("2024-03-29"));
    }
}
