//! The exclusion list and its change feed (issue 19), through the real server: the full lists
//! with their causes and articles, masking and scope by role, `ETag`/`Last-Modified` and 304,
//! the feed's numbering and long poll, and the signed daily files. On SQLite and PostgreSQL.

mod common;

use common::world::{apply, day, person, setup, Op, A, B};
use common::{call, TestServer};
use jifen::service::tokens::Role;
use jifen::service::Caller;
use serde_json::Value;

fn get(s: &TestServer, token: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String, Vec<(String, String)>) {
    let mut req = ureq::get(&format!("{}{path}", s.base)).set("Authorization", &format!("Bearer {token}"));
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let res = match req.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    let st = res.status();
    let hs = ["etag", "last-modified"]
        .iter()
        .filter_map(|h| res.header(h).map(|v| (h.to_string(), v.to_string())))
        .collect();
    (st, res.into_string().unwrap_or_default(), hs)
}

fn header<'a>(hs: &'a [(String, String)], name: &str) -> &'a str {
    hs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("no {name}"))
}

/// p0 (at A) suspended by 6 points on day 10; B suspended from day 20 for 30 days (p1, p3).
fn world(s: &TestServer) {
    setup(&s.app);
    let mut d = Vec::new();
    apply(&s.app, "", 0, &Op::Inspect(0, 10, 13), &mut d);
    apply(&s.app, "", 1, &Op::Suspend(1, 20, 30), &mut d);
}

fn items(body: &str, key: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(body).expect("json");
    v[key].as_array().cloned().unwrap_or_default()
}

#[test]
fn the_full_lists_say_who_is_refused_why_and_since_when() {
    for db in common::all() {
        let s = common::spawn(&db);
        world(&s);
        let on = day(25);
        let (st, body, _) = get(&s, &s.admin, &format!("/exports/status-list.json?date={on}"), &[]);
        assert_eq!(st, 200, "{body}");
        let list = items(&body, "practitioners");
        let row = |p: usize| list.iter().find(|r| r["personnel_code"] == person(p).as_str()).cloned();
        let p0 = row(0).expect("p0 listed");
        assert_eq!((p0["institution_code"].as_str(), p0["status"].as_str()), (Some(A), Some("suspended")), "{p0}");
        assert_eq!(
            (p0["from"].as_str(), p0["article"].as_str()),
            (Some(&*day(10).to_string()), Some("五(一)")),
            "{p0}"
        );
        assert_eq!(p0["until"].as_str(), Some(&*(day(10) + chrono::Months::new(3)).to_string()), "{p0}");
        assert_eq!(p0["cause"].as_str(), Some("band"), "{p0}");
        assert_eq!(p0["name"].as_str(), Some("测*"), "admin sees the list masked: {p0}");
        for p in [1, 3] {
            let r = row(p).expect("staff of B listed");
            assert_eq!(
                (r["institution_code"].as_str(), r["status"].as_str()),
                (Some(B), Some("institution_suspended")),
                "{r}"
            );
            assert_eq!(
                (r["from"].as_str(), r["until"].as_str()),
                (Some(&*day(20).to_string()), Some(&*day(50).to_string())),
                "{r}"
            );
            assert_eq!(r["reason"].as_str(), Some("r"), "{r}");
        }
        assert!(row(2).is_none(), "p2 is paid: {body}");
        assert_eq!(list.len(), 3, "{body}");
        let (st, body, _) = get(&s, &s.admin, &format!("/exports/institution-status-list.json?date={on}"), &[]);
        assert_eq!(st, 200, "{body}");
        let insts = items(&body, "institutions");
        assert_eq!(insts.len(), 1, "{body}");
        assert_eq!((insts[0]["institution_code"].as_str(), insts[0]["status"].as_str()), (Some(B), Some("suspended")));
        assert_eq!(insts[0]["until"].as_str(), Some(&*day(50).to_string()), "{body}");
        // The CSV keeps the first list's columns and adds at the end.
        let (_, csv, _) = get(&s, &s.admin, &format!("/exports/status-list.csv?date={on}"), &[]);
        let head = csv.trim_start_matches('\u{feff}').lines().next().unwrap_or_default().to_string();
        assert!(head.starts_with("医保对应代码,姓名,身份证号码,医保支付资格类别,处理,起始日期,截止日期（恢复/可重新签约）,依据,执业机构,定点医药机构编码,状态"), "{head}");
        let (st, xlsx, _) = get(&s, &s.admin, &format!("/exports/institution-status-list.xlsx?date={on}"), &[]);
        assert_eq!(st, 200, "{xlsx}");

        // Masking and scope by role.
        let officer = s.app.create_token(Role::Officer, None, None).unwrap();
        let settlement = s.app.create_token(Role::Settlement, None, None).unwrap();
        let hr_a = s.app.create_token(Role::Hr, Some(A), None).unwrap();
        let (_, body, _) = get(&s, &officer, &format!("/exports/status-list.json?date={on}"), &[]);
        assert!(items(&body, "practitioners").iter().all(|r| r["name"] == "测试"), "officers see names: {body}");
        let (_, body, _) = get(&s, &settlement, &format!("/exports/status-list.json?date={on}"), &[]);
        let l = items(&body, "practitioners");
        assert!(l.len() == 3 && l.iter().all(|r| r["name"] == "测*"), "settlement: every row, masked: {body}");
        let (_, body, _) = get(&s, &hr_a, &format!("/exports/status-list.json?date={on}"), &[]);
        let l = items(&body, "practitioners");
        assert!(l.len() == 1 && l[0]["institution_code"] == A, "hr: its own staff only: {body}");
        let (_, body, _) = get(&s, &hr_a, &format!("/exports/institution-status-list.json?date={on}"), &[]);
        assert!(items(&body, "institutions").is_empty(), "hr of A does not see B: {body}");
        let (st, _) = call("GET", &format!("{}/exports/status-list.json", s.base), None, None, &[]);
        assert_eq!(st, 401);
    }
}

#[test]
fn a_poller_gets_304_until_something_changes() {
    for db in common::all() {
        let s = common::spawn(&db);
        world(&s);
        let path = format!("/exports/status-list.csv?date={}", day(25));
        let (st, first, hs) = get(&s, &s.admin, &path, &[]);
        assert_eq!(st, 200);
        let (etag, modified) = (header(&hs, "etag").to_string(), header(&hs, "last-modified").to_string());
        let (st, body, _) = get(&s, &s.admin, &path, &[("If-None-Match", &etag)]);
        assert_eq!((st, body.as_str()), (304, ""));
        let (st, _, _) = get(&s, &s.admin, &path, &[("If-Modified-Since", &modified)]);
        assert_eq!(st, 304);
        // p2 suspended too: the list changes, and so does its tag.
        apply(&s.app, "", 2, &Op::Inspect(2, 12, 13), &mut Vec::new());
        let (st, second, hs) = get(&s, &s.admin, &path, &[("If-None-Match", &etag)]);
        assert_eq!(st, 200);
        assert_ne!(header(&hs, "etag"), etag);
        assert_ne!(first, second);
    }
}

#[test]
fn the_feed_is_numbered_without_holes_and_a_long_poll_wakes_on_a_commit() {
    for db in common::all() {
        let s = common::spawn(&db);
        world(&s);
        let hr = s.app.create_token(Role::Hr, Some(A), None).unwrap();
        let settlement = s.app.create_token(Role::Settlement, None, None).unwrap();
        let (st, _) = call("GET", &format!("{}/changes", s.base), Some(&hr), None, &[]);
        assert_eq!(st, 403, "hr gets no feed");
        let (st, b) = call("GET", &format!("{}/changes?limit=x", s.base), Some(&settlement), None, &[]);
        assert_eq!((st, b["error"]["field"].as_str()), (422, Some("limit")), "{b}");
        let (st, page) = call("GET", &format!("{}/changes?after=0", s.base), Some(&settlement), None, &[]);
        assert_eq!(st, 200, "{page}");
        let seqs: Vec<i64> = page["changes"].as_array().unwrap().iter().map(|c| c["seq"].as_i64().unwrap()).collect();
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "1, 2, 3…: {page}");
        let head = page["head"].as_i64().unwrap();
        assert_eq!(head, seqs.len() as i64);
        // p0 at A: registered, then suspended for 3 months, with the article.
        let p0 = page["changes"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|c| c["key"]["personnel_code"] == person(0).as_str())
            .expect("p0 in the feed");
        assert_eq!(p0["key"]["institution_code"], A);
        assert_eq!(p0["timeline"]["registrations"][0]["from"], "2023-06-01");
        let statuses = p0["timeline"]["statuses"].as_array().unwrap();
        assert!(statuses.iter().any(|r| r["status"] == "suspended" && r["article"] == "五(一)"), "{p0}");
        // Nothing after the head: an empty page once the wait is over.
        let (st, empty) = call("GET", &format!("{}/changes?after={head}&wait=1", s.base), Some(&settlement), None, &[]);
        assert_eq!((st, empty["changes"].as_array().map(Vec::len)), (200, Some(0)), "{empty}");
        // A long poll is answered by the next commit, whenever it comes.
        let url = format!("{}/changes?after={head}&wait=60", s.base);
        let poller = std::thread::spawn(move || call("GET", &url, Some(&settlement), None, &[]));
        apply(&s.app, "", 3, &Op::Deregister(2, 300), &mut Vec::new());
        let (st, page) = poller.join().unwrap();
        assert_eq!(st, 200, "{page}");
        let first = &page["changes"][0];
        assert_eq!(
            (first["seq"].as_i64(), first["key"]["personnel_code"].as_str()),
            (Some(head + 1), Some(&*person(2))),
            "{page}"
        );
        assert_eq!(first["timeline"]["registrations"][0]["until"], day(300).to_string());
    }
}

#[test]
fn a_signed_daily_file_fails_verification_when_one_byte_changes() {
    let db = common::sqlite();
    let s = common::spawn(&db);
    world(&s);
    let dir = tempfile::tempdir().unwrap();
    let (secret, public) = jifen::service::feed::files::generate_key();
    let key = jifen::service::feed::files::signing_key(&secret).unwrap();
    let today = jifen::domain::dates::today_china();
    let names = s.app.write_daily_files(&Caller::system(), today, dir.path(), &key).unwrap();
    assert!(names.iter().any(|n| n == &format!("changes-{today}.json")), "{names:?}");
    let checked = jifen::service::feed::files::verify_dir(dir.path(), &public).expect("verifies");
    assert_eq!(checked.len(), names.len() - 2, "every file but the sums and the signature");
    let changes: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(format!("changes-{today}.json"))).unwrap()).unwrap();
    assert_eq!(changes["first_seq"].as_i64(), Some(1), "today's changes are all of them: {changes}");
    // One byte changed in one file.
    let path = dir.path().join(format!("status-list-{today}.json"));
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[5] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let err = jifen::service::feed::files::verify_dir(dir.path(), &public).unwrap_err();
    assert!(err.contains("status-list"), "{err}");
    bytes[5] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    jifen::service::feed::files::verify_dir(dir.path(), &public).expect("restored");
    // One byte changed in the list of sums: the signature no longer matches.
    let sums = dir.path().join("SHA256SUMS");
    let mut bytes = std::fs::read(&sums).unwrap();
    bytes[0] = if bytes[0] == b'0' { b'1' } else { b'0' };
    std::fs::write(&sums, &bytes).unwrap();
    let err = jifen::service::feed::files::verify_dir(dir.path(), &public).unwrap_err();
    assert!(err.contains("signature"), "{err}");
    // Another key does not verify it either.
    let (_, other) = jifen::service::feed::files::generate_key();
    assert!(jifen::service::feed::files::verify_dir(dir.path(), &other).is_err());
}

#[test]
fn a_read_replica_follows_the_feed_instead_of_reloading() {
    for db in common::all() {
        let s = common::spawn(&db);
        world(&s);
        // A replica's server, on the same database here (streaming replication in production).
        let replica = jifen::service::App::open_read_only(&db.url).unwrap();
        let mut after = replica.feed_head().unwrap();
        let d = day(400);
        assert_eq!(replica.index.site_status(&person(2), A, d).map(|x| x.as_str()), Some("active"));
        // p2 suspended on the primary: the replica's index knows once it has read the feed.
        apply(&s.app, "", 7, &Op::Inspect(2, 399, 13), &mut Vec::new());
        assert_eq!(replica.index.site_status(&person(2), A, d).map(|x| x.as_str()), Some("active"), "not yet read");
        after = replica.follow_feed(after).unwrap();
        assert_eq!(after, s.app.feed_head().unwrap());
        assert_eq!(replica.index.site_status(&person(2), A, d).map(|x| x.as_str()), Some("suspended"));
        // Nothing new: nothing read, nothing changed.
        assert_eq!(replica.follow_feed(after).unwrap(), after);
    }
}
