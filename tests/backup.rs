//! `jifen backup` while the server is writing, and `jifen restore` (SQLite; PostgreSQL is backed
//! up with pg_dump: `scripts/pg-backup-roundtrip`). Every registration acknowledged before the
//! backup began is in the restored database, which verifies (projections and hash chains).

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use common::{call, spawn};
use diesel::sql_types::Text;
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};
use serde_json::json;

fn jifen(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jifen")).args(args).output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[derive(QueryableByName)]
struct Code {
    #[diesel(sql_type = Text)]
    personnel_code: String,
}

#[test]
fn a_backup_taken_under_write_load_restores_every_acknowledged_fact() {
    let db = common::sqlite();
    let s = spawn(&db);
    let inst = "H37081100099";
    let (st, b) = call(
        "POST",
        &format!("{}/institutions", s.base),
        Some(&s.admin),
        Some(&json!({"code": inst, "name": "测试医院", "kind": "medical", "region_code": "370811",
                     "agreement_start": "2023-01-01", "agreement_end": "2030-12-31"})),
        &[],
    );
    assert_eq!(st, 201, "{b}");

    // Writers: registrations, each acknowledged (201) at a known instant.
    let acked: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..2u32)
        .map(|w| {
            let (acked, stop, base, admin) = (acked.clone(), stop.clone(), s.base.clone(), s.admin.clone());
            std::thread::spawn(move || {
                let mut n = 0u32;
                while !stop.load(Ordering::SeqCst) && n < 5000 {
                    let serial = w * 10_000 + n;
                    let code = format!("D370811{serial:06}");
                    let (st, b) = call(
                        "POST",
                        &format!("{base}/registrations"),
                        Some(&admin),
                        Some(&json!({"institution_code": inst, "personnel_code": code, "name": "张三",
                                     "id_number": common::id_number("19800101", serial), "category": "physician",
                                     "registered_on": "2023-01-01"})),
                        &[],
                    );
                    assert_eq!(st, 201, "{b}");
                    acked.lock().unwrap().push((code, Instant::now()));
                    n += 1;
                }
            })
        })
        .collect();
    while acked.lock().unwrap().len() < 30 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.db");
    let began = Instant::now();
    let (ok, out) = jifen(&["--database-url", &db.url, "backup", "--to", file.to_str().unwrap()]);
    assert!(ok, "{out}");
    // Writes go on after the backup, then stop.
    let during = acked.lock().unwrap().len();
    while acked.lock().unwrap().len() < during + 10 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.join().unwrap();
    }
    let before: Vec<String> =
        acked.lock().unwrap().iter().filter(|(_, at)| *at < began).map(|(c, _)| c.clone()).collect();
    assert!(before.len() >= 30);

    // The live database is in use: restore refuses to replace it.
    let (ok, out) = jifen(&["--database-url", &db.url, "restore", "--from", file.to_str().unwrap()]);
    assert!(!ok && out.contains("in use"), "{out}");
    // A second backup to the same file is refused (no overwrite).
    let (ok, out) = jifen(&["--database-url", &db.url, "backup", "--to", file.to_str().unwrap()]);
    assert!(!ok && out.contains("exists"), "{out}");

    // Restored elsewhere: checked, then in place; every fact acknowledged before the backup.
    let target = dir.path().join("restored.db").to_string_lossy().into_owned();
    let (ok, out) = jifen(&["--database-url", &target, "restore", "--from", file.to_str().unwrap()]);
    assert!(ok && out.contains("restored"), "{out}");
    let mut c = SqliteConnection::establish(&target).unwrap();
    let have: std::collections::HashSet<String> = diesel::sql_query("SELECT personnel_code FROM registrations")
        .load::<Code>(&mut c)
        .unwrap()
        .into_iter()
        .map(|r| r.personnel_code)
        .collect();
    let lost: Vec<&String> = before.iter().filter(|c| !have.contains(*c)).collect();
    assert!(lost.is_empty(), "{} acknowledged before the backup are missing: {lost:?}", lost.len());
    drop(c);
    let (ok, out) = jifen(&["--database-url", &target, "verify"]);
    assert!(ok && out.contains("0 chain breaks"), "{out}");

    // A tampered backup is refused and the database in place is kept.
    let bad = dir.path().join("bad.db");
    std::fs::copy(&file, &bad).unwrap();
    let mut c = SqliteConnection::establish(bad.to_str().unwrap()).unwrap();
    diesel::sql_query(
        "UPDATE registrations SET registered_on = '2020-01-01' WHERE id = (SELECT MIN(id) FROM registrations)",
    )
    .execute(&mut c)
    .unwrap();
    drop(c);
    let (ok, out) = jifen(&["--database-url", &target, "restore", "--from", bad.to_str().unwrap()]);
    assert!(!ok && out.contains("registrations:") && out.contains("nothing restored"), "{out}");
    let (ok, out) = jifen(&["--database-url", &target, "verify"]);
    assert!(ok, "the restored database is untouched: {out}");
}
