//! Policy packs: the catalogue, bands, durations and thresholds of one notice, as data
//! (`data/packs/*.toml`). The engine reads the pack in force on the date it evaluates.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::RuleError;

/// Which date of a fact is before the notice came into force (七).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dated {
    /// A deduction's decision date (`decided_on`).
    Decision,
    /// The date of the conduct (`occurred_on`, or the inspection's date when not given).
    Conduct,
    /// A training test's date (三(三)).
    Test,
}

impl Dated {
    pub fn field(self) -> &'static str {
        match self {
            Dated::Decision => "decided_on",
            Dated::Conduct => "occurred_on",
            Dated::Test => "tested_on",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Dated::Decision => "a deduction decided on",
            Dated::Conduct => "conduct on",
            Dated::Test => "a training test on",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Dated::Decision => "处理决定日期",
            Dated::Conduct => "违规行为发生日期",
            Dated::Test => "测试日期",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SanctionKind {
    Interview,
    Suspension,
    Termination,
}

impl SanctionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SanctionKind::Interview => "interview",
            SanctionKind::Suspension => "suspension",
            SanctionKind::Termination => "termination",
        }
    }
}

/// One catalogue line (四): `points` fixed, or a range up to `points_max` chosen by the officer.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub code: String,
    pub points: u32,
    pub points_max: Option<u32>,
    pub article: String,
    pub text: String,
}

/// One band of 五(一): the sanction when the cycle total first enters `min..=max`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub min: u32,
    pub max: Option<u32>,
    pub sanction: SanctionKind,
    pub months: Option<u32>,
    pub months_max: Option<u32>,
    pub article: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CycleRule {
    pub initial_points: u32,
    pub article: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConsecutiveRule {
    pub min_total: u32,
    pub previous_cycles: u32,
    pub article: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BanRule {
    pub months: u32,
    pub max_months: u32,
    pub article: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingTestRule {
    pub open_book_from_age: i32,
    pub fail_ban_months: u32,
    pub article: String,
    pub text: String,
    /// The pass mark until the agency sets the year's own.
    #[serde(default = "default_pass_mark")]
    pub default_pass_mark: u32,
}

fn default_pass_mark() -> u32 {
    60
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementRule {
    pub term_months: u32,
    pub article: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CascadeRule {
    pub percent: u32,
    pub article: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WatchListRule {
    pub single_points: u32,
    pub deduction_count: u32,
    pub article: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionRule {
    pub working_days: u32,
    pub article: String,
    /// Who decides an objection first (六(一): 属地医保经办机构).
    pub agency: String,
    /// To whom a rejected objection is taken (六(一): 属地医保行政部门).
    pub department: String,
}

/// Claims screening (五(二)): the article each answer cites.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentRule {
    /// Paid; paid as emergency or rescue; refused for a personal suspension, termination or ban.
    pub article: String,
    /// Refused because the institution's own agreement is suspended, terminated or expired.
    pub institution_article: String,
    /// Refused: no registration in force at that institution that day.
    pub unregistered_article: String,
    /// 五(二) 并不得转嫁于参保人员: what every screening answer says of the refused amount.
    pub not_to_insured: String,
    pub not_to_insured_en: String,
}

/// The printable written notice (六(一)); its letterhead and signature are the pack's `issuer`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeRule {
    /// The name of the notice itself, cited (in 《》) as the ground of a deduction.
    pub title: String,
    /// The part of the notice deductions are counted under, as the printed notice cites it.
    pub deduction_article: String,
    /// The issuer's prefix of a written notice's number (`{prefix}〔year〕第n号`).
    pub number_prefix: String,
}

/// Institution agreements (聊城, 吉林): how long suspensions may last, when they lead to termination.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InstitutionAgreementRule {
    /// What happens at the end of a term with no renewal decided (聊城 第十九条 extend; 吉林
    /// 第三十九条 end).
    pub on_expiry: super::institution::OnExpiry,
    pub on_expiry_article: String,
    /// What ends a suspension that ran its course (聊城 第二十九条 continue; 吉林 第四十六条 inspect).
    pub after_suspension: super::institution::AfterSuspension,
    pub after_suspension_article: String,
    /// `GET /agreements/ending`: agreements whose term ends within this many days.
    pub ending_soon_days: u32,
    pub voluntary_suspension_max_days: u32,
    pub voluntary_article: String,
    pub violation_suspension_max_months: u32,
    pub violation_article: String,
    pub suspensions_before_termination: u32,
    pub termination_article: String,
    pub public_request_article: String,
    /// A suspension, termination or non-renewal the institution asks for takes effect no
    /// earlier than this many months after it asked.
    pub request_notice_months: u32,
    pub request_notice_article: String,
    /// 吉林 第四十九条: a decision names the notice of intent it follows.
    pub statement_required: bool,
    /// Calendar days the institution has to state its case, the day of the notice not counted.
    pub statement_days: u32,
    pub statement_article: String,
    /// 因违法违规被解除协议: years before a new application.
    pub reapply_bar_years: u32,
    pub reapply_article: String,
    /// 因严重违反医保协议约定而被解除协议: years.
    pub breach_bar_years: u32,
    pub breach_article: String,
    /// 以弄虚作假等不正当手段申请定点: years from discovery.
    pub fraud_bar_years: u32,
    pub fraud_article: String,
    pub legal_representative_bar_years: u32,
    pub legal_representative_article: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyPack {
    pub id: String,
    pub name: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub effective_from: NaiveDate,
    /// The article that puts the notice in force (七: 本通知自印发之日起施行), cited when a fact
    /// dated before `effective_from` is refused.
    pub effective_article: String,
    pub effective_text: String,
    /// First day no longer in force.
    pub effective_until: Option<NaiveDate>,
    pub cycle: CycleRule,
    pub items: Vec<Item>,
    pub bands: Vec<Band>,
    pub consecutive: ConsecutiveRule,
    pub ban: BanRule,
    pub training_test: TrainingTestRule,
    pub agreement: AgreementRule,
    pub cascade: CascadeRule,
    pub watch_list: WatchListRule,
    pub objection: ObjectionRule,
    pub payment: PaymentRule,
    pub notice: NoticeRule,
    pub institution_agreement: InstitutionAgreementRule,
}

impl PolicyPack {
    /// Parses and validates one pack; `source` names the file in errors.
    pub fn from_toml(source: &str, text: &str) -> Result<Self, RuleError> {
        let pack: PolicyPack =
            toml::from_str(text).map_err(|e| RuleError::Pack(format!("{source}: {}", e.to_string().trim())))?;
        pack.validate(source)?;
        Ok(pack)
    }

    fn validate(&self, source: &str) -> Result<(), RuleError> {
        let err = |m: String| Err(RuleError::Pack(format!("{source}: {m}")));
        if self.items.is_empty() {
            return err("no catalogue items".into());
        }
        for (i, item) in self.items.iter().enumerate() {
            let line = format!("items[{i}] (code {:?})", item.code);
            if item.article.trim().is_empty() {
                return err(format!("{line} has no article"));
            }
            if item.points == 0 || item.points > self.cycle.initial_points {
                return err(format!("{line}: points must be 1..={}", self.cycle.initial_points));
            }
            if item.points_max.is_some_and(|m| m < item.points) {
                return err(format!("{line}: points_max below points"));
            }
            if self.items[..i].iter().any(|o| o.code == item.code) {
                return err(format!("{line} appears twice"));
            }
        }
        if self.bands.is_empty() {
            return err("no bands".into());
        }
        for (i, band) in self.bands.iter().enumerate() {
            let line = format!("bands[{i}] (min {})", band.min);
            if band.article.trim().is_empty() {
                return err(format!("{line} has no article"));
            }
            let last = i + 1 == self.bands.len();
            match (band.max, last) {
                (None, false) => return err(format!("{line}: only the last band may be open-ended")),
                (Some(_), true) => return err(format!("{line}: the last band must have no max")),
                (Some(max), false) if max < band.min => return err(format!("{line}: max below min")),
                _ => {}
            }
            if let Some(next) = self.bands.get(i + 1) {
                let max = band.max.unwrap_or(u32::MAX);
                if next.min != max.saturating_add(1) {
                    return err(format!("bands[{}] (min {}): gap or overlap after max {max}", i + 1, next.min));
                }
            }
            if band.sanction == SanctionKind::Suspension && band.months.is_none() {
                return err(format!("{line}: a suspension band needs months"));
            }
        }
        if self.bands.last().is_some_and(|b| b.min > self.cycle.initial_points) {
            return err("the last band starts above the cycle's points".into());
        }
        if self.effective_until.is_some_and(|u| u <= self.effective_from) {
            return err("effective_until is not after effective_from".into());
        }
        if self.ban.max_months < self.ban.months {
            return err("ban.max_months below ban.months".into());
        }
        if self.objection.working_days == 0 {
            return err("objection.working_days must be at least 1".into());
        }
        let texts = [
            ("issuer", &self.issuer),
            ("effective_article", &self.effective_article),
            ("effective_text", &self.effective_text),
            ("objection.article", &self.objection.article),
            ("objection.agency", &self.objection.agency),
            ("objection.department", &self.objection.department),
            ("payment.article", &self.payment.article),
            ("payment.institution_article", &self.payment.institution_article),
            ("payment.unregistered_article", &self.payment.unregistered_article),
            ("payment.not_to_insured", &self.payment.not_to_insured),
            ("payment.not_to_insured_en", &self.payment.not_to_insured_en),
            ("notice.title", &self.notice.title),
            ("notice.deduction_article", &self.notice.deduction_article),
            ("notice.number_prefix", &self.notice.number_prefix),
        ];
        if let Some((name, _)) = texts.iter().find(|(_, v)| v.trim().is_empty()) {
            return err(format!("{name} is empty"));
        }
        Ok(())
    }

    pub fn item(&self, code: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.code == code)
    }

    /// The highest band whose `min` the total reaches.
    pub fn band_for(&self, total: u32) -> Option<(usize, &Band)> {
        self.bands.iter().enumerate().rev().find(|(_, b)| total >= b.min)
    }

    pub fn in_force_on(&self, d: NaiveDate) -> bool {
        d >= self.effective_from && self.effective_until.is_none_or(|u| d < u)
    }
}

/// The packs of one jurisdiction, ordered by date, none overlapping. Today there is one
/// jurisdiction (济宁, pooling region 3708) and one set; when other cities come, the service
/// will hold one `PackSet` per jurisdiction, chosen by the institution's pooling region, and
/// this type stays as it is. A date no pack covers is [`RuleError::NoPolicy`], never another
/// pack's rules.
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
        for w in packs.windows(2) {
            let overlaps = w[0].effective_until.is_none_or(|u| u > w[1].effective_from);
            if overlaps {
                return Err(RuleError::Pack(format!(
                    "packs {} and {} overlap: {} is in force on {}",
                    w[0].id, w[1].id, w[0].id, w[1].effective_from
                )));
            }
        }
        Ok(PackSet { packs })
    }

    /// The packs compiled into the binary from `data/packs/`.
    pub fn embedded() -> Result<Self, RuleError> {
        let packs = super::EMBEDDED_PACKS
            .iter()
            .map(|(name, text)| PolicyPack::from_toml(name, text))
            .collect::<Result<Vec<_>, _>>()?;
        PackSet::new(packs)
    }

    /// Loads every `*.toml` in a directory (for `JIFEN_PACKS_DIR`).
    pub fn from_texts(files: &[(String, String)]) -> Result<Self, RuleError> {
        let packs =
            files.iter().map(|(name, text)| PolicyPack::from_toml(name, text)).collect::<Result<Vec<_>, _>>()?;
        PackSet::new(packs)
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

    /// The points a violation citing `items` costs under the pack in force on `decided_on`:
    /// the highest item, once (四, preamble). `chosen` is the officer's pick for range items.
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
            let points = match (item.points_max, chosen) {
                (Some(max), Some(c)) if (item.points..=max).contains(&c) => c,
                (Some(max), Some(c)) => return Err(RuleError::PointsOutOfRange(code.clone(), c, item.points, max)),
                _ => item.points,
            };
            if best.is_none_or(|(p, _)| points > p) {
                best = Some((points, item));
            }
        }
        best.ok_or(RuleError::NoItems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jining() -> String {
        include_str!("../../data/packs/jining-2024.toml").to_string()
    }

    #[test]
    fn the_embedded_pack_loads_with_23_items() {
        let set = PackSet::embedded().unwrap();
        let pack = set.in_force(NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()).unwrap();
        assert_eq!(pack.items.len(), 23);
        assert!(set.in_force(NaiveDate::from_ymd_opt(2023, 12, 31).unwrap()).is_err());
    }

    /// 七: 本通知自印发之日起施行 — in force from 2024-03-29, never before.
    #[test]
    fn qi_in_force_from_the_day_of_issue_not_retroactively() {
        let set = PackSet::embedded().unwrap();
        let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
        assert_eq!(set.first_effective(), d(3, 29));
        for what in [Dated::Decision, Dated::Conduct, Dated::Test] {
            match set.scoring(what, d(3, 28)) {
                Err(RuleError::NotRetroactive { what: w, date, effective_from, article, .. }) => {
                    assert_eq!((w, date, effective_from, article.as_str()), (what, d(3, 28), d(3, 29), "七"));
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(set.scoring(what, d(3, 29)).unwrap().id, "jining-2024");
        }
        // 2024 is still a full cycle of 12 points.
        assert_eq!(set.scoring(Dated::Decision, d(3, 29)).unwrap().cycle.initial_points, 12);
    }

    #[test]
    fn an_item_without_article_is_refused_by_name() {
        let text = jining().replacen("article = \"四(一)3\"", "article = \"\"", 1);
        let e = PolicyPack::from_toml("x.toml", &text).unwrap_err().to_string();
        assert!(e.contains("x.toml") && e.contains("\"1.3\"") && e.contains("no article"), "{e}");
    }

    #[test]
    fn a_band_gap_is_refused() {
        let text = jining().replacen("min = 9\n", "min = 10\n", 1);
        let e = PolicyPack::from_toml("x.toml", &text).unwrap_err().to_string();
        assert!(e.contains("gap or overlap"), "{e}");
    }

    #[test]
    fn overlapping_packs_are_refused() {
        let a = PolicyPack::from_toml("a", &jining()).unwrap();
        let mut b = a.clone();
        b.id = "later".into();
        b.effective_from = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        assert!(PackSet::new(vec![a.clone(), b.clone()]).is_err());
        let mut a2 = a;
        a2.effective_until = Some(b.effective_from);
        let set = PackSet::new(vec![b, a2]).unwrap();
        assert_eq!(set.in_force(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap()).unwrap().id, "jining-2024");
        assert_eq!(set.in_force(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()).unwrap().id, "later");
    }

    /// Catala's date-coverage idea: every day from the first pack on has exactly one pack.
    #[test]
    fn every_day_from_2024_to_2030_has_one_pack() {
        let set = PackSet::embedded().unwrap();
        let mut d = set.first_effective();
        while d < NaiveDate::from_ymd_opt(2031, 1, 1).unwrap() {
            let n = set.packs().iter().filter(|p| p.in_force_on(d)).count();
            assert_eq!(n, 1, "{d}");
            d = d.succ_opt().unwrap();
        }
    }

    #[test]
    fn before_the_first_pack_only_in_force_or_first_answers() {
        let a = PolicyPack::from_toml("a", &jining()).unwrap();
        let mut a2 = a.clone();
        a2.effective_until = NaiveDate::from_ymd_opt(2026, 1, 1);
        let set = PackSet::new(vec![a2]).unwrap();
        let before = NaiveDate::from_ymd_opt(2023, 6, 1).unwrap();
        let after = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert!(matches!(set.in_force(before), Err(RuleError::NoPolicy(_))));
        assert_eq!(set.in_force_or_first(before).unwrap().id, "jining-2024");
        assert_eq!(set.in_force_or_first(NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()).unwrap().id, "jining-2024");
        assert!(matches!(set.in_force_or_first(after), Err(RuleError::NoPolicy(_))));
    }

    #[test]
    fn an_empty_citation_is_refused_by_name() {
        let text = jining().replacen("institution_article = \"三(四)\"", "institution_article = \" \"", 1);
        let e = PolicyPack::from_toml("x.toml", &text).unwrap_err().to_string();
        assert!(e.contains("x.toml") && e.contains("payment.institution_article is empty"), "{e}");
    }

    #[test]
    fn points_are_the_highest_item_once() {
        let set = PackSet::embedded().unwrap();
        let d = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        let items = vec!["1.2".to_string(), "3.2".to_string(), "1.1".to_string()];
        let (p, item) = set.points_for(d, &items, None).unwrap();
        assert_eq!((p, item.article.as_str()), (3, "四(二)2"));
        assert!(matches!(set.points_for(d, &["9.9".into()], None), Err(RuleError::UnknownItem(..))));
        assert!(matches!(set.points_for(d, &[], None), Err(RuleError::NoItems)));
    }
}
