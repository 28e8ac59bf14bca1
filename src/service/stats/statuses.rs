//! People by status today and at each month's end (`/stats/statuses`), counted from the spans
//! of `proj_people` aggregated in SQL and the sanctioned people only — never person by person.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::{StatsScope, StatusCounts, StatusOn, StatusStats};
use crate::domain::dates::{today_china, year_start};
use crate::error::Result;
use crate::service::{Action, App, Caller};
use crate::store::stats;

/// A person's own standing on `d` from their sanctions and registrations (the rule of
/// `rules::status_on`: a termination holds until a registration filed after it, once its
/// ban is over, is in force).
fn classify(
    sanctions: &[&stats::SanctionDates],
    regs: &[(NaiveDate, Option<NaiveDate>)],
    d: NaiveDate,
) -> Option<(bool, bool)> {
    let in_force = |r: &(NaiveDate, Option<NaiveDate>)| r.0 <= d && r.1.is_none_or(|e| d < e);
    if let Some(t) =
        sanctions.iter().filter(|s| s.kind == "termination" && s.starts_on <= d).max_by_key(|s| s.starts_on)
    {
        let ban = t.ban_until.unwrap_or(t.starts_on);
        let back = regs.iter().any(|r| r.0 > t.starts_on && in_force(r) && r.0.max(ban) <= d);
        if !back {
            let banned = sanctions
                .iter()
                .filter(|s| s.kind == "termination" && s.starts_on <= d)
                .filter_map(|s| s.ban_until)
                .any(|b| d < b);
            return Some((true, banned));
        }
    }
    let suspended =
        sanctions.iter().any(|s| s.kind == "suspension" && s.starts_on <= d && s.ends_on.is_some_and(|e| d < e));
    suspended.then_some((false, false))
}

impl App {
    /// People by status today, and at the end of each month of the year.
    pub fn stats_statuses(&self, caller: &Caller, scope: &StatsScope) -> Result<StatusStats> {
        caller.permit(Action::ReadStats)?;
        let today = today_china();
        let region = scope.county.as_deref();
        let mut c = self.conn()?;
        let spans = stats::registration_spans(&mut c, scope.filter())?;
        let sanctions = stats::sanctions_until(&mut c, today, scope.filter())?;
        let mut people: Vec<String> = sanctions.iter().map(|s| s.personnel_code.clone()).collect();
        people.dedup();
        let mut regs: HashMap<String, Vec<(NaiveDate, Option<NaiveDate>)>> = HashMap::new();
        for (code, on, off) in stats::registrations_of(&mut c, &people, region)? {
            regs.entry(code).or_default().push((on, off));
        }
        let mut by_person: HashMap<&str, Vec<&stats::SanctionDates>> = HashMap::new();
        for s in &sanctions {
            by_person.entry(s.personnel_code.as_str()).or_default().push(s);
        }
        let orders = stats::interview_orders_until(&mut c, today, scope.filter())?;
        let counts_on = |d: NaiveDate| -> StatusCounts {
            let (mut ever, mut now) = (0u64, 0u64);
            for s in &spans {
                if s.first <= d {
                    let n = s.people.max(0) as u64;
                    ever += n;
                    if s.last.is_none_or(|l| d < l) {
                        now += n;
                    }
                }
            }
            let mut out = StatusCounts::default();
            let mut sanctioned_registered = 0u64;
            let mut sanctioned_unregistered = 0u64;
            let mut held: HashSet<&str> = HashSet::new();
            for (code, list) in &by_person {
                let Some((terminated, banned)) = classify(list, regs.get(*code).map_or(&[][..], Vec::as_slice), d)
                else {
                    continue;
                };
                held.insert(code);
                if terminated {
                    out.terminated += 1;
                    out.terminated_still_banned += u64::from(banned);
                } else {
                    out.suspended += 1;
                }
                let registered =
                    regs.get(*code).is_some_and(|r| r.iter().any(|r| r.0 <= d && r.1.is_none_or(|e| d < e)));
                if registered {
                    sanctioned_registered += 1;
                } else {
                    sanctioned_unregistered += 1;
                }
            }
            out.active = now.saturating_sub(sanctioned_registered);
            out.unregistered = (ever - now).saturating_sub(sanctioned_unregistered);
            let open: HashSet<&str> = orders
                .iter()
                .filter(|(code, on, held_on)| {
                    *on <= d && held_on.is_none_or(|h| h > d) && !held.contains(code.as_str())
                })
                .map(|(code, _, _)| code.as_str())
                .collect();
            out.active_with_open_interview = open.len() as u64;
            out
        };
        let months = (1..=12u32)
            .filter_map(|m| {
                let next =
                    if m == 12 { year_start(scope.year + 1) } else { NaiveDate::from_ymd_opt(scope.year, m + 1, 1)? };
                let end = next.pred_opt()?;
                let first = NaiveDate::from_ymd_opt(scope.year, m, 1)?;
                (first <= today).then(|| end.min(today))
            })
            .map(|d| StatusOn { date: d, counts: counts_on(d) })
            .collect();
        Ok(StatusStats { scope: scope.clone(), today: StatusOn { date: today, counts: counts_on(today) }, months })
    }
}
