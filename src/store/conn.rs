//! One code base, two databases: a `MultiConnection` over SQLite and PostgreSQL, chosen by
//! the URL (`postgres://…` is PostgreSQL; a bare path or `sqlite://path` is SQLite).

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel::sql_types::{Array, BigInt};
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    Postgres(String),
    Sqlite(String),
}

impl DbUrl {
    pub fn parse(url: &str) -> Self {
        let u = url.trim();
        if u.starts_with("postgres://") || u.starts_with("postgresql://") {
            DbUrl::Postgres(u.to_string())
        } else {
            let path = u.strip_prefix("sqlite://").or_else(|| u.strip_prefix("sqlite:")).unwrap_or(u);
            DbUrl::Sqlite(path.to_string())
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            DbUrl::Postgres(_) => "postgresql",
            DbUrl::Sqlite(_) => "sqlite",
        }
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

#[derive(Debug, Clone)]
pub struct Manager {
    url: DbUrl,
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match &self.url {
            DbUrl::Postgres(u) => {
                let mut c = PgConnection::establish(u).map_err(r2d2::Error::ConnectionError)?;
                keep_synchronous_commit(&mut c).map_err(r2d2::Error::QueryError)?;
                // As SQLite's busy timeout: a writer waits up to JIFEN_BUSY_TIMEOUT_MS for the
                // locks a large commit holds, then gets 503 busy (never a wait without end).
                let wait: u32 =
                    std::env::var("JIFEN_BUSY_TIMEOUT_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
                c.batch_execute(&format!("SET lock_timeout = {wait}")).map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Postgresql(c))
            }
            DbUrl::Sqlite(path) => {
                let mut c = SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                // WAL lets readers run beside the writer; FULL never loses a committed fact. A
                // writer waits up to JIFEN_BUSY_TIMEOUT_MS (10 s) for another's commit, then gets
                // 503 busy.
                let wait: u32 =
                    std::env::var("JIFEN_BUSY_TIMEOUT_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
                // busy_timeout first: switching to WAL needs a lock a closing server may still hold.
                c.batch_execute(&format!(
                    "PRAGMA busy_timeout = {wait}; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON;"
                ))
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(c))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

/// A commit is acknowledged only once durable: a server running `synchronous_commit = off` is
/// overridden for jifen's sessions (`local`, `remote_write`, `remote_apply` are left as set).
fn keep_synchronous_commit(c: &mut PgConnection) -> QueryResult<()> {
    let mode: String =
        diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>("current_setting('synchronous_commit')"))
            .get_result(c)?;
    if mode == "off" {
        tracing::warn!("PostgreSQL runs with synchronous_commit = off: jifen sets it to on for its sessions");
        c.batch_execute("SET synchronous_commit = on")?;
    }
    Ok(())
}

/// Runs the pending migrations, then builds the pool.
pub fn connect(url: &str) -> anyhow::Result<Pool> {
    open(url, true)
}

/// A pool on a database another process migrates (a read replica): no migrations.
pub fn connect_read_only(url: &str) -> anyhow::Result<Pool> {
    open(url, false)
}

fn open(url: &str, run_migrations: bool) -> anyhow::Result<Pool> {
    let url = DbUrl::parse(url);
    let manager = Manager { url: url.clone() };
    let mut first =
        manager.connect().map_err(|e| anyhow::anyhow!("cannot open the {} database: {e}", url.backend()))?;
    if run_migrations {
        migrate(&mut first)?;
        // Upgrading in place: the rows written before the hash chains existed are chained once.
        super::chain::chain_existing(&mut first).map_err(|e| anyhow::anyhow!("chaining existing rows: {e}"))?;
    }
    let default = match url {
        DbUrl::Postgres(_) => 16,
        DbUrl::Sqlite(_) => 8,
    };
    let size = std::env::var("JIFEN_DB_POOL").ok().and_then(|v| v.parse().ok()).filter(|&n| n > 0).unwrap_or(default);
    // Connections open on demand and idle ones close, so many pools (tests, CLI runs beside a
    // server) stay within PostgreSQL's max_connections.
    Ok(r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .idle_timeout(Some(std::time::Duration::from_secs(60)))
        .build(manager)?)
}

pub fn migrate(conn: &mut DbConn) -> anyhow::Result<usize> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConn::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
    };
    applied.map_err(|e| anyhow::anyhow!("migrations: {e}"))
}

/// More keys than this and a PostgreSQL writer takes the one exclusive lock of every writer
/// instead of a lock per key: each advisory lock holds a slot of the server's shared lock table
/// (`max_locks_per_transaction` × `max_connections`, 6 400 by default), and a 50 000-row roster
/// commit ran out of them ("out of shared memory", a 500; found by `scripts/crash-trials`).
pub const MAX_KEY_LOCKS: usize = 1_000;

/// The advisory lock every PostgreSQL writer takes first: shared beside its per-key locks, or
/// exclusive, alone, by a writer with more than [`MAX_KEY_LOCKS`] keys.
pub fn all_writers_key() -> i64 {
    lock_key("jifen:all-writers")
}

/// Takes the write locks a transaction needs before it reads anything. SQLite: the database
/// write lock (every writer is serialised). PostgreSQL: one transaction-scoped advisory lock
/// per key (a practitioner, an institution, an idempotency key), in a fixed order, after the
/// all-writers lock in shared mode; a writer of more than [`MAX_KEY_LOCKS`] keys takes the
/// all-writers lock exclusively instead, and so waits for every other writer and excludes them.
pub fn lock_for_write(conn: &mut DbConn, keys: &[String]) -> QueryResult<()> {
    lock_hashes_for_write(conn, keys.iter().map(|k| lock_key(k)).collect())
}

/// [`lock_for_write`] with the keys already hashed by [`lock_key`]: a write of 10⁵ people (a
/// roster) keeps 8 bytes a key instead of the key's text.
pub fn lock_hashes_for_write(conn: &mut DbConn, mut hashes: Vec<i64>) -> QueryResult<()> {
    match conn {
        DbConn::Sqlite(c) => {
            diesel::sql_query("UPDATE write_lock SET n = n + 1 WHERE id = 1").execute(c)?;
        }
        DbConn::Postgresql(c) => {
            hashes.sort_unstable();
            hashes.dedup();
            if hashes.len() > MAX_KEY_LOCKS {
                diesel::sql_query("SELECT pg_advisory_xact_lock($1 # hashtextextended(current_schema(), 0))")
                    .bind::<BigInt, _>(all_writers_key())
                    .execute(c)?;
                return Ok(());
            }
            diesel::sql_query("SELECT pg_advisory_xact_lock_shared($1 # hashtextextended(current_schema(), 0))")
                .bind::<BigInt, _>(all_writers_key())
                .execute(c)?;
            // One round trip however many keys.
            // Advisory locks belong to the whole database: each key is salted with the schema,
            // so that deployments (and test runs) in other schemas never wait for this one.
            diesel::sql_query(
                "SELECT pg_advisory_xact_lock(k # hashtextextended(current_schema(), 0)) \
                 FROM unnest($1::bigint[]) AS k ORDER BY k",
            )
            .bind::<Array<BigInt>, _>(hashes)
            .execute(c)?;
        }
    }
    Ok(())
}

/// FNV-1a: stable across processes and releases (std's hasher is not).
pub fn lock_key(s: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h as i64
}
