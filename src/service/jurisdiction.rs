//! The deployment's jurisdiction (issue 17): which city's (or the national) policy packs the
//! engine reads. A setting in the database, changed by an admin, audited and chained.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Action, App, Caller, Lock};
use crate::error::{Error, Result};
use crate::store::jurisdiction as store;

/// `POST /settings/jurisdiction`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SetJurisdiction {
    pub jurisdiction: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct JurisdictionView {
    pub jurisdiction: String,
    /// `false`: never set, the default (`jining`).
    pub set_by_admin: bool,
    /// The jurisdiction's packs in date order.
    pub packs: Vec<PackSummary>,
    /// Every jurisdiction this build carries packs for.
    pub available: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackSummary {
    pub id: String,
    pub name: String,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
}

impl App {
    /// `GET /settings/jurisdiction`.
    pub fn jurisdiction(&self, caller: &Caller) -> Result<JurisdictionView> {
        caller.permit(Action::ReadJurisdiction)?;
        let mut c = self.conn()?;
        let set = store::current(&mut c)?;
        self.jurisdiction_view(set)
    }

    /// `POST /settings/jurisdiction` (admin): audited. Refused once anything was scored: a
    /// ledger recorded under one city's rules is not re-scored under another's by a setting
    /// (that is what a simulation is for).
    pub fn set_jurisdiction(&self, caller: &Caller, req: &SetJurisdiction) -> Result<JurisdictionView> {
        caller.permit(Action::SetJurisdiction)?;
        let wanted = req.jurisdiction.trim().to_ascii_lowercase();
        let packs = self.library.set(&wanted).map_err(|e| {
            let mut c = crate::error::ClientError::from(e);
            c.message_zh = format!(
                "没有地区 {wanted} 的记分政策包（可选：{}）",
                self.library.jurisdictions().collect::<Vec<_>>().join("、")
            );
            Error::Client(c)
        })?;
        let view = self.write(caller, &[Lock::Jurisdiction], |c, touched| {
            let now = store::current(c)?.unwrap_or_else(|| crate::rules::pack::DEFAULT_JURISDICTION.into());
            if now != wanted && store::ledger_scored(c)? {
                return Err(Error::conflict(
                    "ledger_not_empty",
                    format!(
                        "deductions or training tests are recorded under {now}: the jurisdiction can no longer change"
                    ),
                    format!("已按{now}的记分政策记录扣分或测试，不能再变更适用地区"),
                ));
            }
            let id = store::insert(c, &wanted)?;
            touched.fact("jurisdiction_settings", id);
            self.jurisdiction_view(Some(wanted.clone()))
        })?;
        self.swap_packs(packs.clone());
        Ok(view)
    }

    fn jurisdiction_view(&self, set: Option<String>) -> Result<JurisdictionView> {
        let jurisdiction = set.clone().unwrap_or_else(|| crate::rules::pack::DEFAULT_JURISDICTION.into());
        let packs = self.library.set(&jurisdiction)?;
        Ok(JurisdictionView {
            set_by_admin: set.is_some(),
            packs: packs
                .packs()
                .iter()
                .map(|p| PackSummary {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    effective_from: p.effective_from,
                    effective_until: p.effective_until,
                })
                .collect(),
            available: self.library.jurisdictions().map(str::to_string).collect(),
            jurisdiction,
        })
    }
}
