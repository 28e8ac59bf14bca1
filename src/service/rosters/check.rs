//! Checking a roster file in one streaming pass, a chunk of rows at a time, so memory stays flat
//! whatever the file's size: each chunk is parsed, checked for duplicates against every row
//! before it ([`InFile`], compact), looked up in the ledger and planned; what it gives goes to
//! the report's lists (spooled, the first entries kept), its rejected rows' cells to the
//! rejected-rows CSV (spooled), and its writes to the commit's stage. Only the institution's
//! current staff (for a snapshot) and those sets are held across chunks.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Read;

use chrono::NaiveDate;

use super::commit::{Action as StagedAction, Stage, Staged};
use super::dedup::{Duplicate, InFile};
use super::plan::{plan, snapshot_out, Ledger, Planned};
use super::report::LARGE_FILE_ROWS;
use super::row::{parse_row, Plan, Row, ROSTER_COLUMNS};
use super::spool::{io, List, Spool};
use super::{normalise_cell, Counts, RosterMode, RosterReport, RowRef, UploadOptions};
use crate::domain::dates::today_china;
use crate::error::{Error, Result};
use crate::rules::SanctionKind;
use crate::service::{Action, App, Caller};
use crate::sheets::upload::{reason_text, reject, rejected_csv_header, rejected_csv_record, Rejection, SheetRows};
use crate::store::facts::{self, RegistrationRow, RosterDetails};

/// Rows read before a chunk is checked against the ledger.
const CHUNK_ROWS: usize = 4_096;

/// Every entry of the report's lists, spooled; the rejected rows as CSV.
pub(super) struct Lists {
    pub added: List<RowRef>,
    pub changed: List<RowRef>,
    pub deregistered: List<RowRef>,
    pub unchanged: List<u64>,
    pub rejected: List<Rejection>,
    pub warnings: List<Rejection>,
    /// The rejected rows with 原行号 and 错误原因 (header included), if any row was rejected.
    pub rejected_csv: Option<Spool>,
}

impl Lists {
    fn new() -> Result<Lists> {
        Ok(Lists {
            added: List::new()?,
            changed: List::new()?,
            deregistered: List::new()?,
            unchanged: List::new()?,
            rejected: List::new()?,
            warnings: List::new()?,
            rejected_csv: None,
        })
    }

    fn only_first(&mut self) {
        self.added.only_first();
        self.changed.only_first();
        self.deregistered.only_first();
        self.unchanged.only_first();
        self.rejected.only_first();
        self.warnings.only_first();
    }
}

/// The outcome of the check: the report (lists in full for a file of at most 10 000 rows, else
/// their first entries), the spooled lists, the staged writes and who a snapshot takes out.
pub(super) struct Checked {
    pub report: RosterReport,
    pub lists: Lists,
    pub stage: Stage,
    pub snapshot_out: Vec<(String, i64)>,
    /// The names of the people the snapshot takes out, as the confirmation lists them.
    pub leaving: Vec<String>,
    pub today: NaiveDate,
}

/// What the institution's ledger holds, loaded once (it grows with the staff, not the file).
struct Staff {
    regs: Vec<RegistrationRow>,
    details: HashMap<String, RosterDetails>,
    names: HashMap<String, (String, Option<String>)>,
    ended: HashMap<String, NaiveDate>,
    /// ID number → the codes registered here today that hold it.
    codes_by_id: HashMap<String, Vec<String>>,
}

/// Rows read and not yet checked against the ledger.
#[derive(Default)]
struct Chunk {
    rows: Vec<Row>,
    /// Rejections found reading the rows, in the order read.
    rejected: Vec<Rejection>,
    /// Every row's cells, to hand back the ones rejected.
    raw: HashMap<u64, Vec<String>>,
    read: usize,
}

/// What the pass carries from one chunk to the next.
struct Pass<'a> {
    institution: &'a str,
    opts: UploadOptions,
    disclose: bool,
    today: NaiveDate,
    in_file: InFile,
    lists: Lists,
    stage: Stage,
    header_cells: Vec<String>,
    rejected_rows: usize,
    in_force: &'a HashMap<&'a str, &'a RegistrationRow>,
    staff: &'a Staff,
}

impl App {
    pub(super) fn check_roster(
        &self,
        caller: &Caller,
        institution: &str,
        input: impl Read + Send + 'static,
        opts: UploadOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Checked> {
        caller.require_institution(Action::UploadRoster, institution)?;
        if opts.commit {
            // Officers read rosters; only the institution's hr and the agency write them.
            caller.permit(Action::CommitRoster)?;
        }
        {
            let mut c = self.conn()?;
            if facts::institution(&mut c, institution)?.is_none() {
                return Err(Error::not_found("institution", "定点医药机构"));
            }
        }
        let today = today_china();
        let staff = self.staff_of(institution, today)?;
        let in_force: HashMap<&str, &RegistrationRow> = staff
            .regs
            .iter()
            .filter(|r| r.deregistered_on.is_none_or(|e| e > today))
            .map(|r| (r.personnel_code.as_str(), r))
            .collect();

        let mut rows = SheetRows::open(input, ROSTER_COLUMNS)?;
        let mut pass = Pass {
            institution,
            opts,
            disclose: caller.sees_every_tenant(),
            today,
            in_file: InFile::default(),
            lists: Lists::new()?,
            stage: Stage::new()?,
            header_cells: rows.header_cells.clone(),
            rejected_rows: 0,
            in_force: &in_force,
            staff: &staff,
        };
        // Everyone the file names, rejected rows included, among the staff registered here
        // today (a snapshot never deregisters them).
        let mut named: HashSet<String> = HashSet::new();
        let snapshot = opts.mode == RosterMode::Snapshot;
        let mut parse = |rec: &crate::sheets::Record| {
            if snapshot {
                if let Some(code) = rec.get("personnel_code").map(normalise_cell) {
                    if in_force.contains_key(code.as_str()) {
                        named.insert(code);
                    }
                }
                if let Some(codes) = rec.get("id_number").map(normalise_cell).and_then(|id| staff.codes_by_id.get(&id))
                {
                    named.extend(codes.iter().cloned());
                }
            }
            parse_row(&self.formats, institution, rec)
        };
        let mut chunk = Chunk::default();
        let mut large = false;
        while let Some(read) = rows.next_row(progress, &mut parse)? {
            if !large && rows.rows_read > LARGE_FILE_ROWS {
                large = true;
                pass.lists.only_first();
            }
            match read.parsed {
                Ok(r) => chunk.rows.push(r),
                Err(mut errs) => chunk.rejected.append(&mut errs),
            }
            if let Some(raw) = read.raw {
                chunk.raw.insert(read.row, raw);
            }
            chunk.read += 1;
            if chunk.read >= CHUNK_ROWS {
                self.check_chunk(&mut pass, std::mem::take(&mut chunk))?;
            }
        }
        self.check_chunk(&mut pass, chunk)?;

        let out = snapshot_out(opts.mode, &in_force, &named);
        let mut leaving = Vec::with_capacity(out.len());
        {
            let mut c = self.conn()?;
            for (code, _) in &out {
                let name = match staff.details.get(code) {
                    Some(d) => d.name.clone(),
                    None => facts::practitioner(&mut c, code)?.map(|p| p.name).unwrap_or_default(),
                };
                pass.lists.deregistered.push(RowRef {
                    row: None,
                    personnel_code: code.clone(),
                    name: name.clone(),
                    fields: Vec::new(),
                    banned_until: None,
                    resumed_on: None,
                })?;
                leaving.push(name);
            }
        }
        let Pass { mut lists, stage, rejected_rows, .. } = pass;
        let rejected_csv = match lists.rejected_csv.take() {
            Some(spool) if !large => {
                let mut text = String::new();
                spool.reader()?.read_to_string(&mut text).map_err(io)?;
                Some(text)
            }
            other => {
                lists.rejected_csv = other;
                None
            }
        };
        let report = RosterReport {
            institution_code: institution.to_string(),
            mode: opts.mode,
            encoding: rows.encoding,
            rows: rows.rows_read,
            commit: opts.commit,
            committed: false,
            counts: Counts {
                added: lists.added.count,
                changed: lists.changed.count,
                deregistered: lists.deregistered.count,
                unchanged: lists.unchanged.count,
                rejected: rejected_rows,
            },
            added: std::mem::take(&mut lists.added.first),
            changed: std::mem::take(&mut lists.changed.first),
            deregistered: std::mem::take(&mut lists.deregistered.first),
            unchanged: std::mem::take(&mut lists.unchanged.first),
            rejected: std::mem::take(&mut lists.rejected.first),
            unknown_columns: rows.unknown.clone(),
            header_row: rows.header_row,
            skipped: rows.skipped(),
            warnings: std::mem::take(&mut lists.warnings.first),
            rejected_csv,
            // A snapshot that empties the roster, or takes more than a fifth of the staff, is
            // confirmed with the count the clerk was shown.
            confirmation_required: (!out.is_empty() && (rows.rows_read == 0 || out.len() * 5 > in_force.len()))
                .then_some(out.len()),
            report_id: None,
        };
        Ok(Checked { report, lists, stage, snapshot_out: out, leaving, today })
    }

    /// The institution's registrations, roster details and the staff's ID numbers.
    fn staff_of(&self, institution: &str, today: NaiveDate) -> Result<Staff> {
        let mut c = self.conn()?;
        let regs = facts::registrations_at(&mut c, institution)?;
        let details = facts::roster_details_at(&mut c, institution)?;
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
        let in_force = |r: &&RegistrationRow| r.deregistered_on.is_none_or(|e| e > today);
        let staff_codes: Vec<String> = regs.iter().filter(in_force).map(|r| r.personnel_code.clone()).collect();
        let mut codes_by_id: HashMap<String, Vec<String>> = HashMap::new();
        for (code, (id, _)) in facts::practitioners_by_codes(&mut c, &staff_codes)? {
            codes_by_id.entry(id).or_default().push(code);
        }
        let current: HashSet<&str> = regs.iter().filter(in_force).map(|r| r.personnel_code.as_str()).collect();
        let mut ended: HashMap<String, NaiveDate> = HashMap::new();
        for r in regs.iter().filter(|r| !current.contains(r.personnel_code.as_str())) {
            if let Some(end) = r.deregistered_on {
                let e = ended.entry(r.personnel_code.clone()).or_insert(end);
                *e = (*e).max(end);
            }
        }
        Ok(Staff { regs, details, names, ended, codes_by_id })
    }

    /// Checks one chunk against the rows before it and the ledger, and hands on what it gives.
    fn check_chunk(&self, pass: &mut Pass, chunk: Chunk) -> Result<()> {
        let Chunk { rows, mut rejected, raw, .. } = chunk;
        // Within the file: one row per code, one code per ID number.
        let mut kept: Vec<Row> = Vec::with_capacity(rows.len());
        for r in rows {
            for w in &r.warnings {
                pass.lists.warnings.push(w.clone())?;
            }
            let dups = pass.in_file.check(r.row, &r.code, r.id.as_str());
            for d in &dups {
                rejected.push(match *d {
                    Duplicate::Code(first) => reject(
                        r.row,
                        Some("医保对应代码"),
                        "duplicate_in_file",
                        format!("{} already appears in row {first}", r.code),
                        format!("医保对应代码 {} 与第{first}行重复", r.code),
                    ),
                    Duplicate::IdNumber(first) => reject(
                        r.row,
                        Some("身份证号码"),
                        "duplicate_in_file",
                        format!("this ID number already appears in row {first} with another code"),
                        format!("身份证号码与第{first}行重复但医保对应代码不同"),
                    ),
                });
            }
            if dups.is_empty() {
                kept.push(r);
            }
        }

        // Against the ledger: the people of this chunk.
        let (known, holders) = {
            let mut c = self.conn()?;
            let codes: Vec<String> = kept.iter().map(|r| r.code.clone()).collect();
            let ids: Vec<String> = kept.iter().map(|r| r.id.as_str().to_string()).collect();
            (facts::practitioners_by_codes(&mut c, &codes)?, facts::practitioners_by_id_numbers(&mut c, &ids)?)
        };
        let ledger = Ledger {
            known: &known,
            holders: &holders,
            in_force: pass.in_force,
            details: &pass.staff.details,
            names: &pass.staff.names,
            ended: &pass.staff.ended,
            disclose: pass.disclose,
        };
        let Planned { plans, rejected: mut planned_rejections } = plan(pass.institution, kept, &ledger, pass.today);
        rejected.append(&mut planned_rejections);

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

        for (r, plan) in plans {
            let rr = |fields: Vec<&'static str>| RowRef {
                row: Some(r.row),
                personnel_code: r.code.clone(),
                name: r.details.name.clone(),
                fields,
                banned_until: banned.get(&r.row).copied(),
                resumed_on: r.resumed,
            };
            let action = match plan {
                Plan::Add => {
                    pass.lists.added.push(rr(Vec::new()))?;
                    StagedAction::Add
                }
                Plan::Change(f) => {
                    pass.lists.changed.push(rr(f))?;
                    StagedAction::Change
                }
                Plan::Deregister(reg, on) => {
                    pass.lists.deregistered.push(rr(Vec::new()))?;
                    StagedAction::Deregister(reg, on)
                }
                Plan::Unchanged => {
                    pass.lists.unchanged.push(r.row)?;
                    continue;
                }
            };
            if pass.opts.commit {
                pass.stage.push(&Staged {
                    known: known.contains_key(&r.code),
                    id_number: r.id.as_str().to_string(),
                    birth_date: r.id.birth_date(),
                    category: r.category,
                    registered_on: r.registered_on,
                    code: r.code,
                    details: r.details,
                    action,
                })?;
            }
        }

        // The chunk's rejections in row order (rows come in order, so the file's are too),
        // and its rejected rows, with their reasons, for the clerk to fix.
        if rejected.is_empty() {
            return Ok(());
        }
        rejected.sort_by_key(|r| r.row);
        let rows: BTreeSet<u64> = rejected.iter().map(|r| r.row).collect();
        pass.rejected_rows += rows.len();
        let mut reasons_of: HashMap<u64, Vec<String>> = HashMap::new();
        for r in &rejected {
            reasons_of.entry(r.row).or_default().push(reason_text(r));
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        let internal = |e: csv::Error| Error::Internal(e.into());
        if pass.lists.rejected_csv.is_none() {
            w.write_record(rejected_csv_header(&pass.header_cells)).map_err(internal)?;
        }
        for row in rows {
            let Some(cells) = raw.get(&row) else { continue };
            let reasons = reasons_of.remove(&row).unwrap_or_default();
            w.write_record(rejected_csv_record(cells, pass.header_cells.len(), row, &reasons)).map_err(internal)?;
        }
        let bytes = w.into_inner().map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?;
        let spool = match pass.lists.rejected_csv.as_mut() {
            Some(s) => s,
            None => pass.lists.rejected_csv.insert(Spool::new()?),
        };
        spool.write(&bytes)?;
        for r in rejected {
            pass.lists.rejected.push(r)?;
        }
        Ok(())
    }
}
