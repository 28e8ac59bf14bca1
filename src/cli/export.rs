//! `jifen export …`: the files the API serves, written to disk (CSV in UTF-8 with BOM or GBK,
//! or .xlsx with ID numbers as text), and the blank 附件1 template.

use std::path::PathBuf;

use clap::Subcommand;

use crate::domain::dates::{parse_date, today_china};
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
    /// Practitioners suspended or terminated on a day, masked (as GET /exports/status-list.xlsx).
    StatusList {
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        format: Option<String>,
        #[arg(long)]
        out: PathBuf,
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
        ExportCommand::StatusList { date, format, out } => {
            let fmt = format_for(format.as_deref(), &out)?;
            (app.export_status_list(caller, day(date.as_deref())?, fmt).map_err(err)?, out)
        }
        ExportCommand::Template { out } => (crate::service::rosters::template().map_err(err)?, out),
    };
    std::fs::write(&out, bytes).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    println!("written to {} / 已写入", out.display());
    Ok(())
}
