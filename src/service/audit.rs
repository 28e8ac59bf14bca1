//! The audit trail: every write transaction records who (the caller's token id and role), what (the action,
//! the facts it inserted), when, from which request, and each touched practitioner's projection
//! before and after. `GET /audit?target=` reads it; `verify` checks every fact has its row.

use std::collections::HashSet;

use serde::Serialize;

use super::{Action, App, Caller, Lock};
use crate::error::Result;
use crate::store::audit::{self, AuditRow};
use crate::store::DbConn;

/// One practitioner's projection before and after a write.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub personnel_code: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

pub(crate) fn record(
    c: &mut DbConn,
    caller: &Caller,
    locks: &[Lock],
    facts: &[String],
    changes: &[Change],
) -> Result<Option<i64>> {
    if facts.is_empty() && changes.is_empty() {
        return Ok(None);
    }
    let id = audit::insert_unchained(
        c,
        &AuditRow {
            id: 0,
            token_id: caller.token_id(),
            role: caller.audit_role().to_string(),
            request_id: caller.request_id.clone(),
            action: caller.action.clone(),
            targets: locks.iter().map(Lock::target).collect::<Vec<_>>().join(" "),
            facts: facts.join(" "),
            changes: serde_json::to_string(changes).unwrap_or_default(),
            recorded_at: crate::store::now(),
        },
    )?;
    Ok(Some(id))
}

/// A response that shows unmasked personal data (ID numbers, phones): who read whose records.
/// No facts, no changes; `GET /audit?target=` finds it by the person or institution.
pub(crate) fn record_read(c: &mut DbConn, caller: &Caller, targets: &[String]) -> Result<()> {
    audit::insert(
        c,
        &AuditRow {
            id: 0,
            token_id: caller.token_id(),
            role: caller.audit_role().to_string(),
            request_id: caller.request_id.clone(),
            action: format!("read: {}", caller.action),
            targets: targets.join(" "),
            facts: String::new(),
            changes: "[]".into(),
            recorded_at: crate::store::now(),
        },
    )?;
    Ok(())
}

impl App {
    /// `GET /audit?target=`: the trail of a practitioner, an institution or a fact.
    ///
    /// A county officer reads the trail of an institution of the county, or of a person with a
    /// site there; facts (`table:id`) and everything else are for admins and city officers.
    pub fn audit(&self, caller: &Caller, target: &str) -> Result<Vec<AuditRow>> {
        caller.permit(Action::ReadAudit)?;
        if caller.region().is_some() {
            let target = target.trim().to_ascii_uppercase();
            let sites = self.sites_of(&target)?;
            let covered = if sites.is_empty() { caller.covers_institution(&target) } else { caller.covers_any(&sites) };
            if !covered {
                return Err(crate::error::Error::not_found("audit target", "查询对象"));
            }
        }
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
