//! Roster upload (全量维护, 附件1): HR's staff list from Excel — preview, then commit all or
//! nothing (or the good rows, returning the rejected ones as a CSV to fix and re-upload).
//! `delta` applies each row's 操作 (新增/变更/注销, default: add or update); `snapshot` also
//! deregisters the institution's staff missing from the file. The same file twice changes
//! nothing the second time.
//!
//! A file goes through `row` (each row on its own), `plan` (against the ledger, pure), the
//! report below, and `commit` (one transaction).

mod commit;
mod plan;
mod report;
mod row;

use std::collections::{HashMap, HashSet};
use std::io::Read;

use chrono::NaiveDate;
use serde::Serialize;

use super::{institution_lock, person_lock, Action, App, Caller};
use crate::domain::dates::today_china;
use crate::error::{Error, Result};
use crate::rules::SanctionKind;
use crate::sheets::upload::{read_sheet, reject, Rejection, SkippedRows};
use crate::store::facts;
use commit::RosterWrite;
use plan::{plan, Ledger, Planned};
pub use report::StoredReport;
pub use row::ROSTER_COLUMNS;
use row::{parse_row, Plan, Row};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RosterMode {
    Delta,
    Snapshot,
}

impl RosterMode {
    pub fn parse(s: Option<&str>) -> Result<Self> {
        match s.unwrap_or("delta") {
            "delta" => Ok(RosterMode::Delta),
            "snapshot" => Ok(RosterMode::Snapshot),
            other => Err(Error::invalid(
                "invalid_mode",
                "mode",
                format!("mode '{other}' is delta or snapshot"),
                format!("模式 '{other}' 应为 delta（增量）或 snapshot（全量）"),
            )),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct UploadOptions {
    pub mode: RosterMode,
    pub commit: bool,
    pub partial: bool,
    /// A snapshot that deregisters people from a file without data rows, or more than a fifth
    /// of the staff, is written only with the count the preview showed.
    pub confirm_deregister: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowRef {
    pub row: Option<u64>,
    pub personnel_code: String,
    pub name: String,
    /// Changed fields (changes only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<&'static str>,
    /// Filed while a ban of 五(二) runs: registration recorded, no agreement until then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banned_until: Option<NaiveDate>,
    /// A returning staff member: the registration starts when the previous one ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resumed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub added: usize,
    pub changed: usize,
    pub deregistered: usize,
    pub unchanged: usize,
    pub rejected: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RosterReport {
    pub institution_code: String,
    pub mode: RosterMode,
    pub encoding: &'static str,
    pub rows: usize,
    pub commit: bool,
    /// Whether anything was written.
    pub committed: bool,
    pub counts: Counts,
    pub added: Vec<RowRef>,
    pub changed: Vec<RowRef>,
    pub deregistered: Vec<RowRef>,
    pub unchanged: Vec<u64>,
    pub rejected: Vec<Rejection>,
    pub unknown_columns: Vec<String>,
    /// The spreadsheet row that holds the header (title rows above it are passed over).
    pub header_row: u64,
    /// Rows passed over: empty, 合计, 注：, 填表人 … Never rejections.
    pub skipped: Vec<SkippedRows>,
    /// Values converted or worth a look (Excel's harmless damage, a wrong phone number), on rows
    /// that were not refused for them.
    pub warnings: Vec<Rejection>,
    /// The rejected rows with a 错误原因 column, to fix and upload again.
    pub rejected_csv: Option<String>,
    /// Set when committing this snapshot needs `confirm_deregister` equal to this count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmation_required: Option<usize>,
    /// A large file: the lists hold the first 100 entries each; the full report (every row, the
    /// rejected rows as CSV or .xlsx) is at `GET /rosters/{institution_code}/reports/{report_id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_id: Option<String>,
}

impl App {
    /// Reads, checks and (when asked) applies a roster file. `progress` is told each row read.
    /// A file of more than 10 000 rows is answered with a summary and its first 100 rejections;
    /// the full report is kept 7 days (`report_id`, [`App::roster_report`]).
    pub fn upload_roster(
        &self,
        caller: &Caller,
        institution: &str,
        input: impl Read + Send + 'static,
        opts: UploadOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<RosterReport> {
        let institution = institution.trim().to_ascii_uppercase();
        match self.read_roster(caller, &institution, input, opts, progress) {
            Ok(mut report) if report.rows > report::LARGE_FILE_ROWS => {
                let full = serde_json::to_value(&report).map_err(|e| Error::Internal(e.into()))?;
                let id = self.keep_report(&institution, &full, report.rejected_csv.as_deref())?;
                report.summarise(id);
                Ok(report)
            }
            // Rejected rows are also kept a week, so they can be fetched as .xlsx to fix.
            Ok(mut report) if report.rejected_csv.is_some() && !self.read_only => {
                let full = serde_json::to_value(&report).map_err(|e| Error::Internal(e.into()))?;
                report.report_id = Some(self.keep_report(&institution, &full, report.rejected_csv.as_deref())?);
                Ok(report)
            }
            Err(Error::Client(mut refused)) => {
                if let Some(full) = refused.report.as_deref().filter(|r| report::is_large(r)) {
                    let csv = full["rejected_csv"].as_str().map(str::to_string);
                    let id = self.keep_report(&institution, full, csv.as_deref())?;
                    refused.report = Some(Box::new(report::summary_of(full, &id)));
                }
                Err(Error::Client(refused))
            }
            other => other,
        }
    }

    fn read_roster(
        &self,
        caller: &Caller,
        institution: &str,
        input: impl Read + Send + 'static,
        opts: UploadOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<RosterReport> {
        let institution = institution.to_string();
        caller.require_institution(Action::UploadRoster, &institution)?;
        if opts.commit {
            // Officers read rosters; only the institution's hr and the agency write them.
            caller.permit(Action::CommitRoster)?;
        }
        {
            let mut c = self.conn()?;
            if facts::institution(&mut c, &institution)?.is_none() {
                return Err(Error::not_found("institution", "定点医药机构"));
            }
        }
        // Everyone the file names, rejected rows included (a snapshot never deregisters them).
        let mut named_codes: HashSet<String> = HashSet::new();
        let mut named_ids: HashSet<String> = HashSet::new();
        let mut sheet = read_sheet(input, ROSTER_COLUMNS, progress, |rec| {
            named_codes.extend(rec.get("personnel_code").map(normalise_cell));
            named_ids.extend(rec.get("id_number").map(normalise_cell));
            parse_row(&self.formats, &institution, rec)
        })?;
        let rows: Vec<Row> = std::mem::take(&mut sheet.rows).into_iter().map(|(_, r)| r).collect();
        let mut rejected: Vec<Rejection> = Vec::new();

        // Within the file: one row per code, one code per ID number.
        let mut by_code: HashMap<String, u64> = HashMap::new();
        let mut by_id: HashMap<String, (String, u64)> = HashMap::new();
        let mut dup_rows: HashSet<u64> = HashSet::new();
        for r in &rows {
            if let Some(first) = by_code.insert(r.code.clone(), r.row) {
                dup_rows.insert(r.row);
                rejected.push(reject(
                    r.row,
                    Some("医保对应代码"),
                    "duplicate_in_file",
                    format!("{} already appears in row {first}", r.code),
                    format!("医保对应代码 {} 与第{first}行重复", r.code),
                ));
                by_code.insert(r.code.clone(), first);
            }
            match by_id.get(r.id.as_str()) {
                Some((code, first)) if *code != r.code => {
                    dup_rows.insert(r.row);
                    rejected.push(reject(
                        r.row,
                        Some("身份证号码"),
                        "duplicate_in_file",
                        format!("this ID number already appears in row {first} with another code"),
                        format!("身份证号码与第{first}行重复但医保对应代码不同"),
                    ));
                }
                Some(_) => {}
                None => {
                    by_id.insert(r.id.as_str().to_string(), (r.code.clone(), r.row));
                }
            }
        }

        // Against the ledger.
        let mut c = self.conn()?;
        let codes: Vec<String> = rows.iter().map(|r| r.code.clone()).collect();
        let ids: Vec<String> = rows.iter().map(|r| r.id.as_str().to_string()).collect();
        let known = facts::practitioners_by_codes(&mut c, &codes)?;
        let holders = facts::practitioners_by_id_numbers(&mut c, &ids)?;
        let regs = facts::registrations_at(&mut c, &institution)?;
        let details = facts::roster_details_at(&mut c, &institution)?;
        let names: HashMap<String, (String, Option<String>)> = if details.len() < regs.len() {
            let mut m = HashMap::new();
            for code in regs.iter().map(|r| r.personnel_code.clone()).collect::<HashSet<_>>() {
                if let Some(p) = facts::practitioner(&mut c, &code)? {
                    m.insert(code, (p.name, p.phone));
                }
            }
            m
        } else {
            HashMap::new()
        };
        let today = today_china();
        let in_force: HashMap<&str, &facts::RegistrationRow> = regs
            .iter()
            .filter(|r| r.deregistered_on.is_none_or(|e| e > today))
            .map(|r| (r.personnel_code.as_str(), r))
            .collect();
        let in_force_count = in_force.len();

        let mut report = RosterReport {
            institution_code: institution.clone(),
            mode: opts.mode,
            encoding: sheet.encoding,
            rows: sheet.rows_read,
            commit: opts.commit,
            committed: false,
            counts: Counts::default(),
            added: Vec::new(),
            changed: Vec::new(),
            deregistered: Vec::new(),
            unchanged: Vec::new(),
            rejected: Vec::new(),
            unknown_columns: sheet.unknown.clone(),
            header_row: sheet.header_row,
            skipped: std::mem::take(&mut sheet.skipped),
            warnings: rows.iter().flat_map(|r| r.warnings.iter().cloned()).collect(),
            rejected_csv: None,
            confirmation_required: None,
            report_id: None,
        };
        let staff_codes: Vec<String> = in_force.keys().map(|c| c.to_string()).collect();
        let staff_ids: HashMap<String, String> = facts::practitioners_by_codes(&mut c, &staff_codes)?
            .into_iter()
            .map(|(code, (id, _))| (code, id))
            .collect();
        let mut ended: HashMap<String, NaiveDate> = HashMap::new();
        for r in regs.iter().filter(|r| !in_force.contains_key(r.personnel_code.as_str())) {
            if let Some(end) = r.deregistered_on {
                let e = ended.entry(r.personnel_code.clone()).or_insert(end);
                *e = (*e).max(end);
            }
        }
        let ledger = Ledger {
            known: &known,
            holders: &holders,
            in_force: &in_force,
            details: &details,
            names: &names,
            named_codes: &named_codes,
            named_ids: &named_ids,
            staff_ids: &staff_ids,
            ended: &ended,
            disclose: caller.sees_every_tenant(),
        };
        let rows: Vec<Row> = rows.into_iter().filter(|r| !dup_rows.contains(&r.row)).collect();
        let Planned { plans, rejected: mut planned_rejections, snapshot_out } =
            plan(&institution, rows, &ledger, opts.mode, today);
        let mut leaving_names: HashMap<String, String> = HashMap::new();
        for (code, _) in &snapshot_out {
            let name = match details.get(code) {
                Some(d) => d.name.clone(),
                None => facts::practitioner(&mut c, code)?.map(|p| p.name).unwrap_or_default(),
            };
            leaving_names.insert(code.clone(), name);
        }
        rejected.append(&mut planned_rejections);
        drop(c);

        // Banned people: registration filed, no agreement until the ban ends (五(二)).
        let mut banned: HashMap<u64, NaiveDate> = HashMap::new();
        for (r, plan) in &plans {
            if matches!(plan, Plan::Add) && known.contains_key(&r.code) {
                let (_, t) = self.timeline(&r.code)?;
                if let Some(until) = t
                    .sanctions
                    .iter()
                    .filter(|s| s.kind == SanctionKind::Termination && s.starts_on < r.registered_on)
                    .filter_map(|s| s.ban_until)
                    .max()
                    .filter(|&u| u > r.registered_on)
                {
                    banned.insert(r.row, until);
                }
            }
        }

        for (r, plan) in &plans {
            let rr = |fields: Vec<&'static str>| RowRef {
                row: Some(r.row),
                personnel_code: r.code.clone(),
                name: r.details.name.clone(),
                fields,
                banned_until: banned.get(&r.row).copied(),
                resumed_on: r.resumed,
            };
            match plan {
                Plan::Add => report.added.push(rr(Vec::new())),
                Plan::Change(f) => report.changed.push(rr(f.clone())),
                Plan::Deregister(..) => report.deregistered.push(rr(Vec::new())),
                Plan::Unchanged => report.unchanged.push(r.row),
            }
        }
        for (code, _) in &snapshot_out {
            report.deregistered.push(RowRef {
                row: None,
                personnel_code: code.clone(),
                name: leaving_names.remove(code).unwrap_or_default(),
                fields: Vec::new(),
                banned_until: None,
                resumed_on: None,
            });
        }
        // A snapshot that empties the roster, or takes more than a fifth of the staff, is
        // confirmed with the count the clerk was shown.
        if !snapshot_out.is_empty() && (sheet.rows_read == 0 || snapshot_out.len() * 5 > in_force_count) {
            report.confirmation_required = Some(snapshot_out.len());
        }
        sheet.reject_later(rejected);
        report.rejected_csv = sheet.finish_rejections()?;
        report.counts = Counts {
            added: report.added.len(),
            changed: report.changed.len(),
            deregistered: report.deregistered.len(),
            unchanged: report.unchanged.len(),
            rejected: sheet.rejected_row_count(),
        };
        report.rejected = sheet.rejected;

        let writes = report.counts.added + report.counts.changed + report.counts.deregistered;
        if !opts.commit || writes == 0 && report.rejected.is_empty() {
            return Ok(report);
        }
        if !report.rejected.is_empty() && !opts.partial {
            return Err(commit_refused(&report));
        }
        if writes == 0 {
            return Ok(report);
        }
        if let Some(n) = report.confirmation_required.filter(|n| opts.confirm_deregister != Some(*n)) {
            return Err(confirmation_required(n, &report));
        }
        let mut locks = vec![institution_lock(&institution)];
        locks.extend(plans.iter().map(|(r, _)| person_lock(&r.code)));
        locks.extend(snapshot_out.iter().map(|(c, _)| person_lock(c)));
        self.write(caller, &locks, |c, touched| {
            let w = RosterWrite {
                institution: &institution,
                plans: &plans,
                known: &known,
                snapshot_out: &snapshot_out,
                today,
            };
            self.apply_roster(c, touched, &w)
        })?;
        report.committed = true;
        Ok(report)
    }
}

/// A cell as a code or ID number to match people by: no spaces, quotes or Excel's text markers.
fn normalise_cell(s: &str) -> String {
    s.trim()
        .trim_start_matches('\'')
        .trim_start_matches('=')
        .trim_matches('"')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// 422 `commit_refused`: nothing was written because rows were rejected; the report says which.
fn commit_refused(report: &RosterReport) -> Error {
    let n = report.counts.rejected;
    let e = crate::error::ClientError::new(
        crate::error::Kind::Unprocessable,
        "commit_refused",
        format!(
            "nothing was written: {n} rows were rejected; fix them, or commit with partial=true to write the good rows"
        ),
        format!("未写入任何数据：有{n}行被退回；请修改后重新上传，或选择“只提交正确的行”（partial=true）"),
    );
    Error::Client(e.report(serde_json::to_value(report).unwrap_or_default()))
}

/// 422 `confirmation_required`: a snapshot that deregisters many people waits for the count.
fn confirmation_required(n: usize, report: &RosterReport) -> Error {
    let names: Vec<&str> = report.deregistered.iter().filter(|r| r.row.is_none()).map(|r| r.name.as_str()).collect();
    let e = crate::error::ClientError::new(
        crate::error::Kind::Unprocessable,
        "confirmation_required",
        format!(
            "this snapshot deregisters {n} people ({}): commit again with confirm_deregister={n}",
            names.join(", ")
        ),
        format!("本次全量上传将注销{n}人（{}）；确认无误请以 confirm_deregister={n} 重新提交", names.join("、")),
    )
    .field("confirm_deregister");
    Error::Client(e.report(serde_json::to_value(report).unwrap_or_default()))
}

/// The blank 附件1 roster template (.xlsx) for HR to fill in.
pub fn template() -> Result<Vec<u8>> {
    crate::sheets::template::roster_template(ROSTER_COLUMNS)
}
