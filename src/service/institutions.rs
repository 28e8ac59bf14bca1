//! Institution agreements (医保协议): create, suspend, restore, terminate; cascade cases.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{institution_lock, App};
use crate::domain::dates::{add_months, parse_date};
use crate::domain::InstitutionKind;
use crate::error::{Error, Result};
use crate::rules::institution::{status_on, InstitutionPeriods};
use crate::rules::PackSet;
use crate::store::facts::{
    self, AgreementAction, CascadeDecision, Institution, NewInstitutionEvent, TerminationDecision,
};
use crate::store::{projections, DbConn};

/// `POST /institutions`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewInstitution {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub region_code: Option<String>,
    pub agreement_start: String,
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
    pub agreement_end: NaiveDate,
    /// As of `date`.
    pub status: &'static str,
    pub date: NaiveDate,
    pub suspended_until: Option<NaiveDate>,
    /// A public medical institution (公立医疗机构).
    pub public: bool,
    /// Suspensions within the current agreement term.
    pub suspensions_in_term: usize,
    /// Grounds the agency should consider for terminating the agreement (聊城 第三十一条(一)).
    pub termination_grounds: Vec<String>,
    /// After a termination: when the institution, and its legal representative after a serious
    /// violation, may apply for designation again (吉林 第十七条、第二十一条).
    pub reapplication: Option<Reapplication>,
    pub history: Vec<InstitutionEventView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reapplication {
    pub terminated_on: NaiveDate,
    /// First day a new designation application is accepted.
    pub institution_not_before: NaiveDate,
    pub article: String,
    /// For a termination caused by serious violations: the legal representative's bar.
    pub legal_representative_not_before: NaiveDate,
    pub legal_representative_article: String,
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
}

/// `POST /institutions/{code}/agreement/suspend`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SuspendInstitution {
    pub from: String,
    pub until: Option<String>,
    pub reason: String,
    pub article: Option<String>,
    /// The institution asked for it (voluntary): at most 180 days, then it terminates by
    /// itself unless resumed (聊城 第二十九条). Otherwise a violation-based suspension: at most
    /// 1 year (吉林 第四十六条).
    pub requested: Option<bool>,
}

/// `POST /institutions/{code}/agreement/restore`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RestoreInstitution {
    pub on: String,
    pub reason: Option<String>,
}

/// `POST /institutions/{code}/agreement/terminate`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TerminateInstitution {
    pub on: String,
    pub reason: String,
    pub article: Option<String>,
    /// Caused by the chain's legal representative: the branches with the same one are terminated
    /// too (聊城 第三十二条(十五)).
    pub legal_representative_violation: Option<bool>,
    /// The institution asked for it; a public medical institution may not (聊城 第三十三条).
    pub requested: Option<bool>,
}

/// `POST /cascade-cases/{id}/decide`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DecideCascade {
    pub decision: String,
    pub reason: String,
    pub on: String,
    pub until: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CascadeCaseView {
    pub id: i64,
    pub institution_code: String,
    pub cycle_year: i32,
    pub numerator: i32,
    pub denominator: i32,
    pub opened_on: NaiveDate,
    /// `open` or `decided`.
    pub status: &'static str,
    pub decision: Option<CascadeDecision>,
    pub reason: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub article: String,
}

/// One change of an institution agreement.
#[derive(Clone, Copy)]
struct Change<'a> {
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
}

impl<'a> Change<'a> {
    fn plain(
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
    pub fn create_institution(&self, req: &NewInstitution) -> Result<InstitutionView> {
        let kind = InstitutionKind::parse("kind", &req.kind)?;
        let code = self.formats.institution_code("code", &req.code, kind)?;
        non_empty("name", &req.name)?;
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
        self.write(&[institution_lock(code.as_str())], |c, touched| {
            touched.fact("institutions", code.as_str());
            if facts::institution(c, code.as_str())?.is_some() {
                return Err(Error::conflict(
                    "already_exists",
                    format!("institution {code} already exists"),
                    format!("定点医药机构 {code} 已存在"),
                ));
            }
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

    pub fn institution(&self, code: &str, on: NaiveDate) -> Result<InstitutionView> {
        let mut c = self.conn()?;
        institution_view(&mut c, &self.packs, code, on)
    }

    pub fn suspend_institution(&self, code: &str, req: &SuspendInstitution) -> Result<InstitutionView> {
        let from = parse_date("from", &req.from)?;
        let until = req.until.as_deref().filter(|s| !s.is_empty()).map(|u| parse_date("until", u)).transpose()?;
        if until.is_some_and(|u| u <= from) {
            return Err(Error::invalid(
                "invalid_period",
                "until",
                "until must be after from",
                "恢复日期应晚于中止日期",
            ));
        }
        non_empty("reason", &req.reason)?;
        let pack = self.packs.in_force(from).unwrap_or(self.packs.latest());
        let rule = &pack.institution_agreement;
        let requested = req.requested.unwrap_or(false);
        let (max_end, limit_article) = if requested {
            (from + chrono::Duration::days(i64::from(rule.voluntary_suspension_max_days)), &rule.voluntary_article)
        } else {
            (add_months(from, rule.violation_suspension_max_months), &rule.violation_article)
        };
        if until.is_some_and(|u| u > max_end) {
            return Err(Error::invalid(
                "suspension_too_long",
                "until",
                format!("a suspension from {from} may run to {max_end} at the latest ({limit_article})"),
                format!("自{from}起的中止最长至{max_end}（{limit_article}）"),
            ));
        }
        if requested {
            self.refuse_public_request(code, from)?;
        }
        let article = req.article.clone().unwrap_or_else(|| {
            if requested {
                rule.voluntary_article.clone()
            } else {
                "三(四)".into()
            }
        });
        self.institution_event(
            code,
            &Change {
                action: AgreementAction::Suspend,
                from,
                until,
                reason: &req.reason,
                article: &article,
                cascade_case_id: None,
                requested,
                // Not resumed within the limit: the agreement ends by itself.
                lapses_on: (requested && until.is_none()).then_some(max_end),
                chain: false,
            },
        )
    }

    pub fn restore_institution(&self, code: &str, req: &RestoreInstitution) -> Result<InstitutionView> {
        let on = parse_date("on", &req.on)?;
        let reason = req.reason.clone().unwrap_or_else(|| "恢复医保协议".into());
        self.institution_event(code, &Change::plain(AgreementAction::Restore, on, None, &reason, "三(四)", None))
    }

    pub fn terminate_institution(&self, code: &str, req: &TerminateInstitution) -> Result<InstitutionView> {
        let on = parse_date("on", &req.on)?;
        non_empty("reason", &req.reason)?;
        if req.requested.unwrap_or(false) {
            self.refuse_public_request(code, on)?;
        }
        let article = req.article.clone().unwrap_or_else(|| "三(四)".into());
        let mut change = Change::plain(AgreementAction::Terminate, on, None, &req.reason, &article, None);
        change.chain = req.legal_representative_violation.unwrap_or(false);
        self.institution_event(code, &change)
    }

    /// 三(四): the institution's staff follow its agreement, so everyone registered there is
    /// recomputed in the same transaction.
    fn institution_event(&self, code: &str, change: &Change) -> Result<InstitutionView> {
        let Change { action, from, until, reason, article, cascade_case_id, requested, lapses_on, chain } = *change;
        let mut locks = vec![institution_lock(code)];
        // The same organisation in other pooling regions follows a suspension or termination
        // (聊城 第三十三条); a chain's branches with the same legal representative follow its
        // termination for that person's violations (聊城 第三十二条(十五)).
        let related: Vec<(String, &str)> = {
            let mut c = self.conn()?;
            let inst =
                facts::institution(&mut c, code)?.ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
            let mut related = Vec::new();
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
            locks.extend(facts::personnel_at(&mut c, code)?.iter().map(|p| super::person_lock(p)));
            for (r, _) in &related {
                locks.push(institution_lock(r));
                locks.extend(facts::personnel_at(&mut c, r)?.iter().map(|p| super::person_lock(p)));
            }
            related
        };
        self.write(&locks, |c, touched| {
            let facts_now =
                facts::institution_facts(c, code)?.ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
            let periods = InstitutionPeriods::of(&facts_now);
            if periods.terminated_by(from) {
                return Err(Error::conflict(
                    "institution_terminated",
                    format!("the agreement of {code} is terminated"),
                    format!("{code} 的医保协议已解除"),
                ));
            }
            if action == AgreementAction::Restore && periods.suspended_on(from).is_none() {
                return Err(Error::conflict(
                    "not_suspended",
                    format!("the agreement of {code} is not suspended on {from}"),
                    format!("{code} 的医保协议在{from}未处于中止状态"),
                ));
            }
            let event_id = facts::insert_institution_event(
                c,
                &NewInstitutionEvent {
                    institution_code: code,
                    action,
                    from_on: from,
                    until_on: until,
                    reason,
                    article,
                    cascade_case_id,
                    recorded_at: crate::store::now(),
                    requested,
                    lapses_on,
                },
            )?;
            touched.fact("institution_events", event_id);
            self.recompute_institution(c, touched, code)?;
            self.notify_institution(c, code, action, from, until, reason, article)?;
            if action == AgreementAction::Suspend {
                self.open_termination_case(c, touched, code, from)?;
            }
            for (other, why) in &related {
                let other_facts = facts::institution_facts(c, other)?
                    .ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
                if InstitutionPeriods::of(&other_facts).terminated_by(from) {
                    continue;
                }
                let other_reason = format!(
                    "随{code}同时{}：{reason}",
                    if action == AgreementAction::Suspend { "中止" } else { "解除" }
                );
                let id = facts::insert_institution_event(
                    c,
                    &NewInstitutionEvent {
                        institution_code: other,
                        action,
                        from_on: from,
                        until_on: until,
                        reason: &other_reason,
                        article: why,
                        cascade_case_id,
                        recorded_at: crate::store::now(),
                        requested: false,
                        lapses_on: None,
                    },
                )?;
                touched.fact("institution_events", id);
                self.recompute_institution(c, touched, other)?;
                self.notify_institution(c, other, action, from, until, &other_reason, why)?;
            }
            institution_view(c, &self.packs, code, from)
        })
    }

    /// 聊城 第三十三条: 公立医疗机构不得主动提出中止或解除医保协议.
    fn refuse_public_request(&self, code: &str, on: NaiveDate) -> Result<()> {
        let rule = &self.packs.in_force(on).unwrap_or(self.packs.latest()).institution_agreement;
        let mut c = self.conn()?;
        let inst = facts::institution(&mut c, code)?.ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
        if inst.public {
            return Err(Error::invalid(
                "public_may_not_request",
                "requested",
                format!(
                    "a public medical institution may not request suspension or termination itself ({})",
                    rule.public_request_article
                ),
                format!("公立医疗机构不得主动提出中止或解除医保协议（{}）", rule.public_request_article),
            ));
        }
        Ok(())
    }

    /// 聊城 第三十一条(一): the second suspension within the agreement term opens a case.
    fn open_termination_case(
        &self,
        c: &mut DbConn,
        touched: &mut super::Touched,
        code: &str,
        on: NaiveDate,
    ) -> Result<()> {
        let inst = facts::institution(c, code)?.ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
        let rule = &self.packs.in_force(on).unwrap_or(self.packs.latest()).institution_agreement;
        let in_term = facts::institution_events_of(c, code)?
            .iter()
            .filter(|e| {
                e.action == AgreementAction::Suspend
                    && e.from_on >= inst.agreement_start
                    && e.from_on <= inst.agreement_end
            })
            .count() as u32;
        if in_term >= rule.suspensions_before_termination
            && facts::termination_case_for(c, code, inst.agreement_start)?.is_none()
        {
            let id = facts::insert_termination_case(
                c,
                code,
                inst.agreement_start,
                on,
                in_term as i32,
                &rule.termination_article,
            )?;
            touched.fact("termination_cases", id);
        }
        Ok(())
    }

    pub fn termination_cases(&self, region: Option<&str>) -> Result<Vec<TerminationCaseView>> {
        let mut c = self.conn()?;
        let mut out = Vec::new();
        for r in facts::termination_cases_all(&mut c)? {
            if region.is_some_and(|reg| crate::domain::region_of(&r.institution_code) != Some(reg)) {
                continue;
            }
            out.push(termination_view(&mut c, r)?);
        }
        Ok(out)
    }

    pub fn termination_case(&self, id: i64) -> Result<TerminationCaseView> {
        let mut c = self.conn()?;
        let r =
            facts::termination_case(&mut c, id)?.ok_or_else(|| Error::not_found("termination case", "解除协议案件"))?;
        termination_view(&mut c, r)
    }

    /// The agency terminates the agreement or takes no action, with a reason.
    pub fn decide_termination_case(&self, id: i64, req: &DecideCascade) -> Result<TerminationCaseView> {
        let on = parse_date("on", &req.on)?;
        non_empty("reason", &req.reason)?;
        let Some(decision) = TerminationDecision::parse(&req.decision) else {
            return Err(Error::invalid(
                "invalid_decision",
                "decision",
                "decision is terminate or none",
                "处理决定应为 terminate（解除）或 none（不处理）",
            ));
        };
        let case = self.termination_case(id)?;
        self.write(&[institution_lock(&case.institution_code), format!("tcase:{id}")], |c, touched| {
            if facts::termination_decision(c, id)?.is_some() {
                return Err(Error::conflict("already_decided", "this case is already decided", "该案件已作出处理决定"));
            }
            let d = facts::insert_termination_decision(c, id, decision, &req.reason, on)?;
            touched.fact("termination_case_decisions", d);
            Ok(())
        })?;
        if decision == TerminationDecision::Terminate {
            let reason = format!("{}：{}", case.article, req.reason);
            self.institution_event(
                &case.institution_code,
                &Change::plain(AgreementAction::Terminate, on, None, &reason, &case.article, None),
            )?;
        }
        self.termination_case(id)
    }

    pub fn cascade_cases(&self, region: Option<&str>) -> Result<Vec<CascadeCaseView>> {
        let mut c = self.conn()?;
        let rows = facts::cascade_cases_all(&mut c)?;
        let mut out = Vec::new();
        for r in rows {
            if region.is_some_and(|reg| crate::domain::region_of(&r.institution_code) != Some(reg)) {
                continue;
            }
            out.push(self.case_view(&mut c, r)?);
        }
        Ok(out)
    }

    pub fn cascade_case(&self, id: i64) -> Result<CascadeCaseView> {
        let mut c = self.conn()?;
        let row = facts::cascade_case(&mut c, id)?.ok_or_else(|| Error::not_found("cascade case", "联动处理案件"))?;
        self.case_view(&mut c, row)
    }

    fn case_view(&self, c: &mut DbConn, r: facts::CascadeCaseRow) -> Result<CascadeCaseView> {
        let d = facts::cascade_decision(c, r.id)?;
        Ok(CascadeCaseView {
            id: r.id,
            institution_code: r.institution_code,
            cycle_year: r.cycle_year,
            numerator: r.numerator,
            denominator: r.denominator,
            opened_on: r.opened_on,
            status: if d.is_some() { "decided" } else { "open" },
            decision: d.as_ref().map(|d| d.decision),
            reason: d.as_ref().map(|d| d.reason.clone()),
            decided_on: d.as_ref().map(|d| d.decided_on),
            until: d.as_ref().and_then(|d| d.until_on),
            article: "五(三)".into(),
        })
    }

    /// 五(三): the officer decides to suspend, terminate or take no action, with a reason.
    pub fn decide_cascade(&self, id: i64, req: &DecideCascade) -> Result<CascadeCaseView> {
        let on = parse_date("on", &req.on)?;
        let until = req.until.as_deref().filter(|s| !s.is_empty()).map(|u| parse_date("until", u)).transpose()?;
        non_empty("reason", &req.reason)?;
        let Some(decision) = CascadeDecision::parse(&req.decision) else {
            return Err(Error::invalid(
                "invalid_decision",
                "decision",
                "decision is suspend, terminate or none",
                "处理决定应为 suspend（中止）、terminate（解除）或 none（不处理）",
            ));
        };
        if until.is_some_and(|u| u <= on) {
            return Err(Error::invalid("invalid_period", "until", "until must be after on", "恢复日期应晚于决定日期"));
        }
        let case = {
            let mut c = self.conn()?;
            facts::cascade_case(&mut c, id)?.ok_or_else(|| Error::not_found("cascade case", "联动处理案件"))?
        };
        let locks = vec![institution_lock(&case.institution_code), format!("case:{id}")];
        self.write(&locks, |c, touched| {
            if facts::cascade_decision(c, id)?.is_some() {
                return Err(Error::conflict("already_decided", "this case is already decided", "该案件已作出处理决定"));
            }
            let d = facts::insert_cascade_decision(c, id, decision, &req.reason, on, until)?;
            touched.fact("cascade_decisions", d);
            Ok(())
        })?;
        let reason = format!("五(三) 联动处理：{}", req.reason);
        match decision {
            CascadeDecision::Suspend => {
                self.institution_event(
                    &case.institution_code,
                    &Change::plain(AgreementAction::Suspend, on, until, &reason, "五(三)", Some(id)),
                )?;
            }
            CascadeDecision::Terminate => {
                self.institution_event(
                    &case.institution_code,
                    &Change::plain(AgreementAction::Terminate, on, None, &reason, "五(三)", Some(id)),
                )?;
            }
            CascadeDecision::NoAction => {}
        }
        self.cascade_case(id)
    }

    /// `GET /institutions/{code}/cascade`.
    pub fn cascade_figures(&self, code: &str, year: i32) -> Result<crate::rules::cascade::CascadeFigures> {
        let mut c = self.conn()?;
        if facts::institution(&mut c, code)?.is_none() {
            return Err(Error::not_found("institution", "定点医药机构"));
        }
        let (num, den) = projections::cascade_counts(&mut c, code, year)?;
        let pack = self.packs.in_force(crate::domain::dates::year_start(year)).unwrap_or(self.packs.latest());
        Ok(crate::rules::cascade::figures(pack, code, year, num, den))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TerminationCaseView {
    pub id: i64,
    pub institution_code: String,
    pub term_start: NaiveDate,
    pub opened_on: NaiveDate,
    pub suspensions: i32,
    pub article: String,
    /// `open` or `decided`.
    pub status: &'static str,
    pub decision: Option<TerminationDecision>,
    pub reason: Option<String>,
    pub decided_on: Option<NaiveDate>,
}

fn termination_view(c: &mut DbConn, r: facts::TerminationCaseRow) -> Result<TerminationCaseView> {
    let d = facts::termination_decision(c, r.id)?;
    Ok(TerminationCaseView {
        id: r.id,
        institution_code: r.institution_code,
        term_start: r.term_start,
        opened_on: r.opened_on,
        suspensions: r.suspensions,
        article: r.article,
        status: if d.is_some() { "decided" } else { "open" },
        decision: d.as_ref().map(|d| d.decision),
        reason: d.as_ref().map(|d| d.reason.clone()),
        decided_on: d.map(|d| d.decided_on),
    })
}

fn institution_view(c: &mut DbConn, packs: &PackSet, code: &str, on: NaiveDate) -> Result<InstitutionView> {
    let inst = facts::institution(c, code)?.ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
    let f = facts::institution_facts(c, code)?.ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
    let periods = InstitutionPeriods::of(&f);
    let history = facts::institution_events_of(c, code)?
        .into_iter()
        .map(|e| InstitutionEventView {
            id: e.id,
            action: e.action,
            from: e.from_on,
            until: e.until_on,
            reason: e.reason,
            article: e.article,
            cascade_case_id: e.cascade_case_id,
            requested: e.requested,
            lapses_on: e.lapses_on,
        })
        .collect::<Vec<_>>();
    let rule = &packs.in_force(on).unwrap_or(packs.latest()).institution_agreement;
    let suspensions_in_term = history
        .iter()
        .filter(|e| {
            e.action == AgreementAction::Suspend && e.from >= inst.agreement_start && e.from <= inst.agreement_end
        })
        .count();
    let mut termination_grounds = Vec::new();
    if suspensions_in_term as u32 >= rule.suspensions_before_termination {
        termination_grounds.push(format!(
            "协议有效期内累计{suspensions_in_term}次被中止协议，应解除医保协议（{}）",
            rule.termination_article
        ));
    }
    Ok(InstitutionView {
        code: inst.code,
        name: inst.name,
        kind: inst.kind.as_str().to_string(),
        region_code: inst.region_code,
        agreement_start: inst.agreement_start,
        agreement_end: inst.agreement_end,
        status: status_on(&f, on).as_str(),
        date: on,
        suspended_until: periods.suspended_on(on).and_then(|(_, u)| u),
        reapplication: periods.terminated_on.filter(|t| *t <= on).map(|t| Reapplication {
            terminated_on: t,
            institution_not_before: add_months(t, 12 * rule.reapply_bar_years),
            article: rule.reapply_article.clone(),
            legal_representative_not_before: add_months(t, 12 * rule.legal_representative_bar_years),
            legal_representative_article: rule.legal_representative_article.clone(),
        }),
        public: inst.public,
        suspensions_in_term,
        termination_grounds,
        history,
    })
}
