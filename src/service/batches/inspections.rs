//! `POST /inspections/batch`, `jifen import violations`: one row per violation, grouped into
//! inspections by 检查编号.

use std::collections::BTreeMap;
use std::io::Read;

use chrono::NaiveDate;

use super::{date_cell, reject_all, report, rows_of_error, BatchCounts, BatchOptions, BatchReport, BatchRow};
use crate::domain::codes::region_of;
use crate::error::Result;
use crate::service::inspections::{NewInspection, NewViolation, PreparedInspection};
use crate::service::sheet_import::{read_sheet, reject, Rejection};
use crate::service::{Action, App, Caller, Lock};
use crate::sheets::Column;
use crate::store::facts;

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

impl App {
    /// `POST /inspections/batch`, `jifen import violations`: one row per violation, grouped into
    /// inspections by 检查编号, each recorded under the key `batch:<检查编号>`.
    /// `region`: a county officer's county; inspections elsewhere are refused.
    pub fn upload_violations(
        &self,
        caller: &Caller,
        input: impl Read + 'static,
        opts: BatchOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<BatchReport> {
        caller.permit(Action::RecordInspection)?;
        let region = caller.region();
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
            if region.is_some_and(|reg| region_of(&first.institution) != Some(reg)) {
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
        let locks: Vec<Lock> = ready.iter().flat_map(|(_, p)| p.locks()).collect();
        self.write(caller, &locks, |c, touched| {
            for (_, p) in &ready {
                self.apply_inspection(c, touched, p)?;
            }
            Ok(())
        })?;
        r.committed = true;
        Ok(r)
    }
}
