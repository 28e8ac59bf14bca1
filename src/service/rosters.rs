//! Roster upload (全量维护, 附件1): HR's staff list from Excel — preview, then commit all or
//! nothing (or the good rows, returning the rejected ones as a CSV to fix and re-upload).
//! `delta` applies each row's 操作 (新增/变更/注销, default: add or update); `snapshot` also
//! deregisters the institution's staff missing from the file. The same file twice changes
//! nothing the second time.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use chrono::NaiveDate;
use serde::Serialize;

use super::sheet_import::{from_error, read_sheet, reject, Rejection};
use super::{institution_lock, person_lock, App};
use crate::domain::dates::today_china;
use crate::domain::{Category, IdNumber};
use crate::error::{Error, Result};
use crate::rules::SanctionKind;
use crate::rules::{self, PractitionerFacts, RegistrationFact};
use crate::sheets::{parse_sheet_date, Column, Header};
use crate::store::bulk::{self, NewRegistrationRow, NewRosterRow};
use crate::store::facts::{self, Practitioner, RosterDetails};
use crate::store::projections::PractitionerProjection;

pub const ROSTER_COLUMNS: &[Column] = &[
    Column { field: "name", names: &["姓名", "name"], required: true },
    Column {
        field: "id_number", names: &["身份证号码", "id_number", "身份证号", "身份证"], required: true
    },
    Column {
        field: "category", names: &["医保支付资格类别", "category", "资格类别", "类别"], required: true
    },
    Column {
        field: "personnel_code", names: &["医保对应代码", "personnel_code", "医保代码", "code"], required: true
    },
    Column {
        field: "practice_registered_on", names: &["注册时间", "registered_on", "注册日期"], required: true
    },
    Column { field: "practice_scope", names: &["执业范围", "practice_scope", "scope"], required: false },
    Column { field: "phone", names: &["联系电话", "phone", "电话"], required: false },
    Column { field: "practice_place", names: &["注册地点", "practice_place", "place"], required: false },
    Column { field: "filed_on", names: &["备案时间", "filed_on", "备案日期"], required: false },
    Column {
        field: "certificate_no", names: &["执业证书编号", "certificate_no", "certificate"], required: false
    },
    Column { field: "operation", names: &["操作", "operation", "action"], required: false },
    Column { field: "deregistered_on", names: &["注销时间", "deregistered_on", "注销日期"], required: false },
];

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
    /// The rejected rows with a 错误原因 column, to fix and upload again.
    pub rejected_csv: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Upsert,
    Add,
    Change,
    Deregister,
}

#[derive(Debug, Clone)]
struct Row {
    row: u64,
    op: Operation,
    id: IdNumber,
    category: Category,
    code: String,
    details: RosterDetails,
    registered_on: NaiveDate,
    deregistered_on: Option<NaiveDate>,
}

enum Plan {
    Add,
    Change(Vec<&'static str>),
    Unchanged,
    Deregister(i64, NaiveDate),
}

impl App {
    /// Reads, checks and (when asked) applies a roster file. `progress` is told each row read.
    pub fn upload_roster(
        &self,
        institution: &str,
        input: impl Read + 'static,
        opts: UploadOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<RosterReport> {
        let institution = institution.trim().to_ascii_uppercase();
        {
            let mut c = self.conn()?;
            if facts::institution(&mut c, &institution)?.is_none() {
                return Err(Error::not_found("institution", "定点医药机构"));
            }
        }
        let mut sheet = read_sheet(input, ROSTER_COLUMNS, progress, |h, rec, row| {
            self.parse_roster_row(&institution, h, rec, row)
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
            unknown_columns: sheet.header.unknown.clone(),
            rejected_csv: None,
        };
        let mut plans: Vec<(Row, Plan)> = Vec::new();
        for r in rows.into_iter().filter(|r| !dup_rows.contains(&r.row)) {
            let row = r.row;
            let mut errs = Vec::new();
            if let Some((id, category)) = known.get(&r.code) {
                if id != r.id.as_str() {
                    errs.push(reject(
                        row,
                        Some("医保对应代码"),
                        "code_held_by_another",
                        format!("{} is held by another ID number", r.code),
                        format!("医保对应代码 {} 已被其他身份证号码使用", r.code),
                    ));
                } else if *category != r.category {
                    errs.push(reject(
                        row,
                        Some("医保支付资格类别"),
                        "category_mismatch",
                        format!("{} is registered as {}", r.code, category.as_str()),
                        format!("{} 已登记为其他类别", r.code),
                    ));
                }
            }
            if let Some(other) = holders.get(r.id.as_str()).filter(|c| **c != r.code) {
                errs.push(reject(
                    row,
                    Some("身份证号码"),
                    "id_number_has_another_code",
                    format!("this ID number already holds the code {other}"),
                    format!("该身份证号码已登记医保对应代码 {other}"),
                ));
            }
            let current = in_force.get(r.code.as_str());
            let plan = match (r.op, current) {
                (Operation::Deregister, Some(reg)) => {
                    let on = r.deregistered_on.unwrap_or(today);
                    if on < reg.registered_on {
                        errs.push(reject(
                            row,
                            Some("注销时间"),
                            "invalid_date",
                            "deregistration before the registration".into(),
                            "注销时间早于登记时间".into(),
                        ));
                    }
                    Plan::Deregister(reg.id, on)
                }
                (Operation::Deregister, None) => {
                    errs.push(reject(
                        row,
                        Some("操作"),
                        "not_registered",
                        format!("{} is not registered at {institution}", r.code),
                        format!("{} 未在本机构登记，无法注销", r.code),
                    ));
                    Plan::Unchanged
                }
                (Operation::Change, None) => {
                    errs.push(reject(
                        row,
                        Some("操作"),
                        "not_registered",
                        format!("{} is not registered at {institution}: use 新增", r.code),
                        format!("{} 未在本机构登记，无法变更（应为新增）", r.code),
                    ));
                    Plan::Unchanged
                }
                (_, None) => Plan::Add,
                (_, Some(_)) => {
                    let stored = details.get(&r.code).cloned().unwrap_or_else(|| {
                        let (name, phone) = names.get(&r.code).cloned().unwrap_or_default();
                        RosterDetails {
                            institution_code: institution.clone(),
                            personnel_code: r.code.clone(),
                            name,
                            phone,
                            ..Default::default()
                        }
                    });
                    let changed = changed_fields(&stored, &r.details);
                    if changed.is_empty() {
                        Plan::Unchanged
                    } else {
                        Plan::Change(changed)
                    }
                }
            };
            if errs.is_empty() {
                plans.push((r, plan));
            } else {
                rejected.append(&mut errs);
            }
        }
        // Snapshot: whoever is registered here and absent from the file is deregistered.
        let mut snapshot_out: Vec<(String, i64)> = Vec::new();
        if opts.mode == RosterMode::Snapshot {
            let listed: HashSet<&str> = by_code.keys().map(String::as_str).collect();
            for (code, reg) in &in_force {
                if !listed.contains(code) {
                    snapshot_out.push((code.to_string(), reg.id));
                }
            }
            snapshot_out.sort();
        }
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
                name: String::new(),
                fields: Vec::new(),
                banned_until: None,
            });
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
        if !opts.commit || (!report.rejected.is_empty() && !opts.partial) || writes == 0 {
            return Ok(report);
        }
        let mut locks = vec![institution_lock(&institution)];
        locks.extend(plans.iter().map(|(r, _)| person_lock(&r.code)));
        locks.extend(snapshot_out.iter().map(|(c, _)| person_lock(c)));
        self.write(&locks, |c, touched| {
            let now = crate::store::now();
            // New people: their whole ledger is this row, so they are inserted in bulk and
            // their projection computed from these facts alone (no read back).
            let new_people: Vec<&Row> = plans
                .iter()
                .filter(|(r, p)| matches!(p, Plan::Add) && !known.contains_key(&r.code))
                .map(|(r, _)| r)
                .collect();
            if !new_people.is_empty() {
                let inst_facts = facts::institution_facts(c, &institution)?
                    .ok_or_else(|| Error::not_found("institution", "定点医药机构"))?;
                bulk::practitioners(
                    c,
                    &new_people
                        .iter()
                        .map(|r| Practitioner {
                            personnel_code: r.code.clone(),
                            name: r.details.name.clone(),
                            id_number: r.id.as_str().to_string(),
                            category: r.category,
                            birth_date: r.id.birth_date(),
                            phone: r.details.phone.clone(),
                            recorded_at: now,
                        })
                        .collect::<Vec<_>>(),
                )?;
                bulk::registrations(
                    c,
                    &new_people
                        .iter()
                        .map(|r| NewRegistrationRow {
                            institution_code: institution.clone(),
                            personnel_code: r.code.clone(),
                            registered_on: r.registered_on,
                            recorded_at: now,
                        })
                        .collect::<Vec<_>>(),
                )?;
                let codes: Vec<String> = new_people.iter().map(|r| r.code.clone()).collect();
                for id in bulk::registration_ids(c, &institution, &codes)? {
                    touched.fact("registrations", id);
                }
                for code in &codes {
                    touched.fact("practitioners", code);
                }
                bulk::roster_entries(
                    c,
                    &new_people
                        .iter()
                        .map(|r| NewRosterRow { details: r.details.clone(), recorded_at: now })
                        .collect::<Vec<_>>(),
                )?;
                let mut intervals = Vec::new();
                for r in &new_people {
                    let f = PractitionerFacts {
                        personnel_code: r.code.clone(),
                        birth_date: r.id.birth_date(),
                        registrations: vec![RegistrationFact {
                            id: 0,
                            institution_code: institution.clone(),
                            registered_on: r.registered_on,
                            deregistered_on: None,
                        }],
                        deductions: Vec::new(),
                        tests: Vec::new(),
                        institutions: vec![inst_facts.clone()],
                    };
                    let t = rules::evaluate(&self.packs, &f)?;
                    intervals.extend(PractitionerProjection::of(&t, &[]).intervals);
                    touched.publish(t);
                }
                bulk::intervals(c, &intervals)?;
            }
            let mut recompute: Vec<&str> = Vec::new();
            for (r, plan) in &plans {
                match plan {
                    Plan::Unchanged => continue,
                    Plan::Add if !known.contains_key(&r.code) => continue,
                    Plan::Add => {
                        let id = facts::insert_registration(c, &institution, &r.code, r.registered_on)?;
                        touched.fact("registrations", id);
                        facts::insert_roster_details(c, &r.details)?;
                    }
                    Plan::Change(_) => facts::insert_roster_details(c, &r.details)?,
                    Plan::Deregister(reg, on) => {
                        let id = facts::insert_deregistration(c, *reg, *on)?;
                        touched.fact("deregistrations", id);
                    }
                }
                recompute.push(&r.code);
            }
            for (code, reg) in &snapshot_out {
                let id = facts::insert_deregistration(c, *reg, today)?;
                touched.fact("deregistrations", id);
                recompute.push(code);
            }
            for code in recompute {
                self.recompute(c, touched, code)?;
            }
            Ok(())
        })?;
        report.committed = true;
        Ok(report)
    }

    fn parse_roster_row(
        &self,
        institution: &str,
        h: &Header,
        rec: &csv::StringRecord,
        row: u64,
    ) -> std::result::Result<Row, Vec<Rejection>> {
        let mut errs = Vec::new();
        let name = h.get(rec, "name").unwrap_or("").to_string();
        if name.is_empty() {
            errs.push(reject(row, Some("姓名"), "missing_field", "姓名 (name) is empty".into(), "姓名不能为空".into()));
        }
        let id = match h.get(rec, "id_number") {
            Some(s) => IdNumber::parse("身份证号码", s).map_err(|e| errs.push(from_error(row, "身份证号码", e))).ok(),
            None => {
                errs.push(reject(
                    row,
                    Some("身份证号码"),
                    "missing_field",
                    "身份证号码 (ID number) is empty".into(),
                    "身份证号码不能为空".into(),
                ));
                None
            }
        };
        let category = Category::parse("医保支付资格类别", h.get(rec, "category").unwrap_or(""))
            .map_err(|e| errs.push(from_error(row, "医保支付资格类别", e)))
            .ok();
        let code = category.and_then(|cat| {
            self.formats
                .personnel_code("医保对应代码", h.get(rec, "personnel_code").unwrap_or(""), cat)
                .map_err(|e| errs.push(from_error(row, "医保对应代码", e)))
                .ok()
        });
        let mut date = |field: &str, column: &str, required: bool| -> Option<NaiveDate> {
            match h.get(rec, field) {
                Some(s) => {
                    let d = parse_sheet_date(s);
                    if d.is_none() {
                        errs.push(reject(
                            row,
                            Some(column),
                            "invalid_date",
                            format!("{column}: '{s}' is not a date (2024-03-01)"),
                            format!("{column}：'{s}' 不是有效日期（如 2024-03-01）"),
                        ));
                    }
                    d
                }
                None if required => {
                    errs.push(reject(
                        row,
                        Some(column),
                        "missing_field",
                        format!("{column} is empty"),
                        format!("{column}不能为空"),
                    ));
                    None
                }
                None => None,
            }
        };
        let practice_registered_on = date("practice_registered_on", "注册时间", true);
        let filed_on = date("filed_on", "备案时间", false);
        let deregistered_on = date("deregistered_on", "注销时间", false);
        let op = match h.get(rec, "operation") {
            None => Some(Operation::Upsert),
            Some("新增" | "add" | "增加") => Some(Operation::Add),
            Some("变更" | "change" | "修改") => Some(Operation::Change),
            Some("注销" | "deregister" | "remove" | "删除") => Some(Operation::Deregister),
            Some(other) => {
                errs.push(reject(
                    row,
                    Some("操作"),
                    "invalid_operation",
                    format!("操作 '{other}' is 新增, 变更 or 注销"),
                    format!("操作 '{other}' 应为 新增、变更 或 注销"),
                ));
                None
            }
        };
        let phone = h.get(rec, "phone").map(str::to_string);
        if let Some(p) = &phone {
            if !p.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ' || c == '+') || p.len() > 20 {
                errs.push(reject(
                    row,
                    Some("联系电话"),
                    "invalid_phone",
                    "联系电话 is not a phone number".into(),
                    "联系电话格式不正确".into(),
                ));
            }
        }
        match (id, category, code, practice_registered_on, op) {
            (Some(id), Some(category), Some(code), Some(reg_on), Some(op)) if errs.is_empty() => {
                let text = |f: &str| h.get(rec, f).map(str::to_string);
                Ok(Row {
                    row,
                    op,
                    category,
                    code: code.as_str().to_string(),
                    registered_on: filed_on.unwrap_or(reg_on),
                    deregistered_on,
                    details: RosterDetails {
                        institution_code: institution.to_string(),
                        personnel_code: code.as_str().to_string(),
                        name,
                        phone,
                        practice_scope: text("practice_scope"),
                        practice_place: text("practice_place"),
                        practice_registered_on: Some(reg_on),
                        filed_on,
                        certificate_no: text("certificate_no"),
                    },
                    id,
                })
            }
            _ => Err(errs),
        }
    }
}

fn changed_fields(old: &RosterDetails, new: &RosterDetails) -> Vec<&'static str> {
    let mut out = Vec::new();
    if old.name != new.name {
        out.push("姓名");
    }
    let pairs: [(&'static str, &Option<String>, &Option<String>); 4] = [
        ("联系电话", &old.phone, &new.phone),
        ("执业范围", &old.practice_scope, &new.practice_scope),
        ("注册地点", &old.practice_place, &new.practice_place),
        ("执业证书编号", &old.certificate_no, &new.certificate_no),
    ];
    for (n, a, b) in pairs {
        if a != b {
            out.push(n);
        }
    }
    if old.practice_registered_on != new.practice_registered_on {
        out.push("注册时间");
    }
    if old.filed_on != new.filed_on {
        out.push("备案时间");
    }
    out
}
