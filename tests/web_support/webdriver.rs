//! A small W3C WebDriver client over `ureq` (already a test dependency): the dozen commands the
//! browser test needs. fantoccini and thirtyfour would bring some 200 crates (hyper, the
//! `webdriver` crate with ICU segmentation) to a 2-core build for the same JSON over HTTP.
#![allow(dead_code)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// chromedriver on a free port, stopped when dropped.
pub struct Driver {
    child: Child,
    pub base: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn installed() -> bool {
    let found = |name: &str| {
        std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
    };
    found("chromedriver") && (found("chromium") || found("chromium-browser"))
}

impl Driver {
    pub fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if ureq::get(&format!("{base}/status")).call().is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver { child, base }
    }

    /// A headless Chromium window of 1366×768, the common office screen.
    pub fn session(&self) -> Browser {
        let binary = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .unwrap_or("chromium");
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": binary, "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1366,768", "--lang=zh-CN", "--hide-scrollbars"
            ]}
        }}});
        let v: Value = ureq::post(&format!("{}/session", self.base))
            .send_json(caps)
            .expect("new session")
            .into_json()
            .expect("json");
        let id = v["value"]["sessionId"].as_str().expect("session id").to_string();
        Browser { url: format!("{}/session/{id}", self.base) }
    }
}

pub struct Browser {
    url: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(&self.url).call();
    }
}

#[derive(Clone)]
pub struct Element(String);

impl Browser {
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.url);
        let req = ureq::request(method, &url);
        let res = match body {
            Some(b) => req.send_json(b),
            None => req.call(),
        };
        let res = match res {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("webdriver {method} {path}: {e}"),
        };
        let v: Value = res.into_json().expect("webdriver json");
        v["value"].clone()
    }

    pub fn go(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({"url": url})));
    }

    pub fn current_url(&self) -> String {
        self.cmd("GET", "/url", None).as_str().unwrap_or_default().to_string()
    }

    pub fn source(&self) -> String {
        self.cmd("GET", "/source", None).as_str().unwrap_or_default().to_string()
    }

    pub fn try_find(&self, css: &str) -> Option<Element> {
        let v = self.cmd("POST", "/element", Some(json!({"using": "css selector", "value": css})));
        if std::env::var("WD_DEBUG").is_ok() {
            eprintln!("find {css}: {v}");
        }
        v[ELEMENT].as_str().map(|s| Element(s.to_string()))
    }

    /// Waits up to 10 s for an element.
    pub fn find(&self, css: &str) -> Element {
        let started = Instant::now();
        loop {
            if let Some(e) = self.try_find(css) {
                return e;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "no element {css} on {}", self.current_url());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits up to 10 s for `ok` (after a click that loads another page).
    pub fn wait_until(&self, what: &str, ok: impl Fn(&Browser) -> bool) {
        let started = Instant::now();
        while !ok(self) {
            assert!(started.elapsed() < Duration::from_secs(10), "waited for {what} on {}", self.current_url());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn count(&self, css: &str) -> usize {
        let v = self.cmd("POST", "/elements", Some(json!({"using": "css selector", "value": css})));
        v.as_array().map_or(0, Vec::len)
    }

    pub fn type_into(&self, e: &Element, text: &str) {
        self.cmd("POST", &format!("/element/{}/clear", e.0), Some(json!({})));
        self.cmd("POST", &format!("/element/{}/value", e.0), Some(json!({"text": text})));
    }

    /// A file input takes the file's path.
    pub fn choose_file(&self, e: &Element, path: &str) {
        self.cmd("POST", &format!("/element/{}/value", e.0), Some(json!({"text": path})));
    }

    pub fn click(&self, e: &Element) {
        self.cmd("POST", &format!("/element/{}/click", e.0), Some(json!({})));
    }

    pub fn text(&self, e: &Element) -> String {
        self.cmd("GET", &format!("/element/{}/text", e.0), None).as_str().unwrap_or_default().to_string()
    }

    pub fn run(&self, script: &str) -> Value {
        self.cmd("POST", "/execute/sync", Some(json!({"script": script, "args": []})))
    }

    pub fn run_async(&self, script: &str) -> Value {
        self.cmd("POST", "/execute/async", Some(json!({"script": script, "args": []})))
    }

    pub fn cookies(&self) -> Value {
        self.cmd("GET", "/cookie", None)
    }

    pub fn add_cookie(&self, cookie: Value) {
        self.cmd("POST", "/cookie", Some(json!({"cookie": cookie})));
    }

    /// The browser console's errors since the last call (JavaScript errors, refused resources).
    pub fn console_errors(&self) -> Vec<String> {
        let v = self.cmd("POST", "/se/log", Some(json!({"type": "browser"})));
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .map(|e| e["message"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn screenshot(&self, path: &std::path::Path) {
        let b64 = self.cmd("GET", "/screenshot", None).as_str().unwrap_or_default().to_string();
        std::fs::write(path, decode_base64(&b64)).expect("write screenshot");
    }
}

fn decode_base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter_map(val) {
        acc = (acc << 6) | u32::from(c);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}
