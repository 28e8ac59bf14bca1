//! The unread flag of `/notices` and the HR home: a notice is unread for its institution until
//! one of that institution's HR accounts opens it on the pages. A read receipt for the page
//! only — not the receipt of 六(一) (`receipts.rs`), from which the 10 working days run: opening
//! the printable notice acknowledges nothing and moves no deadline. Agency staff, officers and
//! admins opening a notice leave it unread for the institution.

use std::collections::HashSet;

use super::access::Subject;
use super::{Action, App, Caller};
use crate::error::{Error, Result};
use crate::store::{due_process, notice_reads};

impl App {
    /// Marks notice `id` read when the caller is an HR account of its institution (`true` when
    /// this opened it first); anyone else changes nothing.
    pub fn mark_notice_read(&self, caller: &Caller, id: i64) -> Result<bool> {
        caller.permit(Action::ReadNotices)?;
        let (Subject::Account(account), Some(own)) = (&caller.subject, caller.hr_institution()) else {
            return Ok(false);
        };
        let mut c = self.conn()?;
        let n = due_process::notice(&mut c, id)?.ok_or_else(|| Error::not_found("notice", "通知书"))?;
        if n.institution_code != own {
            return Err(Error::not_found("notice", "通知书"));
        }
        Ok(notice_reads::mark(&mut c, id, *account)?)
    }

    /// The notices of the caller's institution its HR has opened (empty for other roles: they
    /// see no unread flag).
    pub fn read_notice_ids(&self, caller: &Caller) -> Result<HashSet<i64>> {
        caller.permit(Action::ReadNotices)?;
        let Some(own) = caller.hr_institution() else { return Ok(HashSet::new()) };
        let mut c = self.conn()?;
        Ok(notice_reads::read_of(&mut c, own)?.into_iter().collect())
    }

    /// How many notices of the caller's institution its HR has not opened (0 for other roles).
    pub fn unread_notice_count(&self, caller: &Caller) -> Result<i64> {
        caller.permit(Action::ReadNotices)?;
        let Some(own) = caller.hr_institution() else { return Ok(0) };
        let mut c = self.conn()?;
        Ok(notice_reads::unread_count(&mut c, own)?)
    }
}
