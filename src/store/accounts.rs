//! Accounts of the people who log in to the pages, and their server-side sessions. Unlike the
//! ledger these rows change in place (a password, a lock, a session's last request): they are
//! not facts, and every change to them is written to the audit trail by the service.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::conn::DbConn;
use super::schema::{accounts, sessions};

type Q<T> = QueryResult<T>;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub institution_code: Option<String>,
    pub region_code: Option<String>,
    pub disabled: bool,
    pub must_change_password: bool,
    pub failed_logins: i32,
    pub first_failed_at: Option<NaiveDateTime>,
    pub locked_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub struct NewAccount<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub institution_code: Option<&'a str>,
    pub region_code: Option<&'a str>,
    pub must_change_password: bool,
    pub created_at: NaiveDateTime,
}

pub fn insert_account(conn: &mut DbConn, a: &NewAccount) -> Q<i64> {
    diesel::insert_into(accounts::table)
        .values((
            accounts::username.eq(a.username),
            accounts::password_hash.eq(a.password_hash),
            accounts::role.eq(a.role),
            accounts::institution_code.eq(a.institution_code),
            accounts::region_code.eq(a.region_code),
            accounts::disabled.eq(false),
            accounts::must_change_password.eq(a.must_change_password),
            accounts::failed_logins.eq(0),
            accounts::created_at.eq(a.created_at),
        ))
        .returning(accounts::id)
        .get_result(conn)
}

pub fn by_username(conn: &mut DbConn, username: &str) -> Q<Option<AccountRow>> {
    accounts::table.filter(accounts::username.eq(username)).select(AccountRow::as_select()).first(conn).optional()
}

pub fn by_id(conn: &mut DbConn, id: i64) -> Q<Option<AccountRow>> {
    accounts::table.find(id).select(AccountRow::as_select()).first(conn).optional()
}

pub fn all(conn: &mut DbConn) -> Q<Vec<AccountRow>> {
    accounts::table.order(accounts::username).select(AccountRow::as_select()).load(conn)
}

/// A failed login: the count within the window, and the lock when it reached the limit.
pub fn set_failures(
    conn: &mut DbConn,
    id: i64,
    failed: i32,
    first_failed_at: Option<NaiveDateTime>,
    locked_until: Option<NaiveDateTime>,
) -> Q<()> {
    diesel::update(accounts::table.find(id))
        .set((
            accounts::failed_logins.eq(failed),
            accounts::first_failed_at.eq(first_failed_at),
            accounts::locked_until.eq(locked_until),
        ))
        .execute(conn)
        .map(drop)
}

pub fn set_password(conn: &mut DbConn, id: i64, hash: &str, must_change: bool) -> Q<()> {
    diesel::update(accounts::table.find(id))
        .set((
            accounts::password_hash.eq(hash),
            accounts::must_change_password.eq(must_change),
            accounts::failed_logins.eq(0),
            accounts::first_failed_at.eq(None::<NaiveDateTime>),
            accounts::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
        .map(drop)
}

pub fn set_disabled(conn: &mut DbConn, id: i64, disabled: bool) -> Q<()> {
    diesel::update(accounts::table.find(id)).set(accounts::disabled.eq(disabled)).execute(conn).map(drop)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: i64,
    pub token_hash: String,
    pub account_id: i64,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert_session(
    conn: &mut DbConn,
    token_hash: &str,
    account_id: i64,
    csrf_token: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Q<i64> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(token_hash),
            sessions::account_id.eq(account_id),
            sessions::csrf_token.eq(csrf_token),
            sessions::created_at.eq(now),
            sessions::last_seen_at.eq(now),
            sessions::expires_at.eq(expires_at),
        ))
        .returning(sessions::id)
        .get_result(conn)
}

/// The session and its account, by the hash of the cookie's id.
pub fn session_by_hash(conn: &mut DbConn, token_hash: &str) -> Q<Option<(SessionRow, AccountRow)>> {
    sessions::table
        .inner_join(accounts::table)
        .filter(sessions::token_hash.eq(token_hash))
        .select((SessionRow::as_select(), AccountRow::as_select()))
        .first(conn)
        .optional()
}

pub fn touch_session(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Q<()> {
    diesel::update(sessions::table.find(id)).set(sessions::last_seen_at.eq(now)).execute(conn).map(drop)
}

pub fn delete_session(conn: &mut DbConn, id: i64) -> Q<usize> {
    diesel::delete(sessions::table.find(id)).execute(conn)
}

/// Every session of an account (disabled, or its password changed by an admin).
pub fn delete_sessions_of(conn: &mut DbConn, account_id: i64) -> Q<usize> {
    diesel::delete(sessions::table.filter(sessions::account_id.eq(account_id))).execute(conn)
}

/// Sessions past their absolute end or idle since `idle_before`.
pub fn delete_expired(conn: &mut DbConn, now: NaiveDateTime, idle_before: NaiveDateTime) -> Q<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now).or(sessions::last_seen_at.lt(idle_before))))
        .execute(conn)
}

/// The ids of an account's sessions.
pub fn sessions_of(conn: &mut DbConn, account_id: i64) -> Q<Vec<i64>> {
    sessions::table.filter(sessions::account_id.eq(account_id)).select(sessions::id).load(conn)
}
