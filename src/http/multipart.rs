//! A file sent as a browser form sends it (`multipart/form-data`, `curl -F file=@roster.xlsx`):
//! the uploads take it exactly as a raw body. The body is already read (under its limit and
//! deadline); this finds the file part in it.

use actix_web::web::Bytes;

use crate::error::{ClientError, Error, Kind};

/// The boundary of a `multipart/form-data` content type, if it is one.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut parts = content_type.split(';');
    let essence = parts.next()?.trim().to_ascii_lowercase();
    if essence != "multipart/form-data" {
        return None;
    }
    parts
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .filter(|b| !b.is_empty())
}

/// The first part that carries a file (a `filename`), else the part named `file`.
pub fn file_part(body: &Bytes, boundary: &str) -> Result<Bytes, Error> {
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let mut starts = Vec::new();
    let mut at = 0;
    while let Some(k) = find(&body[at..], d) {
        starts.push(at + k);
        at += k + d.len();
    }
    let mut named = None;
    for w in starts.windows(2) {
        let part = &body[w[0] + d.len()..w[1]];
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let Some(split) = find(part, b"\r\n\r\n") else { continue };
        let headers = String::from_utf8_lossy(&part[..split]).to_ascii_lowercase();
        let content = &part[split + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        let slice = body.slice_ref(content);
        if headers.contains("filename=") {
            return Ok(slice);
        }
        if headers.contains("name=\"file\"") {
            named = Some(slice);
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

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_part_is_found_whatever_comes_before_it() {
        let body = Bytes::from_static(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\nsnapshot\r\n\
              --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\
              Content-Type: text/csv\r\n\r\nname,id\r\n1,2\r\n\r\n--XyZ--\r\n",
        );
        let b = boundary("multipart/form-data; boundary=XyZ").unwrap();
        assert_eq!(&file_part(&body, &b).unwrap()[..], b"name,id\r\n1,2\r\n");
        assert!(boundary("text/csv").is_none());
        let empty = Bytes::from_static(b"--XyZ\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--XyZ--");
        assert!(file_part(&empty, "XyZ").is_err());
    }
}
