//! The full reports of large uploads, kept a week (`upload_reports`): a copy of an answer, not a
//! fact, so it is deleted when it expires. A report too large to build in memory is written in
//! parts (`upload_report_parts`, about 1 MiB each, in order): its `body` is then empty.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::conn::DbConn;
use super::schema::{upload_report_parts, upload_reports};

/// The parts of a large report: its JSON, and its rejected rows as CSV.
pub const PART_BODY: &str = "body";
pub const PART_CSV: &str = "csv";

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

impl StoredReport {
    /// Whether the report is kept in parts ([`parts`]).
    pub fn is_parted(&self) -> bool {
        self.body.is_empty()
    }
}

/// The row of a report whose parts are written (`insert_part`), in the same transaction.
pub fn insert_parted(conn: &mut DbConn, id: &str, institution: &str, kind: &str) -> QueryResult<()> {
    insert(conn, id, institution, kind, "", None)
}

pub fn insert_part(conn: &mut DbConn, id: &str, part: &str, seq: i32, content: &str) -> QueryResult<()> {
    diesel::insert_into(upload_report_parts::table)
        .values((
            upload_report_parts::report_id.eq(id),
            upload_report_parts::part.eq(part),
            upload_report_parts::seq.eq(seq),
            upload_report_parts::content.eq(content),
        ))
        .execute(conn)
        .map(drop)
}

/// One part of a report (`PART_BODY` or `PART_CSV`) as one text, its pieces read in order.
pub fn parts(conn: &mut DbConn, id: &str, part: &str) -> QueryResult<String> {
    let seqs: Vec<i32> = upload_report_parts::table
        .filter(upload_report_parts::report_id.eq(id))
        .filter(upload_report_parts::part.eq(part))
        .select(upload_report_parts::seq)
        .order(upload_report_parts::seq)
        .load(conn)?;
    let mut out = String::new();
    for seq in seqs {
        let piece: String =
            upload_report_parts::table.find((id, part, seq)).select(upload_report_parts::content).first(conn)?;
        out.push_str(&piece);
    }
    Ok(out)
}

pub fn get(conn: &mut DbConn, id: &str) -> QueryResult<Option<StoredReport>> {
    upload_reports::table.find(id).first(conn).optional()
}

/// Deletes the reports recorded before `cutoff`.
pub fn purge(conn: &mut DbConn, cutoff: NaiveDateTime) -> QueryResult<usize> {
    let expired = upload_reports::table.filter(upload_reports::created_at.lt(cutoff)).select(upload_reports::id);
    diesel::delete(upload_report_parts::table.filter(upload_report_parts::report_id.eq_any(expired))).execute(conn)?;
    diesel::delete(upload_reports::table.filter(upload_reports::created_at.lt(cutoff))).execute(conn)
}
