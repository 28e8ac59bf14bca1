//! The encodings people have: UTF-8 (with or without BOM), GBK/GB18030 (what Excel writes in
//! China) and UTF-16 with BOM (Excel's "Unicode text", tab-separated), detected without being
//! told. The result is a UTF-8 stream: the file is never held twice.

use std::io::{BufRead, BufReader, Read};

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};
use encoding_rs_io::DecodeReaderBytesBuilder;

/// What was detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detected {
    pub encoding: &'static str,
    pub delimiter: u8,
}

/// Wraps `input` in a decoder to UTF-8, from its first bytes: a BOM names the encoding; else
/// valid UTF-8 in the first 64 KiB is UTF-8 and anything else GB18030 (a superset of GBK).
pub fn decode<R: Read + 'static>(input: R) -> std::io::Result<(Box<dyn BufRead>, Detected)> {
    let mut buf = BufReader::with_capacity(64 * 1024, input);
    let head = buf.fill_buf()?.to_vec();
    let (encoding, name): (&'static Encoding, &'static str) = if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        (UTF_8, "utf-8-bom")
    } else if head.starts_with(&[0xFF, 0xFE]) {
        (UTF_16LE, "utf-16le")
    } else if head.starts_with(&[0xFE, 0xFF]) {
        (UTF_16BE, "utf-16be")
    } else if looks_utf16le(&head) {
        (UTF_16LE, "utf-16le")
    } else if utf8_prefix_valid(&head) {
        (UTF_8, "utf-8")
    } else {
        (GB18030, "gbk")
    };
    let decoded =
        DecodeReaderBytesBuilder::new().encoding(Some(encoding)).bom_sniffing(true).strip_bom(true).build(buf);
    let mut reader = BufReader::with_capacity(64 * 1024, decoded);
    let first_line = reader.fill_buf()?.split(|&b| b == b'\n').next().unwrap_or(&[]).to_vec();
    let tabs = first_line.iter().filter(|&&b| b == b'\t').count();
    let commas = first_line.iter().filter(|&&b| b == b',').count();
    let delimiter = if tabs > commas { b'\t' } else { b',' };
    Ok((Box::new(reader), Detected { encoding: name, delimiter }))
}

/// UTF-16LE without a BOM: ASCII text has a NUL in every second byte.
fn looks_utf16le(head: &[u8]) -> bool {
    let n = head.len().min(512) / 2 * 2;
    n >= 4 && head[..n].chunks(2).filter(|c| c[1] == 0).count() * 2 > n / 2
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
