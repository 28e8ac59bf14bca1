//! The pages in a real browser (headless Chromium through chromedriver, Debian's packages),
//! on the synthetic city: HR logs in and sees its home, uploads a GBK roster through the file
//! input, sees the rejected row highlighted, commits the good rows and finds the new people in
//! the staff list; the person page answers for a past date; HR of A gets the 404 page for B's
//! person; a form without its CSRF token is refused; the sixth try after five wrong passwords
//! is refused; logout ends the session. axe-core (vendored) checks every page: no serious or
//! critical violation. Screenshots at 1366×768 go to docs/screenshots/.
//!
//! Skipped, saying so, when chromium or chromedriver is not installed.

mod common;
#[path = "web_support/steps.rs"]
mod steps;
#[path = "web_support/mod.rs"]
mod web_support;
#[path = "web_support/webdriver.rs"]
mod webdriver;

use std::path::PathBuf;

use jifen::rules::SanctionKind;
use jifen::service::Caller;
use serde_json::json;
use steps::{axe, login, logout, shots};
use webdriver::Driver;

/// A roster in GBK, as Excel saves it on a Chinese Windows: two new people and one bad row.
fn gbk_roster(region: &str) -> (tempfile::TempDir, PathBuf, [String; 2]) {
    let codes = [format!("D{region}900001"), format!("D{region}900002")];
    let text = format!(
        "姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间\r\n\
         周一,{},医保医师,{},2024-03-01\r\n\
         吴二,{},医保医师,{},2024-03-01\r\n\
         郑三,370811198001019999,医保医师,D{region}900003,2024-03-01\r\n",
        common::id_number("19850101", 901),
        codes[0],
        common::id_number("19860101", 902),
        codes[1],
    );
    let (bytes, _, _) = encoding_rs::GBK.encode(&text);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("花名册.csv");
    std::fs::write(&path, bytes).expect("write roster");
    (dir, path, codes)
}

#[test]
fn hr_works_in_the_browser_and_every_page_passes_axe() {
    if !webdriver::installed() {
        println!("skipped: chromium/chromedriver not installed (apt-get install chromium chromium-driver)");
        return;
    }
    let driver = Driver::start();
    for (k, db) in common::all().into_iter().enumerate() {
        let shoot = k == 0;
        let s = common::spawn(&db);
        let root = s.base.trim_end_matches("/api/v1").to_string();
        let world = jifen::demo::generate(11, 1_500);
        jifen::demo::load(&s.app, &Caller::system(), &world, &mut |_| {}).expect("demo city");
        // A person suspended once, and the hospital where they work: HR of that hospital.
        let (person, suspended_on) = world
            .people
            .iter()
            .find_map(|p| {
                let (_, t) = s.app.timeline(&p.code).ok()?;
                t.sanctions.iter().find(|x| x.kind == SanctionKind::Suspension).map(|x| (p, x.starts_on))
            })
            .expect("someone suspended in the demo city");
        let a = world.institutions[person.sites[0]].code.clone();
        let other =
            world.people.iter().find(|p| !p.sites.iter().any(|&i| world.institutions[i].code == a)).expect("another");
        web_support::account(&s.app, "hr", "hr", Some(&a));
        web_support::account(&s.app, "hr_lock", "hr", Some(&a));
        web_support::account(&s.app, "admin", "admin", None);
        let pw = web_support::PASSWORD;
        let b = driver.session();
        let shot = |name: &str| {
            if shoot {
                b.screenshot(&shots().join(format!("{name}.png")));
            }
        };

        // The public lookup, no login.
        b.go(&format!("{root}/lookup?code={}", person.code));
        b.find("section.card h2");
        axe(&b, "/lookup");
        shot("lookup");

        // Login as HR: the home with the hospital's figures.
        b.go(&format!("{root}/login"));
        axe(&b, "/login");
        shot("login");
        login(&b, &root, "hr", pw);
        let h1 = b.text(&b.find("main h1"));
        let name = world.institutions[person.sites[0]].name.clone();
        assert_eq!(h1, name, "{}: HR's home is the hospital's", db.backend);
        assert!(b.try_find("meter#cascade-meter").is_some());
        axe(&b, "/");
        shot("home-hr");

        b.go(&format!("{root}/staff"));
        b.find("#staff-table tbody tr");
        axe(&b, "/staff");
        shot("staff");

        // The person page for a past date: suspended then.
        b.go(&format!("{root}/practitioners/{}?date={suspended_on}", person.code));
        let status = b.text(&b.find("#h-status"));
        assert!(status.contains("中止"), "{}: on {suspended_on}: {status}", db.backend);
        axe(&b, "/practitioners");
        shot("practitioner");

        // Roster: a GBK file through the file input, the bad row highlighted, the good rows in.
        let (_dir, file, codes) = gbk_roster(&a[1..7]);
        b.go(&format!("{root}/roster"));
        axe(&b, "/roster");
        b.choose_file(&b.find("#file"), &file.to_string_lossy());
        b.click(&b.find("form[action='/roster/preview'] button[type=submit]"));
        let bad = b.find("#preview tr.rejected td.bad-cell");
        assert_eq!(b.text(&bad), "370811198001019999", "{}: the ID number cell is the one outlined", db.backend);
        assert!(b.source().contains("周一"), "the added people are listed");
        axe(&b, "/roster preview");
        b.run("document.querySelector('#preview').scrollIntoView();");
        shot("roster-preview");
        b.click(&b.find("#preview button[name=partial][value=true]"));
        b.find("#preview p.ok");
        shot("roster-committed");
        b.go(&format!("{root}/staff?q={}", codes[0]));
        assert!(b.source().contains("周一"), "{}: the new person is on the staff list", db.backend);
        b.go(&format!("{root}/staff?q=吴二"));
        assert!(b.source().contains(&codes[1]));

        for (path, name) in
            [("/notices", "notices"), ("/interview-orders", "interview-orders"), ("/objections", "objections")]
        {
            b.go(&format!("{root}{path}"));
            b.find("main h1");
            axe(&b, path);
            shot(name);
        }

        // Another hospital's person: the 404 page.
        b.go(&format!("{root}/practitioners/{}", other.code));
        assert!(b.text(&b.find("main h1")).contains("404"), "{}", db.backend);
        axe(&b, "404");

        // A form whose CSRF token was removed is refused.
        b.go(&format!("{root}/staff"));
        b.run("document.querySelectorAll('#deregister input[name=csrf_token]').forEach(e => e.remove());");
        b.type_into(&b.find("#d_code"), &codes[0]);
        b.click(&b.find("#deregister button[type=submit]"));
        b.wait_until("the refusal", |b| b.current_url().ends_with("/staff/deregister"));
        assert!(b.text(&b.find("main h1")).contains("表单已失效"), "{}", db.backend);
        b.go(&format!("{root}/staff?q={}", codes[0]));
        assert!(b.source().contains("周一"), "nothing was deregistered");

        // Logout ends the session: the old cookie, put back, opens nothing.
        let old = b
            .cookies()
            .as_array()
            .and_then(|c| c.iter().find(|c| c["name"] == "jifen_session").cloned())
            .expect("cookie");
        logout(&b);
        b.add_cookie(json!({"name": "jifen_session", "value": old["value"], "path": "/"}));
        b.go(&format!("{root}/staff"));
        b.find("#username");
        assert!(b.current_url().contains("/login"), "{}", db.backend);

        // Five wrong passwords, then the right one: still refused.
        for n in 1..=5 {
            login(&b, &root, "hr_lock", &format!("wrong password {n}"));
            b.find("p.error");
        }
        login(&b, &root, "hr_lock", pw);
        assert!(b.text(&b.find("p.error")).contains("锁定"), "{}: locked", db.backend);
        assert!(b.current_url().contains("/login"));

        // The admin's pages.
        login(&b, &root, "admin", pw);
        assert!(!b.current_url().contains("/login"), "{}: admin logged in", db.backend);
        b.go(&format!("{root}/admin/accounts"));
        b.find("main table");
        axe(&b, "/admin/accounts");
        shot("admin-accounts");
        b.go(&format!("{root}/staff?institution={a}"));
        b.find("#staff-table");
        axe(&b, "/staff as admin");
    }
}
