//! Operating jifen: `jifen backup` and `jifen restore` for SQLite databases. PostgreSQL has its
//! own tools (the README's "Operating jifen"; `scripts/pg-backup-roundtrip`).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use super::tokens::Role;
use super::verify::VerifyReport;
use super::{App, Caller};
use crate::store::backup;
use crate::store::conn::DbUrl;

/// What `restore` did.
#[derive(Debug)]
pub struct Restored {
    pub report: VerifyReport,
    /// Where the database that was replaced now is (none when there was none).
    pub previous: Option<PathBuf>,
}

fn operator(caller: &Caller) -> anyhow::Result<()> {
    if caller.role != Role::Admin {
        bail!("备份与恢复仅限管理员 / backup and restore are for administrators");
    }
    Ok(())
}

fn sqlite_path(database_url: &str, what: &str) -> anyhow::Result<String> {
    match DbUrl::parse(database_url) {
        DbUrl::Sqlite(p) => Ok(p),
        DbUrl::Postgres(_) => bail!(
            "PostgreSQL 数据库请使用 pg_dump -Fc / pg_restore（见 README「Operating jifen」）/ \
             {what} of PostgreSQL is pg_dump -Fc and pg_restore: see the README, \"Operating jifen\""
        ),
    }
}

/// `jifen backup --to FILE`: a consistent snapshot of the SQLite database while it serves
/// writes. FILE must not exist; the copy holds every transaction committed before it began.
pub fn backup_to(caller: &Caller, database_url: &str, to: &Path) -> anyhow::Result<u64> {
    operator(caller)?;
    let db = sqlite_path(database_url, "a backup")?;
    if to.exists() {
        bail!("{} 已存在，不覆盖 / {} exists: not overwritten", to.display(), to.display());
    }
    if !Path::new(&db).exists() {
        bail!("没有数据库 {db} / no database at {db}");
    }
    // Written beside FILE under another name, then renamed: FILE is whole or absent.
    let partial = with_suffix(to, ".partial");
    let _ = std::fs::remove_file(&partial);
    backup::vacuum_into(&db, &partial)?;
    std::fs::rename(&partial, to).with_context(|| format!("renaming to {}", to.display()))?;
    sync_dir(to);
    Ok(std::fs::metadata(to)?.len())
}

/// `jifen restore --from FILE`: checks a copy of FILE (migrated to this release, then `verify`:
/// projections and hash chains) and only then puts it in place of the SQLite database at
/// `database_url`. Refuses while anyone has that database open (stop the server first). The
/// database it replaces is kept beside it as `<name>.before-restore-<time>`.
pub fn restore_from(caller: &Caller, from: &Path, database_url: &str) -> anyhow::Result<Restored> {
    operator(caller)?;
    let db = PathBuf::from(sqlite_path(database_url, "a restore")?);
    if !from.is_file() {
        bail!("没有备份文件 {} / no backup file at {}", from.display(), from.display());
    }
    if backup::in_use(&db)? {
        bail!(
            "数据库 {} 正在使用中（服务器仍在运行），请先停止服务器 / the database {} is in use (a server still \
             has it open): stop the server, then restore",
            db.display(),
            db.display()
        );
    }
    // The check runs on a copy beside the target, so the rename below is atomic.
    let staged = with_suffix(&db, ".restoring");
    for f in [staged.clone(), with_suffix(&staged, "-wal"), with_suffix(&staged, "-shm")] {
        let _ = std::fs::remove_file(f);
    }
    std::fs::copy(from, &staged).with_context(|| format!("copying {}", from.display()))?;
    let report = {
        let app = App::open(&staged.to_string_lossy()).context("opening the backup")?;
        app.verify().map_err(|e| anyhow::anyhow!("{e}"))?
    };
    // The check's connections are closed: the last one folded its WAL into the file.
    if with_suffix(&staged, "-wal").exists() {
        bail!("{}-wal remains after the check: nothing restored", staged.display());
    }
    if !report.differences.is_empty() {
        let _ = std::fs::remove_file(&staged);
        return Ok(Restored { report, previous: None });
    }
    if backup::in_use(&db)? {
        let _ = std::fs::remove_file(&staged);
        bail!(
            "数据库 {} 在检查期间被打开 / the database {} was opened meanwhile: nothing restored",
            db.display(),
            db.display()
        );
    }
    let mut previous = None;
    if db.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let kept = with_suffix(&db, &format!(".before-restore-{stamp}"));
        std::fs::rename(&db, &kept)?;
        // A WAL left beside the old file belongs to it, never to the restored one.
        for s in ["-wal", "-shm"] {
            let side = with_suffix(&db, s);
            if side.exists() {
                std::fs::rename(&side, with_suffix(&kept, s))?;
            }
        }
        previous = Some(kept);
    }
    std::fs::rename(&staged, &db)?;
    sync_dir(&db);
    Ok(Restored { report, previous })
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Makes a rename in `p`'s directory durable.
fn sync_dir(p: &Path) {
    let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}
