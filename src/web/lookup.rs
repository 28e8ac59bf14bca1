//! `/lookup`: the public masked lookup, no login (`app.public_practitioner`,
//! `app.public_institution`, as `GET /api/v1/public/…`).

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::errors::PageError;
use super::labels::date;
use super::layout::Layout;
use super::render::ok;
use super::session::MaybeViewer;
use crate::domain::dates::today_china;
use crate::error::Kind;
use crate::http::State;

#[derive(Deserialize)]
pub struct LookupQuery {
    code: Option<String>,
}

pub struct SiteLine {
    pub code: String,
    pub name: String,
    pub status: &'static str,
    pub status_zh: &'static str,
}

pub struct PersonResult {
    pub code: String,
    pub name: String,
    pub status: &'static str,
    pub status_zh: &'static str,
    pub cycle_total: u32,
    pub remaining: u32,
    pub suspended_until: String,
    pub banned_until: String,
    pub sites: Vec<SiteLine>,
}

pub struct InstitutionResult {
    pub code: String,
    pub name: String,
    pub status: &'static str,
    pub suspended_until: String,
    pub agreement: String,
}

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage {
    layout: Layout,
    code: String,
    today: String,
    person: Option<PersonResult>,
    institution: Option<InstitutionResult>,
    not_found: bool,
}

fn institution_status_zh(s: &str) -> &'static str {
    match s {
        "active" => "正常",
        "suspended" => "医保协议中止",
        "terminated" => "医保协议解除",
        "expired" => "医保协议到期",
        _ => "—",
    }
}

/// `GET /lookup?code=`.
pub async fn show(
    state: web::Data<State>,
    viewer: MaybeViewer,
    q: web::Query<LookupQuery>,
) -> Result<HttpResponse, PageError> {
    let layout = match &viewer.0 {
        Some(v) => v.layout("公开查询"),
        None => Layout::anonymous("公开查询"),
    };
    let today = today_china();
    let code = q.code.as_deref().map(|s| s.trim().to_ascii_uppercase()).unwrap_or_default();
    let mut page = LookupPage {
        layout,
        code: code.clone(),
        today: date(Some(today)),
        person: None,
        institution: None,
        not_found: false,
    };
    if code.is_empty() {
        return Ok(ok(&page));
    }
    let c = code.clone();
    let person = crate::http::run(&state, move |app| app.public_practitioner(&c, today)).await;
    match person {
        Ok(p) => {
            page.person = Some(PersonResult {
                status_zh: match p.status {
                    "active" => "正常",
                    "suspended" => "中止",
                    "terminated" => "解除",
                    "unregistered" => "未登记备案",
                    _ => "—",
                },
                status: p.status,
                code: p.personnel_code,
                name: p.name,
                cycle_total: p.cycle_total,
                remaining: p.remaining,
                suspended_until: date(p.suspended_until),
                banned_until: date(p.banned_until),
                sites: p
                    .sites
                    .iter()
                    .map(|s| SiteLine {
                        code: s.institution_code.clone(),
                        name: s.institution_name.clone(),
                        status: s.status,
                        status_zh: crate::rules::SiteStatus::parse(s.status).map_or("—", super::labels::site_status_zh),
                    })
                    .collect(),
            });
            return Ok(ok(&page));
        }
        Err(crate::error::Error::Client(e)) if e.kind == Kind::NotFound => {}
        Err(e) => return Err(PageError::from_service(e, Layout::anonymous("公开查询"), "", "", "")),
    }
    let c = code.clone();
    match crate::http::run(&state, move |app| app.public_institution(&c, today)).await {
        Ok(i) => {
            page.institution = Some(InstitutionResult {
                code: i.code,
                name: i.name,
                status: institution_status_zh(i.status),
                suspended_until: date(i.suspended_until),
                agreement: format!("{} 至 {}", date(Some(i.agreement_start)), date(Some(i.agreement_end))),
            });
        }
        Err(crate::error::Error::Client(e)) if e.kind == Kind::NotFound => page.not_found = true,
        Err(e) => return Err(PageError::from_service(e, Layout::anonymous("公开查询"), "", "", "")),
    }
    Ok(ok(&page))
}
