//! The terms of an institution agreement: renewal (续签) and non-renewal (不再续签) by the
//! agency, and the agreements whose term ends soon. What happens at the end of a term with no
//! decision is data of the rules in force (`on_expiry`): 济宁 takes 聊城 第十九条 — 年度协议考核、
//! 续签工作完成前，协议有效期顺延 — so the institution is `renewal_pending` and its staff paid
//! until the agency renews or not.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{non_empty, Change, InstitutionView};
use crate::domain::codes::region_of;
use crate::domain::dates::parse_date;
use crate::domain::limits;
use crate::error::{Error, Result};
use crate::rules::institution::{AfterSuspension, EndCause, InstitutionPeriods, OnExpiry};
use crate::service::{Action, App, Caller};
use crate::store::facts::{self, AgreementAction};

/// `POST /institutions/{code}/agreement/renew`: a new term from the day after the current one.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RenewInstitution {
    /// The day the agency decided it.
    #[schema(format = Date)]
    pub on: String,
    /// The last day of the new term.
    #[schema(format = Date)]
    pub agreement_end: String,
    pub reason: Option<String>,
}

/// `POST /institutions/{code}/agreement/non-renewal`: the agreement ends with its term.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NonRenewal {
    /// The day decided (or, asked for by the institution, the day the agency records it).
    #[schema(format = Date)]
    pub on: String,
    pub reason: String,
    pub article: Option<String>,
    /// The institution asked not to renew (不再续签): on `requested_on`, 3 months before the
    /// agreement may end (聊城 第三十三条; 新疆 第十六条; 吉林 第四十八条).
    pub requested: Option<bool>,
    #[schema(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub requested_on: Option<String>,
}

/// `POST /institutions/{code}/agreement/inspection-result`: the inspection (验收) after a
/// suspension, where the rules require one (吉林 第四十六条).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct InspectionResult {
    #[schema(format = Date)]
    pub on: String,
    pub passed: bool,
    pub reason: String,
    /// A failed inspection terminates: the notice of intent it follows (吉林 第四十九条).
    #[serde(default)]
    pub intent_id: Option<i64>,
    #[serde(default)]
    pub statement_response: Option<String>,
    #[serde(default)]
    pub statement_adopted: Option<bool>,
}

/// One agreement of `GET /agreements/ending`.
#[derive(Debug, Clone, Serialize)]
pub struct EndingAgreement {
    pub institution_code: String,
    pub name: String,
    pub region_code: String,
    /// The last day of the current term.
    pub agreement_end: NaiveDate,
    /// Calendar days from the date asked to the term's end (negative: past it, 顺延).
    pub days_left: i64,
    /// As of the date asked: active, suspended, or renewal_pending.
    pub status: &'static str,
    pub article: String,
}

impl App {
    /// 续签 (聊城 第十九条; 吉林 第三十九条): a new term from the day after the current one to
    /// `agreement_end`. Refused once the agreement was terminated, not renewed, or ended; during
    /// the extension (顺延) it is renewed from the day after the old term, so no day is lost.
    pub fn renew_institution(&self, caller: &Caller, code: &str, req: &RenewInstitution) -> Result<InstitutionView> {
        caller.require_institution(Action::RenewAgreement, code)?;
        let on = parse_date("on", &req.on)?;
        let end = parse_date("agreement_end", &req.agreement_end)?;
        if let Some(r) = &req.reason {
            limits::check_note("reason", r)?;
        }
        let (current_end, ended) = {
            let mut c = self.conn()?;
            let f = facts::institution_facts(&mut c, code)?
                .ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
            let p = InstitutionPeriods::of(&f, &self.packs);
            let rows = facts::institution_events_of(&mut c, code)?;
            let ended = super::ends::end_of(&self.packs, &p, &rows);
            let not_renewed = rows.iter().any(|r| r.action == AgreementAction::NonRenewal);
            if not_renewed {
                return Err(Error::conflict(
                    "not_renewed",
                    format!("the agreement of {code} was decided not to be renewed"),
                    format!("{code} 的医保协议已决定不再续签"),
                ));
            }
            (p.term_end(), ended)
        };
        let start = current_end
            .succ_opt()
            .ok_or_else(|| Error::invalid("invalid_date", "agreement_end", "no day after the term", "协议期限无效"))?;
        if let Some(e) = ended.filter(|e| e.on <= start) {
            return Err(Error::conflict(
                "agreement_ended",
                format!(
                    "the agreement of {code} ended on {} ({}): it cannot be renewed; the institution applies again",
                    e.on,
                    e.cause.as_str()
                ),
                format!("{code} 的医保协议已于{}{}，不能续签，应重新申请定点", e.on, e.cause.zh()),
            ));
        }
        if end < start {
            return Err(Error::invalid(
                "invalid_period",
                "agreement_end",
                format!("the new term runs from {start}, the day after the current one: agreement_end is before it"),
                format!("新协议期自{start}起，截止日期早于该日"),
            ));
        }
        let reason = req.reason.clone().unwrap_or_else(|| format!("续签医保协议（{on}决定）"));
        let article = self.packs.in_force_or_first(on)?.institution_agreement.on_expiry_article.clone();
        let change = Change::plain(AgreementAction::Renew, start, Some(end), &reason, &article, None);
        self.institution_event(caller, code, &change).map(|mut v| {
            v.date = on;
            v
        })
    }

    /// 不再续签 (聊城 第十九条 未达成一致的，协议到期后自动终止): the agreement ends with its term,
    /// or — decided during the extension — that day. An ending (终止): no re-application bar.
    pub fn refuse_renewal(&self, caller: &Caller, code: &str, req: &NonRenewal) -> Result<InstitutionView> {
        caller.require_institution(Action::RenewAgreement, code)?;
        let on = parse_date("on", &req.on)?;
        non_empty("reason", &req.reason)?;
        limits::check_note("reason", &req.reason)?;
        if let Some(a) = &req.article {
            limits::check_note("article", a)?;
        }
        {
            let mut c = self.conn()?;
            let rows = facts::institution_events_of(&mut c, code)?;
            if rows.iter().any(|r| r.action == AgreementAction::NonRenewal) {
                return Err(Error::conflict(
                    "not_renewed",
                    format!("the agreement of {code} was already decided not to be renewed"),
                    format!("{code} 的医保协议已决定不再续签"),
                ));
            }
            if let Some(e) = self.agreement_end(&mut c, code)?.filter(|e| e.on <= on) {
                return Err(Error::conflict(
                    "agreement_ended",
                    format!("the agreement of {code} ended on {}", e.on),
                    format!("{code} 的医保协议已于{}{}", e.on, e.cause.zh()),
                ));
            }
        }
        let article = match &req.article {
            Some(a) => a.clone(),
            None => self.packs.in_force_or_first(on)?.institution_agreement.on_expiry_article.clone(),
        };
        // The day the agreement ends: the day after its term, or, decided later, that day.
        let ends_on = {
            let mut c = self.conn()?;
            let f = facts::institution_facts(&mut c, code)?
                .ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
            InstitutionPeriods::of(&f, &self.packs).term_end().succ_opt().unwrap_or(on).max(on)
        };
        let requested = req.requested.unwrap_or(false);
        let requested_on = self.request_notice(requested, req.requested_on.as_deref(), ends_on, "on")?;
        let mut change = Change::plain(AgreementAction::NonRenewal, on, None, &req.reason, &article, None);
        change.cause = Some(EndCause::NonRenewal);
        change.requested = requested;
        change.requested_on = requested_on;
        self.institution_event(caller, code, &change)
    }

    /// 吉林 第四十六条 中止协议期满后医保经办机构对其进行验收，验收合格的，医保协议继续履行…验收不
    /// 合格的，解除医保协议: where the rules in force say `after_suspension = inspect`, a suspension
    /// that ran its course leaves the institution `awaiting_inspection` (staff not paid) until this
    /// result. Under `continue` (济宁: 聊城 第二十九条) no inspection is needed: 409.
    pub fn record_inspection_result(
        &self,
        caller: &Caller,
        code: &str,
        req: &InspectionResult,
    ) -> Result<InstitutionView> {
        caller.require_institution(Action::ChangeAgreement, code)?;
        let on = parse_date("on", &req.on)?;
        non_empty("reason", &req.reason)?;
        limits::check_note("reason", &req.reason)?;
        let rule = self.packs.in_force_or_first(on)?.institution_agreement.clone();
        if rule.after_suspension != AfterSuspension::Inspect {
            return Err(Error::conflict(
                "no_inspection_required",
                format!(
                    "the rules in force need no inspection after a suspension: the agreement continues by itself ({})",
                    rule.after_suspension_article
                ),
                format!("中止期满后协议继续履行，无需验收（{}）", rule.after_suspension_article),
            ));
        }
        {
            let mut c = self.conn()?;
            let f = facts::institution_facts(&mut c, code)?
                .ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
            let p = InstitutionPeriods::of(&f, &self.packs);
            if !p.awaiting_inspection.iter().any(|&(from, until)| from <= on && until.is_none()) {
                return Err(Error::conflict(
                    "not_awaiting_inspection",
                    format!("the agreement of {code} is not awaiting an inspection on {on}"),
                    format!("{code} 的医保协议在{on}不处于中止期满待验收状态"),
                ));
            }
        }
        let reason = format!(
            "{}：{}",
            if req.passed { "验收合格，协议继续履行" } else { "验收不合格，解除医保协议" },
            req.reason.trim()
        );
        let mut change =
            Change::plain(AgreementAction::Inspection, on, None, &reason, &rule.after_suspension_article, None);
        change.inspection_passed = Some(req.passed);
        change.needs_intent = !req.passed;
        change.intent = super::intents::IntentUse {
            id: req.intent_id,
            response: req.statement_response.as_deref(),
            adopted: req.statement_adopted,
        };
        self.institution_event(caller, code, &change)
    }

    /// `GET /agreements/ending?date=&days=`: agreements whose term ends within `days` of `on`
    /// (the pack's `ending_soon_days` by default), and those past their term awaiting the
    /// decision (顺延), soonest first. Not renewed or ended ones are left out.
    pub fn agreements_ending(&self, caller: &Caller, on: NaiveDate, days: Option<u32>) -> Result<Vec<EndingAgreement>> {
        caller.permit(Action::ReadAgreementsEnding)?;
        let rule = &self.packs.in_force_or_first(on)?.institution_agreement;
        let days = days.unwrap_or(rule.ending_soon_days).min(3660);
        let horizon = on + chrono::Duration::days(i64::from(days));
        let region = caller.region();
        let mut c = self.conn()?;
        let mut out = Vec::new();
        for code in facts::institution_codes(&mut c)? {
            if region.is_some_and(|r| region_of(&code) != Some(r)) || !caller.covers_institution(&code) {
                continue;
            }
            let Some(inst) = facts::institution(&mut c, &code)? else { continue };
            let Some(f) = facts::institution_facts(&mut c, &code)? else { continue };
            let p = InstitutionPeriods::of(&f, &self.packs);
            let rows = facts::institution_events_of(&mut c, &code)?;
            if rows.iter().any(|r| r.action == AgreementAction::NonRenewal) || p.terminated_by(on) || p.ended_by(on) {
                continue;
            }
            let end = p.term_end();
            if end > horizon || (end < on && !p.extended_on(on)) {
                continue;
            }
            let on_expiry = self.packs.in_force_or_first(end)?.institution_agreement.clone();
            out.push(EndingAgreement {
                institution_code: code.clone(),
                name: inst.name,
                region_code: inst.region_code,
                agreement_end: end,
                days_left: (end - on).num_days(),
                status: crate::rules::institution::status_on(&f, &self.packs, on).as_str(),
                article: match on_expiry.on_expiry {
                    OnExpiry::Extend => format!("{}：续签工作完成前，协议有效期顺延", on_expiry.on_expiry_article),
                    OnExpiry::End => format!("{}：未续签的，协议到期后终止", on_expiry.on_expiry_article),
                },
            });
        }
        out.sort_by_key(|e| (e.agreement_end, e.institution_code.clone()));
        Ok(out)
    }
}
