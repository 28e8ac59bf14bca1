//! Institution agreements (医保协议): create and show here; suspend, restore, terminate in
//! `agreement`; the cases the rules open in `termination_cases` (聊城 第三十一条(一)) and
//! `cascade_cases` (五(三)).

mod agreement;
mod cascade_cases;
mod ends;
mod intents;
mod term_effect;
mod termination_cases;
mod terms;

pub use agreement::{RestoreInstitution, SuspendInstitution, TerminateInstitution};
pub use cascade_cases::{CascadeCaseView, DecideCascade};
pub use ends::AgreementEndView;
pub use intents::{Hearing, IntentView, NewIntent, NewStatement};
pub use term_effect::TermEffect;
pub use termination_cases::TerminationCaseView;
pub use terms::{EndingAgreement, InspectionResult, NonRenewal, RenewInstitution};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{institution_lock, Action, App, Caller};
use crate::domain::dates::parse_date;
use crate::domain::limits;
use crate::domain::InstitutionKind;
use crate::error::{Error, Result};
use crate::rules::institution::{status_on, suspensions_in_term, termination_due, EndCause, InstitutionPeriods};
use crate::rules::PackSet;
use crate::store::facts::{self, AgreementAction, Institution};
use crate::store::{projections, DbConn};

/// `POST /institutions`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewInstitution {
    #[schema(pattern = r"^[HPhp][0-9]{11}$")]
    pub code: String,
    pub name: String,
    #[schema(value_type = String, example = "medical")]
    pub kind: String,
    pub region_code: Option<String>,
    #[schema(format = Date)]
    pub agreement_start: String,
    #[schema(format = Date)]
    pub agreement_end: String,
    /// A public medical institution (公立医疗机构): may not request suspension itself.
    pub public: Option<bool>,
    /// 统一社会信用代码: the same organisation's agreements in other pooling regions follow
    /// this one (聊城 第三十三条).
    pub organization_code: Option<String>,
    /// 法定代表人、企业负责人或实际控制人 (chain pharmacies, 聊城 第三十二条(十五)).
    pub legal_representative: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InstitutionView {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub region_code: String,
    pub agreement_start: NaiveDate,
    /// The last day of the current term (the last renewal's).
    pub agreement_end: NaiveDate,
    /// Every term, the first and each renewal (续签).
    pub terms: Vec<Term>,
    /// As of `date`: active, suspended, terminated (解除), expired (终止), renewal_pending
    /// (past its term, in force until the renewal is decided: 聊城 第十九条), not_started.
    pub status: &'static str,
    pub date: NaiveDate,
    pub suspended_until: Option<NaiveDate>,
    /// A public medical institution (公立医疗机构).
    pub public: bool,
    /// Suspensions for its own violations within the current term (not requested, not copied
    /// from a related institution: 聊城 第三十一条(一)、吉林 第四十七条(一)).
    pub suspensions_in_term: u32,
    /// Grounds the agency should consider for terminating the agreement (聊城 第三十一条(一)).
    pub termination_grounds: Vec<String>,
    /// Once the agreement was terminated (解除) or ended (终止) as of `date`: when, why, and the
    /// re-application bars the cause gives (吉林 第十七条、第二十一条; 聊城 第十条).
    pub end: Option<AgreementEndView>,
    pub history: Vec<InstitutionEventView>,
}

/// One term of the agreement, `start..=end`.
#[derive(Debug, Clone, Serialize)]
pub struct Term {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct InstitutionEventView {
    pub id: i64,
    pub action: AgreementAction,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
    pub reason: String,
    pub article: String,
    pub cascade_case_id: Option<i64>,
    /// The institution asked for it (voluntary suspension).
    pub requested: bool,
    /// A requested suspension not resumed by then ends the agreement (自动终止).
    pub lapses_on: Option<NaiveDate>,
    /// A termination's cause: violation, breach, fraud or voluntary.
    pub cause: Option<String>,
    /// Copied from a related institution's change (聊城 第三十三条): that institution.
    pub copied_from: Option<String>,
    /// Asked for by the institution: the day it asked.
    pub requested_on: Option<NaiveDate>,
    /// Limited to one department (科室): only its staff follow (聊城 第三十四条).
    pub department: Option<String>,
}

/// One change of an institution agreement.
#[derive(Clone, Copy)]
pub(super) struct Change<'a> {
    action: AgreementAction,
    from: NaiveDate,
    until: Option<NaiveDate>,
    reason: &'a str,
    article: &'a str,
    cascade_case_id: Option<i64>,
    requested: bool,
    lapses_on: Option<NaiveDate>,
    /// A termination caused by a chain's legal representative (聊城 第三十二条(十五)).
    chain: bool,
    /// A termination's cause (decides the re-application bar).
    cause: Option<EndCause>,
    /// A fraudulent application: when it was found.
    discovered_on: Option<NaiveDate>,
    /// Asked for by the institution: the day it asked (3 months' notice).
    requested_on: Option<NaiveDate>,
    /// Limited to one department (科室, 聊城 第三十四条).
    department: Option<&'a str>,
    /// 吉林 第四十六条: an inspection's result (stored as `passed` / `failed`).
    inspection_passed: Option<bool>,
    /// 吉林 第四十九条: an agency decision follows a notice of intent (`intent.id`).
    needs_intent: bool,
    intent: intents::IntentUse<'a>,
}

impl<'a> Change<'a> {
    pub(super) fn plain(
        action: AgreementAction,
        from: NaiveDate,
        until: Option<NaiveDate>,
        reason: &'a str,
        article: &'a str,
        cascade_case_id: Option<i64>,
    ) -> Self {
        Change {
            action,
            from,
            until,
            reason,
            article,
            cascade_case_id,
            requested: false,
            lapses_on: None,
            chain: false,
            cause: None,
            discovered_on: None,
            requested_on: None,
            department: None,
            inspection_passed: None,
            needs_intent: false,
            intent: intents::IntentUse::default(),
        }
    }
}

fn non_empty(field: &str, v: &str) -> Result<()> {
    if v.trim().is_empty() {
        return Err(Error::invalid(
            "missing_field",
            field,
            format!("{field} must not be empty"),
            format!("{field} 不能为空"),
        ));
    }
    Ok(())
}

impl App {
    /// `POST /institutions`, applied for today.
    pub fn create_institution(&self, caller: &Caller, req: &NewInstitution) -> Result<InstitutionView> {
        self.create_institution_applied(caller, req, None)
    }

    /// `POST /institutions` with the day the institution applied (`applied_on`, default today):
    /// refused with 409 `reapplication_barred` while an earlier agreement of the same credit
    /// code, or (after a serious cause) of the same legal representative, bars it (聊城 第十条;
    /// 吉林 第十七条、第二十一条).
    pub fn create_institution_applied(
        &self,
        caller: &Caller,
        req: &NewInstitution,
        applied_on: Option<NaiveDate>,
    ) -> Result<InstitutionView> {
        caller.permit(Action::CreateInstitution)?;
        let applied_on = applied_on.unwrap_or_else(crate::domain::dates::today_china);
        let kind = InstitutionKind::parse("kind", &req.kind)?;
        let code = self.formats.institution_code("code", &req.code, kind)?;
        non_empty("name", &req.name)?;
        limits::check_name("name", req.name.trim())?;
        for (field, v) in
            [("organization_code", &req.organization_code), ("legal_representative", &req.legal_representative)]
        {
            if let Some(v) = v {
                limits::check_name(field, v.trim())?;
            }
        }
        let start = parse_date("agreement_start", &req.agreement_start)?;
        let end = parse_date("agreement_end", &req.agreement_end)?;
        if end < start {
            return Err(Error::invalid(
                "invalid_period",
                "agreement_end",
                "agreement_end is before agreement_start",
                "协议截止日期早于开始日期",
            ));
        }
        let region = req.region_code.clone().unwrap_or_else(|| code.region().to_string());
        if region.len() != 6 || !region.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid(
                "invalid_region",
                "region_code",
                "region_code has 6 digits (GB/T 2260)",
                "区划代码应为6位数字（GB/T 2260）",
            ));
        }
        self.write(caller, &[institution_lock(code.as_str())], |c, touched| {
            touched.fact("institutions", code.as_str());
            touched.institution_changed(c, code.as_str())?;
            if facts::institution(c, code.as_str())?.is_some() {
                return Err(Error::conflict(
                    "already_exists",
                    format!("institution {code} already exists"),
                    format!("定点医药机构 {code} 已存在"),
                ));
            }
            let trimmed =
                |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
            self.refuse_barred_application(
                c,
                code.as_str(),
                trimmed(&req.organization_code).as_deref(),
                trimmed(&req.legal_representative).as_deref(),
                applied_on,
            )?;
            facts::insert_institution(
                c,
                &Institution {
                    code: code.as_str().to_string(),
                    name: req.name.trim().to_string(),
                    kind,
                    region_code: region.clone(),
                    agreement_start: start,
                    agreement_end: end,
                    recorded_at: crate::store::now(),
                    public: req.public.unwrap_or(false),
                    organization_code: req
                        .organization_code
                        .clone()
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty()),
                    legal_representative: req
                        .legal_representative
                        .clone()
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty()),
                },
            )?;
            institution_view(c, &self.packs, code.as_str(), start)
        })
    }

    pub fn institution(&self, caller: &Caller, code: &str, on: NaiveDate) -> Result<InstitutionView> {
        caller.require_institution(Action::ReadInstitution, code)?;
        let mut c = self.conn()?;
        institution_view(&mut c, &self.packs, code, on)
    }

    /// The public lookup (no caller): the handler shows only the agreement's status fields.
    pub fn public_institution(&self, code: &str, on: NaiveDate) -> Result<InstitutionView> {
        let mut c = self.conn()?;
        institution_view(&mut c, &self.packs, code, on)
    }

    /// `GET /institutions/{code}/cascade`.
    pub fn cascade_figures(
        &self,
        caller: &Caller,
        code: &str,
        year: i32,
    ) -> Result<crate::rules::cascade::CascadeFigures> {
        caller.require_institution(Action::ReadCascade, code)?;
        let mut c = self.conn()?;
        if facts::institution(&mut c, code)?.is_none() {
            return Err(Error::not_found("institution", "定点医药机构"));
        }
        let (num, den) = projections::cascade_counts(&mut c, code, year)?;
        let pack = self.packs.in_force_or_first(crate::domain::dates::year_start(year))?;
        Ok(crate::rules::cascade::figures(pack, code, year, num, den))
    }
}

fn institution_view(c: &mut DbConn, packs: &PackSet, code: &str, on: NaiveDate) -> Result<InstitutionView> {
    let inst = facts::institution(c, code)?.ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
    let f = facts::institution_facts(c, code)?.ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
    let periods = InstitutionPeriods::of(&f, packs);
    let rows = facts::institution_events_of(c, code)?;
    let history = rows
        .iter()
        .map(|e| InstitutionEventView {
            id: e.id,
            action: e.action,
            from: e.from_on,
            until: e.until_on,
            reason: e.reason.clone(),
            article: e.article.clone(),
            cascade_case_id: e.cascade_case_id,
            requested: e.requested,
            lapses_on: e.lapses_on,
            cause: e.cause.clone(),
            copied_from: e.copied_from.clone(),
            requested_on: e.requested_on,
            department: e.department.clone(),
        })
        .collect::<Vec<_>>();
    let rule = &packs.in_force_or_first(on)?.institution_agreement;
    let term = periods.term_on(on);
    // 聊城 第三十一条(一): its own violation suspensions in the term (not requested, not copied).
    let starts = rows.iter().filter(|e| e.own_violation_suspension()).map(|e| e.from_on);
    let suspensions_in_term = suspensions_in_term(starts, term.0, term.1);
    let mut termination_grounds = Vec::new();
    if termination_due(rule, suspensions_in_term) {
        termination_grounds.push(format!(
            "协议有效期内累计{suspensions_in_term}次被中止协议，应解除医保协议（{}）",
            rule.termination_article
        ));
    }
    let end = ends::end_of(packs, &periods, &rows).filter(|e| e.on <= on).map(|e| ends::end_view(packs, &e));
    Ok(InstitutionView {
        code: inst.code,
        name: inst.name,
        kind: inst.kind.as_str().to_string(),
        region_code: inst.region_code,
        agreement_start: inst.agreement_start,
        agreement_end: periods.term_end(),
        terms: periods.terms.iter().map(|&(start, end)| Term { start, end }).collect(),
        status: status_on(&f, packs, on).as_str(),
        date: on,
        suspended_until: periods.suspended_on(on).and_then(|(_, u)| u),
        end,
        public: inst.public,
        suspensions_in_term,
        termination_grounds,
        history,
    })
}
