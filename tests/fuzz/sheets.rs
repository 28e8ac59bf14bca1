//! The spreadsheet reader on hostile and broken files: random bytes behind each format's
//! signature, byte mutations of every fixture (CSV, TSV, UTF-16, GBK, .xlsx, .xls), XML
//! mutations inside a real .xlsx, and generated text in every encoding. Each file is read as
//! a roster, a training-test file and a violations file, the way the uploads read them
//! (`sheets::upload::read_sheet`), every field of every row through its domain parser.

use std::io::{Cursor, Read, Write};
use std::sync::OnceLock;

use jifen::domain::codes::{Category, CodeFormats};
use jifen::domain::{dates, limits, Fen, IdNumber, Score};
use jifen::service::batches::{TEST_COLUMNS, VIOLATION_COLUMNS};
use jifen::service::rosters::ROSTER_COLUMNS;
use jifen::sheets::upload::{read_sheet, Rejection};
use jifen::sheets::{parse_sheet_date, Column, Record};
use proptest::prelude::*;

use super::harness::{bounded, config, fixtures};

fn formats() -> &'static CodeFormats {
    static F: OnceLock<CodeFormats> = OnceLock::new();
    F.get_or_init(CodeFormats::embedded)
}

/// Every value parser a field's text may reach.
pub fn parse_value(field: &str, t: &str) -> usize {
    let mut ok = 0;
    ok += usize::from(IdNumber::parse(field, t).is_ok());
    for c in Category::ALL {
        ok += usize::from(formats().personnel_code(field, t, c).is_ok());
    }
    for k in [jifen::domain::InstitutionKind::Medical, jifen::domain::InstitutionKind::Pharmacy] {
        ok += usize::from(formats().institution_code(field, t, k).is_ok());
    }
    ok += usize::from(Category::parse(field, t).is_ok());
    ok += usize::from(Score::parse(t).is_some());
    ok += usize::from(Fen::parse_yuan(field, t).is_ok());
    ok += usize::from(dates::parse_date(field, t).is_ok());
    ok += usize::from(parse_sheet_date(t).is_some());
    ok += usize::from(limits::check_phone(field, t).is_ok());
    ok += usize::from(limits::check_name(field, t).is_ok());
    ok
}

/// A data row read every way a parser reads one.
fn exercise(rec: &Record) -> Result<usize, Vec<Rejection>> {
    let mut n = rec.texts().len() + rec.to_string_record().len();
    for field in rec.header().columns.iter().map(|c| c.field).collect::<Vec<_>>() {
        let checked = rec.check(field);
        let _ = (checked.message_zh(), checked.is_damaged());
        if let Some(v) = checked.value() {
            n += parse_value(field, v);
        }
        if let Some(t) = rec.get(field) {
            n += parse_value(field, t);
        }
        n += usize::from(matches!(rec.date(field), Ok(Some(_))));
    }
    Ok(n)
}

/// The file read as each kind of upload: (rows parsed, rows rejected) or the error code.
pub fn read_every_way(bytes: Vec<u8>) -> Vec<Result<(usize, usize), &'static str>> {
    let kinds: [&[Column]; 3] = [ROSTER_COLUMNS, TEST_COLUMNS, VIOLATION_COLUMNS];
    kinds
        .iter()
        .map(|columns| {
            let mut progress = |_: u64| {};
            match read_sheet(Cursor::new(bytes.clone()), columns, &mut progress, exercise) {
                Ok(sheet) => Ok((sheet.rows.len(), sheet.rejected.len())),
                Err(jifen::error::Error::Client(c)) => Err(c.code),
                Err(e) => panic!("an internal error on a file: {e}"),
            }
        })
        .collect()
}

/// [`read_every_way`] held to the harness's property.
pub fn check_file(target: &str, bytes: Vec<u8>) -> Vec<Result<(usize, usize), &'static str>> {
    let input = bytes.clone();
    bounded(target, &input, move || read_every_way(bytes)).0
}

/// A byte edit: (kind, position, value, length).
type Edit = (u8, usize, u8, usize);

/// Values that break parsers more often than random ones.
const INTERESTING: [&[u8]; 12] = [
    b"\xff\xff\xff\xff",
    b"\x00\x00\x00\x00",
    b"\xff\xff",
    b"\x7f\xff\xff\xff",
    b"\x00\x01",
    b"\"",
    b"\r\n",
    b",\t;",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xe5\xa7\x93\xe5\x90\x8d",
    b"\x0e\x00",
];

/// Applies edits: flip, set, insert, delete, truncate, duplicate, overwrite with an
/// interesting value.
pub fn mutate(mut b: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for &(kind, pos, val, len) in edits {
        let at = if b.is_empty() { 0 } else { pos % (b.len() + 1) };
        match kind % 7 {
            0 if at < b.len() => b[at] ^= 1 << (val % 8),
            1 if at < b.len() => b[at] = val,
            2 => b.splice(at..at, std::iter::repeat_n(val, len % 64 + 1)).for_each(drop),
            3 => b.drain(at..(at + len % 64).min(b.len())).for_each(drop),
            4 if at > 0 => b.truncate(at),
            5 => {
                let end = (at + len % 256).min(b.len());
                let copy = b[at..end].to_vec();
                b.splice(at..at, copy).for_each(drop);
            }
            6 => {
                let v = INTERESTING[usize::from(val) % INTERESTING.len()];
                let end = (at + v.len()).min(b.len());
                b.splice(at..end, v.iter().copied()).for_each(drop);
            }
            _ => {}
        }
    }
    b
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec((any::<u8>(), any::<usize>(), any::<u8>(), any::<usize>()), 1..8)
}

/// The parts of a zip (an .xlsx), in order.
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a fixture .xlsx is a zip");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

/// Parts zipped again (deflated), as a workbook.
pub fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in parts {
        w.start_file(name.as_str(), opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// XML that calamine's reader and the sheet reader meet in hostile workbooks.
const XML_TOKENS: [&str; 14] = [
    r#"<c r="XFD1048576" t="s"><v>0</v></c>"#,
    r#"<c r="A1" t="s"><v>4294967295</v></c>"#,
    r#"<c r="ZZZZZ99999999999"><v>1</v></c>"#,
    r#"<row r="4294967295">"#,
    r#"<c t="n"><v>1e308</v></c>"#,
    r#"<c t="d"><v>-99999-01-01</v></c>"#,
    r#"<c s="99999" t="n"><v>45352</v></c>"#,
    r#"<c t="inlineStr"><is><t>身份证号码</t></is></c>"#,
    r#"<dimension ref="A1:XFD1048576"/>"#,
    r#"<sst uniqueCount="999999999999">"#,
    "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>",
    "&#0;&#x110000;&amp;&lt;",
    "<![CDATA[<c>]]>",
    "</sheetData>",
];

/// An edit of one part's text: (part, position, token or byte edit).
type XmlEdit = (usize, usize, u8, usize);

fn mutate_xlsx(fixture: &[u8], xml_edits: &[XmlEdit]) -> Vec<u8> {
    let mut parts = unzip(fixture);
    for &(part, pos, what, len) in xml_edits {
        let k = part % parts.len();
        let data = &mut parts[k].1;
        let at = pos % (data.len() + 1);
        if what % 3 == 0 {
            let token = XML_TOKENS[usize::from(what) % XML_TOKENS.len()].repeat(len % 4 + 1);
            data.splice(at..at, token.into_bytes()).for_each(drop);
        } else {
            let edited = mutate(std::mem::take(data), &[(what, pos, (len % 256) as u8, len)]);
            *data = edited;
        }
    }
    rezip(&parts)
}

/// Text as clerks' files hold it: cells of header words, ID numbers, dates, quotes and line
/// breaks, joined by a delimiter and encoded in one of the encodings jifen reads.
fn text_file() -> impl Strategy<Value = Vec<u8>> {
    let cell = prop_oneof![
        Just("姓名".to_string()),
        Just("身份证号码".to_string()),
        Just("医保对应代码".to_string()),
        Just("测试日期".to_string()),
        Just("检查编号".to_string()),
        Just("合计".to_string()),
        "[0-9Xx]{15,19}",
        "[DNHY]{1,2}[0-9]{10,13}",
        "(19|20)[0-9]{2}[-/.年][0-9]{1,2}[-/.月][0-9]{1,2}日?",
        "[0-9]{1,4}(\\.[0-9]{1,3})?分?",
        "\"[^\"]{0,8}\"\"?",
        "[ \t\r\n,;\"'=]{0,4}",
        any::<String>().prop_map(|s| s.chars().take(12).collect()),
    ];
    let row = prop::collection::vec(cell, 0..12);
    (prop::collection::vec(row, 0..30), 0..3usize, 0..6usize).prop_map(|(rows, delim, enc)| {
        let d = [",", "\t", ";"][delim];
        let text: String = rows.iter().map(|r| r.join(d) + "\n").collect();
        encode(&text, enc)
    })
}

/// `text` in encoding `enc`: UTF-8, UTF-8 with BOM, GBK, UTF-16LE/BE with and without BOM.
pub fn encode(text: &str, enc: usize) -> Vec<u8> {
    let utf16 = |le: bool, bom: bool| {
        let mut out = Vec::new();
        for unit in (if bom { "\u{feff}" } else { "" }).encode_utf16().chain(text.encode_utf16()) {
            out.extend_from_slice(&if le { unit.to_le_bytes() } else { unit.to_be_bytes() });
        }
        out
    };
    match enc {
        0 => text.as_bytes().to_vec(),
        1 => [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat(),
        2 => encoding_rs::GB18030.encode(text).0.into_owned(),
        3 => utf16(true, true),
        4 => utf16(true, false),
        _ => utf16(false, enc.is_multiple_of(2)),
    }
}

const SIGNATURES: [&[u8]; 6] =
    [b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"];

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn random_bytes_behind_each_signature(sig in 0..SIGNATURES.len(), body in prop::collection::vec(any::<u8>(), 0..2048)) {
        check_file("random bytes", [SIGNATURES[sig], &body].concat());
    }

    #[test]
    fn mutated_fixtures(which in any::<prop::sample::Index>(), edits in edits()) {
        let all = fixtures();
        let (_, bytes) = &all[which.index(all.len())];
        check_file("mutated fixture", mutate(bytes.clone(), &edits));
    }

    #[test]
    fn mutated_xml_inside_an_xlsx(which in 0..2usize, xml_edits in prop::collection::vec((any::<usize>(), any::<usize>(), any::<u8>(), any::<usize>()), 1..6)) {
        let all = fixtures();
        let books: Vec<&Vec<u8>> = all.iter().filter(|(n, _)| n.ends_with(".xlsx")).map(|(_, b)| b).collect();
        check_file("mutated xlsx xml", mutate_xlsx(books[which % books.len()], &xml_edits));
    }

    #[test]
    fn generated_text_in_every_encoding(bytes in text_file()) {
        check_file("generated text", bytes);
    }
}
