//! `GET /changes?after=SEQ&limit=N&wait=SECONDS` — the change feed (`service::feed`).

use std::time::Duration;

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{run, State};
use crate::error::{Error, Result};
use crate::service::feed::{LIMIT_DEFAULT, LIMIT_MAX, WAIT_MAX};
use crate::service::{Action, Caller};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The last number the consumer applied (0 to start).
    #[param(value_type = Option<u64>)]
    pub after: Option<String>,
    /// Items at most (default 1000, at most 10 000).
    #[param(value_type = Option<u32>, maximum = 10000)]
    pub limit: Option<String>,
    /// Seconds to hold the request open when nothing is after `after` (at most 60).
    #[param(value_type = Option<u32>, maximum = 60)]
    pub wait: Option<String>,
}

fn number(field: &str, raw: Option<&str>, default: i64, max: i64) -> Result<i64> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(default) };
    match raw.parse::<i64>() {
        Ok(n) if (0..=max).contains(&n) => Ok(n),
        _ => Err(Error::invalid(
            "invalid_query",
            field,
            format!("{field} is a whole number from 0 to {max}"),
            format!("{field} 应为 0 至 {max} 的整数"),
        )),
    }
}

/// Items after `after`; with `wait`, an empty answer is held until this process commits a
/// change or the wait ends. The wait costs no CPU: it sleeps on a channel the write path
/// signals after its commit.
pub async fn list(state: web::Data<State>, caller: Caller, q: web::Query<ChangesQuery>) -> Result<HttpResponse> {
    caller.permit(Action::ReadChanges)?;
    let after = number("after", q.after.as_deref(), 0, i64::MAX)?;
    let limit = number("limit", q.limit.as_deref(), LIMIT_DEFAULT, LIMIT_MAX)?.max(1);
    let wait = number("wait", q.wait.as_deref(), 0, WAIT_MAX as i64)? as u64;
    // Subscribed before the first read, so a commit between the read and the wait wakes it.
    let mut watch = state.app.feed_watch();
    let again = caller.clone();
    let page = run(&state, move |app| app.changes(&caller, after, limit)).await?;
    if !page.changes.is_empty() || wait == 0 {
        return Ok(HttpResponse::Ok().json(page));
    }
    let woken = actix_web::rt::time::timeout(Duration::from_secs(wait), watch.wait_for(|head| *head > after)).await;
    if !matches!(woken, Ok(Ok(_))) {
        return Ok(HttpResponse::Ok().json(page));
    }
    let page = run(&state, move |app| app.changes(&again, after, limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}
