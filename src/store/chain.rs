//! Tamper evidence: SHA-256 hash chains over the facts and the audit trail (issue 16).
//!
//! Every chained row (a fact of the append-only ledger, or an audit row) is one link in
//! `chain_links`: `hash = SHA-256(previous link's hash | table | id | SHA-256(canonical row))`.
//! The canonical row is built here from the values read back from the database (`{"column":
//! value,…}` in schema order; dates `"YYYY-MM-DD"`, timestamps to the microsecond, text as JSON
//! strings), so SQLite and PostgreSQL give the same bytes for the same facts.
//!
//! Which chain: a write appends its facts, then its audit row, to the chain named after one of
//! the locks it already holds — its institution if any, else its first practitioner, else its
//! first other lock (see `chain_for`). Writes that the locks let run side by side never share a
//! chain, so chaining adds no serialisation (PostgreSQL's group commit still batches them), and
//! two writes that share a chain already wait for each other. A chain is ordered by `seq`
//! (the head is read under the lock), never by row id: PostgreSQL commits out of id order.
//!
//! What `verify` detects: a chained row edited (its hash no longer matches), deleted (its link
//! points at nothing), a link deleted (a gap in `seq`), a fact named by an audit row but gone,
//! and a row with no link (inserted behind jifen's back). What no unkeyed chain can detect on its
//! own: the whole last write of a chain removed together with its links, or every link after an
//! edit recomputed — keep the `heads` digest `verify` prints somewhere else to detect those.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::conn::{lock_for_write, DbConn};
use super::schema::*;

/// SHA-256 of a canonical row.
pub type Digest = [u8; 32];

/// The previous hash of a chain's first link.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Rows per statement: well under SQLite's bound-parameter limit.
const CHUNK: usize = 1000;

/// A value in its canonical form.
pub trait Canon {
    fn canon(&self, out: &mut String);

    /// SQL NULL: a column added after its table was chained (marked `?`) is left out of the
    /// canonical row when NULL, so the rows written before it keep their hash.
    fn is_null(&self) -> bool {
        false
    }
}

impl Canon for i64 {
    fn canon(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl Canon for i32 {
    fn canon(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl Canon for bool {
    fn canon(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl Canon for String {
    fn canon(&self, out: &mut String) {
        out.push_str(&serde_json::Value::String(self.clone()).to_string());
    }
}

impl Canon for NaiveDate {
    fn canon(&self, out: &mut String) {
        let _ = write!(out, "\"{}\"", self.format("%Y-%m-%d"));
    }
}

impl Canon for NaiveDateTime {
    /// To the microsecond: PostgreSQL keeps no more, SQLite may keep nanoseconds.
    fn canon(&self, out: &mut String) {
        let _ = write!(out, "\"{}\"", self.format("%Y-%m-%d %H:%M:%S%.6f"));
    }
}

impl<T: Canon> Canon for Option<T> {
    fn canon(&self, out: &mut String) {
        match self {
            Some(v) => v.canon(out),
            None => out.push_str("null"),
        }
    }

    fn is_null(&self) -> bool {
        self.is_none()
    }
}

impl Canon for crate::store::facts::Delivery {
    fn canon(&self, out: &mut String) {
        let _ = write!(out, "\"{}\"", self.as_str());
    }
}

/// Builds one canonical row: `{"column":value,…}`.
struct Row(String);

impl Row {
    fn new() -> Row {
        Row(String::from("{"))
    }

    /// `mode` `"omit_if_null"`: a column added later, left out while NULL (see
    /// [`Canon::is_null`]); `""`: always there.
    fn field(&mut self, name: &str, v: &impl Canon, mode: &str) {
        if mode == "omit_if_null" && v.is_null() {
            return;
        }
        if self.0.len() > 1 {
            self.0.push(',');
        }
        let _ = write!(self.0, "\"{name}\":");
        v.canon(&mut self.0);
    }

    fn digest(mut self) -> Digest {
        self.0.push('}');
        Sha256::digest(self.0.as_bytes()).into()
    }
}

/// The chained tables, each with the columns its hash covers (all of them but `id`, which the
/// link names). A column added later is not covered until it is listed here; list it as
/// `col: Option<T> => omit_if_null` so that a NULL leaves the canonical row (and so the hash of
/// every row written before the column existed) as it was.
macro_rules! chained_tables {
    ($($t:ident { $($col:ident : $ty:ty $(=> $mode:ident)?),* $(,)? })*) => {
        /// Every chained table, in the order `verify` reads them.
        pub const CHAINED: &[&str] = &[$(stringify!($t)),*];

        /// The canonical digests of the rows of `table` with these ids (absent rows are left out).
        fn contents(conn: &mut DbConn, table: &str, ids: &[i64]) -> QueryResult<Vec<(i64, Digest)>> {
            let mut out = Vec::with_capacity(ids.len());
            match table {
                $(stringify!($t) => {
                    for chunk in ids.chunks(CHUNK) {
                        #[allow(unused_parens)]
                        let rows: Vec<(i64, ($($ty,)*))> = $t::table
                            .filter($t::id.eq_any(chunk))
                            .select(($t::id, ($($t::$col,)*)))
                            .load(conn)?;
                        for (id, ($($col,)*)) in rows {
                            let mut r = Row::new();
                            $(r.field(stringify!($col), &$col, stringify!($($mode)?));)*
                            out.push((id, r.digest()));
                        }
                    }
                })*
                _ => {}
            }
            Ok(out)
        }

        /// Up to `limit` rows of `table` after id `after`, in id order, with their digests.
        fn scan(conn: &mut DbConn, table: &str, after: i64, limit: i64) -> QueryResult<Vec<(i64, Digest)>> {
            let mut out = Vec::new();
            match table {
                $(stringify!($t) => {
                    let rows: Vec<(i64, ($($ty,)*))> = $t::table
                        .filter($t::id.gt(after))
                        .order($t::id)
                        .limit(limit)
                        .select(($t::id, ($($t::$col,)*)))
                        .load(conn)?;
                    for (id, ($($col,)*)) in rows {
                        let mut r = Row::new();
                        $(r.field(stringify!($col), &$col, stringify!($($mode)?));)*
                        out.push((id, r.digest()));
                    }
                })*
                _ => {}
            }
            Ok(out)
        }
    };
}

type D = NaiveDate;
type Ts = NaiveDateTime;
use crate::store::facts::Delivery;

chained_tables! {
    registrations { institution_code: String, personnel_code: String, registered_on: D, recorded_at: Ts }
    deregistrations { registration_id: i64, deregistered_on: D, recorded_at: Ts }
    inspections {
        idempotency_key: String, request_hash: String, institution_code: String, inspected_on: D,
        decided_on: D, response: String, recorded_at: Ts,
    }
    deductions {
        inspection_id: i64, seq: i32, personnel_code: String, institution_code: String, items: String,
        points: i32, chosen_points: Option<i32>, ban_months: Option<i32>, fund_loss_fen: Option<i64>,
        occurred_on: Option<D>, decided_on: D, note: String, recorded_at: Ts,
    }
    revocations { deduction_id: i64, revoked_on: D, reason: String, source: String, recorded_at: Ts }
    training_tests {
        personnel_code: String, tested_on: D, cycle_year: i32, format: String, score: Option<String>,
        passed: bool, recorded_at: Ts, retake_reason: Option<String>, delivery: Option<Delivery> => omit_if_null,
    }
    training_test_absences { personnel_code: String, absent_on: D, cycle_year: i32, reason: String, recorded_at: Ts }
    test_revocations { test_id: i64, revoked_on: D, reason: String, recorded_at: Ts }
    pass_marks { year: i32, mark: i32, recorded_at: Ts }
    institution_events {
        institution_code: String, action: String, from_on: D, until_on: Option<D>, reason: String,
        article: String, cascade_case_id: Option<i64>, recorded_at: Ts, requested: bool,
        lapses_on: Option<D>, cause: Option<String>, discovered_on: Option<D>, copied_from: Option<String>,
        requested_on: Option<D>, department: Option<String>,
    }
    cascade_cases {
        institution_code: String, cycle_year: i32, numerator: i32, denominator: i32, opened_on: D, recorded_at: Ts,
    }
    cascade_decisions {
        case_id: i64, decision: String, reason: String, decided_on: D, until_on: Option<D>, recorded_at: Ts,
    }
    termination_cases {
        institution_code: String, term_start: D, opened_on: D, suspensions: i32, article: String, recorded_at: Ts,
    }
    termination_case_decisions { case_id: i64, decision: String, reason: String, decided_on: D, recorded_at: Ts }
    interview_records { order_id: i64, held_on: D, notes: String, recorded_at: Ts, participants: Option<String> }
    objections { deduction_id: i64, institution_code: String, filed_on: D, grounds: String, recorded_at: Ts }
    objection_decisions {
        objection_id: i64, level: String, decision: String, decided_on: D, evidence: String, recorded_at: Ts,
    }
    objection_escalations { objection_id: i64, escalated_on: D, recorded_at: Ts }
    notice_receipts { notice_id: i64, received_on: D, recorded_at: Ts }
    delivery_allowances { days: i32, from_on: D, recorded_at: Ts }
    jurisdiction_settings { jurisdiction: String, recorded_at: Ts }
    agreement_intents {
        institution_code: String, action: String, department: Option<String>, facts: String, basis: String,
        notified_on: D, recorded_at: Ts,
    }
    agreement_statements {
        intent_id: i64, stated_on: D, waived: bool, statement: String, evidence: String, recorded_at: Ts,
    }
    agreement_intent_decisions {
        intent_id: i64, event_id: i64, decided_on: D, adopted: Option<bool>, response: String, recorded_at: Ts,
    }
    calendar_years { year: i32, source: String, body: String, recorded_at: Ts }
    audit_log {
        token_id: Option<i64>, role: String, request_id: String, action: String, targets: String,
        facts: String, changes: String, recorded_at: Ts,
    }
}

fn chained_name(table: &str) -> Option<&'static str> {
    CHAINED.iter().copied().find(|t| *t == table)
}

/// A link's hash: the previous hash, the row's table and id, and its content digest.
pub fn link_hash(prev: &str, table: &str, id: i64, content: &Digest) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"|");
    h.update(table.as_bytes());
    h.update(b"|");
    h.update(id.to_string().as_bytes());
    h.update(b"|");
    h.update(content);
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The chain a write with these lock keys appends to: one of the locks it holds, so that two
/// writes on one chain are already serialised by that lock. `None`: the write holds no lock.
pub fn chain_for(keys: &[String]) -> Option<String> {
    let first = |prefix: &str| keys.iter().filter(|k| k.starts_with(prefix)).min();
    first("i:").or_else(|| first("p:")).or_else(|| keys.iter().min()).cloned()
}

#[derive(Insertable)]
#[diesel(table_name = chain_links)]
struct NewLink {
    chain: String,
    seq: i64,
    fact_table: String,
    fact_id: i64,
    hash: String,
}

fn insert_links(conn: &mut DbConn, links: &[NewLink]) -> QueryResult<()> {
    for chunk in links.chunks(CHUNK) {
        match conn {
            DbConn::Sqlite(c) => diesel::insert_into(chain_links::table).values(chunk).execute(c)?,
            DbConn::Postgresql(c) => diesel::insert_into(chain_links::table).values(chunk).execute(c)?,
        };
    }
    Ok(())
}

/// The last link of a chain: (seq, hash), or (0, GENESIS) for a new chain.
fn head(conn: &mut DbConn, chain: &str) -> QueryResult<(i64, String)> {
    Ok(chain_links::table
        .filter(chain_links::chain.eq(chain))
        .order(chain_links::seq.desc())
        .select((chain_links::seq, chain_links::hash))
        .first::<(i64, String)>(conn)
        .optional()?
        .unwrap_or_else(|| (0, GENESIS.to_string())))
}

/// At the end of a write transaction that holds the locks `keys`: appends the facts it inserted
/// (`table:id`, in the order they were recorded) and then its audit row to its chain.
pub fn append_for_write(
    conn: &mut DbConn,
    keys: &[String],
    facts: &[String],
    audit_id: Option<i64>,
) -> QueryResult<()> {
    let chain = match chain_for(keys) {
        Some(c) => c,
        None => {
            // A write without locks (the demo loader): its own lock, taken only here.
            lock_for_write(conn, &["chain:-".to_string()])?;
            "-".to_string()
        }
    };
    append(conn, &chain, facts, audit_id)
}

/// Appends `facts` then the audit row to `chain`; the caller holds the chain's lock.
pub fn append(conn: &mut DbConn, chain: &str, facts: &[String], audit_id: Option<i64>) -> QueryResult<()> {
    let mut order: Vec<(&'static str, i64)> = Vec::with_capacity(facts.len() + 1);
    let mut seen = HashSet::new();
    for f in facts {
        let Some((t, id)) = f.split_once(':') else { continue };
        let (Some(table), Ok(id)) = (chained_name(t), id.parse::<i64>()) else { continue };
        if seen.insert((table, id)) {
            order.push((table, id));
        }
    }
    if let Some(id) = audit_id {
        order.push(("audit_log", id));
    }
    if order.is_empty() {
        return Ok(());
    }
    let mut by_table: Vec<(&'static str, Vec<i64>)> = Vec::new();
    for &(t, id) in &order {
        match by_table.iter_mut().find(|(n, _)| *n == t) {
            Some((_, ids)) => ids.push(id),
            None => by_table.push((t, vec![id])),
        }
    }
    let mut content: HashMap<(&'static str, i64), Digest> = HashMap::with_capacity(order.len());
    for (t, ids) in &by_table {
        for (id, d) in contents(conn, t, ids)? {
            content.insert((*t, id), d);
        }
    }
    let (mut seq, mut prev) = head(conn, chain)?;
    let mut links = Vec::with_capacity(order.len());
    for (t, id) in order {
        let Some(d) = content.get(&(t, id)) else { continue };
        seq += 1;
        let hash = link_hash(&prev, t, id, d);
        links.push(NewLink {
            chain: chain.to_string(),
            seq,
            fact_table: t.to_string(),
            fact_id: id,
            hash: hash.clone(),
        });
        prev = hash;
    }
    insert_links(conn, &links)
}

/// The upgrade pass: the rows that existed when migration `000005_hash_chains` ran are chained
/// here, once (SQL cannot build the canonical content the same way on both databases). Each
/// table's old rows form one chain, `upgrade:<table>`, in id order. Rows inserted later without
/// a link stay unchained, and `verify` reports them. Returns the number of rows chained.
pub fn chain_existing(conn: &mut DbConn) -> QueryResult<usize> {
    conn.transaction::<usize, diesel::result::Error, _>(|c| {
        lock_for_write(c, &["chain:upgrade".to_string()])?;
        let pending: bool =
            chain_upgrade::table.find(1).select(chain_upgrade::pending).first::<bool>(c).optional()?.unwrap_or(false);
        if !pending {
            return Ok(0);
        }
        let mut n = 0;
        for table in CHAINED {
            let linked: HashSet<i64> = chain_links::table
                .filter(chain_links::fact_table.eq(*table))
                .select(chain_links::fact_id)
                .load::<i64>(c)?
                .into_iter()
                .collect();
            let chain = format!("upgrade:{table}");
            let (mut seq, mut prev) = head(c, &chain)?;
            let mut after = i64::MIN;
            loop {
                let rows = scan(c, table, after, CHUNK as i64)?;
                let Some((last, _)) = rows.last() else { break };
                after = *last;
                let mut links = Vec::with_capacity(rows.len());
                for (id, d) in rows.iter().filter(|(id, _)| !linked.contains(id)) {
                    seq += 1;
                    let hash = link_hash(&prev, table, *id, d);
                    links.push(NewLink {
                        chain: chain.clone(),
                        seq,
                        fact_table: table.to_string(),
                        fact_id: *id,
                        hash: hash.clone(),
                    });
                    prev = hash;
                }
                n += links.len();
                insert_links(c, &links)?;
            }
        }
        diesel::update(chain_upgrade::table.find(1)).set(chain_upgrade::pending.eq(false)).execute(c)?;
        Ok(n)
    })
}

/// Where a chain breaks: the first row of a chain that does not check, or a row with no link.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChainBreak {
    pub table: String,
    pub id: i64,
    /// The chain and the link's position in it (empty and 0 for a row with no link).
    pub chain: String,
    pub seq: i64,
    pub reason: String,
    pub reason_zh: String,
    /// The link's row id: breaks are listed earliest write first.
    #[serde(skip)]
    link_id: i64,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ChainReport {
    pub chains: usize,
    pub links: usize,
    /// The first break of each broken chain (earliest write first), then rows with no link.
    pub breaks: Vec<ChainBreak>,
    /// SHA-256 over every chain's (name, last seq, last hash): kept elsewhere, it shows a later
    /// `verify` whether whole writes were cut off the end of a chain or a chain was recomputed.
    pub heads: String,
}

fn brk(table: &str, id: i64, chain: &str, seq: i64, link_id: i64, reason: &str, reason_zh: &str) -> ChainBreak {
    ChainBreak {
        table: table.to_string(),
        id,
        chain: chain.to_string(),
        seq,
        reason: reason.to_string(),
        reason_zh: reason_zh.to_string(),
        link_id,
    }
}

type ChainState = Option<(String, String, i64, bool)>;

fn finish(cur: &ChainState, heads: &mut Sha256) {
    if let Some((name, prev, next, _)) = cur {
        heads.update(format!("{name}|{}|{prev}\n", next - 1).as_bytes());
    }
}

/// Checks every chain against the rows as they are now.
pub fn verify(conn: &mut DbConn) -> QueryResult<ChainReport> {
    // Every chained row's digest, keyed by (table index, id).
    let mut content: HashMap<(usize, i64), Digest> = HashMap::new();
    for (i, table) in CHAINED.iter().enumerate() {
        let mut after = i64::MIN;
        loop {
            let rows = scan(conn, table, after, 10_000)?;
            let Some((last, _)) = rows.last() else { break };
            after = *last;
            content.extend(rows.into_iter().map(|(id, d)| ((i, id), d)));
        }
    }
    let index = |t: &str| CHAINED.iter().position(|c| *c == t);
    let mut report = ChainReport::default();
    let mut chained: HashSet<(usize, i64)> = HashSet::with_capacity(content.len());
    let mut heads = Sha256::new();
    // (chain, prev hash, expected seq, broken)
    let mut cur: ChainState = None;
    let mut last: Option<(String, i64)> = None;
    loop {
        let q = chain_links::table
            .order((chain_links::chain, chain_links::seq))
            .select((
                chain_links::id,
                chain_links::chain,
                chain_links::seq,
                chain_links::fact_table,
                chain_links::fact_id,
                chain_links::hash,
            ))
            .limit(10_000);
        let page: Vec<(i64, String, i64, String, i64, String)> = match &last {
            None => q.load(conn)?,
            Some((lc, ls)) => q
                .filter(
                    chain_links::chain
                        .gt(lc.clone())
                        .or(chain_links::chain.eq(lc.clone()).and(chain_links::seq.gt(*ls))),
                )
                .load(conn)?,
        };
        let Some((_, lc, ls, _, _, _)) = page.last() else { break };
        last = Some((lc.clone(), *ls));
        for (link_id, chain, seq, table, fact_id, hash) in page {
            report.links += 1;
            if cur.as_ref().map(|c| c.0 != chain).unwrap_or(true) {
                finish(&cur, &mut heads);
                report.chains += 1;
                cur = Some((chain.clone(), GENESIS.to_string(), 1, false));
            }
            let Some(state) = cur.as_mut() else { continue };
            let key = index(&table).map(|i| (i, fact_id));
            let row = key.and_then(|k| content.get(&k));
            if let Some(k) = key {
                chained.insert(k);
            }
            if state.3 {
                continue;
            }
            let b = |reason: &str, zh: &str| brk(&table, fact_id, &chain, seq, link_id, reason, zh);
            if seq != state.2 {
                report.breaks.push(b(
                    &format!(
                        "links {} to {} of the chain are missing: rows were deleted with their links",
                        state.2,
                        seq - 1
                    ),
                    &format!("链中第 {} 至 {} 环缺失：有记录连同其链接被删除", state.2, seq - 1),
                ));
                state.3 = true;
                continue;
            }
            match row {
                None => {
                    report
                        .breaks
                        .push(b("the row is gone (deleted behind jifen's back)", "该记录已不存在（被绕过系统删除）"));
                    state.3 = true;
                }
                Some(d) if link_hash(&state.1, &table, fact_id, d) != hash => {
                    report.breaks.push(b(
                        "the row differs from its chained hash (edited behind jifen's back)",
                        "该记录与链上哈希不符（被绕过系统修改）",
                    ));
                    state.3 = true;
                }
                Some(_) => {
                    state.1 = hash;
                    state.2 += 1;
                }
            }
        }
    }
    finish(&cur, &mut heads);
    report.breaks.sort_by_key(|b| b.link_id);
    // Facts an audit row names but that are gone (their link deleted with them).
    let audit_rows: Vec<(i64, String)> = audit_log::table.select((audit_log::id, audit_log::facts)).load(conn)?;
    for (audit_id, facts) in audit_rows {
        for f in facts.split(' ') {
            let Some((t, id)) = f.split_once(':') else { continue };
            let (Some(i), Ok(id)) = (index(t), id.parse::<i64>()) else { continue };
            if !content.contains_key(&(i, id)) {
                report.breaks.push(brk(
                    t,
                    id,
                    "",
                    0,
                    i64::MAX,
                    &format!("audit row {audit_id} records this fact, but the row is gone"),
                    &format!("审计记录 {audit_id} 载有此事实，但该记录已不存在"),
                ));
            }
        }
    }
    let mut unchained: Vec<(usize, i64)> = content.keys().filter(|k| !chained.contains(k)).copied().collect();
    unchained.sort_unstable();
    for (i, id) in unchained {
        report.breaks.push(brk(
            CHAINED[i],
            id,
            "",
            0,
            i64::MAX,
            "the row has no link in any chain (inserted behind jifen's back)",
            "该记录不在任何哈希链上（被绕过系统插入）",
        ));
    }
    report.heads = hex(&heads.finalize());
    Ok(report)
}
