//! The full list a consuming system holds (issue 19): every practitioner whose claims are
//! refused on a day — personally suspended, terminated or banned (五(一)(二), 三(三)), or at a
//! suspended, terminated or ended institution (三(四)) — and every such institution, each with
//! the period, the cause and the article. Read from the stored projections (the refused runs
//! are about 1 % of them), never from each person's facts.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::feed::timeline::{institution_records, run_cause, Cause, Period};
use super::{Action, App, Caller};
use crate::domain::codes::region_of;
use crate::domain::id_number::{mask_id_number, mask_name};
use crate::error::Result;
use crate::rules::institution::InstitutionStatus;
use crate::rules::SanctionKind;
use crate::service::tokens::Role;
use crate::store::{feed, projections, standing};

/// One practitioner refused at one institution (or, with no site refused, under a personal
/// sanction still running: `institution_code` empty).
#[derive(Debug, Clone, Serialize)]
pub struct ListedPractitioner {
    pub personnel_code: String,
    /// Masked unless the caller is an officer or the person's institution (DESIGN.md).
    pub name: String,
    pub id_number: String,
    pub category: &'static str,
    pub institution_code: Option<String>,
    /// `SiteStatus`: suspended, terminated, banned, institution_suspended, …
    pub status: &'static str,
    pub from: NaiveDate,
    /// The first day back (a suspension), or the first day a new agreement may be signed (a
    /// ban); `None`: open.
    pub until: Option<NaiveDate>,
    #[serde(flatten)]
    pub cause: Cause,
    /// Every institution the person was ever registered at.
    pub sites: Vec<String>,
}

/// One institution whose agreement does not pay on the day.
#[derive(Debug, Clone, Serialize)]
pub struct ListedInstitution {
    pub institution_code: String,
    pub name: String,
    pub region_code: String,
    /// `InstitutionStatus`: suspended, terminated, expired, awaiting_inspection.
    pub status: &'static str,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
    #[serde(flatten)]
    pub cause: Cause,
}

/// A list as of `date`, with the feed's head read before it: a consumer that loads the list
/// and then follows the feed after `head_seq` misses nothing.
#[derive(Debug, Clone, Serialize)]
pub struct StatusList<T> {
    pub date: NaiveDate,
    pub head_seq: i64,
    /// When the newest change was committed (UTC): the list's `Last-Modified`.
    #[serde(skip)]
    pub head_at: Option<NaiveDateTime>,
    pub items: Vec<T>,
}

impl App {
    fn list_head(&self, c: &mut crate::store::DbConn) -> Result<(i64, Option<NaiveDateTime>)> {
        Ok(feed::head(c)?.map_or((0, None), |(s, at)| (s, Some(at))))
    }

    /// The practitioners refused on `on`, in the caller's scope.
    pub fn status_list(&self, caller: &Caller, on: NaiveDate) -> Result<StatusList<ListedPractitioner>> {
        caller.permit(Action::ExportStatusList)?;
        let mut c = self.conn()?;
        let (head_seq, head_at) = self.list_head(&mut c)?;
        let runs = standing::refused_on(&mut c, on)?;
        let personal = projections::sanctions_in_force(&mut c, on)?;
        let people: Vec<String> = runs
            .iter()
            .map(|r| r.personnel_code.clone())
            .chain(personal.iter().map(|s| s.personnel_code.clone()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let sanctions = standing::sanctions_of_many(&mut c, &people)?;
        let registrations = standing::registrations_of_many(&mut c, &people)?;
        let persons = standing::practitioners_of_many(&mut c, &people)?;
        let insts: Vec<String> =
            runs.iter().map(|r| r.institution_code.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let records = institution_records(&mut c, &self.packs, &insts)?;
        let sites_of = |code: &str| -> Vec<String> {
            let set: BTreeSet<String> =
                registrations.get(code).into_iter().flatten().map(|r| r.institution_code.clone()).collect();
            set.into_iter().collect()
        };
        let unmasked = matches!(caller.role, Role::Officer | Role::Hr);
        let mut items = Vec::new();
        let mut listed: HashSet<&str> = HashSet::new();
        let none = Vec::new();
        for r in &runs {
            let in_scope = caller.sees_every_tenant()
                || matches!(caller.role, Role::Settlement)
                || caller.covers_institution(&r.institution_code);
            let Some(p) = persons.get(&r.personnel_code).filter(|_| in_scope) else { continue };
            let own = sanctions.get(&r.personnel_code).unwrap_or(&none);
            let cause = run_cause(r, own, records.get(&r.institution_code));
            // A personal sanction: its own period (the ban for a termination); an institution's:
            // the run at this site.
            let personal = !r.status.as_str().starts_with("institution_");
            let period =
                cause.decided.clone().filter(|_| personal).unwrap_or(Period { from: r.from_on, until: r.until_on });
            listed.insert(r.personnel_code.as_str());
            items.push(listed_person(
                p,
                unmasked,
                Some(r.institution_code.clone()),
                r.status.as_str(),
                period,
                cause,
                sites_of(&p.personnel_code),
            ));
        }
        // A sanction still running for someone no longer refused at any site (deregistered, or
        // banned with no agreement): listed once, with no institution.
        for s in &personal {
            if listed.contains(s.personnel_code.as_str()) {
                continue;
            }
            let sites = sites_of(&s.personnel_code);
            let in_scope = caller.sees_every_tenant()
                || matches!(caller.role, Role::Settlement)
                || sites.iter().any(|i| caller.covers_institution(i));
            let Some(p) = persons.get(&s.personnel_code).filter(|_| in_scope) else { continue };
            let status = if s.kind == SanctionKind::Suspension { "suspended" } else { "terminated" };
            let kind = if s.kind == SanctionKind::Suspension {
                crate::rules::SiteStatus::Suspended
            } else {
                crate::rules::SiteStatus::Terminated
            };
            let cause = super::feed::timeline::personal_cause(kind, s.starts_on, std::slice::from_ref(s));
            let until = if s.kind == SanctionKind::Suspension { s.ends_on } else { s.ban_until };
            listed.insert(s.personnel_code.as_str());
            items.push(listed_person(p, unmasked, None, status, Period { from: s.starts_on, until }, cause, sites));
        }
        if unmasked && !items.is_empty() {
            // Unmasked ID numbers: the trail answers "who looked at this person?".
            let read: Vec<String> =
                items.iter().map(|i| i.personnel_code.clone()).collect::<BTreeSet<_>>().into_iter().collect();
            if self.read_only {
                tracing::warn!("status list from a read replica: the read is not in the audit trail");
            } else {
                super::audit::record_read(&mut c, caller, &read)?;
            }
        }
        Ok(StatusList { date: on, head_seq, head_at, items })
    }

    /// The institutions whose agreement does not pay on `on`, in the caller's scope.
    pub fn institution_status_list(&self, caller: &Caller, on: NaiveDate) -> Result<StatusList<ListedInstitution>> {
        caller.permit(Action::ExportStatusList)?;
        let mut c = self.conn()?;
        let (head_seq, head_at) = self.list_head(&mut c)?;
        let all = crate::store::agency_pages::institutions_all(&mut c)?;
        let facts = crate::store::agency_pages::institution_facts_all(&mut c, &all)?;
        let refused = |s: InstitutionStatus| {
            matches!(
                s,
                InstitutionStatus::Suspended
                    | InstitutionStatus::Terminated
                    | InstitutionStatus::Expired
                    | InstitutionStatus::AwaitingInspection
            )
        };
        let names: HashMap<&str, (&str, &str)> =
            all.iter().map(|i| (i.code.as_str(), (i.name.as_str(), i.region_code.as_str()))).collect();
        let codes: Vec<String> = all
            .iter()
            .filter(|i| {
                caller.sees_every_tenant()
                    || matches!(caller.role, Role::Settlement)
                    || caller.covers_institution(&i.code)
            })
            .filter(|i| {
                facts.get(&i.code).is_some_and(|f| refused(crate::rules::institution::status_on(f, &self.packs, on)))
            })
            .map(|i| i.code.clone())
            .collect();
        let records = institution_records(&mut c, &self.packs, &codes)?;
        let mut items = Vec::new();
        for code in &codes {
            let Some(record) = records.get(code) else { continue };
            let t = record.timeline(&self.packs);
            let Some(run) = t.statuses.into_iter().find(|s| s.from <= on && s.until.is_none_or(|u| on < u)) else {
                continue;
            };
            let (name, region) = names.get(code.as_str()).copied().unwrap_or_default();
            items.push(ListedInstitution {
                institution_code: code.clone(),
                name: name.to_string(),
                region_code: if region.is_empty() {
                    region_of(code).unwrap_or_default().to_string()
                } else {
                    region.to_string()
                },
                status: run.status,
                from: run.from,
                until: run.until,
                cause: run.cause,
            });
        }
        Ok(StatusList { date: on, head_seq, head_at, items })
    }
}

fn listed_person(
    p: &crate::store::facts::Practitioner,
    unmasked: bool,
    institution_code: Option<String>,
    status: &'static str,
    period: Period,
    cause: Cause,
    sites: Vec<String>,
) -> ListedPractitioner {
    ListedPractitioner {
        personnel_code: p.personnel_code.clone(),
        name: if unmasked { p.name.clone() } else { mask_name(&p.name) },
        id_number: if unmasked { p.id_number.clone() } else { mask_id_number(&p.id_number) },
        category: p.category.name_zh(),
        institution_code,
        status,
        from: period.from,
        until: period.until,
        cause,
        sites,
    }
}

/// 处理 as the first list always named it; an institution's cause says whose it is.
fn action_zh(status: &str) -> &'static str {
    match status {
        "suspended" => "中止",
        "terminated" | "banned" => "解除",
        "institution_suspended" => "机构中止",
        "institution_terminated" => "机构解除",
        _ => "机构终止",
    }
}

/// The practitioners' list as spreadsheet rows: the first list's columns, then the new ones
/// (columns are only ever added at the end).
pub fn practitioner_table(items: &[ListedPractitioner]) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let header = vec![
        "医保对应代码",
        "姓名",
        "身份证号码",
        "医保支付资格类别",
        "处理",
        "起始日期",
        "截止日期（恢复/可重新签约）",
        "依据",
        "执业机构",
        "定点医药机构编码",
        "状态",
        "原因代码",
        "原因",
    ];
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let rows = items
        .iter()
        .map(|i| {
            vec![
                i.personnel_code.clone(),
                i.name.clone(),
                i.id_number.clone(),
                i.category.to_string(),
                action_zh(i.status).to_string(),
                i.from.to_string(),
                day(i.until),
                i.cause.article.clone().unwrap_or_default(),
                i.sites.join(";"),
                i.institution_code.clone().unwrap_or_default(),
                i.status.to_string(),
                i.cause.cause.clone().unwrap_or_default(),
                i.cause.reason.clone().unwrap_or_default(),
            ]
        })
        .collect();
    (header, rows)
}

/// The institutions' list as spreadsheet rows.
pub fn institution_table(items: &[ListedInstitution]) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let header =
        vec!["定点医药机构编码", "名称", "区划代码", "状态", "起始日期", "截止日期", "依据", "原因代码", "原因"];
    let rows = items
        .iter()
        .map(|i| {
            vec![
                i.institution_code.clone(),
                i.name.clone(),
                i.region_code.clone(),
                i.status.to_string(),
                i.from.to_string(),
                i.until.map(|d| d.to_string()).unwrap_or_default(),
                i.cause.article.clone().unwrap_or_default(),
                i.cause.cause.clone().unwrap_or_default(),
                i.cause.reason.clone().unwrap_or_default(),
            ]
        })
        .collect();
    (header, rows)
}
