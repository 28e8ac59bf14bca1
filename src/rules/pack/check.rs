//! Validation of one pack: every problem, each with the line of the file it is on (`jifen
//! pack check`), never only the first. A pack with a problem is never loaded.

use std::fmt;

use super::{PolicyPack, SanctionKind};

/// One problem of a pack file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line of the file, when the problem is on one.
    pub line: Option<usize>,
    /// Where in the pack: `items[3] (code "1.4")`, `bands[1] (min 6)`, `ban`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(l) = self.line {
            write!(f, "line {l}: ")?;
        }
        // "items[2] (code \"1.3\") has no article", "bands[1] (min 6): max below min"
        let verb = ["is ", "has ", "appears ", "tiers "].iter().any(|v| self.message.starts_with(v));
        write!(f, "{}{}{}", self.path, if verb { " " } else { ": " }, self.message)
    }
}

/// Parses and checks a pack's text: the pack when it parses, and every problem found.
pub fn check(text: &str) -> (Option<PolicyPack>, Vec<Problem>) {
    let pack: PolicyPack = match toml::from_str(text) {
        Ok(p) => p,
        Err(e) => {
            let line = e.span().map(|s| line_of_offset(text, s.start));
            let message = e.message().trim().to_string();
            return (None, vec![Problem { line, path: "file".into(), message }]);
        }
    };
    let problems = Checker { pack: &pack, at: Locator::new(text), out: Vec::new() }.run();
    (Some(pack), problems)
}

fn line_of_offset(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line of a table entry or key, by scanning the headers (`[ban]`, `[[items]]`,
/// `[items.tiers]`) — the packs are plain TOML, one key a line.
struct Locator {
    /// (line, table, index within an array of tables, key on the line)
    lines: Vec<(usize, String, usize, Option<String>)>,
}

impl Locator {
    fn new(text: &str) -> Self {
        let mut lines = Vec::new();
        let (mut table, mut idx) = (String::new(), 0usize);
        let mut counts = std::collections::HashMap::<String, usize>::new();
        for (n, raw) in text.lines().enumerate() {
            let l = raw.trim();
            if let Some(name) = l.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
                let c = counts.entry(name.trim().to_string()).or_insert(0);
                (table, idx) = (name.trim().to_string(), *c);
                *c += 1;
                lines.push((n + 1, table.clone(), idx, None));
            } else if let Some(name) = l.strip_prefix('[').and_then(|r| r.split(']').next()) {
                let name = name.trim();
                // `[items.tiers]` continues the last `[[items]]`.
                match name.split_once('.') {
                    Some((parent, _)) if counts.contains_key(parent) => {
                        table = parent.to_string();
                        idx = counts[parent] - 1;
                    }
                    _ => (table, idx) = (name.to_string(), 0),
                }
                lines.push((n + 1, table.clone(), idx, None));
            } else if let Some((key, _)) = l.split_once('=').filter(|_| !l.starts_with('#')) {
                lines.push((n + 1, table.clone(), idx, Some(key.trim().trim_matches('"').to_string())));
            }
        }
        Locator { lines }
    }

    /// The line of `key` in `table[idx]`, else of the table's header.
    fn find(&self, table: &str, idx: usize, key: Option<&str>) -> Option<usize> {
        let mut rows = self.lines.iter().filter(|(_, t, i, _)| t == table && *i == idx);
        let header = rows.clone().next().map(|r| r.0);
        key.and_then(|k| rows.find(|r| r.3.as_deref() == Some(k)).map(|r| r.0)).or(header)
    }
}

struct Checker<'a> {
    pack: &'a PolicyPack,
    at: Locator,
    out: Vec<Problem>,
}

impl Checker<'_> {
    fn add(&mut self, table: &str, idx: usize, key: Option<&str>, path: String, message: String) {
        let line = self.at.find(table, idx, key);
        self.out.push(Problem { line, path, message });
    }

    fn run(mut self) -> Vec<Problem> {
        let p = self.pack;
        let cap = p.cycle.initial_points;
        if p.id.trim().is_empty() || p.jurisdiction.trim().is_empty() {
            self.add("", 0, Some("id"), "id".into(), "id and jurisdiction must not be empty".into());
        }
        if p.items.is_empty() {
            self.add("", 0, None, "items".into(), "no catalogue items".into());
        }
        for (i, item) in p.items.iter().enumerate() {
            let path = format!("items[{i}] (code {:?})", item.code);
            if item.article.trim().is_empty() {
                self.add(
                    "items",
                    i,
                    Some("article"),
                    path.clone(),
                    "has no article (every item cites its reference)".into(),
                );
            }
            let (lo, hi) = item.range();
            if item.points == 0 || item.points > cap {
                self.add("items", i, Some("points"), path.clone(), format!("points must be 1..={cap}"));
            }
            if item.points_max.is_some_and(|m| m < item.points) {
                self.add("items", i, Some("points_max"), path.clone(), "points_max below points".into());
            } else if hi > cap {
                self.add(
                    "items",
                    i,
                    Some("points_max"),
                    path.clone(),
                    format!("points_max {hi} is more than the cycle's {cap}"),
                );
            }
            if p.items[..i].iter().any(|o| o.code == item.code) {
                self.add("items", i, Some("code"), path.clone(), "appears twice".into());
            }
            if item.simulation_default.is_some_and(|d| !(lo..=hi).contains(&d)) {
                self.add(
                    "items",
                    i,
                    Some("simulation_default"),
                    path.clone(),
                    format!("simulation_default outside {lo}..={hi}"),
                );
            }
            for (tier, [a, b]) in &item.tiers {
                if a > b || *a < lo || *b > hi {
                    let m = format!("tier {} {a}..={b} is not within the item's {lo}..={hi}", tier.zh());
                    self.add("items", i, Some(tier.zh()), path.clone(), m);
                }
            }
            if !item.tiers.is_empty() && !item.is_choice() {
                self.add("items", i, Some("points"), path.clone(), "tiers on an item with fixed points".into());
            }
        }
        self.bands();
        self.other_sections();
        self.out
    }

    fn bands(&mut self) {
        let p = self.pack;
        let cap = p.cycle.initial_points;
        if p.bands.is_empty() {
            self.add("", 0, None, "bands".into(), "no bands".into());
        }
        for (i, band) in p.bands.iter().enumerate() {
            let path = format!("bands[{i}] (min {})", band.min);
            if band.article.trim().is_empty() {
                self.add("bands", i, Some("article"), path.clone(), "has no article".into());
            }
            if band.min == 0 {
                self.add("bands", i, Some("min"), path.clone(), "min must be at least 1".into());
            }
            let last = i + 1 == p.bands.len();
            match (band.max, last) {
                (None, false) => {
                    self.add("bands", i, None, path.clone(), "only the last band may be open-ended".into())
                }
                (Some(_), true) => {
                    self.add("bands", i, Some("max"), path.clone(), "the last band must have no max".into())
                }
                (Some(max), false) if max < band.min => {
                    self.add("bands", i, Some("max"), path.clone(), "max below min".into())
                }
                _ => {}
            }
            if let Some(next) = p.bands.get(i + 1) {
                let max = band.max.unwrap_or(u32::MAX);
                if next.min != max.saturating_add(1) {
                    let m = format!("gap or overlap after max {max} (the next band starts at {})", next.min);
                    self.add("bands", i + 1, Some("min"), format!("bands[{}] (min {})", i + 1, next.min), m);
                }
            }
            match (band.sanction, band.months_range()) {
                (SanctionKind::Suspension, None) => {
                    self.add("bands", i, None, path.clone(), "a suspension band needs months".into())
                }
                (SanctionKind::Suspension, Some((lo, hi))) => {
                    if band.months_max.is_some_and(|m| m < lo) {
                        self.add("bands", i, Some("months_max"), path.clone(), "months_max below months".into());
                    }
                    if band.simulation_default.is_some_and(|d| !(lo..=hi).contains(&d)) {
                        let m = format!("simulation_default outside {lo}..={hi}");
                        self.add("bands", i, Some("simulation_default"), path.clone(), m);
                    }
                }
                (_, Some(_)) => {
                    self.add("bands", i, Some("months"), path.clone(), "months on a band that suspends nothing".into())
                }
                _ => {}
            }
            if band.sanction != SanctionKind::Interview && (band.held_by.is_some() || band.close_supervision) {
                self.add(
                    "bands",
                    i,
                    Some("held_by"),
                    path.clone(),
                    "held_by and close_supervision are for interviews".into(),
                );
            }
            if band.min > cap {
                let m = format!("starts at {} above the cycle's {cap} points: the bands cannot be reached", band.min);
                self.add("bands", i, Some("min"), path.clone(), m);
            }
        }
        if p.bands.last().is_some_and(|b| b.sanction != SanctionKind::Termination) {
            self.add(
                "bands",
                p.bands.len() - 1,
                Some("sanction"),
                "bands".into(),
                "the last band must terminate".into(),
            );
        }
    }

    fn other_sections(&mut self) {
        let p = self.pack;
        if p.effective_until.is_some_and(|u| u <= p.effective_from) {
            self.add("", 0, Some("effective_until"), "effective_until".into(), "is not after effective_from".into());
        }
        if p.ban.max_months < p.ban.months {
            self.add("ban", 0, Some("max_months"), "ban".into(), "max_months below months".into());
        }
        for (i, b) in p.ban_by_cause.iter().enumerate() {
            let path = format!("ban_by_cause[{i}] ({})", b.cause.as_str());
            if b.years == 0 || b.years_max.is_some_and(|m| m < b.years) {
                self.add(
                    "ban_by_cause",
                    i,
                    Some("years"),
                    path.clone(),
                    "years must be at least 1 and years_max not below it".into(),
                );
            }
            if p.ban_by_cause[..i].iter().any(|o| o.cause == b.cause) {
                self.add("ban_by_cause", i, Some("cause"), path.clone(), "cause appears twice".into());
            }
            if b.article.trim().is_empty() {
                self.add("ban_by_cause", i, Some("article"), path, "has no article".into());
            }
        }
        if let Some(r) = &p.repair {
            if r.credit == 0 || r.cap_per_cycle < r.credit {
                self.add(
                    "repair",
                    0,
                    Some("credit"),
                    "repair".into(),
                    "credit must be at least 1 and cap_per_cycle not below it".into(),
                );
            }
            if r.activities.is_empty() {
                self.add("repair", 0, Some("activities"), "repair".into(), "no qualifying activities".into());
            }
        }
        if let Some(t) = &p.trial {
            if t.years == 0 {
                self.add("trial", 0, Some("years"), "trial".into(), "years must be at least 1".into());
            }
            if t.conduct_from.is_some_and(|c| c > p.effective_from) {
                self.add(
                    "trial",
                    0,
                    Some("conduct_from"),
                    "trial".into(),
                    "conduct_from is after effective_from".into(),
                );
            }
        }
        if p.objection.working_days == 0 {
            self.add(
                "objection",
                0,
                Some("working_days"),
                "objection".into(),
                "working_days must be at least 1".into(),
            );
        }
        if p.cascade.as_ref().is_some_and(|c| c.percent == 0 || c.percent > 100) {
            self.add("cascade", 0, Some("percent"), "cascade".into(), "percent must be 1..=100".into());
        }
        let texts = [
            ("", "issuer", &p.issuer),
            ("", "effective_article", &p.effective_article),
            ("", "effective_text", &p.effective_text),
            ("objection", "article", &p.objection.article),
            ("objection", "agency", &p.objection.agency),
            ("objection", "department", &p.objection.department),
            ("payment", "article", &p.payment.article),
            ("payment", "institution_article", &p.payment.institution_article),
            ("payment", "unregistered_article", &p.payment.unregistered_article),
            ("payment", "not_to_insured", &p.payment.not_to_insured),
            ("payment", "not_to_insured_en", &p.payment.not_to_insured_en),
            ("notice", "title", &p.notice.title),
            ("notice", "deduction_article", &p.notice.deduction_article),
            ("notice", "number_prefix", &p.notice.number_prefix),
            ("ban", "article", &p.ban.article),
            ("cycle", "article", &p.cycle.article),
        ];
        for (table, key, v) in texts {
            if v.trim().is_empty() {
                let name = if table.is_empty() { key.to_string() } else { format!("{table}.{key}") };
                self.add(table, 0, Some(key), name, "is empty".into());
            }
        }
    }
}
