//! The city at a glance (`/dashboard`, `GET /stats/…`): deductions and points per month by
//! county, people by status today and month by month, the catalogue items most cited, the
//! institutions nearest the 30 % of 五(三) and those on the watch list (六(三)), training-test
//! pass rates by age group and format (三(三)), and objections (六(一)). Officers of a county
//! see their county (naming another is 404); city officers and admins see the city or pick a
//! county; any of them may narrow the figures about people and deductions to one category
//! (医保支付资格类别). Every figure is aggregated in SQL (`store::stats`), never by reading every
//! person; people by status and the training tests aggregate the dashboard's projections
//! (`store::dashboard`, kept by the write path), not every registration and test, so a
//! 10⁶-practitioner province answers within issue 15's 2 s. `StatsScope::from_facts` computes
//! the same figures the former way, from the facts (the test that both agree uses it). The
//! answers' types are `types.rs`; people by status, `statuses.rs`.

mod statuses;
mod types;

use std::collections::{BTreeMap, HashMap};

use chrono::Datelike;

use super::{Action, App, Caller};
use crate::domain::codes::Category;
use crate::domain::dates::{today_china, year_start};
use crate::domain::regions::Regions;
use crate::error::{Error, Result};
use crate::store::stats;
pub use types::*;

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

impl App {
    /// The scope of a statistics request: a county officer's own county (another is 404), or
    /// the county asked for, or the city; everyone.
    pub fn stats_scope(&self, caller: &Caller, year: Option<i32>, county: Option<&str>) -> Result<StatsScope> {
        self.stats_scope_in(caller, year, county, None)
    }

    /// The scope of a statistics request, narrowed to one category of people when `category`
    /// names one (`nurse`, 医保护士, 护士 or 2, as a roster writes it); an unknown one is 422.
    pub fn stats_scope_in(
        &self,
        caller: &Caller,
        year: Option<i32>,
        county: Option<&str>,
        category: Option<&str>,
    ) -> Result<StatsScope> {
        caller.permit(Action::ReadStats)?;
        let category = match category.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => Some(Category::parse("category", c)?),
            None => None,
        };
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
        let category_name = category.map_or("全部类别", Category::name_zh).to_string();
        Ok(StatsScope { year, county, county_name, category, category_name, reference: false })
    }

    /// Deductions and points per month by county, and the year before.
    pub fn stats_deductions(&self, caller: &Caller, scope: &StatsScope) -> Result<DeductionStats> {
        caller.permit(Action::ReadStats)?;
        let regions = Regions::embedded();
        let mut c = self.conn()?;
        let y = scope.year;
        let region = scope.county.as_deref();
        let rows = stats::deductions_by_month(&mut c, year_start(y), year_start(y + 1), scope.filter())?;
        let before = stats::deductions_by_month(&mut c, year_start(y - 1), year_start(y), scope.filter())?;
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

    /// The catalogue items most cited in the cycle, with their points and article.
    pub fn stats_items(&self, caller: &Caller, scope: &StatsScope) -> Result<ItemStats> {
        caller.permit(Action::ReadStats)?;
        let y = scope.year;
        let mut c = self.conn()?;
        let rows = stats::deductions_by_items(&mut c, year_start(y), year_start(y + 1), scope.filter())?;
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

    /// The institutions nearest the 30 % line of 五(三), and the watch list of the cycle: the
    /// institutions' own figures, over all their staff whatever the scope's category.
    pub fn stats_institutions(&self, caller: &Caller, scope: &StatsScope, top: usize) -> Result<InstitutionStats> {
        caller.permit(Action::ReadStats)?;
        let y = scope.year;
        let region = scope.county.as_deref();
        let pack = self.packs.in_force_or_first(year_start(y))?;
        let mut c = self.conn()?;
        let rows = stats::cascade_by_institution(&mut c, year_start(y), year_start(y + 1), scope.filter())?;
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
            percent: pack.cascade.as_ref().map_or(0, |c| c.percent),
            article: pack.cascade.as_ref().map(|c| c.article.clone()).unwrap_or_default(),
            nearest,
            watch_list,
            at_or_over,
        })
    }

    /// Training tests of the cycle: pass rates by age group and by format, failures (三(三)).
    pub fn stats_training_tests(&self, caller: &Caller, scope: &StatsScope) -> Result<TestStats> {
        caller.permit(Action::ReadStats)?;
        let mut c = self.conn()?;
        let rows = stats::tests_by_age(&mut c, scope.year, scope.filter())?;
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
        let rows = stats::objections_filed(&mut c, year_start(y), year_start(y + 1), scope.filter())?;
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
