//! Issue 17: a deployment chooses its jurisdiction (a setting in the database, admin only,
//! audited), the engine then reads that jurisdiction's packs; `jifen pack check` and
//! `jifen pack diff` read pack files. On SQLite and (with TEST_DATABASE_URL) PostgreSQL.

mod common;

use std::process::Command;

use common::{call, spawn};
use jifen::service::tokens::Role;
use serde_json::{json, Value};

const A: &str = "H37081100001";
const P: &str = "D370811000001";

fn setup(s: &common::TestServer) {
    let inst = json!({"code": A, "name": "医院", "kind": "medical", "agreement_start": "2020-01-01", "agreement_end": "2030-12-31"});
    assert_eq!(call("POST", &format!("{}/institutions", s.base), Some(&s.admin), Some(&inst), &[]).0, 201);
    let reg = json!({"institution_code": A, "personnel_code": P, "name": "测试", "id_number": common::id_number("19800101", 1),
        "category": "physician", "registered_on": "2024-01-01"});
    assert_eq!(call("POST", &format!("{}/registrations", s.base), Some(&s.admin), Some(&reg), &[]).0, 201);
}

fn inspect(s: &common::TestServer, items: &[&str], points: Option<u32>, key: &str) -> (u16, Value) {
    let body = json!({"institution_code": A, "inspected_on": "2025-03-10", "decided_on": "2025-03-10",
        "violations": [{"personnel_code": P, "items": items, "points": points}]});
    call("POST", &format!("{}/inspections", s.base), Some(&s.admin), Some(&body), &[("Idempotency-Key", key)])
}

#[test]
fn an_admin_chooses_the_jurisdiction_before_anything_is_scored() {
    for db in common::all() {
        let s = spawn(&db);
        let url = format!("{}/settings/jurisdiction", s.base);
        let (st, b) = call("GET", &url, Some(&s.admin), None, &[]);
        assert_eq!((st, b["jurisdiction"].as_str(), b["set_by_admin"].as_bool()), (200, Some("jining"), Some(false)));
        assert_eq!(b["available"], json!(["jining", "national", "tianjin"]), "{b}");
        let agency = s.app.create_token(Role::Agency, None, None).unwrap();
        let (st, _) = call("POST", &url, Some(&agency), Some(&json!({"jurisdiction": "tianjin"})), &[]);
        assert_eq!(st, 403, "admin only");
        let (st, b) = call("POST", &url, Some(&s.admin), Some(&json!({"jurisdiction": "shanghai"})), &[]);
        assert_eq!((st, b["error"]["code"].as_str()), (422, Some("unknown_jurisdiction")), "{b}");
        let (st, b) = call("POST", &url, Some(&s.admin), Some(&json!({"jurisdiction": "tianjin"})), &[]);
        assert_eq!((st, b["packs"][0]["id"].as_str()), (201, Some("tianjin-2025")), "{b}");
        let (_, audit) = call("GET", &format!("{}/audit?target=jurisdiction", s.base), Some(&s.admin), None, &[]);
        assert!(audit.to_string().contains("jurisdiction_settings:"), "audited: {audit}");

        // The engine now reads 天津's packs: its items, its ranges, its bands.
        setup(&s);
        let (st, b) = inspect(&s, &["1.1"], None, "k1");
        assert_eq!((st, b["error"]["code"].as_str()), (422, Some("unknown_item")), "{b}");
        let (st, b) = inspect(&s, &["T2"], None, "k2");
        assert_eq!((st, b["error"]["code"].as_str()), (422, Some("points_required")), "{b}");
        assert_eq!(b["error"]["field"], "violations[0].points", "{b}");
        let (st, b) = inspect(&s, &["T2"], Some(7), "k3");
        assert_eq!((st, b["error"]["code"].as_str()), (422, Some("points_out_of_range")), "{b}");
        let (st, b) = inspect(&s, &["T2"], Some(6), "k4");
        assert_eq!((st, b["violations"][0]["points"].as_u64()), (201, Some(6)), "{b}");
        let (_, ledger) =
            call("GET", &format!("{}/practitioners/{P}/ledger?year=2025", s.base), Some(&s.admin), None, &[]);
        let zh = ledger["deductions"][0]["explanation"]["zh"].as_str().unwrap_or_default().to_string();
        assert!(zh.ends_with("扣6分（分值由经办人员在4-6分内选定）"), "{ledger}");
        let interview = &b["sanctions"][0];
        assert_eq!(interview["kind"], "interview", "{b}");
        assert!(interview["explanation"]["zh"].as_str().unwrap().contains("重点监管"), "{b}");

        // The batch file carries the same choice in its 扣分分值 column.
        let csv = format!(
            "检查编号,定点医药机构编码,医保对应代码,扣分情形,检查日期,处理决定日期,扣分分值\n\
             R1,{A},{P},T1,2025-04-01,2025-04-01,2\nR2,{A},{P},T1,2025-04-02,2025-04-02,9\nR3,{A},{P},T1,2025-04-03,2025-04-03,\n"
        );
        let url_batch = format!("{}/inspections/batch?commit=true&partial=true", s.base);
        let (st, b) = common::call_raw("POST", &url_batch, Some(&s.admin), csv.as_bytes(), "text/csv");
        assert_eq!(st, 200, "{b}");
        let codes: Vec<&str> = b["rejected"].as_array().unwrap().iter().filter_map(|r| r["code"].as_str()).collect();
        assert_eq!(codes, ["points_out_of_range", "points_required"], "{b}");
        let (_, ledger) =
            call("GET", &format!("{}/practitioners/{P}/ledger?year=2025", s.base), Some(&s.admin), None, &[]);
        assert_eq!(ledger["total"], 8, "6 + 2 from the file: {ledger}");

        // Once scored, the jurisdiction stays.
        let (st, b) = call("POST", &url, Some(&s.admin), Some(&json!({"jurisdiction": "jining"})), &[]);
        assert_eq!((st, b["error"]["code"].as_str()), (409, Some("ledger_not_empty")), "{b}");
        // A restarted server reads the setting back.
        let again = jifen::service::App::open(&db.url).unwrap();
        assert_eq!(again.packs.jurisdiction(), "tianjin");
        assert!(again.verify().unwrap().differences.is_empty());
    }
}

fn jifen(args: &[&str]) -> (bool, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_jifen")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn pack_check_passes_the_shipped_packs_and_lists_every_problem_of_a_broken_one() {
    let (ok, out) = jifen(&[
        "pack",
        "check",
        "data/packs/jining-2024.toml",
        "data/packs/national-2024.toml",
        "data/packs/tianjin-2025.toml",
    ]);
    assert!(ok, "{out}");
    assert_eq!(out.matches("通过检查").count(), 3, "{out}");

    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("data/packs/tianjin-2025.toml").unwrap();
    let broken = text.replacen(
        "article = \"天津实施办法（据公开摘要）\"\ntext = \"情节一般",
        "article = \"\"\ntext = \"情节一般",
        1,
    );
    let broken = broken.replacen("min = 9\n", "min = 10\n", 1);
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, &broken).unwrap();
    let (ok, out) = jifen(&["pack", "check", path.to_str().unwrap()]);
    assert!(!ok, "{out}");
    let line = |needle: &str| broken.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    assert!(out.contains(&format!("line {}: items[1] (code \"T2\") has no article", line("article = \"\""))), "{out}");
    assert!(out.contains(&format!("line {}: bands[1] (min 10): gap or overlap", line("min = 10"))), "{out}");
    assert!(out.contains("2 problem(s)"), "{out}");

    // Two packs of one jurisdiction with a gap between them.
    let later = text
        .replace("id = \"tianjin-2025\"", "id = \"tianjin-2027\"")
        .replace("effective_from = \"2025-01-01\"", "effective_from = \"2027-02-01\"");
    let earlier = text.replace(
        "effective_from = \"2025-01-01\"",
        "effective_from = \"2025-01-01\"\neffective_until = \"2027-01-01\"",
    );
    std::fs::write(dir.path().join("a.toml"), earlier).unwrap();
    std::fs::write(dir.path().join("b.toml"), later).unwrap();
    let (ok, out) = jifen(&[
        "pack",
        "check",
        dir.path().join("a.toml").to_str().unwrap(),
        dir.path().join("b.toml").to_str().unwrap(),
    ]);
    assert!(!ok && out.contains("leave a gap") && out.contains("2027-01-01"), "{out}");
}

#[test]
fn pack_diff_speaks_to_an_official() {
    let (ok, out) = jifen(&["pack", "diff", "data/packs/jining-2024.toml", "data/packs/tianjin-2025.toml"]);
    assert!(ok, "{out}");
    for want in [
        "新增条目 T1",
        "删除条目 12.6",
        "约谈起点：累计5分 → 6分",
        "中止（暂停）起点：累计6分 → 9分",
        "记分修复：无 → 有",
    ] {
        assert!(out.contains(want), "{want}: {out}");
    }
}
