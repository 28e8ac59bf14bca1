//! CSV exports for Excel users: an institution's roster with each person's status and cycle
//! total, and the city-wide list of refused practitioners (`status_list`).

use chrono::NaiveDate;

use super::{Action, App, Caller};
use crate::error::{ClientError, Error, Result};
use crate::rules;
use crate::sheets::export::ExportFormat;
use crate::store::facts;

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

    /// The full list of practitioners refused on `on` (`service::status_list`), as a file.
    pub fn export_status_list(&self, caller: &Caller, on: NaiveDate, fmt: ExportFormat) -> Result<Vec<u8>> {
        let list = self.status_list(caller, on)?;
        let (header, rows) = super::status_list::practitioner_table(&list.items);
        fmt.write(&header, &rows)
    }
}

/// Which full list a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFile {
    Practitioners,
    Institutions,
}

impl ListFile {
    /// The file name's stem, as the URL names it (`/exports/status-list.csv`).
    pub fn stem(self) -> &'static str {
        match self {
            ListFile::Practitioners => "status-list",
            ListFile::Institutions => "institution-status-list",
        }
    }
}

impl App {
    /// A full list as a file: JSON when `fmt` is `None` (with the feed's `head_seq` to follow
    /// from), else CSV or .xlsx; with when the newest change was committed (`Last-Modified`).
    pub fn list_file(
        &self,
        caller: &Caller,
        which: ListFile,
        on: NaiveDate,
        fmt: Option<ExportFormat>,
    ) -> Result<(Vec<u8>, Option<chrono::NaiveDateTime>)> {
        let json = |v: serde_json::Value| serde_json::to_vec_pretty(&v).map_err(|e| Error::Internal(e.into()));
        match which {
            ListFile::Practitioners => {
                let l = self.status_list(caller, on)?;
                let bytes = match fmt {
                    None => {
                        json(serde_json::json!({"date": l.date, "head_seq": l.head_seq, "practitioners": l.items}))?
                    }
                    Some(f) => {
                        let (header, rows) = super::status_list::practitioner_table(&l.items);
                        f.write(&header, &rows)?
                    }
                };
                Ok((bytes, l.head_at))
            }
            ListFile::Institutions => {
                let l = self.institution_status_list(caller, on)?;
                let bytes = match fmt {
                    None => json(serde_json::json!({"date": l.date, "head_seq": l.head_seq, "institutions": l.items}))?,
                    Some(f) => {
                        let (header, rows) = super::status_list::institution_table(&l.items);
                        f.write(&header, &rows)?
                    }
                };
                Ok((bytes, l.head_at))
            }
        }
    }
}
