//! 考试方式 recorded (issue 11): how the test centre delivered the test (线上/线下/笔试/机考) is
//! kept as given, on the file, the API, the person's record and the agency's page; 闭卷/开卷 is
//! derived by age (三(三)) and only a 测试形式 that contradicts the age is refused. Both
//! databases.

mod common;
mod web_support;

use jifen::service::batches::{BatchOptions, BatchReport};
use jifen::service::registrations::NewRegistration;
use jifen::service::{App, Caller};
use serde_json::json;
use web_support::{account, world, Client, PASSWORD};

/// A person of 56 on the 2026 tests (open book from 50, 三(三)) at hospital A.
fn older(app: &App, inst: &str) -> String {
    let code = "D370811000050".to_string();
    let req = NewRegistration {
        institution_code: inst.into(),
        personnel_code: code.clone(),
        name: "钱七".into(),
        id_number: common::id_number("19700101", 50),
        category: "physician".into(),
        registered_on: "2023-01-01".into(),
        phone: None,
    };
    app.register(&Caller::system(), &req).expect("register");
    code
}

fn upload(app: &App, text: &str) -> BatchReport {
    let opts = BatchOptions { commit: true, partial: true };
    app.upload_tests(&Caller::system(), std::io::Cursor::new(text.as_bytes().to_vec()), opts, &mut |_| {}).unwrap()
}

/// (format, delivery) of each of the person's tests, as `GET /practitioners/{code}/training-tests` answers.
fn recorded(s: &common::TestServer, code: &str) -> Vec<(String, serde_json::Value)> {
    let (st, v) =
        common::call("GET", &format!("{}/practitioners/{code}/training-tests", s.base), Some(&s.admin), None, &[]);
    assert_eq!(st, 200, "{v}");
    v["years"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|y| y["tests"].as_array().unwrap().clone())
        .map(|t| (t["format"].as_str().unwrap().to_string(), t["delivery"].clone()))
        .collect()
}

#[test]
fn san_san_the_delivery_is_recorded_and_the_format_follows_the_age() {
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        let old = older(&s.app, &w.a);
        let (young, other, third) = (&w.at_a[0], &w.at_a[1], &w.at_b[0]);
        // 张三 46, 钱七 56 on the test date. 测试形式 empty: derived by age, whatever the delivery.
        // 李四 gets 闭卷 under 考试方式 (the format, not a delivery); 王五 an unknown delivery;
        // 钱七's second row claims 闭卷 at 56 — the only refusal of a format.
        let text = format!(
            "医保对应代码,考试日期,测试形式,考试方式,成绩,是否合格\n\
             {young},2026-06-01,,机考,85,合格\n\
             {old},2026-06-01,,线上,85,合格\n\
             {other},2026-06-01,,闭卷,85,合格\n\
             {third},2026-06-01,,电话,85,合格\n"
        );
        let r = upload(&s.app, &text);
        let bad: Vec<(u64, &str)> = r.rejected.iter().map(|x| (x.row, x.code)).collect();
        assert_eq!(bad, [(5, "invalid_delivery")], "{} {r:?}", db.backend);
        assert_eq!(r.rejected[0].reason_zh, "考试方式 '电话' 应为 线上、线下、笔试 或 机考");
        assert!(r.committed && r.counts.accepted == 3, "{} {r:?}", db.backend);
        assert_eq!(recorded(&s, young), [("closed".to_string(), json!("computer"))], "{}", db.backend);
        assert_eq!(recorded(&s, &old), [("open".to_string(), json!("online"))], "{}", db.backend);
        assert_eq!(recorded(&s, other), [("closed".to_string(), json!(null))], "{}", db.backend);

        // A format that contradicts the age is refused with or without a delivery: 王五 is 46.
        let text =
            format!("医保对应代码,考试日期,测试形式,考试方式,成绩,是否合格\n{third},2026-06-01,开卷,笔试,85,合格\n");
        let r = upload(&s.app, &text);
        let bad: Vec<(u64, &str)> = r.rejected.iter().map(|x| (x.row, x.code)).collect();
        assert_eq!(bad, [(2, "format_contradicts_age")], "{} {r:?}", db.backend);
        // …and a delivery given under 测试形式 is a delivery: the format is derived.
        let text = format!("医保对应代码,考试日期,测试形式,成绩,是否合格\n{third},2026-06-01,线下,85,合格\n");
        assert_eq!(upload(&s.app, &text).counts.accepted, 1, "{}", db.backend);
        assert_eq!(recorded(&s, third), [("closed".to_string(), json!("offline"))], "{}", db.backend);
        assert!(s.app.verify().unwrap().chain.breaks.is_empty(), "{}", db.backend);
    }
}

#[test]
fn post_training_tests_takes_the_delivery_and_answers_it() {
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        let old = older(&s.app, &w.a);
        let post = |body: serde_json::Value| {
            common::call("POST", &format!("{}/training-tests", s.base), Some(&s.admin), Some(&body), &[])
        };
        let body = |code: &str, format: &str, delivery: serde_json::Value| {
            json!({"personnel_code": code, "tested_on": "2026-06-01", "format": format, "score": 80,
                   "passed": true, "delivery": delivery})
        };
        let (st, v) = post(body(&w.at_a[0], "closed", json!("电话")));
        assert_eq!(
            (st, &v["error"]["code"], &v["error"]["field"]),
            (422, &json!("invalid_delivery"), &json!("delivery"))
        );
        // The delivery never excuses a format that contradicts the age (钱七 is 56).
        let (st, v) = post(body(&old, "closed", json!("机考")));
        assert_eq!((st, &v["error"]["code"]), (422, &json!("format_contradicts_age")), "{v}");
        let (st, v) = post(body(&old, "open", json!("机考")));
        assert_eq!((st, &v["delivery"]), (201, &json!("computer")), "{}: {v}", db.backend);
        let (st, v) = post(body(&w.at_a[0], "closed", json!("paper")));
        assert_eq!((st, &v["delivery"]), (201, &json!("paper")), "{}: {v}", db.backend);
        // Without it, as before: null.
        let (st, v) = post(json!({"personnel_code": w.at_a[1], "tested_on": "2026-06-01", "format": "closed",
                                  "score": 80, "passed": true}));
        assert_eq!((st, &v["delivery"]), (201, &json!(null)), "{}: {v}", db.backend);
        assert_eq!(recorded(&s, &old), [("open".to_string(), json!("computer"))]);

        // The agency's page lists it in its own column.
        account(&s.app, "agency", "agency", None);
        let mut c = Client::new(&s.base);
        assert_eq!(c.login("agency", PASSWORD).status, 303);
        let page = c.get("/training-tests?year=2026");
        assert_eq!(page.status, 200, "{}", db.backend);
        assert!(page.body.contains(r#"<th scope="col">考试方式</th>"#), "{}", page.body);
        let row_of = |code: &str| {
            let at = page.body.find(&format!(">{code}</a>")).expect("the test's row");
            page.body[at..at + page.body[at..].find("</tr>").unwrap()].to_string()
        };
        assert!(row_of(&old).contains("<td>开卷</td>\n      <td>机考</td>"), "{}", row_of(&old));
        assert!(row_of(&w.at_a[1]).contains("<td>闭卷</td>\n      <td></td>"), "{}", row_of(&w.at_a[1]));
        // The person's page says it too.
        let person = c.get(&format!("/practitioners/{old}"));
        assert!(person.body.contains("2026-06-01 机考、开卷测试80分，合格"), "{}", person.body);
    }
}
