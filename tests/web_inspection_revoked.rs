//! The officer's inspection page (`/inspections/{id}`) and the person page after a deduction of
//! the inspection was revoked (issue 15): the revoked deduction says 已撤销 with its date and
//! reason and offers no revoke form; the one still counting keeps its form. Both databases,
//! without a browser.

mod common;
#[path = "web_support/mod.rs"]
mod web_support;

use jifen::service::accounts::NewAccount;
use jifen::service::Caller;
use serde_json::json;
use web_support::{world, Client, PASSWORD};

fn revoke_form(d: i64) -> String {
    format!(r#"action="/deductions/{d}/revoke""#)
}

#[test]
fn a_revoked_deduction_is_marked_and_not_offered_for_revocation_again() {
    for db in common::all() {
        let s = common::spawn(&db);
        let w = world(&s.app);
        let officer = NewAccount {
            username: "officer".into(),
            password: PASSWORD.into(),
            role: "officer".into(),
            institution_code: None,
            region_code: None,
        };
        s.app.create_account(&Caller::system(), &officer).expect("officer");
        let body = json!({"institution_code": w.a, "inspected_on": "2026-03-10", "decided_on": "2026-03-12",
            "violations": w.at_a.iter().map(|p| json!({"personnel_code": p, "items": ["1.8"],
                "occurred_on": "2026-03-01", "note": "病历不规范"})).collect::<Vec<_>>()});
        let (st, v) = common::call(
            "POST",
            &format!("{}/inspections", s.base),
            Some(&s.admin),
            Some(&body),
            &[("Idempotency-Key", "revoked-page-1")],
        );
        assert_eq!(st, 201, "{v}");
        let ids: Vec<i64> =
            v["violations"].as_array().unwrap().iter().map(|x| x["deduction_id"].as_i64().unwrap()).collect();
        let (kept, revoked) = (ids[0], ids[1]);
        let inspection: i64 = {
            let mut c = s.app.pool.get().unwrap();
            jifen::store::facts::deduction(&mut c, kept).unwrap().unwrap().inspection_id
        };
        let (st, v) = common::call(
            "POST",
            &format!("{}/deductions/{revoked}/revoke", s.base),
            Some(&s.admin),
            Some(&json!({"on": "2026-04-01", "reason": "复核：人员录错"})),
            &[],
        );
        assert_eq!(st, 200, "{v}");

        let mut c = Client::new(&s.base);
        assert_eq!(c.login("officer", PASSWORD).status, 303);
        let page = c.get(&format!("/inspections/{inspection}"));
        assert_eq!(page.status, 200, "{}: {}", db.backend, page.body);
        let row_of = |body: &str, d: i64| {
            let at = body.find(&format!(r#"<td class="num">{d}</td>"#)).expect("the deduction's row");
            body[at..at + body[at..].find("</tr>").unwrap()].to_string()
        };
        let gone = row_of(&page.body, revoked);
        assert!(gone.contains("2026-04-01 已撤销：复核：人员录错"), "{}: {gone}", db.backend);
        assert!(!gone.contains(&revoke_form(revoked)) && !gone.contains("撤销此扣分"), "{}: {gone}", db.backend);
        let counting = row_of(&page.body, kept);
        assert!(counting.contains(&revoke_form(kept)) && !counting.contains("已撤销"), "{}: {counting}", db.backend);

        // The person page: the ledger says it, the officer's panel offers no form for it.
        let person = c.get(&format!("/practitioners/{}", w.at_a[1]));
        assert_eq!(person.status, 200, "{}", db.backend);
        assert!(person.body.contains("2026-04-01 已撤销：复核：人员录错"), "{}: {}", db.backend, person.body);
        assert!(!person.body.contains(&revoke_form(revoked)), "{}", db.backend);
        let other = c.get(&format!("/practitioners/{}", w.at_a[0]));
        assert!(other.body.contains(&revoke_form(kept)), "{}", db.backend);
    }
}
