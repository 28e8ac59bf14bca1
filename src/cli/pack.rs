//! `jifen pack check FILE…` and `jifen pack diff A B`: policy packs as files, no database.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;

use crate::rules::pack::{check, diff, set::sequence_problems, PolicyPack};

#[derive(Subcommand)]
pub enum PackCommand {
    /// Check pack files: every problem with its line (an item without a reference, a band gap,
    /// a range the bands cannot hold), then gaps and overlaps between the packs of one
    /// jurisdiction given together. Exits non-zero on any problem.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// What changed from pack A to pack B: items added, removed, re-pointed; thresholds and
    /// durations changed (Chinese first).
    Diff { a: PathBuf, b: PathBuf },
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

pub fn execute(command: PackCommand) -> anyhow::Result<()> {
    match command {
        PackCommand::Check { files } => {
            let mut problems = 0usize;
            let mut loaded: Vec<PolicyPack> = Vec::new();
            for f in &files {
                let (pack, found) = check::check(&read(f)?);
                for p in &found {
                    println!("{}: {p}", f.display());
                }
                problems += found.len();
                match pack {
                    Some(pack) if found.is_empty() => {
                        println!(
                            "{}: {} ({}) 通过检查 / ok — {} 项条目，{} 个分档，{}起施行",
                            f.display(),
                            pack.id,
                            pack.jurisdiction,
                            pack.items.len(),
                            pack.bands.len(),
                            pack.effective_from
                        );
                        loaded.push(pack);
                    }
                    _ => {}
                }
            }
            // Within a jurisdiction, packs follow each other with no gap or overlap.
            loaded.sort_by(|a, b| (&a.jurisdiction, a.effective_from).cmp(&(&b.jurisdiction, b.effective_from)));
            for group in loaded.chunk_by(|a, b| a.jurisdiction == b.jurisdiction) {
                for p in sequence_problems(group) {
                    println!("{p}");
                    problems += 1;
                }
            }
            if problems > 0 {
                anyhow::bail!("{problems} problem(s) / 发现{problems}处问题");
            }
            Ok(())
        }
        PackCommand::Diff { a, b } => {
            let pa = PolicyPack::from_toml(&a.display().to_string(), &read(&a)?).map_err(|e| anyhow::anyhow!("{e}"))?;
            let pb = PolicyPack::from_toml(&b.display().to_string(), &read(&b)?).map_err(|e| anyhow::anyhow!("{e}"))?;
            let changes = diff::diff(&pa, &pb);
            println!("{}（{}）→ {}（{}）：{}处变化", pa.id, pa.name, pb.id, pb.name, changes.len());
            for c in &changes {
                println!("- {}\n  {}", c.zh, c.en);
            }
            Ok(())
        }
    }
}
