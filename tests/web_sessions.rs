//! The pages' sessions on both databases, without a browser: login, logout ends the session
//! on the server, CSRF refusal, the lock after 5 failures, idle and absolute expiry, a forced
//! password change, and tenancy (HR of A cannot open B's person: the 404 page).

mod common;
mod web_support;

use diesel::prelude::*;
use jifen::service::Caller;
use web_support::{world, Client, PASSWORD};

#[test]
fn login_shows_the_home_and_logout_ends_the_session_on_the_server() {
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        let mut c = Client::new(&s.base);
        let home = c.get("/");
        assert_eq!(home.status, 303, "{}: no session, to the login page", db.backend);
        assert_eq!(home.location.as_deref(), Some("/login?next=/"));
        let login = c.login("hr_a", PASSWORD);
        assert_eq!(login.status, 303, "{}: {}", db.backend, login.body);
        let cookie = c.cookies.get("jifen_session").cloned().expect("session cookie");
        let home = c.get("/");
        assert_eq!(home.status, 200);
        assert!(home.body.contains("济宁市第一人民医院") && home.body.contains("lang=\"zh-CN\""), "{}", home.body);
        assert!(home.body.contains(&w.a));
        let token = Client::csrf_of(&home.body);
        let out = c.post("/logout", &[("csrf_token", &token)]);
        assert_eq!((out.status, out.location.as_deref()), (303, Some("/login?msg=logged_out")));
        // The old cookie, sent again, opens nothing.
        c.cookies.insert("jifen_session".into(), cookie);
        assert_eq!(c.get("/").status, 303, "{}: the old cookie no longer works", db.backend);
        let trail = s.app.audit(&Caller::system(), "account:1").expect("audit");
        let actions: Vec<&str> = trail.iter().map(|r| r.action.as_str()).collect();
        assert!(actions.contains(&"login") && actions.contains(&"logout"), "{actions:?}");
    }
}

#[test]
fn a_form_without_its_csrf_token_is_refused() {
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        let mut c = Client::new(&s.base);
        assert_eq!(c.login("hr_a", PASSWORD).status, 303);
        let form = [
            ("institution_code", w.a.as_str()),
            ("personnel_code", "D370811000099"),
            ("name", "钱七"),
            ("id_number", "370811198001010999"),
            ("category", "physician"),
            ("registered_on", "2024-01-01"),
        ];
        let refused = c.post("/staff/register", &form);
        assert_eq!(refused.status, 403, "{}", db.backend);
        assert!(refused.body.contains("表单已失效"), "{}", refused.body);
        let wrong = c.post("/logout", &[("csrf_token", "not-the-token")]);
        assert_eq!(wrong.status, 403);
        assert_eq!(c.get("/").status, 200, "{}: the session is still there", db.backend);
        // The login form too: without its cookie's token, no login is tried.
        let mut other = Client::new(&s.base);
        let p = other.post("/login", &[("username", "hr_a"), ("password", PASSWORD), ("csrf_token", "x")]);
        assert_eq!(p.status, 403);
        assert!(!other.cookies.contains_key("jifen_session"));
    }
}

#[test]
fn five_failures_lock_the_account_and_the_message_never_says_whether_it_exists() {
    for db in common::all() {
        let s = common::spawn(&db);
        world(&s.app);
        let mut c = Client::new(&s.base);
        let unknown = c.login("nobody", "whatever-it-is");
        let wrong = c.login("hr_a", "wrong password 1");
        assert_eq!((unknown.status, wrong.status), (200, 200));
        let message = |b: &str| b.split("role=\"alert\">").nth(1).and_then(|s| s.split('<').next()).map(str::to_string);
        assert_eq!(message(&unknown.body), message(&wrong.body), "{}: the same words either way", db.backend);
        for k in 2..=5 {
            assert_eq!(c.login("hr_a", &format!("wrong password {k}")).status, 200);
        }
        // The sixth try, even with the right password, is refused: the account is locked.
        let sixth = c.login("hr_a", PASSWORD);
        assert_eq!(sixth.status, 200, "{}: locked", db.backend);
        assert_eq!(message(&sixth.body), message(&wrong.body));
        assert!(!c.cookies.contains_key("jifen_session"));
        let trail = s.app.audit(&Caller::system(), "account:1").expect("audit");
        assert!(trail.iter().any(|r| r.action == "account_locked"), "{}: the lock is audited", db.backend);
        // Another account is not affected.
        assert_eq!(Client::new(&s.base).login("hr_b", PASSWORD).status, 303);
        // An admin's password reset lifts the lock, and the person must choose a new password.
        s.app.reset_password(&Caller::system(), "hr_a", "temporary password").expect("reset");
        let after = c.login("hr_a", "temporary password");
        assert_eq!(after.location.as_deref(), Some("/account"), "{}", db.backend);
        assert_eq!(c.get("/staff").location.as_deref(), Some("/account"), "nothing else until changed");
        let token = c.session_csrf();
        let changed = c.post(
            "/account",
            &[
                ("csrf_token", &token),
                ("current_password", "temporary password"),
                ("new_password", "a new long password"),
                ("new_password_again", "a new long password"),
            ],
        );
        assert_eq!(changed.status, 303);
        assert_eq!(c.get("/staff").status, 200);
    }
}

#[test]
fn an_idle_session_and_one_past_its_end_are_refused() {
    use jifen::store::schema::sessions;
    for db in common::all() {
        let s = common::spawn(&db);
        world(&s.app);
        let mut c = Client::new(&s.base);
        assert_eq!(c.login("hr_a", PASSWORD).status, 303);
        assert_eq!(c.get("/").status, 200);
        let mut conn = s.app.conn().expect("conn");
        // 29 minutes without a request: still in.
        let now = jifen::store::now();
        diesel::update(sessions::table)
            .set(sessions::last_seen_at.eq(now - chrono::Duration::minutes(29)))
            .execute(&mut conn)
            .expect("move");
        assert_eq!(c.get("/").status, 200, "{}", db.backend);
        // 31 minutes: out, and the row is gone.
        diesel::update(sessions::table)
            .set(sessions::last_seen_at.eq(now - chrono::Duration::minutes(31)))
            .execute(&mut conn)
            .expect("move");
        assert_eq!(c.get("/").status, 303, "{}: idle for 31 minutes", db.backend);
        let left: i64 = sessions::table.count().get_result(&mut conn).expect("count");
        assert_eq!(left, 0);
        // Absolute end: 12 hours after the login, used or not.
        assert_eq!(c.login("hr_a", PASSWORD).status, 303);
        assert_eq!(c.get("/").status, 200);
        diesel::update(sessions::table)
            .set(sessions::expires_at.eq(jifen::store::now()))
            .execute(&mut conn)
            .expect("move");
        assert_eq!(c.get("/").status, 303, "{}: past its end", db.backend);
    }
}

#[test]
fn hr_of_one_hospital_gets_the_404_page_for_another_hospitals_person() {
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        let mut c = Client::new(&s.base);
        assert_eq!(c.login("hr_a", PASSWORD).status, 303);
        let own = c.get(&format!("/practitioners/{}", w.at_a[0]));
        assert_eq!(own.status, 200, "{}", db.backend);
        assert!(own.body.contains("张三"));
        let other = c.get(&format!("/practitioners/{}", w.at_b[0]));
        assert_eq!(other.status, 404, "{}", db.backend);
        assert!(other.body.contains("未找到") && !other.body.contains("王五"), "{}", other.body);
        // The staff list is always the hospital's own, whatever is asked.
        let staff = c.get(&format!("/staff?institution={}", w.b));
        assert!(staff.body.contains("张三") && !staff.body.contains("王五"));
        // A page of another role: 403 saying what it needs.
        let admin = c.get("/admin/accounts");
        assert_eq!(admin.status, 403);
        assert!(admin.body.contains("系统管理员（admin）"), "{}", admin.body);
        // Unknown pages are the 404 page; the API keeps its JSON 404.
        assert_eq!(c.get("/no-such-page").status, 404);
        let api = c.get("/api/v1/no-such-route");
        assert!(api.body.starts_with("{\"error\""), "{}", api.body);
    }
}

#[test]
fn hr_adds_and_deregisters_one_person_with_the_forms() {
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        let mut c = Client::new(&s.base);
        assert_eq!(c.login("hr_a", PASSWORD).status, 303);
        let token = c.session_csrf();
        let id = common::id_number("19900101", 77);
        let mut form = vec![
            ("csrf_token", token.as_str()),
            ("institution_code", w.a.as_str()),
            ("personnel_code", "D370811000077"),
            ("name", "孙八"),
            ("id_number", "370811199001010000"),
            ("category", "physician"),
            ("registered_on", "2024-05-01"),
        ];
        let refused = c.post("/staff/register", &form);
        assert_eq!(refused.status, 422, "{}: a wrong ID number", db.backend);
        assert!(refused.body.contains("身份证") && refused.body.contains("孙八"), "the form keeps its values");
        form[4] = ("id_number", id.as_str());
        let done = c.post("/staff/register", &form);
        assert_eq!(done.status, 303, "{}", done.body);
        let staff = c.get("/staff?msg=registered");
        assert!(staff.body.contains("孙八") && staff.body.contains("已登记备案"));
        let gone = c.post(
            "/staff/deregister",
            &[("csrf_token", &token), ("personnel_code", "D370811000077"), ("on", "2024-06-01")],
        );
        assert_eq!(gone.status, 303);
        assert!(!c.get("/staff").body.contains("孙八"));
    }
}
