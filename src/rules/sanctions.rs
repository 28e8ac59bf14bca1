//! Personal sanctions once decided (五(一)(二), 三(三)): suspension periods, terminations and
//! their bans. `evaluate` decides which sanction a step calls for and applies it here; `sites`
//! and `status` read the periods and bans back.

use chrono::{Datelike, NaiveDate};

use super::explain::Explanation;
use super::facts::{PractitionerFacts, RegistrationFact};
use super::pack::{BanCause, BanRange, PolicyPack, SanctionKind};
use super::timeline::{Sanction, Trigger};
use crate::domain::dates::add_months;

/// A termination is in force from its date until the person starts a new agreement
/// (a registration made after it, once any ban is over).
pub(crate) fn termination_in_force(facts: &PractitionerFacts, sanctions: &[Sanction], on: NaiveDate) -> bool {
    let Some(t) = sanctions.iter().rfind(|s| s.kind == SanctionKind::Termination && s.starts_on <= on) else {
        return false;
    };
    let ban_until = t.ban_until.unwrap_or(t.starts_on);
    !facts
        .registrations
        .iter()
        .any(|r| r.registered_on > t.starts_on && r.in_force_on(on) && r.registered_on.max(ban_until) <= on)
}

/// The first day a registration's agreement is in force: its date, or the end of a ban
/// running when it was filed (五(二)).
pub(super) fn agreement_start(reg: &RegistrationFact, sanctions: &[Sanction]) -> NaiveDate {
    sanctions
        .iter()
        .filter(|s| s.kind == SanctionKind::Termination && s.starts_on < reg.registered_on)
        .filter_map(|s| s.ban_until)
        .fold(reg.registered_on, NaiveDate::max)
}

/// A suspension to apply: `months` from `on`, reached with the cycle total `total`.
pub(super) struct Suspension<'a> {
    pub pack: &'a PolicyPack,
    pub on: NaiveDate,
    pub months: u32,
    pub total: u32,
    pub article: String,
    /// The band's text, which opens the explanation.
    pub text: String,
    pub deduction_ids: Vec<i64>,
}

/// A termination to apply on `on`, with a ban of `ban_months`.
pub(super) struct Termination<'a> {
    pub pack: &'a PolicyPack,
    pub on: NaiveDate,
    pub ban_months: u32,
    /// The ban rule by cause (None: the pack's `[ban]`, as for a failed training test).
    pub ban: Option<BanRange>,
    /// The cycle total that triggered it (0 for a training test).
    pub total: u32,
    pub trigger: Trigger,
    pub article: String,
    /// The explanation, to which the ban is added.
    pub zh: String,
    pub en: String,
    pub deduction_ids: Vec<i64>,
}

/// 五(一)(二): a suspension of `months` from `on`. A running one is replaced: it ends today,
/// and the new one runs to the later of the two ends (suspended while any runs).
pub(super) fn suspend(sanctions: &mut Vec<Sanction>, s: Suspension) {
    let Suspension { pack, on, months, total, article, text, deduction_ids } = s;
    let nominal = add_months(on, months);
    let mut end = nominal;
    let mut replaced = None;
    for s in sanctions.iter_mut().filter(|s| s.kind == SanctionKind::Suspension) {
        if let Some(e) = s.ends_on.filter(|&e| s.starts_on <= on && on < e) {
            end = end.max(e);
            s.ends_on = Some(on);
            replaced = Some(s.starts_on);
        }
    }
    let year = on.year();
    let (zh_tail, en_tail) = match replaced {
        Some(from) => (
            format!("；取代自{from}起尚未执行完毕的中止，中止至{end}（不含）"),
            format!("; replaces the rest of the suspension running since {from}; suspended until {end}"),
        ),
        None => (format!("，中止至{end}（不含），期满自动恢复"), format!("; back in force on {end} by itself")),
    };
    sanctions.push(Sanction {
        kind: SanctionKind::Suspension,
        trigger: Trigger::Band,
        cycle_year: year,
        decided_on: on,
        starts_on: on,
        ends_on: Some(end),
        nominal_ends_on: Some(nominal),
        decided_ends_on: Some(end),
        months: Some(months),
        ban_until: None,
        total,
        institutions: Vec::new(),
        article: article.clone(),
        explanation: Explanation {
            article,
            policy: pack.id.clone(),
            zh: format!("{year}年度累计扣分{total}分：{text}{zh_tail}"),
            en: format!("cycle {year} total {total}: all service agreements suspended {months} months{en_tail}"),
            deduction_ids,
        },
    });
}

/// 五(一)(二), 三(三): termination on `on`, a ban of `ban_months`; any running suspension ends.
pub(super) fn terminate(sanctions: &mut Vec<Sanction>, t: Termination) {
    let Termination { pack, on, ban_months, ban, total, trigger, article, zh, en, deduction_ids } = t;
    // 济宁 has one ban for every cause and reads as before; a pack with bans by cause says which.
    let (ban_article, cause_zh) = match ban {
        Some(b)
            if b.article != pack.ban.article || (b.cause != BanCause::Accumulated && !pack.ban_by_cause.is_empty()) =>
        {
            (b.article, format!("（{}）", b.cause.zh()))
        }
        _ => (pack.ban.article.clone(), String::new()),
    };
    for s in sanctions.iter_mut().filter(|s| s.kind == SanctionKind::Suspension) {
        if s.ends_on.is_some_and(|e| s.starts_on <= on && on < e) {
            s.ends_on = Some(on);
        }
    }
    let ban_until = add_months(on, ban_months);
    sanctions.push(Sanction {
        kind: SanctionKind::Termination,
        trigger,
        cycle_year: on.year(),
        decided_on: on,
        starts_on: on,
        ends_on: None,
        nominal_ends_on: None,
        decided_ends_on: None,
        months: None,
        ban_until: Some(ban_until),
        total,
        institutions: Vec::new(),
        article: article.clone(),
        explanation: Explanation {
            article: article.clone(),
            policy: pack.id.clone(),
            zh: format!("{zh}{cause_zh}；依{ban_article}，{ban_until}前不再与其签订服务协议"),
            en: format!("{en}; under {ban_article} no new agreement before {ban_until}"),
            deduction_ids,
        },
    });
}
