//! What a large file leaves behind without holding it in memory: each list of the report is
//! written as JSON to an anonymous temporary file as its entries are found, and only its first
//! entries (or all of them, for a file of at most 10 000 rows) stay in memory for the answer.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use serde::Serialize;

use crate::error::{Error, Result};

pub(super) fn io(e: impl Into<anyhow::Error>) -> Error {
    Error::Internal(e.into())
}

/// An anonymous temporary file (deleted when closed), written then read back once.
pub(super) struct Spool {
    out: BufWriter<File>,
}

impl Spool {
    pub fn new() -> Result<Spool> {
        Ok(Spool { out: BufWriter::with_capacity(64 * 1024, tempfile::tempfile().map_err(io)?) })
    }

    pub fn write(&mut self, b: &[u8]) -> Result<()> {
        self.out.write_all(b).map_err(io)
    }

    /// The text written, from the start.
    pub fn reader(self) -> Result<BufReader<File>> {
        let mut f = self.out.into_inner().map_err(|e| io(anyhow::anyhow!("{e}")))?;
        f.seek(SeekFrom::Start(0)).map_err(io)?;
        Ok(BufReader::with_capacity(64 * 1024, f))
    }
}

/// One list of the report: every entry as JSON in a spool, the first ones in memory.
pub(super) struct List<T> {
    pub first: Vec<T>,
    /// Keep every entry in memory (a file of at most 10 000 rows is answered in full).
    keep_all: bool,
    pub count: usize,
    spool: Spool,
}

/// The entries a large file's answer lists.
pub(super) const LISTED: usize = 100;

impl<T: Serialize> List<T> {
    pub fn new() -> Result<Self> {
        Ok(List { first: Vec::new(), keep_all: true, count: 0, spool: Spool::new()? })
    }

    pub fn push(&mut self, item: T) -> Result<()> {
        if self.count > 0 {
            self.spool.write(b",")?;
        }
        let text = serde_json::to_vec(&item).map_err(io)?;
        self.spool.write(&text)?;
        self.count += 1;
        if self.keep_all || self.first.len() < LISTED {
            self.first.push(item);
        }
        Ok(())
    }

    /// From now on only the first entries stay in memory.
    pub fn only_first(&mut self) {
        self.keep_all = false;
        self.first.truncate(LISTED);
    }

    /// The whole list as a JSON array, into `out`.
    pub fn write_json(self, out: &mut impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        out(b"[")?;
        copy(self.spool.reader()?, out)?;
        out(b"]")
    }
}

/// Copies a reader into `out` in pieces of at most 256 KiB, most ending after a comma (a piece
/// may end inside a character: the writers that care keep the rest for the next piece).
pub(super) fn copy(mut r: impl BufRead, out: &mut impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
    let mut line = Vec::with_capacity(64 * 1024);
    loop {
        line.clear();
        let n = r.by_ref().take(256 * 1024).read_until(b',', &mut line).map_err(io)?;
        if n == 0 {
            return Ok(());
        }
        out(&line)?;
    }
}

/// A text spool written as a JSON string, into `out`.
pub(super) fn write_json_string(r: impl BufRead, out: &mut impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
    out(b"\"")?;
    let mut pending: Vec<u8> = Vec::new();
    copy(r, &mut |piece: &[u8]| {
        pending.extend_from_slice(piece);
        // Escape whole characters only: keep an incomplete one for the next piece.
        let valid = match std::str::from_utf8(&pending) {
            Ok(_) => pending.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => return Err(io(e)),
        };
        let text = std::str::from_utf8(&pending[..valid]).map_err(io)?;
        let quoted = serde_json::to_string(text).map_err(io)?;
        out(&quoted.as_bytes()[1..quoted.len() - 1])?;
        pending.drain(..valid);
        Ok(())
    })?;
    if !pending.is_empty() {
        return Err(io(anyhow::anyhow!("the spooled text ends inside a character")));
    }
    out(b"\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_spools_every_entry_and_keeps_the_first() {
        let mut l: List<u32> = List::new().unwrap();
        for k in 0..250 {
            l.push(k).unwrap();
            if k == 150 {
                l.only_first();
            }
        }
        assert_eq!((l.first.len(), l.count), (LISTED, 250));
        let mut text = Vec::new();
        l.write_json(&mut |b: &[u8]| {
            text.extend_from_slice(b);
            Ok(())
        })
        .unwrap();
        let v: Vec<u32> = serde_json::from_slice(&text).unwrap();
        assert_eq!(v, (0..250).collect::<Vec<_>>());
    }

    #[test]
    fn a_spooled_text_becomes_one_json_string() {
        let mut s = Spool::new().unwrap();
        let text = "姓名,\"备注\"\n张三,内科\\外科\n".repeat(20_000);
        s.write(text.as_bytes()).unwrap();
        let mut out = Vec::new();
        write_json_string(s.reader().unwrap(), &mut |b: &[u8]| {
            out.extend_from_slice(b);
            Ok(())
        })
        .unwrap();
        let back: String = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, text);
    }
}
