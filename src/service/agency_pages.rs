//! Read-only use-cases for the agency's and the admin's pages, and the admin's token
//! management with a caller: each takes the caller and checks it, like every use-case.
//!
//! - the year's training tests (三(三)) with pass rates by age group and by format;
//! - the institutions in the caller's scope with their agreement status and staff;
//! - what an agreement change would do to the staff before it is confirmed (三(四));
//! - the names of institutions (the case lists);
//! - API tokens for systems: list, create (the secret shown once), revoke — admin only, audited.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::tokens::{NewToken, Role, TokenInfo};
use super::{Action, App, Caller};
use crate::domain::dates::year_start;
use crate::error::{Error, Result};
use crate::rules::institution::status_on;
use crate::rules::TestFormat;
use crate::store::agency_pages::{self as store, TestQuery};
use crate::store::audit::{self, AuditRow};
use crate::store::facts::{self, AgreementAction};
use crate::store::pages;

/// The tests shown on one page of the list.
pub const TESTS_PER_PAGE: i64 = 100;
/// The institutions shown at most on the list (narrow it with the search).
pub const INSTITUTIONS_SHOWN: usize = 200;

/// How many of a group sat the test and how many passed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PassRate {
    pub group: &'static str,
    pub tested: u32,
    pub passed: u32,
}

impl PassRate {
    fn new(group: &'static str) -> PassRate {
        PassRate { group, tested: 0, passed: 0 }
    }

    fn add(&mut self, passed: bool, n: u32) {
        self.tested += n;
        if passed {
            self.passed += n;
        }
    }

    /// The pass rate in per cent, one decimal ("97.5"); "—" when no one sat it.
    pub fn percent(&self) -> String {
        if self.tested == 0 {
            "—".into()
        } else {
            format!("{:.1}", f64::from(self.passed) * 100.0 / f64::from(self.tested))
        }
    }
}

/// One recorded test on the list.
#[derive(Debug, Clone, Serialize)]
pub struct TestLine {
    pub id: i64,
    pub personnel_code: String,
    pub name: String,
    pub tested_on: NaiveDate,
    pub format: TestFormat,
    /// 考试方式 as the test centre gave it (`None`: not given).
    pub delivery: Option<crate::store::facts::Delivery>,
    /// As the test centre gave it (85.5).
    pub score: Option<crate::domain::Score>,
    pub passed: bool,
    pub recorded_at: NaiveDateTime,
    pub revoked_on: Option<NaiveDate>,
    pub revoke_reason: Option<String>,
}

/// A year's training tests (三(三)): pass rates over the tests that count, and one page of the
/// list (revoked tests marked).
#[derive(Debug, Clone, Serialize)]
pub struct TestYear {
    pub year: i32,
    /// The age from which the test is open-book (the pack's, 50).
    pub open_book_from_age: i32,
    pub all: PassRate,
    /// Under the age, then from it.
    pub by_age: Vec<PassRate>,
    /// Closed-book, then open-book.
    pub by_format: Vec<PassRate>,
    pub lines: Vec<TestLine>,
    /// How many tests the filter matches (the list shows a page of them).
    pub matching: i64,
    pub page: i64,
    pub pages: i64,
    /// Years with tests, newest first.
    pub years: Vec<i32>,
}

/// What the list of tests is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct TestFilter {
    pub q: Option<String>,
    pub passed: Option<bool>,
    /// From 1.
    pub page: i64,
}

/// One institution on the list, as of a date.
#[derive(Debug, Clone, Serialize)]
pub struct InstitutionLine {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub region_code: String,
    pub agreement_start: NaiveDate,
    pub agreement_end: NaiveDate,
    /// `active`, `suspended`, `terminated`, `expired`, `not_started`.
    pub status: &'static str,
    pub staff: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct InstitutionList {
    pub date: NaiveDate,
    /// Institutions in scope that match the search.
    pub matching: usize,
    /// At most [`INSTITUTIONS_SHOWN`].
    pub lines: Vec<InstitutionLine>,
}

/// Another institution that follows the change, with its staff.
#[derive(Debug, Clone, Serialize)]
pub struct RelatedEffect {
    pub code: String,
    pub name: String,
    pub staff: usize,
    pub article: &'static str,
}

/// What suspending or terminating an agreement on a date would do to the staff (三(四)): their
/// service agreements there follow it. Nothing is written.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementEffect {
    pub institution_code: String,
    pub institution_name: String,
    pub action: AgreementAction,
    pub on: NaiveDate,
    /// Registered at the institution on that day: their agreements there follow the change.
    pub staff: usize,
    /// Of them, those whose agreement there is in force that day (not already suspended or
    /// terminated personally or with the institution).
    pub in_force: usize,
    pub related: Vec<RelatedEffect>,
}

fn require_admin(caller: &Caller) -> Result<()> {
    if caller.role == Role::Admin {
        Ok(())
    } else {
        Err(Error::forbidden())
    }
}

/// The audit row of a token change (tokens are not facts: no fact, no projection).
fn audit_token(c: &mut crate::store::DbConn, caller: &Caller, what: &str, id: i64) -> Result<()> {
    audit::insert(
        c,
        &AuditRow {
            id: 0,
            token_id: caller.token_id(),
            role: caller.audit_role().to_string(),
            request_id: caller.request_id.clone(),
            action: format!("{what}: {}", caller.action),
            targets: format!("token:{id}"),
            facts: String::new(),
            changes: "[]".into(),
            recorded_at: crate::store::now(),
        },
    )?;
    Ok(())
}

impl App {
    /// The year's tests with pass rates by age group and by format (agency, admin).
    pub fn training_test_year(&self, caller: &Caller, year: i32, filter: &TestFilter) -> Result<TestYear> {
        caller.permit(Action::RecordTest)?;
        let pack = self.packs.in_force_or_first(year_start(year))?;
        let boundary = pack.training_test.as_ref().map_or(50, |t| t.open_book_from_age);
        // The labels name the pack's age (50 in 济宁).
        let (under, from) = if boundary == 50 {
            ("50岁以下（闭卷）", "50岁及以上（开卷）")
        } else {
            ("年龄线以下（闭卷）", "年龄线及以上（开卷）")
        };
        let mut c = self.conn()?;
        let mut all = PassRate::new("全部");
        let mut by_age = [PassRate::new(under), PassRate::new(from)];
        let mut by_format = [PassRate::new("闭卷"), PassRate::new("开卷")];
        for g in store::pass_counts(&mut c, year, boundary)? {
            let n = u32::try_from(g.n).unwrap_or(u32::MAX);
            all.add(g.passed, n);
            by_age[usize::from(g.older)].add(g.passed, n);
            by_format[usize::from(g.format == TestFormat::Open.as_str())].add(g.passed, n);
        }
        let page = filter.page.max(1);
        let query = TestQuery {
            q: filter.q.clone(),
            passed: filter.passed,
            limit: TESTS_PER_PAGE,
            offset: (page - 1) * TESTS_PER_PAGE,
        };
        let matching = store::test_line_count(&mut c, year, &query)?;
        let lines = store::test_lines(&mut c, year, &query)?
            .into_iter()
            .map(|r| {
                Ok(TestLine {
                    id: r.id,
                    personnel_code: r.personnel_code,
                    name: r.name,
                    tested_on: r.tested_on,
                    format: r.format,
                    delivery: r.delivery,
                    score: crate::store::facts::score_of(r.score.as_deref())?,
                    passed: r.passed,
                    recorded_at: r.recorded_at,
                    revoked_on: r.revoked_on,
                    revoke_reason: r.revoke_reason,
                })
            })
            .collect::<Result<Vec<TestLine>>>()?;
        let mut years = store::test_years(&mut c)?;
        if !years.contains(&year) {
            years.push(year);
            years.sort_unstable_by(|a, b| b.cmp(a));
        }
        Ok(TestYear {
            year,
            open_book_from_age: boundary,
            all,
            by_age: by_age.to_vec(),
            by_format: by_format.to_vec(),
            lines,
            matching,
            page,
            pages: ((matching + TESTS_PER_PAGE - 1) / TESTS_PER_PAGE).max(1),
            years,
        })
    }

    /// The institutions the caller may see (hr: its own), matching `q` (code or name), with
    /// their agreement status and registered staff on `on`.
    pub fn institution_list(&self, caller: &Caller, q: &str, on: NaiveDate) -> Result<InstitutionList> {
        caller.permit(Action::ReadInstitution)?;
        let q = q.trim();
        let mut c = self.conn()?;
        let all: Vec<facts::Institution> = store::institutions_all(&mut c)?
            .into_iter()
            .filter(|i| caller.covers_institution(&i.code))
            .filter(|i| q.is_empty() || i.code.contains(&q.to_ascii_uppercase()) || i.name.contains(q))
            .collect();
        let agreement = store::institution_facts_all(&mut c, &all)?;
        let staff = store::staff_counts(&mut c, on)?;
        let matching = all.len();
        let lines = all
            .into_iter()
            .take(INSTITUTIONS_SHOWN)
            .map(|i| InstitutionLine {
                status: agreement.get(&i.code).map_or("active", |f| status_on(f, &self.packs, on).as_str()),
                staff: staff.get(&i.code).copied().unwrap_or(0),
                code: i.code,
                name: i.name,
                kind: i.kind.as_str().to_string(),
                region_code: i.region_code,
                agreement_start: i.agreement_start,
                agreement_end: i.agreement_end,
            })
            .collect();
        Ok(InstitutionList { date: on, matching, lines })
    }

    /// What suspending or terminating `code`'s agreement on `on` would do to the staff, and
    /// which related institutions would follow (聊城 第三十三条; a chain's branches with
    /// `chain`, 第三十二条(十五)). Read-only: shown before the change is confirmed.
    pub fn agreement_effect(
        &self,
        caller: &Caller,
        code: &str,
        action: AgreementAction,
        on: NaiveDate,
        chain: bool,
    ) -> Result<AgreementEffect> {
        caller.require_institution(Action::ChangeAgreement, code)?;
        let mut c = self.conn()?;
        let inst = facts::institution(&mut c, code)?.ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
        let staff = pages::staff_at(&mut c, code, on)?;
        let statuses: HashMap<String, String> = pages::site_statuses(&mut c, code, on)?.into_iter().collect();
        let in_force =
            staff.iter().filter(|s| statuses.get(&s.personnel_code).is_some_and(|st| st == "active")).count();
        let mut related: Vec<(String, &'static str)> = Vec::new();
        if matches!(action, AgreementAction::Suspend | AgreementAction::Terminate) {
            for r in facts::related_institutions(&mut c, code, inst.organization_code.as_deref(), None)? {
                related.push((r, "聊城 第三十三条"));
            }
        }
        if action == AgreementAction::Terminate && chain {
            for r in facts::related_institutions(&mut c, code, None, inst.legal_representative.as_deref())? {
                if !related.iter().any(|(x, _)| *x == r) {
                    related.push((r, "聊城 第三十二条(十五)"));
                }
            }
        }
        let codes: Vec<String> = related.iter().map(|(r, _)| r.clone()).collect();
        let names = store::institution_names(&mut c, &codes)?;
        let mut related_effects = Vec::new();
        for (r, article) in related {
            related_effects.push(RelatedEffect {
                staff: pages::staff_at(&mut c, &r, on)?.len(),
                name: names.get(&r).cloned().unwrap_or_default(),
                code: r,
                article,
            });
        }
        Ok(AgreementEffect {
            institution_code: inst.code,
            institution_name: inst.name,
            action,
            on,
            staff: staff.len(),
            in_force,
            related: related_effects,
        })
    }

    /// The names of institutions the caller may read (code → name), for the case lists.
    pub fn institution_names(&self, caller: &Caller, codes: &[String]) -> Result<HashMap<String, String>> {
        caller.permit(Action::ReadInstitution)?;
        let codes: Vec<String> = codes.iter().filter(|c| caller.covers_institution(c)).cloned().collect();
        let mut c = self.conn()?;
        Ok(store::institution_names(&mut c, &codes)?)
    }

    /// The API tokens (never a secret), for the admin's page.
    pub fn api_tokens(&self, caller: &Caller) -> Result<Vec<TokenInfo>> {
        require_admin(caller)?;
        let mut list = self.tokens()?;
        list.sort_by_key(|t| std::cmp::Reverse(t.id));
        Ok(list)
    }

    /// A new API token for a system, checked as `jifen token create` checks it; the secret is
    /// returned once and never stored. Audited.
    pub fn create_api_token(&self, caller: &Caller, req: &NewToken) -> Result<(i64, String)> {
        require_admin(caller)?;
        let (id, secret) = self.issue_token(req)?;
        let mut c = self.conn()?;
        audit_token(&mut c, caller, "token_create", id)?;
        Ok((id, secret))
    }

    /// Revokes a token at once (`false` when it was revoked already). Audited.
    pub fn revoke_api_token(&self, caller: &Caller, id: i64) -> Result<bool> {
        require_admin(caller)?;
        let revoked = self.revoke_token(id)?;
        if revoked {
            let mut c = self.conn()?;
            audit_token(&mut c, caller, "token_revoke", id)?;
        }
        Ok(revoked)
    }
}

/// The first year a page shows: this year's.
pub fn this_year() -> i32 {
    crate::domain::dates::today_china().year()
}

impl App {
    /// The working-day calendars in force (year, source), embedded and uploaded, for the
    /// admin's calendar page.
    pub fn calendar_years(&self, caller: &Caller) -> Result<Vec<(i32, String)>> {
        caller.permit(Action::ReadCalendar)?;
        let cal = self.calendar.read().map_err(|_| Error::Internal(anyhow::anyhow!("calendar lock poisoned")))?;
        Ok(cal.years().map(|(y, s)| (*y, s.clone())).collect())
    }
}
