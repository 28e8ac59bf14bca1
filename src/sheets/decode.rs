//! The encodings people have: UTF-8 (with or without BOM), GBK/GB18030 (what Excel writes in
//! China) and UTF-16 little- or big-endian with or without BOM (Excel's "Unicode text",
//! tab-separated), detected without being told, and the delimiter (comma, tab or semicolon)
//! read from the first lines. The result is a UTF-8 stream: the file is never held twice.

use std::io::{BufRead, BufReader, Chain, Cursor, Read};

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};
use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};

/// What was detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detected {
    pub encoding: &'static str,
    pub delimiter: u8,
}

/// The UTF-8 stream [`decode_stream`] makes of an input: the first lines (read to detect the
/// delimiter), then the rest.
pub type Decoded<R> = BufReader<Chain<Cursor<Vec<u8>>, DecodeReaderBytes<BufReader<R>, Vec<u8>>>>;

/// Wraps `input` in a decoder to UTF-8, from its first bytes: a BOM names the encoding; else
/// valid UTF-8 in the first 64 KiB is UTF-8 and anything else GB18030 (a superset of GBK).
pub fn decode<R: Read + 'static>(input: R) -> std::io::Result<(Box<dyn BufRead>, Detected)> {
    let (reader, detected) = decode_stream(input)?;
    Ok((Box::new(reader), detected))
}

/// [`decode`] without the box: `Send` when the input is.
pub fn decode_stream<R: Read>(input: R) -> std::io::Result<(Decoded<R>, Detected)> {
    let mut buf = BufReader::with_capacity(64 * 1024, input);
    let head = buf.fill_buf()?;
    let (encoding, name): (&'static Encoding, &'static str) = if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        (UTF_8, "utf-8-bom")
    } else if head.starts_with(&[0xFF, 0xFE]) {
        (UTF_16LE, "utf-16le")
    } else if head.starts_with(&[0xFE, 0xFF]) {
        (UTF_16BE, "utf-16be")
    } else if looks_utf16(head, 1) {
        (UTF_16LE, "utf-16le")
    } else if looks_utf16(head, 0) {
        (UTF_16BE, "utf-16be")
    } else if utf8_prefix_valid(head) {
        (UTF_8, "utf-8")
    } else {
        (GB18030, "gbk")
    };
    let decoded =
        DecodeReaderBytesBuilder::new().encoding(Some(encoding)).bom_sniffing(true).strip_bom(true).build(buf);
    let (head, decoded) = read_head(decoded)?;
    let delimiter = sniff_delimiter(&head);
    Ok((BufReader::with_capacity(64 * 1024, Cursor::new(head).chain(decoded)), Detected { encoding: name, delimiter }))
}

/// The first [`SNIFF_LINES`] lines (at most 64 KiB) of a stream, and the stream after them.
fn read_head<R: Read>(mut input: R) -> std::io::Result<(Vec<u8>, R)> {
    let mut head = Vec::with_capacity(8 * 1024);
    let mut chunk = [0u8; 8 * 1024];
    while head.len() < 64 * 1024 && head.iter().filter(|&&b| b == b'\n').count() <= SNIFF_LINES {
        let n = input.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&chunk[..n]);
    }
    Ok((head, input))
}

/// The lines sniffed for the delimiter: title rows, the header and a few data rows.
const SNIFF_LINES: usize = 12;

/// The delimiter of the first lines: the one of tab, comma and semicolon that occurs most
/// often outside quotes; a comma when none does. Title rows above the header (「XX医院花名册」)
/// have none or only padding, and a comma inside a tab-separated cell is outnumbered by the
/// tabs of the header and the rows.
pub fn sniff_delimiter(text: &[u8]) -> u8 {
    let mut best = (0usize, b',');
    for candidate in [b',', b'\t', b';'] {
        let total: usize = text
            .split(|&b| b == b'\n')
            .take(SNIFF_LINES)
            .map(|line| {
                let mut quoted = false;
                line.iter()
                    .filter(|&&b| {
                        if b == b'"' {
                            quoted = !quoted;
                        }
                        b == candidate && !quoted
                    })
                    .count()
            })
            .sum();
        if total > best.0 {
            best = (total, candidate);
        }
    }
    best.1
}

/// UTF-16 without a BOM: text of mostly ASCII and CJK has many NUL bytes, at odd offsets in
/// little-endian (`nul_at` 1) and at even offsets in big-endian (`nul_at` 0). A line break or
/// ASCII delimiter is enough in a Chinese file: `\t\0`, `,\0`, `\n\0`.
fn looks_utf16(head: &[u8], nul_at: usize) -> bool {
    let n = head.len().min(4096) / 2 * 2;
    if n < 4 {
        return false;
    }
    let pairs = head[..n].chunks(2);
    let nuls = pairs.clone().filter(|c| c[nul_at] == 0 && c[1 - nul_at] != 0).count();
    let others = head[..n].chunks(2).filter(|c| c[1 - nul_at] == 0 && c[nul_at] != 0).count();
    let ascii_units =
        pairs.filter(|c| c[nul_at] == 0 && matches!(c[1 - nul_at], b'\t' | b',' | b'\n' | b'\r' | b';')).count();
    nuls > others && (nuls * 4 > n / 2 || ascii_units >= 1 && others == 0)
}

/// Valid UTF-8, allowing a character cut at the end of the sample.
fn utf8_prefix_valid(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: Vec<u8>) -> (String, Detected) {
        let (mut r, d) = decode(std::io::Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        (s, d)
    }

    #[test]
    fn detects_each_encoding() {
        let text = "姓名,身份证号码\n张三,1\n";
        let (s, d) = read_all(text.as_bytes().to_vec());
        assert_eq!((s.as_str(), d.encoding, d.delimiter), (text, "utf-8", b','));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(read_all(bom).0, text);
        let (gbk, _, _) = GB18030.encode(text);
        let (s, d) = read_all(gbk.into_owned());
        assert_eq!((s.as_str(), d.encoding), (text, "gbk"));
        let tsv = "姓名\t身份证号码\n张三\t1\n";
        let mut u16 = vec![0xFF, 0xFE];
        for unit in tsv.encode_utf16() {
            u16.extend_from_slice(&unit.to_le_bytes());
        }
        let (s, d) = read_all(u16);
        assert_eq!((s.as_str(), d.encoding, d.delimiter), (tsv, "utf-16le", b'\t'));
    }
}
