//! Files uploaded for a preview, kept in memory until they are committed (the commit button
//! works without JavaScript: the browser does not send the file twice). Each belongs to the
//! account that uploaded it, lives 30 minutes, and the oldest go first past 256 MiB.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
