//! `POST /training-tests/batch`, `jifen import tests`: a year's 三(三) results. A row whose
//! 是否合格 is 缺考 records an absence (never a pass, never a fail); 免考 is refused: the notice
//! knows no exemption.

use std::collections::HashMap;
use std::io::Read;

use chrono::Datelike;

use super::{bump, date_cell, parse_flag, report, BatchCounts, BatchOptions, BatchReport, BatchRow};
use crate::domain::Score;
use crate::error::Result;
use crate::rules::{self, TestFact, TestFormat};
use crate::service::progress::Progress;
use crate::service::training_tests::{contradiction, future_test};
use crate::service::{person_lock, Action, App, Caller, Lock};
use crate::sheets::upload::{from_error, read_sheet, reject};
use crate::sheets::Column;
use crate::store::facts::{self, Delivery};

pub const TEST_COLUMNS: &[Column] = &[
    Column {
        field: "personnel_code", names: &["医保对应代码", "personnel_code", "医保代码", "code"], required: false
    },
    Column { field: "id_number", names: &["身份证号码", "id_number"], required: false },
    Column { field: "name", names: &["姓名", "name"], required: false },
    Column { field: "tested_on", names: &["测试日期", "tested_on", "测试时间", "date"], required: true },
    Column { field: "format", names: &["测试形式", "format", "形式"], required: false },
    Column { field: "delivery", names: &["考试方式", "delivery"], required: false },
    Column { field: "score", names: &["成绩", "score", "分数"], required: false },
    Column { field: "passed", names: &["是否合格", "passed", "合格", "结果"], required: true },
];

struct TestRow {
    /// The code as given; empty when the row names the person by ID number only.
    code: String,
    id_number: Option<String>,
    name: Option<String>,
    /// `None`: the file gives no 闭卷/开卷 (or only how the test was delivered); derived by age.
    format: Option<TestFormat>,
    /// 考试方式 (线上/线下/笔试/机考), recorded as given.
    delivery: Option<Delivery>,
    /// The score as written: 85.5 is kept (三(三) pass mark compared exactly).
    score: Option<Score>,
    fact: TestFact,
    /// 缺考: the person did not sit the test (recorded as an absence, 三(三)).
    absent: bool,
}

/// 闭卷/开卷 is the test's format (三(三)); 线上/线下/笔试/机考 is only how it was delivered.
fn format_of(s: &str) -> Result<Option<TestFormat>, ()> {
    match s.trim() {
        "闭卷" | "closed" | "Closed" => Ok(Some(TestFormat::Closed)),
        "开卷" | "open" | "Open" => Ok(Some(TestFormat::Open)),
        "" | "线上" | "线下" | "笔试" | "机考" | "网考" | "现场" => Ok(None),
        _ => Err(()),
    }
}

impl App {
    /// `POST /training-tests/batch`, `jifen import tests`.
    pub fn upload_tests(
        &self,
        caller: &Caller,
        input: impl Read + Send + 'static,
        opts: BatchOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<BatchReport> {
        caller.permit(Action::RecordTest)?;
        let mut read = 0u64;
        let mut reading = |_: u64| progress(Progress::reading(bump(&mut read)));
        let mut sheet = read_sheet(input, TEST_COLUMNS, &mut reading, |rec| {
            let row = rec.row;
            let mut errs = Vec::new();
            let code = rec.check("personnel_code").value().unwrap_or("").to_ascii_uppercase();
            let id_number = rec.check("id_number").value().map(str::to_string).filter(|v| !v.is_empty());
            if code.is_empty() && id_number.is_none() {
                errs.push(reject(
                    row,
                    Some("医保对应代码"),
                    "missing_field",
                    "医保对应代码 is empty (or give 身份证号码)".into(),
                    "医保对应代码不能为空（或填写身份证号码）".into(),
                ));
            }
            let tested_on = date_cell(rec, "tested_on", "测试日期", &mut errs);
            if tested_on.is_none() && rec.get("tested_on").is_none() {
                errs.push(reject(
                    row,
                    Some("测试日期"),
                    "missing_field",
                    "测试日期 is empty".into(),
                    "测试日期不能为空".into(),
                ));
            }
            let format = match format_of(rec.get("format").unwrap_or("")) {
                Ok(f) => f,
                Err(()) => {
                    let other = rec.get("format").unwrap_or("");
                    errs.push(reject(
                        row,
                        Some("测试形式"),
                        "invalid_format",
                        format!("测试形式 '{other}' is 闭卷 or 开卷 (or how it was delivered: 线上, 线下, 笔试, 机考)"),
                        format!("测试形式 '{other}' 应为 闭卷 或 开卷（线上、线下、笔试、机考 为考试方式）"),
                    ));
                    None
                }
            };
            // 考试方式: how it was delivered. A test centre that writes 闭卷/开卷 there means the format.
            let delivery_cell = rec.get("delivery").map(str::trim).unwrap_or("");
            let (delivery, format) = match (Delivery::read(delivery_cell), format_of(delivery_cell)) {
                _ if delivery_cell.is_empty() => (None, format),
                (Some(d), _) => (Some(d), format),
                (None, Ok(Some(f))) if format.is_none() || format == Some(f) => (None, Some(f)),
                _ => {
                    errs.push(reject(
                        row,
                        Some("考试方式"),
                        "invalid_delivery",
                        format!("考试方式 '{delivery_cell}' is 线上, 线下, 笔试 or 机考"),
                        format!("考试方式 '{delivery_cell}' 应为 线上、线下、笔试 或 机考"),
                    ));
                    (None, format)
                }
            };
            // …and one that writes 线上/机考 under 测试形式 means the delivery.
            let delivery = delivery.or_else(|| rec.get("format").and_then(Delivery::read));
            let absent = matches!(rec.get("passed").map(str::trim), Some("缺考"));
            let passed = match rec.get("passed").map(str::trim) {
                // 三(三): an absence is recorded as such: not a pass, not a fail.
                Some("缺考") => Some(false),
                Some("免考") => {
                    errs.push(reject(
                        row,
                        Some("是否合格"),
                        "exemption_not_recorded",
                        "免考: the notice (三(三)) knows no exemption from the yearly test; the row was not recorded"
                            .into(),
                        "免考：通知（三(三)）未规定免于测试，本行未记录".into(),
                    ));
                    None
                }
                other => {
                    let p = other.and_then(parse_flag);
                    if p.is_none() {
                        errs.push(reject(
                            row,
                            Some("是否合格"),
                            "invalid_passed",
                            "是否合格 is 合格 or 不合格".into(),
                            "是否合格应为 合格 或 不合格".into(),
                        ));
                    }
                    p
                }
            };
            let score = match rec.get("score") {
                None => None,
                // Test centres write 缺考 in the score column too.
                Some(s) if s.trim() == "缺考" => None,
                Some(s) => match Score::parse(s) {
                    Some(f) => Some(f),
                    None => {
                        errs.push(reject(
                            row,
                            Some("成绩"),
                            "invalid_score",
                            format!("成绩 '{s}' is not a score (0 to 1000, at most 2 decimals)"),
                            format!("成绩 '{s}' 无效（应为0-1000的数，最多两位小数）"),
                        ));
                        None
                    }
                },
            };
            match (tested_on, passed) {
                (Some(tested_on), Some(passed)) if errs.is_empty() => Ok(TestRow {
                    code,
                    id_number,
                    name: rec.get("name").map(str::to_string),
                    format,
                    delivery,
                    score,
                    fact: TestFact { id: 0, tested_on, format: format.unwrap_or(TestFormat::Closed), score, passed },
                    absent,
                }),
                _ => Err(errs),
            }
        })?;
        let mut r = report("training_tests", &mut sheet, opts);
        let rows = std::mem::take(&mut sheet.rows);
        let mut later = Vec::new();
        let mut seen: HashMap<(String, i32), u64> = HashMap::new();
        // The pass mark of each year in the file, shown in the preview (三(三)).
        let mut pass_marks: std::collections::BTreeMap<i32, u32> = std::collections::BTreeMap::new();
        let mut accepted: Vec<(u64, TestRow)> = Vec::new();
        let mut c = self.conn()?;
        let today = crate::domain::dates::today_china();
        let total = rows.len();
        for (k, (row, mut t)) in rows.into_iter().enumerate() {
            progress(Progress::checking(k as u64, total));
            let refuse =
                |column: &str, code: &'static str, en: String, zh: String| reject(row, Some(column), code, en, zh);
            // The person: by code, or by ID number when the file has no code.
            let p = if t.code.is_empty() {
                let id = t.id_number.clone().unwrap_or_default();
                match facts::practitioners_by_id_numbers(&mut c, std::slice::from_ref(&id))?.remove(&id) {
                    Some(code) => facts::practitioner(&mut c, &code)?,
                    None => None,
                }
            } else {
                facts::practitioner(&mut c, &t.code)?
            };
            let Some(p) = p else {
                later.push(refuse(
                    "医保对应代码",
                    "unknown_practitioner",
                    format!("{} is not registered", t.code),
                    format!("{} 未登记备案", if t.code.is_empty() { "该身份证号码" } else { t.code.as_str() }),
                ));
                continue;
            };
            t.code = p.personnel_code.clone();
            if let Some(id) = t.id_number.as_deref().filter(|id| !id.eq_ignore_ascii_case(&p.id_number)) {
                let _ = id;
                later.push(refuse(
                    "身份证号码",
                    "id_number_mismatch",
                    format!("the ID number is not the one registered for {}: check the row", t.code),
                    format!("身份证号码与医保对应代码 {} 登记的不一致，请核对", t.code),
                ));
                continue;
            }
            if let Some(m) = name_mismatch(&p.personnel_code, &p.name, t.name.as_deref(), row) {
                later.push(m);
                continue;
            }
            if let Some((en, zh)) = future_test(t.fact.tested_on, today) {
                later.push(refuse("测试日期", "future_date", en, zh));
                continue;
            }
            if t.absent {
                // 三(三) 缺考: recorded as an absence, unless the year already has a test or this
                // absence is recorded already.
                if let Err(e) = self.packs.scoring(rules::Dated::Test, t.fact.tested_on) {
                    later.push(from_error(row, "测试日期", e.into()));
                    continue;
                }
                let year = t.fact.tested_on.year();
                let tests = facts::practitioner_facts(&mut c, &t.code)?.map(|f| f.tests).unwrap_or_default();
                if facts::absences_of(&mut c, &t.code)?.iter().any(|a| a.absent_on == t.fact.tested_on) {
                    r.unchanged.push(row);
                    continue;
                }
                if tests.iter().any(|e| e.tested_on.year() == year) || seen.contains_key(&(t.code.clone(), year)) {
                    later.push(refuse(
                        "是否合格",
                        "already_tested",
                        format!("{} has a test in {year}: an absence would contradict it", t.code),
                        format!("{} 在{year}年度已有测试记录，不能再记为缺考", t.code),
                    ));
                    continue;
                }
                r.accepted.push(BatchRow { row, personnel_code: t.code.clone(), inspection_ref: None });
                accepted.push((row, t));
                continue;
            }
            // A row outside every policy pack is that row's rejection, never the file's.
            let pack = match self.packs.scoring(rules::Dated::Test, t.fact.tested_on) {
                Ok(pack) => pack,
                Err(e) => {
                    later.push(from_error(row, "测试日期", e.into()));
                    continue;
                }
            };
            t.fact.format =
                t.format.unwrap_or_else(|| rules::training::required_format(pack, p.birth_date, t.fact.tested_on));
            let year = t.fact.tested_on.year();
            if let Some(score) = t.score {
                let mark = match pass_marks.get(&year) {
                    Some(m) => *m,
                    None => {
                        let m = self.pass_mark_of(&mut c, year)?.mark;
                        pass_marks.insert(year, m);
                        m
                    }
                };
                if let Some((en, zh)) = contradiction(score, t.fact.passed, mark) {
                    later.push(refuse("是否合格", "result_contradicts_score", en, zh));
                    continue;
                }
            }
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
            if let Err(e) = rules::training::check(pack, p.birth_date, &earlier, t.fact.tested_on, t.fact.format) {
                let column =
                    if matches!(e, rules::RuleError::DuplicateTest(_)) { "测试日期" } else { "测试形式" };
                later.push(from_error(row, column, e.into()));
                continue;
            }
            r.accepted.push(BatchRow { row, personnel_code: t.code.clone(), inspection_ref: None });
            accepted.push((row, t));
        }
        r.pass_marks = pass_marks.clone();
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
        progress(Progress::writing(0, accepted.len()));
        let locks: Vec<Lock> = accepted.iter().map(|(_, t)| person_lock(&t.code)).collect();
        self.write(caller, &locks, |c, touched| {
            for (k, (_, t)) in accepted.iter().enumerate() {
                progress(Progress::writing(k as u64, accepted.len()));
                if t.absent {
                    self.apply_absence(c, touched, &t.code, t.fact.tested_on, "缺考（测试文件）")?;
                } else {
                    self.apply_test_with(c, touched, &t.code, &t.fact, None, t.delivery)?;
                }
            }
            Ok(())
        })?;
        r.committed = true;
        Ok(r)
    }
}

/// A row whose 姓名 is not the registered name of the person its code (or ID number) names.
fn name_mismatch(
    code: &str,
    registered: &str,
    name: Option<&str>,
    row: u64,
) -> Option<crate::sheets::upload::Rejection> {
    let name = name.map(str::trim).filter(|n| !n.is_empty())?;
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    if squash(name) == squash(registered) {
        return None;
    }
    Some(reject(
        row,
        Some("姓名"),
        "name_mismatch",
        format!("the file names {name}, but {code} belongs to {registered}: check the code"),
        format!("文件中的姓名「{name}」与医保对应代码 {code} 登记的姓名「{registered}」不一致，请核对代码"),
    ))
}
