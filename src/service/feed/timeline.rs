//! A key's complete timeline, read from the stored projections and facts: its registration
//! intervals and its status intervals, each status with the cause and the article behind it.
//! Shared by the change feed (one timeline per key) and the full list (the run covering a day).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::rules::institution::{EndCause, InstitutionPeriods, InstitutionStatus};
use crate::rules::{InstitutionFacts, PackSet, SanctionKind, SiteStatus};
use crate::store::facts::{AgreementAction, InstitutionEventRow, RegistrationRow};
use crate::store::projections::{IntervalRow, SanctionRow};

/// `[from, until)`; `until` is the first day out (`None`: open).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

/// Why a status holds: the cause (a stable code), the article, the recorded reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Cause {
    pub cause: Option<String>,
    pub article: Option<String>,
    pub reason: Option<String>,
    /// The period of the decision behind it (a suspension's, a ban's), which may start before
    /// the run at this site (registered during it).
    #[serde(skip)]
    pub decided: Option<Period>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusPeriod {
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
    /// `SiteStatus` of a pair, `InstitutionStatus` of an institution.
    pub status: &'static str,
    #[serde(flatten)]
    pub cause: Cause,
}

/// What a consumer replaces its copy of a key with. Days outside every status interval of a
/// pair: not registered there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KeyTimeline {
    /// A pair's registrations; an institution's agreement terms.
    pub registrations: Vec<Period>,
    pub statuses: Vec<StatusPeriod>,
}

/// An institution's agreement as stored: facts (department-level changes left out, as the
/// engine reads them), every event row, and the periods they make.
pub struct InstitutionRecord {
    pub facts: InstitutionFacts,
    pub events: Vec<InstitutionEventRow>,
    pub periods: InstitutionPeriods,
}

impl InstitutionRecord {
    pub fn new(facts: InstitutionFacts, events: Vec<InstitutionEventRow>, packs: &PackSet) -> Self {
        let periods = InstitutionPeriods::of(&facts, packs);
        InstitutionRecord { facts, events, periods }
    }

    /// The latest change of `actions` in force on `d` (from on or before it; a suspension not
    /// yet over), else the latest before it.
    fn event_on(&self, actions: &[AgreementAction], d: NaiveDate) -> Option<&InstitutionEventRow> {
        let of = self.events.iter().filter(|e| actions.contains(&e.action) && e.from_on <= d);
        of.clone()
            .filter(|e| e.until_on.is_none_or(|u| d < u))
            .max_by_key(|e| (e.from_on, e.id))
            .or_else(|| of.max_by_key(|e| (e.from_on, e.id)))
    }

    fn cause_of_event(e: &InstitutionEventRow, cause: &str) -> Cause {
        Cause {
            cause: Some(e.cause.clone().filter(|c| !c.is_empty()).unwrap_or_else(|| cause.to_string())),
            article: Some(e.article.clone()),
            reason: Some(e.reason.clone()),
            decided: Some(Period { from: e.from_on, until: e.until_on }),
        }
    }

    /// Why the agreement (or, for its staff, their site) is refused from `d`. 三(四).
    pub fn cause_on(&self, d: NaiveDate, terminated: bool, expired: bool) -> Cause {
        if terminated {
            return self
                .event_on(&[AgreementAction::Terminate, AgreementAction::Inspection], d)
                .map(|e| Self::cause_of_event(e, "institution_terminated"))
                .unwrap_or_else(|| cause_code("institution_terminated"));
        }
        if expired {
            let (on, why) = self.periods.ended.unwrap_or((d, EndCause::Expiry));
            let event = self.event_on(&[AgreementAction::NonRenewal], d);
            return Cause {
                cause: Some(why.as_str().to_string()),
                article: event.map(|e| e.article.clone()),
                reason: Some(why.zh().to_string()),
                decided: Some(Period { from: on, until: None }),
            };
        }
        self.event_on(&[AgreementAction::Suspend], d)
            .map(|e| Self::cause_of_event(e, "institution_suspended"))
            .unwrap_or_else(|| cause_code("institution_suspended"))
    }

    /// The agreement's own timeline: its terms, and its status between every date it may
    /// change, with the cause of each refused run.
    pub fn timeline(&self, packs: &PackSet) -> KeyTimeline {
        let registrations =
            self.periods.terms.iter().map(|&(start, end)| Period { from: start, until: end.succ_opt() }).collect();
        let start = self.facts.agreement_start;
        let mut days: Vec<NaiveDate> = std::iter::once(start)
            .chain(self.periods.breakpoints())
            .chain(self.periods.terms.iter().filter_map(|t| t.1.succ_opt()))
            .filter(|d| *d >= start)
            .collect();
        days.sort();
        days.dedup();
        let mut statuses: Vec<StatusPeriod> = Vec::new();
        for &d in &days {
            let status = crate::rules::institution::status_on(&self.facts, packs, d);
            if statuses.last().is_some_and(|s| s.status == status.as_str()) {
                continue;
            }
            if let Some(last) = statuses.last_mut() {
                last.until = Some(d);
            }
            let cause = match status {
                InstitutionStatus::Suspended => self.cause_on(d, false, false),
                InstitutionStatus::Terminated => self.cause_on(d, true, false),
                InstitutionStatus::Expired => self.cause_on(d, false, true),
                InstitutionStatus::AwaitingInspection => cause_code("awaiting_inspection"),
                _ => Cause::default(),
            };
            statuses.push(StatusPeriod { from: d, until: None, status: status.as_str(), cause });
        }
        KeyTimeline { registrations, statuses }
    }
}

fn cause_code(code: &str) -> Cause {
    Cause { cause: Some(code.to_string()), ..Cause::default() }
}

/// Why a personal status holds from `from`: the sanction behind it (五(一), 三(三)).
pub fn personal_cause(status: SiteStatus, from: NaiveDate, sanctions: &[SanctionRow]) -> Cause {
    let kind = if status == SiteStatus::Suspended { SanctionKind::Suspension } else { SanctionKind::Termination };
    let of_kind = sanctions.iter().filter(|s| s.kind == kind && s.starts_on <= from);
    let running = |s: &&SanctionRow| match kind {
        SanctionKind::Suspension => s.ends_on.is_none_or(|e| from < e),
        _ => s.ban_until.is_none_or(|b| from < b),
    };
    let Some(s) = of_kind
        .clone()
        .filter(running)
        .max_by_key(|s| (s.starts_on, s.seq))
        .or_else(|| of_kind.max_by_key(|s| (s.starts_on, s.seq)))
    else {
        return cause_code(status.as_str());
    };
    let trigger = trigger_of(&s.detail).unwrap_or(s.kind.as_str()).to_string();
    let reason = match trigger.as_str() {
        "training_test" => "年度培训考试不合格（三(三)）".to_string(),
        "consecutive_cycles" => format!("连续三个记分周期累计记分达9分以上，本周期{}分", s.total),
        _ => format!("本记分周期累计记分{}分", s.total),
    };
    let until = if kind == SanctionKind::Suspension { s.ends_on } else { s.ban_until };
    Cause {
        cause: Some(trigger),
        article: Some(s.article.clone()),
        reason: Some(reason),
        decided: Some(Period { from: s.starts_on, until }),
    }
}

/// The trigger of a stored sanction (`Sanction`'s second field, before its explanation), read
/// without parsing the whole explanation: the list and the feed read it for every refused run.
fn trigger_of(detail: &str) -> Option<&str> {
    let rest = detail.split_once("\"trigger\":\"")?.1;
    rest.split_once('"').map(|(t, _)| t)
}

/// The cause of one stored run of a pair.
pub fn run_cause(run: &IntervalRow, sanctions: &[SanctionRow], institution: Option<&InstitutionRecord>) -> Cause {
    match run.status {
        SiteStatus::Suspended | SiteStatus::Terminated | SiteStatus::Banned => {
            personal_cause(run.status, run.from_on, sanctions)
        }
        SiteStatus::InstitutionSuspended | SiteStatus::InstitutionTerminated | SiteStatus::InstitutionExpired => {
            match institution {
                Some(i) => i.cause_on(
                    run.from_on,
                    run.status == SiteStatus::InstitutionTerminated,
                    run.status == SiteStatus::InstitutionExpired,
                ),
                None => cause_code(run.status.as_str()),
            }
        }
        SiteStatus::Active | SiteStatus::Unregistered => Cause::default(),
    }
}

/// A pair's timeline from its person's stored runs, sanctions and registrations.
pub fn pair_timeline(
    institution_code: &str,
    runs: &[IntervalRow],
    sanctions: &[SanctionRow],
    registrations: &[RegistrationRow],
    institution: Option<&InstitutionRecord>,
) -> KeyTimeline {
    let registrations = registrations
        .iter()
        .filter(|r| r.institution_code == institution_code)
        .map(|r| Period { from: r.registered_on, until: r.deregistered_on })
        .collect();
    let statuses = runs
        .iter()
        .filter(|r| r.institution_code == institution_code)
        .map(|r| StatusPeriod {
            from: r.from_on,
            until: r.until_on,
            status: r.status.as_str(),
            cause: run_cause(r, sanctions, institution),
        })
        .collect();
    KeyTimeline { registrations, statuses }
}

/// Institutions' records, loaded once per request for the codes asked.
pub fn institution_records(
    c: &mut crate::store::DbConn,
    packs: &PackSet,
    codes: &[String],
) -> crate::error::Result<HashMap<String, InstitutionRecord>> {
    let mut events = crate::store::standing::events_of_many(c, codes)?;
    let mut out = HashMap::new();
    for inst in crate::store::standing::institutions_of_many(c, codes)? {
        let rows = events.remove(&inst.code).unwrap_or_default();
        // The agreement as a whole: a change limited to one department is not the institution's
        // (聊城 第三十四条), as `facts::institution_facts` reads it.
        let facts = InstitutionFacts {
            code: inst.code.clone(),
            agreement_start: inst.agreement_start,
            agreement_end: inst.agreement_end,
            events: rows.iter().filter(|e| e.department.is_none()).map(crate::store::facts::event_of).collect(),
        };
        out.insert(inst.code, InstitutionRecord::new(facts, rows, packs));
    }
    Ok(out)
}
