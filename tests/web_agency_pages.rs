//! The agency's and the admin's pages without a browser, on both databases: every new form is
//! refused without its CSRF token; HR cannot open the agency's pages (the 403 page) nor another
//! hospital's institution page (the 404 page); the training-test upload previews and commits
//! the good rows; a suspension shows its effect on the staff before anything is written; the
//! cases are decided with their forms; tokens are shown once and revoked; the calendar and the
//! audit trail pages answer.

mod common;
mod web_support;

use jifen::service::institutions::SuspendInstitution;
use jifen::service::training_tests::NewTrainingTest;
use jifen::service::Caller;
use web_support::{account, world, Client, Page, PASSWORD};

const BOUNDARY: &str = "----jifen-test-boundary";

/// A multipart form body: text fields, then one file.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    if let Some((name, file_name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn post_multipart(c: &Client, path: &str, body: &[u8]) -> Page {
    let cookie = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let res = agent
        .post(&format!("{}{path}", c.root))
        .set("Cookie", &cookie)
        .set("Content-Type", &format!("multipart/form-data; boundary={BOUNDARY}"))
        .send_bytes(body);
    let res = match res {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    let status = res.status();
    let location = res.header("location").map(str::to_string);
    Page { status, location, body: res.into_string().unwrap_or_default() }
}

/// The value of the hidden `upload_id` field of a preview.
fn upload_id(body: &str) -> String {
    let at = body.find("name=\"upload_id\" value=\"").expect("an upload_id field");
    let rest = &body[at + "name=\"upload_id\" value=\"".len()..];
    rest[..rest.find('"').expect("end")].to_string()
}

#[test]
fn every_new_form_is_refused_without_its_csrf_token() {
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        account(&s.app, "agency", "agency", None);
        for (user, forms) in [
            (
                "agency",
                vec![
                    "/training-tests/pass-mark",
                    "/training-tests/revoke",
                    "/training-tests/commit",
                    "/institutions",
                    "/termination-cases/1/decide",
                    "/cascade-cases/1/decide",
                ],
            ),
            ("admin", vec!["/admin/tokens", "/admin/tokens/1/revoke"]),
        ] {
            let mut c = Client::new(&s.base);
            assert_eq!(c.login(user, PASSWORD).status, 303);
            for path in forms {
                let p = c.post(path, &[("year", "2026"), ("mark", "70"), ("reason", "x"), ("decision", "none")]);
                assert_eq!(p.status, 403, "{}: {path} without a token", db.backend);
                assert!(p.body.contains("表单已失效"), "{path}: {}", p.body);
                let p = c.post(path, &[("csrf_token", "not-the-token"), ("year", "2026"), ("mark", "70")]);
                assert_eq!(p.status, 403, "{}: {path} with another token", db.backend);
            }
            for (action, field) in [("suspend", "from"), ("restore", "on"), ("terminate", "on")] {
                let path = format!("/institutions/{}/{action}", w.a);
                let p = c.post(&path, &[(field, "2026-11-01"), ("reason", "x"), ("confirmed", "yes")]);
                assert_eq!(p.status, 403, "{}: {path}", db.backend);
            }
            // The multipart forms: the upload preview and the calendar.
            for path in ["/training-tests/preview", "/admin/calendar"] {
                let body = multipart(&[], Some(("file", "a.csv", b"x")));
                let p = post_multipart(&c, path, &body);
                assert_eq!(p.status, 403, "{}: {path}", db.backend);
            }
        }
        // Nothing was written: no pass mark, the agreement in force.
        let mark = s.app.pass_mark(&Caller::system(), 2026).expect("pass mark");
        assert!(!mark.set_by_agency, "{}", db.backend);
        let a = s.app.institution(&Caller::system(), &w.a, chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap());
        assert_eq!(a.expect("institution").status, "active");
    }
}

#[test]
fn hr_gets_the_403_page_for_the_agencys_pages_and_the_404_page_for_another_hospital() {
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        let mut c = Client::new(&s.base);
        assert_eq!(c.login("hr_a", PASSWORD).status, 303);
        let tests = c.get("/training-tests");
        assert_eq!(tests.status, 403, "{}", db.backend);
        assert!(tests.body.contains("医保经办机构（agency）"), "the page says who may: {}", tests.body);
        for path in ["/termination-cases", "/cascade-cases", "/admin/tokens", "/admin/calendar", "/admin/audit"] {
            assert_eq!(c.get(path).status, 403, "{}: {path}", db.backend);
        }
        let other = c.get(&format!("/institutions/{}", w.b));
        assert_eq!(other.status, 404, "{}", db.backend);
        assert!(other.body.contains("未找到") && !other.body.contains("济宁市中医院"), "{}", other.body);
        // Its own institution: the agreement, no forms.
        let own = c.get(&format!("/institutions/{}", w.a));
        assert_eq!(own.status, 200, "{}", db.backend);
        assert!(own.body.contains("济宁市第一人民医院") && own.body.contains("cascade-meter"));
        assert!(!own.body.contains("/suspend\""), "no agreement forms for HR");
        // The list: its own only.
        let list = c.get("/institutions");
        assert!(list.body.contains(&w.a) && !list.body.contains(&w.b), "{}", list.body);
        // And the forms refuse it even with its token.
        let token = c.session_csrf();
        let p = c.post(
            &format!("/institutions/{}/suspend", w.a),
            &[("csrf_token", &token), ("from", "2026-11-01"), ("reason", "x"), ("confirmed", "yes")],
        );
        assert_eq!(p.status, 403, "{}", db.backend);
        let p = c.post("/training-tests/pass-mark", &[("csrf_token", &token), ("year", "2026"), ("mark", "70")]);
        assert_eq!(p.status, 403, "{}", db.backend);
        let p = c.post(
            &format!("/institutions/{}/suspend", w.b),
            &[("csrf_token", &token), ("from", "2026-11-01"), ("reason", "x")],
        );
        assert_eq!(p.status, 403, "{}: no role to change an agreement, whichever", db.backend);
    }
}

#[test]
fn the_agency_uploads_tests_sets_the_pass_mark_and_revokes_a_test() {
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        account(&s.app, "agency", "agency", None);
        let mut c = Client::new(&s.base);
        assert_eq!(c.login("agency", PASSWORD).status, 303);
        let page = c.get("/training-tests");
        assert_eq!(page.status, 200, "{}: {}", db.backend, page.body);
        assert!(page.body.contains("60") && page.body.contains("政策默认值"), "the default pass mark");
        let token = Client::csrf_of(&page.body);
        // The pass mark.
        let set = c.post("/training-tests/pass-mark", &[("csrf_token", &token), ("year", "2026"), ("mark", "70")]);
        assert_eq!((set.status, set.location.as_deref()), (303, Some("/training-tests?year=2026&msg=pass_mark_set")));
        let page = c.get("/training-tests?year=2026&msg=pass_mark_set");
        assert!(page.body.contains("<strong>70</strong>") && page.body.contains("经办机构设定"), "{}", page.body);
        let bad = c.post("/training-tests/pass-mark", &[("csrf_token", &token), ("year", "2026"), ("mark", "0")]);
        assert_eq!(bad.status, 422, "{}", db.backend);
        // A file with a good row, a row whose score contradicts the result, an unknown person.
        let csv = format!(
            "医保对应代码,姓名,测试日期,成绩,是否合格\r\n{},张三,2026-10-15,85,合格\r\n{},李四,2026-10-15,65,合格\r\nD370811999999,无名,2026-10-15,90,合格\r\n",
            w.at_a[0], w.at_a[1]
        );
        let body = multipart(&[("csrf_token", &token)], Some(("file", "tests.csv", csv.as_bytes())));
        let preview = post_multipart(&c, "/training-tests/preview", &body);
        assert_eq!(preview.status, 200, "{}: {}", db.backend, preview.body);
        assert!(preview.body.contains("bad-cell"), "the rejected cell is highlighted");
        assert!(preview.body.contains("与是否合格"), "the reason: {}", preview.body);
        assert!(preview.body.contains("未登记备案"));
        let id = upload_id(&preview.body);
        // Commit all: refused, nothing written.
        let all = c.post("/training-tests/commit", &[("csrf_token", &token), ("upload_id", &id), ("partial", "false")]);
        assert_eq!(all.status, 422, "{}", db.backend);
        assert!(all.body.contains("没有写入任何数据"));
        let rejected = c.get(&format!("/training-tests/{id}/rejected.csv"));
        assert_eq!(rejected.status, 200);
        assert!(rejected.body.contains("错误原因") && rejected.body.contains("D370811999999"));
        // The good row.
        let good = c.post("/training-tests/commit", &[("csrf_token", &token), ("upload_id", &id), ("partial", "true")]);
        assert_eq!(good.status, 200, "{}: {}", db.backend, good.body);
        assert!(good.body.contains("已写入 1 条"), "{}", good.body);
        let list = c.get("/training-tests?year=2026");
        assert!(list.body.contains(&w.at_a[0]) && !list.body.contains(&w.at_a[1]), "{}", list.body);
        assert!(list.body.contains("100.0"), "the pass rate");
        // Another agency session cannot commit this upload.
        let mut other = Client::new(&s.base);
        account(&s.app, "agency2", "agency", None);
        assert_eq!(other.login("agency2", PASSWORD).status, 303);
        let t2 = other.session_csrf();
        let p = other.post("/training-tests/commit", &[("csrf_token", &t2), ("upload_id", &id), ("partial", "true")]);
        assert_eq!(p.status, 422, "{}: not its upload", db.backend);
        assert_eq!(other.get(&format!("/training-tests/{id}/rejected.csv")).status, 404);
        // Revoke the test with a reason.
        let test_id = s.app.training_test_year(&Caller::system(), 2026, &Default::default()).expect("tests").lines[0]
            .id
            .to_string();
        let no_reason =
            c.post("/training-tests/revoke", &[("csrf_token", &token), ("test_id", &test_id), ("on", "2026-11-01")]);
        assert_eq!(no_reason.status, 422, "{}", db.backend);
        let done = c.post(
            "/training-tests/revoke",
            &[
                ("csrf_token", &token),
                ("test_id", &test_id),
                ("on", "2026-11-01"),
                ("reason", "录错人员"),
                ("year", "2026"),
            ],
        );
        assert_eq!(done.status, 303, "{}: {}", db.backend, done.body);
        let list = c.get("/training-tests?year=2026");
        assert!(list.body.contains("已撤销：录错人员"), "{}", list.body);
    }
}

#[test]
fn a_suspension_shows_its_effect_on_the_staff_before_it_is_confirmed() {
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        account(&s.app, "agency", "agency", None);
        let mut c = Client::new(&s.base);
        assert_eq!(c.login("agency", PASSWORD).status, 303);
        let page = c.get(&format!("/institutions/{}", w.a));
        assert_eq!(page.status, 200, "{}: {}", db.backend, page.body);
        let token = Client::csrf_of(&page.body);
        let path = format!("/institutions/{}/suspend", w.a);
        let form = [
            ("csrf_token", token.as_str()),
            ("from", "2026-11-01"),
            ("reason", "违规使用医保基金"),
            ("article", "聊城 第二十九条"),
        ];
        let preview = c.post(&path, &form);
        assert_eq!(preview.status, 200, "{}: {}", db.backend, preview.body);
        assert!(preview.body.contains("在册人员 <strong>2</strong> 人"), "{}", preview.body);
        assert!(preview.body.contains("name=\"confirmed\" value=\"yes\""));
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let before = s.app.institution(&Caller::system(), &w.a, day).expect("institution");
        assert_eq!(before.status, "active", "{}: nothing written before the confirmation", db.backend);
        let mut confirmed = form.to_vec();
        confirmed.push(("confirmed", "yes"));
        let done = c.post(&path, &confirmed);
        assert_eq!(done.status, 303, "{}: {}", db.backend, done.body);
        let after = c.get(done.location.as_deref().expect("back to the page"));
        assert!(after.body.contains("医保协议已中止") && after.body.contains("聊城 第二十九条"), "{}", after.body);
        let status = s.app.institution(&Caller::system(), &w.a, day).expect("institution").status;
        assert_eq!(status, "suspended");
        // A restore before the suspension starts is refused with the reason, on the page.
        let token = c.session_csrf();
        let early = c.post(&format!("/institutions/{}/restore", w.a), &[("csrf_token", &token), ("on", "2026-10-01")]);
        assert_eq!(early.status, 422, "{}", db.backend);
        assert!(early.body.contains("未处于中止状态"), "{}", early.body);
        // Register an institution with the form; a wrong code is refused on the page.
        let form = [
            ("csrf_token", token.as_str()),
            ("code", "H37081100009"),
            ("name", "济宁市第三医院"),
            ("kind", "medical"),
            ("agreement_start", "2026-01-01"),
            ("agreement_end", "2026-12-31"),
        ];
        let made = c.post("/institutions", &form);
        assert_eq!(made.status, 303, "{}: {}", db.backend, made.body);
        assert!(c.get("/institutions?q=第三").body.contains("H37081100009"));
        let mut wrong = form.to_vec();
        wrong[1] = ("code", "X1");
        let refused = c.post("/institutions", &wrong);
        assert_eq!(refused.status, 422, "{}", db.backend);
        assert!(refused.body.contains("济宁市第三医院"), "the form keeps its values");
    }
}

#[test]
fn cases_are_decided_with_their_forms() {
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        account(&s.app, "agency", "agency", None);
        let sys = Caller::system();
        // A failed test terminates one of A's two people: 50 % ≥ 30 %, a 五(三) case opens.
        s.app
            .record_test(
                &sys,
                &NewTrainingTest {
                    personnel_code: w.at_a[0].clone(),
                    tested_on: "2026-10-15".into(),
                    format: "closed".into(),
                    score: None,
                    passed: false,
                    retake: false,
                    retake_reason: None,
                    delivery: None,
                },
            )
            .expect("failed test");
        // Two suspensions of B in its term: a termination case opens.
        for (from, until) in [("2026-03-01", "2026-04-01"), ("2026-06-01", "2026-07-01")] {
            let req = SuspendInstitution {
                from: from.into(),
                until: Some(until.into()),
                reason: "违规".into(),
                article: None,
                requested: None,
                requested_on: None,
                department: None,
                intent_id: None,
                statement_response: None,
                statement_adopted: None,
            };
            s.app.suspend_institution(&sys, &w.b, &req).expect("suspend");
        }
        let mut c = Client::new(&s.base);
        assert_eq!(c.login("agency", PASSWORD).status, 303);
        let list = c.get("/termination-cases");
        assert_eq!(list.status, 200, "{}: {}", db.backend, list.body);
        assert!(list.body.contains("济宁市中医院") && list.body.contains("第2次中止"), "{}", list.body);
        let token = Client::csrf_of(&list.body);
        let id = s.app.termination_cases(&sys).expect("cases")[0].id;
        let done = c.post(
            &format!("/termination-cases/{id}/decide"),
            &[("csrf_token", &token), ("decision", "defer"), ("on", "2026-11-01"), ("reason", "已整改")],
        );
        assert_eq!(done.status, 303, "{}: {}", db.backend, done.body);
        assert!(c.get("/termination-cases").body.contains("暂缓解除（说明理由）：已整改"));
        // The 30 % case: the agency reads it, but only officers and admins decide it.
        let cascade = c.get("/cascade-cases");
        assert_eq!(cascade.status, 200, "{}", db.backend);
        assert!(cascade.body.contains("1/2") && !cascade.body.contains("decide\""), "{}", cascade.body);
        let cid = s.app.cascade_cases(&sys).expect("cases")[0].id;
        let refused = c.post(
            &format!("/cascade-cases/{cid}/decide"),
            &[("csrf_token", &token), ("decision", "none"), ("on", "2026-11-01"), ("reason", "x")],
        );
        assert_eq!(refused.status, 403, "{}", db.backend);
        let mut admin = Client::new(&s.base);
        assert_eq!(admin.login("admin", PASSWORD).status, 303);
        let t = admin.session_csrf();
        let no_reason = admin.post(
            &format!("/cascade-cases/{cid}/decide"),
            &[("csrf_token", &t), ("decision", "suspend"), ("on", "2026-11-01"), ("reason", "")],
        );
        assert_eq!(no_reason.status, 422, "{}", db.backend);
        let decided = admin.post(
            &format!("/cascade-cases/{cid}/decide"),
            &[
                ("csrf_token", &t),
                ("decision", "suspend"),
                ("on", "2026-11-01"),
                ("until", "2027-02-01"),
                ("reason", "比例过高"),
            ],
        );
        assert_eq!(decided.status, 303, "{}: {}", db.backend, decided.body);
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        assert_eq!(s.app.institution(&sys, &w.a, day).expect("a").status, "suspended");
    }
}

#[test]
fn the_admin_creates_a_token_shown_once_and_revokes_it() {
    for db in common::all() {
        let s = common::spawn(&db);
        world(&s.app);
        let mut c = Client::new(&s.base);
        assert_eq!(c.login("admin", PASSWORD).status, 303);
        let page = c.get("/admin/tokens");
        assert_eq!(page.status, 200, "{}: {}", db.backend, page.body);
        let token = Client::csrf_of(&page.body);
        let made = c.post(
            "/admin/tokens",
            &[
                ("csrf_token", &token),
                ("label", "市医保结算系统"),
                ("role", "settlement"),
                ("expires_on", "2030-12-31"),
            ],
        );
        assert_eq!(made.status, 200, "{}: {}", db.backend, made.body);
        let at = made.body.find("value=\"jf_").expect("the secret is shown");
        let secret: String = made.body[at + 7..].chars().take_while(|c| *c != '"').collect();
        assert!(secret.starts_with("jf_"));
        let (status, _) = common::call(
            "POST",
            &format!("{}/eligibility/check", s.base),
            Some(&secret),
            Some(&serde_json::json!({"lines": []})),
            &[],
        );
        assert_eq!(status, 200, "{}: the new token works", db.backend);
        let again = c.get("/admin/tokens");
        assert!(again.body.contains("市医保结算系统") && !again.body.contains(&secret), "shown once");
        assert!(again.body.contains("2030-12-31"));
        let past =
            c.post("/admin/tokens", &[("csrf_token", &token), ("role", "settlement"), ("expires_on", "2020-01-01")]);
        assert_eq!(past.status, 422, "{}", db.backend);
        let id = s
            .app
            .tokens()
            .expect("tokens")
            .iter()
            .find(|t| t.label.as_deref() == Some("市医保结算系统"))
            .expect("t")
            .id;
        let gone = c.post(&format!("/admin/tokens/{id}/revoke"), &[("csrf_token", &token)]);
        assert_eq!(gone.status, 303, "{}", db.backend);
        assert!(c.get("/admin/tokens?msg=token_revoked").body.contains("已吊销"));
        let trail = s.app.audit(&Caller::system(), &format!("token:{id}")).expect("audit");
        let actions: Vec<&str> = trail.iter().map(|r| r.action.as_str()).collect();
        assert!(
            actions.iter().any(|a| a.starts_with("token_create"))
                && actions.iter().any(|a| a.starts_with("token_revoke")),
            "{actions:?}"
        );
        // The audit page finds it.
        let audit = c.get(&format!("/admin/audit?target=token:{id}"));
        assert_eq!(audit.status, 200);
        assert!(audit.body.contains("token_revoke"), "{}", audit.body);
    }
}

#[test]
fn the_admin_uploads_next_years_calendar() {
    for db in common::all() {
        let s = common::spawn(&db);
        world(&s.app);
        let mut c = Client::new(&s.base);
        assert_eq!(c.login("admin", PASSWORD).status, 303);
        let page = c.get("/admin/calendar");
        assert_eq!(page.status, 200, "{}: {}", db.backend, page.body);
        let token = Client::csrf_of(&page.body);
        let bad = multipart(&[("csrf_token", &token), ("text", "year = 2031\nholidays = [\"2031-02-30\"]\n")], None);
        let refused = post_multipart(&c, "/admin/calendar", &bad);
        assert_eq!(refused.status, 422, "{}: {}", db.backend, refused.body);
        assert!(refused.body.contains("日历文件有误"), "{}", refused.body);
        let toml = "year = 2031\nsource = \"测试用\"\nholidays = [\"2031-01-01\"]\nworkdays = []\n";
        let body = multipart(&[("csrf_token", &token)], Some(("file", "2031.toml", toml.as_bytes())));
        let done = post_multipart(&c, "/admin/calendar", &body);
        assert_eq!(done.status, 303, "{}: {}", db.backend, done.body);
        assert!(c.get("/admin/calendar?msg=calendar_uploaded").body.contains("测试用"));
    }
}

#[test]
fn a_county_officer_sees_the_institutions_and_cases_of_its_county_only() {
    use jifen::service::accounts::NewAccount;
    use jifen::service::institutions::NewInstitution;
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        let sys = Caller::system();
        let other = NewInstitution {
            code: "H37081200001".into(),
            name: "兖州区人民医院".into(),
            kind: "medical".into(),
            region_code: None,
            agreement_start: "2023-01-01".into(),
            agreement_end: "2030-12-31".into(),
            public: None,
            organization_code: None,
            legal_representative: None,
        };
        s.app.create_institution(&sys, &other).expect("institution in 370812");
        let officer = NewAccount {
            username: "officer_812".into(),
            password: PASSWORD.into(),
            role: "officer".into(),
            institution_code: None,
            region_code: Some("370812".into()),
        };
        s.app.create_account(&sys, &officer).expect("officer");
        let mut c = Client::new(&s.base);
        assert_eq!(c.login("officer_812", PASSWORD).status, 303);
        let list = c.get("/institutions");
        assert_eq!(list.status, 200, "{}", db.backend);
        assert!(list.body.contains("H37081200001") && !list.body.contains(&w.a), "{}: {}", db.backend, list.body);
        assert_eq!(c.get(&format!("/institutions/{}", w.a)).status, 404, "{}: another county", db.backend);
        let own = c.get("/institutions/H37081200001");
        assert_eq!(own.status, 200, "{}", db.backend);
        assert!(own.body.contains("/suspend\""), "an officer changes agreements of its county");
        // Its county's agreement: the effect first; another county's: the 404 page.
        let token = Client::csrf_of(&own.body);
        let p = c.post(
            &format!("/institutions/{}/suspend", w.a),
            &[("csrf_token", &token), ("from", "2026-11-01"), ("reason", "x")],
        );
        assert_eq!(p.status, 404, "{}", db.backend);
        assert_eq!(c.get("/termination-cases").status, 200);
        assert_eq!(c.get("/training-tests").status, 403, "{}: the agency's page", db.backend);
    }
}

#[test]
fn pass_rates_count_the_age_on_the_test_day_as_the_rules_do() {
    use jifen::service::registrations::NewRegistration;
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        let sys = Caller::system();
        // 50 on the test day (open book), and 49 until the next day (closed book), a leap-day
        // birthday, then a failed test: the age groups as `age_on` counts them.
        let people = [
            ("D370811000091", "19761015", "open", true),
            ("D370811000092", "19761016", "closed", true),
            ("D370811000093", "19760229", "open", false),
        ];
        for (k, (code, birth, format, passed)) in people.iter().enumerate() {
            let reg = NewRegistration {
                institution_code: w.a.clone(),
                personnel_code: code.to_string(),
                name: format!("测试{k}"),
                id_number: common::id_number(birth, 90 + k as u32),
                category: "physician".into(),
                registered_on: "2023-01-01".into(),
                phone: None,
            };
            s.app.register(&sys, &reg).expect("register");
            let test = NewTrainingTest {
                personnel_code: code.to_string(),
                tested_on: "2026-10-15".into(),
                format: format.to_string(),
                score: None,
                passed: *passed,
                retake: false,
                retake_reason: None,
                delivery: None,
            };
            s.app.record_test(&sys, &test).expect("test");
        }
        let year = s.app.training_test_year(&sys, 2026, &Default::default()).expect("year");
        let rates: Vec<(u32, u32)> = year.by_age.iter().map(|r| (r.tested, r.passed)).collect();
        assert_eq!(rates, vec![(1, 1), (2, 1)], "{}: under 50, then 50 and over", db.backend);
        let formats: Vec<(u32, u32)> = year.by_format.iter().map(|r| (r.tested, r.passed)).collect();
        assert_eq!(formats, vec![(1, 1), (2, 1)], "{}: closed, then open", db.backend);
        assert_eq!((year.all.tested, year.all.passed, year.all.percent()), (3, 2, "66.7".to_string()));
    }
}
