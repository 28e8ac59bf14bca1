//! 六(一): every deduction, revocation and institution action produces a written notice to the
//! institution(s) concerned, dated the decision date, saying how to object; the agency's
//! decision on an objection is a written notice of its own, and a rejection says to whom and by
//! when to escalate: within 10 working days of *receiving* it (接到书面通知后10个工作日内).
//! A notice counts as received when the institution acknowledges it, or else on its date plus
//! the delivery allowance the agency sets (`receipts.rs`).

use chrono::NaiveDate;
use serde::Serialize;

use super::{Action, App, Caller};
use crate::error::{Error, Result};
use crate::rules::pack::ObjectionRule;
use crate::rules::{PractitionerFacts, Sanction, Timeline};
use crate::store::due_process::{self, NewNotice, NoticeRow, ObjectionLevel, ObjectionRow, ObjectionRuling};
use crate::store::facts::{self, AgreementAction};
pub use crate::store::notice_body::NoticeBody;
use crate::store::notice_body::{
    DeductionNotice, HowToObject, InspectionOfNotice, InstitutionNotice, NoticeItem, ObjectionDecisionNotice,
    RevocationNotice, SanctionNotice, TestRevocationNotice,
};
use crate::store::DbConn;

#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub id: i64,
    pub kind: String,
    pub institution_code: String,
    pub personnel_code: Option<String>,
    pub deduction_id: Option<i64>,
    pub notice_date: NaiveDate,
    /// The last day of the period this notice opens (六(一)): on the agency's rejection of an
    /// objection, to escalate; on an institution action, to object. Counted from the day the
    /// notice counts as received. `None` when the notice opens no period (a deduction's notice:
    /// the period runs from the agency's decision on the objection, not from it).
    pub objection_deadline: Option<NaiveDate>,
    pub title: String,
    pub body: NoticeBody,
    /// The objection an objection decision's notice decides.
    pub objection_id: Option<i64>,
    /// When the institution acknowledged receiving it (`POST /notices/{id}/received`).
    pub received_on: Option<NaiveDate>,
    /// The day it counts as received: acknowledged, else its date plus the delivery allowance.
    pub deemed_received_on: NaiveDate,
}

/// Whether a notice opens a period of 六(一) that runs from its receipt.
fn opens_a_period(n: &NoticeRow) -> bool {
    match &n.body {
        NoticeBody::ObjectionDecision(b) => b.escalation.is_some(),
        NoticeBody::Institution(b) => b.objection.is_some(),
        // Notices written before the period ran from the agency's decision kept a deadline.
        NoticeBody::Deduction(_) | NoticeBody::Sanction(_) => n.objection_deadline.is_some(),
        NoticeBody::Revocation(_) | NoticeBody::TestRevocation(_) => false,
    }
}

/// The institutions a deduction's notice goes to: every site where the person is registered on
/// the decision date, and the inspected one (六(一)). The inspection preview lists the same.
pub(crate) fn deduction_notice_sites(f: &PractitionerFacts, inspected: &str, decided_on: NaiveDate) -> Vec<String> {
    let mut sites: Vec<String> =
        f.registrations.iter().filter(|r| r.in_force_on(decided_on)).map(|r| r.institution_code.clone()).collect();
    sites.push(inspected.to_string());
    sites.sort();
    sites.dedup();
    sites
}

/// The title of a deduction's written notice.
pub(crate) fn deduction_notice_title(personnel_code: &str, points: u32) -> String {
    format!("医保支付资格相关人员扣分处理通知书（{personnel_code}，扣{points}分）")
}

/// The delivery allowance (calendar days) for a notice dated `d`: the latest setting in force
/// from a day not after `d`; 0 until the agency sets one.
pub(crate) fn allowance_on(settings: &[(i64, i32, NaiveDate)], d: NaiveDate) -> u32 {
    settings.iter().filter(|(_, _, from)| *from <= d).max_by_key(|(id, _, _)| *id).map_or(0, |s| s.1.max(0) as u32)
}

impl App {
    /// 10 working days after the notice (六(一)); `None` when the calendar has no such year.
    /// The objection rule for a notice of `notice_date` (六(一)). A notice of an institution
    /// action dated before the first pack uses the first pack's.
    pub fn objection_rule(&self, notice_date: NaiveDate) -> Result<&ObjectionRule> {
        Ok(&self.packs.in_force_or_first(notice_date)?.objection)
    }

    pub fn objection_deadline(&self, notice_date: NaiveDate) -> Option<NaiveDate> {
        let days = self.objection_rule(notice_date).ok()?.working_days;
        self.working_days_after(notice_date, days).ok()
    }

    /// The notices of `rows` as shown: each with its receipt and the deadline counted from it.
    pub(crate) fn notice_views(&self, c: &mut DbConn, rows: Vec<NoticeRow>) -> Result<Vec<Notice>> {
        let ids: Vec<i64> = rows.iter().map(|n| n.id).collect();
        let receipts: std::collections::HashMap<i64, NaiveDate> =
            due_process::receipts_of(c, &ids)?.into_iter().collect();
        let allowances = due_process::delivery_allowances(c)?;
        Ok(rows
            .into_iter()
            .map(|n| {
                let received_on = receipts.get(&n.id).copied();
                let deemed = received_on.unwrap_or_else(|| {
                    n.notice_date + chrono::Duration::days(i64::from(allowance_on(&allowances, n.notice_date)))
                });
                let deadline = if opens_a_period(&n) { self.objection_deadline(deemed) } else { None };
                Notice {
                    id: n.id,
                    kind: n.kind.as_str().to_string(),
                    institution_code: n.institution_code,
                    personnel_code: n.personnel_code,
                    deduction_id: n.deduction_id,
                    notice_date: n.notice_date,
                    objection_deadline: deadline,
                    title: n.title,
                    body: n.body,
                    objection_id: n.objection_id,
                    received_on,
                    deemed_received_on: deemed,
                }
            })
            .collect())
    }

    /// The day a notice dated `d` counts as received when not acknowledged (六(一)).
    pub(crate) fn deemed_receipt(&self, c: &mut DbConn, d: NaiveDate) -> Result<NaiveDate> {
        let days = allowance_on(&due_process::delivery_allowances(c)?, d);
        Ok(d + chrono::Duration::days(i64::from(days)))
    }

    /// 六(一) on a deduction's (or a test's) notice: how to object to the agency, and that the
    /// 10 working days to go further run from the agency's written decision, not from this notice.
    fn how_to_object_to_the_agency(&self, notice_date: NaiveDate) -> Result<HowToObject> {
        let rule = self.objection_rule(notice_date)?;
        let (days, agency, department) = (rule.working_days, &rule.agency, &rule.department);
        Ok(HowToObject {
            article: rule.article.clone(),
            deadline: None,
            zh: format!("对处理结果有异议的，由所在单位向{agency}反馈意见并提供佐证材料，{agency}作出处理决定后书面通知所在单位；对{agency}的处理决定仍有异议的，可在接到该书面通知后{days}个工作日内由所在单位向{department}提出书面异议。"),
            en: format!("An objection goes through the institution to the local agency, with evidence; the agency decides and notifies the institution in writing. Against the agency's decision the institution may go to the administrative department within {days} working days of receiving that written notice."),
        })
    }

    fn how_to_object(&self, notice_date: NaiveDate, deadline: Option<NaiveDate>) -> Result<HowToObject> {
        let rule = self.objection_rule(notice_date)?;
        let days = rule.working_days;
        Ok(HowToObject {
            article: rule.article.clone(),
            deadline,
            zh: match deadline {
                Some(d) => format!("对处理结果有异议的，由所在单位向属地医保经办机构反馈意见并提供佐证材料；对经办机构的处理决定仍有异议的，可于{d}（含）前（接到本通知后{days}个工作日内）由所在单位向属地医保行政部门提出书面异议。"),
                None => format!("对处理结果有异议的，由所在单位向属地医保经办机构反馈意见；对处理决定仍有异议的，可在接到本通知后{days}个工作日内向属地医保行政部门提出书面异议。"),
            },
            en: format!("An objection goes through the institution to the local agency with evidence; a rejected objection may be taken to the administrative department within {days} working days of this notice."),
        })
    }

    /// One notice per deduction to each institution where the person was registered that day
    /// (and the inspected one).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn notify_deductions(
        &self,
        c: &mut DbConn,
        f: &PractitionerFacts,
        t: &Timeline,
        deduction_ids: &[i64],
        inspected: &str,
        inspected_on: NaiveDate,
        decided_on: NaiveDate,
    ) -> Result<()> {
        let name = facts::practitioner(c, &f.personnel_code)?.map(|p| p.name).unwrap_or_default();
        let sites = deduction_notice_sites(f, inspected, decided_on);
        let pack = self.packs.in_force(decided_on)?;
        let mut names = std::collections::BTreeMap::new();
        for site in &sites {
            if let Some(i) = facts::institution(c, site)? {
                names.insert(site.clone(), i.name);
            }
        }
        for d in t.deductions.iter().filter(|d| deduction_ids.contains(&d.id)) {
            let items: Vec<NoticeItem> = d
                .items
                .iter()
                .filter_map(|code| pack.item(code))
                .map(|i| NoticeItem {
                    code: i.code.clone(),
                    article: i.article.clone(),
                    text: i.text.clone(),
                    points: i.points,
                })
                .collect();
            let caused: Vec<Sanction> =
                t.sanctions.iter().filter(|s| s.explanation.deduction_ids.contains(&d.id)).cloned().collect();
            let body = NoticeBody::Deduction(DeductionNotice {
                personnel_code: f.personnel_code.clone(),
                name: name.clone(),
                inspection: InspectionOfNotice {
                    institution_code: inspected.to_string(),
                    institution_name: names.get(inspected).cloned(),
                    inspected_on,
                    decided_on,
                },
                institution_names: names.clone(),
                items,
                points: d.points,
                explanation: d.explanation.clone(),
                cycle_year: d.cycle_year,
                cycle_total: d.total_after,
                sanctions: caused,
                objection: self.how_to_object_to_the_agency(decided_on)?,
            });
            for site in &sites {
                due_process::insert_notice(
                    c,
                    &NewNotice {
                        institution_code: site.clone(),
                        personnel_code: Some(f.personnel_code.clone()),
                        deduction_id: Some(d.id),
                        notice_date: decided_on,
                        objection_deadline: None,
                        title: deduction_notice_title(&f.personnel_code, d.points),
                        body: body.clone(),
                        recorded_at: crate::store::now(),
                        objection_id: None,
                    },
                )?;
            }
        }
        Ok(())
    }

    /// A sanction decided without a deduction (a failed training test, 三(三)).
    pub(crate) fn notify_sanctions(
        &self,
        c: &mut DbConn,
        f: &PractitionerFacts,
        sanctions: &[Sanction],
        on: NaiveDate,
        title: &str,
    ) -> Result<()> {
        let name = facts::practitioner(c, &f.personnel_code)?.map(|p| p.name).unwrap_or_default();
        let body = NoticeBody::Sanction(SanctionNotice {
            personnel_code: f.personnel_code.clone(),
            name,
            decided_on: on,
            sanctions: sanctions.to_vec(),
            objection: self.how_to_object_to_the_agency(on)?,
        });
        let mut sites: Vec<String> =
            f.registrations.iter().filter(|r| r.in_force_on(on)).map(|r| r.institution_code.clone()).collect();
        sites.sort();
        sites.dedup();
        for site in sites {
            due_process::insert_notice(
                c,
                &NewNotice {
                    institution_code: site,
                    personnel_code: Some(f.personnel_code.clone()),
                    deduction_id: None,
                    notice_date: on,
                    objection_deadline: None,
                    title: format!("{title}（{}）", f.personnel_code),
                    body: body.clone(),
                    recorded_at: crate::store::now(),
                    objection_id: None,
                },
            )?;
        }
        Ok(())
    }

    /// A revocation: the deduction no longer counts; sanctions that no longer follow are withdrawn.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn notify_revocation(
        &self,
        c: &mut DbConn,
        f: &PractitionerFacts,
        before: &[Sanction],
        after: &Timeline,
        deduction_id: i64,
        on: NaiveDate,
        reason: &str,
    ) -> Result<()> {
        let withdrawn: Vec<Sanction> = before.iter().filter(|s| !after.sanctions.contains(s)).cloned().collect();
        let d = after.deductions.iter().find(|d| d.id == deduction_id);
        let body = NoticeBody::Revocation(RevocationNotice {
            personnel_code: f.personnel_code.clone(),
            deduction_id,
            revoked_on: on,
            reason: reason.to_string(),
            points: d.map(|d| d.points),
            cycle_year: d.map(|d| d.cycle_year),
            cycle_total: d.map(|d| after.total_on(NaiveDate::from_ymd_opt(d.cycle_year, 12, 31).unwrap_or(on))),
            withdrawn_sanctions: withdrawn,
            sanctions_now: after.sanctions.clone(),
        });
        let mut sites: Vec<String> = f.registrations.iter().map(|r| r.institution_code.clone()).collect();
        sites.sort();
        sites.dedup();
        for site in sites {
            due_process::insert_notice(
                c,
                &NewNotice {
                    institution_code: site,
                    personnel_code: Some(f.personnel_code.clone()),
                    deduction_id: Some(deduction_id),
                    notice_date: on,
                    objection_deadline: None,
                    title: format!("撤销扣分通知书（{}）", f.personnel_code),
                    body: body.clone(),
                    recorded_at: crate::store::now(),
                    objection_id: None,
                },
            )?;
        }
        Ok(())
    }

    /// A training test revoked (三(三)): to each institution of the person.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn notify_test_revocation(
        &self,
        c: &mut DbConn,
        f: &PractitionerFacts,
        test: &crate::store::training::TestRow,
        withdrawn: &[Sanction],
        after: &Timeline,
        on: NaiveDate,
        reason: &str,
    ) -> Result<()> {
        let body = NoticeBody::TestRevocation(TestRevocationNotice {
            personnel_code: f.personnel_code.clone(),
            test_id: test.id,
            tested_on: test.tested_on,
            passed: test.passed,
            revoked_on: on,
            reason: reason.to_string(),
            withdrawn_sanctions: withdrawn.to_vec(),
            sanctions_now: after.sanctions.clone(),
        });
        let mut sites: Vec<String> = f.registrations.iter().map(|r| r.institution_code.clone()).collect();
        sites.sort();
        sites.dedup();
        for site in sites {
            due_process::insert_notice(
                c,
                &NewNotice {
                    institution_code: site,
                    personnel_code: Some(f.personnel_code.clone()),
                    deduction_id: None,
                    notice_date: on,
                    objection_deadline: None,
                    title: format!("撤销测试记录通知书（{}）", f.personnel_code),
                    body: body.clone(),
                    recorded_at: crate::store::now(),
                    objection_id: None,
                },
            )?;
        }
        Ok(())
    }

    /// An institution agreement suspended, restored or terminated (三(四)).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn notify_institution(
        &self,
        c: &mut DbConn,
        institution: &str,
        action: AgreementAction,
        from: NaiveDate,
        until: Option<NaiveDate>,
        reason: &str,
        article: &str,
    ) -> Result<()> {
        let title = match action {
            AgreementAction::Suspend => "中止医保协议通知书",
            AgreementAction::Restore => "恢复医保协议通知书",
            AgreementAction::Terminate => "解除医保协议通知书",
            AgreementAction::Renew => "续签医保协议通知书",
            AgreementAction::NonRenewal => "不再续签医保协议通知书",
            AgreementAction::Inspection => "中止期满验收结果通知书",
        };
        let opens_period =
            matches!(action, AgreementAction::Suspend | AgreementAction::Terminate | AgreementAction::NonRenewal);
        let deadline = if !opens_period { None } else { self.objection_deadline(self.deemed_receipt(c, from)?) };
        let body = NoticeBody::Institution(InstitutionNotice {
            institution_code: institution.to_string(),
            action,
            from,
            until,
            reason: reason.to_string(),
            article: article.to_string(),
            staff: "三(四)：本机构医保支付资格相关人员服务协议同时中止或解除".into(),
            objection: if !opens_period { None } else { Some(self.how_to_object(from, deadline)?) },
        });
        due_process::insert_notice(
            c,
            &NewNotice {
                institution_code: institution.to_string(),
                personnel_code: None,
                deduction_id: None,
                notice_date: from,
                objection_deadline: deadline,
                title: title.into(),
                body,
                recorded_at: crate::store::now(),
                objection_id: None,
            },
        )?;
        Ok(())
    }

    /// 六(一): the written notice of a decision on an objection, to the institution that
    /// objected, dated the decision date. The agency's rejection says to whom and by when to
    /// escalate (10 working days from receiving it); the department's decision ends the matter.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn notify_objection_decision(
        &self,
        c: &mut DbConn,
        o: &ObjectionRow,
        personnel_code: &str,
        level: ObjectionLevel,
        ruling: ObjectionRuling,
        on: NaiveDate,
        evidence: &str,
    ) -> Result<i64> {
        let rule = self.objection_rule(on)?.clone();
        let (days, article) = (rule.working_days, rule.article.clone());
        let received = self.deemed_receipt(c, on)?;
        let deadline = self.objection_deadline(received);
        let (zh, en) = match (level, ruling) {
            (ObjectionLevel::Agency, ObjectionRuling::Uphold) => (
                format!("经审核，异议成立：撤销第{}号扣分记录，该扣分不计入任何日期，年度累计扣分重新计算，不再成立的处理予以撤回（{article}）。", o.deduction_id),
                format!("The objection is upheld: deduction {} is revoked for every date, the cycle recomputed and the sanctions that no longer follow withdrawn ({article}).", o.deduction_id),
            ),
            (ObjectionLevel::Agency, ObjectionRuling::Reject) => (
                format!("经审核，异议理由不成立，维持第{}号扣分处理决定（{article}）。", o.deduction_id),
                format!("The objection is rejected: deduction {} stands ({article}).", o.deduction_id),
            ),
            (ObjectionLevel::Department, ObjectionRuling::Uphold) => (
                format!("经{}复核，异议成立：撤销第{}号扣分记录，年度累计扣分重新计算，不再成立的处理予以撤回（{article}）。", rule.department, o.deduction_id),
                format!("On escalation the administrative department upholds the objection: deduction {} is revoked for every date ({article}).", o.deduction_id),
            ),
            (ObjectionLevel::Department, ObjectionRuling::Reject) => (
                format!("经{}复核，维持第{}号扣分处理决定（{article}）。", rule.department, o.deduction_id),
                format!("On escalation the administrative department rejects the objection: deduction {} stands ({article}).", o.deduction_id),
            ),
        };
        let escalation = (level == ObjectionLevel::Agency && ruling == ObjectionRuling::Reject).then(|| {
            let by = deadline.map(|d| format!("，以{received}接到计算，至{d}（含）止")).unwrap_or_default();
            HowToObject {
                article: article.clone(),
                deadline,
                zh: format!(
                    "对本处理决定仍有异议的，可在接到本通知后{days}个工作日内（接到之日不计入{by}）由所在单位向{}提出书面异议。",
                    rule.department
                ),
                en: format!(
                    "Against this decision the institution may go to the administrative department within {days} working days of receiving this notice (the day of receipt not counted{})",
                    deadline.map(|d| format!("; received on {received}, by {d} inclusive")).unwrap_or_default()
                ),
            }
        });
        let title = match level {
            ObjectionLevel::Agency => format!("异议处理决定通知书（{personnel_code}）"),
            ObjectionLevel::Department => format!("异议复核决定通知书（{personnel_code}）"),
        };
        let body = NoticeBody::ObjectionDecision(ObjectionDecisionNotice {
            objection_id: o.id,
            deduction_id: o.deduction_id,
            personnel_code: personnel_code.to_string(),
            institution_code: o.institution_code.clone(),
            filed_on: o.filed_on,
            grounds: o.grounds.clone(),
            level,
            decision: ruling,
            decided_on: on,
            evidence: evidence.to_string(),
            article,
            zh,
            en,
            escalation,
        });
        Ok(due_process::insert_notice(
            c,
            &NewNotice {
                institution_code: o.institution_code.clone(),
                personnel_code: Some(personnel_code.to_string()),
                deduction_id: Some(o.deduction_id),
                notice_date: on,
                objection_deadline: deadline.filter(|_| body.objection().is_some()),
                title,
                body,
                recorded_at: crate::store::now(),
                objection_id: Some(o.id),
            },
        )?)
    }

    /// `GET /notices`: hr sees its own institution's notices, a county officer its county's.
    pub fn notices(&self, caller: &Caller, institution: Option<String>, person: Option<&str>) -> Result<Vec<Notice>> {
        caller.permit(Action::ReadNotices)?;
        let institution = caller.own_institution(institution)?;
        let mut c = self.conn()?;
        let rows: Vec<NoticeRow> = due_process::notices_list(&mut c, institution.as_deref(), person)?
            .into_iter()
            .filter(|n| caller.covers_institution(&n.institution_code))
            .collect();
        self.notice_views(&mut c, rows)
    }

    pub fn notice(&self, caller: &Caller, id: i64) -> Result<Notice> {
        caller.permit(Action::ReadNotices)?;
        let mut c = self.conn()?;
        let n = due_process::notice(&mut c, id)?.ok_or_else(|| Error::not_found("notice", "通知书"))?;
        caller.require_institution(Action::ReadNotices, &n.institution_code)?;
        self.notice_views(&mut c, vec![n])?.pop().ok_or_else(|| Error::not_found("notice", "通知书"))
    }
}
