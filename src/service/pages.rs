//! Read-only use-cases for the pages (an institution's staff with status, its home figures,
//! its objections): each takes the caller and checks it, like every use-case.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::notices::Notice;
use super::objections::Objection;
use super::queries::InterviewOrder;
use super::{Action, App, Caller};
use crate::domain::dates::year_start;
use crate::domain::Category;
use crate::error::{Error, Result};
use crate::rules::cascade::CascadeFigures;
use crate::rules::SiteStatus;
use crate::store::{facts, pages};

/// 五(一): an interview is due within 30 days of the order (as `interview_orders` counts overdue).
const INTERVIEW_DAYS: i64 = 30;

/// One person on an institution's staff list, as of a date.
#[derive(Debug, Clone, Serialize)]
pub struct StaffMember {
    pub personnel_code: String,
    pub name: String,
    pub category: String,
    pub category_zh: &'static str,
    pub registered_on: NaiveDate,
    /// The person's agreement at this institution (from the projection the claims check uses).
    pub status: SiteStatus,
    pub cycle_total: u32,
    pub remaining: u32,
    /// A personal suspension running on the date: the first day back.
    pub suspended_until: Option<NaiveDate>,
    /// A termination's ban running on the date: the first day a new agreement may be signed.
    pub banned_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StaffList {
    pub institution_code: String,
    pub institution_name: String,
    pub date: NaiveDate,
    pub members: Vec<StaffMember>,
}

impl StaffList {
    /// How many people have each status, in a fixed order.
    pub fn counts(&self) -> Vec<(SiteStatus, usize)> {
        let order = [
            SiteStatus::Active,
            SiteStatus::Suspended,
            SiteStatus::Terminated,
            SiteStatus::Banned,
            SiteStatus::InstitutionSuspended,
            SiteStatus::InstitutionTerminated,
            SiteStatus::InstitutionExpired,
            SiteStatus::Unregistered,
        ];
        order
            .iter()
            .map(|s| (*s, self.members.iter().filter(|m| m.status == *s).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}

/// A deduction found at the institution, for its home page and the objection form.
#[derive(Debug, Clone, Serialize)]
pub struct InstitutionDeduction {
    pub id: i64,
    pub personnel_code: String,
    pub name: String,
    pub items: Vec<String>,
    pub points: u32,
    pub decided_on: NaiveDate,
    pub revoked_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpenInterview {
    #[serde(flatten)]
    pub order: InterviewOrder,
    pub name: String,
    pub due_on: NaiveDate,
}

/// An institution's home: its staff by status, the year's deductions, the 30 % of 五(三),
/// the interviews to hold, objections and the latest notices.
#[derive(Debug, Clone, Serialize)]
pub struct InstitutionHome {
    pub staff: StaffList,
    pub year: i32,
    pub deductions: Vec<InstitutionDeduction>,
    /// The points of the year's deductions that were not revoked.
    pub deduction_points: u32,
    pub cascade: CascadeFigures,
    pub open_interviews: Vec<OpenInterview>,
    pub objections: Vec<Objection>,
    pub notices: Vec<Notice>,
}

/// A catalogue item as the pack in force on a date words it (四).
#[derive(Debug, Clone, Serialize)]
pub struct ItemText {
    pub code: String,
    pub text: String,
    pub article: String,
    pub points: u32,
}

impl App {
    /// The text and article of catalogue items, from the pack in force on `on`.
    pub fn item_texts(&self, codes: &[String], on: NaiveDate) -> Vec<ItemText> {
        let pack = self.packs.in_force(on).unwrap_or(self.packs.latest());
        codes
            .iter()
            .map(|code| match pack.item(code) {
                Some(i) => {
                    ItemText { code: code.clone(), text: i.text.clone(), article: i.article.clone(), points: i.points }
                }
                None => ItemText { code: code.clone(), text: String::new(), article: String::new(), points: 0 },
            })
            .collect()
    }

    /// The staff registered at an institution on `on`, with status, points and sanction dates.
    pub fn staff(&self, caller: &Caller, institution: &str, on: NaiveDate) -> Result<StaffList> {
        let institution = institution.trim().to_ascii_uppercase();
        caller.require_institution(Action::ReadInstitution, &institution)?;
        let mut c = self.conn()?;
        let inst =
            facts::institution(&mut c, &institution)?.ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
        let rows = pages::staff_at(&mut c, &institution, on)?;
        let details = facts::roster_details_at(&mut c, &institution)?;
        let statuses: HashMap<String, String> = pages::site_statuses(&mut c, &institution, on)?.into_iter().collect();
        let totals: HashMap<String, i32> = pages::cycle_totals(&mut c, &institution, on.year())?.into_iter().collect();
        let mut suspended: HashMap<String, NaiveDate> = HashMap::new();
        let mut banned: HashMap<String, NaiveDate> = HashMap::new();
        for (code, kind, starts, ends, ban) in pages::sanctions_of_staff(&mut c, &institution)? {
            match kind.as_str() {
                "suspension" if starts <= on && ends.is_some_and(|e| on < e) => {
                    if let Some(e) = ends {
                        let v = suspended.entry(code).or_insert(e);
                        *v = (*v).max(e);
                    }
                }
                "termination" if starts <= on && ban.is_some_and(|b| on < b) => {
                    if let Some(b) = ban {
                        let v = banned.entry(code).or_insert(b);
                        *v = (*v).max(b);
                    }
                }
                _ => {}
            }
        }
        let initial = self.packs.in_force(on).unwrap_or(self.packs.latest()).cycle.initial_points;
        let members = rows
            .into_iter()
            .map(|r| {
                let total = totals.get(&r.personnel_code).copied().unwrap_or(0).max(0) as u32;
                StaffMember {
                    name: details.get(&r.personnel_code).map_or(r.name.clone(), |d| d.name.clone()),
                    category_zh: Category::parse("category", &r.category).map_or("", |c| c.name_zh()),
                    category: r.category,
                    registered_on: r.registered_on,
                    status: statuses
                        .get(&r.personnel_code)
                        .and_then(|s| SiteStatus::parse(s))
                        .unwrap_or(SiteStatus::Unregistered),
                    cycle_total: total,
                    remaining: initial.saturating_sub(total),
                    suspended_until: suspended.get(&r.personnel_code).copied(),
                    banned_until: banned.get(&r.personnel_code).copied(),
                    personnel_code: r.personnel_code,
                }
            })
            .collect();
        Ok(StaffList { institution_code: institution, institution_name: inst.name, date: on, members })
    }

    /// The deductions found at an institution in a year (revoked ones marked).
    pub fn institution_deductions(
        &self,
        caller: &Caller,
        institution: &str,
        year: i32,
    ) -> Result<Vec<InstitutionDeduction>> {
        caller.require_institution(Action::ReadInstitution, institution)?;
        let mut c = self.conn()?;
        Ok(pages::deductions_at(&mut c, institution, year_start(year), year_start(year + 1))?
            .into_iter()
            .map(|d| InstitutionDeduction {
                id: d.id,
                personnel_code: d.personnel_code,
                name: d.name,
                items: facts::split_items(&d.items),
                points: d.points.max(0) as u32,
                decided_on: d.decided_on,
                revoked_on: d.revoked_on,
            })
            .collect())
    }

    pub fn institution_home(&self, caller: &Caller, institution: &str, on: NaiveDate) -> Result<InstitutionHome> {
        let staff = self.staff(caller, institution, on)?;
        let code = staff.institution_code.clone();
        let year = on.year();
        let names: HashMap<&str, &str> =
            staff.members.iter().map(|m| (m.personnel_code.as_str(), m.name.as_str())).collect();
        let open_interviews = self
            .interview_orders(caller, Some(code.clone()), None, None)?
            .into_iter()
            .filter(|o| o.held_on.is_none())
            .map(|o| OpenInterview {
                name: names.get(o.personnel_code.as_str()).map_or_else(String::new, |n| n.to_string()),
                due_on: o.ordered_on + chrono::Duration::days(INTERVIEW_DAYS),
                order: o,
            })
            .collect();
        let mut notices = self.notices(caller, Some(code.clone()), None)?;
        notices.sort_by_key(|n| std::cmp::Reverse((n.notice_date, n.id)));
        notices.truncate(8);
        let objections = self.objections_list(caller, Some(&code))?;
        let deductions = self.institution_deductions(caller, &code, year)?;
        Ok(InstitutionHome {
            deduction_points: deductions.iter().filter(|d| d.revoked_on.is_none()).map(|d| d.points).sum(),
            deductions,
            cascade: self.cascade_figures(caller, &code, year)?,
            open_interviews,
            objections,
            notices,
            year,
            staff,
        })
    }

    /// Objections the caller may see: hr its institution's, a county officer its county's,
    /// the agency and admins all (newest first, at most 500).
    pub fn objections_list(&self, caller: &Caller, institution: Option<&str>) -> Result<Vec<Objection>> {
        caller.permit(Action::ReadObjection)?;
        let institution = caller.own_institution(institution.map(str::to_string))?;
        let ids = {
            let mut c = self.conn()?;
            pages::objection_ids(&mut c, institution.as_deref())?
        };
        let mut out = Vec::new();
        for id in ids {
            match self.objection(caller, id) {
                Ok(o) => out.push(o),
                Err(Error::Client(e)) if e.kind == crate::error::Kind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Institutions by code or name, for the pickers of the agency, officers and admins.
    pub fn find_institutions(&self, caller: &Caller, q: &str) -> Result<Vec<(String, String)>> {
        caller.permit(Action::ReadInstitution)?;
        let mut c = self.conn()?;
        Ok(pages::institutions_matching(&mut c, q.trim(), 200)?
            .into_iter()
            .filter(|(code, _)| caller.covers_institution(code))
            .collect())
    }
}
