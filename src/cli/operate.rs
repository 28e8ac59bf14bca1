//! `jifen verify`'s report, `jifen backup` and `jifen restore` (the README's "Operating jifen").

use std::path::Path;

use crate::service::verify::VerifyReport;
use crate::service::{backup, Caller};

/// Prints the report; true when everything checks.
pub fn print_verify(report: &VerifyReport) -> bool {
    if let Some(first) = report.chain.breaks.first() {
        println!(
            "CHAIN BROKEN first at {}:{} (chain {:?}, link {}): {} / {}",
            first.table, first.id, first.chain, first.seq, first.reason_zh, first.reason
        );
    }
    for d in &report.differences {
        println!("DIFFERENCE {d}");
    }
    println!(
        "verified {} practitioners: {} differences; {} chained rows in {} chains: {} chain breaks",
        report.practitioners,
        report.differences.len(),
        report.chain.links,
        report.chain.chains,
        report.chain.breaks.len()
    );
    println!("chain heads {}", report.chain.heads);
    report.differences.is_empty()
}

pub fn backup(caller: &Caller, database_url: &str, to: &Path) -> anyhow::Result<()> {
    let bytes = backup::backup_to(caller, database_url, to)?;
    println!("backup written to {} ({bytes} bytes); check it with: jifen --database-url COPY verify", to.display());
    Ok(())
}

/// True when the backup was checked and put in place.
pub fn restore(caller: &Caller, from: &Path, database_url: &str) -> anyhow::Result<bool> {
    let done = backup::restore_from(caller, from, database_url)?;
    if !done.report.differences.is_empty() {
        print_verify(&done.report);
        println!("备份未通过校验，未恢复 / the backup does not verify: nothing restored");
        return Ok(false);
    }
    if let Some(p) = &done.previous {
        println!("the database it replaces is kept as {}", p.display());
    }
    println!(
        "restored {} into {database_url}: {} practitioners, {} chained rows verified",
        from.display(),
        done.report.practitioners,
        done.report.chain.links
    );
    Ok(true)
}
