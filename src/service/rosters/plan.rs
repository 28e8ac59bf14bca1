//! Planning a roster: which rows add, change or deregister whom, checked against the ledger.
//! Pure: it reads only what the caller looked up, so it is tested without a database.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::domain::Category;

use super::row::{changed_fields, Operation, Plan, Row};
use super::RosterMode;
use crate::sheets::upload::{reject, Rejection};
use crate::store::facts::{RegistrationRow, RosterDetails};

/// What the ledger holds for the rows of one file.
pub(super) struct Ledger<'a> {
    /// Personnel code → (ID number, category) of people already known.
    pub known: &'a HashMap<String, (String, Category)>,
    /// ID number → personnel code of people already known.
    pub holders: &'a HashMap<String, String>,
    /// Registrations at this institution in force today, by personnel code.
    pub in_force: &'a HashMap<&'a str, &'a RegistrationRow>,
    /// The latest roster details at this institution, by personnel code.
    pub details: &'a HashMap<String, RosterDetails>,
    /// Name and phone of staff with no roster details (registered through the API).
    pub names: &'a HashMap<String, (String, Option<String>)>,
    /// For people once registered here whose registration has ended: the day it ended.
    pub ended: &'a HashMap<String, NaiveDate>,
    /// Whether a rejection may name another institution's record (the agency and admins may;
    /// hr and officers get a reason that names nothing and sends them to the agency).
    pub disclose: bool,
}

/// The plan of some rows of a file: a plan for each good row, and the rejections.
pub(super) struct Planned {
    pub plans: Vec<(Row, Plan)>,
    pub rejected: Vec<Rejection>,
}

/// Plans `rows` (already free of duplicates within the file) against `ledger`: each row on its
/// own, so a file is planned a chunk of rows at a time.
pub(super) fn plan(institution: &str, rows: Vec<Row>, ledger: &Ledger, today: NaiveDate) -> Planned {
    let Ledger { known, holders, in_force, details, names, ended, disclose } = *ledger;
    let mut rejected = Vec::new();
    let mut plans: Vec<(Row, Plan)> = Vec::new();
    for mut r in rows {
        let row = r.row;
        let mut errs = Vec::new();
        if let Some((id, category)) = known.get(&r.code) {
            if id != r.id.as_str() {
                errs.push(reject(
                    row,
                    Some("医保对应代码"),
                    "code_held_by_another",
                    format!("{} is held by another ID number", r.code),
                    format!("医保对应代码 {} 已被其他身份证号码使用", r.code),
                ));
            } else if *category != r.category {
                errs.push(reject(
                    row,
                    Some("医保支付资格类别"),
                    "category_mismatch",
                    format!("{} is registered as {}", r.code, category.as_str()),
                    format!("{} 已登记为其他类别", r.code),
                ));
            }
        }
        if let Some(other) = holders.get(r.id.as_str()).filter(|c| **c != r.code) {
            let (en, zh) = if disclose {
                (
                    format!("this ID number already holds the code {other}"),
                    format!("该身份证号码已登记医保对应代码 {other}"),
                )
            } else {
                (
                    "this ID number is registered under another personnel code: ask the agency to check it".into(),
                    "该身份证号码已登记其他医保对应代码，请联系医保经办机构核实".into(),
                )
            };
            errs.push(reject(row, Some("身份证号码"), "id_number_has_another_code", en, zh));
        }
        let current = in_force.get(r.code.as_str());
        let plan = match (r.op, current) {
            (Operation::Deregister, Some(reg)) => {
                let on = r.deregistered_on.unwrap_or(today);
                if on < reg.registered_on {
                    errs.push(reject(
                        row,
                        Some("注销时间"),
                        "invalid_date",
                        "deregistration before the registration".into(),
                        "注销时间早于登记时间".into(),
                    ));
                }
                Plan::Deregister(reg.id, on)
            }
            (Operation::Deregister, None) => {
                errs.push(reject(
                    row,
                    Some("操作"),
                    "not_registered",
                    format!("{} is not registered at {institution}", r.code),
                    format!("{} 未在本机构登记，无法注销", r.code),
                ));
                Plan::Unchanged
            }
            (Operation::Change, None) => {
                errs.push(reject(
                    row,
                    Some("操作"),
                    "not_registered",
                    format!("{} is not registered at {institution}: use 新增", r.code),
                    format!("{} 未在本机构登记，无法变更（应为新增）", r.code),
                ));
                Plan::Unchanged
            }
            (_, None) => {
                // A returning staff member: the new registration cannot overlap the old one, so
                // it starts on the day the old one ended (注销 is the first day not registered).
                if let Some(&end) = ended.get(&r.code).filter(|&&end| end > r.registered_on) {
                    r.registered_on = end;
                    r.resumed = Some(end);
                }
                Plan::Add
            }
            (_, Some(_)) => {
                let stored = details.get(&r.code).cloned().unwrap_or_else(|| {
                    let (name, phone) = names.get(&r.code).cloned().unwrap_or_default();
                    RosterDetails {
                        institution_code: institution.to_string(),
                        personnel_code: r.code.clone(),
                        name,
                        phone,
                        ..Default::default()
                    }
                });
                let changed = changed_fields(&stored, &r.details);
                if changed.is_empty() {
                    Plan::Unchanged
                } else {
                    Plan::Change(changed)
                }
            }
        };
        if errs.is_empty() {
            plans.push((r, plan));
        } else {
            rejected.append(&mut errs);
        }
    }
    Planned { plans, rejected }
}

/// Snapshot: whoever is registered here today and not `named` by the file (on any row, rejected
/// rows included, by code or by ID number) is deregistered; sorted by code.
pub(super) fn snapshot_out(
    mode: RosterMode,
    in_force: &HashMap<&str, &RegistrationRow>,
    named: &HashSet<String>,
) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = Vec::new();
    if mode == RosterMode::Snapshot {
        for (code, reg) in in_force {
            if !named.contains(*code) {
                out.push((code.to_string(), reg.id));
            }
        }
        out.sort();
    }
    out
}
