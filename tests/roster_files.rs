//! Roster files as HR has them, through HTTP (issue 10): an .xlsx with title rows, a total and a
//! signature, an ID Excel turned into 3.70811E+17, sent raw or as a browser form sends it; the
//! staff list exported as .xlsx goes back in unchanged; the blank template reads as a roster.
//! Both databases.

mod common;

use common::{call, TestServer};
use serde_json::{json, Value};

const INST: &str = "H37081100001";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn sample() -> Vec<u8> {
    std::fs::read(format!("{}/data/samples/roster_excel.xlsx", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

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
    assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut r.into_reader(), &mut bytes).unwrap();
    bytes
}

fn multipart(file: &[u8], name: &str) -> (String, Vec<u8>) {
    let boundary = "----jifen-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\ndelta\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: {XLSX}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[test]
fn an_excel_roster_is_read_as_the_clerk_sees_it_raw_or_as_a_form() {
    for db in common::all() {
        let s = server(&db);
        let (ctype, form) = multipart(&sample(), "花名册.xlsx");
        for (how, ctype, body) in [("raw", XLSX.to_string(), sample()), ("multipart", ctype, form)] {
            let (st, r) = post(&s, "?mode=delta", &ctype, &body);
            assert_eq!(st, 200, "{} {how} {r}", db.backend);
            assert_eq!((r["encoding"].as_str(), r["header_row"].as_u64()), (Some("xlsx"), Some(4)), "{how} {r}");
            assert_eq!(r["counts"]["added"], 2, "{how} {r}");
            let rejected = &r["rejected"][0];
            assert_eq!((rejected["row"].as_u64(), rejected["code"].as_str()), (Some(7), Some("excel_number")), "{r}");
            assert_eq!(
                rejected["reason_zh"],
                "身份证号码被 Excel 转成了数字（3.70811E+17），请将该列设置为“文本”格式后重新填写",
                "{r}"
            );
            let skipped: Vec<(u64, &str)> = r["skipped"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| (x["row"].as_u64().unwrap(), x["reason_zh"].as_str().unwrap()))
                .collect();
            assert_eq!(skipped, [(8, "空行"), (9, "合计行"), (10, "签字行（填表人、审核人等）")], "{how}");
        }
    }
}

#[test]
fn the_staff_list_exported_as_xlsx_goes_back_in_unchanged() {
    for db in common::all() {
        let s = server(&db);
        let (st, r) = post(&s, "?mode=delta&commit=true&partial=true", XLSX, &sample());
        assert_eq!((st, r["committed"].as_bool()), (200, Some(true)), "{} {r}", db.backend);
        let exported = get(&s, &format!("/institutions/{INST}/roster.xlsx"));
        assert_eq!(&exported[..4], b"PK\x03\x04", "an .xlsx file");
        // Read as Excel would: the ID numbers are text cells, never numbers.
        let mut rows = jifen::sheets::open(std::io::Cursor::new(exported.clone())).unwrap();
        let header = rows.next().unwrap().unwrap();
        assert_eq!(header.cells[1].text, "身份证号码");
        let first = rows.next().unwrap().unwrap();
        let id = first.cells.get(1).expect("the ID column");
        assert!(!id.is_numeric() && id.text.len() == 18, "{id:?}");
        let (st, r) = post(&s, "?mode=delta&commit=true", XLSX, &exported);
        assert_eq!(st, 200, "{} {r}", db.backend);
        let c = &r["counts"];
        assert_eq!(
            (c["added"].as_u64(), c["changed"].as_u64(), c["unchanged"].as_u64()),
            (Some(0), Some(0), Some(2)),
            "{r}"
        );
        assert!(r["unknown_columns"].as_array().is_some_and(|u| u.iter().any(|x| x == "人员状态")), "{r}");
        // The CSV export the same way, in GBK.
        let gbk = get(&s, &format!("/institutions/{INST}/roster.csv?encoding=gbk"));
        let (st, r) = post(&s, "?mode=delta", "text/csv", &gbk);
        assert_eq!((st, r["counts"]["unchanged"].as_u64()), (200, Some(2)), "{r}");
    }
}

#[test]
fn the_blank_template_is_a_roster_with_no_rows() {
    let db = common::sqlite();
    let s = server(&db);
    let template = get(&s, "/rosters/template.xlsx");
    let (st, r) = post(&s, "?mode=delta", XLSX, &template);
    assert_eq!((st, r["rows"].as_u64(), r["counts"]["rejected"].as_u64()), (200, Some(0), Some(0)), "{r}");
}

#[test]
fn a_large_file_is_answered_with_a_summary_and_its_full_report_is_kept() {
    for db in common::all() {
        let s = server(&db);
        let mut text = String::from("姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间\n");
        for k in 0..10_200u32 {
            // Every 50th row has an ID number Excel damaged: 204 rejections.
            let id = if k % 50 == 0 { "3.70811E+17".to_string() } else { common::id_number("19900101", k % 1000) };
            text.push_str(&format!("人员{k},{id},医保医师,D370811{:06},2024-01-01\n", 700_000 + k));
        }
        let (st, r) = post(&s, "?mode=delta", "text/csv", text.as_bytes());
        assert_eq!(st, 200, "{} {r}", db.backend);
        assert_eq!(r["rows"], 10_200);
        assert!(r["counts"]["rejected"].as_u64().unwrap() >= 204, "{}", r["counts"]);
        assert_eq!(r["rejected"].as_array().map(Vec::len), Some(100), "the first 100 rejections only");
        assert!(r["rejected_csv"].is_null());
        let id = r["report_id"].as_str().expect("a report id").to_string();
        let path = format!("/rosters/{INST}/reports/{id}");
        let full: Value = serde_json::from_slice(&get(&s, &path)).unwrap();
        assert_eq!(full["rejected"].as_array().map(Vec::len), r["counts"]["rejected"].as_u64().map(|n| n as usize));
        let xlsx = get(&s, &format!("{path}?format=xlsx"));
        assert_eq!(&xlsx[..4], b"PK\x03\x04");
        // Whoever may not read this institution's roster does not see it.
        let other = s.app.create_token(jifen::service::tokens::Role::Hr, Some("H37081100009"), None).unwrap();
        let (st, _) = call("GET", &format!("{}{path}", s.base), Some(&other), None, &[]);
        assert_eq!(st, 404, "{}", db.backend);
    }
}

#[test]
fn a_control_character_or_an_overlong_cell_rejects_its_row_in_any_encoding() {
    for db in common::all() {
        let s = server(&db);
        let long = "长".repeat(2001);
        let text = format!(
            "姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间,执业范围\n\
             张\u{1}三,{},医保医师,D370811800001,2020-01-01,内科\n\
             李四,{},医保医师,D370811800002,2020-01-01,{long}\n\
             王五,{},医保医师,D370811800003,2020-01-01,外科\n",
            common::id_number("19800101", 801),
            common::id_number("19800101", 802),
            common::id_number("19800101", 803)
        );
        // GBK: the upload's UTF-8 scan cannot see it; the sheet reader does, on both databases.
        let gbk = encoding_rs::GBK.encode(&text).0.into_owned();
        let (st, r) = post(&s, "?mode=delta&commit=true&partial=true", "text/csv", &gbk);
        assert_eq!(st, 200, "{} {r}", db.backend);
        let codes: Vec<(u64, &str)> = r["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| (x["row"].as_u64().unwrap(), x["code"].as_str().unwrap()))
            .collect();
        assert_eq!(codes, [(2, "control_character"), (3, "cell_too_long")], "{r}");
        assert_eq!((r["counts"]["added"].as_u64(), r["committed"].as_bool()), (Some(1), Some(true)), "{r}");
    }
}

#[test]
fn the_rejected_rows_of_any_file_come_back_as_xlsx_too() {
    let db = common::sqlite();
    let s = server(&db);
    let (st, r) = post(&s, "?mode=delta", XLSX, &sample());
    assert_eq!(st, 200, "{r}");
    assert!(r["rejected_csv"].is_string(), "{r}");
    let id = r["report_id"].as_str().expect("a report id");
    let xlsx = get(&s, &format!("/rosters/{INST}/reports/{id}?format=xlsx"));
    let mut rows = jifen::sheets::open(std::io::Cursor::new(xlsx)).unwrap();
    let header = rows.next().unwrap().unwrap();
    assert!(header.cells.iter().any(|c| c.text == "错误原因"), "{header:?}");
    let bad = rows.next().unwrap().unwrap();
    assert!(bad.cells.iter().any(|c| c.text.contains("3.70811E+17")), "{bad:?}");
}
