//! `/inspections/upload` without a browser, on both databases: who may open it, that the preview
//! needs the session's CSRF token and writes nothing, that a county officer's rows for another
//! county come back rejected (the service decides, as `POST /inspections/batch` does), that a
//! city officer's file commits and a second commit of the same file records nothing twice, and
//! that the rejected rows download as .xlsx to their uploader only.

mod common;
#[path = "web_support/mod.rs"]
mod web_support;

use jifen::service::accounts::NewAccount;
use jifen::service::Caller;
use web_support::{Client, Page, PASSWORD};

const FILE: &str = "检查编号,定点医药机构编码,医保对应代码,扣分情形,检查日期,处理决定日期\n\
                    T-1,H37081100001,D370811000001,1.4,2025-03-01,2025-03-01\n\
                    T-2,H37081100001,D370811000002,1.4,2025-02-30,2025-03-01\n";

fn officer(app: &jifen::service::App, username: &str, region: Option<&str>) {
    let req = NewAccount {
        username: username.into(),
        password: PASSWORD.into(),
        role: "officer".into(),
        institution_code: None,
        region_code: region.map(str::to_string),
    };
    app.create_account(&Caller::system(), &req).expect("officer");
}

/// The file posted as a browser form posts it (multipart), with the session's cookies.
fn upload(c: &mut Client, csrf: &str, file: &str) -> Page {
    let boundary = "----jifen-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"violations.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
    );
    let cookies = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let res = ureq::AgentBuilder::new()
        .redirects(0)
        .build()
        .post(&format!("{}/inspections/upload/preview", c.root))
        .set("Cookie", &cookies)
        .set("Content-Type", &format!("multipart/form-data; boundary={boundary}"))
        .send_bytes(body.as_bytes());
    let res = match res {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    Page { status: res.status(), location: None, body: res.into_string().unwrap_or_default() }
}

fn upload_id(body: &str) -> String {
    let at = body.find("name=\"upload_id\" value=\"").expect("an upload_id field");
    let rest = &body[at + "name=\"upload_id\" value=\"".len()..];
    rest[..rest.find('"').expect("end of value")].to_string()
}

#[test]
fn the_upload_page_previews_commits_once_and_keeps_a_county_to_itself() {
    for db in common::all() {
        let s = common::spawn(&db);
        let w = web_support::world(&s.app);
        officer(&s.app, "officer", None);
        officer(&s.app, "officer_yz", Some("370812"));
        let sys = Caller::system();
        let total = |code: &str| s.app.ledger(&sys, code, 2025).expect("ledger").total;

        // hr may not open it.
        let mut hr = Client::new(&s.base);
        assert_eq!(hr.login("hr_a", PASSWORD).status, 303);
        assert_eq!(hr.get("/inspections/upload").status, 403, "{}", db.backend);

        // A county officer of 兖州区: the rows of 任城区's hospital come back, nothing is recorded.
        let mut yz = Client::new(&s.base);
        assert_eq!(yz.login("officer_yz", PASSWORD).status, 303);
        let page = yz.get("/inspections/upload");
        assert_eq!(page.status, 200);
        assert!(page.body.contains("只能上传本辖区（370812）"), "{}", db.backend);
        let csrf = yz.session_csrf();
        assert_eq!(upload(&mut yz, "wrong", FILE).status, 403, "{}: no CSRF token, no preview", db.backend);
        let p = upload(&mut yz, &csrf, FILE);
        assert_eq!(p.status, 200, "{}: {}", db.backend, p.body);
        assert!(p.body.contains("不在本辖区"), "{}: {}", db.backend, p.body);
        assert!(!p.body.contains("upload-commit"), "nothing to commit");

        // A city officer: the preview writes nothing, the good row commits, the bad one is shown.
        let mut city = Client::new(&s.base);
        assert_eq!(city.login("officer", PASSWORD).status, 303);
        let csrf = city.session_csrf();
        let p = upload(&mut city, &csrf, FILE);
        assert_eq!(p.status, 200, "{}: {}", db.backend, p.body);
        assert!(p.body.contains("bad-cell") && p.body.contains("不是有效日期"), "{}: {}", db.backend, p.body);
        assert_eq!(total(&w.at_a[0]), 0, "{}: the preview wrote nothing", db.backend);
        let id = upload_id(&p.body);
        let all =
            city.post("/inspections/upload/commit", &[("csrf_token", &csrf), ("upload_id", &id), ("partial", "false")]);
        assert_eq!(all.status, 422, "{}: 全部提交 with a bad row writes nothing", db.backend);
        assert_eq!(total(&w.at_a[0]), 0);
        let good =
            city.post("/inspections/upload/commit", &[("csrf_token", &csrf), ("upload_id", &id), ("partial", "true")]);
        assert_eq!(good.status, 200, "{}: {}", db.backend, good.body);
        assert!(good.body.contains("已记录 1 次检查"), "{}: {}", db.backend, good.body);
        assert_eq!(total(&w.at_a[0]), 1, "{}", db.backend);
        let again =
            city.post("/inspections/upload/commit", &[("csrf_token", &csrf), ("upload_id", &id), ("partial", "true")]);
        assert!(again.body.contains("此前已记录"), "{}: {}", db.backend, again.body);
        assert_eq!(total(&w.at_a[0]), 1, "{}: the same file twice records once", db.backend);

        // The rejected rows as .xlsx, for the uploader only.
        let x = city.get(&format!("/inspections/upload/{id}/rejected.xlsx"));
        assert_eq!(x.status, 200, "{}", db.backend);
        assert_eq!(yz.get(&format!("/inspections/upload/{id}/rejected.xlsx")).status, 404, "{}", db.backend);
    }
}
