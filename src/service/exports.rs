//! CSV exports for Excel users: an institution's roster with each person's status and cycle
//! total, and the city-wide list of suspended and terminated practitioners.

use chrono::NaiveDate;

use super::{Action, App, Caller};
use crate::domain::codes::region_of;
use crate::domain::id_number::{mask_id_number, mask_name};
use crate::error::{ClientError, Error, Result};
use crate::rules;
use crate::sheets::export::ExportFormat;
use crate::store::{facts, projections};

impl App {
    /// The staff registered at an institution on `on`, with status and points.
    pub fn export_roster(
        &self,
        caller: &Caller,
        institution: &str,
        on: NaiveDate,
        fmt: ExportFormat,
    ) -> Result<Vec<u8>> {
        caller.require_institution(Action::ExportRoster, institution)?;
        let mut c = self.conn()?;
        if facts::institution(&mut c, institution)?.is_none() {
            return Err(Error::not_found("institution", "定点医药机构"));
        }
        let regs = facts::registrations_at(&mut c, institution)?;
        let details = facts::roster_details_at(&mut c, institution)?;
        let mut rows = Vec::new();
        for r in regs.iter().filter(|r| r.registered_on <= on && r.deregistered_on.is_none_or(|e| e > on)) {
            let Some(p) = facts::practitioner(&mut c, &r.personnel_code)? else { continue };
            let Some(f) = facts::practitioner_facts(&mut c, &r.personnel_code)? else { continue };
            let t = rules::evaluate(&self.packs, &f)?;
            let pack = self.packs.in_force_or_first(on).map_err(|e| ClientError::from(e).field("date"))?;
            let s = rules::status_on(&f, &t, pack.cycle.initial_points, pack.agreement.term_months, on);
            let site = s
                .sites
                .iter()
                .find(|x| x.institution_code == institution)
                .map_or("unregistered", |x| x.status.as_str());
            let d = details.get(&r.personnel_code);
            let category = p.category.name_zh();
            let text = |v: Option<&Option<String>>| v.and_then(|v| v.clone()).unwrap_or_default();
            let day = |v: Option<NaiveDate>| v.map(|d| d.to_string()).unwrap_or_default();
            // The columns of 附件1 first, as they were filed, so the file goes back in unchanged;
            // then what jifen knows of each person.
            rows.push(vec![
                d.map_or(p.name.clone(), |d| d.name.clone()),
                p.id_number.clone(),
                category.to_string(),
                p.personnel_code.clone(),
                text(d.map(|d| &d.practice_scope)),
                d.and_then(|d| d.phone.clone()).or(p.phone.clone()).unwrap_or_default(),
                text(d.map(|d| &d.practice_place)),
                day(d.and_then(|d| d.practice_registered_on).or(Some(r.registered_on))),
                day(d.and_then(|d| d.filed_on)),
                text(d.map(|d| &d.certificate_no)),
                s.status.as_str().to_string(),
                site.to_string(),
                s.cycle_total.to_string(),
                s.remaining.to_string(),
                s.suspended_until.map(|d| d.to_string()).unwrap_or_default(),
                s.banned_until.map(|d| d.to_string()).unwrap_or_default(),
            ]);
        }
        rows.sort_by(|a, b| a[3].cmp(&b[3]));
        // Unmasked ID numbers and phones: the trail answers "who looked at this person?".
        let mut read: Vec<String> = vec![institution.to_string()];
        read.extend(rows.iter().map(|r| r[3].clone()));
        if self.read_only {
            // A replica cannot write; its reads are audited by the replica's own log only.
            tracing::warn!(institution, "roster export from a read replica: the read is not in the audit trail");
        } else {
            super::audit::record_read(&mut c, caller, &read)?;
        }
        fmt.write(
            &[
                "姓名",
                "身份证号码",
                "医保支付资格类别",
                "医保对应代码",
                "执业范围",
                "联系电话",
                "注册地点",
                "注册时间",
                "备案时间",
                "执业证书编号",
                "人员状态",
                "本机构协议状态",
                "本年度累计扣分",
                "剩余分值",
                "中止至",
                "禁止签约至",
            ],
            &rows,
        )
    }

    /// Like a public exclusion list: who may not be paid for on `on`, masked.
    pub fn export_status_list(&self, caller: &Caller, on: NaiveDate, fmt: ExportFormat) -> Result<Vec<u8>> {
        caller.permit(Action::ExportStatusList)?;
        let region = caller.region();
        let mut c = self.conn()?;
        let mut rows = Vec::new();
        for s in projections::sanctions_in_force(&mut c, on)? {
            let Some(p) = facts::practitioner(&mut c, &s.personnel_code)? else { continue };
            let sites: Vec<String> =
                facts::registrations_of(&mut c, &s.personnel_code)?.into_iter().map(|r| r.institution_code).collect();
            if region.is_some_and(|reg| !sites.iter().any(|i| region_of(i) == Some(reg))) {
                continue;
            }
            let (status, until) = if s.kind == crate::rules::SanctionKind::Suspension {
                ("中止", s.ends_on)
            } else {
                ("解除", s.ban_until)
            };
            rows.push(vec![
                p.personnel_code.clone(),
                mask_name(&p.name),
                mask_id_number(&p.id_number),
                p.category.name_zh().to_string(),
                status.to_string(),
                s.starts_on.to_string(),
                until.map(|d| d.to_string()).unwrap_or_default(),
                s.article.clone(),
                {
                    let mut v = sites.clone();
                    v.sort();
                    v.dedup();
                    v.join(";")
                },
            ]);
        }
        fmt.write(
            &[
                "医保对应代码",
                "姓名",
                "身份证号码",
                "医保支付资格类别",
                "处理",
                "起始日期",
                "截止日期（恢复/可重新签约）",
                "依据",
                "执业机构",
            ],
            &rows,
        )
    }
}
