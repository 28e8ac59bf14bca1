//! An .xls is read whole by `calamine`, every sheet at once, into a grid as large as the
//! sheet's extent: a 5 KB file whose DIMENSIONS record says 4 × 10⁹ rows, or with one cell at
//! A1 and one at row 65 536 column 65 536, makes it reserve terabytes — and a failed allocation
//! aborts the server, it is not an error. A sector chain that loops makes it read forever.
//! [`check`] walks the file first — the compound file's sector chains (each visited once) and
//! the BIFF records of every sheet, the way `calamine` walks them — and refuses a sheet whose
//! extent is beyond what the file's size can justify. Nothing is decoded: positions only.

use super::error::SheetError;

/// Cells a sheet's extent may cover: this many whatever the file (256 columns × 256 rows),
/// plus one per 4 bytes of file (a real cell record takes at least 10). `calamine` holds
/// about 130 bytes per cell of the extent, so the grid stays under 35 × the file + 9 MB.
const EXTENT_FLOOR: u64 = 65_536;
const BYTES_PER_CELL: u64 = 4;

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;

fn broken(what: &str) -> SheetError {
    SheetError::Unreadable { reason: format!("a broken .xls file ({what})") }
}

fn too_large() -> SheetError {
    SheetError::Unsupported {
        what: "an .xls sheet whose used range is far larger than its data",
        what_zh: "使用范围（行列跨度）远大于实际数据的 .xls 工作表",
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Refuses an .xls that would make `calamine` loop or allocate beyond the bound above. A file
/// this walk cannot follow is refused too: `calamine` would fail on it, or read other bytes.
pub fn check(file: &[u8]) -> Result<(), SheetError> {
    // Without one, calamine stops before reading a sheet (and tries the file as an
    // encrypted .xlsx, to say it has a password).
    let Some(stream) = workbook_stream(file)? else { return Ok(()) };
    let limit = EXTENT_FLOOR + file.len() as u64 / BYTES_PER_CELL;
    for pos in sheet_offsets(&stream) {
        let Some(sheet) = stream.get(pos..) else { continue };
        check_sheet(sheet, limit)?;
    }
    Ok(())
}

/// The compound file's "Workbook" (or "Book") stream, as `calamine::cfb` reads it; `None`
/// when it has none.
fn workbook_stream(file: &[u8]) -> Result<Option<Vec<u8>>, SheetError> {
    let header = file.get(..512).ok_or_else(|| broken("no header"))?;
    let size: usize = match u16_at(header, 30) {
        Some(9) => 512,
        Some(12) => 4096,
        _ => return Err(broken("sector size")),
    };
    let body = file.get(size..).unwrap_or(&[]);
    let sectors = body.len().div_ceil(size);
    let sector = |id: u32| sector_of(body, size, id);
    // The FAT, from the DIFAT in the header and its chain of further DIFAT sectors.
    let mut difat: Vec<u32> = header[76..512].chunks(4).filter_map(|c| u32_at(c, 0)).collect();
    let mut next = u32_at(header, 68).unwrap_or(ENDOFCHAIN);
    let mut seen = 0;
    while next < 0xFFFF_FFFA {
        seen += 1;
        if seen > sectors {
            return Err(broken("a DIFAT chain that loops"));
        }
        let s = sector(next).ok_or_else(|| broken("a DIFAT sector beyond the end"))?;
        difat.extend(s.chunks(4).filter_map(|c| u32_at(c, 0)));
        next = difat.pop().unwrap_or(ENDOFCHAIN);
    }
    let mut fat = Vec::new();
    for id in difat.into_iter().filter(|&id| id < 0xFFFF_FFFC) {
        let s = sector(id).ok_or_else(|| broken("a FAT sector beyond the end"))?;
        fat.extend(s.chunks(4).filter_map(|c| u32_at(c, 0)));
    }
    let dirs = chain(u32_at(header, 48).unwrap_or(ENDOFCHAIN), usize::MAX, &sector, &fat, sectors)?;
    let entries: Vec<&[u8]> = dirs.chunks(128).filter(|c| c.len() == 128).collect();
    let root = entries.first().ok_or_else(|| broken("no root directory"))?;
    let name_of = |e: &[u8]| -> String {
        let units: Vec<u16> = e[..64].chunks(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        let name = String::from_utf16_lossy(&units);
        name.split('\0').next().unwrap_or("").to_string()
    };
    let len_of = |e: &[u8]| -> usize {
        let len = if size == 512 { u64::from(u32_at(e, 120).unwrap_or(0)) } else { u64_at(e, 120) };
        usize::try_from(len).unwrap_or(usize::MAX)
    };
    let Some(found) =
        ["Workbook", "Book"].iter().find_map(|want| entries.iter().find(|e| name_of(e).eq_ignore_ascii_case(want)))
    else {
        return Ok(None);
    };
    let (start, len) = (u32_at(found, 116).unwrap_or(ENDOFCHAIN), len_of(found));
    if len >= 4096 {
        return chain(start, len, &sector, &fat, sectors).map(Some);
    }
    // A small stream lives in 64-byte sectors of the mini stream (the root entry's chain),
    // found through the mini FAT.
    let mini_fat_len = u32_at(header, 64).unwrap_or(0) as usize;
    let mini_fat_bytes = mini_fat_len.checked_mul(size).ok_or_else(|| broken("mini FAT size"))?;
    let mini_fat_raw = chain(u32_at(header, 60).unwrap_or(ENDOFCHAIN), mini_fat_bytes, &sector, &fat, sectors)?;
    let mini_fat: Vec<u32> = mini_fat_raw.chunks(4).filter_map(|c| u32_at(c, 0)).collect();
    let ministream = chain(u32_at(root, 116).unwrap_or(ENDOFCHAIN), len_of(root), &sector, &fat, sectors)?;
    // calamine reads past the end of the mini stream from elsewhere in the file: refuse.
    let mini = |id: u32| sector_of(&ministream, 64, id).filter(|s| s.len() == 64);
    chain(start, len, &mini, &mini_fat, ministream.len() / 64 + 1).map(Some)
}

/// Sector `id` of `body` (the last one may be short); `None` past the end.
fn sector_of(body: &[u8], size: usize, id: u32) -> Option<&[u8]> {
    let start = (id as usize).checked_mul(size)?;
    body.get(start..(start + size).min(body.len()))
}

/// The bytes of the chain from `start`, at most `len`, each sector visited at most once
/// (`count` steps): a loop is refused, where calamine would follow it for ever.
fn chain<'a>(
    start: u32,
    len: usize,
    read: &dyn Fn(u32) -> Option<&'a [u8]>,
    fat: &[u32],
    count: usize,
) -> Result<Vec<u8>, SheetError> {
    let mut out = Vec::new();
    let (mut id, mut steps) = (start, 0usize);
    while id != ENDOFCHAIN && out.len() < len {
        steps += 1;
        if steps > count {
            return Err(broken("a sector chain that loops"));
        }
        let s = read(id).ok_or_else(|| broken("a sector beyond the end"))?;
        out.extend_from_slice(&s[..s.len().min(len - out.len())]);
        id = *fat.get(id as usize).ok_or_else(|| broken("a sector outside the FAT"))?;
    }
    Ok(out)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).and_then(|s| s.try_into().ok()).map(u64::from_le_bytes).unwrap_or(0)
}

/// BIFF records as `calamine` splits them: type, data; CONTINUE records folded into the one
/// before. Ends at the first record that runs past the stream.
fn records(mut s: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let typ = u16_at(s, 0)?;
        let len = u16_at(s, 2)? as usize;
        let data = s.get(4..4 + len)?;
        s = &s[4 + len..];
        while s.len() > 4 && u16_at(s, 0) == Some(0x003C) {
            let len = u16_at(s, 2)? as usize;
            s = s.get(4 + len..)?;
        }
        Some((typ, data))
    })
}

/// Where each sheet's records start (BoundSheet8 records of the workbook globals).
fn sheet_offsets(stream: &[u8]) -> Vec<usize> {
    records(stream)
        .take_while(|(typ, _)| *typ != 0x000A)
        .filter(|(typ, _)| *typ == 0x0085)
        .filter_map(|(_, data)| u32_at(data, 0).map(|p| p as usize))
        .collect()
}

/// The extents `calamine` would allocate for one sheet: each DIMENSIONS record's, and the
/// bounding box of every cell and formula position.
fn check_sheet(sheet: &[u8], limit: u64) -> Result<(), SheetError> {
    let (mut top, mut left, mut bottom, mut right) = (u32::MAX, u32::MAX, 0u32, 0u32);
    let mut any = false;
    let (mut bof_seen, mut depth) = (false, 0usize);
    let mut cell = |r: u32, c: u32| {
        any = true;
        (top, left, bottom, right) = (top.min(r), left.min(c), bottom.max(r), right.max(c));
    };
    for (typ, d) in records(sheet) {
        if depth > 0 {
            match typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let at = |k: usize| u16_at(d, k).map(u32::from);
        match typ {
            0x0809 if bof_seen => depth += 1,
            0x0809 => bof_seen = true,
            0x000A => break,
            0x0200 => {
                if let Some((rows, cols)) = dimensions(d) {
                    if rows.checked_mul(cols).is_none_or(|n| n > limit) {
                        return Err(too_large());
                    }
                } else if matches!(d.len(), 10 | 14 | 16) {
                    return Err(broken("a DIMENSIONS record whose end is before its start"));
                }
            }
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                if let (Some(r), Some(c)) = (at(0), at(2)) {
                    cell(r, c);
                }
            }
            0x00BD => {
                if let (Some(r), Some(c), Some(last)) = (at(0), at(2), d.len().checked_sub(2).and_then(at)) {
                    cell(r, c);
                    cell(r, last);
                }
            }
            _ => {}
        }
    }
    let area = u64::from(bottom.saturating_sub(top)) + 1;
    let area = area.saturating_mul(u64::from(right.saturating_sub(left)) + 1);
    if any && area > limit {
        return Err(too_large());
    }
    Ok(())
}

/// Rows and columns of a DIMENSIONS record as `calamine` computes them; `None` where its
/// subtraction would underflow.
fn dimensions(d: &[u8]) -> Option<(u64, u64)> {
    let (rf, rl, mut cf, cl) = match d.len() {
        10 => (u32::from(u16_at(d, 0)?), u32::from(u16_at(d, 2)?), u32::from(u16_at(d, 4)?), u32::from(u16_at(d, 6)?)),
        14 | 16 => (u32_at(d, 0)?, u32_at(d, 4)?, u32::from(u16_at(d, 8)?), u32::from(u16_at(d, 10)?)),
        _ => return Some((0, 0)), // calamine refuses the record
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    let (start, end) = if rl >= 1 && cl >= 1 { ((rf, cf), (rl - 1, cl - 1)) } else { ((rf, cf), (rf, cf)) };
    let rows = end.0.checked_sub(start.0)?;
    let cols = end.1.checked_sub(start.1)?;
    Some((u64::from(rows) + 1, u64::from(cols) + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_as_calamine_reads_them() {
        let dims = |rf: u32, rl: u32, cf: u16, cl: u16| {
            let mut d = Vec::new();
            d.extend(rf.to_le_bytes());
            d.extend(rl.to_le_bytes());
            d.extend(cf.to_le_bytes());
            d.extend(cl.to_le_bytes());
            d.extend([0, 0]);
            dimensions(&d)
        };
        assert_eq!(dims(0, 10, 0, 5), Some((10, 5)));
        assert_eq!(dims(0, 0, 0, 0), Some((1, 1)));
        assert_eq!(dims(7, 3, 0, 5), None, "the end before the start");
        assert_eq!(dims(0, u32::MAX, 0, u16::MAX), Some((u64::from(u32::MAX), 65_535)));
    }
}
