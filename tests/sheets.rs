//! Every spreadsheet fixture of `tests/fixtures/sheets/` (made by
//! `tests/fixtures/make_sheet_fixtures.py` with openpyxl and xlwt) read through the public
//! API of `jifen::sheets`, with the rows, row numbers, skipped rows and diagnoses a clerk
//! must get. Row numbers are the ones Excel shows.

use jifen::error::Error;
use jifen::sheets::export::{to_bytes, to_xlsx};
use jifen::sheets::{
    open, CellKind, Checked, Column, ExportEncoding, Format, Record, SheetError, SheetReader, SkipReason, Skipped,
};

/// 附件1, in the order of the roster upload (a copy: these tests exercise the reader only).
const ROSTER: &[Column] = &[
    Column { field: "name", names: &["姓名", "name"], required: true },
    Column { field: "id_number", names: &["身份证号码", "id_number"], required: true },
    Column { field: "category", names: &["医保支付资格类别", "category"], required: true },
    Column { field: "personnel_code", names: &["医保对应代码", "personnel_code"], required: true },
    Column { field: "practice_registered_on", names: &["注册时间", "registered_on"], required: true },
    Column { field: "practice_scope", names: &["执业范围"], required: false },
    Column { field: "phone", names: &["联系电话"], required: false },
    Column { field: "practice_place", names: &["注册地点"], required: false },
    Column { field: "filed_on", names: &["备案时间"], required: false },
    Column { field: "certificate_no", names: &["执业证书编号"], required: false },
    Column { field: "operation", names: &["操作"], required: false },
    Column { field: "deregistered_on", names: &["注销时间"], required: false },
];

const TESTS: &[Column] = &[
    Column { field: "personnel_code", names: &["医保对应代码"], required: true },
    Column { field: "tested_on", names: &["测试日期"], required: true },
    Column { field: "format", names: &["测试形式"], required: true },
    Column { field: "delivery", names: &["考试方式"], required: false },
    Column { field: "score", names: &["成绩"], required: false },
    Column { field: "passed", names: &["是否合格"], required: true },
    Column { field: "name", names: &["姓名"], required: false },
    Column { field: "id_number", names: &["身份证号码"], required: false },
];

const VIOLATIONS: &[Column] = &[
    Column { field: "inspection_ref", names: &["检查编号"], required: true },
    Column { field: "institution_code", names: &["定点医药机构编码"], required: true },
    Column { field: "personnel_code", names: &["医保对应代码"], required: true },
    Column { field: "items", names: &["扣分情形"], required: true },
    Column { field: "inspected_on", names: &["检查日期"], required: true },
    Column { field: "decided_on", names: &["处理决定日期"], required: true },
    Column { field: "fund_loss", names: &["基金损失"], required: false },
    Column { field: "note", names: &["备注"], required: false },
    Column { field: "name", names: &["姓名"], required: false },
];

// The ID numbers of the fixtures (GB 11643 check characters computed by the script).
const ID1: &str = "37081119800101001X";
const ID2: &str = "370811197503150026";
const ID3: &str = "370811199006200036";
const ID_X: &str = "37081119850505004X";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/sheets/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A fixture read to the end.
struct Read {
    format: Format,
    encoding: Option<&'static str>,
    delimiter: Option<char>,
    sheet: Option<String>,
    header_row: u64,
    title_rows: Vec<u64>,
    records: Vec<Record>,
    skipped: Vec<(u64, u64, SkipReason)>,
}

fn read(name: &str, columns: &[Column]) -> Read {
    read_bytes(fixture(name), columns)
}

fn read_bytes(bytes: Vec<u8>, columns: &[Column]) -> Read {
    let reader = SheetReader::open(std::io::Cursor::new(bytes), columns).unwrap();
    let info = reader.info().clone();
    let (header_row, title_rows) = (reader.header().row, reader.header().title_rows.clone());
    let (records, skipped) = reader.read_all();
    Read {
        format: info.format,
        encoding: info.encoding,
        delimiter: info.delimiter,
        sheet: info.sheet,
        header_row,
        title_rows,
        records: records.into_iter().map(|r| r.unwrap()).collect(),
        skipped: skipped.iter().map(|s: &Skipped| (s.row, s.last_row, s.reason)).collect(),
    }
}

impl Read {
    fn rows(&self) -> Vec<u64> {
        self.records.iter().map(|r| r.row).collect()
    }

    /// A field of every record.
    fn column(&self, field: &str) -> Vec<Option<String>> {
        self.records.iter().map(|r| r.get(field).map(str::to_string)).collect()
    }

    fn at(&self, row: u64) -> &Record {
        self.records.iter().find(|r| r.row == row).unwrap_or_else(|| panic!("no record at row {row}"))
    }
}

fn some(v: &[&str]) -> Vec<Option<String>> {
    v.iter().map(|s| Some(s.to_string())).collect()
}

/// The three people of the plain roster fixtures, read the same from every encoding.
fn assert_three_people(r: &Read) {
    assert_eq!(r.column("name"), some(&["张三", "李四", "王五"]));
    assert_eq!(r.column("id_number"), some(&[ID1, ID2, ID3]));
    assert_eq!(r.column("personnel_code"), some(&["D370811100001", "N370811100002", "HY370811100003"]));
    assert_eq!(r.column("practice_registered_on"), some(&["2015-07-01", "2012-09-01", "2018-03-01"]));
    for rec in &r.records {
        assert!(matches!(rec.check("id_number"), Checked::Clean(_)), "row {}", rec.row);
    }
}

#[test]
fn gbk_csv_with_title_rows_an_empty_row_and_totals() {
    let r = read("roster_gbk.csv", ROSTER);
    assert_eq!((r.format, r.encoding, r.delimiter), (Format::Text, Some("gbk"), Some(',')));
    assert_eq!((r.header_row, r.title_rows.clone()), (3, vec![1, 2]));
    assert_eq!(r.rows(), vec![4, 5, 6]);
    assert_three_people(&r);
    assert_eq!(r.skipped, vec![(7, 7, SkipReason::Empty), (8, 8, SkipReason::Total)]);
}

#[test]
fn utf8_without_bom_counts_empty_lines_in_the_row_numbers() {
    let r = read("roster_utf8.csv", ROSTER);
    assert_eq!((r.encoding, r.header_row), (Some("utf-8"), 1));
    // 李四 is on line 5 of the file: Excel's row 5, not the third record.
    assert_eq!(r.rows(), vec![2, 5, 7]);
    assert_three_people(&r);
    assert_eq!(
        r.skipped,
        vec![
            (3, 4, SkipReason::Empty),
            (6, 6, SkipReason::Empty),
            (8, 8, SkipReason::Note),
            (9, 9, SkipReason::Signature)
        ]
    );
}

#[test]
fn utf8_with_bom_and_the_header_as_clerks_write_it() {
    let reader = SheetReader::open(std::io::Cursor::new(fixture("roster_utf8_bom.csv")), ROSTER).unwrap();
    let h = reader.header().clone();
    let mapped: Vec<(&str, &str)> = h.columns.iter().map(|c| (c.field, c.header.as_str())).collect();
    assert_eq!(
        mapped,
        vec![
            ("name", "姓名*"),
            ("id_number", "身份证号码（必填）"),
            ("category", "人员类别"),
            ("personnel_code", "医保医师代码"),
            ("practice_registered_on", "注册日期"),
            ("practice_scope", "执业范围"),
            ("phone", "手机号"),
            ("practice_place", "执业地点"),
            ("filed_on", "备案日期"),
            ("certificate_no", "执业证书号"),
        ]
    );
    assert!(h.unknown.is_empty(), "序号 is ignored, not unknown: {:?}", h.unknown);
    assert_eq!(reader.info().encoding, Some("utf-8-bom"));
    let r = read("roster_utf8_bom.csv", ROSTER);
    assert_eq!(r.rows(), vec![2, 3, 4]);
    assert_three_people(&r);
}

#[test]
fn utf16_tab_separated_with_and_without_bom() {
    let r = read("roster_utf16le_bom.txt", ROSTER);
    assert_eq!((r.encoding, r.delimiter), (Some("utf-16le"), Some('\t')));
    assert_eq!((r.header_row, r.title_rows.clone(), r.rows()), (2, vec![1], vec![3, 4, 5]));
    assert_three_people(&r);

    let r = read("roster_utf16le.txt", ROSTER);
    assert_eq!((r.encoding, r.delimiter, r.rows()), (Some("utf-16le"), Some('\t'), vec![2, 3, 4]));
    assert_three_people(&r);

    let r = read("roster_utf16be_bom.txt", ROSTER);
    assert_eq!((r.encoding, r.delimiter, r.rows()), (Some("utf-16be"), Some('\t'), vec![2, 3, 4]));
    assert_three_people(&r);
}

#[test]
fn gbk_tab_separated_as_excel_saves_text_files() {
    let r = read("roster_gbk.tsv", ROSTER);
    assert_eq!((r.encoding, r.delimiter), (Some("gbk"), Some('\t')));
    assert_eq!((r.header_row, r.title_rows.clone(), r.rows()), (3, vec![1, 2], vec![4, 5, 6]));
    assert_three_people(&r);
    assert_eq!(r.at(4).get("practice_scope"), Some("内科,外科"), "a comma inside a tab-separated cell");
}

#[test]
fn semicolon_separated() {
    let r = read("roster_semicolon.csv", ROSTER);
    assert_eq!((r.delimiter, r.rows()), (Some(';'), vec![2, 3]));
    assert_eq!(r.column("name"), some(&["张三", "李四"]));
}

/// What a check said, in short: the state and the value or code.
fn short(c: &Checked) -> (&'static str, String) {
    match c {
        Checked::Clean(v) => ("clean", v.clone()),
        Checked::Fixed { value, .. } => ("fixed", value.clone()),
        Checked::Warning { value, .. } => ("warning", value.clone()),
        Checked::Damaged { code, .. } => ("damaged", code.to_string()),
    }
}

#[test]
fn every_kind_of_excel_damage_in_a_csv_is_recognised_and_explained() {
    let r = read("roster_damaged.csv", ROSTER);
    assert_eq!(r.rows(), (2..=14).collect::<Vec<u64>>());
    let ids: Vec<(u64, (&str, String))> =
        r.records.iter().map(|rec| (rec.row, short(&rec.check("id_number")))).collect();
    let want = |s: &'static str, v: &str| (s, v.to_string());
    assert_eq!(
        ids,
        vec![
            (2, want("damaged", "excel_number")),
            (3, want("damaged", "excel_truncated")),
            (4, want("warning", "370811198001011231")),
            (5, want("fixed", ID1)),
            (6, want("fixed", ID2)),
            (7, want("fixed", ID3)),
            (8, want("fixed", ID1)),
            (9, want("fixed", ID2)),
            (10, want("fixed", ID_X)),
            (11, want("clean", ID3)),
            (12, want("clean", ID1)),
            (13, want("clean", ID1)),
            (14, want("clean", ID2)),
        ]
    );
    let zh = |row: u64, field: &str| r.at(row).check(field).message_zh().unwrap_or_default().to_string();
    assert_eq!(zh(2, "id_number"), "身份证号码被 Excel 转成了数字（3.70811E+17），请将该列设置为“文本”格式后重新填写");
    assert!(zh(3, "id_number").contains("后三位是 000 且校验码不符"), "{}", zh(3, "id_number"));
    assert!(zh(4, "id_number").starts_with("15位旧身份证号码 370811800101123 已按国家标准升为18位"));
    assert_eq!(zh(5, "id_number"), "全角字符已改为半角");
    assert_eq!(zh(6, "id_number"), "去掉了开头的单引号");
    assert_eq!(zh(7, "id_number"), "去掉了 =\"…\" 外壳");
    assert_eq!(zh(8, "id_number"), "删除了中间的空格");
    assert_eq!(zh(9, "id_number"), "删除了不可见字符");
    assert_eq!(zh(10, "id_number"), "末位小写 x 已改为大写 X");
    // A name that lost a character, a code typed in full width, a formula for a phone
    // number, a certificate number Excel rounded.
    assert!(matches!(r.at(11).check("name"), Checked::Warning { ref value, .. } if value == "张?"));
    assert_eq!(short(&r.at(12).check("personnel_code")), want("fixed", "D370811200011"));
    assert_eq!(zh(12, "personnel_code"), "全角字符已改为半角；小写字母已改为大写");
    assert_eq!(short(&r.at(13).check("phone")), want("damaged", "formula_like"));
    assert_eq!(short(&r.at(14).check("certificate_no")), want("damaged", "excel_number"));
    assert_eq!(
        zh(14, "certificate_no"),
        "执业证书编号被 Excel 转成了数字（1.10371E+14），请将该列设置为“文本”格式后重新填写"
    );
    // The other names and codes are clean.
    for rec in &r.records {
        if rec.row != 11 {
            assert!(matches!(rec.check("name"), Checked::Clean(_)), "row {}", rec.row);
        }
        if rec.row != 12 {
            assert!(matches!(rec.check("personnel_code"), Checked::Clean(_)), "row {}", rec.row);
        }
    }
}

#[test]
fn a_header_without_required_columns_names_them_all() {
    let err = SheetReader::open(std::io::Cursor::new(fixture("roster_missing_columns.csv")), ROSTER).err().unwrap();
    assert_eq!(
        err,
        SheetError::MissingColumns {
            header_row: 1,
            missing: vec!["医保支付资格类别".into(), "医保对应代码".into(), "注册时间".into()],
            found: vec!["姓名".into(), "身份证号".into(), "科室".into()],
        }
    );
    let Error::Client(c) = Error::from(err) else { panic!("a client error") };
    assert_eq!((c.code, c.row), ("missing_column", Some(1)));
    assert_eq!(
        c.message_zh,
        "表头（第1行）缺少以下列：“医保支付资格类别”、“医保对应代码”、“注册时间”。找到的列：“姓名”、“身份证号”、“科室”"
    );
}

/// The workbook fixtures hold the same roster: .xlsx (openpyxl) and .xls (xlwt).
fn assert_the_roster_workbook(r: &Read) {
    assert_eq!(r.sheet.as_deref(), Some("附件1花名册"), "the roster sheet, not the instructions before it");
    assert_eq!((r.header_row, r.title_rows.clone()), (3, vec![1, 2]));
    assert_eq!(r.rows(), vec![4, 5, 7, 8, 9, 10]);
    assert_eq!(
        r.skipped,
        vec![
            (6, 6, SkipReason::Empty),
            (11, 11, SkipReason::Empty),
            (12, 12, SkipReason::Total),
            (13, 13, SkipReason::Note),
            (14, 14, SkipReason::Signature),
        ]
    );
    assert_eq!(r.column("name"), some(&["张三", "李四", "王五", "赵六", "钱七", "孙八"]));
    // Dates: date cells as YYYY-MM-DD, text dates as typed.
    let first = r.at(4);
    assert_eq!(first.cell("practice_registered_on").unwrap().kind, CellKind::Date);
    assert_eq!(
        r.column("practice_registered_on"),
        some(&["2015-07-01", "2012-09-01", "2018-03-01", "2019/5/6", "2020-01-02", "2021-02-03"])
    );
    assert_eq!(first.get("filed_on"), Some("2024-01-01"));
    let day = |y, m, d| Ok(chrono::NaiveDate::from_ymd_opt(y, m, d));
    assert_eq!(first.date("practice_registered_on"), day(2015, 7, 1));
    assert_eq!(r.at(8).date("practice_registered_on"), day(2019, 5, 6));
    assert_eq!(r.at(7).date("filed_on"), Ok(None));
    assert_eq!(r.at(7).date("name"), Err("王五"));
    // Numbers where Excel held numbers: a mobile number is whole, a 15-digit certificate
    // number exact (and reported), an 18-digit ID number lost.
    assert_eq!(first.check("phone"), Checked::Clean("13800000001".into()));
    assert_eq!(short(&first.check("certificate_no")), ("fixed", "110370800000001".into()));
    assert_eq!(first.check("id_number"), Checked::Clean(ID1.into()));
    let numeric_id = r.at(5).cell("id_number").unwrap();
    assert!(numeric_id.is_numeric());
    assert_eq!(numeric_id.text, "3.70811E+17");
    let ids: Vec<(u64, (&str, String))> =
        r.records.iter().map(|rec| (rec.row, short(&rec.check("id_number")))).collect();
    assert_eq!(
        ids,
        vec![
            (4, ("clean", ID1.into())),
            (5, ("damaged", "excel_number".into())),
            (7, ("damaged", "excel_number".into())),
            (8, ("warning", "370811198001011231".into())),
            (9, ("fixed", ID3.into())),
            (10, ("fixed", ID1.into())),
        ]
    );
    assert_eq!(
        r.at(5).check("id_number").message_zh(),
        Some("身份证号码被 Excel 转成了数字（3.70811E+17），请将该列设置为“文本”格式后重新填写")
    );
}

#[test]
fn xlsx_with_an_instructions_sheet_title_rows_numbers_dates_and_totals() {
    let r = read("roster_title.xlsx", ROSTER);
    assert_eq!((r.format, r.encoding), (Format::Xlsx, None));
    assert_the_roster_workbook(&r);
}

#[test]
fn xls_the_same_roster_in_the_old_binary_format() {
    let r = read("roster_title.xls", ROSTER);
    assert_eq!(r.format, Format::Xls);
    assert_the_roster_workbook(&r);
}

#[test]
fn the_format_comes_from_the_bytes_not_the_name() {
    let source = open(std::io::Cursor::new(fixture("roster_title.xlsx"))).unwrap();
    assert_eq!(source.info().sheets, vec!["填表说明", "附件1花名册"]);
    assert_eq!(open(std::io::Cursor::new(fixture("roster_title.xls"))).unwrap().info().format, Format::Xls);
    assert_eq!(open(std::io::Cursor::new(Vec::new())).err(), Some(SheetError::Empty));
    // A zip that is not a workbook.
    let zip = b"PK\x03\x04not really a zip".to_vec();
    assert!(open(std::io::Cursor::new(zip)).is_err());
}

#[test]
fn a_test_centre_file_in_gbk_with_its_own_words() {
    let reader = SheetReader::open(std::io::Cursor::new(fixture("tests_gbk.tsv")), TESTS).unwrap();
    let mapped: Vec<(&str, &str)> = reader.header().columns.iter().map(|c| (c.field, c.header.as_str())).collect();
    assert_eq!(
        mapped,
        vec![
            ("name", "姓名"),
            ("personnel_code", "医保医师代码"),
            ("id_number", "身份证号"),
            ("tested_on", "考试日期"),
            ("format", "测试形式"),
            ("delivery", "考试方式"),
            ("score", "成绩（分）"),
            ("passed", "是否合格"),
        ]
    );
    let r = read("tests_gbk.tsv", TESTS);
    assert_eq!((r.encoding, r.delimiter, r.header_row), (Some("gbk"), Some('\t'), 2));
    assert_eq!(r.rows(), vec![3, 4, 5]);
    assert_eq!(r.column("score"), some(&["85.5", "85分", "缺考"]));
    assert_eq!(r.column("tested_on"), vec![Some("2024-06-01".into()), Some("2024-06-01".into()), None]);
    assert_eq!(r.skipped, vec![(6, 6, SkipReason::Total)]);
}

#[test]
fn a_test_centre_xlsx_with_numbers_and_date_cells() {
    let r = read("tests.xlsx", TESTS);
    assert_eq!((r.format, r.sheet.as_deref(), r.header_row), (Format::Xlsx, Some("成绩"), 2));
    assert_eq!(r.rows(), vec![3, 4, 5]);
    let score = r.at(3).cell("score").unwrap();
    assert_eq!((score.text.as_str(), score.is_numeric()), ("85.5", true));
    assert_eq!(r.column("score"), some(&["85.5", "85分", "缺考"]));
    assert_eq!(r.column("tested_on"), vec![Some("2024-06-01".into()), Some("2024-06-01".into()), None]);
    assert_eq!(r.at(3).cell("tested_on").unwrap().kind, CellKind::Date);
    assert_eq!(r.at(3).date("tested_on"), Ok(chrono::NaiveDate::from_ymd_opt(2024, 6, 1)));
    assert_eq!(r.at(5).date("tested_on"), Ok(None), "an empty 测试日期 is no date");
}

#[test]
fn an_inspection_sheet_in_gbk_csv() {
    let r = read("violations_gbk.csv", VIOLATIONS);
    assert_eq!((r.encoding, r.header_row, r.rows()), (Some("gbk"), 1, vec![2, 3]));
    assert_eq!(r.column("institution_code"), some(&["H37081100001", "H37081100001"]));
    assert_eq!(r.column("fund_loss"), some(&["1,234.50元", "￥5,000"]));
    assert_eq!(r.column("items"), some(&["1.2", "１.３"]));
    assert_eq!(r.at(2).check("institution_code"), Checked::Clean("H37081100001".into()));
    assert_eq!(r.skipped, vec![(4, 4, SkipReason::Total)]);
}

/// Export → open as Excel would → read again: the same values, nothing damaged.
#[test]
fn exports_read_back_unchanged_as_xlsx_and_csv() {
    let r = read("roster_gbk.csv", ROSTER);
    let header: Vec<&str> = ROSTER.iter().map(|c| c.names[0]).collect();
    let rows: Vec<Vec<String>> = r
        .records
        .iter()
        .map(|rec| ROSTER.iter().map(|c| rec.get(c.field).unwrap_or_default().to_string()).collect())
        .collect();
    for bytes in [
        to_xlsx("花名册", &header, &rows).unwrap(),
        to_bytes(&header, &rows, ExportEncoding::Utf8Bom).unwrap(),
        to_bytes(&header, &rows, ExportEncoding::Gbk).unwrap(),
    ] {
        let back = read_bytes(bytes, ROSTER);
        assert_eq!(back.rows(), vec![2, 3, 4]);
        assert_three_people(&back);
        for (rec, want) in back.records.iter().zip(&rows) {
            let got: Vec<String> = ROSTER.iter().map(|c| rec.get(c.field).unwrap_or_default().to_string()).collect();
            assert_eq!(&got, want);
            assert!(!rec.cell("id_number").unwrap().is_numeric());
        }
    }
}

/// A text source that makes a roster of `n` rows as it is read, never holding it whole.
struct Generated {
    n: u64,
    next: u64,
    buf: Vec<u8>,
}

impl std::io::Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.buf.is_empty() && self.next <= self.n {
            self.buf = if self.next == 0 {
                "姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间\r\n".as_bytes().to_vec()
            } else if self.next.is_multiple_of(1000) {
                b"\r\n".to_vec() // an empty line now and then
            } else {
                format!("人员{0},{ID1},医保医师,D37081{0:07},2020-01-01\r\n", self.next).into_bytes()
            };
            self.next += 1;
        }
        let k = self.buf.len().min(out.len());
        out[..k].copy_from_slice(&self.buf[..k]);
        self.buf.drain(..k);
        Ok(k)
    }
}

#[test]
fn a_large_file_streams_with_every_row_number_right() {
    let n = 100_000;
    let mut reader = SheetReader::open(Generated { n, next: 0, buf: Vec::new() }, ROSTER).unwrap();
    let mut count = 0u64;
    let mut last = 0;
    for rec in reader.by_ref() {
        let rec = rec.unwrap();
        // Line k + 1 holds record k: empty lines included in the numbering.
        assert_eq!(rec.get("personnel_code").unwrap(), format!("D37081{:07}", rec.row - 1));
        count += 1;
        last = rec.row;
    }
    assert_eq!((count, last), (n - n / 1000, n));
    assert_eq!(reader.skipped().len() as u64, n / 1000 - 1, "the empty line at the very end is not listed");
}

/// Peak resident memory (VmHWM) of this process, in MiB, after resetting it.
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").expect("Linux 4.0 or later");
}

fn peak_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
}

/// Memory stays flat in the row count: 5 × 10^5 rows read as text and as .xlsx under 150 MiB
/// (the .xlsx bytes, 10^5 shared strings and the process included). Run alone:
/// `cargo test --release --test sheets -- --ignored --test-threads=1`.
#[test]
#[ignore = "measures the whole process: run alone"]
fn peak_memory_is_flat_in_the_row_count() {
    let n = 500_000;
    reset_peak();
    let reader = SheetReader::open(Generated { n, next: 0, buf: Vec::new() }, ROSTER).unwrap();
    let count = reader.filter(|r| r.is_ok()).count() as u64;
    let text_peak = peak_mib();
    assert_eq!(count, n - n / 1000);
    eprintln!("text: {n} rows, peak {text_peak} MiB");
    assert!(text_peak < 150, "text: {text_peak} MiB");

    let header = ["姓名", "身份证号码", "医保支付资格类别", "医保对应代码", "注册时间"];
    let mut w = jifen::sheets::export::XlsxWriter::new("花名册", &header, &[]).unwrap();
    for k in 1..=n {
        let row =
            [format!("人员{k}"), ID1.to_string(), "医保医师".into(), format!("D37081{k:07}"), "2020-01-01".into()];
        w.write_row(&row).unwrap();
    }
    let bytes = w.finish().unwrap();
    let size = bytes.len() / (1024 * 1024);
    reset_peak();
    let reader = SheetReader::open(std::io::Cursor::new(bytes), ROSTER).unwrap();
    let count = reader.filter(|r| r.is_ok()).count() as u64;
    let xlsx_peak = peak_mib();
    assert_eq!(count, n);
    eprintln!("xlsx: {n} rows ({size} MiB), peak {xlsx_peak} MiB");
    assert!(xlsx_peak < 150, "xlsx: {xlsx_peak} MiB");
}
