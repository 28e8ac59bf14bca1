//! An .xlsx is a zip, and a zip can say little and hold much: a 1 MB upload that inflates to
//! gigabytes (a "zip bomb") would hold a worker for minutes and `calamine` would keep its
//! shared strings in memory. Before `calamine` opens a workbook, [`check`] inflates every part
//! once into a small buffer, counting the bytes that really come out (a declared size can lie),
//! and refuses the file past a ratio no spreadsheet reaches. It also refuses a shared-strings
//! part that declares more strings than it could hold: `calamine` reserves memory for that
//! count before reading a string.

use std::io::{Cursor, Read};

use super::error::SheetError;

/// Inflated bytes per compressed byte past which a part is a bomb. Spreadsheet XML compresses
/// 5 to 20 times; 100 leaves room for sheets of repeated empty styled cells.
pub const MAX_RATIO: u64 = 100;

/// A part may always inflate to this much, whatever its compressed size (a tiny part of
/// repeated text compresses better than any ratio).
const PART_FLOOR: u64 = 8 << 20;

/// All parts together may inflate to `MAX_RATIO` times the file plus this much.
const TOTAL_FLOOR: u64 = 32 << 20;

fn bomb() -> SheetError {
    SheetError::Unsupported {
        what: "a workbook whose parts inflate more than 100-fold (a zip bomb)",
        what_zh: "解压后体积异常膨胀（超过原文件 100 倍）的工作簿",
    }
}

/// Refuses a zip whose parts inflate past the limits above, or whose shared strings declare
/// more strings than they have bytes. A part that cannot be read is left to `calamine`, which
/// reports it if it needs it.
pub fn check(bytes: &[u8]) -> Result<(), SheetError> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(()); // not a zip calamine could open either: it says why
    };
    let total_cap = MAX_RATIO.saturating_mul(bytes.len() as u64).saturating_add(TOTAL_FLOOR);
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    let mut shared_strings = Vec::new();
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else { continue };
        let cap = MAX_RATIO.saturating_mul(part.compressed_size()).saturating_add(PART_FLOOR);
        let is_sst = part.name().is_ok_and(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"));
        let mut size = 0u64;
        while let Ok(n @ 1..) = part.read(&mut buf) {
            size += n as u64;
            total += n as u64;
            if size > cap || total > total_cap {
                return Err(bomb());
            }
        }
        if is_sst {
            shared_strings.push((i, size));
        }
    }
    // Inflated again, now known to be small: read as calamine reads it.
    for (i, size) in shared_strings {
        let Ok(part) = zip.by_index(i) else { continue };
        if unique_count(part).is_some_and(|n| n > size / 5 + 1) {
            return Err(SheetError::Unreadable {
                reason: "the shared strings declare more strings than they hold".into(),
            });
        }
    }
    Ok(())
}

/// The `uniqueCount` of the first `<sst>` tag, read as `calamine` reads it (the same XML
/// reader and settings; digits only); `None` when there is none it would use.
fn unique_count(part: impl Read) -> Option<u64> {
    use quick_xml::events::Event;
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(part));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "sst" => {
                let raw = e.try_get_attribute("uniqueCount").ok()??.value;
                let digits = raw.as_bytes().iter().skip_while(|&&b| b == b'0').copied().collect::<Vec<u8>>();
                if digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
                    // calamine cannot parse it either, or it is beyond any memory: refuse big ones.
                    return digits.iter().all(u8::is_ascii_digit).then_some(u64::MAX);
                }
                return std::str::from_utf8(&digits).ok().map(|s| s.parse().unwrap_or(0));
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_calamine_would_reserve() {
        let sst = br#"<?xml version="1.0"?><!-- uniqueCount="9" --><x:sst xmlns:x="x" count="2" uniqueCount="0002"><si><t>a</t></si></x:sst>"#;
        assert_eq!(unique_count(&sst[..]), Some(2));
        assert_eq!(unique_count(&br#"<sst uniqueCount = '18446744073709551616'><si/></sst>"#[..]), Some(u64::MAX));
        assert_eq!(unique_count(&br#"<sst uniqueCount="-1"/>"#[..]), None);
        assert_eq!(unique_count(&b"<sst><si/></sst>"[..]), None);
    }
}
