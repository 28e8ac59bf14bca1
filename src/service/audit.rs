//! The audit trail: every write transaction records who (token id and role), what (the action,
//! the facts it inserted), when, from which request, and each touched practitioner's projection
//! before and after. `GET /audit?target=` reads it; `verify` checks every fact has its row.

use std::cell::RefCell;
use std::collections::HashSet;

use serde::Serialize;

use super::App;
use crate::error::Result;
use crate::store::audit::{self, AuditRow};
use crate::store::DbConn;

/// Who is acting: set by the HTTP layer (token, request id, route) or the CLI.
#[derive(Debug, Clone)]
pub struct Actor {
    pub token_id: Option<i64>,
    pub role: String,
    pub request_id: String,
    pub action: String,
}

impl Default for Actor {
    fn default() -> Self {
        Actor { token_id: None, role: "system".into(), request_id: String::new(), action: "unnamed".into() }
    }
}

thread_local! {
    static ACTOR: RefCell<Option<Actor>> = const { RefCell::new(None) };
}

/// Runs `f` with `actor` as the author of its writes (on this thread).
pub fn as_actor<T>(actor: Actor, f: impl FnOnce() -> T) -> T {
    let previous = ACTOR.with(|a| a.replace(Some(actor)));
    let out = f();
    ACTOR.with(|a| *a.borrow_mut() = previous);
    out
}

pub(crate) fn current_actor() -> Actor {
    ACTOR.with(|a| a.borrow().clone()).unwrap_or_default()
}

/// One practitioner's projection before and after a write.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub personnel_code: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

pub(crate) fn record(c: &mut DbConn, locks: &[String], facts: &[String], changes: &[Change]) -> Result<()> {
    if facts.is_empty() && changes.is_empty() {
        return Ok(());
    }
    let actor = current_actor();
    audit::insert(
        c,
        &AuditRow {
            id: 0,
            token_id: actor.token_id,
            role: actor.role,
            request_id: actor.request_id,
            action: actor.action,
            targets: locks
                .iter()
                .map(|l| l.split_once(':').map_or(l.as_str(), |(_, v)| v))
                .collect::<Vec<_>>()
                .join(" "),
            facts: facts.join(" "),
            changes: serde_json::to_string(changes).unwrap_or_default(),
            recorded_at: crate::store::now(),
        },
    )?;
    Ok(())
}

impl App {
    /// `GET /audit?target=`: the trail of a practitioner, an institution or a fact.
    pub fn audit(&self, target: &str) -> Result<Vec<AuditRow>> {
        let mut c = self.conn()?;
        Ok(audit::about(&mut c, target, 1000)?)
    }

    /// Facts with no audit row (for `verify`).
    pub fn unaudited_facts(&self) -> Result<Vec<String>> {
        let mut c = self.conn()?;
        let named: HashSet<String> =
            audit::all_facts(&mut c)?.iter().flat_map(|f| f.split(' ').map(str::to_string)).collect();
        let mut missing = Vec::new();
        for table in audit::FACT_TABLES {
            for id in audit::fact_ids(&mut c, table)? {
                let key = format!("{table}:{id}");
                if !named.contains(&key) {
                    missing.push(key);
                }
            }
        }
        Ok(missing)
    }
}
