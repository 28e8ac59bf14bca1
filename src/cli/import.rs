//! `jifen import roster FILE --institution CODE [--commit] [--partial] [--mode delta|snapshot]`

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

use crate::service::batches::{BatchOptions, BatchReport};
use crate::service::progress::{Phase, Progress};
use crate::service::rosters::{RosterMode, UploadOptions};
use crate::service::{App, Caller};
use crate::sheets::upload::Rejection;

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
        /// A snapshot deregistering many people: the count its preview showed.
        #[arg(long)]
        confirm_deregister: Option<usize>,
    },
    /// Training-test results (医保对应代码, 测试日期, 测试形式, 成绩, 是否合格).
    Tests {
        file: PathBuf,
        #[arg(long)]
        commit: bool,
        #[arg(long)]
        partial: bool,
    },
    /// Violations, one per row, grouped into inspections by 检查编号.
    Violations {
        file: PathBuf,
        #[arg(long)]
        commit: bool,
        #[arg(long)]
        partial: bool,
    },
}

fn spinner() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(spinner_style());
    bar
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} [{elapsed}]")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// Draws each phase of an upload — reading (a spinner: the length is not known yet), checking
/// and writing (a bar of rows) — and, when stderr is not a terminal (a log, a script), one line
/// per phase instead.
struct Phases {
    bar: ProgressBar,
    phase: Option<Phase>,
    terminal: bool,
}

impl Phases {
    fn new() -> Phases {
        Phases { bar: spinner(), phase: None, terminal: std::io::stderr().is_terminal() }
    }

    fn show(&mut self, p: Progress) {
        if self.phase != Some(p.phase) {
            self.phase = Some(p.phase);
            let words = format!("{} / {}", p.phase.as_str(), p.phase.zh());
            match p.rows_total {
                Some(total) => {
                    self.bar.set_style(bar_style());
                    self.bar.set_length(total);
                    if !self.terminal {
                        eprintln!("{words}: {total} rows / 共{total}行");
                    }
                }
                None => {
                    self.bar.set_style(spinner_style());
                    if !self.terminal {
                        eprintln!("{words}");
                    }
                }
            }
            self.bar.set_message(words);
        }
        match p.rows_total {
            Some(_) => self.bar.set_position(p.rows_done),
            None if p.rows_done.is_multiple_of(500) => {
                self.bar.set_message(format!("{} / {}", p.phase.as_str(), p.label_zh()))
            }
            None => {}
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn open(file: &PathBuf) -> anyhow::Result<std::fs::File> {
    std::fs::File::open(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))
}

fn print_rejections(rejected: &[Rejection]) {
    for r in rejected.iter().take(20) {
        println!("  row {} [{}] {} / {}", r.row, r.column.as_deref().unwrap_or("-"), r.reason, r.reason_zh);
    }
    if rejected.len() > 20 {
        println!("  … and {} more", rejected.len() - 20);
    }
}

fn write_rejected(file: &std::path::Path, csv: &Option<String>) -> anyhow::Result<()> {
    if let Some(csv) = csv {
        let out = file.with_extension("rejected.csv");
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(csv.as_bytes());
        std::fs::write(&out, bytes)?;
        println!("rejected rows written to {} (fix them and import that file) / 退回行已写入该文件", out.display());
    }
    Ok(())
}

fn outcome(committed: bool, commit: bool) -> &'static str {
    if committed {
        "committed / 已提交"
    } else if commit {
        "nothing written: fix the rejected rows or use --partial / 未写入"
    } else {
        "preview only: add --commit to write / 仅预览"
    }
}

pub fn run(app: &App, caller: &Caller, command: ImportCommand) -> anyhow::Result<()> {
    let mut phases = Phases::new();
    match command {
        ImportCommand::Roster { file, institution, mode, commit, partial, confirm_deregister } => {
            let mode = RosterMode::parse(Some(&mode)).map_err(err)?;
            let opts = UploadOptions { mode, commit, partial, confirm_deregister };
            // The roster reports the rows it has read (its other phases are its own).
            let mut read = 0u64;
            let mut tick = |_row: u64| {
                read += 1;
                phases.show(Progress::reading(read));
            };
            let result = app.upload_roster(caller, &institution, open(&file)?, opts, &mut tick);
            phases.finish();
            let report = match result {
                Ok(r) => r,
                Err(crate::error::Error::Client(refused)) if refused.report.is_some() => {
                    return print_refused(&refused, &file);
                }
                Err(e) => return Err(err(e)),
            };
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
            print_rejections(&report.rejected);
            write_rejected(&file, &report.rejected_csv)?;
            println!("{}", outcome(report.committed, commit));
        }
        ImportCommand::Tests { file, commit, partial } => {
            let opts = BatchOptions { commit, partial };
            let result = app.upload_tests(caller, open(&file)?, opts, &mut |p| phases.show(p));
            phases.finish();
            let report = result.map_err(err)?;
            print_batch(&report, &file, commit)?;
        }
        ImportCommand::Violations { file, commit, partial } => {
            let opts = BatchOptions { commit, partial };
            let result = app.upload_violations(caller, open(&file)?, opts, &mut |p| phases.show(p));
            phases.finish();
            let report = result.map_err(err)?;
            print_batch(&report, &file, commit)?;
        }
    }
    Ok(())
}

fn print_batch(r: &BatchReport, file: &std::path::Path, commit: bool) -> anyhow::Result<()> {
    let c = &r.counts;
    println!(
        "{} rows ({}): {} to record, {} already recorded, {} rejected",
        r.rows, r.encoding, c.accepted, c.unchanged, c.rejected
    );
    println!("共{}行：待记录{}，已记录{}，退回{}", r.rows, c.accepted, c.unchanged, c.rejected);
    print_rejections(&r.rejected);
    write_rejected(file, &r.rejected_csv)?;
    println!("{}", outcome(r.committed, commit));
    Ok(())
}

/// A commit refused with its report (`commit_refused`, `confirmation_required`): the counts, the
/// rejected rows and their file, and the reason; the command fails.
fn print_refused(refused: &crate::error::ClientError, file: &std::path::Path) -> anyhow::Result<()> {
    let report = refused.report.as_deref().cloned().unwrap_or_default();
    let n = |k: &str| report["counts"][k].as_u64().unwrap_or(0);
    println!(
        "{} rows: {} to add, {} to change, {} to deregister, {} unchanged, {} rejected",
        report["rows"].as_u64().unwrap_or(0),
        n("added"),
        n("changed"),
        n("deregistered"),
        n("unchanged"),
        n("rejected")
    );
    for r in report["rejected"].as_array().into_iter().flatten().take(20) {
        println!(
            "  row {} [{}] {}",
            r["row"].as_u64().unwrap_or(0),
            r["column"].as_str().unwrap_or("-"),
            r["reason_zh"].as_str().unwrap_or("")
        );
    }
    write_rejected(file, &report["rejected_csv"].as_str().map(str::to_string))?;
    println!("{} / {}", refused.message, refused.message_zh);
    Err(anyhow::anyhow!("{}: nothing written / 未写入", refused.code))
}

fn err(e: crate::error::Error) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}
