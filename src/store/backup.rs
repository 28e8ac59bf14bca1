//! SQLite files for backup and restore: an online snapshot (`VACUUM INTO`) and the check that
//! no one has a database open before it is replaced. PostgreSQL is backed up with its own tools
//! (`pg_dump`/`pg_restore`, WAL archiving): see the README, "Operating jifen".

use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::SqliteConnection;

/// Writes a consistent snapshot of the SQLite database at `db` to `to` (which must not exist)
/// while other connections go on writing: `VACUUM INTO` reads inside one read transaction, so the
/// copy holds exactly the transactions committed before it began. The copy is fsynced.
pub fn vacuum_into(db: &str, to: &Path) -> anyhow::Result<()> {
    let mut c = SqliteConnection::establish(db).map_err(|e| anyhow::anyhow!("cannot open {db}: {e}"))?;
    c.batch_execute("PRAGMA busy_timeout = 10000;")?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(to.to_string_lossy().into_owned())
        .execute(&mut c)
        .map_err(|e| anyhow::anyhow!("VACUUM INTO: {e}"))?;
    std::fs::File::open(to)?.sync_all()?;
    Ok(())
}

/// Whether another connection has the SQLite database at `db` open (a running server keeps at
/// least one open): in WAL mode every open connection holds a shared lock on the file, so an
/// exclusive lock taken without waiting fails.
pub fn in_use(db: &Path) -> anyhow::Result<bool> {
    if !db.exists() {
        return Ok(false);
    }
    let mut c = SqliteConnection::establish(&db.to_string_lossy())
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", db.display()))?;
    c.batch_execute("PRAGMA busy_timeout = 0; PRAGMA locking_mode = EXCLUSIVE;")?;
    match c.batch_execute("BEGIN EXCLUSIVE; ROLLBACK;") {
        Ok(()) => Ok(false),
        Err(diesel::result::Error::DatabaseError(_, info)) if info.message().contains("locked") => Ok(true),
        Err(e) => Err(anyhow::anyhow!("checking {}: {e}", db.display())),
    }
}
