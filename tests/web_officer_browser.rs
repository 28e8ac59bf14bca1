//! The officer's workbench and the dashboard in a real browser (headless Chromium through
//! chromedriver), on the synthetic city: an officer logs in, searches a person, opens the
//! inspection form, picks items for two people (one narrowed by words of the catalogue), sees
//! the preview say "6 分，暂停 3 个月 至 …", confirms with a double click and a replayed post and
//! still gets one inspection, sees the person suspended with the notice issued and the points
//! chart drawn; revokes a deduction from the person page; a county officer gets the 404 page
//! for another county's person and institution; the dashboard draws every chart (the SVG is not
//! empty, its table has rows) with no error in the console; axe-core finds no serious or
//! critical violation on any new page; the dashboard narrowed to one category; the batch
//! violations file uploaded as .xlsx with one bad row highlighted and the good ones committed.
//! Screenshots at 1366×768 go to docs/screenshots/.
//!
//! Skipped, saying so, when chromium or chromedriver is not installed.

mod common;
#[path = "web_support/steps.rs"]
mod steps;
#[path = "web_support/mod.rs"]
mod web_support;
#[path = "web_support/webdriver.rs"]
mod webdriver;

use jifen::rules::PersonalStatus;
use jifen::service::accounts::NewAccount;
use jifen::service::{App, Caller};
use steps::{axe, logout, shots};
use webdriver::{Browser, Driver};

/// No JavaScript error or refused resource since the last look (the browser's own favicon
/// request aside).
fn no_console_errors(b: &Browser, page: &str) {
    let errors: Vec<String> = b.console_errors().into_iter().filter(|e| !e.contains("favicon.ico")).collect();
    assert!(errors.is_empty(), "console on {page}: {errors:?}");
}

fn login(b: &Browser, root: &str, username: &str) {
    b.go(&format!("{root}/login"));
    b.type_into(&b.find("#username"), username);
    b.type_into(&b.find("#password"), web_support::PASSWORD);
    b.click(&b.find("form[action='/login'] button[type=submit]"));
    b.wait_until("the home page", |b| !b.current_url().contains("/login"));
}

fn account(app: &App, username: &str, region: Option<&str>) {
    let req = NewAccount {
        username: username.into(),
        password: web_support::PASSWORD.into(),
        role: "officer".into(),
        institution_code: None,
        region_code: region.map(str::to_string),
    };
    app.create_account(&Caller::system(), &req).expect("officer account");
}

/// Sets a form control's value from a script (a date input, a datalist input).
fn set_value(b: &Browser, css: &str, value: &str) {
    b.run(&format!(
        "const e = document.querySelector({css:?}); e.value = {value:?}; e.dispatchEvent(new Event('change', {{bubbles: true}}));"
    ));
}

fn select_items(b: &Browser, select: &str, codes: &[&str]) {
    for code in codes {
        b.run(&format!("document.querySelector('{select} option[value=\"{code}\"]').selected = true;"));
    }
}

/// An institution of 任城区 (370811) with four people active today: (institution, people, the
/// first one's name).
fn active_people(app: &App, world: &jifen::demo::World) -> (String, Vec<String>, String) {
    let today = jifen::domain::dates::today_china();
    for (k, inst) in world.institutions.iter().enumerate() {
        if inst.region != "370811" {
            continue;
        }
        let active: Vec<&jifen::demo::world::Person> = world
            .people
            .iter()
            .filter(|p| p.sites == vec![k])
            .filter(|p| {
                app.status(&Caller::system(), &p.code, today).is_ok_and(|s| {
                    s.status.status == PersonalStatus::Active
                        && s.status.cycle_total == 0
                        && s.status.banned_until.is_none()
                })
            })
            .take(4)
            .collect();
        if active.len() == 4 {
            return (inst.code.clone(), active.iter().map(|p| p.code.clone()).collect(), active[0].name.clone());
        }
    }
    panic!("no institution of 370811 with four active people");
}

/// Inspections of three cycles for one person: 10 points in 2024 (suspended 3, then 6 months),
/// 10 in 2025 (6 months), 9 in 2026 — the third cycle in a row at 9 or more terminates (五(一)).
fn history(app: &App, inst: &str, person: &str) {
    use jifen::service::inspections::{NewInspection, NewViolation};
    let steps: [(&str, &[&str]); 7] = [
        ("2024-04-12", &["3.2"]),
        ("2024-06-20", &["3.4", "1.2"]),
        ("2024-09-05", &["3.5"]),
        ("2025-02-18", &["1.4"]),
        ("2025-05-27", &["3.1", "6.1"]),
        ("2026-03-10", &["6.4"]),
        ("2026-07-02", &["3.3"]),
    ];
    for (k, (on, violations)) in steps.iter().enumerate() {
        let req = NewInspection {
            institution_code: inst.to_string(),
            inspected_on: on.to_string(),
            decided_on: on.to_string(),
            violations: violations
                .iter()
                .map(|item| NewViolation {
                    personnel_code: person.to_string(),
                    items: vec![item.to_string()],
                    occurred_on: None,
                    note: String::new(),
                    points: None,
                    ban_months: None,
                    fund_loss: None,
                })
                .collect(),
        };
        app.record_inspection(&Caller::system(), Some(&format!("history-{k}")), &req).expect("inspection");
    }
}

/// 5 points on 2026-09-15: an interview ordered (五(一)), not held 30 days later.
fn interview(app: &App, inst: &str, person: &str) {
    use jifen::service::inspections::{NewInspection, NewViolation};
    let req = NewInspection {
        institution_code: inst.to_string(),
        inspected_on: "2026-09-15".into(),
        decided_on: "2026-09-15".into(),
        violations: ["3.2", "1.1", "1.4"]
            .iter()
            .map(|item| NewViolation {
                personnel_code: person.to_string(),
                items: vec![item.to_string()],
                occurred_on: None,
                note: String::new(),
                points: None,
                ban_months: None,
                fund_loss: None,
            })
            .collect(),
    };
    app.record_inspection(&Caller::system(), Some("interview"), &req).expect("inspection");
}

#[test]
fn an_officer_records_an_inspection_and_reads_the_city_in_the_browser() {
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
        let (inst, people, p1_name) = active_people(&s.app, &world);
        let (p1, p2, p3) = (people[0].clone(), people[1].clone(), people[2].clone());
        history(&s.app, &inst, &p3);
        interview(&s.app, &inst, &people[3]);
        account(&s.app, "officer", None);
        account(&s.app, "officer_yz", Some("370812"));
        let b = driver.session();
        let shot = |name: &str| {
            if shoot {
                b.screenshot(&shots().join(format!("{name}.png")));
            }
        };

        // Search a person by name: the namesakes are told apart by their institutions.
        login(&b, &root, "officer");
        b.go(&format!("{root}/search?q={p1_name}"));
        let found = b.text(&b.find("#search-people"));
        assert!(found.contains(&p1), "{}: {p1} among the {p1_name}s: {found}", db.backend);
        axe(&b, "/search");
        no_console_errors(&b, "/search");
        shot("officer-search");

        // The inspection form of the institution, from the search by its code.
        b.go(&format!("{root}/search?q={inst}"));
        b.click(&b.find(&format!("a[href='/inspections/new?institution={inst}']")));
        b.find("#inspection-form");
        axe(&b, "/inspections/new");
        // P1: one act citing 6.4 and 1.8 (the highest counts once: 6 points).
        set_value(&b, "#v0_person", &p1);
        select_items(&b, "#v0_items", &["6.4", "1.8"]);
        // Words of the catalogue narrow the lists (htmx swaps the rows, the picks stay).
        b.type_into(&b.find("#words"), "串换");
        b.wait_until("the filtered catalogue", |b| b.count("#v1_items option") == 1);
        assert_eq!(b.count("#v0_items option:checked"), 2, "{}: the picks of row 1 stay", db.backend);
        set_value(&b, "#v1_person", &p2);
        select_items(&b, "#v1_items", &["1.4"]);
        set_value(&b, "#v1_note", "串换药品，已核实");
        shot("officer-inspection-form");
        b.click(&b.find("#inspection-form button[value=preview]"));
        let preview = b.text(&b.find("#preview"));
        assert!(preview.contains("6 分，暂停 3 个月 至"), "{}: {preview}", db.backend);
        assert!(preview.contains("1 分，无新的处理"), "{}: {preview}", db.backend);
        assert!(preview.contains("扣分处理通知书"), "the notices to be issued");
        axe(&b, "/inspections/new preview");
        no_console_errors(&b, "/inspections/new");
        b.run("document.querySelector('#preview').scrollIntoView();");
        shot("officer-inspection-preview");
        assert!(s.app.ledger(&Caller::system(), &p1, 2026).expect("ledger").deductions.is_empty(), "nothing written");

        // Confirm with a double click, then the same form posted once more: one inspection.
        let form =
            b.run("return JSON.stringify(Object.fromEntries(new FormData(document.querySelector('#confirm'))));");
        b.run("const x = document.querySelector('#confirm button'); x.click(); x.click();");
        b.wait_until("the recorded inspection", |b| {
            b.current_url().contains("/inspections/") && !b.current_url().contains("/new")
        });
        let recorded = b.current_url();
        let again = b.run_async(&format!(
            "const done = arguments[arguments.length - 1];
             fetch('/inspections', {{method: 'POST', body: new URLSearchParams(JSON.parse({form}))}})
               .then(r => done(r.url)).catch(e => done('failed: ' + e));"
        ));
        assert_eq!(again.as_str(), Some(recorded.as_str()), "{}: the replay answers the same inspection", db.backend);
        let year = chrono::Datelike::year(&jifen::domain::dates::today_china());
        let ledger = s.app.ledger(&Caller::system(), &p1, year).expect("ledger");
        assert_eq!(ledger.deductions.len(), 1, "{}: one deduction however many clicks", db.backend);
        assert_eq!(ledger.total, 6);
        axe(&b, "/inspections/{id}");
        shot("officer-inspection-recorded");

        // The person is suspended, the notice issued, the chart drawn.
        b.go(&format!("{root}/practitioners/{p1}"));
        let status = b.text(&b.find("#h-status"));
        assert!(status.contains("中止"), "{}: {status}", db.backend);
        let notices = b.text(&b.find("#h-notices"));
        assert!(!notices.is_empty());
        assert!(b.source().contains(&format!("扣分处理通知书（{p1}，扣6分）")), "{}: the notice", db.backend);
        assert!(
            b.count("#points-chart polyline") >= 1 && b.count("#points-chart rect") >= 1,
            "the step line and the bar"
        );
        assert!(b.count("#points-steps tbody tr") >= 1);
        axe(&b, "/practitioners (officer)");
        no_console_errors(&b, "/practitioners");
        b.run("document.querySelector('#officer-panel').scrollIntoView();");
        shot("officer-person");

        // Correcting the record: P2's deduction revoked with its reason.
        b.go(&format!("{root}/practitioners/{p2}"));
        b.type_into(&b.find("form.revoke input[name=reason]"), "复核：条目引用错误");
        b.click(&b.find("form.revoke button[type=submit]"));
        b.wait_until("the ledger to say revoked", |b| b.source().contains("撤销：复核：条目引用错误"));
        assert!(b.current_url().contains(&format!("/practitioners/{p2}")), "{}: back on the person page", db.backend);
        assert!(b.try_find(&format!("a[href='/inspections/new?institution={inst}&person={p2}']")).is_some());
        assert_eq!(s.app.ledger(&Caller::system(), &p2, year).expect("ledger").total, 0);
        // Back on the inspection: P2's deduction says 已撤销 with its date and reason, no form.
        b.go(&recorded);
        b.wait_until("the revoked mark", |b| b.source().contains("已撤销：复核：条目引用错误"));
        assert_eq!(b.count("form[action^='/deductions/']"), 1, "{}: only P1's deduction can be revoked", db.backend);
        shot("officer-inspection-revoked");

        b.go(&format!("{root}/interview-orders"));
        let first = b.text(&b.find("#orders tbody tr"));
        assert!(first.contains(&people[3]) && first.contains("逾期"), "{}: overdue first: {first}", db.backend);
        for (path, name) in
            [("/watch-list?year=2025", "officer-watch-list"), ("/interview-orders", "officer-interview-orders")]
        {
            b.go(&format!("{root}{path}"));
            b.find("main h1");
            axe(&b, path);
            no_console_errors(&b, path);
            shot(name);
        }

        // The dashboard: every chart drawn, with its numbers; the downloads answer.
        b.go(&format!("{root}/dashboard?year=2025"));
        b.find("#chart-deductions");
        for chart in ["deductions", "statuses", "items", "institutions", "training-tests", "objections"] {
            let id = format!("#chart-{chart}");
            assert!(
                b.count(&format!("{id} svg rect")) + b.count(&format!("{id} svg polyline")) > 0,
                "{id}: empty chart"
            );
            assert!(b.count(&format!("{id} table tbody tr")) > 0, "{id}: no rows");
            let answer = b.run_async(&format!(
                "const done = arguments[arguments.length - 1];
                 fetch(document.querySelector('{id} a.downloads').href)
                   .then(r => done(r.status + ' ' + r.headers.get('content-type'))).catch(e => done('failed: ' + e));"
            ));
            assert_eq!(
                answer.as_str(),
                Some("200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                "{id}.xlsx"
            );
        }
        let deductions_table = b.text(&b.find("#chart-deductions"));
        assert!(deductions_table.contains("任城区") && deductions_table.contains("2024年合计"), "{deductions_table}");
        axe(&b, "/dashboard");
        no_console_errors(&b, "/dashboard");
        shot("dashboard");
        b.run("document.querySelector('#chart-statuses').scrollIntoView();");
        shot("dashboard-people");
        b.run("document.querySelector('#chart-institutions').scrollIntoView();");
        shot("dashboard-institutions");
        b.run("document.querySelector('#chart-training-tests').scrollIntoView();");
        shot("dashboard-tests");
        // Three cycles at 9 or more: the third one terminates (五(一)), as the chart shows.
        b.go(&format!("{root}/practitioners/{p3}"));
        assert_eq!(b.count("#points-chart polyline"), 3, "{}: a step line for each cycle", db.backend);
        assert!(b.text(&b.find("#points-steps")).contains("检查"), "each step names its inspection");
        let panel = b.text(&b.find("#officer-panel"));
        assert!(panel.contains("解除服务协议（五(一)）"), "{}: the third cycle terminates: {panel}", db.backend);
        b.run("document.querySelector('#officer-panel').scrollIntoView();");
        shot("officer-points-chart");

        // The dashboard narrowed to one category (医保支付资格类别): in the URL, the title, the
        // figures (those of the service for that category) and the downloads.
        let nurses = s.app.stats_scope_in(&Caller::system(), Some(2025), None, Some("nurse")).expect("scope");
        let want = s.app.stats_deductions(&Caller::system(), &nurses).expect("figures");
        b.go(&format!("{root}/dashboard?year=2025"));
        b.run("document.querySelector('#category').value = 'nurse';");
        b.click(&b.find("form[aria-label='筛选'] button[type=submit]"));
        b.wait_until("the nurses' dashboard", |b| b.current_url().contains("category=nurse"));
        assert!(b.text(&b.find("main h1")).contains("医保护士"), "{}: the title says whom", db.backend);
        let note = b.text(&b.find("#chart-deductions p.hint"));
        assert!(
            note.contains(&format!("全年扣分 {} 次、{} 分", want.total_deductions, want.total_points)),
            "{}: {note}",
            db.backend
        );
        let href = b.run("return document.querySelector('#chart-items a.downloads').href;");
        assert!(href.as_str().is_some_and(|h| h.contains("category=nurse")), "{href}");
        axe(&b, "/dashboard?category=nurse");
        no_console_errors(&b, "/dashboard?category=nurse");

        // The batch violations file (.xlsx): one good inspection, one whose 检查日期 is no date.
        // The bad row comes back highlighted with its reason; the good one is recorded alone.
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("violations.xlsx");
        let head = ["检查编号", "定点医药机构编码", "医保对应代码", "扣分情形", "检查日期", "处理决定日期", "备注"];
        let rows: Vec<Vec<String>> = [
            ["WEB-1", inst.as_str(), p2.as_str(), "1.4", "2026-11-20", "2026-11-20", "批量上传"],
            ["WEB-2", inst.as_str(), people[3].as_str(), "3.2", "2026-11-31", "2026-11-20", ""],
        ]
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
        let bytes = jifen::sheets::export::to_xlsx("违规", &head, &rows).expect("xlsx");
        std::fs::write(&file, bytes).expect("write the file");
        let before = s.app.ledger(&Caller::system(), &p2, 2026).expect("ledger").total;
        b.go(&format!("{root}/search"));
        b.click(&b.find("nav a[href='/inspections/upload']"));
        b.find("#upload-form");
        axe(&b, "/inspections/upload");
        b.choose_file(&b.find("#file"), &file.to_string_lossy());
        b.click(&b.find("#upload-form button[type=submit]"));
        b.wait_until("the preview", |b| b.try_find("#rejected-rows").is_some());
        assert_eq!(b.count("#rejected-rows tbody tr.rejected"), 1, "{}: one bad row", db.backend);
        let bad = b.text(&b.find("#rejected-rows td.bad-cell"));
        assert_eq!(bad, "2026-11-31", "{}: the bad cell highlighted", db.backend);
        let reasons = b.text(&b.find("#rejected-rows tbody tr"));
        assert!(reasons.contains("不是有效日期"), "{}: the reason in Chinese: {reasons}", db.backend);
        assert!(b.text(&b.find("#upload-inspections")).contains("WEB-1"));
        assert_eq!(s.app.ledger(&Caller::system(), &p2, 2026).expect("ledger").total, before, "nothing written");
        axe(&b, "/inspections/upload preview");
        no_console_errors(&b, "/inspections/upload");
        b.run("document.querySelector('#preview').scrollIntoView();");
        shot("officer-upload-preview");
        let answer = b.run_async(
            "const done = arguments[arguments.length - 1];
             fetch(document.querySelector('#rejected-download').href)
               .then(r => done(r.status + ' ' + r.headers.get('content-type'))).catch(e => done('failed: ' + e));",
        );
        assert_eq!(
            answer.as_str(),
            Some("200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "the rejected rows as .xlsx"
        );
        b.click(&b.find("#commit-good"));
        b.wait_until("the commit", |b| b.try_find("#preview p.ok").is_some());
        assert!(b.text(&b.find("#preview p.ok")).contains("已记录 1 次检查"), "{}", db.backend);
        assert_eq!(s.app.ledger(&Caller::system(), &p2, 2026).expect("ledger").total, before + 1, "{}", db.backend);
        axe(&b, "/inspections/upload committed");
        shot("officer-upload-committed");
        logout(&b);

        // A county officer: another county's person and institution are 404; the dashboard is
        // the county's.
        login(&b, &root, "officer_yz");
        b.go(&format!("{root}/practitioners/{p1}"));
        assert!(b.text(&b.find("main h1")).contains("404"), "{}: another county's person", db.backend);
        b.go(&format!("{root}/inspections/new?institution={inst}"));
        assert!(b.text(&b.find("main h1")).contains("404"), "{}: another county's institution", db.backend);
        b.console_errors();
        b.go(&format!("{root}/dashboard?year=2025"));
        assert!(b.text(&b.find("main h1")).contains("兖州区"), "{}: the county's own figures", db.backend);
        assert!(b.try_find("#county").is_none(), "no other county to pick");
        assert!(!b.text(&b.find("#chart-deductions table")).contains("任城区"));
        no_console_errors(&b, "/dashboard (county)");
        logout(&b);
    }
}
