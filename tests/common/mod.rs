//! Test databases: a fresh SQLite file always, and a fresh PostgreSQL schema when
//! `TEST_DATABASE_URL` is set (as in CI). No mocks: the real ledger on both backends.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

pub mod world;

pub struct TestDb {
    pub backend: &'static str,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

static SEQ: AtomicU32 = AtomicU32::new(0);

pub fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = dir.path().join("jifen.db").to_string_lossy().into_owned();
    TestDb { backend: "sqlite", url, _dir: Some(dir) }
}

/// A new schema in the PostgreSQL database of `TEST_DATABASE_URL`, or `None` without it.
pub fn postgres() -> Option<TestDb> {
    let base = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())?;
    let schema = format!("t{}_{}_{}", std::process::id(), SEQ.fetch_add(1, Ordering::SeqCst), rand_suffix());
    let mut c = PgConnection::establish(&base).expect("TEST_DATABASE_URL must be reachable");
    c.batch_execute(&format!("CREATE SCHEMA {schema}")).expect("create schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(TestDb { backend: "postgresql", url: format!("{base}{sep}options=-csearch_path%3D{schema}"), _dir: None })
}

/// SQLite, and PostgreSQL when configured.
pub fn all() -> Vec<TestDb> {
    let mut v = vec![sqlite()];
    v.extend(postgres());
    v
}

fn rand_suffix() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos() % 100_000).unwrap_or(0)
}

/// A valid GB 11643 ID number for a birth date `YYYYMMDD`.
pub fn id_number(birth: &str, seq: u32) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let body = format!("370811{birth}{:03}", seq % 1000);
    let sum: u32 = body.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{body}{}", C[(sum % 11) as usize])
}

/// The real server on port 0 against a fresh, migrated database; stopped when dropped (its
/// connections released, so many servers in one test stay within PostgreSQL's limits).
pub struct TestServer {
    pub base: String,
    pub admin: String,
    pub app: jifen::service::App,
    handle: actix_web::dev::ServerHandle,
}

pub const ADMIN_TOKEN: &str = "test-admin-token";

pub fn spawn(db: &TestDb) -> TestServer {
    spawn_with(db, jifen::http::Options::default())
}

/// [`spawn`] with other server options (the admin token is always [`ADMIN_TOKEN`]).
pub fn spawn_with(db: &TestDb, options: jifen::http::Options) -> TestServer {
    serve(jifen::service::App::open(&db.url).expect("open database"), options)
}

/// The real server around an `App` the test prepared (another policy pack, say).
pub fn serve(app: jifen::service::App, options: jifen::http::Options) -> TestServer {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let served = app.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let options = jifen::http::Options { admin_token: Some(ADMIN_TOKEN.to_string()), ..options };
            let server = jifen::http::server_with_options(served, listener, options).expect("server");
            let _ = tx.send(server.handle());
            let _ = server.await;
        })
    });
    let handle = rx.recv().expect("server handle");
    let base = format!("http://127.0.0.1:{port}/api/v1");
    for _ in 0..100 {
        if ureq::get(&format!("{base}/healthz")).call().is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    TestServer { base, admin: ADMIN_TOKEN.to_string(), app, handle }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        actix_web::rt::System::new().block_on(handle.stop(false));
    }
}

/// A JSON answer: (status, body). Never panics on 4xx/5xx.
pub fn call(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&serde_json::Value>,
    headers: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let mut req = ureq::request(method, url);
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let res = match body {
        Some(b) => req.send_json(b.clone()),
        None => req.call(),
    };
    read(res)
}

/// Sends raw bytes with a content type.
pub fn call_raw(method: &str, url: &str, token: Option<&str>, body: &[u8], ctype: &str) -> (u16, serde_json::Value) {
    let mut req = ureq::request(method, url).set("Content-Type", ctype);
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    read(req.send_bytes(body))
}

fn read(res: Result<ureq::Response, ureq::Error>) -> (u16, serde_json::Value) {
    let res = match res {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    let status = res.status();
    let text = res.into_string().unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    (status, json)
}
