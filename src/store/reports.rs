//! The full reports of large uploads, kept a week (`upload_reports`): a copy of an answer, not a
//! fact, so it is deleted when it expires.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::conn::DbConn;
use super::schema::upload_reports;

#[derive(Debug, Clone, Queryable)]
pub struct StoredReport {
    pub id: String,
    pub institution_code: String,
    pub kind: String,
    pub body: String,
    pub rejected_csv: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert(
    conn: &mut DbConn,
    id: &str,
    institution: &str,
    kind: &str,
    body: &str,
    rejected_csv: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(upload_reports::table)
        .values((
            upload_reports::id.eq(id),
            upload_reports::institution_code.eq(institution),
            upload_reports::kind.eq(kind),
            upload_reports::body.eq(body),
            upload_reports::rejected_csv.eq(rejected_csv),
            upload_reports::created_at.eq(super::now()),
        ))
        .execute(conn)
        .map(drop)
}

pub fn get(conn: &mut DbConn, id: &str) -> QueryResult<Option<StoredReport>> {
    upload_reports::table.find(id).first(conn).optional()
}

/// Deletes the reports recorded before `cutoff`.
pub fn purge(conn: &mut DbConn, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(upload_reports::table.filter(upload_reports::created_at.lt(cutoff))).execute(conn)
}
