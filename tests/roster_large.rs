//! A roster of more than 10 000 rows (issue 10 "Size"), read a chunk of rows at a time: the
//! answer is the summary and the first 100 entries of each list, and the full report — every
//! row, in order, the rejected rows as CSV — is kept in parts and read back whole, through
//! HTTP as a raw body and as a multipart form. A commit of the partial file writes exactly the
//! good rows; a refused one writes nothing. Both databases.

mod common;

use common::{call, TestServer};
use serde_json::{json, Value};

const INST: &str = "H37081100001";
/// More than one chunk of the check (4 096 rows) and over the 10 000-row summary threshold.
const ROWS: u32 = 12_345;

fn server(db: &common::TestDb) -> TestServer {
    let s = common::spawn(db);
    let (st, b) = call(
        "POST",
        &format!("{}/institutions", s.base),
        Some(&s.admin),
        Some(&json!({"code": INST, "name": "任城区人民医院", "kind": "medical",
            "agreement_start": "2024-03-29", "agreement_end": "2030-12-31"})),
        &[],
    );
    assert_eq!(st, 201, "{b}");
    s
}

fn post(s: &TestServer, query: &str, ctype: &str, body: &[u8]) -> (u16, Value) {
    let res = ureq::post(&format!("{}/rosters/{INST}{query}", s.base))
        .set("Authorization", &format!("Bearer {}", s.admin))
        .set("Content-Type", ctype)
        .send_bytes(body);
    match res {
        Ok(r) => (r.status(), r.into_json().unwrap_or_default()),
        Err(ureq::Error::Status(st, r)) => (st, r.into_json().unwrap_or_default()),
        Err(e) => panic!("{e}"),
    }
}

fn get(s: &TestServer, path: &str) -> Vec<u8> {
    let r =
        ureq::get(&format!("{}{path}", s.base)).set("Authorization", &format!("Bearer {}", s.admin)).call().unwrap();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut r.into_reader(), &mut bytes).unwrap();
    bytes
}

/// A file with a rejection of each kind the check finds at a different stage: a damaged ID
/// (reading), a code repeated far from its first row (duplicates, across chunks), an empty
/// line (row numbers). Gives the file and the rows expected rejected.
fn file() -> (String, Vec<u64>) {
    let mut text = String::from("姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间\n");
    let mut rejected = Vec::new();
    // Spreadsheet rows: the header is row 1; an empty line after data row 5000 is a row too.
    let mut row = 1u64;
    for k in 0..ROWS {
        if k == 5_000 {
            text.push('\n');
            row += 1;
        }
        row += 1;
        // Each block of 1000 rows has its own birth date: every ID number differs.
        let id = match k % 97 {
            0 => "3.70811E+17".to_string(),
            _ => common::id_number(&format!("19{}0101", 70 + k / 1000), k % 1000),
        };
        // Data row 9000's code repeats the second data row's (spreadsheet row 3): a duplicate.
        let code = if k == 9_000 { 600_001 } else { 600_000 + k };
        if k % 97 == 0 || k == 9_000 {
            rejected.push(row);
        }
        text.push_str(&format!("人员{k},{id},医保医师,D370811{code:06},2024-01-01\n"));
    }
    (text, rejected)
}

#[test]
fn a_large_upload_answers_a_summary_and_keeps_every_row_in_its_full_report() {
    for db in common::all() {
        let s = server(&db);
        let (text, rejected_rows) = file();
        let (st, r) = post(&s, "?mode=delta", "text/csv", text.as_bytes());
        assert_eq!(st, 200, "{} {r}", db.backend);
        assert_eq!(r["rows"], ROWS, "the empty line is passed over: {}", r["counts"]);
        let c = &r["counts"];
        assert_eq!(c["rejected"].as_u64(), Some(rejected_rows.len() as u64), "{c}");
        assert_eq!(c["added"].as_u64(), Some(ROWS as u64 - rejected_rows.len() as u64), "{c}");
        // The answer: the first 100 of each list, in row order.
        let first: Vec<u64> = r["rejected"].as_array().unwrap().iter().map(|x| x["row"].as_u64().unwrap()).collect();
        assert_eq!(first.len(), 100);
        assert_eq!(first[..], rejected_rows[..100]);
        assert_eq!(r["added"].as_array().map(Vec::len), Some(100));
        assert!(r["rejected_csv"].is_null());

        // The full report: every row, in order, the same counts.
        let id = r["report_id"].as_str().expect("a report id").to_string();
        let full: Value = serde_json::from_slice(&get(&s, &format!("/rosters/{INST}/reports/{id}"))).unwrap();
        let rows: Vec<u64> = full["rejected"].as_array().unwrap().iter().map(|x| x["row"].as_u64().unwrap()).collect();
        assert_eq!(rows, rejected_rows, "{}", db.backend);
        let dup = full["rejected"].as_array().unwrap().iter().find(|x| x["code"] == "duplicate_in_file").unwrap();
        assert_eq!(dup["reason_zh"], "医保对应代码 D370811600001 与第3行重复", "{dup}");
        let added = full["added"].as_array().unwrap();
        assert_eq!(added.len() as u64, c["added"].as_u64().unwrap());
        assert!(added.windows(2).all(|w| w[0]["row"].as_u64() < w[1]["row"].as_u64()), "row order");
        assert_eq!(full["counts"], r["counts"]);
        assert_eq!(full["rows"], r["rows"]);
        // Every rejected row comes back in the CSV, with its reason, ready to fix.
        let csv = full["rejected_csv"].as_str().expect("the rejected rows");
        assert_eq!(csv.lines().count(), 1 + rejected_rows.len(), "header + one line a row");
        assert!(csv.lines().next().unwrap().ends_with("原行号,错误原因"));
        let from_file = String::from_utf8(get(&s, &format!("/rosters/{INST}/reports/{id}?format=csv"))).unwrap();
        assert!(from_file.contains("3.70811E+17"), "{}", &from_file[..200.min(from_file.len())]);

        // A commit of it all-or-nothing is refused, names the count, writes nothing.
        let (st, r) = post(&s, "?mode=delta&commit=true", "text/csv", text.as_bytes());
        assert_eq!((st, r["error"]["code"].as_str()), (422, Some("commit_refused")), "{r}");
        assert_eq!(r["error"]["report"]["rejected"].as_array().map(Vec::len), Some(100));
        assert!(r["error"]["report"]["report_id"].is_string(), "{r}");
        let roster = String::from_utf8(get(&s, &format!("/institutions/{INST}/roster.csv"))).unwrap();
        assert!(!roster.contains("D370811600002"), "nothing written");

        // partial=true as a browser form sends it: the good rows, exactly.
        let boundary = "----jifen-large";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"roster.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(text.as_bytes());
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let ctype = format!("multipart/form-data; boundary={boundary}");
        let (st, r) = post(&s, "?mode=delta&commit=true&partial=true", &ctype, &body);
        assert_eq!((st, r["committed"].as_bool()), (200, Some(true)), "{} {r}", db.backend);
        assert_eq!(r["counts"]["added"].as_u64(), Some(ROWS as u64 - rejected_rows.len() as u64));
        // The same file again: nothing to add, every good row unchanged.
        let (st, r) = post(&s, "?mode=delta", "text/csv", text.as_bytes());
        assert_eq!(st, 200, "{r}");
        assert_eq!(
            (r["counts"]["added"].as_u64(), r["counts"]["unchanged"].as_u64()),
            (Some(0), Some(ROWS as u64 - rejected_rows.len() as u64)),
            "{}",
            r["counts"]
        );
    }
}
