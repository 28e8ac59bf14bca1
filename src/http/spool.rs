//! A roster upload received into a temporary file instead of memory (a 5 × 10⁵-row file is
//! ~60 MB): the same limits, deadline, upload slot and checks as [`super::body::Body`], the
//! file part of a multipart form found by scanning the file, and the upload handed to the
//! service as a reader. Bodies up to 1 MiB stay in memory.

use std::fs::File;
use std::future::Future;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom, Write};
use std::pin::Pin;

use actix_web::dev::{Decompress, Payload};
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};

use super::body::{admit, looks_utf16, read_into, Slot};
use crate::error::{ClientError, Error, Kind, Result};

/// Bodies up to this size are kept in memory.
const IN_MEMORY: usize = 1 << 20;

/// An upload's file, in memory or in a temporary file; holds its upload slot until dropped.
pub struct SpooledUpload {
    body: Spooled,
    /// The file's bytes within the body (the file part of a multipart form).
    start: u64,
    len: u64,
    _slot: Option<Slot>,
}

enum Spooled {
    Memory(Vec<u8>),
    File(File),
}

fn internal(e: std::io::Error) -> Error {
    Error::Internal(e.into())
}

impl Spooled {
    fn reader(&mut self) -> Result<Box<dyn ReadSeek + '_>> {
        Ok(match self {
            Spooled::Memory(b) => Box::new(Cursor::new(&b[..])),
            Spooled::File(f) => {
                f.seek(SeekFrom::Start(0)).map_err(internal)?;
                Box::new(BufReader::with_capacity(64 * 1024, f))
            }
        })
    }
}

trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

impl SpooledUpload {
    /// The uploaded file, to read once; the upload slot is given back when it is dropped.
    pub fn into_reader(self) -> Result<UploadReader> {
        let SpooledUpload { body, start, len, _slot } = self;
        let inner: Box<dyn Read + Send> = match body {
            Spooled::Memory(mut b) => {
                b.truncate((start + len) as usize);
                let mut c = Cursor::new(b);
                c.set_position(start);
                Box::new(c)
            }
            Spooled::File(mut f) => {
                f.seek(SeekFrom::Start(start)).map_err(internal)?;
                Box::new(BufReader::with_capacity(64 * 1024, f).take(len))
            }
        };
        Ok(UploadReader { inner, _slot })
    }
}

/// The upload as the service reads it.
pub struct UploadReader {
    inner: Box<dyn Read + Send>,
    _slot: Option<Slot>,
}

impl Read for UploadReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl FromRequest for SpooledUpload {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<SpooledUpload>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = Decompress::from_headers(payload.take(), req.headers());
        Box::pin(async move {
            let (_, limit, slot) = admit(&req).await?;
            let mut body = Spooled::Memory(Vec::new());
            let mut size = 0u64;
            read_into(payload, limit, &mut |chunk: &[u8]| {
                size += chunk.len() as u64;
                if let Spooled::Memory(b) = &mut body {
                    if b.len() + chunk.len() <= IN_MEMORY {
                        b.extend_from_slice(chunk);
                        return Ok(());
                    }
                    let mut f = tempfile::tempfile().map_err(internal)?;
                    f.write_all(b).map_err(internal)?;
                    body = Spooled::File(f);
                }
                match &mut body {
                    Spooled::File(f) => f.write_all(chunk).map_err(internal),
                    Spooled::Memory(_) => Ok(()),
                }
            })
            .await?;
            // A browser form (or curl -F) sends the file inside multipart/form-data.
            let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
            let (start, len) = match super::multipart::boundary(ct) {
                Some(b) => file_part_range(&mut *body.reader()?, &b)?,
                None => (0, size),
            };
            let mut r = body.reader()?;
            r.seek(SeekFrom::Start(start)).map_err(internal)?;
            check_upload_text(r.take(len))?;
            Ok(SpooledUpload { body, start, len, _slot: slot })
        })
    }
}

/// Where `needle` starts in `r`, every time, read a block at a time.
fn positions(r: &mut dyn ReadSeek, needle: &[u8]) -> Result<Vec<u64>> {
    r.seek(SeekFrom::Start(0)).map_err(internal)?;
    let mut out = Vec::new();
    let mut window: Vec<u8> = Vec::with_capacity(128 * 1024);
    // The offset of window[0] in the stream.
    let mut base = 0u64;
    let mut block = vec![0u8; 64 * 1024];
    loop {
        let n = r.read(&mut block).map_err(internal)?;
        if n == 0 {
            return Ok(out);
        }
        window.extend_from_slice(&block[..n]);
        let mut at = 0;
        while let Some(k) = find(&window[at..], needle) {
            out.push(base + (at + k) as u64);
            at += k + needle.len();
        }
        // Keep what could be the start of a needle cut by the block's end.
        let keep_from = window.len().saturating_sub(needle.len() - 1).max(at);
        base += keep_from as u64;
        window.drain(..keep_from);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The file part of a multipart body (as `multipart::file_part`): the first part that carries a
/// file (a `filename`), else the part named `file`; its offset and length.
fn file_part_range(r: &mut dyn ReadSeek, boundary: &str) -> Result<(u64, u64)> {
    let delimiter = format!("--{boundary}");
    let d = delimiter.len() as u64;
    let starts = positions(r, delimiter.as_bytes())?;
    let mut named = None;
    for w in starts.windows(2) {
        // The part's headers: at most 16 KiB after the delimiter.
        let from = w[0] + d;
        let part_len = w[1] - from;
        r.seek(SeekFrom::Start(from)).map_err(internal)?;
        let mut head = Vec::new();
        (&mut *r).take(part_len.min(16 * 1024)).read_to_end(&mut head).map_err(internal)?;
        let skip = if head.starts_with(b"\r\n") { 2 } else { 0 };
        let Some(split) = find(&head[skip..], b"\r\n\r\n") else { continue };
        let headers = String::from_utf8_lossy(&head[skip..skip + split]).to_ascii_lowercase();
        let content_start = from + (skip + split + 4) as u64;
        let mut content_end = w[1];
        if content_end >= content_start + 2 {
            let mut tail = [0u8; 2];
            r.seek(SeekFrom::Start(content_end - 2)).map_err(internal)?;
            r.read_exact(&mut tail).map_err(internal)?;
            if &tail == b"\r\n" {
                content_end -= 2;
            }
        }
        let range = (content_start, content_end.saturating_sub(content_start));
        if headers.contains("filename=") {
            return Ok(range);
        }
        if headers.contains("name=\"file\"") {
            named = Some(range);
        }
    }
    named.ok_or_else(|| {
        Error::Client(
            ClientError::new(
                Kind::Unprocessable,
                "no_file",
                "the form carries no file: send it as file=@roster.xlsx",
                "表单中没有文件：请以 file=@文件名 的方式上传",
            )
            .field("file"),
        )
    })
}

/// `body::check_upload_text` read as a stream: a UTF-8 text file (not a workbook, not UTF-16)
/// holding a forbidden control character is 422 `control_character` with its line as `row`.
fn check_upload_text(mut r: impl Read) -> Result<()> {
    const BINARY: [&[u8]; 4] = [b"PK\x03\x04", &[0xD0, 0xCF, 0x11, 0xE0], &[0xFF, 0xFE], &[0xFE, 0xFF]];
    let mut block = vec![0u8; 64 * 1024];
    let mut head = Vec::new();
    while head.len() < 512 {
        let n = r.read(&mut block[..512 - head.len()]).map_err(internal)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&block[..n]);
    }
    if BINARY.iter().any(|m| head.starts_with(m)) || looks_utf16(&head) {
        return Ok(());
    }
    let skip = if head.starts_with(&[0xEF, 0xBB, 0xBF]) { 3 } else { 0 };
    let mut lines = 1u64;
    let mut first_bad: Option<u64> = None;
    // Bytes of a character cut by the block's end, carried to the next.
    let mut carry: Vec<u8> = Vec::new();
    let mut scan = |bytes: &[u8], carry: &mut Vec<u8>| -> bool {
        carry.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(carry) {
            Ok(_) => carry.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => return false,
        };
        if first_bad.is_none() {
            for &b in &carry[..valid] {
                if b == b'\n' {
                    lines += 1;
                } else if (b < b' ' && b != b'\t' && b != b'\r') || b == 0x7f {
                    first_bad = Some(lines);
                    break;
                }
            }
        }
        carry.drain(..valid);
        true
    };
    if !scan(&head[skip..], &mut carry) {
        return Ok(());
    }
    loop {
        let n = r.read(&mut block).map_err(internal)?;
        if n == 0 {
            break;
        }
        if !scan(&block[..n], &mut carry) {
            // Not UTF-8 (GBK): the sheet reader sees its decoded cells.
            return Ok(());
        }
    }
    if !carry.is_empty() {
        return Ok(());
    }
    match first_bad {
        None => Ok(()),
        Some(row) => Err(match crate::domain::limits::control_character("body") {
            Error::Client(c) => Error::Client(c.row(row)),
            other => other,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_part_is_found_in_a_stream_as_in_memory() {
        let mut body = b"--XyZ\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\nsnapshot\r\n\
              --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\
              Content-Type: text/csv\r\n\r\n"
            .to_vec();
        let file: Vec<u8> = (0..200_000).flat_map(|k| format!("姓名{k},1\r\n").into_bytes()).collect();
        body.extend_from_slice(&file);
        body.extend_from_slice(b"\r\n--XyZ--\r\n");
        let (start, len) = file_part_range(&mut Cursor::new(&body[..]), "XyZ").unwrap();
        assert_eq!(&body[start as usize..(start + len) as usize], &file[..]);
        let bytes = actix_web::web::Bytes::from(body.clone());
        assert_eq!(&super::super::multipart::file_part(&bytes, "XyZ").unwrap()[..], &file[..]);
        assert!(file_part_range(&mut Cursor::new(&b"--XyZ\r\nname=\"x\"\r\n\r\n1\r\n--XyZ--"[..]), "XyZ").is_err());
    }

    #[test]
    fn a_control_character_is_found_on_its_line_in_a_stream() {
        let mut text = "姓名,身份证号码\n".repeat(50_000).into_bytes();
        text.extend_from_slice(b"a\x01b\n");
        let e = check_upload_text(&text[..]).unwrap_err();
        assert!(format!("{e:?}").contains("50001"), "{e:?}");
        assert!(check_upload_text(&b"a,b\n1,2\n"[..]).is_ok());
        // GBK bytes (not UTF-8): left to the sheet reader.
        let gbk = encoding_rs::GBK.encode("姓名\u{1},1\n").0.into_owned();
        assert!(check_upload_text(&gbk[..]).is_ok());
    }
}
