//! Inspections (检查) with their violations, under an idempotency key; revocations.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{person_lock, Action, App, Caller, Lock, Touched};
use crate::domain::dates::parse_date;
use crate::domain::limits;
use crate::domain::Fen;
use crate::error::{ClientError, Error, Kind, Result};
use crate::rules::{Dated, Sanction};
use crate::service::eligibility::amount_of;
use crate::store::facts::{self, NewDeduction};
use crate::store::DbConn;

pub mod preview;

/// `POST /inspections`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewInspection {
    pub institution_code: String,
    #[schema(format = Date)]
    pub inspected_on: String,
    #[schema(format = Date)]
    pub decided_on: String,
    pub violations: Vec<NewViolation>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewViolation {
    pub personnel_code: String,
    pub items: Vec<String>,
    #[schema(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub occurred_on: Option<String>,
    #[serde(default)]
    pub note: String,
    /// For range items of other packs: the officer's choice of points.
    pub points: Option<u32>,
    /// 五(二): the officer may set a 2-year ban (24) instead of 1 year (12).
    pub ban_months: Option<u32>,
    /// The fund's loss, yuan as a decimal string (stored as fen).
    #[schema(schema_with = crate::http::openapi::money)]
    pub fund_loss: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ViolationResult {
    pub personnel_code: String,
    pub items: Vec<String>,
    pub points: u32,
    pub deduction_id: i64,
    pub article: String,
    /// The person's cycle total after this inspection.
    pub cycle_total: u32,
    /// Yuan, exact.
    pub fund_loss: Option<rust_decimal::Decimal>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SanctionResult {
    pub personnel_code: String,
    #[serde(flatten)]
    pub sanction: Sanction,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InspectionResult {
    pub inspection_id: i64,
    pub institution_code: String,
    pub inspected_on: NaiveDate,
    pub decided_on: NaiveDate,
    pub violations: Vec<ViolationResult>,
    /// The sanctions this inspection caused.
    pub sanctions: Vec<SanctionResult>,
}

/// `POST /deductions/{id}/revoke`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RevokeDeduction {
    #[schema(format = Date)]
    pub on: String,
    pub reason: String,
}

/// An inspection checked and ready to record.
pub struct PreparedInspection {
    key: String,
    hash: String,
    inst: String,
    inspected_on: NaiveDate,
    decided_on: NaiveDate,
    parsed: Vec<Parsed>,
    notes: Vec<String>,
}

impl PreparedInspection {
    /// The idempotency key and every practitioner of the inspection.
    pub fn locks(&self) -> Vec<Lock> {
        let mut locks = vec![Lock::Key(self.key.clone())];
        locks.extend(self.parsed.iter().map(|p| person_lock(&p.code)));
        locks
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    /// The hash of the request body, compared with the stored one for an idempotency key.
    pub fn hash(&self) -> &str {
        &self.hash
    }
}

/// One violation, validated before the transaction starts.
struct Parsed {
    code: String,
    items: Vec<String>,
    points: u32,
    article: String,
    occurred_on: Option<NaiveDate>,
    chosen: Option<u32>,
    ban: Option<u32>,
    fund_loss: Option<i64>,
}

fn request_hash(req: &NewInspection) -> String {
    let canonical = serde_json::to_string(req).unwrap_or_default();
    Sha256::digest(canonical.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

impl App {
    pub fn record_inspection(
        &self,
        caller: &Caller,
        key: Option<&str>,
        req: &NewInspection,
    ) -> Result<InspectionResult> {
        caller.require_institution(Action::RecordInspection, req.institution_code.trim())?;
        let prepared = self.prepare_inspection(key, req)?;
        // The hot write path (#18): on SQLite, inspections arriving together share a commit.
        self.write_grouped(caller, prepared.locks(), move |app, c, touched| app.apply_inspection(c, touched, &prepared))
    }

    /// Checks an inspection without touching the ledger.
    pub fn prepare_inspection(&self, key: Option<&str>, req: &NewInspection) -> Result<PreparedInspection> {
        let inspected_on = parse_date("inspected_on", &req.inspected_on)?;
        let decided_on = parse_date("decided_on", &req.decided_on)?;
        if decided_on < inspected_on {
            return Err(Error::invalid(
                "invalid_period",
                "decided_on",
                "decided_on is before inspected_on",
                "处理决定日期早于检查日期",
            ));
        }
        // 七: 本通知自印发之日起施行 — nothing decided before the notice is scored under it.
        self.packs.scoring(Dated::Decision, decided_on)?;
        if req.violations.is_empty() {
            return Err(Error::invalid(
                "no_violations",
                "violations",
                "an inspection records at least one violation",
                "检查应至少记录一项违规行为",
            ));
        }
        if req.violations.len() > limits::VIOLATIONS_PER_INSPECTION_MAX {
            return Err(too_many_violations(req.violations.len()));
        }
        let inst = req.institution_code.trim().to_ascii_uppercase();
        let mut parsed = Vec::with_capacity(req.violations.len());
        let mut seen = std::collections::HashMap::new();
        for (k, v) in req.violations.iter().enumerate() {
            let field = |f: &str| format!("violations[{k}].{f}");
            let code = v.personnel_code.trim().to_ascii_uppercase();
            let items: Vec<String> = v.items.iter().map(|i| i.trim().to_string()).collect();
            limits::check_note(&field("note"), &v.note)?;
            if let Some(first) = seen.insert(violation_key(&code, &items), k) {
                return Err(duplicate_violation(&field("items"), first, k));
            }
            let (points, item) = self.packs.points_for(decided_on, &items, v.points).map_err(|e| {
                let mut c = ClientError::from(e);
                c.field = Some(field("items"));
                Error::Client(c)
            })?;
            // Issue 17: the points are the officer's where the pack makes them a choice, only there.
            self.packs
                .check_choice(decided_on, &items, v.points)
                .map_err(|e| Error::Client(ClientError::from(e).field(field("points"))))?;
            let occurred_on = v
                .occurred_on
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(|s| parse_date(&field("occurred_on"), s))
                .transpose()?;
            // 七: nor conduct before it. Without `occurred_on` the inspection's date bounds the
            // conduct: what an inspection before the notice found happened before it too.
            let (conduct_on, conduct_field) = match occurred_on {
                Some(o) => (o, field("occurred_on")),
                None => (inspected_on, "inspected_on".to_string()),
            };
            if let Err(e) = self.packs.scoring(Dated::Conduct, conduct_on) {
                return Err(Error::Client(ClientError::from(e).field(conduct_field)));
            }
            if occurred_on.is_some_and(|o| o > decided_on) {
                return Err(Error::invalid(
                    "invalid_date",
                    &field("occurred_on"),
                    "occurred_on is after decided_on",
                    "违规发生日期晚于处理决定日期",
                ));
            }
            let pack = self.packs.in_force(decided_on)?;
            let ban = v.ban_months;
            if ban.is_some_and(|b| b < pack.ban.months || b > pack.ban.max_months) {
                return Err(Error::invalid(
                    "invalid_ban",
                    &field("ban_months"),
                    format!("ban_months is {}..={} (五(二))", pack.ban.months, pack.ban.max_months),
                    format!("禁止签约期限应为{}-{}个月（五(二)）", pack.ban.months, pack.ban.max_months),
                ));
            }
            let fund_loss = match &v.fund_loss {
                None | Some(serde_json::Value::Null) => None,
                some => Some(amount_of(&field("fund_loss"), some)?.0),
            };
            parsed.push(Parsed {
                code,
                items,
                points,
                article: item.article.clone(),
                occurred_on,
                chosen: v.points.filter(|_| item.points_max.is_some()),
                ban,
                fund_loss,
            });
        }
        let key = key.map(str::to_string).unwrap_or_else(|| format!("auto:{}", uuid_like()));
        let hash = request_hash(req);
        Ok(PreparedInspection {
            key,
            hash,
            inst,
            inspected_on,
            decided_on,
            parsed,
            notes: req.violations.iter().map(|v| v.note.clone()).collect(),
        })
    }

    /// Records a prepared inspection inside the caller's write transaction, which holds
    /// `prepared.locks()`; replays the stored answer for a known key.
    pub fn apply_inspection(
        &self,
        c: &mut DbConn,
        touched: &mut Touched,
        prepared: &PreparedInspection,
    ) -> Result<InspectionResult> {
        let PreparedInspection { key, hash, inst, inspected_on, decided_on, parsed, notes } = prepared;
        let (inspected_on, decided_on) = (*inspected_on, *decided_on);
        {
            if let Some(existing) = facts::inspection_by_key(c, key)? {
                if existing.request_hash != *hash {
                    return Err(Error::conflict(
                        "idempotency_conflict",
                        "this Idempotency-Key was used with a different body",
                        "该幂等键已用于内容不同的请求",
                    ));
                }
                return serde_json::from_str(&existing.response).map_err(|e| Error::Internal(e.into()));
            }
            if facts::institution(c, inst)?.is_none() {
                return Err(Error::invalid(
                    "unknown_institution",
                    "institution_code",
                    format!("institution {inst} is not registered"),
                    format!("定点医药机构 {inst} 不存在"),
                ));
            }
            for (k, p) in parsed.iter().enumerate() {
                let on = p.occurred_on.unwrap_or(inspected_on);
                if !registered_at(c, inst, &p.code, on)? {
                    return Err(Error::Client(
                        not_registered_here(&p.code, inst, on).field(format!("violations[{k}].personnel_code")),
                    ));
                }
            }
            let inspection_id = facts::insert_inspection(c, key, hash, inst, inspected_on, decided_on)?;
            touched.fact("inspections", inspection_id);
            let mut ids = Vec::with_capacity(parsed.len());
            for (k, p) in parsed.iter().enumerate() {
                let id = facts::insert_deduction(
                    c,
                    &NewDeduction {
                        inspection_id,
                        seq: k as i32,
                        personnel_code: &p.code,
                        institution_code: inst,
                        items: p.items.join(";"),
                        points: p.points as i32,
                        chosen_points: p.chosen.map(|x| x as i32),
                        ban_months: p.ban.map(|b| b as i32),
                        fund_loss_fen: p.fund_loss,
                        occurred_on: p.occurred_on,
                        decided_on,
                        note: &notes[k],
                        recorded_at: crate::store::now(),
                    },
                )?;
                touched.fact("deductions", id);
                ids.push(id);
            }
            let mut people: Vec<&str> = parsed.iter().map(|p| p.code.as_str()).collect();
            people.sort();
            people.dedup();
            let mut sanctions = Vec::new();
            let mut totals = std::collections::HashMap::new();
            for person in people {
                let (person_facts, timeline) = self.recompute(c, touched, person)?;
                let own: Vec<i64> =
                    parsed.iter().zip(&ids).filter(|(p, _)| p.code == person).map(|(_, id)| *id).collect();
                self.notify_deductions(c, &person_facts, &timeline, &own, inst, inspected_on, decided_on)?;
                totals.insert(person.to_string(), timeline.total_on(decided_on));
                for s in
                    timeline.sanctions.iter().filter(|s| s.explanation.deduction_ids.iter().any(|d| ids.contains(d)))
                {
                    sanctions.push(SanctionResult { personnel_code: person.to_string(), sanction: s.clone() });
                }
            }
            let violations = parsed
                .iter()
                .zip(&ids)
                .map(|(p, id)| ViolationResult {
                    personnel_code: p.code.clone(),
                    items: p.items.clone(),
                    points: p.points,
                    deduction_id: *id,
                    article: p.article.clone(),
                    cycle_total: totals.get(&p.code).copied().unwrap_or(0),
                    fund_loss: p.fund_loss.map(|f| Fen(f).to_decimal()),
                })
                .collect();
            let result = InspectionResult {
                inspection_id,
                institution_code: inst.clone(),
                inspected_on,
                decided_on,
                violations,
                sanctions,
            };
            let text = serde_json::to_string(&result).map_err(|e| Error::Internal(e.into()))?;
            facts::set_inspection_response(c, inspection_id, &text)?;
            Ok(result)
        }
    }

    /// A revocation is retroactive: the deduction counts for no date, and the whole cycle is
    /// recomputed (六(一)). Returns the person's ledger of the deduction's cycle.
    pub fn revoke(&self, caller: &Caller, deduction_id: i64, req: &RevokeDeduction) -> Result<super::queries::Ledger> {
        caller.permit(Action::RevokeDeduction)?;
        let d = {
            let mut c = self.conn()?;
            facts::deduction(&mut c, deduction_id)?.ok_or_else(|| Error::not_found("deduction", "扣分记录"))?
        };
        // The deduction's own institution decides the scope, never the person's other sites: a
        // registration elsewhere grants no power over it.
        caller.require_institution(Action::RevokeDeduction, &d.institution_code)?;
        let on = parse_date("on", &req.on)?;
        if req.reason.trim().is_empty() {
            return Err(Error::invalid("missing_field", "reason", "reason must not be empty", "撤销理由不能为空"));
        }
        limits::check_note("reason", &req.reason)?;
        self.write(caller, &[person_lock(&d.personnel_code)], |c, touched| {
            let revocation = Revocation { deduction_id, on, reason: req.reason.trim(), source: "officer" };
            self.apply_revocation(c, touched, &d.personnel_code, &revocation)
        })
    }

    /// Records a revocation inside a write transaction holding the person's lock.
    pub(crate) fn apply_revocation(
        &self,
        c: &mut DbConn,
        touched: &mut Touched,
        person: &str,
        revocation: &Revocation,
    ) -> Result<super::queries::Ledger> {
        let Revocation { deduction_id, on, reason, source } = *revocation;
        let d = facts::deduction(c, deduction_id)?.ok_or_else(|| Error::not_found("deduction", "扣分记录"))?;
        debug_assert_eq!(d.personnel_code, person);
        let year = chrono::Datelike::year(&d.decided_on);
        if facts::revocation_of(c, deduction_id)?.is_some() {
            return Err(Error::conflict("already_revoked", "this deduction is already revoked", "该扣分记录已撤销"));
        }
        let before = facts::practitioner_facts(c, person)?
            .ok_or_else(|| Error::not_found("practitioner", "人员"))
            .and_then(|f| Ok(crate::rules::evaluate(&self.packs, &f)?))?;
        let rev = facts::insert_revocation(c, deduction_id, on, reason, source)?;
        touched.fact("revocations", rev);
        let (facts_now, timeline) = self.recompute(c, touched, person)?;
        self.notify_revocation(c, &facts_now, &before.sanctions, &timeline, deduction_id, on, reason)?;
        let mut ledger = super::queries::ledger_of(&facts_now, &timeline, year, &self.packs, c)?;
        ledger.affected_periods = crate::rules::status::payability_changes(&before.intervals, &timeline.intervals);
        Ok(ledger)
    }
}

/// Whether `code` holds a registration at `inst` on `on`: an inspection deducts only from the
/// staff of the inspected institution, for conduct while they worked there.
pub(crate) fn registered_at(c: &mut DbConn, inst: &str, code: &str, on: NaiveDate) -> Result<bool> {
    Ok(facts::registrations_of(c, code)?
        .iter()
        .any(|r| r.institution_code == inst && r.registered_on <= on && r.deregistered_on.is_none_or(|e| e > on)))
}

/// The refusal for a person not registered at the inspected institution on the day of the
/// conduct. It names no other institution, and reads the same whether or not the person is
/// registered anywhere else.
pub(crate) fn not_registered_here(code: &str, inst: &str, on: NaiveDate) -> ClientError {
    ClientError::new(
        Kind::Unprocessable,
        "unknown_practitioner",
        format!("{code} is not registered at the inspected institution {inst} on {on}, the day of the conduct"),
        format!("{code} 在违规发生日期（{on}）未在被检查机构 {inst} 登记备案"),
    )
}

/// A revocation to record: which deduction, from when, why, and who asked (`officer`, or
/// `objection` when an upheld objection revokes it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Revocation<'a> {
    pub deduction_id: i64,
    pub on: NaiveDate,
    pub reason: &'a str,
    pub source: &'a str,
}

/// A random key for inspections recorded without an Idempotency-Key.
fn uuid_like() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// One violation's identity within an inspection: the person and the set of items cited.
pub(crate) fn violation_key(code: &str, items: &[String]) -> (String, Vec<String>) {
    let mut items: Vec<String> = items.iter().map(|i| i.trim().to_string()).collect();
    items.sort();
    items.dedup();
    (code.trim().to_ascii_uppercase(), items)
}

/// 422: more violations in one inspection than `limits::VIOLATIONS_PER_INSPECTION_MAX`.
pub(crate) fn too_many_violations(n: usize) -> Error {
    let max = limits::VIOLATIONS_PER_INSPECTION_MAX;
    Error::invalid(
        "too_many_violations",
        "violations",
        format!("{n} violations in one inspection; at most {max}"),
        format!("一次检查记录了 {n} 项违规行为，最多 {max} 项"),
    )
}

/// 422: the same person cited for the same items twice in one inspection (each violation is
/// one act: 四, preamble 2 adds up distinct acts, not copies of one).
pub(crate) fn duplicate_violation(field: &str, first: usize, again: usize) -> Error {
    Error::invalid(
        "duplicate_violation",
        field,
        format!("violation {} repeats violation {}: the same person and the same items", again + 1, first + 1),
        format!("第 {} 项违规与第 {} 项重复（同一人员、相同条目）", again + 1, first + 1),
    )
}
