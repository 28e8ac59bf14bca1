//! The city at a glance (`/dashboard`, `GET /stats/…`): deductions and points per month by
//! county, people by status today and month by month, the catalogue items most cited, the
//! institutions nearest the 30 % of 五(三) and those on the watch list (六(三)), training-test
//! pass rates by age group and format (三(三)), and objections (六(一)). Officers of a county
//! see their county (naming another is 404); city officers and admins see the city or pick a
//! county. Every figure is aggregated in SQL (`store::stats`), never by reading every person.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{Action, App, Caller};
use crate::domain::dates::{today_china, year_start};
use crate::domain::regions::Regions;
use crate::error::{Error, Result};
use crate::store::stats;

/// Which figures: a cycle and the city or one county.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StatsScope {
    pub year: i32,
    /// The county (six digits), or `None` for the whole city.
    pub county: Option<String>,
    pub county_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CountyMonths {
    pub county: String,
    pub name: String,
    /// January to December.
    pub deductions: Vec<u64>,
    pub points: Vec<u64>,
}

/// 四: deductions and points per month by county, and the year before for comparison.
#[derive(Debug, Clone, Serialize)]
pub struct DeductionStats {
    #[serde(flatten)]
    pub scope: StatsScope,
    pub counties: Vec<CountyMonths>,
    pub previous_year: CountyMonths,
    pub total_deductions: u64,
    pub total_points: u64,
}

/// People by their own status on a date (as `GET /practitioners/{code}/status` reads it).
#[derive(Debug, Clone, Copy, Serialize, Default, PartialEq, Eq)]
pub struct StatusCounts {
    pub active: u64,
    /// Of the active: with an interview order (五(一)) not held yet.
    pub active_with_open_interview: u64,
    pub suspended: u64,
    pub terminated: u64,
    /// Of the terminated: still within the ban (五(二)).
    pub terminated_still_banned: u64,
    /// Registered before and no longer.
    pub unregistered: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusOn {
    pub date: NaiveDate,
    #[serde(flatten)]
    pub counts: StatusCounts,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusStats {
    #[serde(flatten)]
    pub scope: StatsScope,
    pub today: StatusOn,
    /// The last day of each month of the year (today for the current month), up to today.
    pub months: Vec<StatusOn>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemStat {
    pub code: String,
    pub text: String,
    pub article: String,
    pub points: u32,
    /// Deductions citing the item.
    pub deductions: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemStats {
    #[serde(flatten)]
    pub scope: StatsScope,
    /// Most cited first.
    pub items: Vec<ItemStat>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InstitutionRatio {
    pub institution_code: String,
    pub name: String,
    pub numerator: u32,
    pub denominator: u32,
    /// Four decimals, as `GET /institutions/{code}/cascade` writes it.
    pub ratio: String,
    pub threshold_reached: bool,
    /// People of the institution on the watch list of the cycle (0: not listed).
    pub watch_list_people: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct InstitutionStats {
    #[serde(flatten)]
    pub scope: StatsScope,
    pub percent: u32,
    pub article: String,
    /// Institutions with anyone suspended or terminated in the cycle, nearest the line first.
    pub nearest: Vec<InstitutionRatio>,
    /// Institutions on the watch list of the cycle (六(三)), with their ratio.
    pub watch_list: Vec<InstitutionRatio>,
    pub at_or_over: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct PassRate {
    pub group: String,
    pub tests: u64,
    pub passed: u64,
    /// Percent, one decimal.
    pub rate: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestStats {
    #[serde(flatten)]
    pub scope: StatsScope,
    pub by_age: Vec<PassRate>,
    pub by_format: Vec<PassRate>,
    pub tests: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ObjectionStats {
    #[serde(flatten)]
    pub scope: StatsScope,
    pub filed: u64,
    pub upheld: u64,
    pub rejected: u64,
    pub pending: u64,
    pub escalated: u64,
    /// Median working days from filing to the agency's decision (六(一)).
    pub median_working_days: Option<f64>,
}

/// Everything on the dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub scope: StatsScope,
    pub deductions: DeductionStats,
    pub statuses: StatusStats,
    pub items: ItemStats,
    pub institutions: InstitutionStats,
    pub training_tests: TestStats,
    pub objections: ObjectionStats,
}

const AGE_GROUPS: [(i32, i32, &str); 5] =
    [(0, 29, "30岁以下"), (30, 39, "30–39岁"), (40, 49, "40–49岁"), (50, 59, "50–59岁"), (60, 200, "60岁及以上")];

fn rate(passed: u64, tests: u64) -> String {
    if tests == 0 {
        "0.0".into()
    } else {
        format!("{:.1}", passed as f64 * 100.0 / tests as f64)
    }
}

fn ratio(num: u32, den: u32) -> String {
    if den == 0 {
        "0.0000".into()
    } else {
        format!("{:.4}", f64::from(num) / f64::from(den))
    }
}

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
    /// The scope of a statistics request: a county officer's own county (another is 404), or
    /// the county asked for, or the city.
    pub fn stats_scope(&self, caller: &Caller, year: Option<i32>, county: Option<&str>) -> Result<StatsScope> {
        caller.permit(Action::ReadStats)?;
        let regions = Regions::embedded();
        let asked = county.map(str::trim).filter(|c| !c.is_empty());
        let county = match (caller.region(), asked) {
            (Some(own), Some(c)) if c != own => return Err(Error::not_found("county", "辖区")),
            (Some(own), _) => Some(own.to_string()),
            (None, Some(c)) => {
                if regions.county(c).is_none() {
                    return Err(Error::invalid(
                        "unknown_county",
                        "county",
                        format!("{c} is not a county of {}", regions.city_name),
                        format!("{c} 不是{}的县（市、区）", regions.city_name),
                    ));
                }
                Some(c.to_string())
            }
            (None, None) => None,
        };
        let year = match year {
            Some(y) if (2000..=2100).contains(&y) => y,
            Some(_) => {
                return Err(Error::invalid("invalid_year", "year", "year is 2000-2100", "年度应为2000-2100"));
            }
            None => {
                // The latest cycle with a decision (the demo city's last year), never the future.
                let this = today_china().year();
                let mut c = self.conn()?;
                stats::last_decision(&mut c)?.map_or(this, |d| d.year().min(this))
            }
        };
        let county_name = county
            .as_deref()
            .and_then(|c| regions.county(c))
            .map_or_else(|| regions.city_name.clone(), |r| r.name.clone());
        Ok(StatsScope { year, county, county_name })
    }

    /// Deductions and points per month by county, and the year before.
    pub fn stats_deductions(&self, caller: &Caller, scope: &StatsScope) -> Result<DeductionStats> {
        caller.permit(Action::ReadStats)?;
        let regions = Regions::embedded();
        let mut c = self.conn()?;
        let y = scope.year;
        let region = scope.county.as_deref();
        let rows = stats::deductions_by_month(&mut c, year_start(y), year_start(y + 1), region)?;
        let before = stats::deductions_by_month(&mut c, year_start(y - 1), year_start(y), region)?;
        let name_of = |code: &str| regions.county(code).map_or_else(|| code.to_string(), |r| r.name.clone());
        let mut by: BTreeMap<String, CountyMonths> = BTreeMap::new();
        // Every county of the scope has a line, with or without deductions.
        for r in regions.regions.iter().filter(|r| region.is_none_or(|c| c == r.code)) {
            by.insert(
                r.code.clone(),
                CountyMonths {
                    county: r.code.clone(),
                    name: r.name.clone(),
                    deductions: vec![0; 12],
                    points: vec![0; 12],
                },
            );
        }
        for r in &rows {
            let m = by.entry(r.county.clone()).or_insert_with(|| CountyMonths {
                county: r.county.clone(),
                name: name_of(&r.county),
                deductions: vec![0; 12],
                points: vec![0; 12],
            });
            if let Some(k) = usize::try_from(r.month - 1).ok().filter(|k| *k < 12) {
                m.deductions[k] += r.deductions.max(0) as u64;
                m.points[k] += r.points.max(0) as u64;
            }
        }
        let mut previous = CountyMonths {
            county: scope.county.clone().unwrap_or_default(),
            name: format!("{}年", y - 1),
            deductions: vec![0; 12],
            points: vec![0; 12],
        };
        for r in &before {
            if let Some(k) = usize::try_from(r.month - 1).ok().filter(|k| *k < 12) {
                previous.deductions[k] += r.deductions.max(0) as u64;
                previous.points[k] += r.points.max(0) as u64;
            }
        }
        let counties: Vec<CountyMonths> = by.into_values().collect();
        Ok(DeductionStats {
            total_deductions: counties.iter().flat_map(|c| &c.deductions).sum(),
            total_points: counties.iter().flat_map(|c| &c.points).sum(),
            scope: scope.clone(),
            counties,
            previous_year: previous,
        })
    }

    /// People by status today, and at the end of each month of the year.
    pub fn stats_statuses(&self, caller: &Caller, scope: &StatsScope) -> Result<StatusStats> {
        caller.permit(Action::ReadStats)?;
        let today = today_china();
        let region = scope.county.as_deref();
        let mut c = self.conn()?;
        let spans = stats::registration_spans(&mut c, region)?;
        let sanctions = stats::sanctions_until(&mut c, today, region)?;
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
        let orders = stats::interview_orders_until(&mut c, today, region)?;
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

    /// The catalogue items most cited in the cycle, with their points and article.
    pub fn stats_items(&self, caller: &Caller, scope: &StatsScope) -> Result<ItemStats> {
        caller.permit(Action::ReadStats)?;
        let y = scope.year;
        let mut c = self.conn()?;
        let rows = stats::deductions_by_items(&mut c, year_start(y), year_start(y + 1), scope.county.as_deref())?;
        let mut counts: HashMap<String, u64> = HashMap::new();
        for r in &rows {
            let mut items = crate::store::facts::split_items(&r.items);
            items.sort();
            items.dedup();
            for i in items {
                *counts.entry(i).or_default() += r.deductions.max(0) as u64;
            }
        }
        let pack = self.packs.in_force_or_first(year_start(y))?;
        let mut items: Vec<ItemStat> = counts
            .into_iter()
            .map(|(code, n)| {
                let item = pack.item(&code);
                ItemStat {
                    text: item.map(|i| i.text.clone()).unwrap_or_default(),
                    article: item.map(|i| i.article.clone()).unwrap_or_default(),
                    points: item.map_or(0, |i| i.points),
                    code,
                    deductions: n,
                }
            })
            .collect();
        items.sort_by(|a, b| b.deductions.cmp(&a.deductions).then_with(|| a.code.cmp(&b.code)));
        Ok(ItemStats { scope: scope.clone(), items })
    }

    /// The institutions nearest the 30 % line of 五(三), and the watch list of the cycle.
    pub fn stats_institutions(&self, caller: &Caller, scope: &StatsScope, top: usize) -> Result<InstitutionStats> {
        caller.permit(Action::ReadStats)?;
        let y = scope.year;
        let region = scope.county.as_deref();
        let pack = self.packs.in_force_or_first(year_start(y))?;
        let mut c = self.conn()?;
        let rows = stats::cascade_by_institution(&mut c, year_start(y), year_start(y + 1), region)?;
        let watch: HashMap<String, u32> = stats::watch_counts(&mut c, y, region)?
            .into_iter()
            .map(|w| (w.institution_code, w.people.max(0) as u32))
            .collect();
        let all: Vec<InstitutionRatio> = rows
            .into_iter()
            .map(|r| {
                let (num, den) = (r.numerator.max(0) as u32, r.denominator.max(0) as u32);
                InstitutionRatio {
                    watch_list_people: watch.get(&r.institution_code).copied().unwrap_or(0),
                    institution_code: r.institution_code,
                    name: r.name,
                    numerator: num,
                    denominator: den,
                    ratio: ratio(num, den),
                    threshold_reached: crate::rules::cascade::threshold_reached(pack, num, den),
                }
            })
            .collect();
        let share = |r: &InstitutionRatio| {
            if r.denominator == 0 {
                0.0
            } else {
                f64::from(r.numerator) / f64::from(r.denominator)
            }
        };
        let mut nearest: Vec<InstitutionRatio> = all.iter().filter(|r| r.numerator > 0).cloned().collect();
        nearest.sort_by(|a, b| {
            share(b)
                .total_cmp(&share(a))
                .then(b.denominator.cmp(&a.denominator))
                .then(a.institution_code.cmp(&b.institution_code))
        });
        let at_or_over = nearest.iter().filter(|r| r.threshold_reached).count() as u32;
        nearest.truncate(top);
        let mut watch_list: Vec<InstitutionRatio> = all.into_iter().filter(|r| r.watch_list_people > 0).collect();
        watch_list.sort_by(|a, b| {
            b.watch_list_people.cmp(&a.watch_list_people).then(a.institution_code.cmp(&b.institution_code))
        });
        Ok(InstitutionStats {
            scope: scope.clone(),
            percent: pack.cascade.percent,
            article: pack.cascade.article.clone(),
            nearest,
            watch_list,
            at_or_over,
        })
    }

    /// Training tests of the cycle: pass rates by age group and by format, failures (三(三)).
    pub fn stats_training_tests(&self, caller: &Caller, scope: &StatsScope) -> Result<TestStats> {
        caller.permit(Action::ReadStats)?;
        let mut c = self.conn()?;
        let rows = stats::tests_by_age(&mut c, scope.year, scope.county.as_deref())?;
        let mut by_age: Vec<PassRate> = AGE_GROUPS
            .iter()
            .map(|(_, _, label)| PassRate { group: label.to_string(), tests: 0, passed: 0, rate: String::new() })
            .collect();
        let mut by_format: Vec<PassRate> = [("closed", "闭卷"), ("open", "开卷")]
            .iter()
            .map(|(_, label)| PassRate { group: label.to_string(), tests: 0, passed: 0, rate: String::new() })
            .collect();
        for r in &rows {
            let n = r.tests.max(0) as u64;
            if let Some(k) = AGE_GROUPS.iter().position(|(lo, hi, _)| (*lo..=*hi).contains(&r.age)) {
                by_age[k].tests += n;
                by_age[k].passed += if r.passed { n } else { 0 };
            }
            let f = usize::from(r.format == "open");
            by_format[f].tests += n;
            by_format[f].passed += if r.passed { n } else { 0 };
        }
        for g in by_age.iter_mut().chain(by_format.iter_mut()) {
            g.rate = rate(g.passed, g.tests);
        }
        let tests: u64 = by_format.iter().map(|g| g.tests).sum();
        let passed: u64 = by_format.iter().map(|g| g.passed).sum();
        Ok(TestStats { scope: scope.clone(), by_age, by_format, tests, failed: tests - passed })
    }

    /// Objections filed in the cycle: decided by the agency (upheld, rejected), pending,
    /// escalated, and the median working days to the agency's decision (六(一)).
    pub fn stats_objections(&self, caller: &Caller, scope: &StatsScope) -> Result<ObjectionStats> {
        caller.permit(Action::ReadStats)?;
        let y = scope.year;
        let mut c = self.conn()?;
        let rows = stats::objections_filed(&mut c, year_start(y), year_start(y + 1), scope.county.as_deref())?;
        let calendar = self.calendar.read().map_err(|_| Error::Internal(anyhow::anyhow!("calendar lock")))?;
        let mut days: Vec<u32> = rows
            .iter()
            .filter_map(|r| {
                let decided = r.decided_on?;
                let mut n = 0u32;
                let mut d = r.filed_on.succ_opt()?;
                while d <= decided {
                    n += u32::from(calendar.is_working_day(d).ok()?);
                    d = d.succ_opt()?;
                }
                Some(n)
            })
            .collect();
        days.sort_unstable();
        let median = match days.len() {
            0 => None,
            n if n % 2 == 1 => Some(f64::from(days[n / 2])),
            n => Some((f64::from(days[n / 2 - 1]) + f64::from(days[n / 2])) / 2.0),
        };
        let count = |f: &dyn Fn(&stats::ObjectionRow) -> bool| rows.iter().filter(|r| f(r)).count() as u64;
        Ok(ObjectionStats {
            scope: scope.clone(),
            filed: rows.len() as u64,
            upheld: count(&|r| r.decision.as_deref() == Some("uphold")),
            rejected: count(&|r| r.decision.as_deref() == Some("reject")),
            pending: count(&|r| r.decision.is_none()),
            escalated: count(&|r| r.escalated),
            median_working_days: median,
        })
    }

    /// Everything the dashboard shows, one figure after the other on this request's thread
    /// (three at once on their own connections measured slower on a busy two-core server, and a
    /// dashboard request should not take three threads from everyone else).
    pub fn dashboard(&self, caller: &Caller, scope: &StatsScope) -> Result<Dashboard> {
        Ok(Dashboard {
            deductions: self.stats_deductions(caller, scope)?,
            statuses: self.stats_statuses(caller, scope)?,
            items: self.stats_items(caller, scope)?,
            institutions: self.stats_institutions(caller, scope, 15)?,
            training_tests: self.stats_training_tests(caller, scope)?,
            objections: self.stats_objections(caller, scope)?,
            scope: scope.clone(),
        })
    }
}
