//! The agency's and the admin's pages in a real browser (headless Chromium through
//! chromedriver), on the synthetic city: the agency uploads a training-test CSV through the
//! file input, sees the rejected row outlined, commits the good rows, sets the year's pass mark,
//! decides an objection from its queue, and sees a suspension's effect on the staff before
//! confirming it; the admin creates a token (shown once), opens the calendar and searches the
//! audit trail. axe-core (vendored) checks every page: no serious or critical violation.
//! Screenshots at 1366×768 go to docs/screenshots/ (agency-*.png, admin-*.png).
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

use chrono::Datelike;
use jifen::service::institutions::SuspendInstitution;
use jifen::service::objections::NewObjection;
use jifen::service::Caller;
use steps::{axe, login, logout, shots};
use webdriver::Driver;

/// This year's results as a test centre sends them: one good row, one whose score contradicts
/// the result under the default pass mark (60).
fn tests_csv(good: (&str, &str), bad: (&str, &str), tested_on: &str) -> (tempfile::TempDir, PathBuf) {
    let text = format!(
        "医保对应代码,姓名,测试日期,成绩,是否合格\r\n{},{},{tested_on},88,合格\r\n{},{},{tested_on},35,合格\r\n",
        good.0, good.1, bad.0, bad.1
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("培训测试结果.csv");
    std::fs::write(&path, text).expect("write tests");
    (dir, path)
}

#[test]
fn the_agency_and_the_admin_work_in_the_browser_and_every_page_passes_axe() {
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
        let sys = Caller::system();
        let today = jifen::domain::dates::today_china();
        // A deduction of the demo city, objected to by its hospital: the agency's queue.
        let insp = world.inspections.iter().rev().find(|i| !i.violations.is_empty()).expect("an inspection");
        let a = world.institutions[insp.institution].code.clone();
        let deduction = s
            .app
            .institution_deductions(&sys, &a, insp.decided_on.year())
            .expect("deductions")
            .into_iter()
            .find(|d| d.revoked_on.is_none())
            .expect("a deduction");
        let objection = s
            .app
            .file_objection(
                &sys,
                deduction.id,
                &NewObjection {
                    filed_on: (deduction.decided_on + chrono::Duration::days(3)).to_string(),
                    grounds: "检查当日病历已补全，附补记记录".into(),
                    institution_code: None,
                },
            )
            .expect("objection");
        // Two people of that hospital for the test file.
        let staff: Vec<&jifen::demo::world::Person> =
            world.people.iter().filter(|p| world.institutions[p.sites[0]].code == a).take(2).collect();
        assert_eq!(staff.len(), 2, "two people at {a}");
        // A hospital suspended twice in its term: a termination case for the agency to decide.
        let twice = world
            .institutions
            .iter()
            .map(|i| i.code.clone())
            .find(|c| {
                *c != a && c.starts_with('H') && s.app.institution(&sys, c, today).is_ok_and(|v| v.status == "active")
            })
            .expect("another hospital");
        for (from, until) in [("2026-03-02", "2026-04-01"), ("2026-06-01", "2026-07-01")] {
            let req = SuspendInstitution {
                from: from.into(),
                until: Some(until.into()),
                reason: "病历不规范，责令整改".into(),
                article: Some("聊城 第二十九条".into()),
                requested: None,
                requested_on: None,
                department: None,
                intent_id: None,
                statement_response: None,
                statement_adopted: None,
            };
            s.app.suspend_institution(&sys, &twice, &req).expect("suspend");
        }
        web_support::account(&s.app, "agency", "agency", None);
        web_support::account(&s.app, "admin", "admin", None);
        let pw = web_support::PASSWORD;
        let b = driver.session();
        let shot = |name: &str| {
            if shoot {
                b.screenshot(&shots().join(format!("{name}.png")));
            }
        };

        // The agency's home.
        login(&b, &root, "agency", pw);
        assert!(!b.current_url().contains("/login"), "{}: the agency logged in", db.backend);
        axe(&b, "/ (agency)");
        shot("agency-home");

        // Training tests: the CSV through the file input, the bad row outlined, the good rows in.
        let tested_on = today - chrono::Duration::days(1);
        let (_dir, file) =
            tests_csv((&staff[0].code, &staff[0].name), (&staff[1].code, &staff[1].name), &tested_on.to_string());
        b.go(&format!("{root}/training-tests"));
        b.find("main h1");
        axe(&b, "/training-tests");
        b.choose_file(&b.find("#file"), &file.to_string_lossy());
        b.click(&b.find("form[action='/training-tests/preview'] button[type=submit]"));
        let bad = b.find("#preview tr.rejected td.bad-cell");
        assert_eq!(b.text(&bad), "合格", "{}: the 是否合格 cell is the one outlined", db.backend);
        assert!(b.text(&b.find("#preview tr.rejected")).contains("矛盾"), "{}: the reason is shown", db.backend);
        axe(&b, "/training-tests preview");
        b.run("document.querySelector('#preview').scrollIntoView();");
        shot("agency-tests-preview");
        b.click(&b.find("#preview button[name=partial][value=true]"));
        let done = b.find("#preview p.ok");
        assert!(b.text(&done).contains("已写入 1 条"), "{}: {}", db.backend, b.text(&done));
        b.go(&format!("{root}/training-tests?year={}&q={}", tested_on.year(), staff[0].code));
        assert!(b.source().contains(&staff[0].name), "{}: the test is on the list", db.backend);

        // The pass mark.
        b.go(&format!("{root}/training-tests?year={}", tested_on.year()));
        b.type_into(&b.find("#pm_mark"), "65");
        b.click(&b.find("form[action='/training-tests/pass-mark'] button[type=submit]"));
        b.wait_until("the pass mark saved", |b| b.current_url().contains("msg=pass_mark_set"));
        assert!(b.text(&b.find("p.flash")).contains("合格分数线已保存"), "{}", db.backend);
        assert!(b.text(&b.find("#h-mark + p")).contains("65"), "{}", db.backend);
        b.go(&format!("{root}/training-tests?year=2025"));
        b.find("#tests");
        axe(&b, "/training-tests?year=2025");
        b.run("document.querySelector('.heading-row').scrollIntoView();");
        shot("agency-training-tests");

        // The objection queue: reject with evidence; the deadline to escalate is shown.
        b.go(&format!("{root}/objections?status=pending"));
        let card = format!("#o{}", objection.id);
        b.find(&card);
        axe(&b, "/objections (agency)");
        b.run(&format!("document.querySelector('{card}').scrollIntoView();"));
        shot("agency-objections");
        b.type_into(&b.find(&format!("#evidence_{}", objection.id)), "复核病历原件，补记时间晚于检查，维持扣分");
        b.click(&b.find(&format!("{card} form[action$='/decide'] button[type=submit]")));
        b.wait_until("the decision", |b| b.current_url().contains("msg=objection_decided"));
        assert!(b.text(&b.find(&card)).contains("驳回"), "{}", db.backend);
        assert!(b.text(&b.find(&card)).contains("申请复核截止日"), "{}: the escalation deadline", db.backend);

        // Institutions: the list, one agreement, a suspension's effect before it is confirmed.
        b.go(&format!("{root}/institutions"));
        b.find("main table tbody tr");
        axe(&b, "/institutions");
        shot("agency-institutions");
        b.go(&format!("{root}/institutions/{a}"));
        b.find("#cascade-meter");
        axe(&b, "/institutions/{code}");
        shot("agency-institution");
        b.type_into(&b.find("#s_reason"), "违规使用医保基金，责令整改");
        b.type_into(&b.find("#s_article"), "聊城 第二十九条");
        b.click(&b.find("#suspend button[type=submit]"));
        let effect = b.text(&b.find("#effect"));
        assert!(effect.contains("在册人员"), "{}: {effect}", db.backend);
        assert_eq!(b.text(&b.find("#i-status")), "正常", "{}: nothing changed yet", db.backend);
        axe(&b, "/institutions/{code} confirmation");
        b.run("document.querySelector('#confirm').scrollIntoView();");
        shot("agency-suspend-confirm");
        b.click(&b.find("#confirm button[type=submit]"));
        b.wait_until("the suspension", |b| b.current_url().contains("msg=suspended"));
        assert_eq!(b.text(&b.find("#i-status")), "中止", "{}", db.backend);

        // The cases: the termination case decided with its form; the 30 % cases read.
        b.go(&format!("{root}/termination-cases"));
        b.find("main h1");
        assert!(b.source().contains(&twice), "{}: the case of {twice}", db.backend);
        axe(&b, "/termination-cases");
        shot("agency-termination-cases");
        let case = b.find("section.card[id^=case]");
        let _ = case;
        b.type_into(&b.find("section.card[id^=case] textarea[name=reason]"), "已按期整改，暂不解除");
        b.click(&b.find("section.card[id^=case] button[type=submit]"));
        b.wait_until("the case decided", |b| b.current_url().contains("msg=case_decided"));
        assert!(b.source().contains("暂缓解除（说明理由）：已按期整改"), "{}", db.backend);
        b.go(&format!("{root}/cascade-cases"));
        b.find("main h1");
        axe(&b, "/cascade-cases");
        shot("agency-cascade-cases");
        logout(&b);

        // The admin: a token shown once, the calendar, the audit trail.
        login(&b, &root, "admin", pw);
        b.go(&format!("{root}/admin/tokens"));
        b.type_into(&b.find("#label"), "市医保结算系统");
        b.click(&b.find("form[action='/admin/tokens'] button[type=submit]"));
        let secret = b.find("#secret");
        let value = b.run("return document.querySelector('#secret').value;");
        assert!(value.as_str().is_some_and(|v| v.starts_with("jf_")), "{}: {value}", db.backend);
        let _ = secret;
        axe(&b, "/admin/tokens");
        shot("admin-tokens");
        b.go(&format!("{root}/admin/tokens"));
        assert!(b.try_find("#secret").is_none(), "{}: shown once", db.backend);
        b.go(&format!("{root}/admin/calendar"));
        b.find("main table");
        axe(&b, "/admin/calendar");
        shot("admin-calendar");
        b.go(&format!("{root}/admin/audit?target={a}"));
        b.find("main table tbody tr");
        assert!(b.source().contains("suspend"), "{}: the suspension is in the trail", db.backend);
        axe(&b, "/admin/audit");
        shot("admin-audit");
    }
}
