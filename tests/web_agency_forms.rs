//! The agency's and the admin's remaining forms without a browser, on both databases (issue
//! 14): renew and decline to renew an agreement, each previewed with its effect on the staff
//! (computed by the service) before anything is written; the hearing step (陈述申辩, 吉林
//! 第四十九条): the notice of intent from the page, the institution's statement by its HR, and
//! the suspension that names the notice and answers the statement; the admin records the
//! administrative department's decision on an escalated objection; HR's unread notices (unread
//! first, read once its HR opens one — not the legal receipt of 六(一)). Every new form is
//! refused without its CSRF token.

mod common;
mod web_support;

use chrono::{Duration, NaiveDate};
use jifen::domain::dates::today_china;
use jifen::service::institutions::NewInstitution;
use jifen::service::objections::{DecideObjection, EscalateObjection, NewObjection};
use jifen::service::{App, Caller};
use web_support::{account, person, world, Client, PASSWORD};

/// A hospital whose term ends in 30 days, with one person registered.
fn ending_hospital(app: &App) -> (String, NaiveDate) {
    let today = today_china();
    let end = today + Duration::days(30);
    let code = "H37081100007".to_string();
    let req = NewInstitution {
        code: code.clone(),
        name: "济宁市第七医院".into(),
        kind: "medical".into(),
        region_code: None,
        agreement_start: (end - Duration::days(364)).to_string(),
        agreement_end: end.to_string(),
        public: None,
        organization_code: None,
        legal_representative: None,
    };
    app.create_institution(&Caller::system(), &req).expect("institution");
    let reg = jifen::service::registrations::NewRegistration {
        institution_code: code.clone(),
        personnel_code: "D370811000071".into(),
        name: "周七".into(),
        id_number: common::id_number("19800101", 71),
        category: "physician".into(),
        registered_on: (end - Duration::days(300)).to_string(),
        phone: None,
    };
    app.register(&Caller::system(), &reg).expect("register");
    (code, end)
}

#[test]
fn every_new_form_is_refused_without_its_csrf_token() {
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        account(&s.app, "agency", "agency", None);
        for (user, paths) in [
            (
                "agency",
                vec![
                    format!("/institutions/{}/renew", w.a),
                    format!("/institutions/{}/non-renewal", w.a),
                    format!("/institutions/{}/intents", w.a),
                ],
            ),
            ("hr_a", vec![format!("/institutions/{}/intents/1/statement", w.a)]),
            ("admin", vec!["/objections/1/escalation/decide".to_string()]),
        ] {
            let mut c = Client::new(&s.base);
            assert_eq!(c.login(user, PASSWORD).status, 303);
            for path in paths {
                let form = [
                    ("on", "2026-11-01"),
                    ("agreement_end", "2031-12-31"),
                    ("reason", "x"),
                    ("confirmed", "yes"),
                    ("action", "suspend"),
                    ("facts", "x"),
                    ("basis", "x"),
                    ("notified_on", "2026-11-01"),
                    ("decision", "uphold"),
                    ("decided_on", "2026-11-01"),
                ];
                let p = c.post(&path, &form);
                assert_eq!(p.status, 403, "{}: {path} without a token", db.backend);
                assert!(p.body.contains("表单已失效"), "{path}: {}", p.body);
            }
        }
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let a = s.app.institution(&Caller::system(), &w.a, day).expect("institution");
        assert_eq!(a.agreement_end.to_string(), "2030-12-31", "{}: not renewed", db.backend);
        assert!(a.history.is_empty(), "{}: nothing written", db.backend);
        assert!(s.app.intents(&Caller::system(), &w.a).expect("intents").is_empty(), "{}", db.backend);
    }
}

#[test]
fn a_renewal_and_a_non_renewal_show_their_effect_on_the_staff_before_they_are_confirmed() {
    for db in common::all() {
        let s = common::spawn(&db);
        let _w = world(&s.app);
        let (code, end) = ending_hospital(&s.app);
        account(&s.app, "agency", "agency", None);
        let mut c = Client::new(&s.base);
        assert_eq!(c.login("agency", PASSWORD).status, 303);
        // The list names the agreement ending soon, with a link to its forms.
        let list = c.get("/institutions");
        assert!(list.body.contains("即将到期的医保协议"), "{}: {}", db.backend, list.body);
        assert!(list.body.contains(&format!("/institutions/{code}#renew")), "{}", db.backend);
        let token = c.session_csrf();
        let today = today_china().to_string();
        let new_end = (end + Duration::days(365)).to_string();

        // Renewal: the preview, computed by the service; nothing written.
        let path = format!("/institutions/{code}/renew");
        let form = [("csrf_token", token.as_str()), ("on", today.as_str()), ("agreement_end", new_end.as_str())];
        let preview = c.post(&path, &form);
        assert_eq!(preview.status, 200, "{}: {}", db.backend, preview.body);
        let start = (end + Duration::days(1)).to_string();
        assert!(preview.body.contains(&format!("新协议期为 {start} 至 {new_end}")), "{}", preview.body);
        assert!(preview.body.contains("在册人员 1 人"), "{}", preview.body);
        assert!(preview.body.contains("name=\"confirmed\" value=\"yes\""));
        let v = s.app.institution(&Caller::system(), &code, today_china()).expect("institution");
        assert_eq!(v.agreement_end, end, "{}: nothing written before the confirmation", db.backend);
        // A new term ending before it starts is refused on the page, before any confirmation.
        let early = end.to_string();
        let bad = c.post(&path, &[("csrf_token", token.as_str()), ("on", today.as_str()), ("agreement_end", &early)]);
        assert_eq!(bad.status, 422, "{}", db.backend);
        assert!(bad.body.contains("截止日期早于该日"), "{}", bad.body);
        let mut confirmed = form.to_vec();
        confirmed.push(("confirmed", "yes"));
        let done = c.post(&path, &confirmed);
        assert_eq!(done.status, 303, "{}: {}", db.backend, done.body);
        let after = c.get(done.location.as_deref().expect("back to the page"));
        assert!(after.body.contains("医保协议已续签"), "{}", after.body);
        let v = s.app.institution(&Caller::system(), &code, today_china()).expect("institution");
        assert_eq!(v.agreement_end.to_string(), new_end, "{}: renewed", db.backend);

        // Non-renewal: the preview says when it ends and whose agreements end with it.
        let path = format!("/institutions/{code}/non-renewal");
        let no_reason = c.post(&path, &[("csrf_token", token.as_str()), ("on", today.as_str())]);
        assert_eq!(no_reason.status, 422, "{}: a reason is needed", db.backend);
        let form =
            [("csrf_token", token.as_str()), ("on", today.as_str()), ("reason", "年度考核不合格，双方未达成一致")];
        let preview = c.post(&path, &form);
        assert_eq!(preview.status, 200, "{}: {}", db.backend, preview.body);
        let ends = (NaiveDate::parse_from_str(&new_end, "%Y-%m-%d").unwrap() + Duration::days(1)).to_string();
        assert!(preview.body.contains(&format!("医保协议自 {ends} 起终止")), "{}", preview.body);
        assert!(preview.body.contains("服务协议随之终止"), "{}", preview.body);
        let v = s.app.institution(&Caller::system(), &code, today_china()).expect("institution");
        assert!(v.history.iter().all(|e| e.action.as_str() != "non_renewal"), "{}: nothing written", db.backend);
        let mut confirmed = form.to_vec();
        confirmed.push(("confirmed", "yes"));
        let done = c.post(&path, &confirmed);
        assert_eq!(done.status, 303, "{}: {}", db.backend, done.body);
        let later = ends.parse::<NaiveDate>().unwrap();
        let v = s.app.institution(&Caller::system(), &code, later).expect("institution");
        assert_eq!(v.status, "expired", "{}: it ends with its term", db.backend);
        // A second decision is refused on the page with the reason.
        let again = c.post(&path, &form);
        assert_eq!(again.status, 422, "{}", db.backend);
        assert!(again.body.contains("已决定不再续签"), "{}", again.body);
    }
}

#[test]
fn the_agency_gives_notice_of_intent_hr_states_the_case_and_the_suspension_answers_it() {
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        account(&s.app, "agency", "agency", None);
        let today = today_china();
        let told = (today - Duration::days(10)).to_string();
        let mut agency = Client::new(&s.base);
        assert_eq!(agency.login("agency", PASSWORD).status, 303);
        let token = agency.session_csrf();
        let page = agency.get(&format!("/institutions/{}", w.a));
        assert!(page.body.contains("陈述申辩（吉林 第四十九条）"), "{}", page.body);
        assert!(
            page.body.contains("现行规则（济宁，依聊城办法）不要求此步骤"),
            "{}: 济宁 does not require it",
            db.backend
        );
        // The notice: refused without its facts, then given.
        let path = format!("/institutions/{}/intents", w.a);
        let empty = agency.post(&path, &[("csrf_token", &token), ("action", "suspend"), ("notified_on", &told)]);
        assert_eq!(empty.status, 422, "{}: {}", db.backend, empty.body);
        let form = [
            ("csrf_token", token.as_str()),
            ("action", "suspend"),
            ("facts", "2026年第三季度串换药品12次"),
            ("basis", "聊城 第二十九条"),
            ("notified_on", told.as_str()),
        ];
        let done = agency.post(&path, &form);
        assert_eq!(done.status, 303, "{}: {}", db.backend, done.body);
        let intent = s.app.intents(&Caller::system(), &w.a).expect("intents").pop().expect("one notice");
        // The agency sees no statement form; HR of A does, HR of B cannot post one.
        let page = agency.get(&format!("/institutions/{}", w.a));
        assert!(page.body.contains("2026年第三季度串换药品12次"), "{}", page.body);
        let statement_path = format!("/institutions/{}/intents/{}/statement", w.a, intent.id);
        assert!(!page.body.contains(&statement_path), "{}: the agency does not state the case", db.backend);
        let mut hr_b = Client::new(&s.base);
        assert_eq!(hr_b.login("hr_b", PASSWORD).status, 303);
        let t = hr_b.session_csrf();
        let other = hr_b.post(&statement_path, &[("csrf_token", &t), ("stated_on", &told), ("statement", "x")]);
        assert_eq!(other.status, 404, "{}: another hospital's notice", db.backend);
        let mut hr = Client::new(&s.base);
        assert_eq!(hr.login("hr_a", PASSWORD).status, 303);
        let hr_page = hr.get(&format!("/institutions/{}", w.a));
        assert!(hr_page.body.contains(&statement_path), "{}: HR of A states its case", db.backend);
        let t = hr.session_csrf();
        let stated_on = (today - Duration::days(8)).to_string();
        let stated = hr.post(
            &statement_path,
            &[
                ("csrf_token", &t),
                ("stated_on", &stated_on),
                ("statement", "已整改，系统误报"),
                ("evidence", "整改报告"),
            ],
        );
        assert_eq!(stated.status, 303, "{}: {}", db.backend, stated.body);
        // The suspension names the notice: without an answer to the statement it is refused.
        let suspend = format!("/institutions/{}/suspend", w.a);
        let id = intent.id.to_string();
        let from = today.to_string();
        let base = [
            ("csrf_token", token.as_str()),
            ("from", from.as_str()),
            ("reason", "串换药品"),
            ("article", "聊城 第二十九条"),
            ("intent_id", id.as_str()),
        ];
        let preview = agency.post(&suspend, &base);
        assert_eq!(preview.status, 200, "{}: {}", db.backend, preview.body);
        assert!(
            preview.body.contains(&format!("name=\"intent_id\" value=\"{id}\"")),
            "the notice goes to the confirmation"
        );
        let mut unanswered = base.to_vec();
        unanswered.push(("confirmed", "yes"));
        let refused = agency.post(&suspend, &unanswered);
        assert_eq!(refused.status, 422, "{}: {}", db.backend, refused.body);
        assert!(refused.body.contains("不予采纳的应说明理由"), "{}", refused.body);
        let mut answered = unanswered.clone();
        answered.push(("statement_response", "整改报告未附检查记录，不予采纳"));
        let done = agency.post(&suspend, &answered);
        assert_eq!(done.status, 303, "{}: {}", db.backend, done.body);
        let intent = s.app.intents(&Caller::system(), &w.a).expect("intents").pop().expect("one notice");
        let decision = intent.decision.expect("the decision follows the notice");
        assert_eq!(decision.adopted, Some(false), "{}", db.backend);
        assert!(decision.response.contains("不予采纳"), "{}", db.backend);
        assert_eq!(s.app.institution(&Caller::system(), &w.a, today).expect("i").status, "suspended");
    }
}

#[test]
fn the_admin_records_the_departments_decision_on_an_escalated_objection() {
    use jifen::service::inspections::{NewInspection, NewViolation};
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        let sys = Caller::system();
        let req = NewInspection {
            institution_code: w.a.clone(),
            inspected_on: "2026-11-02".into(),
            decided_on: "2026-11-02".into(),
            violations: vec![NewViolation {
                personnel_code: w.at_a[0].clone(),
                items: vec!["3.2".into()],
                occurred_on: None,
                note: String::new(),
                points: None,
                ban_months: None,
                fund_loss: None,
            }],
        };
        let recorded = s.app.record_inspection(&sys, Some("escalation"), &req).expect("inspection");
        let deduction = recorded.violations[0].deduction_id;
        let o = s
            .app
            .file_objection(
                &sys,
                deduction,
                &NewObjection {
                    filed_on: "2026-11-03".into(), grounds: "病历已补全".into(), institution_code: None
                },
            )
            .expect("objection");
        let reject = DecideObjection {
            decision: "reject".into(),
            decided_on: "2026-11-20".into(),
            evidence: "补记晚于检查".into(),
        };
        s.app.decide_objection(&sys, o.id, &reject).expect("reject");
        s.app.escalate_objection(&sys, o.id, &EscalateObjection { on: "2026-11-23".into() }).expect("escalate");
        // HR of A sees it escalated, without the department's form.
        let mut hr = Client::new(&s.base);
        assert_eq!(hr.login("hr_a", PASSWORD).status, 303);
        let form_path = format!("/objections/{}/escalation/decide", o.id);
        assert!(!hr.get("/objections").body.contains(&form_path), "{}: HR has no such form", db.backend);
        let t = hr.session_csrf();
        let refused = hr.post(&form_path, &[("csrf_token", &t), ("decision", "uphold"), ("decided_on", "2026-11-30")]);
        assert_eq!(refused.status, 403, "{}: HR may not decide it", db.backend);
        // The admin decides it from the page.
        let mut admin = Client::new(&s.base);
        assert_eq!(admin.login("admin", PASSWORD).status, 303);
        let page = admin.get("/objections?status=pending");
        assert!(page.body.contains(&form_path), "{}: {}", db.backend, page.body);
        let t = admin.session_csrf();
        let form = [
            ("csrf_token", t.as_str()),
            ("decision", "uphold"),
            ("decided_on", "2026-11-30"),
            ("reasoning", "补记时间有据可查，采纳异议"),
        ];
        let done = admin.post(&form_path, &form);
        assert_eq!(done.status, 303, "{}: {}", db.backend, done.body);
        let after = admin.get(done.location.as_deref().expect("back"));
        assert!(after.body.contains("行政部门的复核决定已记录"), "{}", after.body);
        let o = s.app.objections_list(&sys, None).expect("objections").into_iter().find(|x| x.id == o.id).unwrap();
        assert_eq!(o.status, "upheld_by_department", "{}: the deduction is revoked", db.backend);
        // Decided once: a second post is refused on the page, with the reason.
        let again = admin.post(&form_path, &form);
        assert_eq!(again.status, 422, "{}: {}", db.backend, again.body);
    }
}

#[test]
fn hr_sees_unread_notices_first_and_opening_one_reads_it_for_the_institution_only() {
    use jifen::service::inspections::{NewInspection, NewViolation};
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        account(&s.app, "hr_a2", "hr", Some(&w.a));
        account(&s.app, "agency", "agency", None);
        let sys = Caller::system();
        for (k, day) in ["2026-10-12", "2026-11-02"].iter().enumerate() {
            let req = NewInspection {
                institution_code: w.a.clone(),
                inspected_on: day.to_string(),
                decided_on: day.to_string(),
                violations: vec![NewViolation {
                    personnel_code: w.at_a[k].clone(),
                    items: vec!["1.1".into()],
                    occurred_on: None,
                    note: String::new(),
                    points: None,
                    ban_months: None,
                    fund_loss: None,
                }],
            };
            s.app.record_inspection(&sys, Some(&format!("notice-{k}")), &req).expect("inspection");
        }
        let notices = s.app.notices(&sys, Some(w.a.clone()), None).expect("notices");
        assert!(notices.len() >= 2, "{}: two deduction notices", db.backend);
        let oldest = notices.iter().min_by_key(|n| (n.notice_date, n.id)).unwrap().id;
        let mut hr = Client::new(&s.base);
        assert_eq!(hr.login("hr_a", PASSWORD).status, 303);
        let home = hr.get("/");
        assert!(home.body.contains(&format!("未读 {} 份", notices.len())), "{}: {}", db.backend, home.body);
        // The agency opening a notice reads nothing for the institution.
        let mut agency = Client::new(&s.base);
        assert_eq!(agency.login("agency", PASSWORD).status, 303);
        assert_eq!(agency.get(&format!("/notices/{oldest}/print")).status, 200);
        let list = hr.get("/notices");
        assert!(
            list.body.contains(&format!("未读 <strong id=\"unread-count\">{}</strong>", notices.len())),
            "{}",
            list.body
        );
        // HR opens the oldest: it is read, for every HR account of A, and goes after the unread.
        assert_eq!(hr.get(&format!("/notices/{oldest}/print")).status, 200);
        let mut hr2 = Client::new(&s.base);
        assert_eq!(hr2.login("hr_a2", PASSWORD).status, 303);
        let list = hr2.get("/notices");
        let unread = notices.len() - 1;
        assert!(list.body.contains(&format!("未读 <strong id=\"unread-count\">{unread}</strong>")), "{}", list.body);
        let first_read = list.body.find("已读</span>").expect("a read notice");
        let last_unread = list.body.rfind("badge unread").expect("an unread notice");
        assert!(last_unread < first_read, "{}: unread first", db.backend);
        assert!(hr2.get("/").body.contains(&format!("未读 {unread} 份")), "{}", db.backend);
        // Not the legal receipt of 六(一): no receipt recorded, no deadline moved.
        let n = s.app.notice(&sys, oldest).expect("notice");
        assert_eq!(n.received_on, None, "{}: opening a page acknowledges no receipt", db.backend);
        // HR of B cannot read A's notice (and so cannot mark it).
        let mut hr_b = Client::new(&s.base);
        assert_eq!(hr_b.login("hr_b", PASSWORD).status, 303);
        assert_eq!(hr_b.get(&format!("/notices/{oldest}/print")).status, 404, "{}", db.backend);
        let _ = person;
    }
}

/// Issue 14's /staff: export .xlsx as well as .csv (a gap found going through the list).
#[test]
fn hr_exports_the_staff_list_as_xlsx() {
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        let mut hr = Client::new(&s.base);
        assert_eq!(hr.login("hr_a", PASSWORD).status, 303);
        assert!(hr.get("/staff").body.contains("/staff/export.xlsx"), "{}: the link", db.backend);
        let cookie = hr.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let res = ureq::get(&format!("{}/staff/export.xlsx", hr.root)).set("Cookie", &cookie).call().expect("xlsx");
        assert_eq!(res.status(), 200, "{}", db.backend);
        assert!(res.content_type().contains("spreadsheetml"), "{}: {}", db.backend, res.content_type());
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut res.into_reader(), &mut bytes).expect("read");
        assert!(bytes.starts_with(b"PK"), "{}: a zip (.xlsx)", db.backend);
        // HR always gets its own institution's staff, whatever it asks for.
        let cookie = {
            let mut hr_b = Client::new(&s.base);
            assert_eq!(hr_b.login("hr_b", PASSWORD).status, 303);
            hr_b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
        };
        let url = format!("{}/staff/export.xlsx?institution={}", hr.root, w.a);
        let res = ureq::get(&url).set("Cookie", &cookie).call().expect("xlsx");
        let name = res.header("content-disposition").unwrap_or("").to_string();
        assert!(name.contains(&w.b) && !name.contains(&w.a), "{}: {name}", db.backend);
    }
}
