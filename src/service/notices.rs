//! 六(一): every deduction, revocation and institution action produces a written notice to the
//! institution(s) concerned, dated the decision date, saying how and by when to object.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Action, App, Caller};
use crate::error::{Error, Result};
use crate::rules::pack::ObjectionRule;
use crate::rules::{PractitionerFacts, Sanction, Timeline};
use crate::store::due_process::{self, NewNotice, NoticeRow};
use crate::store::facts::{self, AgreementAction};
pub use crate::store::notice_body::NoticeBody;
use crate::store::notice_body::{
    DeductionNotice, HowToObject, InspectionOfNotice, InstitutionNotice, NoticeItem, RevocationNotice, SanctionNotice,
    TestRevocationNotice,
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
    /// The last day to take a rejected objection to the administrative department (六(一)).
    pub objection_deadline: Option<NaiveDate>,
    pub title: String,
    pub body: NoticeBody,
}

impl From<NoticeRow> for Notice {
    fn from(n: NoticeRow) -> Self {
        Notice {
            id: n.id,
            kind: n.kind.as_str().to_string(),
            institution_code: n.institution_code,
            personnel_code: n.personnel_code,
            deduction_id: n.deduction_id,
            notice_date: n.notice_date,
            objection_deadline: n.objection_deadline,
            title: n.title,
            body: n.body,
        }
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
        let deadline = self.objection_deadline(decided_on);
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
                objection: self.how_to_object(decided_on, deadline)?,
            });
            for site in &sites {
                due_process::insert_notice(
                    c,
                    &NewNotice {
                        institution_code: site.clone(),
                        personnel_code: Some(f.personnel_code.clone()),
                        deduction_id: Some(d.id),
                        notice_date: decided_on,
                        objection_deadline: deadline,
                        title: deduction_notice_title(&f.personnel_code, d.points),
                        body: body.clone(),
                        recorded_at: crate::store::now(),
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
        let deadline = self.objection_deadline(on);
        let body = NoticeBody::Sanction(SanctionNotice {
            personnel_code: f.personnel_code.clone(),
            name,
            decided_on: on,
            sanctions: sanctions.to_vec(),
            objection: self.how_to_object(on, deadline)?,
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
                    objection_deadline: deadline,
                    title: format!("{title}（{}）", f.personnel_code),
                    body: body.clone(),
                    recorded_at: crate::store::now(),
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
        };
        let deadline = if action == AgreementAction::Restore { None } else { self.objection_deadline(from) };
        let body = NoticeBody::Institution(InstitutionNotice {
            institution_code: institution.to_string(),
            action,
            from,
            until,
            reason: reason.to_string(),
            article: article.to_string(),
            staff: "三(四)：本机构医保支付资格相关人员服务协议同时中止或解除".into(),
            objection: if action == AgreementAction::Restore {
                None
            } else {
                Some(self.how_to_object(from, deadline)?)
            },
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
            },
        )?;
        Ok(())
    }

    /// `GET /notices`: hr sees its own institution's notices, a county officer its county's.
    pub fn notices(&self, caller: &Caller, institution: Option<String>, person: Option<&str>) -> Result<Vec<Notice>> {
        caller.permit(Action::ReadNotices)?;
        let institution = caller.own_institution(institution)?;
        let mut c = self.conn()?;
        Ok(due_process::notices_list(&mut c, institution.as_deref(), person)?
            .into_iter()
            .map(Notice::from)
            .filter(|n| caller.covers_institution(&n.institution_code))
            .collect())
    }

    pub fn notice(&self, caller: &Caller, id: i64) -> Result<Notice> {
        caller.permit(Action::ReadNotices)?;
        let mut c = self.conn()?;
        let n =
            due_process::notice(&mut c, id)?.map(Notice::from).ok_or_else(|| Error::not_found("notice", "通知书"))?;
        caller.require_institution(Action::ReadNotices, &n.institution_code)?;
        Ok(n)
    }
}
