//! An institution agreement's status over time (三(四) passes it on to the staff): its terms
//! (renewals), suspensions, termination (解除) and ending (终止), and the re-application bars
//! each cause of an end gives (聊城 第十条、第十四条; 吉林 第十七条、第二十一条).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::facts::{InstitutionEvent, InstitutionFacts};
use super::pack::{InstitutionAgreementRule, PackSet};
use crate::domain::dates::add_months;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InstitutionStatus {
    /// Before `agreement_start`.
    NotStarted,
    Active,
    Suspended,
    /// 解除: terminated for cause, or at the institution's request.
    Terminated,
    /// 终止: the agreement ended — not renewed, lapsed after a voluntary suspension, or past its
    /// term where the rules in force let it end.
    Expired,
    /// Past its term with the renewal not yet decided, where the rules in force keep it in force
    /// meanwhile (聊城 第十九条 协议有效期顺延): staff are paid.
    RenewalPending,
    /// A suspension ran its course and the rules require an inspection (验收) before the agreement
    /// continues (吉林 第四十六条): staff are not paid until it is passed.
    AwaitingInspection,
}

impl InstitutionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InstitutionStatus::NotStarted => "not_started",
            InstitutionStatus::Active => "active",
            InstitutionStatus::Suspended => "suspended",
            InstitutionStatus::Terminated => "terminated",
            InstitutionStatus::Expired => "expired",
            InstitutionStatus::RenewalPending => "renewal_pending",
            InstitutionStatus::AwaitingInspection => "awaiting_inspection",
        }
    }
}

/// What happens at the end of a term with no renewal decided: data of the rules in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnExpiry {
    /// 聊城 第十九条: 年度协议考核、续签工作完成前，协议有效期顺延.
    Extend,
    /// 吉林 第三十九条 到期后自动终止; 楚雄 第三十六条 协议期满之日关停医保支付系统.
    End,
}

/// What ends a suspension that ran its course: data of the rules in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AfterSuspension {
    /// 聊城 第二十九条: 中止期结束，未超过协议有效期的，协议继续履行；超过协议有效期的，协议自动终止.
    Continue,
    /// 吉林 第四十六条: 中止协议期满后医保经办机构对其进行验收，验收合格的，医保协议继续履行（或可
    /// 续签）；验收不合格的，解除医保协议.
    Inspect,
}

/// Why an agreement ended (终止) or was terminated (解除); the re-application bar follows
/// from it (聊城 第十条(五)–(八)、第十四条; 吉林 第十七条、第二十一条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndCause {
    /// 解除, 因违法违规: 3 years; the legal representative 5.
    Violation,
    /// 解除, 因严重违反医保协议约定: 1 year.
    Breach,
    /// 解除, 以弄虚作假等不正当手段申请定点: 3 years from discovery; the legal representative 5.
    Fraud,
    /// 解除 at the institution's own request: no bar.
    Voluntary,
    /// 终止: a voluntary suspension not resumed within 180 days (聊城 第二十九条): no bar.
    Lapse,
    /// 终止: not renewed: no bar.
    NonRenewal,
    /// 终止: the term ended under `on_expiry = end`: no bar.
    Expiry,
}

impl EndCause {
    pub const ALL: [EndCause; 7] = [
        EndCause::Violation,
        EndCause::Breach,
        EndCause::Fraud,
        EndCause::Voluntary,
        EndCause::Lapse,
        EndCause::NonRenewal,
        EndCause::Expiry,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EndCause::Violation => "violation",
            EndCause::Breach => "breach",
            EndCause::Fraud => "fraud",
            EndCause::Voluntary => "voluntary",
            EndCause::Lapse => "lapse",
            EndCause::NonRenewal => "non_renewal",
            EndCause::Expiry => "expiry",
        }
    }

    pub fn parse(s: &str) -> Option<EndCause> {
        EndCause::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            EndCause::Violation => "因违法违规解除医保协议",
            EndCause::Breach => "因严重违反医保协议约定解除医保协议",
            EndCause::Fraud => "以弄虚作假等不正当手段申请定点，解除医保协议",
            EndCause::Voluntary => "应定点医药机构申请解除医保协议",
            EndCause::Lapse => "协议中止超过180日未申请继续履行，协议自动终止",
            EndCause::NonRenewal => "不再续签，协议到期终止",
            EndCause::Expiry => "协议到期终止",
        }
    }

    /// 解除 (a termination) rather than 终止 (an ending).
    pub fn is_termination(self) -> bool {
        matches!(self, EndCause::Violation | EndCause::Breach | EndCause::Fraud | EndCause::Voluntary)
    }

    /// The causes after which the legal representative, 主要负责人 or 实际控制人 is barred too
    /// (曾因严重违法违规导致原定点医药机构解除医保协议).
    pub fn is_serious(self) -> bool {
        matches!(self, EndCause::Violation | EndCause::Fraud)
    }
}

/// A re-application bar: no designation application is accepted before `until` (吉林 第十七条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bar {
    /// The first day an application is accepted again.
    pub until: NaiveDate,
    pub article: String,
}

/// The institution's bar after an end of `cause` on `on` (`discovered_on`: when a fraudulent
/// application was found, 自发现之日起); `None` when the cause bars nothing.
pub fn institution_bar(
    rule: &InstitutionAgreementRule,
    cause: EndCause,
    on: NaiveDate,
    discovered_on: Option<NaiveDate>,
) -> Option<Bar> {
    let (from, years, article) = match cause {
        EndCause::Violation => (on, rule.reapply_bar_years, &rule.reapply_article),
        EndCause::Breach => (on, rule.breach_bar_years, &rule.breach_article),
        EndCause::Fraud => (discovered_on.unwrap_or(on), rule.fraud_bar_years, &rule.fraud_article),
        _ => return None,
    };
    Some(Bar { until: add_months(from, 12 * years), article: article.clone() })
}

/// The legal representative's bar after a serious cause (5 years); `None` otherwise.
pub fn legal_representative_bar(rule: &InstitutionAgreementRule, cause: EndCause, on: NaiveDate) -> Option<Bar> {
    cause.is_serious().then(|| Bar {
        until: add_months(on, 12 * rule.legal_representative_bar_years),
        article: rule.legal_representative_article.clone(),
    })
}

/// The institution's agreement over time, from its events and the rules in force.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstitutionPeriods {
    /// `[from, until)`.
    pub suspensions: Vec<(NaiveDate, Option<NaiveDate>)>,
    /// 解除: the day the termination took effect.
    pub terminated_on: Option<NaiveDate>,
    /// The terms, `[start, end]` (last day included): the first, then each renewal.
    pub terms: Vec<(NaiveDate, NaiveDate)>,
    /// 终止: the first day no longer in force, and why.
    pub ended: Option<(NaiveDate, EndCause)>,
    /// Past the last term with no decision, where the rules extend it (顺延): from this day.
    pub extended_from: Option<NaiveDate>,
    /// Under `after_suspension = inspect`: `[from, until)` a suspension that ran its course waits
    /// for its inspection (`until`: the inspection's day; `None`: not yet).
    pub awaiting_inspection: Vec<(NaiveDate, Option<NaiveDate>)>,
    /// The day a failed inspection terminated the agreement (解除).
    pub failed_inspection: Option<NaiveDate>,
}

impl InstitutionPeriods {
    /// The periods of `facts` under `packs`: the pack in force at the end of the last term says
    /// what happens then (`on_expiry`).
    pub fn of(facts: &InstitutionFacts, packs: &PackSet) -> Self {
        let mut p =
            InstitutionPeriods { terms: vec![(facts.agreement_start, facts.agreement_end)], ..Default::default() };
        let mut lapses: Vec<(usize, NaiveDate)> = Vec::new();
        let mut not_renewed: Option<NaiveDate> = None;
        let mut inspections: Vec<(NaiveDate, bool)> = Vec::new();
        // Each suspension's own end, to tell one that ran its course from one restored early.
        let mut natural_ends: Vec<Option<NaiveDate>> = Vec::new();
        for e in &facts.events {
            match *e {
                InstitutionEvent::Suspend { from, until, lapses_on } => {
                    if let Some(l) = lapses_on {
                        lapses.push((p.suspensions.len(), l));
                    }
                    p.suspensions.push((from, until));
                    natural_ends.push(until);
                }
                // A restore ends every suspension running on that day.
                InstitutionEvent::Restore { on } => {
                    for s in p.suspensions.iter_mut() {
                        if s.0 <= on && s.1.is_none_or(|u| u > on) {
                            s.1 = Some(on);
                        }
                    }
                }
                InstitutionEvent::Terminate { on } => {
                    p.terminated_on = Some(p.terminated_on.map_or(on, |t| t.min(on)));
                }
                InstitutionEvent::Renew { start, end } => p.terms.push((start, end)),
                InstitutionEvent::NotRenewed { on } => not_renewed = Some(on),
                InstitutionEvent::Inspected { on, passed } => inspections.push((on, passed)),
            }
        }
        let end = |on: NaiveDate, cause: EndCause, p: &mut InstitutionPeriods| {
            if p.ended.is_none_or(|(e, _)| on < e) {
                p.ended = Some((on, cause));
            }
        };
        // 聊城 第二十九条: still suspended on the day it lapses, the agreement ends by itself
        // (自动终止) — an ending, not a termination for cause.
        for (k, on) in lapses {
            let (from, until) = p.suspensions[k];
            if from <= on && until.is_none_or(|u| on < u) {
                p.suspensions[k].1 = Some(on);
                end(on, EndCause::Lapse, &mut p);
            }
        }
        let last_end = p.terms.iter().map(|t| t.1).max().unwrap_or(facts.agreement_end);
        let rules_at = |d: NaiveDate| &packs.in_force_or_first(d).unwrap_or(packs.latest()).institution_agreement;
        for (k, natural_end) in natural_ends.iter().enumerate() {
            let (from, until) = p.suspensions[k];
            // Ran its course (not restored early, not lapsed): what ends it is the rules' data.
            let Some(u) = until.filter(|u| Some(*u) == *natural_end) else { continue };
            match rules_at(u).after_suspension {
                // 吉林 第四十六条: suspended until the inspection; failed, terminated that day.
                AfterSuspension::Inspect => {
                    let inspection = inspections.iter().filter(|(on, _)| *on >= u).min_by_key(|(on, _)| *on).copied();
                    p.suspensions[k].1 = inspection.map(|(on, _)| on);
                    p.awaiting_inspection.push((u, inspection.map(|(on, _)| on)));
                    if let Some((on, false)) = inspection {
                        p.failed_inspection = Some(p.failed_inspection.map_or(on, |f| f.min(on)));
                        p.terminated_on = Some(p.terminated_on.map_or(on, |t| t.min(on)));
                    }
                }
                // 聊城 第二十九条: ending past the agreement's term, the agreement ends by itself.
                AfterSuspension::Continue => {
                    if from <= last_end && u > last_end.succ_opt().unwrap_or(u) {
                        end(u, EndCause::Expiry, &mut p);
                    }
                }
            }
        }
        if let Some(after) = last_end.succ_opt() {
            let rule = packs.in_force_or_first(last_end).unwrap_or(packs.latest());
            match (not_renewed, rule.institution_agreement.on_expiry) {
                // Not renewed: it ends with its term, or, decided during the extension, that day.
                (Some(on), _) => end(on.max(after), EndCause::NonRenewal, &mut p),
                (None, OnExpiry::End) => end(after, EndCause::Expiry, &mut p),
                (None, OnExpiry::Extend) => p.extended_from = Some(after),
            }
        }
        p
    }

    pub fn suspended_on(&self, d: NaiveDate) -> Option<(NaiveDate, Option<NaiveDate>)> {
        self.suspensions.iter().copied().find(|&(f, u)| f <= d && u.is_none_or(|u| d < u))
    }

    pub fn terminated_by(&self, d: NaiveDate) -> bool {
        self.terminated_on.is_some_and(|t| t <= d)
    }

    /// 终止 on or before `d`.
    pub fn ended_by(&self, d: NaiveDate) -> bool {
        self.ended.is_some_and(|(e, _)| e <= d)
    }

    /// In force past its term, waiting for the renewal decision (顺延), on `d`.
    pub fn extended_on(&self, d: NaiveDate) -> bool {
        self.extended_from.is_some_and(|f| f <= d) && !self.ended_by(d) && !self.terminated_by(d)
    }

    /// The last day of the current (last) term.
    pub fn term_end(&self) -> NaiveDate {
        self.terms.iter().map(|t| t.1).max().unwrap_or(NaiveDate::MAX)
    }

    /// The term containing `d` (or the last one before it).
    pub fn term_on(&self, d: NaiveDate) -> (NaiveDate, NaiveDate) {
        self.terms.iter().copied().filter(|t| t.0 <= d).max_by_key(|t| t.0).unwrap_or(self.terms[0])
    }

    /// Dates where the status may change.
    pub fn breakpoints(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.suspensions
            .iter()
            .flat_map(|&(f, u)| std::iter::once(f).chain(u))
            .chain(self.terminated_on)
            .chain(self.ended.map(|e| e.0))
            .chain(self.extended_from)
            .chain(self.awaiting_inspection.iter().flat_map(|&(f, u)| std::iter::once(f).chain(u)))
    }
}

pub fn status_on(facts: &InstitutionFacts, packs: &PackSet, d: NaiveDate) -> InstitutionStatus {
    let p = InstitutionPeriods::of(facts, packs);
    if p.terminated_by(d) {
        InstitutionStatus::Terminated
    } else if d < facts.agreement_start {
        InstitutionStatus::NotStarted
    } else if p.ended_by(d) {
        InstitutionStatus::Expired
    } else if p.awaiting_inspection.iter().any(|&(f, u)| f <= d && u.is_none_or(|u| d < u)) {
        InstitutionStatus::AwaitingInspection
    } else if p.suspended_on(d).is_some() {
        InstitutionStatus::Suspended
    } else if p.extended_on(d) {
        InstitutionStatus::RenewalPending
    } else {
        InstitutionStatus::Active
    }
}

/// The last day a suspension from `from` may run to, and the article that limits it: a
/// voluntary one (requested by the institution) at most `voluntary_suspension_max_days` (聊城
/// 第二十九条), one for violations at most `violation_suspension_max_months` (吉林 第四十六条).
pub fn suspension_limit(rule: &InstitutionAgreementRule, from: NaiveDate, requested: bool) -> (NaiveDate, &str) {
    if requested {
        (from + chrono::Duration::days(i64::from(rule.voluntary_suspension_max_days)), &rule.voluntary_article)
    } else {
        (add_months(from, rule.violation_suspension_max_months), &rule.violation_article)
    }
}

/// 吉林 第四十六条 因违法违规违约等情形被中止医保协议的，原则上中止协议时间不超过1年 — and a
/// suspension decided on a 30 % case (五(三)) is such a suspension: the day it ends. A longer
/// `until` is `Err(the latest end)`; an open-ended one ends at the latest end (the agency may
/// restore it earlier).
pub fn violation_suspension_end(
    rule: &InstitutionAgreementRule,
    from: NaiveDate,
    until: Option<NaiveDate>,
) -> Result<NaiveDate, NaiveDate> {
    let (latest, _) = suspension_limit(rule, from, false);
    match until {
        Some(u) if u > latest => Err(latest),
        Some(u) => Ok(u),
        None => Ok(latest),
    }
}

/// 聊城 第三十三条、新疆 第十六条、吉林 第四十八条 应当提前3个月…提出申请: the first day a change
/// the institution asked for on `requested_on` may take effect.
pub fn earliest_requested_change(rule: &InstitutionAgreementRule, requested_on: NaiveDate) -> NaiveDate {
    add_months(requested_on, rule.request_notice_months)
}

/// 吉林 第四十九条 应当在医保经办机构告知7日内作出陈述和申辩: the last day the institution
/// may state its case after a notice of intent on `notified_on` (the notice's day not counted).
pub fn statement_until(rule: &InstitutionAgreementRule, notified_on: NaiveDate) -> NaiveDate {
    notified_on + chrono::Duration::days(i64::from(rule.statement_days))
}

/// Suspensions that began within the agreement term `[start, end]` (聊城 第三十一条(一)).
pub fn suspensions_in_term(
    suspension_starts: impl Iterator<Item = NaiveDate>,
    start: NaiveDate,
    end: NaiveDate,
) -> u32 {
    suspension_starts.filter(|d| *d >= start && *d <= end).count() as u32
}

/// 聊城 第三十一条(一): this many suspensions in one term are grounds for termination.
pub fn termination_due(rule: &InstitutionAgreementRule, suspensions_in_term: u32) -> bool {
    suspensions_in_term >= rule.suspensions_before_termination
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::PolicyPack;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn packs(on_expiry: &str) -> PackSet {
        packs_with(on_expiry, "continue")
    }

    fn packs_with(on_expiry: &str, after_suspension: &str) -> PackSet {
        let text = include_str!("../../data/packs/jining-2024.toml")
            .replacen("on_expiry = \"extend\"", &format!("on_expiry = \"{on_expiry}\""), 1)
            .replacen("after_suspension = \"continue\"", &format!("after_suspension = \"{after_suspension}\""), 1);
        PackSet::new(vec![PolicyPack::from_toml("x.toml", &text).unwrap()]).unwrap()
    }

    /// 吉林 第四十六条 (inspect): awaiting the inspection after the suspension's end; passed, it
    /// continues; failed, it is terminated. 聊城 第二十九条 (continue): it simply continues, and a
    /// suspension ending past the term ends the agreement (自动终止).
    #[test]
    fn jilin_46_inspects_liao_cheng_29_continues() {
        let suspend =
            InstitutionEvent::Suspend { from: d("2024-06-03"), until: Some(d("2024-09-02")), lapses_on: None };
        let inspect = packs_with("extend", "inspect");
        let f = facts(vec![suspend.clone()]);
        assert_eq!(status_on(&f, &inspect, d("2024-09-02")), InstitutionStatus::AwaitingInspection);
        assert_eq!(status_on(&f, &packs("extend"), d("2024-09-02")), InstitutionStatus::Active);
        let passed = facts(vec![suspend.clone(), InstitutionEvent::Inspected { on: d("2024-09-10"), passed: true }]);
        assert_eq!(status_on(&passed, &inspect, d("2024-09-09")), InstitutionStatus::AwaitingInspection);
        assert_eq!(status_on(&passed, &inspect, d("2024-09-10")), InstitutionStatus::Active);
        let failed = facts(vec![suspend, InstitutionEvent::Inspected { on: d("2024-09-10"), passed: false }]);
        assert_eq!(status_on(&failed, &inspect, d("2024-09-10")), InstitutionStatus::Terminated);
        let across = facts(vec![InstitutionEvent::Suspend {
            from: d("2024-12-01"),
            until: Some(d("2025-02-01")),
            lapses_on: None,
        }]);
        assert_eq!(status_on(&across, &packs("extend"), d("2025-01-15")), InstitutionStatus::Suspended);
        assert_eq!(status_on(&across, &packs("extend"), d("2025-02-01")), InstitutionStatus::Expired);
        assert_eq!(InstitutionPeriods::of(&across, &packs("extend")).ended, Some((d("2025-02-01"), EndCause::Expiry)));
    }

    fn facts(events: Vec<InstitutionEvent>) -> InstitutionFacts {
        InstitutionFacts { code: "A".into(), agreement_start: d("2024-01-01"), agreement_end: d("2024-12-31"), events }
    }

    /// 聊城 第十九条 (济宁): extended; 吉林 第三十九条 到期后自动终止: ended — the same facts.
    #[test]
    fn liao_cheng_19_extends_jilin_39_ends_the_same_agreement() {
        let f = facts(Vec::new());
        assert_eq!(status_on(&f, &packs("extend"), d("2025-01-01")), InstitutionStatus::RenewalPending);
        assert_eq!(status_on(&f, &packs("end"), d("2025-01-01")), InstitutionStatus::Expired);
        assert_eq!(InstitutionPeriods::of(&f, &packs("end")).ended, Some((d("2025-01-01"), EndCause::Expiry)));
        let renewed = facts(vec![InstitutionEvent::Renew { start: d("2025-01-01"), end: d("2025-12-31") }]);
        assert_eq!(status_on(&renewed, &packs("end"), d("2025-06-01")), InstitutionStatus::Active);
        assert_eq!(status_on(&renewed, &packs("extend"), d("2026-01-01")), InstitutionStatus::RenewalPending);
    }

    /// 聊城 第二十九条: a voluntary suspension not resumed in 180 days ends the agreement (终止),
    /// it does not terminate it for cause (解除).
    #[test]
    fn liao_cheng_29_a_lapse_is_an_ending_not_a_termination() {
        let f = facts(vec![InstitutionEvent::Suspend {
            from: d("2024-01-10"),
            until: None,
            lapses_on: Some(d("2024-07-08")),
        }]);
        let p = InstitutionPeriods::of(&f, &packs("extend"));
        assert_eq!((p.terminated_on, p.ended), (None, Some((d("2024-07-08"), EndCause::Lapse))));
        assert_eq!(status_on(&f, &packs("extend"), d("2024-07-08")), InstitutionStatus::Expired);
        let rule = &packs("extend").latest().institution_agreement.clone();
        assert_eq!(institution_bar(rule, EndCause::Lapse, d("2024-07-08"), None), None);
        assert_eq!(
            institution_bar(rule, EndCause::Breach, d("2024-06-03"), None).map(|b| b.until),
            Some(d("2025-06-03"))
        );
        assert_eq!(legal_representative_bar(rule, EndCause::Breach, d("2024-06-03")), None);
        assert_eq!(
            legal_representative_bar(rule, EndCause::Violation, d("2024-06-03")).map(|b| b.until),
            Some(d("2029-06-03"))
        );
    }
}
