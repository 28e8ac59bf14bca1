//! Bulk uploads beside the roster: the agency's training-test results (三(三)) and an
//! inspection's findings brought as a spreadsheet. Both preview by default, commit all or
//! nothing (or the good rows with `partial`), and are idempotent: the same file twice records
//! nothing the second time.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::inspections::{NewInspection, NewViolation, PreparedInspection};
use super::sheet_import::{from_error, read_sheet, reject, Rejection};
use super::{person_lock, App};
use crate::error::{Error, Result};
use crate::rules::{self, TestFact, TestFormat};
use crate::sheets::{parse_sheet_date, Column, Header};
use crate::store::facts;

pub const TEST_COLUMNS: &[Column] = &[
    Column {
        field: "personnel_code", names: &["医保对应代码", "personnel_code", "医保代码", "code"], required: true
    },
    Column { field: "tested_on", names: &["测试日期", "tested_on", "测试时间", "date"], required: true },
    Column { field: "format", names: &["测试形式", "format", "形式"], required: true },
    Column { field: "score", names: &["成绩", "score", "分数"], required: false },
    Column { field: "passed", names: &["是否合格", "passed", "合格", "结果"], required: true },
    Column { field: "name", names: &["姓名", "name"], required: false },
];

pub const VIOLATION_COLUMNS: &[Column] = &[
    Column {
        field: "inspection_ref",
        names: &["检查编号", "inspection_ref", "inspection", "检查批次"],
        required: true,
    },
    Column {
        field: "institution_code", names: &["定点医药机构编码", "institution_code", "机构编码"], required: true
    },
    Column {
        field: "personnel_code", names: &["医保对应代码", "personnel_code", "医保代码"], required: true
    },
    Column { field: "items", names: &["扣分情形", "items", "扣分项目", "情形"], required: true },
    Column { field: "inspected_on", names: &["检查日期", "inspected_on"], required: true },
    Column { field: "decided_on", names: &["处理决定日期", "decided_on", "决定日期"], required: true },
    Column { field: "occurred_on", names: &["违规发生日期", "occurred_on", "发生日期"], required: false },
    Column { field: "note", names: &["备注", "note", "违规事实"], required: false },
    Column { field: "fund_loss", names: &["基金损失", "fund_loss", "损失金额"], required: false },
    Column { field: "name", names: &["姓名", "name"], required: false },
];

#[derive(Debug, Clone, Copy)]
pub struct BatchOptions {
    pub commit: bool,
    pub partial: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct BatchRow {
    pub row: u64,
    pub personnel_code: String,
    /// For violations: the inspection reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inspection_ref: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct BatchCounts {
    pub accepted: usize,
    pub unchanged: usize,
    pub rejected: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct BatchReport {
    pub kind: &'static str,
    pub encoding: &'static str,
    pub rows: usize,
    pub commit: bool,
    pub committed: bool,
    pub counts: BatchCounts,
    /// Rows to record (recorded, when committed).
    pub accepted: Vec<BatchRow>,
    /// Rows already recorded by an earlier upload of the same facts.
    pub unchanged: Vec<u64>,
    pub rejected: Vec<Rejection>,
    pub unknown_columns: Vec<String>,
    pub rejected_csv: Option<String>,
}

struct TestRow {
    code: String,
    fact: TestFact,
}

fn parse_flag(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "合格" | "是" | "通过" | "true" | "yes" | "y" | "1" | "pass" | "passed" => Some(true),
        "不合格" | "否" | "未通过" | "false" | "no" | "n" | "0" | "fail" | "failed" => Some(false),
        _ => None,
    }
}

fn date_cell(
    h: &Header,
    rec: &csv::StringRecord,
    row: u64,
    field: &str,
    column: &str,
    errs: &mut Vec<Rejection>,
) -> Option<NaiveDate> {
    match h.get(rec, field) {
        Some(s) => {
            let d = parse_sheet_date(s);
            if d.is_none() {
                errs.push(reject(
                    row,
                    Some(column),
                    "invalid_date",
                    format!("{column}: '{s}' is not a date"),
                    format!("{column}：'{s}' 不是有效日期"),
                ));
            }
            d
        }
        None => None,
    }
}

fn report(
    kind: &'static str,
    encoding: &'static str,
    rows: usize,
    opts: BatchOptions,
    unknown: Vec<String>,
) -> BatchReport {
    BatchReport {
        kind,
        encoding,
        rows,
        commit: opts.commit,
        committed: false,
        counts: BatchCounts::default(),
        accepted: Vec::new(),
        unchanged: Vec::new(),
        rejected: Vec::new(),
        unknown_columns: unknown,
        rejected_csv: None,
    }
}

impl App {
    /// `POST /training-tests/batch`, `jifen import tests`.
    pub fn upload_tests(
        &self,
        input: impl Read + 'static,
        opts: BatchOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<BatchReport> {
        let mut sheet = read_sheet(input, TEST_COLUMNS, progress, |h, rec, row| {
            let mut errs = Vec::new();
            let code = h.get(rec, "personnel_code").unwrap_or("").to_ascii_uppercase();
            if code.is_empty() {
                errs.push(reject(
                    row,
                    Some("医保对应代码"),
                    "missing_field",
                    "医保对应代码 is empty".into(),
                    "医保对应代码不能为空".into(),
                ));
            }
            let tested_on = date_cell(h, rec, row, "tested_on", "测试日期", &mut errs);
            let format = match h.get(rec, "format").unwrap_or("") {
                "闭卷" | "closed" | "Closed" => Some(TestFormat::Closed),
                "开卷" | "open" | "Open" => Some(TestFormat::Open),
                other => {
                    errs.push(reject(
                        row,
                        Some("测试形式"),
                        "invalid_format",
                        format!("测试形式 '{other}' is 闭卷 or 开卷"),
                        format!("测试形式 '{other}' 应为 闭卷 或 开卷"),
                    ));
                    None
                }
            };
            let passed = h.get(rec, "passed").and_then(parse_flag);
            if passed.is_none() {
                errs.push(reject(
                    row,
                    Some("是否合格"),
                    "invalid_passed",
                    "是否合格 is 合格 or 不合格".into(),
                    "是否合格应为 合格 或 不合格".into(),
                ));
            }
            let score = match h.get(rec, "score") {
                None => None,
                Some(s) => match s.parse::<f64>().ok().filter(|f| (0.0..=1000.0).contains(f)) {
                    Some(f) => Some(f.round() as i32),
                    None => {
                        errs.push(reject(
                            row,
                            Some("成绩"),
                            "invalid_score",
                            format!("成绩 '{s}' is not a score"),
                            format!("成绩 '{s}' 无效"),
                        ));
                        None
                    }
                },
            };
            match (tested_on, format, passed) {
                (Some(tested_on), Some(format), Some(passed)) if errs.is_empty() => {
                    Ok(TestRow { code, fact: TestFact { id: 0, tested_on, format, score, passed } })
                }
                _ => Err(errs),
            }
        })?;
        let mut r = report("training_tests", sheet.encoding, sheet.rows_read, opts, sheet.header.unknown.clone());
        let rows = std::mem::take(&mut sheet.rows);
        let mut later = Vec::new();
        let mut seen: HashMap<(String, i32), u64> = HashMap::new();
        let mut accepted: Vec<(u64, TestRow)> = Vec::new();
        let mut c = self.conn()?;
        for (row, t) in rows {
            let Some(p) = facts::practitioner(&mut c, &t.code)? else {
                later.push(reject(
                    row,
                    Some("医保对应代码"),
                    "unknown_practitioner",
                    format!("{} is not registered", t.code),
                    format!("{} 未登记备案", t.code),
                ));
                continue;
            };
            let year = t.fact.tested_on.year();
            if let Some(first) = seen.insert((t.code.clone(), year), row) {
                later.push(reject(
                    row,
                    Some("测试日期"),
                    "duplicate_test",
                    format!("{} already has a test in {year} in row {first}", t.code),
                    format!("{} 在第{first}行已有{year}年度测试", t.code),
                ));
                continue;
            }
            let earlier: Vec<TestFact> =
                facts::practitioner_facts(&mut c, &t.code)?.map(|f| f.tests).unwrap_or_default();
            if earlier.iter().any(|e| {
                e.tested_on == t.fact.tested_on
                    && e.format == t.fact.format
                    && e.passed == t.fact.passed
                    && e.score == t.fact.score
            }) {
                r.unchanged.push(row);
                continue;
            }
            let pack = self.packs.in_force(t.fact.tested_on)?;
            if let Err(e) = rules::training::check(pack, p.birth_date, &earlier, t.fact.tested_on, t.fact.format) {
                let column =
                    if matches!(e, rules::RuleError::DuplicateTest(_)) { "测试日期" } else { "测试形式" };
                later.push(from_error(row, column, e.into()));
                continue;
            }
            r.accepted.push(BatchRow { row, personnel_code: t.code.clone(), inspection_ref: None });
            accepted.push((row, t));
        }
        drop(c);
        sheet.reject_later(later);
        r.rejected_csv = sheet.finish_rejections()?;
        r.counts = BatchCounts {
            accepted: r.accepted.len(),
            unchanged: r.unchanged.len(),
            rejected: sheet.rejected_row_count(),
        };
        r.rejected = sheet.rejected;
        if !opts.commit || (!r.rejected.is_empty() && !opts.partial) || accepted.is_empty() {
            return Ok(r);
        }
        let locks: Vec<String> = accepted.iter().map(|(_, t)| person_lock(&t.code)).collect();
        self.write(&locks, |c, touched| {
            for (_, t) in &accepted {
                self.apply_test(c, touched, &t.code, &t.fact)?;
            }
            Ok(())
        })?;
        r.committed = true;
        Ok(r)
    }

    /// `POST /inspections/batch`, `jifen import violations`: one row per violation, grouped into
    /// inspections by 检查编号, each recorded under the key `batch:<检查编号>`.
    /// `region`: a county officer's county; inspections elsewhere are refused.
    pub fn upload_violations(
        &self,
        input: impl Read + 'static,
        opts: BatchOptions,
        region: Option<&str>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<BatchReport> {
        struct V {
            reference: String,
            institution: String,
            inspected_on: String,
            decided_on: String,
            violation: NewViolation,
        }
        let mut sheet = read_sheet(input, VIOLATION_COLUMNS, progress, |h, rec, row| {
            let mut errs = Vec::new();
            let text = |f: &str| h.get(rec, f).unwrap_or("").to_string();
            let reference = text("inspection_ref");
            if reference.is_empty() {
                errs.push(reject(
                    row,
                    Some("检查编号"),
                    "missing_field",
                    "检查编号 is empty".into(),
                    "检查编号不能为空".into(),
                ));
            }
            let dates: Vec<Option<NaiveDate>> =
                [("inspected_on", "检查日期"), ("decided_on", "处理决定日期"), ("occurred_on", "违规发生日期")]
                    .iter()
                    .map(|(f, c)| date_cell(h, rec, row, f, c, &mut errs))
                    .collect();
            if dates[0].is_none() && h.get(rec, "inspected_on").is_none() {
                errs.push(reject(
                    row,
                    Some("检查日期"),
                    "missing_field",
                    "检查日期 is empty".into(),
                    "检查日期不能为空".into(),
                ));
            }
            if dates[1].is_none() && h.get(rec, "decided_on").is_none() {
                errs.push(reject(
                    row,
                    Some("处理决定日期"),
                    "missing_field",
                    "处理决定日期 is empty".into(),
                    "处理决定日期不能为空".into(),
                ));
            }
            let items: Vec<String> = text("items")
                .split([';', '；', ',', '，', '、', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if !errs.is_empty() {
                return Err(errs);
            }
            let iso = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            Ok(V {
                reference,
                institution: text("institution_code").to_ascii_uppercase(),
                inspected_on: iso(dates[0]),
                decided_on: iso(dates[1]),
                violation: NewViolation {
                    personnel_code: text("personnel_code").to_ascii_uppercase(),
                    items,
                    occurred_on: dates[2].map(|d| d.to_string()),
                    note: text("note"),
                    points: None,
                    ban_months: None,
                    fund_loss: h.get(rec, "fund_loss").map(|s| serde_json::Value::String(s.to_string())),
                },
            })
        })?;
        let mut r = report("violations", sheet.encoding, sheet.rows_read, opts, sheet.header.unknown.clone());
        // Group by reference, in file order.
        let mut groups: BTreeMap<String, Vec<(u64, V)>> = BTreeMap::new();
        for (row, v) in std::mem::take(&mut sheet.rows) {
            groups.entry(v.reference.clone()).or_default().push((row, v));
        }
        let mut later = Vec::new();
        let mut ready: Vec<(Vec<u64>, PreparedInspection)> = Vec::new();
        let mut c = self.conn()?;
        for (reference, rows) in groups {
            let first = &rows[0].1;
            let row_numbers: Vec<u64> = rows.iter().map(|(r, _)| *r).collect();
            let inconsistent = rows.iter().find(|(_, v)| {
                v.institution != first.institution
                    || v.inspected_on != first.inspected_on
                    || v.decided_on != first.decided_on
            });
            if let Some((row, _)) = inconsistent {
                later.extend(reject_all(
                    &row_numbers,
                    Some("检查编号"),
                    "inconsistent_inspection",
                    format!("the rows of inspection {reference} differ in institution or dates (row {row})"),
                    format!("检查编号 {reference} 的各行机构或日期不一致（第{row}行）"),
                ));
                continue;
            }
            let req = NewInspection {
                institution_code: first.institution.clone(),
                inspected_on: first.inspected_on.clone(),
                decided_on: first.decided_on.clone(),
                violations: rows.iter().map(|(_, v)| v.violation.clone()).collect(),
            };
            let key = format!("batch:{reference}");
            let prepared = match self.prepare_inspection(Some(&key), &req) {
                Ok(p) => p,
                Err(e) => {
                    later.extend(rows_of_error(&row_numbers, e));
                    continue;
                }
            };
            if let Some(existing) = facts::inspection_by_key(&mut c, &key)? {
                if existing.request_hash == prepared.hash() {
                    r.unchanged.extend(&row_numbers);
                } else {
                    later.extend(reject_all(
                        &row_numbers,
                        Some("检查编号"),
                        "idempotency_conflict",
                        format!("inspection {reference} was already recorded with other rows"),
                        format!("检查编号 {reference} 已按不同内容记录"),
                    ));
                }
                continue;
            }
            if region.is_some_and(|reg| crate::domain::region_of(&first.institution) != Some(reg)) {
                later.extend(reject_all(
                    &row_numbers,
                    Some("定点医药机构编码"),
                    "outside_region",
                    format!("institution {} is outside your county", first.institution),
                    format!("定点医药机构 {} 不在本辖区", first.institution),
                ));
                continue;
            }
            if facts::institution(&mut c, &first.institution)?.is_none() {
                later.extend(reject_all(
                    &row_numbers,
                    Some("定点医药机构编码"),
                    "unknown_institution",
                    format!("institution {} is not registered", first.institution),
                    format!("定点医药机构 {} 不存在", first.institution),
                ));
                continue;
            }
            let codes: Vec<String> = rows.iter().map(|(_, v)| v.violation.personnel_code.clone()).collect();
            let known = facts::practitioners_by_codes(&mut c, &codes)?;
            let unknown: Vec<&(u64, V)> =
                rows.iter().filter(|(_, v)| !known.contains_key(&v.violation.personnel_code)).collect();
            if !unknown.is_empty() {
                for (rw, v) in unknown {
                    later.push(reject(
                        *rw,
                        Some("医保对应代码"),
                        "unknown_practitioner",
                        format!("{} is not registered", v.violation.personnel_code),
                        format!("{} 未登记备案", v.violation.personnel_code),
                    ));
                }
                continue;
            }
            for (row, v) in &rows {
                r.accepted.push(BatchRow {
                    row: *row,
                    personnel_code: v.violation.personnel_code.clone(),
                    inspection_ref: Some(reference.clone()),
                });
            }
            ready.push((row_numbers, prepared));
        }
        drop(c);
        // A group with a rejected row is not recorded in part.
        let rejected_rows: std::collections::HashSet<u64> = later.iter().map(|x: &Rejection| x.row).collect();
        sheet.reject_later(later);
        r.accepted.retain(|a| !rejected_rows.contains(&a.row));
        r.rejected_csv = sheet.finish_rejections()?;
        r.counts = BatchCounts {
            accepted: r.accepted.len(),
            unchanged: r.unchanged.len(),
            rejected: sheet.rejected_row_count(),
        };
        r.rejected = sheet.rejected;
        if !opts.commit || (!r.rejected.is_empty() && !opts.partial) || ready.is_empty() {
            return Ok(r);
        }
        let locks: Vec<String> = ready.iter().flat_map(|(_, p)| p.locks()).collect();
        self.write(&locks, |c, touched| {
            for (_, p) in &ready {
                self.apply_inspection(c, touched, p)?;
            }
            Ok(())
        })?;
        r.committed = true;
        Ok(r)
    }
}

/// The same rejection for every row of a group.
fn reject_all(rows: &[u64], column: Option<&str>, code: &'static str, en: String, zh: String) -> Vec<Rejection> {
    rows.iter().map(|row| reject(*row, column, code, en.clone(), zh.clone())).collect()
}

/// An inspection refused as a whole: the field `violations[k].…` names the row.
fn rows_of_error(rows: &[u64], e: Error) -> Vec<Rejection> {
    let field = e.client().and_then(|c| c.field.clone()).unwrap_or_default();
    let k = field.strip_prefix("violations[").and_then(|s| s.split(']').next()).and_then(|s| s.parse::<usize>().ok());
    let column = match field.rsplit('.').next() {
        Some("items") => "扣分情形",
        Some("occurred_on") => "违规发生日期",
        Some("fund_loss") => "基金损失",
        Some("personnel_code") => "医保对应代码",
        _ if field.contains("decided_on") => "处理决定日期",
        _ if field.contains("inspected_on") => "检查日期",
        _ => "检查编号",
    };
    match k.and_then(|k| rows.get(k)) {
        Some(row) => vec![from_error(*row, column, e)],
        None => rows.iter().map(|row| from_error(*row, column, clone_error(&e))).collect(),
    }
}

fn clone_error(e: &Error) -> Error {
    match e {
        Error::Client(c) => Error::Client(c.clone()),
        Error::Internal(i) => Error::Internal(anyhow::anyhow!("{i}")),
    }
}
