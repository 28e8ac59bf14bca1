//! How an agreement ended, and the re-application bar its cause gives. A termination (解除)
//! records its cause (violation, breach, fraud, voluntary); a lapse after a voluntary
//! suspension, a non-renewal and an expiry are endings (终止) and bar nothing (聊城 第十条(五)–(八)、
//! 第十四条; 吉林 第十七条、第二十一条). An institution applying again (`POST /institutions`) with
//! the credit code of one barred, or the legal representative of one ended for a serious cause,
//! is refused until the bar ends.

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::rules::institution::{institution_bar, legal_representative_bar, Bar, EndCause, InstitutionPeriods};
use crate::rules::PackSet;
use crate::service::App;
use crate::store::facts::{self, AgreementAction, InstitutionEventRow};
use crate::store::DbConn;

/// When and why an agreement stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AgreementEnd {
    /// The first day no longer in force.
    pub on: NaiveDate,
    pub cause: EndCause,
    pub discovered_on: Option<NaiveDate>,
}

/// An agreement's end as the institution view shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementEndView {
    pub on: NaiveDate,
    /// `terminated` (解除) or `ended` (终止).
    pub kind: &'static str,
    pub cause: EndCause,
    pub cause_zh: &'static str,
    /// When the institution (the same credit code) may apply again; `None`: no bar.
    pub institution_bar: Option<Bar>,
    /// When its legal representative, 主要负责人 or 实际控制人 may, after a serious cause.
    pub legal_representative_bar: Option<Bar>,
}

/// The cause a stored termination carries; one recorded before causes were recorded is read as
/// a violation, the bar it was shown with then.
fn termination_cause(row: &InstitutionEventRow) -> EndCause {
    row.cause.as_deref().and_then(EndCause::parse).unwrap_or(EndCause::Violation)
}

/// The first end of the agreement, if any: a termination or an ending, whichever came first.
pub(crate) fn end_of(_packs: &PackSet, p: &InstitutionPeriods, rows: &[InstitutionEventRow]) -> Option<AgreementEnd> {
    let terminated = p.terminated_on.map(|on| {
        let row = rows.iter().find(|r| r.action == AgreementAction::Terminate && r.from_on == on);
        // 吉林 第四十六条 验收不合格的，解除医保协议: a breach of the agreement.
        let failed_inspection = row.is_none() && p.failed_inspection == Some(on);
        AgreementEnd {
            on,
            cause: if failed_inspection {
                EndCause::Breach
            } else {
                row.map_or(EndCause::Violation, termination_cause)
            },
            discovered_on: row.and_then(|r| r.discovered_on),
        }
    });
    let ended = p.ended.map(|(on, cause)| AgreementEnd { on, cause, discovered_on: None });
    match (terminated, ended) {
        (Some(t), Some(e)) => Some(if e.on < t.on { e } else { t }),
        (t, e) => t.or(e),
    }
}

pub(crate) fn end_view(packs: &PackSet, e: &AgreementEnd) -> AgreementEndView {
    let rule = &packs.in_force_or_first(e.on).unwrap_or(packs.latest()).institution_agreement;
    AgreementEndView {
        on: e.on,
        kind: if e.cause.is_termination() { "terminated" } else { "ended" },
        cause: e.cause,
        cause_zh: e.cause.zh(),
        institution_bar: institution_bar(rule, e.cause, e.on, e.discovered_on),
        legal_representative_bar: legal_representative_bar(rule, e.cause, e.on),
    }
}

impl App {
    /// The end of an institution's agreement, read now.
    pub(crate) fn agreement_end(&self, c: &mut DbConn, code: &str) -> Result<Option<AgreementEnd>> {
        let Some(f) = facts::institution_facts(c, code)? else { return Ok(None) };
        let periods = InstitutionPeriods::of(&f, &self.packs);
        let rows = facts::institution_events_of(c, code)?;
        Ok(end_of(&self.packs, &periods, &rows))
    }

    /// 聊城 第十条(五)–(八); 吉林 第十七条、第二十一条: 409 `reapplication_barred` when an
    /// institution of the same credit code is under a bar on `applied_on`, or one whose legal
    /// representative is the same ended for a serious cause less than 5 years before.
    pub(crate) fn refuse_barred_application(
        &self,
        c: &mut DbConn,
        code: &str,
        organization: Option<&str>,
        representative: Option<&str>,
        applied_on: NaiveDate,
    ) -> Result<()> {
        let mut bars: Vec<(String, &'static str, Bar)> = Vec::new();
        if organization.is_some() {
            for other in facts::related_institutions(c, code, organization, None)? {
                if let Some(e) = self.agreement_end(c, &other)? {
                    if let Some(bar) = end_view(&self.packs, &e).institution_bar {
                        bars.push((other, "统一社会信用代码", bar));
                    }
                }
            }
        }
        if representative.is_some() {
            for other in facts::related_institutions(c, code, None, representative)? {
                if let Some(e) = self.agreement_end(c, &other)? {
                    if let Some(bar) = end_view(&self.packs, &e).legal_representative_bar {
                        bars.push((other, "法定代表人（主要负责人、实际控制人）", bar));
                    }
                }
            }
        }
        let Some((other, by, bar)) =
            bars.into_iter().filter(|(_, _, b)| applied_on < b.until).max_by_key(|(_, _, b)| b.until)
        else {
            return Ok(());
        };
        Err(Error::conflict(
            "reapplication_barred",
            format!(
                "an application is not accepted before {} ({}): the {} is that of {other}, whose agreement ended",
                bar.until,
                bar.article,
                if by.starts_with('统') { "credit code" } else { "legal representative" }
            ),
            format!("{}前不予受理定点申请（{}）：{by}与{other}相同，其医保协议已被解除", bar.until, bar.article),
        ))
    }
}
