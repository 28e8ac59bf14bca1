//! What every browser test does: screenshots into docs/screenshots/, axe-core (vendored) on a
//! page, logging in and out through the forms.
#![allow(dead_code)]

use std::path::PathBuf;

use crate::webdriver::Browser;

const AXE: &str = include_str!("../vendor/axe-4.14.1.min.js");

pub fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshots folder");
    dir
}

/// axe-core on the page: the serious and critical violations, as text; none allowed.
pub fn axe(b: &Browser, page: &str) {
    b.run(AXE);
    let v = b.run_async(
        "const done = arguments[arguments.length - 1];
         axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(
           r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
             .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 4).map(n => n.target.join(' '))}))
         ))).catch(e => done('axe failed: ' + e));",
    );
    let text = v.as_str().unwrap_or("axe gave nothing").to_string();
    assert_eq!(text, "[]", "axe on {page}: {text}");
}

/// Logs in through the form and waits for its answer (a page, or the error on the form).
pub fn login(b: &Browser, root: &str, username: &str, password: &str) {
    b.go(&format!("{root}/login"));
    b.type_into(&b.find("#username"), username);
    b.type_into(&b.find("#password"), password);
    b.click(&b.find("form[action='/login'] button[type=submit]"));
    b.wait_until("the login's answer", |b| b.try_find("p.error").is_some() || !b.current_url().contains("/login"));
}

pub fn logout(b: &Browser) {
    b.click(&b.find("form[action='/logout'] button"));
    b.wait_until("the login page", |b| b.current_url().contains("/login"));
}
