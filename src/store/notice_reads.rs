//! Which notices an institution's HR has opened on the pages (the unread flag). Not the legal
//! receipt of 六(一) (`due_process::insert_receipt`): opening a page acknowledges nothing.

use diesel::prelude::*;

use super::conn::DbConn;
use super::schema::{notice_reads, notices};

type Q<T> = QueryResult<T>;

/// Marks a notice read by an account, the first time only (`false` when it was read already).
pub fn mark(conn: &mut DbConn, notice_id: i64, account_id: i64) -> Q<bool> {
    let seen: i64 = notice_reads::table.filter(notice_reads::notice_id.eq(notice_id)).count().get_result(conn)?;
    if seen > 0 {
        return Ok(false);
    }
    let inserted = diesel::insert_into(notice_reads::table)
        .values((
            notice_reads::notice_id.eq(notice_id),
            notice_reads::account_id.eq(account_id),
            notice_reads::read_at.eq(super::now()),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        // Two tabs opening it at once: the other one recorded it.
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The notices of an institution that were opened.
pub fn read_of(conn: &mut DbConn, institution: &str) -> Q<Vec<i64>> {
    notice_reads::table
        .filter(
            notice_reads::notice_id
                .eq_any(notices::table.filter(notices::institution_code.eq(institution)).select(notices::id)),
        )
        .select(notice_reads::notice_id)
        .load(conn)
}

/// How many notices of an institution were never opened.
pub fn unread_count(conn: &mut DbConn, institution: &str) -> Q<i64> {
    notices::table
        .filter(notices::institution_code.eq(institution))
        .filter(diesel::dsl::not(notices::id.eq_any(notice_reads::table.select(notice_reads::notice_id))))
        .count()
        .get_result(conn)
}
