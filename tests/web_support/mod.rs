//! Helpers of the page tests: a small world (two hospitals, people at each, accounts), and a
//! cookie-keeping HTTP client that does not follow redirects.
#![allow(dead_code)]

use std::collections::HashMap;

use jifen::service::accounts::NewAccount;
use jifen::service::institutions::NewInstitution;
use jifen::service::registrations::NewRegistration;
use jifen::service::{App, Caller};

pub const PASSWORD: &str = "correct horse battery";

pub struct World {
    pub a: String,
    pub b: String,
    /// People registered at A, then at B.
    pub at_a: Vec<String>,
    pub at_b: Vec<String>,
}

fn institution(app: &App, code: &str, name: &str) {
    let req = NewInstitution {
        code: code.into(),
        name: name.into(),
        kind: "medical".into(),
        region_code: None,
        agreement_start: "2023-01-01".into(),
        agreement_end: "2030-12-31".into(),
        public: None,
        organization_code: None,
        legal_representative: None,
    };
    app.create_institution(&Caller::system(), &req).expect("institution");
}

pub fn person(app: &App, inst: &str, n: u32, name: &str) -> String {
    let code = format!("D370811{n:06}");
    let req = NewRegistration {
        institution_code: inst.into(),
        personnel_code: code.clone(),
        name: name.into(),
        id_number: super::common::id_number("19800101", n),
        category: "physician".into(),
        registered_on: "2023-01-01".into(),
        phone: None,
    };
    app.register(&Caller::system(), &req).expect("register");
    code
}

pub fn account(app: &App, username: &str, role: &str, institution: Option<&str>) {
    let req = NewAccount {
        username: username.into(),
        password: PASSWORD.into(),
        role: role.into(),
        institution_code: institution.map(str::to_string),
        region_code: None,
    };
    app.create_account(&Caller::system(), &req).expect("account");
}

/// Hospitals A (人民医院) and B (中医院), two people at each, accounts hr_a, hr_b, admin.
pub fn world(app: &App) -> World {
    let (a, b) = ("H37081100001".to_string(), "H37081100002".to_string());
    institution(app, &a, "济宁市第一人民医院");
    institution(app, &b, "济宁市中医院");
    let at_a = vec![person(app, &a, 1, "张三"), person(app, &a, 2, "李四")];
    let at_b = vec![person(app, &b, 3, "王五"), person(app, &b, 4, "赵六")];
    account(app, "hr_a", "hr", Some(&a));
    account(app, "hr_b", "hr", Some(&b));
    account(app, "admin", "admin", None);
    World { a, b, at_a, at_b }
}

/// A browser without JavaScript: keeps cookies, shows redirects instead of following them.
pub struct Client {
    pub root: String,
    agent: ureq::Agent,
    pub cookies: HashMap<String, String>,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Client {
    pub fn new(api_base: &str) -> Client {
        Client {
            root: api_base.trim_end_matches("/api/v1").to_string(),
            agent: ureq::AgentBuilder::new().redirects(0).build(),
            cookies: HashMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn read(&mut self, res: Result<ureq::Response, ureq::Error>) -> Page {
        let res = match res {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("transport error: {e}"),
        };
        for h in res.all("set-cookie") {
            let first = h.split(';').next().unwrap_or("");
            if let Some((k, v)) = first.split_once('=') {
                if v.is_empty() || h.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        let status = res.status();
        let location = res.header("location").map(str::to_string);
        let body = res.into_string().unwrap_or_default();
        Page { status, location, body }
    }

    pub fn get(&mut self, path: &str) -> Page {
        let req = self.agent.get(&format!("{}{path}", self.root)).set("Cookie", &self.cookie_header());
        let res = req.call();
        self.read(res)
    }

    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let req = self.agent.post(&format!("{}{path}", self.root)).set("Cookie", &self.cookie_header());
        let res = req.send_form(form);
        self.read(res)
    }

    /// The value of a hidden `csrf_token` field on a page.
    pub fn csrf_of(body: &str) -> String {
        let at = body.find("name=\"csrf_token\" value=\"").expect("a csrf_token field");
        let rest = &body[at + "name=\"csrf_token\" value=\"".len()..];
        rest[..rest.find('"').expect("end of value")].to_string()
    }

    /// Logs in; returns the login's answer (303 on success).
    pub fn login(&mut self, username: &str, password: &str) -> Page {
        let form = self.get("/login");
        let token = Client::csrf_of(&form.body);
        self.post("/login", &[("username", username), ("password", password), ("csrf_token", &token), ("next", "/")])
    }

    /// The session's CSRF token (from the logout form every page carries).
    pub fn session_csrf(&mut self) -> String {
        let home = self.get("/account");
        Client::csrf_of(&home.body)
    }
}
