//! `jifen verify`: rebuild every projection from the facts and report any difference from
//! what is stored; check the hash chains over the facts and the audit trail (`store::chain`).

use serde::Serialize;

use super::App;
use crate::error::{Error, Result};
use crate::rules;
use crate::store::chain::{self, ChainReport};
use crate::store::projections::{self, PractitionerProjection};
use crate::store::{dashboard, facts};

#[derive(Debug, Clone, Serialize, Default)]
pub struct VerifyReport {
    pub practitioners: usize,
    pub differences: Vec<String>,
    /// The hash chains: where each broken one first breaks, and the digest of their heads.
    pub chain: ChainReport,
}

impl App {
    pub fn verify(&self) -> Result<VerifyReport> {
        let mut c = self.conn()?;
        // With each person's category, for the dashboard's projections.
        let codes = dashboard::all_categories(&mut c)?;
        let mut report =
            VerifyReport { practitioners: codes.len(), differences: Vec::new(), chain: ChainReport::default() };
        for (code, category) in codes {
            let f =
                facts::practitioner_facts(&mut c, &code)?.ok_or_else(|| Error::not_found("practitioner", "人员"))?;
            let t = rules::evaluate(&self.packs, &f)?;
            let w = rules::watch_list::triggers(&self.packs, &f, &t)?;
            let rebuilt = PractitionerProjection::of(&t, &w);
            let stored = projections::load(&mut c, &code)?;
            let mut diff = |what: &str, same: bool| {
                if !same {
                    report.differences.push(format!("{code}: {what} differ from a rebuild from the facts"));
                }
            };
            diff("status intervals", rebuilt.intervals == stored.intervals);
            diff("cycle totals", rebuilt.cycles == stored.cycles);
            diff("sanctions", rebuilt.sanctions == stored.sanctions);
            diff("watch-list entries", rebuilt.watch == stored.watch);
            let mut a = rebuilt.interview_orders.clone();
            let mut b = stored.interview_orders.clone();
            a.sort();
            b.sort();
            diff("interview orders", a == b);
            let (spans, tests) = dashboard::rebuild(&f, category);
            let (stored_spans, stored_tests) = dashboard::stored(&mut c, &code)?;
            diff("dashboard registration spans", spans == stored_spans);
            diff("dashboard training tests", tests == stored_tests);
            for iv in &stored.intervals {
                if self.index.site_status(&code, &iv.institution_code, iv.from_on).map(|s| s.as_str())
                    != Some(iv.status.as_str())
                    && !self.index.is_empty()
                {
                    report.differences.push(format!(
                        "{code}: eligibility index differs at {} from {}",
                        iv.institution_code, iv.from_on
                    ));
                    break;
                }
            }
        }
        for fact in self.unaudited_facts()? {
            report.differences.push(format!("{fact}: no audit row records this fact"));
        }
        report.chain = chain::verify(&mut c)?;
        for b in &report.chain.breaks {
            report.differences.push(format!("{}:{}: hash chain broken: {} / {}", b.table, b.id, b.reason_zh, b.reason));
        }
        Ok(report)
    }
}
