//! Runs every `tests/scenarios/*.toml` (format in tests/scenarios/README.md) three ways: against
//! the pure engine, through the service layer, and through the HTTP API — on SQLite, and on
//! PostgreSQL when TEST_DATABASE_URL is set. All mismatches of all files are reported at once.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use jifen::rules::{
    self, Dated, DeductionFact, InstitutionEvent, InstitutionFacts, PackSet, PractitionerFacts, RegistrationFact,
    TestFact, TestFormat,
};
use jifen::service::Caller;
use serde::Deserialize;
use serde_json::{json, Value};

// ---------- the file format ----------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    name: String,
    article: String,
    #[allow(dead_code)]
    policy: Option<String>,
    /// The jurisdiction whose packs decide (issue 17); default `jining`.
    jurisdiction: Option<String>,
    #[serde(default)]
    institutions: Vec<Inst>,
    #[serde(default)]
    practitioners: Vec<Person>,
    #[serde(default)]
    deductions: Vec<Ded>,
    #[serde(default)]
    revocations: Vec<Rev>,
    #[serde(default)]
    tests: Vec<Test>,
    #[serde(default)]
    institution_actions: Vec<Action>,
    #[serde(default)]
    expect: Vec<Expect>,
    #[serde(default)]
    expect_sanctions: Vec<ExpectSanctions>,
    #[serde(default)]
    expect_cascade: Vec<ExpectCascade>,
    #[serde(default)]
    expect_watch_list: Vec<ExpectWatch>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Inst {
    id: String,
    #[serde(default = "medical")]
    kind: String,
    #[serde(default = "start")]
    agreement_start: NaiveDate,
    #[serde(default = "end")]
    agreement_end: NaiveDate,
}

fn medical() -> String {
    "medical".into()
}
fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()
}
fn end() -> NaiveDate {
    NaiveDate::from_ymd_opt(2035, 12, 31).unwrap()
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Person {
    id: String,
    #[serde(default = "physician")]
    category: String,
    #[serde(default = "birth")]
    birth_date: NaiveDate,
    #[serde(default)]
    registrations: Vec<Reg>,
    count: Option<usize>,
}

fn closed() -> String {
    "closed".into()
}
fn physician() -> String {
    "physician".into()
}
fn birth() -> NaiveDate {
    NaiveDate::from_ymd_opt(1980, 1, 1).unwrap()
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Reg {
    institution: String,
    on: NaiveDate,
    deregistered_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Ded {
    id: String,
    person: Option<String>,
    inspection: Option<String>,
    institution: Option<String>,
    decided_on: NaiveDate,
    items: Vec<String>,
    ban_years: Option<u32>,
    /// The officer's choice of points for a range item (`violations[].points`).
    points: Option<u32>,
    /// The conduct's date (default: none given; the inspection's date bounds it).
    occurred_on: Option<NaiveDate>,
    /// The inspection is refused with this error code and changes nothing.
    error: Option<String>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Rev {
    deduction: String,
    on: NaiveDate,
    after: Option<String>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Test {
    person: Option<String>,
    tested_on: NaiveDate,
    #[serde(default = "closed")]
    format: String,
    score: Option<i32>,
    #[serde(default)]
    passed: bool,
    error: Option<String>,
    /// 三(三) 缺考: recorded as an absence, not a result.
    #[serde(default)]
    absent: bool,
    /// 三(三): a re-sit an admin records in a year that has a test, with this reason.
    retake: Option<String>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Action {
    institution: String,
    action: String,
    on: NaiveDate,
    until: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    person: Option<String>,
    date: NaiveDate,
    status: Option<String>,
    cycle_total: Option<u32>,
    remaining: Option<u32>,
    suspended_until: Option<String>,
    banned_until: Option<String>,
    sites: Option<BTreeMap<String, String>>,
    payable: Option<BTreeMap<String, bool>>,
    emergency_payable: Option<BTreeMap<String, bool>>,
    term_ends: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectSanctions {
    person: Option<String>,
    list: Vec<SanctionExp>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SanctionExp {
    kind: String,
    decided_on: Option<NaiveDate>,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    ban_until: Option<NaiveDate>,
    article: Option<String>,
    total: Option<u32>,
    cycle_year: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectCascade {
    institution: String,
    year: i32,
    numerator: Option<u32>,
    denominator: Option<u32>,
    threshold_reached: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectWatch {
    year: i32,
    institutions: Vec<String>,
}

// ---------- what every driver answers ----------

/// A person's standing on a date, as the contract shows it.
#[derive(Debug, Default)]
struct Seen {
    status: String,
    cycle_total: u32,
    remaining: u32,
    suspended_until: Option<NaiveDate>,
    banned_until: Option<NaiveDate>,
    sites: BTreeMap<String, String>,
    term_ends: BTreeMap<String, Option<NaiveDate>>,
}

#[derive(Debug)]
struct SeenSanction {
    kind: String,
    decided_on: NaiveDate,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    ban_until: Option<NaiveDate>,
    article: String,
    total: u32,
    cycle_year: i32,
}

trait Driver {
    fn status(&mut self, person: &str, d: NaiveDate) -> Seen;
    fn payable(&mut self, person: &str, inst: &str, d: NaiveDate, emergency: bool) -> bool;
    fn sanctions(&mut self, person: &str) -> Vec<SeenSanction>;
    /// (numerator, denominator, reached)
    fn cascade(&mut self, inst: &str, year: i32) -> (u32, u32, bool);
    fn watch(&mut self, year: i32) -> BTreeSet<String>;
}

fn people_of(s: &Scenario) -> Vec<(String, Person)> {
    let mut out = Vec::new();
    for p in &s.practitioners {
        match p.count {
            Some(n) => out.extend((1..=n).map(|k| (format!("{}{k}", p.id), p.clone()))),
            None => out.push((p.id.clone(), p.clone())),
        }
    }
    out
}

fn institutions_of(s: &Scenario) -> Vec<Inst> {
    let mut v = s.institutions.clone();
    for id in ["A", "B"] {
        if !v.iter().any(|i| i.id == id) {
            v.push(Inst { id: id.into(), kind: medical(), agreement_start: start(), agreement_end: end() });
        }
    }
    let mentioned: BTreeSet<String> = people_of(s)
        .iter()
        .flat_map(|(_, p)| p.registrations.iter().map(|r| r.institution.clone()))
        .chain(s.institution_actions.iter().map(|a| a.institution.clone()))
        .collect();
    for id in mentioned {
        if !v.iter().any(|i| i.id == id) {
            v.push(Inst { id, kind: medical(), agreement_start: start(), agreement_end: end() });
        }
    }
    v
}

fn first_person(s: &Scenario) -> String {
    people_of(s).first().map(|(id, _)| id.clone()).unwrap_or_default()
}

fn opt_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Compares every expectation of a scenario with what a driver answers.
fn check(s: &Scenario, d: &mut dyn Driver, out: &mut Vec<String>) -> usize {
    let mut n = 0;
    let mut miss = |what: String, want: String, got: String| {
        if want != got {
            out.push(format!("{what}: expected {want}, got {got}"));
        }
    };
    let first = first_person(s);
    for e in &s.expect {
        let p = e.person.clone().unwrap_or_else(|| first.clone());
        let seen = d.status(&p, e.date);
        let at = format!("{p} on {}", e.date);
        if let Some(v) = &e.status {
            n += 1;
            miss(format!("{at} status"), v.clone(), seen.status.clone());
        }
        if let Some(v) = e.cycle_total {
            n += 1;
            miss(format!("{at} cycle_total"), v.to_string(), seen.cycle_total.to_string());
        }
        if let Some(v) = e.remaining {
            n += 1;
            miss(format!("{at} remaining"), v.to_string(), seen.remaining.to_string());
        }
        if let Some(v) = &e.suspended_until {
            n += 1;
            miss(format!("{at} suspended_until"), format!("{:?}", opt_date(v)), format!("{:?}", seen.suspended_until));
        }
        if let Some(v) = &e.banned_until {
            n += 1;
            miss(format!("{at} banned_until"), format!("{:?}", opt_date(v)), format!("{:?}", seen.banned_until));
        }
        for (inst, want) in e.sites.iter().flatten() {
            n += 1;
            let got = seen.sites.get(inst).cloned().unwrap_or_else(|| "unregistered".into());
            miss(format!("{at} site {inst}"), want.clone(), got);
        }
        for (inst, want) in e.term_ends.iter().flatten() {
            n += 1;
            let got = seen.term_ends.get(inst).copied().flatten();
            miss(format!("{at} term_ends {inst}"), format!("{:?}", opt_date(want)), format!("{got:?}"));
        }
        for (map, emergency) in [(&e.payable, false), (&e.emergency_payable, true)] {
            for (inst, want) in map.iter().flatten() {
                n += 1;
                let got = d.payable(&p, inst, e.date, emergency);
                miss(format!("{at} payable at {inst} (emergency {emergency})"), want.to_string(), got.to_string());
            }
        }
    }
    for e in &s.expect_sanctions {
        let p = e.person.clone().unwrap_or_else(|| first.clone());
        let got = d.sanctions(&p);
        n += 1;
        miss(format!("{p} sanctions count"), e.list.len().to_string(), got.len().to_string());
        for (k, (w, g)) in e.list.iter().zip(&got).enumerate() {
            let at = format!("{p} sanction {k}");
            miss(format!("{at} kind"), w.kind.clone(), g.kind.clone());
            if let Some(v) = w.decided_on {
                miss(format!("{at} decided_on"), v.to_string(), g.decided_on.to_string());
            }
            if let Some(v) = w.starts_on {
                miss(format!("{at} starts_on"), v.to_string(), g.starts_on.to_string());
            }
            if let Some(v) = w.ends_on {
                miss(format!("{at} ends_on"), format!("{:?}", Some(v)), format!("{:?}", g.ends_on));
            }
            if let Some(v) = w.ban_until {
                miss(format!("{at} ban_until"), format!("{:?}", Some(v)), format!("{:?}", g.ban_until));
            }
            if let Some(v) = &w.article {
                miss(format!("{at} article"), v.clone(), g.article.clone());
            }
            if let Some(v) = w.total {
                miss(format!("{at} total"), v.to_string(), g.total.to_string());
            }
            if let Some(v) = w.cycle_year {
                miss(format!("{at} cycle_year"), v.to_string(), g.cycle_year.to_string());
            }
        }
    }
    for e in &s.expect_cascade {
        n += 1;
        let (num, den, reached) = d.cascade(&e.institution, e.year);
        let at = format!("cascade {} {}", e.institution, e.year);
        if let Some(v) = e.numerator {
            miss(format!("{at} numerator"), v.to_string(), num.to_string());
        }
        if let Some(v) = e.denominator {
            miss(format!("{at} denominator"), v.to_string(), den.to_string());
        }
        if let Some(v) = e.threshold_reached {
            miss(format!("{at} threshold_reached"), v.to_string(), reached.to_string());
        }
    }
    for e in &s.expect_watch_list {
        n += 1;
        let want: BTreeSet<String> = e.institutions.iter().cloned().collect();
        miss(format!("watch list {}", e.year), format!("{want:?}"), format!("{:?}", d.watch(e.year)));
    }
    n
}

// ---------- the engine ----------

struct Engine {
    packs: PackSet,
    facts: HashMap<String, PractitionerFacts>,
    timelines: HashMap<String, rules::Timeline>,
}

fn engine(s: &Scenario, errors: &mut Vec<String>) -> Engine {
    let j = s.jurisdiction.as_deref().unwrap_or("jining");
    let packs: PackSet = jifen::rules::PackLibrary::embedded().unwrap().set(j).unwrap().clone();
    let insts = institutions_of(s);
    let inst_facts: HashMap<String, InstitutionFacts> = insts
        .iter()
        .map(|i| {
            let events = s
                .institution_actions
                .iter()
                .filter(|a| a.institution == i.id)
                .map(|a| match a.action.as_str() {
                    "suspend" => InstitutionEvent::Suspend { from: a.on, until: a.until, lapses_on: None },
                    "restore" => InstitutionEvent::Restore { on: a.on },
                    _ => InstitutionEvent::Terminate { on: a.on },
                })
                .collect();
            (
                i.id.clone(),
                InstitutionFacts {
                    code: i.id.clone(),
                    agreement_start: i.agreement_start,
                    agreement_end: i.agreement_end,
                    events,
                },
            )
        })
        .collect();
    let first = first_person(s);
    let mut inspections: Vec<String> = Vec::new();
    let mut facts = HashMap::new();
    for (k, (id, p)) in people_of(s).into_iter().enumerate() {
        let registrations = p
            .registrations
            .iter()
            .enumerate()
            .map(|(j, r)| RegistrationFact {
                id: (k * 10 + j) as i64,
                institution_code: r.institution.clone(),
                registered_on: r.on,
                deregistered_on: r.deregistered_on,
            })
            .collect::<Vec<_>>();
        let mut sites: Vec<String> = registrations.iter().map(|r| r.institution_code.clone()).collect();
        sites.sort();
        sites.dedup();
        facts.insert(
            id.clone(),
            PractitionerFacts {
                personnel_code: id.clone(),
                birth_date: p.birth_date,
                registrations,
                deductions: Vec::new(),
                tests: Vec::new(),
                institutions: sites.iter().filter_map(|c| inst_facts.get(c).cloned()).collect(),
            },
        );
    }
    for (k, d) in s.deductions.iter().enumerate() {
        // 七: what the ledger refuses never reaches the engine.
        let refused = packs
            .scoring(Dated::Decision, d.decided_on)
            .and_then(|_| packs.scoring(Dated::Conduct, d.occurred_on.unwrap_or(d.decided_on)))
            .and_then(|_| packs.points_for(d.decided_on, &d.items, d.points).map(|_| ()))
            .and_then(|_| packs.check_choice(d.decided_on, &d.items, d.points))
            .err();
        match (&d.error, refused) {
            (None, None) => {}
            (Some(want), Some(e)) => {
                if jifen::error::ClientError::from(e.clone()).code != want {
                    errors.push(format!("deduction {}: expected error {want}, got {e}", d.id));
                }
                continue;
            }
            (Some(want), None) => {
                errors.push(format!("deduction {}: expected error {want}, accepted", d.id));
                continue;
            }
            (None, Some(e)) => {
                errors.push(format!("deduction {}: refused: {e}", d.id));
                continue;
            }
        }
        let key = d.inspection.clone().unwrap_or_else(|| format!("own:{}", d.id));
        let inspection = match inspections.iter().position(|i| *i == key) {
            Some(n) => n,
            None => {
                inspections.push(key);
                inspections.len() - 1
            }
        } as i64;
        let person = d.person.clone().unwrap_or_else(|| first.clone());
        let site = d.institution.clone().unwrap_or_else(|| {
            facts
                .get(&person)
                .and_then(|f| f.registrations.first())
                .map(|r| r.institution_code.clone())
                .unwrap_or_default()
        });
        if let Some(f) = facts.get_mut(&person) {
            f.deductions.push(DeductionFact {
                id: k as i64 + 1,
                inspection,
                institution_code: site,
                decided_on: d.decided_on,
                items: d.items.clone(),
                chosen_points: d.points,
                ban_months: d.ban_years.map(|y| y * 12),
                revoked: s.revocations.iter().any(|r| r.deduction == d.id),
            });
        }
    }
    for (k, t) in s.tests.iter().enumerate() {
        let person = t.person.clone().unwrap_or_else(|| first.clone());
        let Some(f) = facts.get_mut(&person) else { continue };
        let format = if t.format == "open" { TestFormat::Open } else { TestFormat::Closed };
        let checked = packs.scoring(Dated::Test, t.tested_on).and_then(|pack| {
            rules::training::check_retake(pack, f.birth_date, &f.tests, t.tested_on, format, t.retake.is_some())
        });
        if t.absent {
            // An absence is no test: refused only before the notice, or against a test of its year.
            let refused = match packs.scoring(Dated::Test, t.tested_on) {
                Err(e) => Some(jifen::error::ClientError::from(e).code.to_string()),
                Ok(_) if f.tests.iter().any(|x| x.tested_on.year() == t.tested_on.year()) => {
                    Some("already_tested".to_string())
                }
                Ok(_) => None,
            };
            if refused != t.error {
                errors.push(format!("absence {k}: expected {:?}, got {refused:?}", t.error));
            }
            continue;
        }
        match (&t.error, checked) {
            (Some(want), Err(e)) => {
                if jifen::error::ClientError::from(e.clone()).code != want {
                    errors.push(format!("test {k}: expected error {want}, got {e}"));
                }
            }
            (Some(want), Ok(())) => errors.push(format!("test {k}: expected error {want}, accepted")),
            (None, Err(e)) => errors.push(format!("test {k}: refused: {e}")),
            (None, Ok(())) => f.tests.push(TestFact {
                id: k as i64 + 1,
                tested_on: t.tested_on,
                format,
                score: t.score.and_then(jifen::domain::Score::from_whole),
                passed: t.passed,
            }),
        }
    }
    let mut timelines = HashMap::new();
    for (id, f) in &facts {
        match rules::evaluate(&packs, f) {
            Ok(t) => {
                timelines.insert(id.clone(), t);
            }
            Err(e) => errors.push(format!("{id}: engine error {e}")),
        }
    }
    Engine { packs, facts, timelines }
}

impl Driver for Engine {
    fn status(&mut self, person: &str, d: NaiveDate) -> Seen {
        let (Some(f), Some(t)) = (self.facts.get(person), self.timelines.get(person)) else { return Seen::default() };
        let s = rules::status_on(f, t, 12, 24, d);
        Seen {
            status: s.status.as_str().into(),
            cycle_total: s.cycle_total,
            remaining: s.remaining,
            suspended_until: s.suspended_until,
            banned_until: s.banned_until,
            sites: s.sites.iter().map(|x| (x.institution_code.clone(), x.status.as_str().to_string())).collect(),
            term_ends: s.sites.iter().map(|x| (x.institution_code.clone(), x.term_ends_on)).collect(),
        }
    }
    fn payable(&mut self, person: &str, inst: &str, d: NaiveDate, emergency: bool) -> bool {
        let site = self
            .timelines
            .get(person)
            .and_then(|t| t.intervals.iter().find(|i| i.institution_code == inst && i.covers(d)).map(|i| i.status));
        jifen::service::eligibility::decide(site, emergency).payable
    }
    fn sanctions(&mut self, person: &str) -> Vec<SeenSanction> {
        self.timelines
            .get(person)
            .map(|t| {
                t.sanctions
                    .iter()
                    .map(|s| SeenSanction {
                        kind: s.kind.as_str().into(),
                        decided_on: s.decided_on,
                        starts_on: s.starts_on,
                        ends_on: s.ends_on,
                        ban_until: s.ban_until,
                        article: s.article.clone(),
                        total: s.total,
                        cycle_year: s.cycle_year,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
    fn cascade(&mut self, inst: &str, year: i32) -> (u32, u32, bool) {
        let mut num = 0;
        let mut den = 0;
        for (id, f) in &self.facts {
            if rules::cascade::member_in(f, inst, year) {
                den += 1;
                if self.timelines.get(id).is_some_and(|t| rules::cascade::sanctioned_in(t, year)) {
                    num += 1;
                }
            }
        }
        let pack = self.packs.in_force_or_first(NaiveDate::from_ymd_opt(year, 1, 1).unwrap()).unwrap();
        (num, den, rules::cascade::threshold_reached(pack, num, den))
    }
    fn watch(&mut self, year: i32) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (id, f) in &self.facts {
            if let Some(t) = self.timelines.get(id) {
                for w in rules::watch_list::triggers(&self.packs, f, t).unwrap() {
                    if w.cycle_year == year {
                        out.extend(w.institutions);
                    }
                }
            }
        }
        out
    }
}

// ---------- the ledger: through the service layer or over HTTP ----------

/// Writes the scenario's facts and reads the answers; codes map scenario ids to real codes.
trait Ledger {
    /// Issue 17: the deployment's jurisdiction, set before any fact.
    fn jurisdiction(&mut self, j: &str);
    fn create_institution(&mut self, code: &str, kind: &str, start: NaiveDate, end: NaiveDate);
    fn register(&mut self, inst: &str, code: &str, category: &str, id_number: &str, on: NaiveDate);
    fn deregister(&mut self, inst: &str, code: &str, on: NaiveDate);
    /// → deduction ids in order
    fn inspect(
        &mut self,
        key: &str,
        inst: &str,
        decided_on: NaiveDate,
        violations: &[Violation],
    ) -> Result<Vec<i64>, String>;
    fn revoke(&mut self, deduction: i64, on: NaiveDate);
    /// `Err(code)` when refused.
    fn test(&mut self, code: &str, t: &Test) -> Result<(), String>;
    fn action(&mut self, inst: &str, a: &Action);
    fn seen(&mut self, code: &str, d: NaiveDate) -> Seen;
    fn payable(&mut self, code: &str, inst: &str, d: NaiveDate, emergency: bool) -> bool;
    fn sanctions(&mut self, code: &str) -> Vec<SeenSanction>;
    fn cascade(&mut self, inst: &str, year: i32) -> (u32, u32, bool);
    fn watch(&mut self, year: i32) -> BTreeSet<String>;
    fn verify(&mut self) -> usize;
}

/// One violation of an inspection: person, items, ban months, date of the conduct.
/// (person, items, ban months, conduct date, chosen points)
type Violation = (String, Vec<String>, Option<u32>, Option<NaiveDate>, Option<u32>);

struct Recorded<L: Ledger> {
    ledger: L,
    person_codes: HashMap<String, String>,
    inst_codes: HashMap<String, String>,
}

impl<L: Ledger> Recorded<L> {
    fn id_of_inst(&self, code: &str) -> String {
        self.inst_codes
            .iter()
            .find(|(_, c)| c.as_str() == code)
            .map(|(id, _)| id.clone())
            .unwrap_or_else(|| code.to_string())
    }
}

fn record<L: Ledger>(s: &Scenario, mut ledger: L, errors: &mut Vec<String>) -> Recorded<L> {
    if let Some(j) = &s.jurisdiction {
        ledger.jurisdiction(j);
    }
    let mut inst_codes = HashMap::new();
    for (k, i) in institutions_of(s).iter().enumerate() {
        let prefix = if i.kind == "pharmacy" { 'P' } else { 'H' };
        let code = format!("{prefix}370811{:05}", k + 1);
        ledger.create_institution(&code, &i.kind, i.agreement_start, i.agreement_end);
        inst_codes.insert(i.id.clone(), code);
    }
    let mut person_codes = HashMap::new();
    let people = people_of(s);
    for (k, (id, p)) in people.iter().enumerate() {
        let prefix = match p.category.as_str() {
            "nurse" => "N",
            "pharmacist" => "HY",
            "technician" => "HJ",
            "carer" => "ZH",
            _ => "D",
        };
        person_codes.insert(id.clone(), format!("{prefix}370811{:06}", k + 1));
    }
    // Facts in date order: registrations, deductions (by inspection), tests, institution actions;
    // revocations last unless `after` names a deduction.
    enum Fact<'a> {
        Register(&'a str, &'a Person, &'a Reg, u32),
        Inspection(Vec<&'a Ded>),
        Test(&'a Test),
        Action(&'a Action),
        Revoke(&'a Rev),
    }
    let mut facts: Vec<(NaiveDate, u8, usize, Fact)> = Vec::new();
    let mut seq = 0;
    for (k, (id, p)) in people.iter().enumerate() {
        for r in &p.registrations {
            seq += 1;
            facts.push((r.on, 0, seq, Fact::Register(id, p, r, k as u32 + 1)));
        }
    }
    let mut groups: Vec<(String, Vec<&Ded>)> = Vec::new();
    for d in &s.deductions {
        let key = d.inspection.clone().unwrap_or_else(|| format!("own:{}", d.id));
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(d),
            None => groups.push((key, vec![d])),
        }
    }
    for (_, g) in groups {
        seq += 1;
        facts.push((g[0].decided_on, 1, seq, Fact::Inspection(g)));
    }
    for t in &s.tests {
        seq += 1;
        facts.push((t.tested_on, 2, seq, Fact::Test(t)));
    }
    for a in &s.institution_actions {
        seq += 1;
        facts.push((a.on, 3, seq, Fact::Action(a)));
    }
    facts.sort_by_key(|(d, kind, seq, _)| (*d, *kind, *seq));
    let mut tail: Vec<&Rev> = Vec::new();
    for r in &s.revocations {
        match &r.after {
            Some(after) => {
                let pos = facts
                    .iter()
                    .position(|(_, _, _, f)| matches!(f, Fact::Inspection(g) if g.iter().any(|d| &d.id == after)));
                match pos {
                    Some(p) => facts.insert(p + 1, (r.on, 4, 0, Fact::Revoke(r))),
                    None => tail.push(r),
                }
            }
            None => tail.push(r),
        }
    }
    facts.extend(tail.into_iter().map(|r| (r.on, 4, 0, Fact::Revoke(r))));
    let first = first_person(s);
    let mut deduction_ids: HashMap<String, i64> = HashMap::new();
    for (_, _, _, f) in facts {
        match f {
            Fact::Register(id, p, r, serial) => {
                let code = &person_codes[id];
                let idn = common::id_number(&p.birth_date.format("%Y%m%d").to_string(), serial);
                ledger.register(&inst_codes[&r.institution], code, &p.category, &idn, r.on);
                if let Some(off) = r.deregistered_on {
                    ledger.deregister(&inst_codes[&r.institution], code, off);
                }
            }
            Fact::Inspection(g) => {
                let inst_id = g[0].institution.clone().unwrap_or_else(|| {
                    let person = g[0].person.clone().unwrap_or_else(|| first.clone());
                    people
                        .iter()
                        .find(|(id, _)| *id == person)
                        .and_then(|(_, p)| p.registrations.first())
                        .map(|r| r.institution.clone())
                        .unwrap_or_else(|| "A".into())
                });
                let violations: Vec<Violation> = g
                    .iter()
                    .map(|d| {
                        (
                            person_codes[&d.person.clone().unwrap_or_else(|| first.clone())].clone(),
                            d.items.clone(),
                            d.ban_years.map(|y| y * 12),
                            d.occurred_on,
                            d.points,
                        )
                    })
                    .collect();
                let answer =
                    ledger.inspect(&format!("k-{}", g[0].id), &inst_codes[&inst_id], g[0].decided_on, &violations);
                match (answer, &g[0].error) {
                    (Ok(ids), None) => {
                        for (d, id) in g.iter().zip(ids) {
                            deduction_ids.insert(d.id.clone(), id);
                        }
                    }
                    (Err(got), Some(want)) if got == *want => {}
                    (got, want) => {
                        errors.push(format!("inspection of {}: expected {want:?}, got {got:?}", g[0].decided_on))
                    }
                }
            }
            Fact::Test(t) => {
                let code = &person_codes[&t.person.clone().unwrap_or_else(|| first.clone())];
                match (ledger.test(code, t), &t.error) {
                    (Ok(()), None) => {}
                    (Err(got), Some(want)) if got == *want => {}
                    (got, want) => errors.push(format!("test on {}: expected {want:?}, got {got:?}", t.tested_on)),
                }
            }
            Fact::Action(a) => ledger.action(&inst_codes[&a.institution], a),
            Fact::Revoke(r) => match deduction_ids.get(&r.deduction) {
                Some(id) => ledger.revoke(*id, r.on),
                None => errors.push(format!("revocation of unknown deduction {}", r.deduction)),
            },
        }
    }
    Recorded { ledger, person_codes, inst_codes }
}

impl<L: Ledger> Driver for Recorded<L> {
    fn status(&mut self, person: &str, d: NaiveDate) -> Seen {
        let mut seen = self.ledger.seen(&self.person_codes[person], d);
        seen.sites = seen.sites.into_iter().map(|(k, v)| (self.id_of_inst(&k), v)).collect();
        seen.term_ends = seen.term_ends.into_iter().map(|(k, v)| (self.id_of_inst(&k), v)).collect();
        seen
    }
    fn payable(&mut self, person: &str, inst: &str, d: NaiveDate, emergency: bool) -> bool {
        let (p, i) = (self.person_codes[person].clone(), self.inst_codes[inst].clone());
        self.ledger.payable(&p, &i, d, emergency)
    }
    fn sanctions(&mut self, person: &str) -> Vec<SeenSanction> {
        self.ledger.sanctions(&self.person_codes[person].clone())
    }
    fn cascade(&mut self, inst: &str, year: i32) -> (u32, u32, bool) {
        let code = self.inst_codes[inst].clone();
        self.ledger.cascade(&code, year)
    }
    fn watch(&mut self, year: i32) -> BTreeSet<String> {
        self.ledger.watch(year).into_iter().map(|c| self.id_of_inst(&c)).collect()
    }
}

struct Service(jifen::service::App);

fn seen_of(s: &jifen::rules::StatusOnDate) -> Seen {
    Seen {
        status: s.status.as_str().into(),
        cycle_total: s.cycle_total,
        remaining: s.remaining,
        suspended_until: s.suspended_until,
        banned_until: s.banned_until,
        sites: s.sites.iter().map(|x| (x.institution_code.clone(), x.status.as_str().to_string())).collect(),
        term_ends: s.sites.iter().map(|x| (x.institution_code.clone(), x.term_ends_on)).collect(),
    }
}

impl Ledger for Service {
    fn jurisdiction(&mut self, j: &str) {
        let req = jifen::service::jurisdiction::SetJurisdiction { jurisdiction: j.into() };
        self.0.set_jurisdiction(&Caller::system(), &req).unwrap();
        self.0 = self.0.current();
    }
    fn create_institution(&mut self, code: &str, kind: &str, start: NaiveDate, end: NaiveDate) {
        self.0
            .create_institution(
                &Caller::system(),
                &jifen::service::institutions::NewInstitution {
                    code: code.into(),
                    name: "医院".into(),
                    kind: kind.into(),
                    region_code: None,
                    agreement_start: start.to_string(),
                    agreement_end: end.to_string(),
                    public: None,
                    organization_code: None,
                    legal_representative: None,
                },
            )
            .unwrap();
    }
    fn register(&mut self, inst: &str, code: &str, category: &str, id_number: &str, on: NaiveDate) {
        self.0
            .register(
                &Caller::system(),
                &jifen::service::registrations::NewRegistration {
                    institution_code: inst.into(),
                    personnel_code: code.into(),
                    name: "测试".into(),
                    id_number: id_number.into(),
                    category: category.into(),
                    registered_on: on.to_string(),
                    phone: None,
                },
            )
            .unwrap();
    }
    fn deregister(&mut self, inst: &str, code: &str, on: NaiveDate) {
        self.0.deregister(&Caller::system(), inst, code, on).unwrap();
    }
    fn inspect(
        &mut self,
        key: &str,
        inst: &str,
        decided_on: NaiveDate,
        violations: &[Violation],
    ) -> Result<Vec<i64>, String> {
        let req: jifen::service::inspections::NewInspection =
            serde_json::from_value(inspection_body(inst, decided_on, violations)).unwrap();
        self.0
            .record_inspection(&Caller::system(), Some(key), &req)
            .map(|r| r.violations.iter().map(|v| v.deduction_id).collect())
            .map_err(|e| e.client().map(|c| c.code.to_string()).unwrap_or_else(|| e.to_string()))
    }
    fn revoke(&mut self, deduction: i64, on: NaiveDate) {
        let req = jifen::service::inspections::RevokeDeduction { on: on.to_string(), reason: "复核撤销".into() };
        self.0.revoke(&Caller::system(), deduction, &req).unwrap();
    }
    fn test(&mut self, code: &str, t: &Test) -> Result<(), String> {
        let refused = |e: jifen::error::Error| e.client().map(|c| c.code.to_string()).unwrap_or_else(|| e.to_string());
        if t.absent {
            let req = serde_json::from_value(test_body(code, t)).unwrap();
            return self.0.record_absence(&Caller::system(), &req).map(drop).map_err(refused);
        }
        let req: jifen::service::training_tests::NewTrainingTest = serde_json::from_value(test_body(code, t)).unwrap();
        self.0.record_test(&Caller::system(), &req).map(drop).map_err(refused)
    }
    fn action(&mut self, inst: &str, a: &Action) {
        let intent = (a.action != "restore").then(|| {
            let req = serde_json::from_value(intent_body(a)).unwrap();
            self.0.notify_intent(&Caller::system(), inst, &req).unwrap().id
        });
        let body = action_body(a, intent);
        let r = match a.action.as_str() {
            "suspend" => self.0.suspend_institution(&Caller::system(), inst, &serde_json::from_value(body).unwrap()),
            "restore" => self.0.restore_institution(&Caller::system(), inst, &serde_json::from_value(body).unwrap()),
            _ => self.0.terminate_institution(&Caller::system(), inst, &serde_json::from_value(body).unwrap()),
        };
        r.unwrap();
    }
    fn seen(&mut self, code: &str, d: NaiveDate) -> Seen {
        seen_of(&self.0.status(&Caller::system(), code, d).unwrap().status)
    }
    fn payable(&mut self, code: &str, inst: &str, d: NaiveDate, emergency: bool) -> bool {
        let line: jifen::service::eligibility::ClaimLine =
            serde_json::from_value(claim(code, inst, d, emergency)).unwrap();
        self.0.check_claims(&Caller::system(), &[line]).unwrap().lines[0].payable
    }
    fn sanctions(&mut self, code: &str) -> Vec<SeenSanction> {
        let (_, t) = self.0.timeline(code).unwrap();
        t.sanctions
            .iter()
            .map(|s| SeenSanction {
                kind: s.kind.as_str().into(),
                decided_on: s.decided_on,
                starts_on: s.starts_on,
                ends_on: s.ends_on,
                ban_until: s.ban_until,
                article: s.article.clone(),
                total: s.total,
                cycle_year: s.cycle_year,
            })
            .collect()
    }
    fn cascade(&mut self, inst: &str, year: i32) -> (u32, u32, bool) {
        let f = self.0.cascade_figures(&Caller::system(), inst, year).unwrap();
        (f.numerator, f.denominator, f.threshold_reached)
    }
    fn watch(&mut self, year: i32) -> BTreeSet<String> {
        self.0.watch_list(&Caller::system(), year).unwrap().into_iter().map(|e| e.institution_code).collect()
    }
    fn verify(&mut self) -> usize {
        self.0.verify().unwrap().differences.len()
    }
}

fn inspection_body(inst: &str, decided_on: NaiveDate, violations: &[Violation]) -> Value {
    json!({"institution_code": inst, "inspected_on": decided_on, "decided_on": decided_on,
        "violations": violations.iter().map(|(p, items, ban, occurred, points)| json!({"personnel_code": p, "items": items, "ban_months": ban, "occurred_on": occurred, "points": points, "note": ""})).collect::<Vec<_>>()})
}

fn test_body(code: &str, t: &Test) -> Value {
    if t.absent {
        return json!({"personnel_code": code, "absent_on": t.tested_on, "reason": "缺考"});
    }
    json!({"personnel_code": code, "tested_on": t.tested_on, "format": t.format, "score": t.score, "passed": t.passed,
        "retake": t.retake.is_some(), "retake_reason": t.retake})
}

fn action_body(a: &Action, intent: Option<i64>) -> Value {
    json!({"from": a.on, "until": a.until, "on": a.on, "reason": "场景", "article": "三(四)", "intent_id": intent})
}

/// 吉林 第四十九条: the institution is told 8 days before a suspension or termination (its 7
/// days to state its case have passed by then).
fn intent_body(a: &Action) -> Value {
    json!({"action": a.action, "facts": "场景", "basis": "三(四)", "notified_on": a.on - chrono::Duration::days(8)})
}

fn claim(code: &str, inst: &str, d: NaiveDate, emergency: bool) -> Value {
    json!({"personnel_code": code, "institution_code": inst, "service_date": d, "emergency": emergency, "amount": "1.00"})
}

struct Http(common::TestServer);

impl Http {
    fn go(&self, method: &str, path: &str, body: Option<Value>, key: Option<&str>) -> (u16, Value) {
        let headers: Vec<(&str, &str)> = key.map(|k| vec![("Idempotency-Key", k)]).unwrap_or_default();
        common::call(method, &format!("{}{path}", self.0.base), Some(&self.0.admin), body.as_ref(), &headers)
    }
    fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (st, b) = self.go(method, path, body, None);
        assert!((200..300).contains(&st), "{method} {path}: {st} {b}");
        b
    }
}

fn date_of(v: &Value) -> Option<NaiveDate> {
    v.as_str().and_then(opt_date)
}

impl Ledger for Http {
    fn jurisdiction(&mut self, j: &str) {
        self.ok("POST", "/settings/jurisdiction", Some(json!({ "jurisdiction": j })));
    }
    fn create_institution(&mut self, code: &str, kind: &str, start: NaiveDate, end: NaiveDate) {
        self.ok(
            "POST",
            "/institutions",
            Some(json!({"code": code, "name": "医院", "kind": kind, "agreement_start": start, "agreement_end": end})),
        );
    }
    fn register(&mut self, inst: &str, code: &str, category: &str, id_number: &str, on: NaiveDate) {
        self.ok(
            "POST",
            "/registrations",
            Some(json!({"institution_code": inst, "personnel_code": code, "name": "测试", "id_number": id_number, "category": category, "registered_on": on})),
        );
    }
    fn deregister(&mut self, inst: &str, code: &str, on: NaiveDate) {
        self.ok("DELETE", &format!("/registrations/{inst}/{code}?on={on}"), None);
    }
    fn inspect(
        &mut self,
        key: &str,
        inst: &str,
        decided_on: NaiveDate,
        violations: &[Violation],
    ) -> Result<Vec<i64>, String> {
        let (st, b) = self.go("POST", "/inspections", Some(inspection_body(inst, decided_on, violations)), Some(key));
        if st != 201 {
            return Err(b["error"]["code"].as_str().unwrap_or("").to_string());
        }
        Ok(b["violations"].as_array().unwrap().iter().map(|v| v["deduction_id"].as_i64().unwrap()).collect())
    }
    fn revoke(&mut self, deduction: i64, on: NaiveDate) {
        self.ok("POST", &format!("/deductions/{deduction}/revoke"), Some(json!({"on": on, "reason": "复核撤销"})));
    }
    fn test(&mut self, code: &str, t: &Test) -> Result<(), String> {
        let path = if t.absent { "/training-tests/absences" } else { "/training-tests" };
        let (st, b) = self.go("POST", path, Some(test_body(code, t)), None);
        if st == 201 {
            Ok(())
        } else {
            Err(b["error"]["code"].as_str().unwrap_or("").to_string())
        }
    }
    fn action(&mut self, inst: &str, a: &Action) {
        let intent = (a.action != "restore").then(|| {
            self.ok("POST", &format!("/institutions/{inst}/agreement/intents"), Some(intent_body(a)))["id"]
                .as_i64()
                .unwrap()
        });
        self.ok("POST", &format!("/institutions/{inst}/agreement/{}", a.action), Some(action_body(a, intent)));
    }
    fn seen(&mut self, code: &str, d: NaiveDate) -> Seen {
        let b = self.ok("GET", &format!("/practitioners/{code}/status?date={d}"), None);
        let sites = b["sites"].as_array().cloned().unwrap_or_default();
        Seen {
            status: b["status"].as_str().unwrap_or("").into(),
            cycle_total: b["cycle_total"].as_u64().unwrap_or(99) as u32,
            remaining: b["remaining"].as_u64().unwrap_or(99) as u32,
            suspended_until: date_of(&b["suspended_until"]),
            banned_until: date_of(&b["banned_until"]),
            sites: sites
                .iter()
                .map(|x| {
                    (x["institution_code"].as_str().unwrap_or("").into(), x["status"].as_str().unwrap_or("").into())
                })
                .collect(),
            term_ends: sites
                .iter()
                .map(|x| (x["institution_code"].as_str().unwrap_or("").into(), date_of(&x["term_ends_on"])))
                .collect(),
        }
    }
    fn payable(&mut self, code: &str, inst: &str, d: NaiveDate, emergency: bool) -> bool {
        let b = self.ok("POST", "/eligibility/check", Some(json!({"lines": [claim(code, inst, d, emergency)]})));
        b["lines"][0]["payable"].as_bool().unwrap()
    }
    fn sanctions(&mut self, code: &str) -> Vec<SeenSanction> {
        let mut out = Vec::new();
        for year in 2023..=2028 {
            let b = self.ok("GET", &format!("/practitioners/{code}/ledger?year={year}"), None);
            for s in b["sanctions"].as_array().cloned().unwrap_or_default() {
                out.push(SeenSanction {
                    kind: s["kind"].as_str().unwrap_or("").into(),
                    decided_on: date_of(&s["decided_on"]).unwrap_or_default(),
                    starts_on: date_of(&s["starts_on"]).unwrap_or_default(),
                    ends_on: date_of(&s["ends_on"]),
                    ban_until: date_of(&s["ban_until"]),
                    article: s["article"].as_str().unwrap_or("").into(),
                    total: s["total"].as_u64().unwrap_or(0) as u32,
                    cycle_year: s["cycle_year"].as_i64().unwrap_or(0) as i32,
                });
            }
        }
        out
    }
    fn cascade(&mut self, inst: &str, year: i32) -> (u32, u32, bool) {
        let b = self.ok("GET", &format!("/institutions/{inst}/cascade?year={year}"), None);
        (
            b["numerator"].as_u64().unwrap() as u32,
            b["denominator"].as_u64().unwrap() as u32,
            b["threshold_reached"].as_bool().unwrap(),
        )
    }
    fn watch(&mut self, year: i32) -> BTreeSet<String> {
        let b = self.ok("GET", &format!("/watch-list?year={year}"), None);
        b["institutions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["institution_code"].as_str().unwrap().to_string())
            .collect()
    }
    fn verify(&mut self) -> usize {
        // The packs of the jurisdiction the scenario set (the server swapped them).
        self.0.app.current().verify().unwrap().differences.len()
    }
}

// ---------- the runs ----------

fn scenarios() -> Vec<(String, Scenario)> {
    let dir = format!("{}/tests/scenarios", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).unwrap();
            let s: Scenario = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!s.name.is_empty() && !s.article.is_empty(), "{name}: a name and an article");
            (name, s)
        })
        .collect()
}

fn report(mode: &str, failures: Vec<String>, files: usize, checked: usize) {
    println!("scenarios ({mode}): {files} files, {checked} expectations checked, {} mismatches", failures.len());
    assert!(files >= 40, "at least 40 scenario files");
    assert!(failures.is_empty(), "{mode}:\n{}", failures.join("\n"));
}

#[test]
fn scenarios_against_the_engine() {
    let all = scenarios();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, s) in &all {
        let mut errs = Vec::new();
        let mut e = engine(s, &mut errs);
        checked += check(s, &mut e, &mut errs);
        failures.extend(errs.into_iter().map(|m| format!("{name}: {m}")));
    }
    report("engine", failures, all.len(), checked);
}

fn through<L: Ledger>(mode: &str, open: impl Fn() -> L) {
    let all = scenarios();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, s) in &all {
        let mut errs = Vec::new();
        let mut r = record(s, open(), &mut errs);
        checked += check(s, &mut r, &mut errs);
        let diffs = r.ledger.verify();
        if diffs > 0 {
            errs.push(format!("verify found {diffs} differences"));
        }
        failures.extend(errs.into_iter().map(|m| format!("{name}: {m}")));
    }
    report(mode, failures, all.len(), checked);
}

#[test]
fn scenarios_through_the_service_layer_on_sqlite() {
    let dbs = std::cell::RefCell::new(Vec::new());
    through("service, sqlite", || {
        let db = common::sqlite();
        let app = jifen::service::App::open(&db.url).unwrap();
        dbs.borrow_mut().push(db);
        Service(app)
    });
}

#[test]
fn scenarios_through_the_service_layer_on_postgres() {
    if common::postgres().is_none() {
        println!("TEST_DATABASE_URL is not set: the PostgreSQL run is skipped");
        return;
    }
    let dbs = std::cell::RefCell::new(Vec::new());
    through("service, postgresql", || {
        let db = common::postgres().unwrap();
        let app = jifen::service::App::open(&db.url).unwrap();
        dbs.borrow_mut().push(db);
        Service(app)
    });
}

#[test]
fn scenarios_through_the_http_api() {
    let dbs = std::cell::RefCell::new(Vec::new());
    let pg = common::postgres().is_some();
    through(if pg { "http, postgresql" } else { "http, sqlite" }, || {
        let db = if pg { common::postgres().unwrap() } else { common::sqlite() };
        let server = common::spawn(&db);
        dbs.borrow_mut().push(db);
        Http(server)
    });
}
