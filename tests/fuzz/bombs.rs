//! Hostile files made on purpose, each held to the harness's property and each refused or
//! read as the module `sheets::workbook` says: a zip bomb (its declared size honest or a lie),
//! shared strings that declare 4 × 10⁹ strings, a cell at XFD on every row, XML nested 100 000
//! deep, every truncation of the workbook fixtures, and .xls files whose DIMENSIONS record, cell
//! positions or sector chains would make `calamine` reserve terabytes or loop.

use jifen::sheets::SheetError;

use super::harness::{bounded, fixtures, memory_bound};
use super::sheets::{check_file, read_every_way, rezip, unzip};

fn fixture(name: &str) -> Vec<u8> {
    fixtures().iter().find(|(n, _)| n == name).map(|(_, b)| b.clone()).unwrap_or_else(|| panic!("{name}"))
}

/// The error `sheets::open` gives, or `None` when the file opens.
fn open_error(bytes: Vec<u8>) -> Option<SheetError> {
    let input = bytes.clone();
    bounded("open", &input, move || jifen::sheets::open(std::io::Cursor::new(bytes)).err()).0
}

/// Bits written least significant first, as DEFLATE packs them.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u64, width: u32) {
        self.acc |= value << self.n;
        self.n += width;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code, which DEFLATE writes most significant bit first.
    fn code(&mut self, code: u64, width: u32) {
        let reversed = (0..width).fold(0, |r, i| r | ((code >> i) & 1) << (width - 1 - i));
        self.put(reversed, width);
    }
}

/// DEFLATE data of `1 + 258 × runs` spaces: one literal, then copies of 258 bytes at distance 1
/// (fixed Huffman codes: 13 bits for 258 bytes).
fn deflated_spaces(runs: usize) -> Vec<u8> {
    let mut b = Bits { out: Vec::new(), acc: 0, n: 0 };
    b.put(1, 1); // the last block
    b.put(1, 2); // fixed Huffman codes
    b.code(0x30 + u64::from(b' '), 8);
    for _ in 0..runs {
        b.code(0xC5, 8); // length 258 (code 285)
        b.code(0, 5); // distance 1
    }
    b.code(0, 7); // end of block
    b.put(0, 7);
    b.out
}

fn crc32(data: &[u8]) -> u32 {
    !data.iter().fold(!0u32, |mut crc, &byte| {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
        crc
    })
}

/// A zip by hand: each part (name, method, data as stored, CRC, size declared).
fn zip_of(parts: &[(String, u16, Vec<u8>, u32, u32)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, method, data, crc, size) in parts {
        let offset = out.len() as u32;
        let fields = |sig: u32, central: bool| {
            let mut h = sig.to_le_bytes().to_vec();
            if central {
                h.extend(20u16.to_le_bytes());
            }
            h.extend(20u16.to_le_bytes());
            h.extend(0u16.to_le_bytes());
            h.extend(method.to_le_bytes());
            h.extend([0, 0, 0x21, 0]); // time, date
            h.extend(crc.to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend(size.to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if central {
                h.extend([0u8; 10]); // comment length, disk, internal and external attributes
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(fields(0x0403_4b50, false));
        out.extend(data);
        central.extend(fields(0x0201_4b50, true));
    }
    let at = out.len() as u32;
    let count = parts.len() as u16;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend(count.to_le_bytes());
    out.extend(count.to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(at.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// The training-test workbook with its sheet replaced by `runs × 258` spaces of DEFLATE
/// data, its size declared as `declared` (or honestly).
fn zip_bomb(runs: usize, declared: Option<u32>) -> Vec<u8> {
    let parts = unzip(&fixture("tests.xlsx"));
    let sheet = parts.iter().position(|(n, _)| n.starts_with("xl/worksheets/")).expect("a sheet part");
    let honest = (1 + 258 * runs as u64).min(u64::from(u32::MAX)) as u32;
    let raw: Vec<_> = parts
        .iter()
        .enumerate()
        .map(|(i, (name, data))| {
            if i == sheet {
                // No CRC: nothing reads this part to its end.
                (name.clone(), 8, deflated_spaces(runs), 0, declared.unwrap_or(honest))
            } else {
                (name.clone(), 0, data.clone(), crc32(data), data.len() as u32)
            }
        })
        .collect();
    zip_of(&raw)
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_inflated() {
    // 256 MiB of spaces in 1.6 MB: refused after inflating at most 100 × the part + 8 MiB.
    let bomb = zip_bomb(1 << 20, None);
    assert!(bomb.len() < 2 << 20, "{}", bomb.len());
    let err = open_error(bomb.clone());
    assert!(matches!(err, Some(SheetError::Unsupported { what, .. }) if what.contains("zip bomb")), "{err:?}");
    assert!(read_every_way(bomb).iter().all(|r| *r == Err("unsupported_file")));
    // Declared as 1000 bytes: the zip reader stops at the declared size, so nothing inflates
    // past it either way; the sheet is unreadable, within the bounds.
    let liar = check_file("lying zip bomb", zip_bomb(1 << 20, Some(1000)));
    assert!(liar.iter().all(Result::is_err), "{liar:?}");
    // The same construction, small: a sheet of spaces is no sheet, but it is read.
    let small = zip_bomb(1000, None);
    assert!(!matches!(open_error(small), Some(SheetError::Unsupported { .. })));
}

#[test]
fn shared_strings_that_declare_more_strings_than_they_hold_are_refused() {
    // The fixtures have inline strings: a shared-strings part as Excel writes it, added.
    let parts = unzip(&fixture("tests.xlsx"));
    let sst = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="COUNT"><si><t>姓名</t></si></sst>"#;
    let with_count = |n: &str| {
        let mut p = parts.clone();
        p.push(("xl/sharedStrings.xml".into(), sst.replace("COUNT", n).into_bytes()));
        rezip(&p)
    };
    assert_eq!(open_error(with_count("1")), None);
    let err = open_error(with_count("4000000000"));
    assert!(matches!(err, Some(SheetError::Unreadable { ref reason }) if reason.contains("shared strings")), "{err:?}");
}

/// The sheet part of the training-test workbook replaced by `xml`.
fn with_sheet_xml(xml: String) -> Vec<u8> {
    let mut parts = unzip(&fixture("tests.xlsx"));
    let sheet = parts.iter_mut().find(|(n, _)| n.starts_with("xl/worksheets/")).expect("a sheet part");
    sheet.1 = xml.into_bytes();
    rezip(&parts)
}

const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;

#[test]
fn a_cell_at_xfd_on_every_row_does_not_widen_the_rows_in_memory() {
    let mut xml = String::from(SHEET_HEAD);
    xml.push_str(r#"<row r="1"><c r="A1" t="inlineStr"><is><t>医保对应代码</t></is></c><c r="B1" t="inlineStr"><is><t>测试日期</t></is></c></row>"#);
    for r in 2..3000 {
        xml.push_str(&format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="XFD{r}"><v>1</v></c></row>"#));
    }
    xml.push_str("</sheetData></worksheet>");
    let book = with_sheet_xml(xml);
    let (rows, used) = bounded("xfd", &book.clone(), move || {
        let columns = [jifen::sheets::Column { field: "code", names: &["医保对应代码"], required: true }];
        let reader =
            jifen::sheets::SheetReader::open(std::io::Cursor::new(book), &columns).expect("the header is found");
        reader.map(|r| r.expect("a row").cells.len()).collect::<Vec<_>>()
    });
    assert_eq!(rows.len(), 2998);
    assert!(rows.iter().all(|&w| w <= jifen::sheets::workbook::MAX_COLUMNS), "{:?}", rows.iter().max());
    assert!(used.peak < 64 << 20, "{used:?}");
}

#[test]
fn xml_nested_a_hundred_thousand_deep_is_an_error_or_a_result() {
    let xml = format!("{SHEET_HEAD}{}{}</sheetData></worksheet>", "<row>".repeat(100_000), "</row>".repeat(100_000));
    check_file("deep xml", with_sheet_xml(xml));
}

#[test]
fn every_truncation_of_the_workbook_fixtures() {
    for name in ["roster_title.xlsx", "roster_title.xls", "tests.xlsx"] {
        let bytes = fixture(name);
        for cut in (1..bytes.len()).step_by(97) {
            check_file("truncated workbook", bytes[..cut].to_vec());
        }
    }
}

/// The .xls fixture with `edit` applied to the `nth` record of type `typ` and length `len`
/// (its data, after the 4-byte record header).
fn xls_with(typ: u16, len: u16, nth: usize, edit: impl Fn(&mut [u8])) -> Vec<u8> {
    let mut b = fixture("roster_title.xls");
    let head = [typ.to_le_bytes(), len.to_le_bytes()].concat();
    let found: Vec<usize> = b.windows(4).enumerate().filter(|(_, w)| *w == head.as_slice()).map(|(i, _)| i).collect();
    let at = found.get(nth).copied().unwrap_or_else(|| panic!("no record {typ:#x} #{nth}")) + 4;
    edit(&mut b[at..at + len as usize]);
    b
}

fn too_large(e: &Option<SheetError>) -> bool {
    matches!(e, Some(SheetError::Unsupported { what, .. }) if what.contains(".xls sheet"))
}

#[test]
fn an_xls_whose_dimensions_or_cells_span_too_much_is_refused() {
    // DIMENSIONS of 4 × 10⁹ rows × 256 columns: calamine reserves them all (an abort).
    let huge = xls_with(0x0200, 14, 1, |d| {
        d[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        d[10..12].copy_from_slice(&256u16.to_le_bytes());
    });
    assert!(too_large(&open_error(huge)));
    // The end before the start: calamine subtracts and overflows.
    let inverted = xls_with(0x0200, 14, 1, |d| {
        d[0..4].copy_from_slice(&100u32.to_le_bytes());
        d[4..8].copy_from_slice(&3u32.to_le_bytes());
    });
    assert!(matches!(open_error(inverted), Some(SheetError::Unreadable { .. })));
    // A shared-string cell of the data sheet (the second; the first, 填表说明, has one cell)
    // moved to row 65 536, column 65 536: a grid of 4 × 10⁹ cells.
    let far = xls_with(0x00FD, 10, 1, |d| {
        d[0..2].copy_from_slice(&u16::MAX.to_le_bytes());
        d[2..4].copy_from_slice(&u16::MAX.to_le_bytes());
    });
    let e = open_error(far);
    assert!(too_large(&e), "{e:?}");
    // The fixture itself still reads.
    assert_eq!(open_error(fixture("roster_title.xls")), None);
}

#[test]
fn an_xls_whose_directory_chain_loops_is_refused_not_followed() {
    let mut b = fixture("roster_title.xls");
    let u32_at = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
    let (dir, fat) = (u32_at(&b, 48), u32_at(&b, 76));
    let entry = 512 * (fat as usize + 1) + 4 * dir as usize;
    b[entry..entry + 4].copy_from_slice(&dir.to_le_bytes());
    let err = open_error(b);
    assert!(matches!(err, Some(SheetError::Unreadable { ref reason }) if reason.contains("loops")), "{err:?}");
}

#[test]
fn the_memory_bound_is_the_one_the_docs_state() {
    assert_eq!(memory_bound(0), 32 << 20);
    assert_eq!(memory_bound(1 << 20), (64 << 20) + (32 << 20));
}
