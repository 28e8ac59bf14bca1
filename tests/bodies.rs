//! Body limits and timeouts (issue 12, medium): JSON bodies ≈ 1 MiB, uploads 64 MiB, a body
//! trickled at a byte a second cut off after ~10 s, at most 4 uploads at once, JSON content
//! types on JSON endpoints, and the role checked before any of it. Raw TCP where a client
//! library would insist on sending a whole body first.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{call, call_raw, spawn, TestServer};
use jifen::service::tokens::Role;

fn addr(s: &TestServer) -> String {
    s.base.trim_start_matches("http://").trim_end_matches("/api/v1").to_string()
}

/// Sends `head` (and `body`) and reads one response: (status, headers, body).
fn exchange(stream: &mut TcpStream, head: &str, body: &[u8]) -> (u16, String, String) {
    stream.set_read_timeout(Some(Duration::from_secs(40))).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    if !body.is_empty() {
        stream.write_all(body).unwrap();
    }
    read_response(stream)
}

fn read_response(stream: &mut TcpStream) -> (u16, String, String) {
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end]).to_string();
            let len = head
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            if got.len() >= end + 4 + len {
                let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
                let body = String::from_utf8_lossy(&got[end + 4..end + 4 + len]).to_string();
                return (status, head, body);
            }
        }
        match stream.read(&mut buf) {
            Ok(0) => panic!("connection closed before a full response: {}", String::from_utf8_lossy(&got)),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => panic!("no response: {e}; got {}", String::from_utf8_lossy(&got)),
        }
    }
}

fn head(method: &str, path: &str, host: &str, token: &str, ctype: &str, len: usize) -> String {
    format!(
        "{method} /api/v1{path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: {ctype}\r\nContent-Length: {len}\r\n\r\n"
    )
}

fn code(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .map(|v| v["error"]["code"].as_str().unwrap_or("").to_string())
        .unwrap_or_default()
}

#[test]
fn a_json_body_over_a_mebibyte_is_413_in_json_and_an_upload_may_be_larger() {
    let db = common::sqlite();
    let s = spawn(&db);
    let host = addr(&s);
    // Declared too large: refused before a byte is read.
    let mut c = TcpStream::connect(&host).unwrap();
    let (st, h, b) =
        exchange(&mut c, &head("POST", "/institutions", &host, &s.admin, "application/json", 2 << 20), b"");
    assert_eq!((st, code(&b).as_str()), (413, "payload_too_large"), "{h}\n{b}");
    assert!(h.to_ascii_lowercase().contains("content-type: application/json"), "{h}");
    // Streamed without a length: refused once it passes the limit.
    let mut c = TcpStream::connect(&host).unwrap();
    let h0 = format!(
        "POST /api/v1/institutions HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        s.admin
    );
    c.write_all(h0.as_bytes()).unwrap();
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..40 {
        let framed = [format!("{:x}\r\n", chunk.len()).into_bytes(), chunk.clone(), b"\r\n".to_vec()].concat();
        if c.write_all(&framed).is_err() {
            break;
        }
    }
    let (st, _, b) = read_response(&mut c);
    assert_eq!((st, code(&b).as_str()), (413, "payload_too_large"), "{b}");
    // An upload of 2 MiB is read (and judged on its content).
    let mut csv = String::from("姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间\n");
    while csv.len() < (2 << 20) {
        csv.push_str("张三,110101198001010011,医保医师,D370811000001,2024-01-01\n");
    }
    let (st, b) =
        call_raw("POST", &format!("{}/rosters/H37081100001", s.base), Some(&s.admin), csv.as_bytes(), "text/csv");
    assert_ne!(st, 413, "{b}");
    // An upload over 64 MiB is refused from its declared length.
    let mut c = TcpStream::connect(&host).unwrap();
    let (st, _, b) =
        exchange(&mut c, &head("POST", "/rosters/H37081100001", &host, &s.admin, "text/csv", 65 << 20), b"");
    assert_eq!((st, code(&b).as_str()), (413, "payload_too_large"), "{b}");
}

#[test]
fn a_body_trickled_a_byte_a_second_is_cut_off_within_seconds() {
    let db = common::sqlite();
    let s = spawn(&db);
    let host = addr(&s);
    let started = Instant::now();
    let handles: Vec<_> = [("/institutions", "application/json"), ("/training-tests/batch", "text/csv")]
        .into_iter()
        .map(|(path, ctype)| {
            let h = head("POST", path, &host, &s.admin, ctype, 1000);
            let host = host.clone();
            std::thread::spawn(move || {
                let mut c = TcpStream::connect(&host).unwrap();
                c.write_all(h.as_bytes()).unwrap();
                let mut writer = c.try_clone().unwrap();
                std::thread::spawn(move || {
                    for _ in 0..35 {
                        if writer.write_all(b" ").is_err() {
                            break;
                        }
                        std::thread::sleep(Duration::from_secs(1));
                    }
                });
                read_response(&mut c)
            })
        })
        .collect();
    for h in handles {
        let (st, _, b) = h.join().unwrap();
        assert_eq!((st, code(&b).as_str()), (408, "request_timeout"), "{b}");
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(30), "cut off after {took:?}");
    assert!(took >= Duration::from_secs(9), "a slow client gets its grace: {took:?}");
}

#[test]
fn a_fifth_upload_at_once_is_503_busy_with_retry_after() {
    let db = common::sqlite();
    let s = spawn(&db);
    let host = addr(&s);
    // Four uploads that send their headers and a little of the body, then wait.
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut c = TcpStream::connect(&host).unwrap();
        c.write_all(head("POST", "/training-tests/batch", &host, &s.admin, "text/csv", 10_000).as_bytes()).unwrap();
        c.write_all(b"personnel_code").unwrap();
        held.push(c);
    }
    std::thread::sleep(Duration::from_millis(500));
    let mut c = TcpStream::connect(&host).unwrap();
    let (st, h, b) = exchange(&mut c, &head("POST", "/inspections/batch", &host, &s.admin, "text/csv", 3), b"a,b");
    assert_eq!((st, code(&b).as_str()), (503, "busy"), "{h}\n{b}");
    assert!(h.to_ascii_lowercase().contains("retry-after: 10"), "{h}");
    // JSON endpoints are not uploads: still served.
    let (st, _) = call("GET", &format!("{}/watch-list?year=2024", s.base), Some(&s.admin), None, &[]);
    assert_eq!(st, 200);
    drop(held);
    let t0 = Instant::now();
    loop {
        let (st, b) = call_raw("POST", &format!("{}/inspections/batch", s.base), Some(&s.admin), b"a,b\n", "text/csv");
        if st != 503 {
            assert_ne!(st, 413, "{b}");
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(5), "the slots came back when the clients left");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn json_endpoints_take_json_and_the_role_is_checked_before_the_body() {
    let db = common::sqlite();
    let s = spawn(&db);
    let url = format!("{}/institutions", s.base);
    let body = br#"{"code": "H37081100001", "name": "n", "kind": "medical", "agreement_start": "2024-01-01", "agreement_end": "2030-01-01"}"#;
    let (st, b) = call_raw("POST", &url, Some(&s.admin), body, "text/csv");
    assert_eq!((st, b["error"]["code"].as_str()), (415, Some("unsupported_media_type")), "{b}");
    let (st, b) = call_raw("POST", &url, Some(&s.admin), body, "application/json; charset=utf-8");
    assert_eq!(st, 201, "{b}");
    // hr may not upload a calendar: 403, whatever the size or type of what it sends.
    let hr = s.app.create_token(Role::Hr, Some("H37081100001"), None).unwrap();
    let host = addr(&s);
    let mut c = TcpStream::connect(&host).unwrap();
    let (st, _, b) = exchange(&mut c, &head("POST", "/calendar/years", &host, &hr, "text/plain", 900 << 20), b"");
    assert_eq!((st, code(&b).as_str()), (403, "forbidden"), "{b}");
    let mut c = TcpStream::connect(&host).unwrap();
    let (st, _, b) = exchange(&mut c, &head("POST", "/inspections", &host, &hr, "text/csv", 5 << 20), b"");
    assert_eq!((st, code(&b).as_str()), (403, "forbidden"), "{b}");
    let mut c = TcpStream::connect(&host).unwrap();
    let (st, _, b) = exchange(&mut c, &head("POST", "/inspections", &host, "nobody", "text/csv", 5 << 20), b"");
    assert_eq!((st, code(&b).as_str()), (401, "unauthorized"), "{b}");
}
