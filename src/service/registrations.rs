//! 登记备案: register a practitioner at an institution (三(一)(二)), deregister (注销).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{institution_lock, person_lock, Action, App, Caller};
use crate::domain::dates::parse_date;
use crate::domain::limits;
use crate::domain::{Category, IdNumber};
use crate::error::{Error, Result};
use crate::store::facts::{self, Practitioner};

/// `POST /registrations`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewRegistration {
    #[schema(pattern = r"^[HPhp][0-9]{11}$")]
    pub institution_code: String,
    #[schema(pattern = r"^[A-Za-z]{1,2}[0-9]{12}$")]
    pub personnel_code: String,
    pub name: String,
    #[schema(pattern = r"^[0-9]{17}[0-9Xx]$")]
    pub id_number: String,
    pub category: String,
    #[schema(format = Date)]
    pub registered_on: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegistrationView {
    pub id: i64,
    pub institution_code: String,
    pub personnel_code: String,
    pub category: String,
    pub registered_on: NaiveDate,
    pub deregistered_on: Option<NaiveDate>,
    /// The person was created by this registration.
    pub created_practitioner: bool,
    /// Filed while a ban of 五(二) runs: the agreement starts when it ends.
    pub banned_until: Option<NaiveDate>,
}

impl App {
    pub fn register(&self, caller: &Caller, req: &NewRegistration) -> Result<RegistrationView> {
        caller.require_institution(Action::Register, req.institution_code.trim())?;
        let category = Category::parse("category", &req.category)?;
        let code = self.formats.personnel_code("personnel_code", &req.personnel_code, category)?;
        let id = IdNumber::parse("id_number", &req.id_number)?;
        if req.name.trim().is_empty() {
            return Err(Error::invalid("missing_field", "name", "name must not be empty", "姓名不能为空"));
        }
        limits::check_name("name", req.name.trim())?;
        if let Some(phone) = &req.phone {
            limits::check_phone("phone", phone.trim())?;
        }
        let on = parse_date("registered_on", &req.registered_on)?;
        let locks = [person_lock(code.as_str()), institution_lock(&req.institution_code)];
        self.write(caller, &locks, |c, touched| {
            let inst = req.institution_code.trim().to_ascii_uppercase();
            if facts::institution(c, &inst)?.is_none() {
                return Err(Error::invalid(
                    "unknown_institution",
                    "institution_code",
                    format!("institution {inst} is not registered"),
                    format!("定点医药机构 {inst} 不存在"),
                ));
            }
            let created = match facts::practitioner(c, code.as_str())? {
                Some(p) if p.id_number != id.as_str() => {
                    return Err(Error::conflict(
                        "code_held_by_another",
                        "this personnel code does not match the ID number on record: ask the agency to check it",
                        "该医保对应代码与已登记的身份证号码不一致，请联系医保经办机构核实",
                    ))
                }
                Some(p) if p.category != category => {
                    return Err(Error::conflict(
                        "category_mismatch",
                        format!("this person is registered as {}", p.category.as_str()),
                        "该人员已登记为其他医保支付资格类别",
                    ))
                }
                Some(_) => false,
                None => {
                    facts::insert_practitioner(
                        c,
                        &Practitioner {
                            personnel_code: code.as_str().to_string(),
                            name: req.name.trim().to_string(),
                            id_number: id.as_str().to_string(),
                            category,
                            birth_date: id.birth_date(),
                            phone: req.phone.clone().filter(|p| !p.trim().is_empty()),
                            recorded_at: crate::store::now(),
                        },
                    )?;
                    touched.fact("practitioners", code.as_str());
                    true
                }
            };
            let regs = facts::registrations_of(c, code.as_str())?;
            if regs.iter().any(|r| r.institution_code == inst && r.deregistered_on.is_none_or(|e| e > on)) {
                return Err(Error::conflict(
                    "already_registered",
                    format!("{code} is already registered at {inst}"),
                    format!("{code} 已在 {inst} 登记备案"),
                ));
            }
            let reg_id = facts::insert_registration(c, &inst, code.as_str(), on)?;
            touched.fact("registrations", reg_id);
            let (_, timeline) = self.recompute(c, touched, code.as_str())?;
            let banned_until = timeline
                .intervals
                .iter()
                .find(|i| i.institution_code == inst && i.from == on && i.status == crate::rules::SiteStatus::Banned)
                .and_then(|i| i.until);
            Ok(RegistrationView {
                id: reg_id,
                institution_code: inst,
                personnel_code: code.as_str().to_string(),
                category: category.as_str().to_string(),
                registered_on: on,
                deregistered_on: None,
                created_practitioner: created,
                banned_until,
            })
        })
    }

    /// 注销 from `on` (the first day no longer registered).
    pub fn deregister(
        &self,
        caller: &Caller,
        institution: &str,
        personnel: &str,
        on: NaiveDate,
    ) -> Result<RegistrationView> {
        caller.require_institution(Action::Register, institution)?;
        let locks = [person_lock(personnel), institution_lock(institution)];
        self.write(caller, &locks, |c, touched| {
            let regs = facts::registrations_of(c, personnel)?;
            let reg = regs
                .into_iter()
                .rfind(|r| r.institution_code == institution && r.deregistered_on.is_none())
                .ok_or_else(|| Error::not_found("registration", "登记备案"))?;
            if on < reg.registered_on {
                return Err(Error::invalid(
                    "invalid_date",
                    "on",
                    "deregistration before the registration date",
                    "注销日期早于登记日期",
                ));
            }
            let d = facts::insert_deregistration(c, reg.id, on)?;
            touched.fact("deregistrations", d);
            self.recompute(c, touched, personnel)?;
            let p = facts::practitioner(c, personnel)?.ok_or_else(|| Error::not_found("practitioner", "人员"))?;
            Ok(RegistrationView {
                id: reg.id,
                institution_code: reg.institution_code,
                personnel_code: reg.personnel_code,
                category: p.category.as_str().to_string(),
                registered_on: reg.registered_on,
                deregistered_on: Some(on),
                created_practitioner: false,
                banned_until: None,
            })
        })
    }
}
