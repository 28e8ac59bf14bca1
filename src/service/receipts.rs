//! 六(一) 可在接到书面通知后10个工作日内: the days run from *receiving* the written notice.
//! The institution acknowledges receipt (`POST /notices/{id}/received`); a notice never
//! acknowledged counts as received on its date plus the delivery allowance the agency sets
//! (calendar days, 0 until set: the period then runs from the notice's date). Every deadline
//! shown (notices, objections, pages) counts from that day.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::notices::{allowance_on, Notice};
use super::{Action, App, Caller, Lock};
use crate::domain::dates::{parse_date, today_china};
use crate::error::{Error, Result};
use crate::store::due_process;

/// `POST /notices/{id}/received`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AcknowledgeNotice {
    /// The day the institution received the notice.
    #[schema(format = Date)]
    pub on: String,
}

/// `POST /settings/delivery-allowance`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SetDeliveryAllowance {
    /// Calendar days from a notice's date to the day it counts as received, 0..=30.
    pub days: u32,
    /// For notices dated on or after this day (earlier notices keep the allowance they had).
    #[schema(format = Date)]
    pub from: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeliveryAllowanceView {
    /// The allowance of a notice dated `on`.
    pub days: u32,
    pub on: NaiveDate,
    /// `false`: never set, 0.
    pub set_by_agency: bool,
    /// Every setting, oldest first: (days, from).
    pub settings: Vec<DeliveryAllowanceSetting>,
    pub article: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeliveryAllowanceSetting {
    pub days: u32,
    pub from: NaiveDate,
}

/// The longest delivery allowance the agency may set.
pub const DELIVERY_ALLOWANCE_MAX: u32 = 30;

impl App {
    /// The institution a notice is addressed to says when it received it; once.
    pub fn acknowledge_notice(&self, caller: &Caller, id: i64, req: &AcknowledgeNotice) -> Result<Notice> {
        caller.permit(Action::AcknowledgeNotice)?;
        let row = {
            let mut c = self.conn()?;
            due_process::notice(&mut c, id)?.ok_or_else(|| Error::not_found("notice", "通知书"))?
        };
        caller.require_institution(Action::AcknowledgeNotice, &row.institution_code)?;
        let on = parse_date("on", &req.on)?;
        if on < row.notice_date {
            return Err(Error::invalid(
                "invalid_date",
                "on",
                format!("a notice dated {} cannot be received before it, on {on}", row.notice_date),
                format!("签收日期（{on}）早于通知书日期（{}）", row.notice_date),
            ));
        }
        let today = today_china();
        if on > today {
            return Err(Error::invalid(
                "future_date",
                "on",
                format!("the receipt date {on} is after today ({today})"),
                format!("签收日期{on}晚于今天（{today}）"),
            ));
        }
        self.write(caller, &[Lock::Notice(id)], |c, touched| {
            if let Some(at) = due_process::receipt_of(c, id)? {
                return Err(Error::conflict(
                    "already_received",
                    format!("this notice was acknowledged as received on {at}"),
                    format!("该通知书已于{at}确认签收"),
                ));
            }
            let r = due_process::insert_receipt(c, id, on)?;
            touched.fact("notice_receipts", r);
            self.notice_views(c, vec![row.clone()])?.pop().ok_or_else(|| Error::not_found("notice", "通知书"))
        })
    }

    /// `GET /settings/delivery-allowance?date=`: the allowance of a notice dated `on`.
    pub fn delivery_allowance(&self, caller: &Caller, on: NaiveDate) -> Result<DeliveryAllowanceView> {
        caller.permit(Action::ReadDeliveryAllowance)?;
        let mut c = self.conn()?;
        allowance_view(&due_process::delivery_allowances(&mut c)?, on)
    }

    /// `POST /settings/delivery-allowance` (agency, admin): audited; applies to notices dated on
    /// or after `from`, so no deadline already running moves.
    pub fn set_delivery_allowance(&self, caller: &Caller, req: &SetDeliveryAllowance) -> Result<DeliveryAllowanceView> {
        caller.permit(Action::SetDeliveryAllowance)?;
        let from = parse_date("from", &req.from)?;
        if req.days > DELIVERY_ALLOWANCE_MAX {
            return Err(Error::invalid(
                "invalid_allowance",
                "days",
                format!("the delivery allowance is 0..={DELIVERY_ALLOWANCE_MAX} calendar days"),
                format!("送达期限应为0-{DELIVERY_ALLOWANCE_MAX}个自然日"),
            ));
        }
        self.write(caller, &[Lock::DeliveryAllowance], |c, touched| {
            let id = due_process::insert_delivery_allowance(c, req.days as i32, from)?;
            touched.fact("delivery_allowances", id);
            allowance_view(&due_process::delivery_allowances(c)?, from)
        })
    }
}

fn allowance_view(rows: &[(i64, i32, NaiveDate)], on: NaiveDate) -> Result<DeliveryAllowanceView> {
    Ok(DeliveryAllowanceView {
        days: allowance_on(rows, on),
        on,
        set_by_agency: rows.iter().any(|(_, _, from)| *from <= on),
        settings: rows
            .iter()
            .map(|(_, d, from)| DeliveryAllowanceSetting { days: (*d).max(0) as u32, from: *from })
            .collect(),
        article: "六(一)",
    })
}
