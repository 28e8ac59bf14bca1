//! The ledger (diesel): append-only facts, projections rewritten with them, and `verify`.

pub mod accounts;
pub mod agency_pages;
pub mod audit;
pub mod backup;
pub mod bulk;
pub mod chain;
pub mod conn;
pub mod dashboard;
pub mod due_process;
pub mod facts;
pub mod feed;
pub mod jurisdiction;
pub mod notice_body;
pub mod notice_reads;
pub mod pages;
pub mod projections;
pub mod reports;
pub mod schema;
pub mod standing;
pub mod stats;
mod stats_facts;
pub mod text_enum;
pub mod tokens;
pub mod training;
pub mod workbench;

pub use conn::{connect, lock_for_write, DbConn, Pool, PooledConn, MAX_KEY_LOCKS};

/// When a fact was recorded: UTC, as `MultiBackend` has no `Timestamptz`.
pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}
