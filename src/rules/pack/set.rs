//! The packs of one jurisdiction in date order ([`PackSet`]) and every jurisdiction's packs
//! ([`PackLibrary`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{Dated, Item, PolicyPack};
use crate::rules::RuleError;

/// The jurisdiction of a deployment that never chose one: the 济宁 notice.
pub const DEFAULT_JURISDICTION: &str = "jining";

/// The packs of one jurisdiction, ordered by date, following each other with no gap and no
/// overlap. A deployment runs one jurisdiction (the `jurisdiction` setting); a date no pack
/// covers is [`RuleError::NoPolicy`], never another pack's rules.
#[derive(Debug, Clone)]
pub struct PackSet {
    packs: Vec<PolicyPack>,
}

impl PackSet {
    pub fn new(mut packs: Vec<PolicyPack>) -> Result<Self, RuleError> {
        if packs.is_empty() {
            return Err(RuleError::Pack("no policy pack".into()));
        }
        packs.sort_by_key(|p| p.effective_from);
        if let Some(other) = packs.iter().find(|p| p.jurisdiction != packs[0].jurisdiction) {
            return Err(RuleError::Pack(format!(
                "packs {} ({}) and {} ({}) belong to different jurisdictions",
                packs[0].id, packs[0].jurisdiction, other.id, other.jurisdiction
            )));
        }
        if let Some(problem) = sequence_problems(&packs).into_iter().next() {
            return Err(RuleError::Pack(problem));
        }
        Ok(PackSet { packs })
    }

    /// The 济宁 packs compiled into the binary (the default jurisdiction).
    pub fn embedded() -> Result<Self, RuleError> {
        PackLibrary::embedded()?.set(DEFAULT_JURISDICTION).cloned()
    }

    /// Loads packs of one jurisdiction from (file name, text) pairs.
    pub fn from_texts(files: &[(String, String)]) -> Result<Self, RuleError> {
        let packs =
            files.iter().map(|(name, text)| PolicyPack::from_toml(name, text)).collect::<Result<Vec<_>, _>>()?;
        PackSet::new(packs)
    }

    /// The jurisdiction of every pack of the set.
    pub fn jurisdiction(&self) -> &str {
        &self.packs[0].jurisdiction
    }

    pub fn in_force(&self, d: NaiveDate) -> Result<&PolicyPack, RuleError> {
        self.packs.iter().find(|p| p.in_force_on(d)).ok_or(RuleError::NoPolicy(d))
    }

    /// 七: the pack a fact dated `d` is scored under. A date before the first pack took effect is
    /// [`RuleError::NotRetroactive`] (本通知自印发之日起施行: no retroactive scoring), never
    /// the first pack's rules; a later gap between packs is [`RuleError::NoPolicy`].
    pub fn scoring(&self, what: Dated, d: NaiveDate) -> Result<&PolicyPack, RuleError> {
        let first = &self.packs[0];
        if d < first.effective_from {
            return Err(RuleError::NotRetroactive {
                what,
                date: d,
                effective_from: first.effective_from,
                article: first.effective_article.clone(),
                text: first.effective_text.clone(),
            });
        }
        self.in_force(d)
    }

    /// The first day any pack is in force (七).
    pub fn first_effective(&self) -> NaiveDate {
        self.packs[0].effective_from
    }

    /// The pack in force on `d`, or the first pack when `d` is before it took effect. Only for
    /// the few answers about days before any notice, where no deduction can have been counted:
    /// the articles a claims screening cites, the letterhead and objection period of a notice
    /// of an institution action, and the (empty) ledger of a cycle before the first pack.
    /// Deductions, sanctions and statuses use [`PackSet::in_force`]. A day after the packs, or
    /// in a gap between two, is [`RuleError::NoPolicy`].
    pub fn in_force_or_first(&self, d: NaiveDate) -> Result<&PolicyPack, RuleError> {
        match self.packs.first() {
            Some(first) if d < first.effective_from => Ok(first),
            _ => self.in_force(d),
        }
    }

    /// The newest pack, for rules that need one outside any date (code listings); not a
    /// stand-in for [`PackSet::in_force`] when a date has no pack.
    pub fn latest(&self) -> &PolicyPack {
        // `new` refuses an empty set.
        &self.packs[self.packs.len() - 1]
    }

    pub fn packs(&self) -> &[PolicyPack] {
        &self.packs
    }

    /// Issue 17: the officer's choice of points is given exactly where the pack makes it one —
    /// required when an item cited is a range, refused when every item is fixed.
    pub fn check_choice(&self, decided_on: NaiveDate, items: &[String], chosen: Option<u32>) -> Result<(), RuleError> {
        let pack = self.in_force(decided_on)?;
        let cited: Vec<&Item> = items.iter().filter_map(|c| pack.item(c)).collect();
        match (cited.iter().find(|i| i.is_choice()), chosen) {
            (Some(i), None) => {
                let (lo, hi) = i.range();
                Err(RuleError::PointsRequired(i.code.clone(), lo, hi))
            }
            (None, Some(_)) => match cited.first() {
                Some(i) => Err(RuleError::PointsFixed(i.code.clone(), i.points)),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    /// The points a violation citing `items` costs under the pack in force on `decided_on`:
    /// the highest item, once (四, preamble). `chosen` is the officer's pick for range items;
    /// without one a range item costs its `simulation_default`.
    pub fn points_for(
        &self,
        decided_on: NaiveDate,
        items: &[String],
        chosen: Option<u32>,
    ) -> Result<(u32, &Item), RuleError> {
        let pack = self.in_force(decided_on)?;
        if items.is_empty() {
            return Err(RuleError::NoItems);
        }
        let mut best: Option<(u32, &Item)> = None;
        for code in items {
            let item = pack.item(code).ok_or_else(|| RuleError::UnknownItem(code.clone(), pack.id.clone()))?;
            let (lo, hi) = item.range();
            let points = match chosen {
                Some(c) if item.is_choice() && (lo..=hi).contains(&c) => c,
                Some(c) if item.is_choice() => return Err(RuleError::PointsOutOfRange(code.clone(), c, lo, hi)),
                // A range item with no recorded choice: the pack's stated default.
                None if item.is_choice() => item.default_points(),
                _ => lo,
            };
            if best.is_none_or(|(p, _)| points > p) {
                best = Some((points, item));
            }
        }
        best.ok_or(RuleError::NoItems)
    }
}

/// Gaps and overlaps between packs of one jurisdiction sorted by `effective_from`: each pack
/// but the last must end (`effective_until`) on the day the next one starts.
pub fn sequence_problems(packs: &[PolicyPack]) -> Vec<String> {
    let mut out = Vec::new();
    for w in packs.windows(2) {
        match w[0].effective_until {
            Some(u) if u == w[1].effective_from => {}
            Some(u) if u < w[1].effective_from => out.push(format!(
                "packs {} and {} leave a gap: no pack of {} is in force from {u} to {} (不得有空档)",
                w[0].id, w[1].id, w[0].jurisdiction, w[1].effective_from
            )),
            _ => out.push(format!(
                "packs {} and {} overlap: {} is in force on {} (不得重叠)",
                w[0].id, w[1].id, w[0].id, w[1].effective_from
            )),
        }
    }
    out
}

/// Every jurisdiction's packs, by jurisdiction id.
#[derive(Debug, Clone)]
pub struct PackLibrary {
    sets: BTreeMap<String, PackSet>,
}

impl PackLibrary {
    pub fn new(packs: Vec<PolicyPack>) -> Result<Self, RuleError> {
        let mut by: BTreeMap<String, Vec<PolicyPack>> = BTreeMap::new();
        for p in packs {
            by.entry(p.jurisdiction.clone()).or_default().push(p);
        }
        let sets = by.into_iter().map(|(j, ps)| Ok((j, PackSet::new(ps)?))).collect::<Result<_, RuleError>>()?;
        Ok(PackLibrary { sets })
    }

    /// Every pack compiled into the binary from `data/packs/`.
    pub fn embedded() -> Result<Self, RuleError> {
        let packs = crate::rules::EMBEDDED_PACKS
            .iter()
            .map(|(name, text)| PolicyPack::from_toml(name, text))
            .collect::<Result<Vec<_>, _>>()?;
        PackLibrary::new(packs)
    }

    pub fn set(&self, jurisdiction: &str) -> Result<&PackSet, RuleError> {
        self.sets.get(jurisdiction).ok_or_else(|| RuleError::UnknownJurisdiction(jurisdiction.to_string()))
    }

    pub fn jurisdictions(&self) -> impl Iterator<Item = &str> {
        self.sets.keys().map(String::as_str)
    }
}
