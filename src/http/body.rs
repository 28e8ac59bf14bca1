//! Request bodies, read under the limits of `domain::limits` for the route's body kind
//! (`routes::Body`):
//!
//! 1. the caller's role is checked first (401, then 403), so a refused caller never gets a
//!    body read, an upload slot or a size error;
//! 2. JSON routes take `application/json` (or no content type): another is 415;
//! 3. a declared `Content-Length` over the limit is 413 before anything is read, and so is
//!    a body that grows past it while streaming;
//! 4. an upload takes one of `UPLOADS_AT_ONCE` slots for as long as it is read and processed;
//!    none free is 503 `busy` with `Retry-After`;
//! 5. the body must arrive within `BODY_GRACE` plus a second per `BODY_MIN_RATE` bytes
//!    received, else 408: a client trickling a byte a second holds a worker for ~10 s, not
//!    for as long as it likes.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix_web::dev::{Decompress, Payload};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;

use super::routes::{self, Policy};
use super::State;
use crate::domain::limits::{
    BODY_GRACE, BODY_MIN_RATE, CLAIMS_BODY_MAX, JSON_BODY_MAX, UPLOADS_AT_ONCE, UPLOAD_BODY_MAX,
    UPLOAD_RETRY_AFTER_SECS,
};
use crate::error::{ClientError, Error, Kind, Result};
use crate::service::Caller;

/// A request body, read whole under its route's limits. Holds an upload slot, if it took one,
/// until the handler is done with it.
pub struct Body {
    pub bytes: Bytes,
    _slot: Option<Slot>,
}

/// The upload slots of one server.
#[derive(Default)]
pub struct UploadSlots {
    busy: AtomicUsize,
}

/// One taken upload slot, given back when dropped.
pub struct Slot(web::Data<State>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.uploads.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

impl UploadSlots {
    fn take(&self) -> bool {
        self.busy.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < UPLOADS_AT_ONCE).then_some(n + 1)).is_ok()
    }
}

fn limit_of(kind: routes::Body) -> usize {
    match kind {
        routes::Body::Upload => UPLOAD_BODY_MAX,
        routes::Body::Claims => CLAIMS_BODY_MAX,
        routes::Body::Json | routes::Body::None => JSON_BODY_MAX,
    }
}

impl FromRequest for Body {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Body>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = Decompress::from_headers(payload.take(), req.headers());
        Box::pin(async move {
            let (kind, limit, slot) = admit(&req).await?;
            let mut buf = BytesMut::new();
            read_into(payload, limit, &mut |chunk: &[u8]| {
                buf.extend_from_slice(chunk);
                Ok(())
            })
            .await?;
            let mut bytes = buf.freeze();
            if kind == routes::Body::Upload {
                // A browser form (or curl -F) sends the file inside multipart/form-data.
                let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
                if let Some(b) = super::multipart::boundary(ct) {
                    bytes = super::multipart::file_part(&bytes, &b)?;
                }
                check_upload_text(&bytes)?;
            }
            Ok(Body { bytes, _slot: slot })
        })
    }
}

/// Steps 1 to 4 of the module doc for a request: the caller's role, the content type, the
/// declared length, an upload slot. Gives the route's body kind, its limit and the slot taken.
pub(super) async fn admit(req: &HttpRequest) -> Result<(routes::Body, usize, Option<Slot>)> {
    let route = req.match_pattern().and_then(|p| routes::find(req.method(), &p));
    let kind = route.map_or(routes::Body::Json, |r| r.body);
    if let Some(Policy::Token(action, _)) = route.map(|r| r.policy) {
        let caller = Caller::from_request(req, &mut Payload::None).await?;
        caller.permit(action)?;
    }
    if matches!(kind, routes::Body::Json | routes::Body::Claims | routes::Body::None) {
        check_json_type(req)?;
    }
    let limit = limit_of(kind);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    let slot = match (kind, req.app_data::<web::Data<State>>()) {
        (routes::Body::Upload, Some(state)) => {
            if !state.uploads.take() {
                return Err(busy());
            }
            Some(Slot(state.clone()))
        }
        _ => None,
    };
    Ok((kind, limit, slot))
}

/// `application/json`, `text/json`, `…+json`, or none at all.
fn check_json_type(req: &HttpRequest) -> Result<()> {
    let Some(ct) = req.headers().get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let essence = ct.to_str().unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence.is_empty() || essence == "application/json" || essence == "text/json" || essence.ends_with("+json") {
        return Ok(());
    }
    Err(Error::Client(ClientError::new(
        Kind::UnsupportedMediaType,
        "unsupported_media_type",
        format!("this endpoint reads JSON: send Content-Type: application/json, not {essence}"),
        format!("该接口只接受 JSON：请使用 Content-Type: application/json（而非 {essence}）"),
    )))
}

/// An uploaded text file (UTF-8, with or without BOM: CSV, tab-separated, TOML, multipart
/// around them) holding a NUL or another forbidden control character: 422 `control_character`
/// with the line as `row`, before any parsing — PostgreSQL cannot store NUL, SQLite would.
/// Spreadsheets (.xlsx/.xls), UTF-16 and GBK files are left to the sheet readers, which see
/// their decoded cells.
pub fn check_upload_text(bytes: &[u8]) -> Result<()> {
    const BINARY: [&[u8]; 4] = [b"PK\x03\x04", &[0xD0, 0xCF, 0x11, 0xE0], &[0xFF, 0xFE], &[0xFE, 0xFF]];
    if BINARY.iter().any(|m| bytes.starts_with(m)) || looks_utf16(bytes) {
        return Ok(());
    }
    let text = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(text) else {
        return Ok(());
    };
    match text.find(crate::domain::limits::is_forbidden_control) {
        None => Ok(()),
        Some(at) => {
            let row = text[..at].matches('\n').count() as u64 + 1;
            Err(match crate::domain::limits::control_character("body") {
                Error::Client(c) => Error::Client(c.row(row)),
                other => other,
            })
        }
    }
}

/// UTF-16 without a BOM (as `sheets::decode` detects it): a NUL in most second bytes.
pub(super) fn looks_utf16(head: &[u8]) -> bool {
    let n = head.len().min(512) / 2 * 2;
    n >= 4 && head[..n].chunks(2).filter(|c| c[1] == 0 || c[0] == 0).count() * 2 > n / 2
}

/// Reads the whole body into `sink`, at most `limit` bytes, under the deadline of the module doc.
pub(super) async fn read_into(
    mut payload: Decompress<Payload>,
    limit: usize,
    sink: &mut dyn FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    let started = Instant::now();
    let mut received = 0usize;
    loop {
        let allowed = BODY_GRACE + Duration::from_secs_f64(received as f64 / BODY_MIN_RATE as f64);
        let left = allowed.saturating_sub(started.elapsed());
        match actix_web::rt::time::timeout(left, payload.next()).await {
            Err(_) => return Err(too_slow()),
            Ok(None) => return Ok(()),
            Ok(Some(Err(PayloadError::Overflow))) => return Err(too_large(limit)),
            Ok(Some(Err(e))) => {
                return Err(Error::Client(ClientError::new(
                    Kind::BadRequest,
                    "body_unreadable",
                    format!("the body could not be read: {e}"),
                    "请求内容读取失败（连接中断或编码错误）",
                )))
            }
            Ok(Some(Ok(chunk))) => {
                if received + chunk.len() > limit {
                    return Err(too_large(limit));
                }
                received += chunk.len();
                sink(&chunk)?;
            }
        }
    }
}

fn too_large(limit: usize) -> Error {
    let mib = limit as f64 / (1024.0 * 1024.0);
    Error::Client(ClientError::new(
        Kind::PayloadTooLarge,
        "payload_too_large",
        format!("the body is larger than this endpoint takes ({mib} MiB)"),
        format!("请求内容超过该接口的上限（{mib} MiB）"),
    ))
}

fn too_slow() -> Error {
    Error::Client(ClientError::new(
        Kind::RequestTimeout,
        "request_timeout",
        format!(
            "the body arrived too slowly: it must come within {} s plus 1 s per {} KiB",
            BODY_GRACE.as_secs(),
            BODY_MIN_RATE / 1024
        ),
        "请求内容发送过慢，已超时",
    ))
}

fn busy() -> Error {
    Error::Client(
        ClientError::new(
            Kind::Unavailable,
            "busy",
            format!("{UPLOADS_AT_ONCE} uploads are being processed: try again shortly"),
            format!("正在处理 {UPLOADS_AT_ONCE} 个上传文件，请稍后重试"),
        )
        .retry_after(UPLOAD_RETRY_AFTER_SECS as u16),
    )
}
