//! Roster import of 10⁵ rows into SQLite (validate + commit) against `sqlite3 .import` of the
//! same file into a plain table, in one run. Prints `figure …` and `ratio … target 3`.
//!
//!     cargo bench --bench import              # 100 000 rows
//!     cargo bench --bench import -- --quick   # 20 000 rows

use std::io::Write;
use std::process::Command;
use std::time::Instant;

use jifen::service::institutions::NewInstitution;
use jifen::service::rosters::{RosterMode, UploadOptions};
use jifen::service::App;
use jifen::service::Caller;

const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const C: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

fn id_number(birth: &str, seq: usize) -> String {
    let body = format!("370811{birth}{:03}", seq % 1000);
    let sum: u32 = body.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{body}{}", C[(sum % 11) as usize])
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rows = if quick { 20_000 } else { 100_000 };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("roster.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&file).expect("file"));
    writeln!(
        f,
        "姓名,身份证号码,医保支付资格类别,医保对应代码,执业范围,联系电话,注册地点,注册时间,备案时间,执业证书编号"
    )
    .unwrap();
    for k in 0..rows {
        let birth = format!("{}{:02}{:02}", 1960 + (k / 1000) % 40, (k / 1000) % 12 + 1, k % 28 + 1);
        writeln!(
            f,
            "人员{k},{},医保医师,D370811{k:06},内科,138{k:08},济宁,2015-07-01,2024-01-01,1103708{k:08}",
            id_number(&birth, k)
        )
        .unwrap();
    }
    drop(f);
    let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);

    let baseline = match Command::new("sqlite3").arg("--version").output() {
        Ok(_) => {
            let db = dir.path().join("plain.db");
            let t = Instant::now();
            let ok = Command::new("sqlite3")
                .arg(&db)
                .args([".mode csv", &format!(".import {} roster", file.display())])
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            ok.then(|| t.elapsed().as_secs_f64())
        }
        Err(_) => None,
    };

    let app = App::open(&dir.path().join("jifen.db").to_string_lossy()).expect("open");
    app.create_institution(
        &Caller::system(),
        &NewInstitution {
            code: "H37081100001".into(),
            name: "基准医院".into(),
            kind: "medical".into(),
            region_code: None,
            agreement_start: "2020-01-01".into(),
            agreement_end: "2030-12-31".into(),
            public: None,
            organization_code: None,
            legal_representative: None,
        },
    )
    .expect("institution");
    let input = std::fs::File::open(&file).expect("open file");
    let t = Instant::now();
    let opts = UploadOptions { mode: RosterMode::Delta, commit: true, partial: false, confirm_deregister: None };
    let report = app.upload_roster(&Caller::system(), "H37081100001", input, opts, &mut |_| {}).expect("import");
    let took = t.elapsed().as_secs_f64();
    assert!(report.committed && report.counts.added == rows, "{:?}", report.counts);

    println!("figure roster_import_rows {rows} rows");
    println!("figure roster_import_file {bytes} bytes");
    println!("figure roster_import_jifen {took:.3} s");
    println!("figure roster_import_rows_per_second {:.0} rows/s", rows as f64 / took);
    match baseline {
        Some(b) => {
            println!("figure roster_import_sqlite3_dot_import {b:.3} s");
            println!("ratio roster_import_vs_sqlite3_import {:.2} target 3", took / b);
        }
        None => println!("figure roster_import_sqlite3_dot_import unavailable (apt-get install sqlite3)"),
    }
}
