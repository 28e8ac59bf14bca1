//! `POST /training-tests/batch`, `jifen import tests`: a year's 三(三) results.

use std::collections::HashMap;
use std::io::Read;

use chrono::Datelike;

use super::{date_cell, parse_flag, report, BatchCounts, BatchOptions, BatchReport, BatchRow};
use crate::error::Result;
use crate::rules::{self, TestFact, TestFormat};
use crate::service::{person_lock, Action, App, Caller, Lock};
use crate::sheets::upload::{from_error, read_sheet, reject};
use crate::sheets::Column;
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

struct TestRow {
    code: String,
    fact: TestFact,
}

impl App {
    /// `POST /training-tests/batch`, `jifen import tests`.
    pub fn upload_tests(
        &self,
        caller: &Caller,
        input: impl Read + Send + 'static,
        opts: BatchOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<BatchReport> {
        caller.permit(Action::RecordTest)?;
        let mut sheet = read_sheet(input, TEST_COLUMNS, progress, |rec| {
            let row = rec.row;
            let mut errs = Vec::new();
            let code = rec.get("personnel_code").unwrap_or("").to_ascii_uppercase();
            if code.is_empty() {
                errs.push(reject(
                    row,
                    Some("医保对应代码"),
                    "missing_field",
                    "医保对应代码 is empty".into(),
                    "医保对应代码不能为空".into(),
                ));
            }
            let tested_on = date_cell(rec, "tested_on", "测试日期", &mut errs);
            let format = match rec.get("format").unwrap_or("") {
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
            let passed = rec.get("passed").and_then(parse_flag);
            if passed.is_none() {
                errs.push(reject(
                    row,
                    Some("是否合格"),
                    "invalid_passed",
                    "是否合格 is 合格 or 不合格".into(),
                    "是否合格应为 合格 或 不合格".into(),
                ));
            }
            let score = match rec.get("score") {
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
        let mut r = report("training_tests", &mut sheet, opts);
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
        let locks: Vec<Lock> = accepted.iter().map(|(_, t)| person_lock(&t.code)).collect();
        self.write(caller, &locks, |c, touched| {
            for (_, t) in &accepted {
                self.apply_test(c, touched, &t.code, &t.fact)?;
            }
            Ok(())
        })?;
        r.committed = true;
        Ok(r)
    }
}
