//! Claims screening (五(二)): may the fund pay for this practitioner's service at this
//! institution on this date? Answered from an in-memory index of status timelines, kept
//! current by the write path, so the hot path does no I/O.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Action, App, Caller};
use crate::domain::dates::parse_date;
use crate::domain::Fen;
use crate::error::{Error, Result};
use crate::rules::pack::PaymentRule;
use crate::rules::{SiteStatus, Timeline};
use crate::store::projections::IntervalRow;

#[derive(Debug, Clone)]
struct Run {
    institution_code: Box<str>,
    from: NaiveDate,
    until: Option<NaiveDate>,
    status: SiteStatus,
}

/// One practitioner's runs of site status, with the write sequence that computed them.
type Entry = (u64, Arc<[Run]>);

/// personnel code → that person's entry.
#[derive(Default)]
pub struct EligibilityIndex {
    map: RwLock<HashMap<String, Entry>>,
}

impl EligibilityIndex {
    pub fn replace_all(&self, rows: Vec<IntervalRow>) {
        let mut by: HashMap<String, Vec<Run>> = HashMap::new();
        for r in rows {
            let status = r.status;
            by.entry(r.personnel_code).or_default().push(Run {
                institution_code: r.institution_code.into(),
                from: r.from_on,
                until: r.until_on,
                status,
            });
        }
        let map = by.into_iter().map(|(k, v)| (k, (0, Arc::from(v)))).collect();
        if let Ok(mut m) = self.map.write() {
            *m = map;
        }
    }

    /// Publishes the stored intervals of `codes` (read after the write with sequence `seq`
    /// committed); a code without rows has no site left.
    pub fn put_rows(&self, codes: &[String], rows: Vec<IntervalRow>, seq: u64) {
        let mut by: HashMap<&str, Vec<Run>> = codes.iter().map(|c| (c.as_str(), Vec::new())).collect();
        for r in rows {
            if let Some(runs) = by.get_mut(r.personnel_code.as_str()) {
                runs.push(Run {
                    institution_code: r.institution_code.into(),
                    from: r.from_on,
                    until: r.until_on,
                    status: r.status,
                });
            }
        }
        if let Ok(mut m) = self.map.write() {
            for (code, runs) in by {
                match m.get(code) {
                    Some((newer, _)) if *newer > seq => {}
                    _ => {
                        m.insert(code.to_string(), (seq, Arc::from(runs)));
                    }
                }
            }
        }
    }

    /// Publishes a timeline computed by the write with sequence `seq`; an older write's
    /// timeline published late never replaces a newer one.
    pub fn put(&self, t: &Timeline, seq: u64) {
        let runs: Vec<Run> = t
            .intervals
            .iter()
            .map(|i| Run {
                institution_code: i.institution_code.as_str().into(),
                from: i.from,
                until: i.until,
                status: i.status,
            })
            .collect();
        if let Ok(mut m) = self.map.write() {
            match m.get(&t.personnel_code) {
                Some((newer, _)) if *newer > seq => {}
                _ => {
                    m.insert(t.personnel_code.clone(), (seq, Arc::from(runs)));
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.map.read().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The site status on a date; `None` when not registered there that day.
    pub fn site_status(&self, personnel: &str, institution: &str, on: NaiveDate) -> Option<SiteStatus> {
        let runs = self.map.read().ok()?.get(personnel).map(|(_, r)| r.clone())?;
        runs.iter()
            .find(|r| &*r.institution_code == institution && r.from <= on && r.until.is_none_or(|u| on < u))
            .map(|r| r.status)
    }
}

/// One claim line.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ClaimLine {
    pub personnel_code: String,
    pub institution_code: String,
    #[schema(format = Date)]
    pub service_date: String,
    #[serde(default)]
    pub emergency: bool,
    /// Yuan, as a decimal string or a number.
    #[schema(schema_with = crate::http::openapi::money)]
    pub amount: Option<serde_json::Value>,
}

/// One line's answer; `article` is borrowed from the policy pack it cites.
#[derive(Debug, Clone, Serialize)]
pub struct LineResult<'p> {
    pub payable: bool,
    pub reason: &'static str,
    pub status: &'static str,
    pub article: &'p str,
    /// 五(二) 并不得转嫁于参保人员: the line is refused and its amount may not be passed on to
    /// the insured person (`true` on every refused line, `false` on a paid one).
    pub not_to_insured: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckResult<'p> {
    pub lines: Vec<LineResult<'p>>,
    /// The refused lines' amounts; none of it may be passed on to the insured person (五(二)).
    pub refused_amount: Decimal,
    pub lines_checked: usize,
    pub lines_refused: usize,
    /// 五(二): the text a settlement front end shows beside the refused amount.
    pub not_to_insured: NotToInsured<'p>,
}

/// 五(二) 医保基金不予支付…并不得转嫁于参保人员, as the pack words it.
#[derive(Debug, Clone, Serialize)]
pub struct NotToInsured<'p> {
    pub article: &'p str,
    pub zh: &'p str,
    pub en: &'p str,
}

/// The article an answer cites, by what decided it; the pack's `payment` rule names each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cites {
    /// 五(二): paid, paid as emergency or rescue, or refused for a personal sanction.
    Payment,
    /// 三(四): the institution's own agreement.
    Institution,
    /// 三(一): no registration in force.
    Unregistered,
}

/// A line's answer before the article it cites is looked up in the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub payable: bool,
    pub reason: &'static str,
    pub status: &'static str,
    pub cites: Cites,
}

impl Decision {
    pub fn citing(self, rule: &PaymentRule) -> LineResult<'_> {
        let article = match self.cites {
            Cites::Payment => &rule.article,
            Cites::Institution => &rule.institution_article,
            Cites::Unregistered => &rule.unregistered_article,
        };
        LineResult {
            payable: self.payable,
            reason: self.reason,
            status: self.status,
            article,
            // 五(二): never the insured person's to pay. For a practitioner not registered there
            // (三(一)) the notice is silent; the refusal is the institution's all the same.
            not_to_insured: !self.payable,
        }
    }
}

/// 五(二): suspended or terminated → not paid, except emergency and rescue (急诊、抢救).
pub fn decide(status: Option<SiteStatus>, emergency: bool) -> Decision {
    let Some(status) = status else {
        return Decision {
            payable: false,
            reason: "not_registered",
            status: "unregistered",
            cites: Cites::Unregistered,
        };
    };
    if status.payable() {
        return Decision { payable: true, reason: "active", status: status.as_str(), cites: Cites::Payment };
    }
    if status == SiteStatus::Unregistered {
        return Decision {
            payable: false,
            reason: "not_registered",
            status: status.as_str(),
            cites: Cites::Unregistered,
        };
    }
    let cites = match status {
        SiteStatus::InstitutionSuspended | SiteStatus::InstitutionTerminated | SiteStatus::InstitutionExpired => {
            Cites::Institution
        }
        _ => Cites::Payment,
    };
    if emergency {
        return Decision {
            payable: true,
            reason: "emergency_exception",
            status: status.as_str(),
            cites: Cites::Payment,
        };
    }
    Decision { payable: false, reason: status.as_str(), status: status.as_str(), cites }
}

/// An amount in yuan, from a decimal string or a JSON number, as exact fen.
pub fn amount_of(field: &str, v: &Option<serde_json::Value>) -> Result<Fen> {
    match v {
        None | Some(serde_json::Value::Null) => Ok(Fen(0)),
        Some(serde_json::Value::String(s)) => Fen::parse_yuan(field, s),
        Some(serde_json::Value::Number(n)) => Fen::parse_yuan(field, &n.to_string()),
        Some(_) => {
            Err(Error::invalid("invalid_amount", field, "amount is a decimal string", "金额应为十进制数字字符串"))
        }
    }
}

impl App {
    pub fn check_one(&self, line: &ClaimLine, k: usize) -> Result<(LineResult<'_>, Fen)> {
        let date = parse_date(&format!("lines[{k}].service_date"), &line.service_date)?;
        let amount = amount_of(&format!("lines[{k}].amount"), &line.amount)?;
        let code = line.personnel_code.trim();
        let inst = line.institution_code.trim();
        let status = self.index.site_status(code, inst, date);
        // A service before the first pack is screened on registrations and institution
        // agreements alone, citing the first pack's articles.
        let rule = &self.packs.in_force_or_first(date)?.payment;
        // 急诊、抢救 are paid during a sanction only where the pack says so (issue 17).
        Ok((decide(status, line.emergency && rule.emergency_exception).citing(rule), amount))
    }

    /// Screens a batch; a malformed line refuses the whole request with its row.
    pub fn check_claims(&self, caller: &Caller, lines: &[ClaimLine]) -> Result<CheckResult<'_>> {
        let mut screening = Screening::new(self, caller)?;
        for line in lines {
            screening.push(line)?;
        }
        Ok(screening.finish())
    }
}

/// A batch screened line by line as it is read, so a 100 000-line request never holds its
/// lines, only the small answers.
pub struct Screening<'a> {
    app: &'a App,
    lines: Vec<LineResult<'a>>,
    refused: Fen,
    lines_refused: usize,
    /// The payment rule of the first refused line (the newest pack's until one is refused).
    rule: &'a PaymentRule,
}

impl<'a> Screening<'a> {
    /// A screening for a caller who may check claims (settlement, agency, admin).
    pub fn new(app: &'a App, caller: &Caller) -> Result<Self> {
        caller.permit(Action::CheckEligibility)?;
        Ok(Screening { app, lines: Vec::new(), refused: Fen(0), lines_refused: 0, rule: &app.packs.latest().payment })
    }

    pub fn push(&mut self, line: &ClaimLine) -> Result<()> {
        let k = self.lines.len();
        let (r, amount) = self.app.check_one(line, k).map_err(|e| match e {
            Error::Client(c) => Error::Client(c.row(k as u64)),
            other => other,
        })?;
        if !r.payable {
            if self.lines_refused == 0 {
                let date = parse_date("service_date", &line.service_date)?;
                self.rule = &self.app.packs.in_force_or_first(date)?.payment;
            }
            self.lines_refused += 1;
            self.refused = self.refused.checked_add(amount).ok_or_else(|| {
                Error::invalid("invalid_amount", "amount", "the refused amount overflows", "拒付金额溢出")
            })?;
        }
        self.lines.push(r);
        Ok(())
    }

    pub fn finish(self) -> CheckResult<'a> {
        CheckResult {
            lines_checked: self.lines.len(),
            lines: self.lines,
            refused_amount: self.refused.to_decimal(),
            lines_refused: self.lines_refused,
            not_to_insured: NotToInsured {
                article: &self.rule.article,
                zh: &self.rule.not_to_insured,
                en: &self.rule.not_to_insured_en,
            },
        }
    }
}
