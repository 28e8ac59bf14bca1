//! The signed daily files (`jifen export status-list --out DIR`): the full lists (CSV and
//! JSON), the day's changes (JSON), a `SHA256SUMS` of them in `sha256sum` format, and an
//! Ed25519 signature of that file (`SHA256SUMS.sig`, hex), so a consumer holding jifen's public
//! key proves where every byte came from (`jifen export verify`).

use std::path::Path;

use chrono::{Duration, NaiveDate};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use super::super::exports::ListFile;
use super::super::{App, Caller};
use crate::error::{Error, Result};
use crate::sheets::export::{ExportEncoding, ExportFormat};

pub const SUMS: &str = "SHA256SUMS";
pub const SIGNATURE: &str = "SHA256SUMS.sig";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(what: &str, s: &str) -> std::result::Result<[u8; N], String> {
    let s = s.trim();
    let bad = || format!("{what}: {} hexadecimal digits expected", 2 * N);
    if s.len() != 2 * N || !s.is_ascii() {
        return Err(bad());
    }
    let mut out = [0u8; N];
    for (k, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * k..2 * k + 2], 16).map_err(|_| bad())?;
    }
    Ok(out)
}

/// A new signing key: (secret, public), each as hex.
pub fn generate_key() -> (String, String) {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    (hex(&key.to_bytes()), hex(&key.verifying_key().to_bytes()))
}

/// The signing key of a secret written by [`generate_key`].
pub fn signing_key(secret_hex: &str) -> std::result::Result<SigningKey, String> {
    Ok(SigningKey::from_bytes(&unhex::<32>("signing key", secret_hex)?))
}

/// The public key as hex, for consumers.
pub fn public_hex(key: &SigningKey) -> String {
    hex(&key.verifying_key().to_bytes())
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::Internal(anyhow::anyhow!("{}: {e}", path.display()))
}

impl App {
    /// Writes the files of day `on` into `dir` (created if missing), signed with `key`; returns
    /// the names written, `SHA256SUMS` and its signature last.
    pub fn write_daily_files(
        &self,
        caller: &Caller,
        on: NaiveDate,
        dir: &Path,
        key: &SigningKey,
    ) -> Result<Vec<String>> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let csv = Some(ExportFormat::Csv(ExportEncoding::Utf8Bom));
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        for which in [ListFile::Practitioners, ListFile::Institutions] {
            for (fmt, ext) in [(csv, "csv"), (None, "json")] {
                let (bytes, _) = self.list_file(caller, which, on, fmt)?;
                files.push((format!("{}-{on}.{ext}", which.stem()), bytes));
            }
        }
        files.push((format!("changes-{on}.json"), self.day_of_changes(caller, on)?));
        let mut sums = String::new();
        for (name, bytes) in &files {
            let path = dir.join(name);
            std::fs::write(&path, bytes).map_err(io(&path))?;
            sums.push_str(&format!("{}  {name}\n", hex(&Sha256::digest(bytes))));
        }
        let path = dir.join(SUMS);
        std::fs::write(&path, sums.as_bytes()).map_err(io(&path))?;
        let signature = key.sign(sums.as_bytes());
        let path = dir.join(SIGNATURE);
        std::fs::write(&path, format!("{}\n", hex(&signature.to_bytes()))).map_err(io(&path))?;
        let mut names: Vec<String> = files.into_iter().map(|(n, _)| n).collect();
        names.extend([SUMS.to_string(), SIGNATURE.to_string()]);
        Ok(names)
    }

    /// The changes committed on day `on` (China time), each with its key's current timeline.
    fn day_of_changes(&self, caller: &Caller, on: NaiveDate) -> Result<Vec<u8>> {
        caller.permit(super::super::Action::ReadChanges)?;
        let mut c = self.conn()?;
        // Dates are UTC+8 (DESIGN.md); `recorded_at` is UTC.
        let from = on.and_hms_opt(0, 0, 0).unwrap_or_default() - Duration::hours(8);
        let rows = crate::store::feed::recorded_between(&mut c, from, from + Duration::days(1))?;
        let first = rows.first().and_then(|r| r.seq);
        let last = rows.last().and_then(|r| r.seq);
        let changes = self.with_timelines(&mut c, rows)?;
        serde_json::to_vec_pretty(&serde_json::json!({
            "date": on, "first_seq": first, "last_seq": last, "changes": changes,
        }))
        .map_err(|e| Error::Internal(e.into()))
    }
}

/// Checks `dir` against `public_hex`: the signature of `SHA256SUMS`, then every file it lists.
/// Returns the files checked, or what failed.
pub fn verify_dir(dir: &Path, public_hex: &str) -> std::result::Result<Vec<String>, String> {
    let public = VerifyingKey::from_bytes(&unhex::<32>("public key", public_hex)?)
        .map_err(|_| "public key: not an Ed25519 key".to_string())?;
    let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| format!("{name}: {e}"));
    let sums = read(SUMS)?;
    let sig = String::from_utf8(read(SIGNATURE)?).map_err(|_| format!("{SIGNATURE}: not hex"))?;
    let signature = Signature::from_bytes(&unhex::<64>(SIGNATURE, &sig)?);
    public
        .verify(&sums, &signature)
        .map_err(|_| format!("{SUMS}: the signature does not match (not signed by this key, or changed)"))?;
    let text = String::from_utf8(sums).map_err(|_| format!("{SUMS}: not UTF-8"))?;
    let mut checked = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (digest, name) = line.split_once("  ").ok_or_else(|| format!("{SUMS}: malformed line"))?;
        // Names are ours (no path separators): a listed file elsewhere is refused.
        if name.contains('/') || name.contains('\\') || name.starts_with('.') {
            return Err(format!("{SUMS}: unexpected file name {name}"));
        }
        if hex(&Sha256::digest(read(name)?)) != digest {
            return Err(format!("{name}: SHA-256 does not match {SUMS}"));
        }
        checked.push(name.to_string());
    }
    Ok(checked)
}
