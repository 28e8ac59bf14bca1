//! Files uploaded for a preview, kept in memory until they are committed (the commit button
//! works without JavaScript: the browser does not send the file twice). Each belongs to the
//! account that uploaded it, lives 30 minutes, and the oldest go first past 256 MiB.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_multipart::Multipart;
use futures_util::StreamExt;

use crate::service::rosters::RosterMode;

const TTL: Duration = Duration::from_secs(30 * 60);
const MAX_BYTES: usize = 256 * 1024 * 1024;

#[derive(Clone)]
pub struct Stashed {
    pub account_id: i64,
    pub institution: String,
    pub mode: RosterMode,
    pub file_name: String,
    pub bytes: Arc<Vec<u8>>,
    /// The rejected rows of the latest preview or commit, to download.
    pub rejected_csv: Option<Arc<String>>,
    at: Instant,
}

static STASH: Mutex<Option<HashMap<String, Stashed>>> = Mutex::new(None);

fn with<T>(f: impl FnOnce(&mut HashMap<String, Stashed>) -> T) -> T {
    let mut guard = STASH.lock().unwrap_or_else(|e| e.into_inner());
    let map = guard.get_or_insert_with(HashMap::new);
    map.retain(|_, s| s.at.elapsed() < TTL);
    f(map)
}

pub fn put(account_id: i64, institution: &str, mode: RosterMode, file_name: &str, bytes: Vec<u8>) -> String {
    let id = crate::service::sessions::random_secret()[..24].to_string();
    let s = Stashed {
        account_id,
        institution: institution.to_string(),
        mode,
        file_name: file_name.to_string(),
        bytes: Arc::new(bytes),
        rejected_csv: None,
        at: Instant::now(),
    };
    with(|m| {
        m.insert(id.clone(), s);
        while m.values().map(|s| s.bytes.len()).sum::<usize>() > MAX_BYTES && m.len() > 1 {
            let oldest = m.iter().min_by_key(|(_, s)| s.at).map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                m.remove(&k);
            }
        }
    });
    id
}

/// The upload `id` of `account_id` (nobody else's).
pub fn get(id: &str, account_id: i64) -> Option<Stashed> {
    with(|m| m.get(id).filter(|s| s.account_id == account_id).cloned())
}

pub fn set_rejected(id: &str, csv: Option<String>) {
    with(|m| {
        if let Some(s) = m.get_mut(id) {
            s.rejected_csv = csv.map(Arc::new);
        }
    });
}

/// The shared part of the upload pages while a job runs: a `<progress>` bar (indeterminate while
/// the file is read, rows of the total while checking and writing) that htmx polls at
/// `poll_url` until the job's answer replaces it.
#[derive(askama::Template)]
#[template(path = "upload_progress.html")]
pub struct UploadProgress {
    pub poll_url: String,
    pub label: String,
    pub percent: Option<u64>,
}

impl UploadProgress {
    pub fn of(poll_url: String, p: &crate::service::progress::Progress) -> UploadProgress {
        UploadProgress { poll_url, label: p.label_zh(), percent: p.percent() }
    }
}

/// A page's upload (`multipart/form-data`): its CSRF token and the file.
pub struct UploadForm {
    pub csrf_token: String,
    pub file_name: String,
    pub file: Vec<u8>,
}

/// The largest file a page takes, as the API's uploads.
const MAX_FILE: usize = 64 * 1024 * 1024;

/// Reads a page's upload form: the `file` field and the `csrf_token`; other fields are ignored.
pub async fn read_upload_form(mut payload: Multipart) -> Result<UploadForm, String> {
    let mut form = UploadForm { csrf_token: String::new(), file_name: String::new(), file: Vec::new() };
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|e| format!("上传内容无法读取：{e}"))?;
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            form.file_name = field.content_disposition().and_then(|d| d.get_filename()).unwrap_or("").to_string();
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| format!("上传内容无法读取：{e}"))?;
            if bytes.len() + chunk.len() > MAX_FILE {
                return Err("文件超过64MB，请分批上传。".into());
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "file" => form.file = bytes,
            "csrf_token" => form.csrf_token = String::from_utf8_lossy(&bytes).trim().to_string(),
            _ => {}
        }
    }
    Ok(form)
}
