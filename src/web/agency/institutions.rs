//! `/institutions`: the institution agreements (医保协议). The list (agency, admins, officers of
//! their county; HR sees its own) with each agreement's status and registered staff, the
//! agreements whose term ends soon or is extended awaiting the renewal (聊城 第十九条, as `GET
//! /agreements/ending`), and the form to register an institution. One institution's page is
//! `institution.rs`. All through the API's use-cases.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{institution_badge, institution_status_zh, message, refusal};
use crate::domain::dates::today_china;
use crate::service::agency_pages::{InstitutionList, INSTITUTIONS_SHOWN};
use crate::service::institutions::{EndingAgreement, NewInstitution};
use crate::service::Action;
use crate::web::errors::PageError;
use crate::web::labels::date;
use crate::web::layout::Layout;
use crate::web::paths;
use crate::web::render::{page, see_other};
use crate::web::session::Viewer;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    msg: Option<String>,
}

pub struct ListLine {
    pub code: String,
    pub name: String,
    pub kind_zh: &'static str,
    pub region_code: String,
    pub status: &'static str,
    pub status_zh: &'static str,
    pub term: String,
    pub staff: i64,
}

/// The values typed into the register form (kept when it is refused).
#[derive(Deserialize, Default, Clone)]
pub struct CreateForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    region_code: String,
    #[serde(default)]
    agreement_start: String,
    #[serde(default)]
    agreement_end: String,
    #[serde(default)]
    public: String,
    #[serde(default)]
    organization_code: String,
    #[serde(default)]
    legal_representative: String,
}

#[derive(Template)]
#[template(path = "agency_institutions.html")]
struct ListPage {
    layout: Layout,
    q: String,
    date: String,
    matching: usize,
    shown_max: usize,
    lines: Vec<ListLine>,
    may_create: bool,
    form: CreateForm,
    error: Option<String>,
    /// Agreements whose term ends within the pack's days, or extended awaiting the renewal.
    ending: Vec<EndingLine>,
}

/// One agreement ending soon (or past its term, extended: 顺延).
pub struct EndingLine {
    pub code: String,
    pub name: String,
    pub agreement_end: String,
    pub days_left: String,
    pub status: &'static str,
    pub status_zh: &'static str,
    pub article: String,
}

fn ending_line(e: &EndingAgreement) -> EndingLine {
    EndingLine {
        code: e.institution_code.clone(),
        name: e.name.clone(),
        agreement_end: date(Some(e.agreement_end)),
        days_left: if e.days_left >= 0 {
            format!("{} 天后到期", e.days_left)
        } else {
            format!("已过期限 {} 天（顺延中）", -e.days_left)
        },
        status: institution_badge(e.status),
        status_zh: institution_status_zh(e.status),
        article: e.article.clone(),
    }
}

pub(super) fn kind_zh(kind: &str) -> &'static str {
    match kind {
        "medical" => "医疗机构",
        "pharmacy" => "零售药店",
        _ => "—",
    }
}

async fn render_list(
    viewer: &Viewer,
    q: &str,
    msg: Option<&str>,
    error: Option<String>,
    form: CreateForm,
) -> Result<HttpResponse, PageError> {
    let today = today_china();
    let text = q.to_string();
    let may_read_ending = viewer.caller().permit(Action::ReadAgreementsEnding).is_ok();
    let (list, ending): (InstitutionList, Vec<EndingAgreement>) = viewer
        .call(move |app, caller| {
            let list = app.institution_list(caller, &text, today)?;
            let ending = if may_read_ending { app.agreements_ending(caller, today, None)? } else { Vec::new() };
            Ok((list, ending))
        })
        .await
        .map_err(|e| viewer.fail(e))?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let form = CreateForm {
        agreement_start: if form.agreement_start.is_empty() { date(Some(today)) } else { form.agreement_start },
        ..form
    };
    Ok(page(
        status,
        &ListPage {
            layout: viewer.layout("定点医药机构").flash(message(msg)),
            q: q.to_string(),
            date: date(Some(list.date)),
            matching: list.matching,
            shown_max: INSTITUTIONS_SHOWN,
            lines: list
                .lines
                .iter()
                .map(|l| ListLine {
                    code: l.code.clone(),
                    name: l.name.clone(),
                    kind_zh: kind_zh(&l.kind),
                    region_code: l.region_code.clone(),
                    status: institution_badge(l.status),
                    status_zh: institution_status_zh(l.status),
                    term: format!("{} 至 {}", date(Some(l.agreement_start)), date(Some(l.agreement_end))),
                    staff: l.staff,
                })
                .collect(),
            may_create: viewer.caller().permit(Action::CreateInstitution).is_ok(),
            form,
            error,
            ending: ending.iter().map(ending_line).collect(),
        },
    ))
}

/// `GET /institutions`.
pub async fn list(viewer: Viewer, q: web::Query<ListQuery>) -> Result<HttpResponse, PageError> {
    render_list(&viewer, q.q.as_deref().unwrap_or(""), q.msg.as_deref(), None, CreateForm::default()).await
}

pub(super) fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// `POST /institutions`: register an institution (`app.create_institution`).
pub async fn create(viewer: Viewer, form: web::Form<CreateForm>) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let form = form.into_inner();
    let req = NewInstitution {
        code: form.code.trim().to_ascii_uppercase(),
        name: form.name.clone(),
        kind: form.kind.trim().to_string(),
        region_code: opt(&form.region_code),
        agreement_start: form.agreement_start.trim().to_string(),
        agreement_end: form.agreement_end.trim().to_string(),
        public: Some(form.public == "true"),
        organization_code: opt(&form.organization_code),
        legal_representative: opt(&form.legal_representative),
    };
    match viewer.call(move |app, caller| app.create_institution(caller, &req)).await {
        Ok(v) => Ok(see_other(&format!("{}/{}?msg=institution_created", paths::INSTITUTIONS, v.code))),
        Err(e) => match refusal(&e) {
            Some(m) => render_list(&viewer, "", None, Some(m), CreateForm { csrf_token: String::new(), ..form }).await,
            None => Err(viewer.fail(e)),
        },
    }
}
