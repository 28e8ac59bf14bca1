//! CSV for Excel users: UTF-8 with a BOM by default, or GBK (`?encoding=gbk`).

use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportEncoding {
    Utf8Bom,
    Gbk,
}

impl ExportEncoding {
    pub fn parse(s: Option<&str>) -> Result<Self, Error> {
        match s.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("utf-8") | Some("utf8") => Ok(ExportEncoding::Utf8Bom),
            Some("gbk") | Some("gb18030") | Some("gb2312") => Ok(ExportEncoding::Gbk),
            Some(other) => Err(Error::invalid(
                "invalid_encoding",
                "encoding",
                format!("encoding '{other}' is not utf-8 or gbk"),
                format!("编码 '{other}' 应为 utf-8 或 gbk"),
            )),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportEncoding::Utf8Bom => "text/csv; charset=utf-8",
            ExportEncoding::Gbk => "text/csv; charset=gbk",
        }
    }
}

/// Writes rows to CSV text, then encodes it.
pub fn to_bytes(header: &[&str], rows: &[Vec<String>], enc: ExportEncoding) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| Error::Internal(e.into());
    w.write_record(header).map_err(internal)?;
    for r in rows {
        w.write_record(r).map_err(internal)?;
    }
    let utf8 = w.into_inner().map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?;
    Ok(match enc {
        ExportEncoding::Utf8Bom => {
            let mut out = vec![0xEF, 0xBB, 0xBF];
            out.extend_from_slice(&utf8);
            out
        }
        ExportEncoding::Gbk => {
            let text = String::from_utf8_lossy(&utf8);
            encoding_rs::GBK.encode(&text).0.into_owned()
        }
    })
}
