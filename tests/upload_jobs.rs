//! Progress of a large upload (issue 11): the use-case reports reading, checking and writing;
//! the command line shows each phase; over HTTP `?async=true` answers 202 with a job whose
//! `GET /api/v1/jobs/{id}` gives the phase and rows and, once finished, the same answer or error
//! as the synchronous call — to the caller who started it only; the training-test page draws a
//! `<progress>` bar through htmx and still answers synchronously without it. Both databases.

mod common;
mod web_support;

use std::time::{Duration, Instant};

use jifen::service::batches::BatchOptions;
use jifen::service::progress::{Phase, Progress};
use jifen::service::tokens::Role;
use jifen::service::{App, Caller};
use serde_json::Value;
use web_support::{account, Client, Page, PASSWORD};

/// The page tests' world (two hospitals, two people at each); the test file of three of them
/// (the third contradicts its score).
fn staff(app: &App) -> String {
    let w = web_support::world(app);
    let mut file = String::from("医保对应代码,姓名,测试日期,成绩,是否合格\n");
    for (code, name, passed) in
        [(&w.at_a[0], "张三", "合格"), (&w.at_a[1], "李四", "合格"), (&w.at_b[0], "王五", "不合格")]
    {
        file.push_str(&format!("{code},{name},2024-06-01,85.5,{passed}\n"));
    }
    file
}

#[test]
fn the_use_case_reports_reading_checking_and_writing() {
    for db in common::all() {
        let app = App::open(&db.url).unwrap();
        let file = staff(&app);
        let mut seen: Vec<Progress> = Vec::new();
        let opts = BatchOptions { commit: true, partial: true };
        let r = app
            .upload_tests(&Caller::system(), std::io::Cursor::new(file.into_bytes()), opts, &mut |p| seen.push(p))
            .unwrap();
        assert!(r.committed && r.counts.accepted == 2, "{} {r:?}", db.backend);
        let mut phases: Vec<Phase> = seen.iter().map(|p| p.phase).collect();
        phases.dedup();
        assert_eq!(phases, [Phase::Reading, Phase::Checking, Phase::Writing], "{}", db.backend);
        let last = |phase| seen.iter().rev().find(|p| p.phase == phase).copied().unwrap();
        assert_eq!(last(Phase::Reading).rows_done, 3, "{}", db.backend);
        assert_eq!(last(Phase::Checking).rows_total, Some(3), "{}", db.backend);
        assert_eq!(last(Phase::Writing).rows_total, Some(2), "{}: the accepted rows", db.backend);
    }
}

fn raw(method: &str, url: &str, token: &str, body: Option<&str>) -> (u16, Option<String>, Value) {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let req = agent.request(method, url).set("Authorization", &format!("Bearer {token}"));
    let res = match body {
        Some(b) => req.set("Content-Type", "text/csv").send_string(b),
        None => req.call(),
    };
    let res = match res {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    let (status, location) = (res.status(), res.header("location").map(str::to_string));
    (status, location, res.into_json().unwrap_or(Value::Null))
}

/// Asks for the job until it has finished.
fn finished(base: &str, url: &str, token: &str) -> Value {
    let root = base.trim_end_matches("/api/v1");
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let (st, _, v) = raw("GET", &format!("{root}{url}"), token, None);
        assert_eq!(st, 200, "{v}");
        if v["state"] != "running" {
            return v;
        }
        assert!(Instant::now() < until, "the job never finished: {v}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_async_upload_is_a_job_only_its_caller_sees() {
    for db in common::all() {
        let s = common::spawn(&db);
        let file = staff(&s.app);
        // The synchronous answer, as a preview; then the same request as a job.
        let (st, _, sync) = raw("POST", &format!("{}/training-tests/batch", s.base), &s.admin, Some(&file));
        assert_eq!(st, 200, "{} {sync}", db.backend);
        let (st, location, started) =
            raw("POST", &format!("{}/training-tests/batch?async=true", s.base), &s.admin, Some(&file));
        assert_eq!(st, 202, "{} {started}", db.backend);
        let url = started["url"].as_str().unwrap().to_string();
        assert_eq!(location.as_deref(), Some(url.as_str()));
        let job = finished(&s.base, &url, &s.admin);
        assert_eq!((&job["state"], &job["status"], &job["phase"]), (&"done".into(), &200.into(), &"done".into()));
        assert_eq!(job["result"]["counts"], sync["counts"], "{}: the same answer", db.backend);
        assert_eq!(job["result"]["rejected"], sync["rejected"], "{}", db.backend);
        // Nobody else sees it: another agency token, HR, a settlement system.
        let agency = s.app.create_token(Role::Agency, None, None).unwrap();
        let hr = s.app.create_token(Role::Hr, Some("H37081100001"), None).unwrap();
        let settlement = s.app.create_token(Role::Settlement, None, None).unwrap();
        let root = s.base.trim_end_matches("/api/v1");
        for (token, expected) in [(&agency, 404), (&hr, 404), (&settlement, 403)] {
            let (st, _, v) = raw("GET", &format!("{root}{url}"), token, None);
            assert_eq!(st, expected, "{} {v}", db.backend);
        }
        // A commit as a job writes as the synchronous commit does.
        let (st, _, started) = raw(
            "POST",
            &format!("{}/training-tests/batch?commit=true&partial=true&async=true", s.base),
            &s.admin,
            Some(&file),
        );
        assert_eq!(st, 202, "{started}");
        let job = finished(&s.base, started["url"].as_str().unwrap(), &s.admin);
        assert_eq!(job["result"]["committed"], true, "{} {job}", db.backend);
        assert_eq!(job["result"]["counts"]["accepted"], 2, "{} {job}", db.backend);
        // A refused file: the job fails with the synchronous call's status and error.
        let bad = "检查编号,医保对应代码\nR1,D370811000001\n";
        let (st, _, sync) = raw("POST", &format!("{}/inspections/batch", s.base), &s.admin, Some(bad));
        assert_eq!(st, 422, "{sync}");
        let (st, _, started) = raw("POST", &format!("{}/inspections/batch?async=true", s.base), &s.admin, Some(bad));
        assert_eq!(st, 202, "{started}");
        let job = finished(&s.base, started["url"].as_str().unwrap(), &s.admin);
        assert_eq!((&job["state"], &job["status"]), (&"failed".into(), &422.into()), "{} {job}", db.backend);
        assert_eq!(job["error"], sync["error"], "{}: the same error", db.backend);
        // A roster as a job: its report, as the synchronous preview gives it.
        let roster = format!(
            "姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间\n孙七,{},医保医师,D370811000007,2024-01-01\n",
            common::id_number("19850101", 7)
        );
        let url = format!("{}/rosters/H37081100001?mode=delta", s.base);
        let (st, _, sync) = raw("POST", &url, &s.admin, Some(&roster));
        assert_eq!(st, 200, "{sync}");
        let (st, _, started) = raw("POST", &format!("{url}&async=true"), &s.admin, Some(&roster));
        assert_eq!(st, 202, "{started}");
        let job = finished(&s.base, started["url"].as_str().unwrap(), &s.admin);
        assert_eq!((&job["kind"], &job["result"]["counts"]), (&"roster".into(), &sync["counts"]), "{job}");
    }
}

/// The page: with htmx the upload answers a progress bar that asks again until the preview
/// replaces it; without JavaScript the form answers the preview itself.
#[test]
fn the_training_test_page_draws_a_progress_bar_and_works_without_javascript() {
    const BOUNDARY: &str = "----jifen-jobs-boundary";
    for db in common::all() {
        let s = common::spawn(&db);
        let file = staff(&s.app);
        account(&s.app, "agency", "agency", None);
        let mut c = Client::new(&s.base);
        assert_eq!(c.login("agency", PASSWORD).status, 303);
        let token = c.session_csrf();
        let body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"tests.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n{file}\r\n--{BOUNDARY}--\r\n"
        );
        let post = |htmx: bool| -> Page {
            let cookie = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            let mut req = ureq::AgentBuilder::new()
                .redirects(0)
                .build()
                .post(&format!("{}/training-tests/preview", c.root))
                .set("Cookie", &cookie)
                .set("Content-Type", &format!("multipart/form-data; boundary={BOUNDARY}"));
            if htmx {
                req = req.set("HX-Request", "true");
            }
            let res = match req.send_bytes(body.as_bytes()) {
                Ok(r) => r,
                Err(ureq::Error::Status(_, r)) => r,
                Err(e) => panic!("{e}"),
            };
            Page { status: res.status(), location: None, body: res.into_string().unwrap_or_default() }
        };
        let plain = post(false);
        assert_eq!(plain.status, 200, "{}", db.backend);
        assert!(plain.body.contains("bad-cell") && !plain.body.contains("<progress"), "{}", plain.body);
        let bar = post(true);
        assert_eq!(bar.status, 200, "{} {}", db.backend, bar.body);
        assert!(bar.body.contains("<progress"), "{}", bar.body);
        let at = bar.body.find("hx-get=\"").expect("the bar asks again") + "hx-get=\"".len();
        let poll = bar.body[at..bar.body[at..].find('"').unwrap() + at].replace("&amp;", "&");
        assert!(poll.starts_with("/training-tests/jobs/"), "{poll}");
        let until = Instant::now() + Duration::from_secs(60);
        let page = loop {
            let p = c.get(&poll);
            assert_eq!(p.status, 200, "{}", p.body);
            if !p.body.contains("<progress") {
                break p;
            }
            assert!(Instant::now() < until, "never finished");
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(page.body.contains("bad-cell") && page.body.contains("与是否合格"), "{}", page.body);
        // Another account cannot follow it.
        account(&s.app, "agency2", "agency", None);
        let mut other = Client::new(&s.base);
        assert_eq!(other.login("agency2", PASSWORD).status, 303);
        assert_eq!(other.get(&poll).status, 404, "{}", db.backend);
    }
}

#[test]
fn the_command_line_shows_each_phase() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db").to_string_lossy().into_owned();
    let file = staff(&App::open(&db).unwrap());
    let path = dir.path().join("tests.csv");
    std::fs::write(&path, file).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jifen"))
        .args(["--database-url", &db, "import", "tests", path.to_str().unwrap(), "--commit", "--partial"])
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}{stderr}");
    for phase in ["reading / 读取文件", "checking / 逐行检查: 3 rows", "writing / 写入: 2 rows"] {
        assert!(stderr.contains(phase), "{phase}: {stderr}");
    }
    assert!(stdout.contains("committed"), "{stdout}");
}
