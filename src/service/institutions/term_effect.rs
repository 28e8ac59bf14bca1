//! What renewing (续签) or declining to renew (不再续签) an agreement would do to the staff,
//! shown on the agency's page before the decision is confirmed. Read-only: nothing is written.
//!
//! A renewal continues every service agreement at the institution (三(四)): the new term starts
//! the day after the current one, so no day is lost even during the extension (顺延, 聊城
//! 第十九条). A non-renewal ends the agreement — with its term, or that day when decided during
//! the extension — and the staff's service agreements there end with it (三(四)); an ending
//! (终止) bars no re-application.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::rules::institution::{status_on, InstitutionPeriods};
use crate::service::{Action, App, Caller};
use crate::store::facts::{self, AgreementAction};
use crate::store::pages;

/// The effect of a renewal or a non-renewal on a date.
#[derive(Debug, Clone, Serialize)]
pub struct TermEffect {
    pub institution_code: String,
    pub institution_name: String,
    /// `Renew` or `NonRenewal`.
    pub action: AgreementAction,
    /// The day the decision is taken.
    pub on: NaiveDate,
    /// The last day of the current term.
    pub term_end: NaiveDate,
    /// The agreement's status on `on` (`renewal_pending` during the extension).
    pub status: &'static str,
    /// A renewal: the new term, `start..=end`.
    pub new_term: Option<(NaiveDate, NaiveDate)>,
    /// A non-renewal: the day the agreement ends (the day after its term, or `on` when later).
    pub ends_on: Option<NaiveDate>,
    /// The day the staff figures are for: the new term's first day, or the day it ends.
    pub staff_on: NaiveDate,
    /// Registered at the institution on `staff_on`.
    pub staff: usize,
    /// Of them, those whose service agreement there is in force on `on`.
    pub in_force: usize,
    /// The article the decision rests on (the pack's `on_expiry_article`).
    pub article: String,
}

impl App {
    /// The effect of renewing `code`'s agreement to `agreement_end` (a renewal), or of not
    /// renewing it (`agreement_end` unused), decided on `on`. Refused where the decision itself
    /// would be: already not renewed, or a new term ending before it starts.
    pub fn term_effect(
        &self,
        caller: &Caller,
        code: &str,
        action: AgreementAction,
        on: NaiveDate,
        agreement_end: Option<NaiveDate>,
    ) -> Result<TermEffect> {
        caller.require_institution(Action::RenewAgreement, code)?;
        let mut c = self.conn()?;
        let inst = facts::institution(&mut c, code)?.ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
        let f =
            facts::institution_facts(&mut c, code)?.ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
        let periods = InstitutionPeriods::of(&f, &self.packs);
        let rows = facts::institution_events_of(&mut c, code)?;
        if rows.iter().any(|r| r.action == AgreementAction::NonRenewal) {
            return Err(Error::conflict(
                "not_renewed",
                format!("the agreement of {code} was already decided not to be renewed"),
                format!("{code} 的医保协议已决定不再续签"),
            ));
        }
        let term_end = periods.term_end();
        let next = term_end.succ_opt().unwrap_or(term_end);
        let (new_term, ends_on, staff_on) = match action {
            AgreementAction::Renew => {
                let end = agreement_end.ok_or_else(|| {
                    Error::invalid(
                        "missing_field",
                        "agreement_end",
                        "agreement_end is required",
                        "请填写新协议期截止日期",
                    )
                })?;
                if end < next {
                    return Err(Error::invalid(
                        "invalid_period",
                        "agreement_end",
                        format!(
                            "the new term runs from {next}, the day after the current one: agreement_end is before it"
                        ),
                        format!("新协议期自{next}起，截止日期早于该日"),
                    ));
                }
                (Some((next, end)), None, next)
            }
            AgreementAction::NonRenewal => {
                let ends = next.max(on);
                (None, Some(ends), ends)
            }
            _ => {
                return Err(Error::invalid(
                    "invalid_action",
                    "action",
                    "a term effect is of a renewal or a non-renewal",
                    "仅续签或不再续签可预览",
                ))
            }
        };
        let staff = pages::staff_at(&mut c, code, staff_on)?;
        let statuses: HashMap<String, String> = pages::site_statuses(&mut c, code, on)?.into_iter().collect();
        let in_force =
            staff.iter().filter(|s| statuses.get(&s.personnel_code).is_some_and(|st| st == "active")).count();
        Ok(TermEffect {
            institution_code: inst.code,
            institution_name: inst.name,
            action,
            on,
            term_end,
            status: status_on(&f, &self.packs, on).as_str(),
            new_term,
            ends_on,
            staff_on,
            staff: staff.len(),
            in_force,
            article: self.packs.in_force_or_first(on)?.institution_agreement.on_expiry_article.clone(),
        })
    }
}
