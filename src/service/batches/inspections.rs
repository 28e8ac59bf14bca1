//! `POST /inspections/batch`, `jifen import violations`: one row per violation, grouped into
//! inspections by 检查编号.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use chrono::NaiveDate;

use super::{bump, date_cell, reject_all, report, rows_of_error, BatchCounts, BatchOptions, BatchReport, BatchRow};
use crate::domain::codes::region_of;
use crate::error::Result;
use crate::service::inspections::{
    not_registered_here, registered_at, NewInspection, NewViolation, PreparedInspection,
};
use crate::service::progress::Progress;
use crate::service::{Action, App, Caller, Lock};
use crate::sheets::upload::{read_sheet, reject, Rejection};
use crate::sheets::Column;
use crate::store::{facts, DbConn};

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
    // Issue 17: the officer's points for a range item (national, 天津), as `violations[].points`.
    Column { field: "points", names: &["扣分分值", "points", "记分分值"], required: false },
    Column { field: "name", names: &["姓名", "name"], required: false },
];

impl App {
    /// `POST /inspections/batch`, `jifen import violations`: one row per violation, grouped into
    /// inspections by 检查编号, each recorded under the key `batch:<检查编号>`.
    /// A county officer's file may name only institutions of the county.
    pub fn upload_violations(
        &self,
        caller: &Caller,
        input: impl Read + Send + 'static,
        opts: BatchOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<BatchReport> {
        caller.permit(Action::RecordInspection)?;
        // Every row of each inspection, rows that fail to parse included: an inspection is
        // recorded whole or not at all.
        let mut rows_of_ref: HashMap<String, Vec<u64>> = HashMap::new();
        // Items named by words are matched against the catalogue (a listing: the newest pack).
        let catalogue = &self.packs.latest().items;
        let mut matched: Vec<Rejection> = Vec::new();
        let mut read = 0u64;
        let mut reading = |_: u64| progress(Progress::reading(bump(&mut read)));
        let mut sheet = read_sheet(input, VIOLATION_COLUMNS, &mut reading, |rec| {
            let row = rec.row;
            if let Some(reference) = rec.get("inspection_ref") {
                rows_of_ref.entry(reference.trim().to_string()).or_default().push(row);
            }
            let mut errs = Vec::new();
            let text = |f: &str| rec.get(f).unwrap_or("").to_string();
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
                    .map(|(f, c)| date_cell(rec, f, c, &mut errs))
                    .collect();
            if dates[0].is_none() && rec.get("inspected_on").is_none() {
                errs.push(reject(
                    row,
                    Some("检查日期"),
                    "missing_field",
                    "检查日期 is empty".into(),
                    "检查日期不能为空".into(),
                ));
            }
            if dates[1].is_none() && rec.get("decided_on").is_none() {
                errs.push(reject(
                    row,
                    Some("处理决定日期"),
                    "missing_field",
                    "处理决定日期 is empty".into(),
                    "处理决定日期不能为空".into(),
                ));
            }
            // Codes as officers type them (３.２, 1.2/3.3) or the catalogue's own words (挂床住院),
            // matched to the code and reported for the officer to check.
            let mut items = Vec::new();
            for part in half_width(&text("items")).split([';', '；', ',', '，', '、', ' ', '/', '／', '\n']) {
                let part = part.trim();
                if part.is_empty() {
                    continue;
                }
                match item_code(catalogue, part) {
                    Some(code) if code != part => {
                        items.push(code.to_string());
                        matched.push(reject(
                            row,
                            Some("扣分情形"),
                            "item_matched",
                            format!("'{part}' was read as catalogue item {code}: check it"),
                            format!("扣分情形「{part}」按记分目录匹配为 {code}，请核对"),
                        ));
                    }
                    _ => items.push(part.to_string()),
                }
            }
            let points = match rec.get("points").map(|s| half_width(s.trim())).filter(|s| !s.is_empty()) {
                None => None,
                Some(s) => match s.parse::<u32>() {
                    Ok(p) => Some(p),
                    Err(_) => {
                        errs.push(reject(
                            row,
                            Some("扣分分值"),
                            "invalid_points",
                            format!("扣分分值 '{s}' is not a whole number of points"),
                            format!("扣分分值「{s}」不是整数分值"),
                        ));
                        None
                    }
                },
            };
            if !errs.is_empty() {
                return Err(errs);
            }
            let iso = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            Ok(V {
                reference,
                name: rec.get("name").map(str::to_string),
                institution: text("institution_code").to_ascii_uppercase(),
                inspected_on: iso(dates[0]),
                decided_on: iso(dates[1]),
                violation: NewViolation {
                    personnel_code: text("personnel_code").to_ascii_uppercase(),
                    items,
                    occurred_on: dates[2].map(|d| d.to_string()),
                    note: text("note"),
                    points,
                    ban_months: None,
                    fund_loss: rec.get("fund_loss").map(|s| serde_json::Value::String(amount_text(s))),
                },
            })
        })?;
        let mut r = report("violations", &mut sheet, opts);
        r.warnings = matched;
        // Group by reference, in file order.
        let mut groups: BTreeMap<String, Vec<(u64, V)>> = BTreeMap::new();
        for (row, v) in std::mem::take(&mut sheet.rows) {
            groups.entry(v.reference.clone()).or_default().push((row, v));
        }
        let mut later = Vec::new();
        let mut ready: Vec<(Vec<u64>, PreparedInspection)> = Vec::new();
        let mut c = self.conn()?;
        let (total, mut checked) = (groups.values().map(Vec::len).sum::<usize>(), 0u64);
        for (reference, rows) in groups {
            progress(Progress::checking(checked, total));
            checked += rows.len() as u64;
            let row_numbers: Vec<u64> = rows.iter().map(|(r, _)| *r).collect();
            let mut own = self.check_group(&mut c, caller, &reference, &rows)?;
            let every_row = rows_of_ref.get(&reference).cloned().unwrap_or_else(|| row_numbers.clone());
            let failed_to_parse = every_row.iter().any(|row| sheet.is_rejected(*row));
            match own.take() {
                Some(Checked::Ready(prepared)) if !failed_to_parse => {
                    for (row, v) in &rows {
                        r.accepted.push(BatchRow {
                            row: *row,
                            personnel_code: v.violation.personnel_code.clone(),
                            inspection_ref: Some(reference.clone()),
                        });
                    }
                    ready.push((row_numbers, prepared));
                }
                Some(Checked::Unchanged) if !failed_to_parse => r.unchanged.extend(&row_numbers),
                outcome => {
                    let mut refused = match outcome {
                        Some(Checked::Refused(v)) => v,
                        _ => Vec::new(),
                    };
                    // The other rows of a refused inspection go back too, so that the fixed
                    // file records the whole inspection.
                    let named: std::collections::HashSet<u64> = refused.iter().map(|x| x.row).collect();
                    for row in every_row.iter().filter(|row| !named.contains(row) && !sheet.is_rejected(**row)) {
                        refused.push(reject(
                            *row,
                            Some("检查编号"),
                            "inspection_incomplete",
                            format!(
                                "another row of inspection {reference} is wrong: the whole inspection was not recorded"
                            ),
                            "本检查其他行有误，整条检查未记录".into(),
                        ));
                    }
                    later.extend(refused);
                }
            }
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
        if !opts.commit || (!r.rejected.is_empty() && !opts.partial) || ready.is_empty() {
            return Ok(r);
        }
        let (total, mut written) = (ready.iter().map(|(rows, _)| rows.len()).sum::<usize>(), 0u64);
        progress(Progress::writing(0, total));
        let locks: Vec<Lock> = ready.iter().flat_map(|(_, p)| p.locks()).collect();
        self.write(caller, &locks, |c, touched| {
            for (rows, p) in &ready {
                progress(Progress::writing(written, total));
                written += rows.len() as u64;
                self.apply_inspection(c, touched, p)?;
            }
            Ok(())
        })?;
        r.committed = true;
        Ok(r)
    }

    /// The checks of one inspection of the file against the ledger: ready to record, recorded
    /// already, or refused with each row's reason.
    fn check_group(
        &self,
        c: &mut DbConn,
        caller: &Caller,
        reference: &str,
        rows: &[(u64, V)],
    ) -> Result<Option<Checked>> {
        let first = &rows[0].1;
        let row_numbers: Vec<u64> = rows.iter().map(|(r, _)| *r).collect();
        let refuse = |v: Vec<Rejection>| Ok(Some(Checked::Refused(v)));
        if let Some((row, _)) = rows.iter().find(|(_, v)| {
            v.institution != first.institution
                || v.inspected_on != first.inspected_on
                || v.decided_on != first.decided_on
        }) {
            return refuse(reject_all(
                &row_numbers,
                Some("检查编号"),
                "inconsistent_inspection",
                format!("the rows of inspection {reference} differ in institution or dates (row {row})"),
                format!("检查编号 {reference} 的各行机构或日期不一致（第{row}行）"),
            ));
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
            Err(e) => return refuse(rows_of_error(&row_numbers, e)),
        };
        if let Some(existing) = facts::inspection_by_key(c, &key)? {
            if existing.request_hash == prepared.hash() {
                return Ok(Some(Checked::Unchanged));
            }
            return refuse(reject_all(
                &row_numbers,
                Some("检查编号"),
                "idempotency_conflict",
                format!("inspection {reference} was already recorded with other rows"),
                format!("检查编号 {reference} 已按不同内容记录"),
            ));
        }
        if caller.region().is_some_and(|reg| region_of(&first.institution) != Some(reg)) {
            return refuse(reject_all(
                &row_numbers,
                Some("定点医药机构编码"),
                "outside_region",
                format!("institution {} is outside your county", first.institution),
                format!("定点医药机构 {} 不在本辖区", first.institution),
            ));
        }
        if facts::institution(c, &first.institution)?.is_none() {
            return refuse(reject_all(
                &row_numbers,
                Some("定点医药机构编码"),
                "unknown_institution",
                format!("institution {} is not registered", first.institution),
                format!("定点医药机构 {} 不存在", first.institution),
            ));
        }
        let mut refused = Vec::new();
        let inspected_on = NaiveDate::parse_from_str(&first.inspected_on, "%Y-%m-%d").ok();
        for (row, v) in rows {
            let code = &v.violation.personnel_code;
            let on = v.violation.occurred_on.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            let Some(on) = on.or(inspected_on) else { continue };
            if !registered_at(c, &first.institution, code, on)? {
                let e = not_registered_here(code, &first.institution, on);
                refused.push(reject(*row, Some("医保对应代码"), "unknown_practitioner", e.message, e.message_zh));
                continue;
            }
            if let Some(mismatch) = name_mismatch(c, &first.institution, code, v.name.as_deref(), *row)? {
                refused.push(mismatch);
            }
        }
        if !refused.is_empty() {
            return refuse(refused);
        }
        Ok(Some(Checked::Ready(prepared)))
    }
}

/// One violation row of the file.
struct V {
    reference: String,
    institution: String,
    inspected_on: String,
    decided_on: String,
    /// 姓名 as the file gives it, compared with the person the code belongs to.
    name: Option<String>,
    violation: NewViolation,
}

/// What the checks made of one inspection.
enum Checked {
    Ready(PreparedInspection),
    Unchanged,
    Refused(Vec<Rejection>),
}

/// A row whose 姓名 is not the name of the person its code belongs to (by the roster of the
/// institution, or as first registered): the code may be someone else's.
pub(super) fn name_mismatch(
    c: &mut DbConn,
    institution: &str,
    code: &str,
    name: Option<&str>,
    row: u64,
) -> Result<Option<Rejection>> {
    let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else { return Ok(None) };
    let Some(p) = facts::practitioner(c, code)? else { return Ok(None) };
    let roster_name = facts::roster_details_at(c, institution)?.remove(code).map(|d| d.name);
    let same = |n: &str| n.split_whitespace().collect::<String>() == name.split_whitespace().collect::<String>();
    if same(&p.name) || roster_name.as_deref().is_some_and(same) {
        return Ok(None);
    }
    let registered = roster_name.unwrap_or(p.name);
    Ok(Some(reject(
        row,
        Some("姓名"),
        "name_mismatch",
        format!("the file names {name}, but {code} belongs to {registered}: check the code"),
        format!("文件中的姓名「{name}」与医保对应代码 {code} 登记的姓名「{registered}」不一致，请核对代码"),
    )))
}

/// Full-width digits and points as plain ones (Excel users type １.２).
fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' | '。' => '.',
            c => c,
        })
        .collect()
}

/// A catalogue item by its code, or by words that name exactly one item of the pack's catalogue
/// (四): the code when found.
fn item_code<'p>(catalogue: &'p [crate::rules::pack::Item], part: &str) -> Option<&'p str> {
    if let Some(i) = catalogue.iter().find(|i| i.code == part) {
        return Some(&i.code);
    }
    if part.chars().count() < 2 || part.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let mut hits = catalogue.iter().filter(|i| i.text.contains(part));
    match (hits.next(), hits.next()) {
        (Some(one), None) => Some(&one.code),
        _ => None,
    }
}

/// An amount as officers write it — `1,234.50元`, `¥5,000`, `1.2万元` — as plain yuan.
fn amount_text(s: &str) -> String {
    let t: String = half_width(s).chars().filter(|c| !matches!(c, ',' | '，' | '¥' | '￥' | ' ' | '元')).collect();
    match t.strip_suffix('万') {
        Some(n) => match n.parse::<rust_decimal::Decimal>() {
            Ok(d) => (d * rust_decimal::Decimal::from(10_000)).normalize().to_string(),
            Err(_) => s.to_string(),
        },
        None => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_items_as_officers_write_them() {
        assert_eq!(amount_text("1,234.50元"), "1234.50");
        assert_eq!(amount_text("¥5,000"), "5000");
        assert_eq!(amount_text("1.2万元"), "12000");
        assert_eq!(half_width("１.２"), "1.2");
        let packs = crate::rules::PackSet::embedded().unwrap();
        let items = &packs.latest().items;
        assert_eq!(item_code(items, "1.1"), Some("1.1"));
        assert_eq!(item_code(items, "挂床住院"), Some("1.1"));
        assert_eq!(item_code(items, "住院"), None, "more than one item names it");
        assert_eq!(item_code(items, "9.9"), None);
    }
}
