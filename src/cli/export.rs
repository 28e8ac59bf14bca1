//! `jifen export …`: the files the API serves, written to disk (CSV in UTF-8 with BOM or GBK,
//! or .xlsx with ID numbers as text), and the blank 附件1 template.

use std::path::PathBuf;

use clap::Subcommand;

use crate::domain::dates::{parse_date, today_china};
use crate::service::feed::files;
use crate::service::{App, Caller};
use crate::sheets::export::ExportFormat;

#[derive(Subcommand)]
pub enum ExportCommand {
    /// An institution's staff with status and points (as GET /institutions/{code}/roster.xlsx).
    Roster {
        #[arg(long)]
        institution: String,
        /// The day the list is as of (default today).
        #[arg(long)]
        date: Option<String>,
        /// xlsx, csv (UTF-8 with BOM) or gbk (CSV in GBK); default: from --out's extension.
        #[arg(long)]
        format: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Practitioners refused on a day, masked (as GET /exports/status-list.xlsx). With --out a
    /// directory (existing, or a name with no extension): the signed daily files — both full
    /// lists (CSV and JSON), the day's changes, SHA256SUMS and its Ed25519 signature.
    StatusList {
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        format: Option<String>,
        #[arg(long)]
        out: PathBuf,
        /// The signing key (`jifen key generate`) of the daily files; or JIFEN_SIGNING_KEY_FILE.
        #[arg(long, env = "JIFEN_SIGNING_KEY_FILE")]
        key: Option<PathBuf>,
    },
    /// Check a directory of daily files against jifen's public key (exits non-zero on failure).
    Verify {
        dir: PathBuf,
        /// The public key, as `jifen key generate` printed it (hex), or a file holding it.
        #[arg(long)]
        public_key: String,
    },
    /// The blank 附件1 roster template (.xlsx), with a note on each column and drop-downs.
    Template {
        #[arg(long)]
        out: PathBuf,
    },
}

fn format_for(format: Option<&str>, out: &std::path::Path) -> anyhow::Result<ExportFormat> {
    let by_name = out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let (format, encoding) = match format.or(by_name.as_deref()) {
        Some("gbk") => (Some("csv"), Some("gbk")),
        other => (other, None),
    };
    ExportFormat::parse(format, None, encoding).map_err(|e| anyhow::anyhow!("{e}"))
}

fn day(date: Option<&str>) -> anyhow::Result<chrono::NaiveDate> {
    match date {
        Some(d) => parse_date("--date", d).map_err(|e| anyhow::anyhow!("{e}")),
        None => Ok(today_china()),
    }
}

pub fn run(app: &App, caller: &Caller, command: ExportCommand) -> anyhow::Result<()> {
    let err = |e: crate::error::Error| anyhow::anyhow!("{e}");
    let (bytes, out) = match command {
        ExportCommand::Roster { institution, date, format, out } => {
            let fmt = format_for(format.as_deref(), &out)?;
            let code = institution.trim().to_ascii_uppercase();
            (app.export_roster(caller, &code, day(date.as_deref())?, fmt).map_err(err)?, out)
        }
        ExportCommand::StatusList { date, out, key, .. } if out.is_dir() || out.extension().is_none() => {
            let key = key.ok_or_else(|| anyhow::anyhow!("--key FILE (jifen key generate) signs the daily files"))?;
            let secret = std::fs::read_to_string(&key).map_err(|e| anyhow::anyhow!("{}: {e}", key.display()))?;
            let key = files::signing_key(&secret).map_err(|e| anyhow::anyhow!("{e}"))?;
            let names = app.write_daily_files(caller, day(date.as_deref())?, &out, &key).map_err(err)?;
            for name in names {
                println!("{}", out.join(name).display());
            }
            println!("public key / 公钥: {}", files::public_hex(&key));
            return Ok(());
        }
        ExportCommand::Verify { .. } => return verify(command),
        ExportCommand::StatusList { date, format, out, .. } => {
            let fmt = format_for(format.as_deref(), &out)?;
            (app.export_status_list(caller, day(date.as_deref())?, fmt).map_err(err)?, out)
        }
        ExportCommand::Template { out } => (crate::service::rosters::template().map_err(err)?, out),
    };
    std::fs::write(&out, bytes).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    println!("written to {} / 已写入", out.display());
    Ok(())
}

/// `jifen export verify DIR --public-key KEY`: needs no database.
pub fn verify(command: ExportCommand) -> anyhow::Result<()> {
    let ExportCommand::Verify { dir, public_key } = command else { return Ok(()) };
    let public = match std::fs::read_to_string(&public_key) {
        Ok(text) => text,
        Err(_) => public_key,
    };
    match files::verify_dir(&dir, &public) {
        Ok(names) => {
            for name in &names {
                println!("OK {name}");
            }
            println!("signature good: {} files / 签名有效", names.len());
            Ok(())
        }
        Err(e) => anyhow::bail!("verification failed / 校验失败: {e}"),
    }
}

#[derive(Subcommand)]
pub enum KeyCommand {
    /// A new Ed25519 signing key for the daily files, written to --out (which must not exist);
    /// prints the public key consumers check them with.
    Generate {
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn key(command: KeyCommand) -> anyhow::Result<()> {
    let KeyCommand::Generate { out } = command;
    let (secret, public) = files::generate_key();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(&out).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    std::io::Write::write_all(&mut f, format!("{secret}\n").as_bytes())?;
    println!("signing key written to {} (keep it secret) / 私钥已写入", out.display());
    println!("public key / 公钥: {public}");
    Ok(())
}
