//! `jifen import roster FILE --institution CODE [--commit] [--partial] [--mode delta|snapshot]`

use std::path::PathBuf;

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

use crate::service::rosters::{RosterMode, UploadOptions};
use crate::service::App;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// An institution's roster (附件1 columns; UTF-8, GBK or UTF-16, detected).
    Roster {
        file: PathBuf,
        #[arg(long)]
        institution: String,
        /// `delta` (each row's 操作) or `snapshot` (also deregister whoever is missing).
        #[arg(long, default_value = "delta")]
        mode: String,
        /// Write (all or nothing); without it, only a preview.
        #[arg(long)]
        commit: bool,
        /// With --commit: write the good rows even if some are rejected.
        #[arg(long)]
        partial: bool,
    },
}

pub fn run(app: &App, command: ImportCommand) -> anyhow::Result<()> {
    match command {
        ImportCommand::Roster { file, institution, mode, commit, partial } => {
            let opts = UploadOptions { mode: RosterMode::parse(Some(&mode)).map_err(err)?, commit, partial };
            let input = std::fs::File::open(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            let mut tick = |row: u64| {
                if row.is_multiple_of(500) {
                    bar.set_message(format!("{row} rows read / 已读取{row}行"));
                    bar.tick();
                }
            };
            let report = app.upload_roster(&institution, input, opts, &mut tick).map_err(err)?;
            bar.finish_and_clear();
            let c = &report.counts;
            println!(
                "{} rows ({}): {} to add, {} to change, {} to deregister, {} unchanged, {} rejected",
                report.rows, report.encoding, c.added, c.changed, c.deregistered, c.unchanged, c.rejected
            );
            println!(
                "共{}行：新增{}，变更{}，注销{}，未变{}，退回{}",
                report.rows, c.added, c.changed, c.deregistered, c.unchanged, c.rejected
            );
            if !report.unknown_columns.is_empty() {
                println!("unknown columns (ignored) / 未识别的列：{}", report.unknown_columns.join(", "));
            }
            for r in report.rejected.iter().take(20) {
                println!("  row {} [{}] {} / {}", r.row, r.column.as_deref().unwrap_or("-"), r.reason, r.reason_zh);
            }
            if report.rejected.len() > 20 {
                println!("  … and {} more", report.rejected.len() - 20);
            }
            if let Some(csv) = &report.rejected_csv {
                let out = file.with_extension("rejected.csv");
                let mut bytes = vec![0xEF, 0xBB, 0xBF];
                bytes.extend_from_slice(csv.as_bytes());
                std::fs::write(&out, bytes)?;
                println!(
                    "rejected rows written to {} (fix them and import that file) / 退回行已写入该文件",
                    out.display()
                );
            }
            println!(
                "{}",
                if report.committed {
                    "committed / 已提交"
                } else if commit {
                    "nothing written: fix the rejected rows or use --partial / 未写入"
                } else {
                    "preview only: add --commit to write / 仅预览"
                }
            );
        }
    }
    Ok(())
}

fn err(e: crate::error::Error) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}
