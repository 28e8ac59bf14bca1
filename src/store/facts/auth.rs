//! API tokens, stored as hashes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Q;
use crate::store::conn::DbConn;
use crate::store::schema::*;

#[derive(Debug, Clone, Queryable)]
pub struct TokenRow {
    pub id: i64,
    pub token_hash: String,
    pub role: String,
    pub institution_code: Option<String>,
    pub region_code: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn token_by_hash(conn: &mut DbConn, hash: &str) -> Q<Option<TokenRow>> {
    api_tokens::table.filter(api_tokens::token_hash.eq(hash)).first(conn).optional()
}

pub fn insert_token(
    conn: &mut DbConn,
    hash: &str,
    role: &str,
    institution: Option<&str>,
    region: Option<&str>,
) -> Q<i64> {
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::token_hash.eq(hash),
            api_tokens::role.eq(role),
            api_tokens::institution_code.eq(institution),
            api_tokens::region_code.eq(region),
            api_tokens::created_at.eq(crate::store::now()),
        ))
        .returning(api_tokens::id)
        .get_result(conn)
}
