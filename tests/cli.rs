//! The command line on a real database file: migrate, import a GBK roster (preview, commit,
//! rejected rows written back), token create, verify.

use jifen::service::Caller;
mod common;

use std::process::Command;

fn jifen(db: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jifen"))
        .arg("--database-url")
        .arg(db)
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn import_a_gbk_roster_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db").to_string_lossy().into_owned();
    let (ok, out) = jifen(&db, &["migrate"]);
    assert!(ok, "{out}");
    let app = jifen::service::App::open(&db).unwrap();
    app.create_institution(
        &Caller::system(),
        &jifen::service::institutions::NewInstitution {
            code: "H37081100001".into(),
            name: "济宁市第一人民医院".into(),
            kind: "medical".into(),
            region_code: None,
            agreement_start: "2020-01-01".into(),
            agreement_end: "2030-12-31".into(),
            public: None,
            organization_code: None,
            legal_representative: None,
        },
    )
    .unwrap();
    let sample = format!("{}/data/samples/roster_gbk.csv", env!("CARGO_MANIFEST_DIR"));
    let (ok, out) = jifen(&db, &["import", "roster", &sample, "--institution", "H37081100001"]);
    assert!(ok && out.contains("3 to add") && out.contains("preview only"), "{out}");
    let (ok, out) = jifen(&db, &["import", "roster", &sample, "--institution", "H37081100001", "--commit"]);
    assert!(ok && out.contains("committed"), "{out}");
    let (ok, out) = jifen(&db, &["import", "roster", &sample, "--institution", "H37081100001", "--commit"]);
    assert!(ok && out.contains("3 unchanged"), "the same file twice changes nothing: {out}");

    let bad = dir.path().join("bad.csv");
    std::fs::copy(format!("{}/tests/fixtures/roster_bad.csv", env!("CARGO_MANIFEST_DIR")), &bad).unwrap();
    let (ok, out) =
        jifen(&db, &["import", "roster", bad.to_str().unwrap(), "--institution", "H37081100001", "--commit"]);
    assert!(!ok && out.contains("7 rejected") && out.contains("nothing written"), "a refused commit fails: {out}");
    let back = std::fs::read_to_string(dir.path().join("bad.rejected.csv")).unwrap();
    assert!(back.contains("错误原因") && back.lines().count() == 8, "{back}");

    let (ok, out) = jifen(&db, &["token", "create", "--role", "hr", "--institution", "H37081100001"]);
    assert!(ok && out.split_whitespace().last().unwrap().starts_with("jf_"), "{out}");
    let (ok, out) = jifen(&db, &["token", "create", "--role", "hr"]);
    assert!(!ok && out.contains("--institution"), "{out}");
    // 聊城 第十九条: renewal from the command line.
    let (ok, out) = jifen(
        &db,
        &["institution", "renew", "--code", "H37081100001", "--on", "2030-11-01", "--agreement-end", "2032-12-31"],
    );
    assert!(ok && out.contains("agreement to 2032-12-31"), "{out}");
    // 六(一): the agency's delivery allowance of written notices.
    let (ok, out) = jifen(&db, &["setting", "delivery-allowance", "--days", "3", "--from", "2024-09-01"]);
    assert!(ok && out.contains("3 calendar days"), "{out}");
    let (ok, out) = jifen(&db, &["setting", "delivery-allowance", "--days", "99", "--from", "2024-09-01"]);
    assert!(!ok && out.contains("0..=30"), "{out}");
    let (ok, out) = jifen(&db, &["verify"]);
    assert!(ok && out.contains("verified 3 practitioners: 0 differences"), "{out}");
}
