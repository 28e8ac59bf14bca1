//! Suspend, restore and terminate an institution agreement (三(四); 聊城 第二十九条、第三十三条,
//! 吉林 第四十六条): the staff follow it, and so do related institutions.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::intents::IntentUse;
use super::{institution_view, non_empty, Change, InstitutionView};
use crate::domain::dates::parse_date;
use crate::domain::limits;
use crate::domain::regions::pooling_region;
use crate::domain::InstitutionKind;
use crate::error::{Error, Result};
use crate::rules::institution::{earliest_requested_change, suspension_limit, EndCause, InstitutionPeriods};
use crate::service::{institution_lock, person_lock, Action, App, Caller, Lock, Touched};
use crate::store::facts::{self, AgreementAction, NewInstitutionEvent};
use crate::store::DbConn;

/// `POST /institutions/{code}/agreement/suspend`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SuspendInstitution {
    #[schema(format = Date)]
    pub from: String,
    #[schema(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub until: Option<String>,
    pub reason: String,
    pub article: Option<String>,
    /// The institution asked for it (voluntary): at most 180 days, then it terminates by
    /// itself unless resumed (聊城 第二十九条). Otherwise a violation-based suspension: at most
    /// 1 year (吉林 第四十六条).
    pub requested: Option<bool>,
    /// Asked for by the institution: the day it asked; `from` is at least 3 months later
    /// (聊城 第三十三条; 新疆 第十六条; 吉林 第四十八条).
    #[schema(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub requested_on: Option<String>,
    /// Limited to one department (科室): only the staff the roster files there are suspended
    /// with it (聊城 第三十四条; 新疆 第十七条; 吉林 第五十一条). Not propagated, not counted
    /// towards 聊城 第三十一条(一), never requested.
    #[serde(default)]
    pub department: Option<String>,
    /// 吉林 第四十九条: the notice of intent this decision follows, and — when the institution
    /// stated its case — whether it is adopted and the answer (adopted, or why not).
    #[serde(default)]
    pub intent_id: Option<i64>,
    #[serde(default)]
    pub statement_response: Option<String>,
    #[serde(default)]
    pub statement_adopted: Option<bool>,
}

/// `POST /institutions/{code}/agreement/restore`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RestoreInstitution {
    #[schema(format = Date)]
    pub on: String,
    pub reason: Option<String>,
    /// Restores the suspension of that department (科室) only.
    #[serde(default)]
    pub department: Option<String>,
}

/// `POST /institutions/{code}/agreement/terminate`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct TerminateInstitution {
    #[schema(format = Date)]
    pub on: String,
    pub reason: String,
    pub article: Option<String>,
    /// Caused by the chain's legal representative: the branches with the same one are terminated
    /// too (聊城 第三十二条(十五)).
    pub legal_representative_violation: Option<bool>,
    /// The institution asked for it; a public medical institution may not (聊城 第三十三条).
    pub requested: Option<bool>,
    /// Asked for by the institution: the day it asked; `on` is at least 3 months later.
    #[schema(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub requested_on: Option<String>,
    /// Why (decides the re-application bar, 聊城 第十条; 吉林 第十七条): `violation` (违法违规,
    /// 3 years), `breach` (严重违反医保协议约定, 1 year; the default), `fraud` (以弄虚作假等不正当
    /// 手段申请, 3 years from `discovered_on`), `voluntary` (at its request, none).
    pub cause: Option<String>,
    /// A fraudulent application: the day it was found.
    #[schema(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub discovered_on: Option<String>,
    /// 吉林 第四十九条: the notice of intent this decision follows, and — when the institution
    /// stated its case — whether it is adopted and the answer (adopted, or why not).
    #[serde(default)]
    pub intent_id: Option<i64>,
    #[serde(default)]
    pub statement_response: Option<String>,
    #[serde(default)]
    pub statement_adopted: Option<bool>,
}

/// The cause of a termination as asked: requested → voluntary, a chain's legal representative →
/// violation, else `breach` unless given.
pub(super) fn termination_cause(cause: Option<&str>, requested: bool, chain: bool) -> Result<EndCause> {
    let given = match cause.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match EndCause::parse(s).filter(|c| c.is_termination()) {
            Some(c) => Some(c),
            None => {
                return Err(Error::invalid(
                    "invalid_cause",
                    "cause",
                    format!("cause '{s}' is violation, breach, fraud or voluntary"),
                    format!("解除原因 '{s}' 应为 violation（违法违规）、breach（违约）、fraud（弄虚作假申请）或 voluntary（主动申请）"),
                ))
            }
        },
    };
    Ok(match (given, requested, chain) {
        (Some(c), true, _) if c != EndCause::Voluntary => {
            return Err(Error::invalid(
                "invalid_cause",
                "cause",
                "a termination the institution requested is voluntary",
                "定点医药机构主动申请的解除，原因应为 voluntary",
            ))
        }
        (_, true, _) => EndCause::Voluntary,
        (Some(c), _, _) => c,
        (None, _, true) => EndCause::Violation,
        (None, _, _) => EndCause::Breach,
    })
}

/// Institutions that follow an agreement change, each with the article that makes it follow.
pub(super) type Related = Vec<(String, &'static str)>;

impl App {
    pub fn suspend_institution(
        &self,
        caller: &Caller,
        code: &str,
        req: &SuspendInstitution,
    ) -> Result<InstitutionView> {
        caller.require_institution(Action::ChangeAgreement, code)?;
        limits::check_note("reason", &req.reason)?;
        if let Some(a) = &req.article {
            limits::check_note("article", a)?;
        }
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
        let pack = self.packs.in_force_or_first(from)?;
        let rule = &pack.institution_agreement;
        let requested = req.requested.unwrap_or(false);
        let department = department_of(req.department.as_deref())?;
        if department.is_some() && requested {
            return Err(Error::invalid(
                "invalid_department",
                "department",
                "a department-level suspension is the agency's, for the department's violations; an institution asks for its whole agreement",
                "科室中止由经办机构因该科室违规作出，定点医药机构不能主动申请科室中止",
            ));
        }
        let (max_end, limit_article) = suspension_limit(rule, from, requested);
        if until.is_some_and(|u| u > max_end) {
            return Err(suspension_too_long(from, max_end, limit_article));
        }
        // 吉林 第四十六条: one for violations ends a year after it began at the latest, whether
        // or not `until` was given (a requested one lapses instead, below).
        let until = if requested { until } else { Some(until.unwrap_or(max_end)) };
        if requested {
            self.refuse_public_request(code, from)?;
        }
        let requested_on = self.request_notice(requested, req.requested_on.as_deref(), from, "from")?;
        let article = req.article.clone().unwrap_or_else(|| {
            if requested {
                rule.voluntary_article.clone()
            } else if department.is_some() {
                "聊城 第三十四条；新疆 第十七条；吉林 第五十一条".into()
            } else {
                "三(四)".into()
            }
        });
        self.institution_event(
            caller,
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
                cause: None,
                discovered_on: None,
                requested_on,
                department,
                inspection_passed: None,
                // 吉林 第四十九条: the agency's decision, not the institution's request.
                needs_intent: !requested,
                intent: IntentUse {
                    id: req.intent_id,
                    response: req.statement_response.as_deref(),
                    adopted: req.statement_adopted,
                },
            },
        )
    }

    pub fn restore_institution(
        &self,
        caller: &Caller,
        code: &str,
        req: &RestoreInstitution,
    ) -> Result<InstitutionView> {
        caller.require_institution(Action::ChangeAgreement, code)?;
        let on = parse_date("on", &req.on)?;
        if let Some(r) = &req.reason {
            limits::check_note("reason", r)?;
        }
        let department = department_of(req.department.as_deref())?;
        let reason = req.reason.clone().unwrap_or_else(|| match department {
            Some(d) => format!("恢复科室「{d}」医保结算资格"),
            None => "恢复医保协议".into(),
        });
        let mut change = Change::plain(AgreementAction::Restore, on, None, &reason, "三(四)", None);
        if let Some(d) = department {
            let mut c = self.conn()?;
            let rows = facts::institution_events_of(&mut c, code)?;
            if !department_suspended(&rows, d, on) {
                return Err(Error::conflict(
                    "not_suspended",
                    format!("the department {d} of {code} is not suspended on {on}"),
                    format!("{code} 的科室「{d}」在{on}未处于中止状态"),
                ));
            }
            change.department = Some(d);
            change.article = "聊城 第三十四条；新疆 第十七条；吉林 第五十一条";
        }
        self.institution_event(caller, code, &change)
    }

    pub fn terminate_institution(
        &self,
        caller: &Caller,
        code: &str,
        req: &TerminateInstitution,
    ) -> Result<InstitutionView> {
        caller.require_institution(Action::ChangeAgreement, code)?;
        let on = parse_date("on", &req.on)?;
        non_empty("reason", &req.reason)?;
        limits::check_note("reason", &req.reason)?;
        if let Some(a) = &req.article {
            limits::check_note("article", a)?;
        }
        if req.requested.unwrap_or(false) {
            self.refuse_public_request(code, on)?;
        }
        let requested_on =
            self.request_notice(req.requested.unwrap_or(false), req.requested_on.as_deref(), on, "on")?;
        let article = req.article.clone().unwrap_or_else(|| "三(四)".into());
        let chain = req.legal_representative_violation.unwrap_or(false);
        // 聊城 第三十二条(十五): the cause is recorded on the termination itself.
        let reason = if chain {
            format!("连锁经营企业总部法定代表人、企业负责人或实际控制人违法违规：{}", req.reason.trim())
        } else {
            req.reason.clone()
        };
        let mut change = Change::plain(AgreementAction::Terminate, on, None, &reason, &article, None);
        change.chain = chain;
        change.requested = req.requested.unwrap_or(false);
        change.requested_on = requested_on;
        change.needs_intent = !change.requested;
        change.intent = IntentUse {
            id: req.intent_id,
            response: req.statement_response.as_deref(),
            adopted: req.statement_adopted,
        };
        change.cause = Some(termination_cause(req.cause.as_deref(), req.requested.unwrap_or(false), chain)?);
        change.discovered_on = req
            .discovered_on
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| parse_date("discovered_on", s))
            .transpose()?;
        if change.discovered_on.is_some_and(|d| d > on) {
            return Err(Error::invalid(
                "invalid_date",
                "discovered_on",
                "discovered_on is after the termination",
                "发现日期晚于解除日期",
            ));
        }
        self.institution_event(caller, code, &change)
    }

    /// 三(四): the institution's staff follow its agreement, so everyone registered there is
    /// recomputed in the same transaction.
    pub(super) fn institution_event(&self, caller: &Caller, code: &str, change: &Change) -> Result<InstitutionView> {
        let (locks, related) = self.event_locks(code, change, &[])?;
        self.write(caller, &locks, |c, touched| self.apply_institution_event(c, touched, code, change, &related))
    }

    /// The locks an agreement change needs (the institution, its staff, and the related
    /// institutions that follow it with theirs), and those related institutions.
    pub(super) fn event_locks(&self, code: &str, change: &Change, extra: &[Lock]) -> Result<(Vec<Lock>, Related)> {
        let Change { action, chain, from, department, .. } = *change;
        let mut locks = vec![institution_lock(code)];
        locks.extend_from_slice(extra);
        let related: Vec<(String, &'static str)> = {
            let mut c = self.conn()?;
            let inst =
                facts::institution(&mut c, code)?.ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
            let home = pooling_region(&inst.region_code).to_string();
            let mut related = Vec::new();
            // 聊城 第三十三条: 定点医疗机构所在地的…统筹地区经办机构与其中止或解除医保协议，该定点医疗机构
            // 在其他统筹地区的医保协议也同时中止或解除 — a medical institution's agreements in
            // *other* pooling regions follow; those inside its own (3708) do not.
            if matches!(action, AgreementAction::Suspend | AgreementAction::Terminate)
                && department.is_none()
                && inst.kind == InstitutionKind::Medical
            {
                for r in facts::related_institutions(&mut c, code, inst.organization_code.as_deref(), None)? {
                    let other = facts::institution(&mut c, &r)?;
                    if other
                        .is_some_and(|o| o.kind == InstitutionKind::Medical && pooling_region(&o.region_code) != home)
                    {
                        related.push((r, "聊城 第三十三条"));
                    }
                }
            }
            // 聊城 第三十二条(十五): a chain pharmacy terminated for its headquarters' legal
            // representative, 企业负责人 or 实际控制人 takes the branches with the same person.
            if action == AgreementAction::Terminate && chain && inst.kind == InstitutionKind::Pharmacy {
                for r in facts::related_institutions(&mut c, code, None, inst.legal_representative.as_deref())? {
                    let pharmacy = facts::institution(&mut c, &r)?.is_some_and(|o| o.kind == InstitutionKind::Pharmacy);
                    if pharmacy && !related.iter().any(|(x, _)| *x == r) {
                        related.push((r, "聊城 第三十二条(十五)"));
                    }
                }
            }
            // A restore at home restores the suspensions it caused elsewhere (the text is silent
            // on restores; a copy follows its origin both ways).
            if action == AgreementAction::Restore && department.is_none() {
                for r in facts::copies_of(&mut c, code)? {
                    if self.only_copies_running(&mut c, &r, code, from)? && !related.iter().any(|(x, _)| *x == r) {
                        related.push((r, "聊城 第三十三条"));
                    }
                }
            }
            locks.extend(facts::personnel_at(&mut c, code)?.iter().map(|p| person_lock(p)));
            for (r, _) in &related {
                locks.push(institution_lock(r));
                locks.extend(facts::personnel_at(&mut c, r)?.iter().map(|p| person_lock(p)));
            }
            related
        };
        Ok((locks, related))
    }

    /// Records an agreement change inside a write transaction holding `event_locks`.
    pub(super) fn apply_institution_event(
        &self,
        c: &mut DbConn,
        touched: &mut Touched,
        code: &str,
        change: &Change,
        related: &[(String, &'static str)],
    ) -> Result<InstitutionView> {
        let Change {
            action,
            from,
            until,
            reason,
            article,
            cascade_case_id,
            requested,
            lapses_on,
            cause,
            discovered_on,
            requested_on,
            ..
        } = *change;
        {
            let facts_now =
                facts::institution_facts(c, code)?.ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
            let periods = InstitutionPeriods::of(&facts_now, &self.packs);
            if periods.terminated_by(from) {
                return Err(Error::conflict(
                    "institution_terminated",
                    format!("the agreement of {code} is terminated"),
                    format!("{code} 的医保协议已解除"),
                ));
            }
            if let Some((on, why)) = periods.ended.filter(|(on, _)| *on <= from) {
                return Err(Error::conflict(
                    "agreement_ended",
                    format!("the agreement of {code} ended on {on} ({})", why.as_str()),
                    format!("{code} 的医保协议已于{on}终止（{}）", why.zh()),
                ));
            }
            if action == AgreementAction::Restore && change.department.is_none() && periods.suspended_on(from).is_none()
            {
                return Err(Error::conflict(
                    "not_suspended",
                    format!("the agreement of {code} is not suspended on {from}"),
                    format!("{code} 的医保协议在{from}未处于中止状态"),
                ));
            }
            // A failed inspection terminates: it is told and heard like a termination.
            let decided = if action == AgreementAction::Inspection { AgreementAction::Terminate } else { action };
            let intent = if change.needs_intent {
                self.check_intent(c, code, decided, change.department, from, &change.intent)?
            } else {
                None
            };
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
                    cause: match change.inspection_passed {
                        Some(true) => Some("passed"),
                        Some(false) => Some("failed"),
                        None => cause.map(EndCause::as_str),
                    },
                    discovered_on,
                    copied_from: None,
                    requested_on,
                    department: change.department,
                },
            )?;
            touched.fact("institution_events", event_id);
            if let Some((intent_id, adopted, response)) = intent {
                let d = facts::insert_intent_decision(c, intent_id, event_id, from, adopted, &response)?;
                touched.fact("agreement_intent_decisions", d);
            }
            self.recompute_institution(c, touched, code)?;
            let notice_reason = match change.department {
                Some(d) => format!("科室「{d}」：{reason}"),
                None => reason.to_string(),
            };
            self.notify_institution(c, code, action, from, until, &notice_reason, article)?;
            // 聊城 第三十一条(一): only a suspension for its own violations counts.
            if action == AgreementAction::Suspend && !requested && change.department.is_none() {
                self.open_termination_case(c, touched, code, from)?;
            }
            for (other, why) in related {
                let other_facts = facts::institution_facts(c, other)?
                    .ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
                if InstitutionPeriods::of(&other_facts, &self.packs).terminated_by(from) {
                    continue;
                }
                let other_reason = format!(
                    "随{code}同时{}：{reason}",
                    match action {
                        AgreementAction::Suspend => "中止",
                        AgreementAction::Restore => "恢复",
                        _ => "解除",
                    }
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
                        cause: cause.map(EndCause::as_str),
                        discovered_on,
                        copied_from: Some(code),
                        requested_on: None,
                        department: None,
                    },
                )?;
                touched.fact("institution_events", id);
                self.recompute_institution(c, touched, other)?;
                self.notify_institution(c, other, action, from, until, &other_reason, why)?;
            }
            institution_view(c, &self.packs, code, from)
        }
    }

    /// 聊城 第三十三条、新疆 第十六条、吉林 第四十八条 应当提前3个月向经办机构提出申请: a change the
    /// institution asked for needs the day it asked, and takes effect (`effective`, the body's
    /// `field`) no earlier than 3 months after. → the day it asked.
    pub(super) fn request_notice(
        &self,
        requested: bool,
        requested_on: Option<&str>,
        effective: NaiveDate,
        field: &str,
    ) -> Result<Option<NaiveDate>> {
        if !requested {
            return Ok(None);
        }
        let rule = &self.packs.in_force_or_first(effective)?.institution_agreement;
        let article = &rule.request_notice_article;
        let Some(asked) = requested_on.map(str::trim).filter(|s| !s.is_empty()) else {
            return Err(Error::invalid(
                "missing_field",
                "requested_on",
                format!("a change the institution asked for needs the day it asked (3 months' notice, {article})"),
                format!("定点医药机构主动提出的，应写明提出申请的日期（应提前3个月，{article}）"),
            ));
        };
        let asked = parse_date("requested_on", asked)?;
        let earliest = earliest_requested_change(rule, asked);
        if effective < earliest {
            return Err(Error::invalid(
                "notice_period",
                field,
                format!("asked for on {asked}: it may take effect on {earliest} at the earliest, 3 months later ({article})"),
                format!("{asked}提出申请，最早自{earliest}起生效（应提前3个月提出，{article}）"),
            ));
        }
        Ok(Some(asked))
    }

    /// 聊城 第三十三条: 公立医疗机构不得主动提出中止或解除医保协议.
    fn refuse_public_request(&self, code: &str, on: NaiveDate) -> Result<()> {
        let rule = &self.packs.in_force_or_first(on)?.institution_agreement;
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
}

/// 422: a suspension past its limit (吉林 第四十六条; 聊城 第二十九条 for a requested one).
pub(super) fn suspension_too_long(from: NaiveDate, max_end: NaiveDate, article: &str) -> Error {
    Error::invalid(
        "suspension_too_long",
        "until",
        format!("a suspension from {from} may run to {max_end} at the latest ({article})"),
        format!("自{from}起的中止最长至{max_end}（不含）（{article}）"),
    )
}

impl App {
    /// Whether every suspension of `other` running on `on` is a copy of one of `origin`'s, so a
    /// restore of `origin` may restore it without ending a suspension of `other`'s own.
    fn only_copies_running(&self, c: &mut DbConn, other: &str, origin: &str, on: NaiveDate) -> Result<bool> {
        let rows = facts::institution_events_of(c, other)?;
        let Some(f) = facts::institution_facts(c, other)? else { return Ok(false) };
        let p = InstitutionPeriods::of(&f, &self.packs);
        let suspensions: Vec<&facts::InstitutionEventRow> =
            rows.iter().filter(|e| e.action == AgreementAction::Suspend && e.department.is_none()).collect();
        let mut any = false;
        for (k, s) in p.suspensions.iter().enumerate() {
            if s.0 <= on && s.1.is_none_or(|u| on < u) {
                any = true;
                if suspensions.get(k).is_none_or(|e| e.copied_from.as_deref() != Some(origin)) {
                    return Ok(false);
                }
            }
        }
        Ok(any)
    }
}

/// A department named in a request (科室), trimmed; empty is none.
fn department_of(d: Option<&str>) -> Result<Option<&str>> {
    let Some(d) = d.map(str::trim).filter(|d| !d.is_empty()) else { return Ok(None) };
    limits::check_name("department", d)?;
    Ok(Some(d))
}

/// Whether the department `d` has a department-level suspension running on `on`.
fn department_suspended(rows: &[facts::InstitutionEventRow], d: &str, on: NaiveDate) -> bool {
    rows.iter().enumerate().any(|(k, e)| {
        e.action == AgreementAction::Suspend
            && e.department.as_deref() == Some(d)
            && e.from_on <= on
            && e.until_on.is_none_or(|u| on < u)
            && !rows[k + 1..].iter().any(|r| {
                r.action == AgreementAction::Restore
                    && r.department.as_deref() == Some(d)
                    && r.from_on >= e.from_on
                    && r.from_on <= on
            })
    })
}
