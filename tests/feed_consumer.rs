//! The change feed as a consuming system sees it (issue 19). A consumer that knows nothing of
//! jifen's tables follows `GET /changes` from 0 while two writers apply random operations at
//! once (the generators of `tests/common/world.rs`), replaces its copy of each key with the
//! timeline it is given, and must then answer, for every day of the world and every
//! (practitioner, institution) pair, exactly what `POST /eligibility/check` answers. A second
//! consumer reads a few items at a time, stopping and resuming from its last number: it misses
//! nothing and sees nothing twice. On SQLite and (with TEST_DATABASE_URL) PostgreSQL.

mod common;

use std::collections::BTreeMap;

use common::world::{apply, day, op, person, setup, Op, INSTITUTIONS, PEOPLE};
use common::{call, TestServer};
use proptest::prelude::*;
use serde_json::{json, Value};

/// What a consumer holds: each key's last timeline, and the last number it applied.
#[derive(Default, Debug, PartialEq)]
struct Consumer {
    after: i64,
    keys: BTreeMap<String, Value>,
}

impl Consumer {
    /// Reads one page after its last number; checks the numbers run on from it with no hole
    /// and no repeat. Returns how many items it applied.
    fn poll(&mut self, s: &TestServer, limit: u32, wait: u32) -> usize {
        let url = format!("{}/changes?after={}&limit={limit}&wait={wait}", s.base, self.after);
        let (st, page) = call("GET", &url, Some(&s.admin), None, &[]);
        assert_eq!(st, 200, "{page}");
        let items = page["changes"].as_array().cloned().unwrap_or_default();
        for item in &items {
            let seq = item["seq"].as_i64().expect("seq");
            assert_eq!(seq, self.after + 1, "numbers run on with no hole and no repeat: {item}");
            self.after = seq;
            self.keys.insert(item["key"].to_string(), item["timeline"].clone());
        }
        assert_eq!(page["next_after"].as_i64(), Some(self.after), "{page}");
        assert!(page["head"].as_i64().unwrap_or(0) >= self.after, "{page}");
        items.len()
    }

    fn catch_up(&mut self, s: &TestServer, limit: u32) {
        while self.poll(s, limit, 0) > 0 {}
    }

    /// The consumer's own answer, from the documented rule: the status run covering the day;
    /// none, or `unregistered`, is `not_registered`; `active` is paid; anything else is refused
    /// with the status as its reason.
    fn answer(&self, personnel: &str, institution: &str, d: &str) -> (bool, String) {
        let key = json!({"kind": "pair", "personnel_code": personnel, "institution_code": institution}).to_string();
        let run = self.keys.get(&key).and_then(|t| {
            t["statuses"].as_array().and_then(|v| {
                v.iter()
                    .find(|r| r["from"].as_str().is_some_and(|f| f <= d) && r["until"].as_str().is_none_or(|u| d < u))
                    .cloned()
            })
        });
        match run.as_ref().and_then(|r| r["status"].as_str()) {
            None | Some("unregistered") => (false, "not_registered".into()),
            Some("active") => (true, "active".into()),
            Some(other) => (false, other.into()),
        }
    }
}

fn world(db: &common::TestDb, ops: &[Op]) {
    let s = common::spawn(db);
    setup(&s.app);
    // Two writers at once, each with its own half of the operations.
    let halves: Vec<Vec<(usize, Op)>> =
        (0..2).map(|w| ops.iter().cloned().enumerate().filter(|(k, _)| k % 2 == w).collect()).collect();
    let writers: Vec<_> = halves
        .into_iter()
        .enumerate()
        .map(|(w, half)| {
            let app = s.app.clone();
            std::thread::spawn(move || {
                let mut deductions = Vec::new();
                for (k, op) in half {
                    apply(&app, &format!("w{w}"), k, &op, &mut deductions);
                }
            })
        })
        .collect();
    // The consumer follows while they write (a long poll, woken by their commits).
    let mut live = Consumer::default();
    while !writers.iter().all(|w| w.is_finished()) {
        live.poll(&s, 1000, 1);
    }
    for w in writers {
        w.join().expect("writer");
    }
    live.catch_up(&s, 1000);
    // Another consumer, three items at a time, starting again from what it kept each time.
    let mut resumed = Consumer::default();
    loop {
        let kept = Consumer { after: resumed.after, keys: std::mem::take(&mut resumed.keys) };
        resumed = kept;
        if resumed.poll(&s, 3, 0) == 0 {
            break;
        }
    }
    assert_eq!(resumed, live, "a consumer that stops and resumes holds what one that never stopped holds");
    // Every day of the world, every pair: the consumer answers what the server answers.
    let first = day(0) - chrono::Duration::days(320);
    let days: Vec<String> = (0..1500).map(|n| (first + chrono::Duration::days(n)).to_string()).collect();
    let mut lines = Vec::new();
    let mut expected = Vec::new();
    for p in 0..PEOPLE + 1 {
        for inst in INSTITUTIONS {
            for d in &days {
                lines.push(json!({"personnel_code": person(p), "institution_code": inst, "service_date": d}));
                expected.push(((person(p), inst, d.clone()), live.answer(&person(p), inst, d)));
            }
        }
    }
    let (st, body) =
        call("POST", &format!("{}/eligibility/check", s.base), Some(&s.admin), Some(&json!({"lines": lines})), &[]);
    assert_eq!(st, 200, "{body}");
    let answers = body["lines"].as_array().expect("lines");
    assert_eq!(answers.len(), expected.len());
    for (served, (what, mine)) in answers.iter().zip(&expected) {
        let served =
            (served["payable"].as_bool().unwrap_or(false), served["reason"].as_str().unwrap_or("").to_string());
        assert_eq!(&served, mine, "{what:?} ({})", db.backend);
    }
    // The institutions' own timelines are in the feed too.
    for inst in INSTITUTIONS {
        let key = json!({"kind": "institution", "institution_code": inst}).to_string();
        assert!(live.keys.contains_key(&key), "{inst} in the feed");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn a_consumer_of_the_feed_answers_what_the_server_answers(ops in prop::collection::vec(op(), 5..30)) {
        for db in common::all() {
            world(&db, &ops);
        }
    }
}
