//! The change feed's table: one row per key whose payment standing a write changed, inserted in
//! that write's transaction with `seq` NULL and numbered at its very end, under the feed lock,
//! right after the last number any committed write took. So numbers are dense (1, 2, 3…) and in
//! commit order on both databases: a write that takes the lock after another has committed
//! (the lock is released only after the commit is visible), and one rolled back leaves nothing
//! — the next commit takes its numbers. A consumer that sees a hole knows rows were deleted.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::conn::{lock_key, DbConn};
use super::schema::changes;

type Q<T> = QueryResult<T>;

/// `changes.key_kind` of a (practitioner, institution) pair.
pub const PAIR: &str = "pair";
/// `changes.key_kind` of an institution's own agreement.
pub const INSTITUTION: &str = "institution";

/// Rows per statement: well under SQLite's 32 766 bound parameters.
const CHUNK: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ChangeRow {
    pub seq: Option<i64>,
    pub key_kind: String,
    pub personnel_code: Option<String>,
    pub institution_code: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = changes)]
struct NewChange<'a> {
    key_kind: &'a str,
    personnel_code: Option<&'a str>,
    institution_code: &'a str,
    recorded_at: NaiveDateTime,
}

/// A pair's standing changed in this transaction.
pub fn record_pair(conn: &mut DbConn, personnel: &str, institution: &str) -> Q<()> {
    let row = NewChange {
        key_kind: PAIR,
        personnel_code: Some(personnel),
        institution_code: institution,
        recorded_at: super::now(),
    };
    diesel::insert_into(changes::table).values(&row).execute(conn).map(drop)
}

/// Many people's standing at one institution changed (a roster's new staff), in bulk.
pub fn record_pairs(conn: &mut DbConn, institution: &str, personnel: &[String]) -> Q<()> {
    let now = super::now();
    for chunk in personnel.chunks(CHUNK) {
        let rows: Vec<NewChange> = chunk
            .iter()
            .map(|p| NewChange {
                key_kind: PAIR,
                personnel_code: Some(p),
                institution_code: institution,
                recorded_at: now,
            })
            .collect();
        match conn {
            DbConn::Sqlite(c) => diesel::insert_into(changes::table).values(&rows).execute(c)?,
            DbConn::Postgresql(c) => diesel::insert_into(changes::table).values(&rows).execute(c)?,
        };
    }
    Ok(())
}

/// An institution's own agreement (its status timeline) changed in this transaction.
pub fn record_institution(conn: &mut DbConn, institution: &str) -> Q<()> {
    let row = NewChange {
        key_kind: INSTITUTION,
        personnel_code: None,
        institution_code: institution,
        recorded_at: super::now(),
    };
    diesel::insert_into(changes::table).values(&row).execute(conn).map(drop)
}

/// Numbers this transaction's rows (the only rows with no number it can see) after the last
/// committed number, in the order it recorded them, and returns the new head. The last thing a
/// write does before its commit: on PostgreSQL the feed lock is held from here to the commit.
pub fn number_pending(conn: &mut DbConn) -> Q<i64> {
    if let DbConn::Postgresql(c) = conn {
        // Taken last and alone: a holder waits for nothing but its own commit (no deadlock).
        // Salted with the schema as every jifen lock is (`conn::lock_hashes_for_write`).
        diesel::sql_query("SELECT pg_advisory_xact_lock($1 # hashtextextended(current_schema(), 0))")
            .bind::<BigInt, _>(lock_key("feed"))
            .execute(c)?;
    }
    // Read after the lock (READ COMMITTED: a new snapshot per statement), so it sees the commit
    // of the previous holder.
    let last: Option<i64> = changes::table.select(diesel::dsl::max(changes::seq)).first(conn)?;
    let last = last.unwrap_or(0);
    // `last` is a number read back, not input: formatted into the statement on both backends.
    diesel::sql_query(format!(
        "UPDATE changes SET seq = r.n + {last} FROM \
         (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM changes WHERE seq IS NULL) AS r \
         WHERE changes.id = r.id"
    ))
    .execute(conn)?;
    // Stamped when numbered, so a day's rows (`recorded_between`) are a run of numbers.
    diesel::update(changes::table.filter(changes::seq.gt(last)))
        .set(changes::recorded_at.eq(super::now()))
        .execute(conn)?;
    let head: Option<i64> = changes::table.select(diesel::dsl::max(changes::seq)).first(conn)?;
    Ok(head.unwrap_or(last))
}

/// Up to `limit` numbered rows after `after`, in order.
pub fn after(conn: &mut DbConn, after: i64, limit: i64) -> Q<Vec<ChangeRow>> {
    changes::table
        .filter(changes::seq.gt(after))
        .order(changes::seq)
        .limit(limit)
        .select((
            changes::seq,
            changes::key_kind,
            changes::personnel_code,
            changes::institution_code,
            changes::recorded_at,
        ))
        .load(conn)
}

/// The last number and when it was recorded (`None` before the first change).
pub fn head(conn: &mut DbConn) -> Q<Option<(i64, NaiveDateTime)>> {
    let rows: Vec<(Option<i64>, NaiveDateTime)> = changes::table
        .filter(changes::seq.is_not_null())
        .order(changes::seq.desc())
        .limit(1)
        .select((changes::seq, changes::recorded_at))
        .load(conn)?;
    Ok(rows.into_iter().next().and_then(|(s, at)| s.map(|s| (s, at))))
}

/// The numbered rows recorded in `[from, until)` (UTC), for a day's file of changes.
pub fn recorded_between(conn: &mut DbConn, from: NaiveDateTime, until: NaiveDateTime) -> Q<Vec<ChangeRow>> {
    changes::table
        .filter(changes::seq.is_not_null())
        .filter(changes::recorded_at.ge(from))
        .filter(changes::recorded_at.lt(until))
        .order(changes::seq)
        .select((
            changes::seq,
            changes::key_kind,
            changes::personnel_code,
            changes::institution_code,
            changes::recorded_at,
        ))
        .load(conn)
}
