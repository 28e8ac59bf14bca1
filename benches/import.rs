//! Roster import of 10⁵ rows into SQLite (validate + commit) against `sqlite3 .import` of the
//! same file into a plain table, in one run. Prints `figure …` and `ratio … target 3`; then the
//! peak memory (VmHWM) of preview and commit at 10⁵ and 5 × 10⁵ rows, each import in a child
//! process of its own, and `ratio roster_import_peak_rss_vs_150_mb … target 1`.
//!
//!     cargo bench --bench import              # 100 000 and 500 000 rows
//!     cargo bench --bench import -- --quick   # 20 000 and 100 000 rows

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

/// Writes a roster of `rows` rows; its size in bytes.
fn write_roster(file: &std::path::Path, rows: usize) -> u64 {
    let mut f = std::io::BufWriter::new(std::fs::File::create(file).expect("file"));
    writeln!(
        f,
        "姓名,身份证号码,医保支付资格类别,医保对应代码,执业范围,联系电话,注册地点,注册时间,备案时间,执业证书编号"
    )
    .unwrap();
    for k in 0..rows {
        // k / 1000 gives the birth month and k % 1000 the sequence: unique up to 6 × 10⁵ rows.
        let d = k / 1000;
        let birth = format!("{}{:02}{:02}", 1950 + d / 12, d % 12 + 1, k % 28 + 1);
        writeln!(
            f,
            "人员{k},{},医保医师,D370811{k:06},内科,138{k:08},济宁,2015-07-01,2024-01-01,1103708{k:08}",
            id_number(&birth, k)
        )
        .unwrap();
    }
    drop(f);
    std::fs::metadata(file).map(|m| m.len()).unwrap_or(0)
}

/// The peak resident set of this process (`VmHWM`), in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

/// In a child process (so that its peak memory is the import's alone): import `file` into a
/// fresh database, preview or commit; prints `child <seconds> <peak KiB>`.
fn child(file: &str, db: &str, commit: bool) {
    let app = App::open(db).expect("open");
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
    let input = std::fs::File::open(file).expect("open file");
    let t = Instant::now();
    let opts = UploadOptions { mode: RosterMode::Delta, commit, partial: false, confirm_deregister: None };
    let report = app.upload_roster(&Caller::system(), "H37081100001", input, opts, &mut |_| {}).expect("import");
    let took = t.elapsed().as_secs_f64();
    assert!(report.committed == commit && report.counts.rejected == 0, "{:?}", report.counts);
    println!("child {took:.3} {}", peak_rss_kib());
}

/// Runs [`child`] in a new process: (seconds, peak MiB).
fn measure(file: &std::path::Path, dir: &std::path::Path, commit: bool) -> (f64, u64) {
    let db = dir.join(format!("jifen-{}.db", if commit { "commit" } else { "preview" }));
    let _ = std::fs::remove_file(&db);
    let out = Command::new(std::env::current_exe().expect("self"))
        .args(["--child", &file.to_string_lossy(), &db.to_string_lossy(), if commit { "commit" } else { "preview" }])
        .output()
        .expect("child");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("child "))
        .unwrap_or_else(|| panic!("the import failed: {} {}", text, String::from_utf8_lossy(&out.stderr)));
    let mut w = line.split_whitespace().skip(1);
    let took: f64 = w.next().and_then(|x| x.parse().ok()).unwrap_or(0.0);
    let kib: u64 = w.next().and_then(|x| x.parse().ok()).unwrap_or(0);
    (took, kib / 1024)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(k) = args.iter().position(|a| a == "--child") {
        child(&args[k + 1], &args[k + 2], args[k + 3] == "commit");
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let rows = if quick { 20_000 } else { 100_000 };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("roster.csv");
    let bytes = write_roster(&file, rows);

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

    let (took, commit_mib) = measure(&file, dir.path(), true);
    let (preview_s, preview_mib) = measure(&file, dir.path(), false);

    println!("figure roster_import_rows {rows} rows");
    println!("figure roster_import_file {bytes} bytes");
    println!("figure roster_import_jifen {took:.3} s");
    println!("figure roster_import_rows_per_second {:.0} rows/s", rows as f64 / took);
    println!("figure roster_preview_{rows}_seconds {preview_s:.3} s");
    println!("figure roster_preview_{rows}_peak_rss {preview_mib} MB");
    println!("figure roster_commit_{rows}_peak_rss {commit_mib} MB");
    match baseline {
        Some(b) => {
            println!("figure roster_import_sqlite3_dot_import {b:.3} s");
            println!("ratio roster_import_vs_sqlite3_import {:.2} target 3", took / b);
        }
        None => println!("figure roster_import_sqlite3_dot_import unavailable (apt-get install sqlite3)"),
    }
    // Peak memory, flat in the row count: the same at 5 × 10⁵ rows (target < 150 MB).
    let big_rows = if quick { 100_000 } else { 500_000 };
    let big = dir.path().join("roster-big.csv");
    write_roster(&big, big_rows);
    let (big_commit_s, big_commit_mib) = measure(&big, dir.path(), true);
    let (big_preview_s, big_preview_mib) = measure(&big, dir.path(), false);
    println!("figure roster_preview_{big_rows}_seconds {big_preview_s:.3} s");
    println!("figure roster_preview_{big_rows}_peak_rss {big_preview_mib} MB");
    println!("figure roster_commit_{big_rows}_seconds {big_commit_s:.3} s");
    println!("figure roster_commit_{big_rows}_peak_rss {big_commit_mib} MB");
    let worst = [preview_mib, commit_mib, big_preview_mib, big_commit_mib].into_iter().max().unwrap_or(0);
    println!("ratio roster_import_peak_rss_vs_150_mb {:.2} target 1", worst as f64 / 150.0);
}
