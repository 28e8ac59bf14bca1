//! The printable notice in a real browser: headless Chromium renders it to a PNG (kept under
//! target/notice-screenshots/ to look at) and its text is read back from the DOM. Runs where
//! Chromium is installed (.ci/run installs it); elsewhere it says so and passes.

mod common;

use std::process::Command;

use serde_json::json;

fn chromium() -> Option<&'static str> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
}

#[test]
fn the_printable_notice_renders_in_chromium() {
    let Some(browser) = chromium() else {
        println!("Chromium is not installed: the rendering check is skipped (apt-get install chromium)");
        return;
    };
    let db = common::sqlite();
    let s = common::spawn(&db);
    let post = |path: &str, body: serde_json::Value, key: &str| {
        common::call("POST", &format!("{}{path}", s.base), Some(&s.admin), Some(&body), &[("Idempotency-Key", key)])
    };
    post(
        "/institutions",
        json!({"code": "H37081100001", "name": "济宁市第一人民医院", "kind": "medical", "agreement_start": "2020-01-01", "agreement_end": "2030-12-31"}),
        "i",
    );
    post(
        "/registrations",
        json!({"institution_code": "H37081100001", "personnel_code": "D370811000001", "name": "张三",
        "id_number": common::id_number("19800101", 1), "category": "physician", "registered_on": "2023-01-01"}),
        "r",
    );
    let (st, b) = post(
        "/inspections",
        json!({"institution_code": "H37081100001", "inspected_on": "2024-09-20", "decided_on": "2024-09-27",
        "violations": [{"personnel_code": "D370811000001", "items": ["3.2", "1.1"], "note": "将不属于医保基金支付范围的费用纳入结算"}]}),
        "k",
    );
    assert_eq!(st, 201, "{b}");
    let (_, list) = common::call("GET", &format!("{}/notices", s.base), Some(&s.admin), None, &[]);
    let id = list["notices"][0]["id"].as_i64().unwrap();
    let html = ureq::get(&format!("{}/notices/{id}", s.base))
        .set("Authorization", &format!("Bearer {}", s.admin))
        .set("Accept", "text/html")
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("notice-screenshots");
    std::fs::create_dir_all(&out).unwrap();
    let page = out.join("notice.html");
    std::fs::write(&page, &html).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ];
    let png = out.join("notice.png");
    let shot = Command::new(browser)
        .args(flags)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=794,1123")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        png.exists() && std::fs::metadata(&png).unwrap().len() > 10_000,
        "no screenshot: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let dom = Command::new(browser)
        .args(flags)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&dom.stdout);
    // 六(一): the deduction's notice says how to object to the agency; the 10 working days run
    // from the agency's written decision, so it names no date of its own.
    for needle in [
        "济宁市医疗保障局",
        "扣分处理通知书",
        "一、违规事实",
        "四(二)2",
        "扣3分",
        "异议途径",
        "接到该书面通知后10个工作日内",
    ] {
        assert!(text.contains(needle), "{needle} is not in the rendered notice");
    }
    println!("screenshot: {}", png.display());
}
