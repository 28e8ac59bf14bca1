//! API tokens: stored as SHA-256 hashes with their role, scope, label, expiry and revocation.
//! Not facts: a token's revocation and last use are updated in place.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::conn::DbConn;
use super::schema::tokens;

type Q<T> = QueryResult<T>;

/// One stored token (never its secret: only the hash).
#[derive(Debug, Clone, Queryable)]
pub struct TokenRow {
    pub id: i64,
    pub token_hash: String,
    pub role: String,
    pub institution_code: Option<String>,
    pub region_code: Option<String>,
    pub created_at: NaiveDateTime,
    pub label: Option<String>,
    /// The last day (China time) on which it is accepted.
    pub expires_on: Option<NaiveDate>,
    pub revoked_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
}

/// A token to store.
pub struct NewTokenRow<'a> {
    pub hash: &'a str,
    pub role: &'a str,
    pub institution: Option<&'a str>,
    pub region: Option<&'a str>,
    pub label: Option<&'a str>,
    pub expires_on: Option<NaiveDate>,
}

pub fn by_hash(conn: &mut DbConn, hash: &str) -> Q<Option<TokenRow>> {
    tokens::table.filter(tokens::token_hash.eq(hash)).first(conn).optional()
}

pub fn insert(conn: &mut DbConn, t: &NewTokenRow) -> Q<i64> {
    diesel::insert_into(tokens::table)
        .values((
            tokens::token_hash.eq(t.hash),
            tokens::role.eq(t.role),
            tokens::institution_code.eq(t.institution),
            tokens::region_code.eq(t.region),
            tokens::created_at.eq(super::now()),
            tokens::label.eq(t.label),
            tokens::expires_on.eq(t.expires_on),
        ))
        .returning(tokens::id)
        .get_result(conn)
}

/// Every token, oldest first.
pub fn all(conn: &mut DbConn) -> Q<Vec<TokenRow>> {
    tokens::table.order(tokens::id.asc()).load(conn)
}

/// Marks a token revoked (once: a second revocation keeps the first time). The number of rows
/// changed: 0 when there is no such token or it was revoked already.
pub fn revoke(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> Q<usize> {
    diesel::update(tokens::table.filter(tokens::id.eq(id)).filter(tokens::revoked_at.is_null()))
        .set(tokens::revoked_at.eq(Some(at)))
        .execute(conn)
}

pub fn by_id(conn: &mut DbConn, id: i64) -> Q<Option<TokenRow>> {
    tokens::table.find(id).first(conn).optional()
}

/// Records a use; called at most once a minute per token (see `http::auth`).
pub fn touch(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> Q<usize> {
    diesel::update(tokens::table.filter(tokens::id.eq(id))).set(tokens::last_used_at.eq(Some(at))).execute(conn)
}

/// For tests and repairs: sets a token's expiry whatever its date.
pub fn set_expiry(conn: &mut DbConn, id: i64, expires_on: Option<NaiveDate>) -> Q<usize> {
    diesel::update(tokens::table.filter(tokens::id.eq(id))).set(tokens::expires_on.eq(expires_on)).execute(conn)
}
