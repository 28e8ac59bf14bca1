//! `/staff`: an institution's staff with status, points left and sanction dates; search by
//! name or code, filter by status and category (htmx swaps the table; without JavaScript the
//! form reloads the page); add one person or deregister one with a form; the CSV export.
//! HR sees its own institution; the agency, officers and admins pick one (`?institution=`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::errors::PageError;
use super::labels::{date, site_status_zh};
use super::layout::Layout;
use super::render::{is_htmx, ok, page, see_other};
use super::session::Viewer;
use super::{flash, paths};
use crate::domain::dates::{parse_date, today_china};
use crate::domain::Category;
use crate::error::{Error, Kind};
use crate::rules::SiteStatus;
use crate::service::pages::{StaffList, StaffMember};
use crate::service::registrations::NewRegistration;
use crate::service::tokens::Role;
use crate::sheets::export::ExportEncoding;

#[derive(Deserialize, Default, Clone)]
pub struct StaffQuery {
    institution: Option<String>,
    q: Option<String>,
    status: Option<String>,
    category: Option<String>,
    msg: Option<String>,
}

pub struct Row {
    pub code: String,
    pub name: String,
    pub category_zh: &'static str,
    pub registered_on: String,
    pub status: &'static str,
    pub status_zh: &'static str,
    pub total: u32,
    pub remaining: u32,
    pub suspended_until: String,
    pub banned_until: String,
}

impl Row {
    fn of(m: &StaffMember) -> Row {
        Row {
            code: m.personnel_code.clone(),
            name: m.name.clone(),
            category_zh: m.category_zh,
            registered_on: date(Some(m.registered_on)),
            status: m.status.as_str(),
            status_zh: site_status_zh(m.status),
            total: m.cycle_total,
            remaining: m.remaining,
            suspended_until: date(m.suspended_until),
            banned_until: date(m.banned_until),
        }
    }
}

/// The table alone: what htmx swaps when a filter changes.
#[derive(Template)]
#[template(path = "staff_table.html")]
pub struct StaffTable {
    pub rows: Vec<Row>,
    pub shown: usize,
    pub total: usize,
    pub date: String,
}

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// The values typed into the add-a-person form (kept when it is refused).
#[derive(Deserialize, Default, Clone)]
pub struct RegisterForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    institution_code: String,
    #[serde(default)]
    personnel_code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    registered_on: String,
    #[serde(default)]
    phone: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct DeregisterForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    institution_code: String,
    #[serde(default)]
    personnel_code: String,
    #[serde(default)]
    on: String,
}

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage {
    layout: Layout,
    institution_code: String,
    institution_name: String,
    pick_institution: bool,
    may_register: bool,
    q: String,
    statuses: Vec<Choice>,
    categories: Vec<Choice>,
    counts: Vec<(&'static str, &'static str, usize)>,
    table: StaffTable,
    register: RegisterForm,
    register_error: Option<String>,
    deregister: DeregisterForm,
    deregister_error: Option<String>,
    category_options: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "staff_pick.html")]
struct PickPage {
    layout: Layout,
    find: String,
    found: Vec<(String, String)>,
}

const STATUSES: [SiteStatus; 8] = [
    SiteStatus::Active,
    SiteStatus::Suspended,
    SiteStatus::Terminated,
    SiteStatus::Banned,
    SiteStatus::InstitutionSuspended,
    SiteStatus::InstitutionTerminated,
    SiteStatus::InstitutionExpired,
    SiteStatus::Unregistered,
];

fn filtered(list: &StaffList, q: &StaffQuery) -> StaffTable {
    let needle = q.q.as_deref().map(str::trim).unwrap_or("").to_uppercase();
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    let category = q.category.as_deref().filter(|s| !s.is_empty());
    let rows: Vec<Row> = list
        .members
        .iter()
        .filter(|m| needle.is_empty() || m.personnel_code.contains(&needle) || m.name.to_uppercase().contains(&needle))
        .filter(|m| status.is_none_or(|s| m.status.as_str() == s))
        .filter(|m| category.is_none_or(|c| m.category == c))
        .map(Row::of)
        .collect();
    StaffTable { shown: rows.len(), rows, total: list.members.len(), date: date(Some(list.date)) }
}

fn category_choices(selected: Option<&str>) -> Vec<Choice> {
    Category::ALL
        .iter()
        .map(|c| Choice { value: c.as_str(), label: c.name_zh(), selected: selected == Some(c.as_str()) })
        .collect()
}

/// The institution a request is about: hr's own; for others `?institution=`.
fn institution_of(viewer: &Viewer, asked: Option<&str>) -> Option<String> {
    match viewer.session.role {
        Role::Hr => viewer.session.institution_code.clone(),
        _ => asked.map(|s| s.trim().to_ascii_uppercase()).filter(|s| !s.is_empty()),
    }
}

struct Forms {
    register: RegisterForm,
    register_error: Option<String>,
    deregister: DeregisterForm,
    deregister_error: Option<String>,
}

async fn render_staff(
    viewer: &Viewer,
    req: &HttpRequest,
    q: StaffQuery,
    institution: String,
    forms: Forms,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let code = institution.clone();
    let list =
        viewer.call(move |app, caller| app.staff(caller, &code, today_china())).await.map_err(|e| viewer.fail(e))?;
    let table = filtered(&list, &q);
    if is_htmx(req) && status == StatusCode::OK {
        return Ok(ok(&table));
    }
    let counts = list.counts().into_iter().map(|(s, n)| (s.as_str(), site_status_zh(s), n)).collect();
    let selected = q.status.as_deref();
    let today = date(Some(today_china()));
    let mut register = forms.register;
    if register.registered_on.is_empty() {
        register.registered_on = today.clone();
    }
    let mut deregister = forms.deregister;
    if deregister.on.is_empty() {
        deregister.on = today.clone();
    }
    let p = StaffPage {
        layout: viewer.layout(format!("{} 人员", list.institution_name)).flash(flash::message(q.msg.as_deref())),
        institution_code: list.institution_code.clone(),
        institution_name: list.institution_name.clone(),
        pick_institution: viewer.session.role != Role::Hr,
        may_register: matches!(viewer.session.role, Role::Hr | Role::Agency | Role::Admin),
        q: q.q.clone().unwrap_or_default(),
        statuses: STATUSES
            .iter()
            .map(|s| Choice { value: s.as_str(), label: site_status_zh(*s), selected: selected == Some(s.as_str()) })
            .collect(),
        category_options: category_choices(Some(register.category.as_str())),
        categories: category_choices(q.category.as_deref()),
        counts,
        table,
        register,
        register_error: forms.register_error,
        deregister,
        deregister_error: forms.deregister_error,
    };
    Ok(page(status, &p))
}

/// `GET /staff`.
pub async fn show(viewer: Viewer, req: HttpRequest, q: web::Query<StaffQuery>) -> Result<HttpResponse, PageError> {
    let q = q.into_inner();
    let Some(institution) = institution_of(&viewer, q.institution.as_deref()) else {
        let find = q.q.clone().unwrap_or_default();
        let term = find.clone();
        let found =
            viewer.call(move |app, caller| app.find_institutions(caller, &term)).await.map_err(|e| viewer.fail(e))?;
        return Ok(ok(&PickPage { layout: viewer.layout("选择机构"), find, found }));
    };
    let forms = Forms {
        register: RegisterForm::default(),
        register_error: None,
        deregister: DeregisterForm::default(),
        deregister_error: None,
    };
    render_staff(&viewer, &req, q, institution, forms, StatusCode::OK).await
}

fn staff_url(viewer: &Viewer, institution: &str, msg: &str) -> String {
    match viewer.session.role {
        Role::Hr => format!("{}?msg={msg}", paths::STAFF),
        _ => format!("{}?institution={institution}&msg={msg}", paths::STAFF),
    }
}

/// A refused form is shown again with its values and the reason; other errors are pages.
fn form_error(viewer: &Viewer, e: Error) -> Result<String, PageError> {
    match e {
        Error::Client(c) if matches!(c.kind, Kind::Unprocessable | Kind::Conflict | Kind::BadRequest) => {
            Ok(c.message_zh.clone())
        }
        e => Err(viewer.fail(e)),
    }
}

/// `POST /staff/register`: one person, with the same checks as a roster row (`app.register`).
pub async fn register(
    viewer: Viewer,
    req: HttpRequest,
    form: web::Form<RegisterForm>,
) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let form = form.into_inner();
    let Some(institution) = institution_of(&viewer, Some(&form.institution_code)) else {
        return Err(PageError::not_found(viewer.layout("未找到")));
    };
    let reg = NewRegistration {
        institution_code: institution.clone(),
        personnel_code: form.personnel_code.trim().to_ascii_uppercase(),
        name: form.name.clone(),
        id_number: form.id_number.trim().to_ascii_uppercase(),
        category: form.category.clone(),
        registered_on: form.registered_on.trim().to_string(),
        phone: Some(form.phone.trim().to_string()).filter(|p| !p.is_empty()),
    };
    match viewer.call(move |app, caller| app.register(caller, &reg)).await {
        Ok(_) => Ok(see_other(&staff_url(&viewer, &institution, "registered"))),
        Err(e) => {
            let message = form_error(&viewer, e)?;
            let forms = Forms {
                register: form,
                register_error: Some(message),
                deregister: DeregisterForm::default(),
                deregister_error: None,
            };
            let q = StaffQuery { institution: Some(institution.clone()), ..Default::default() };
            render_staff(&viewer, &req, q, institution, forms, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// `POST /staff/deregister`: 注销 from a date (`app.deregister`).
pub async fn deregister(
    viewer: Viewer,
    req: HttpRequest,
    form: web::Form<DeregisterForm>,
) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let form = form.into_inner();
    let Some(institution) = institution_of(&viewer, Some(&form.institution_code)) else {
        return Err(PageError::not_found(viewer.layout("未找到")));
    };
    let result = match parse_date("on", form.on.trim()) {
        Ok(on) => {
            let (inst, person) = (institution.clone(), form.personnel_code.trim().to_ascii_uppercase());
            viewer.call(move |app, caller| app.deregister(caller, &inst, &person, on)).await.map(drop)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(&staff_url(&viewer, &institution, "deregistered"))),
        Err(Error::Client(c))
            if c.kind == Kind::NotFound && c.code == "not_found" && c.message.starts_with("registration") =>
        {
            let forms = Forms {
                register: RegisterForm::default(),
                register_error: None,
                deregister: form,
                deregister_error: Some("本机构没有该医保对应代码的在册人员。".into()),
            };
            let q = StaffQuery { institution: Some(institution.clone()), ..Default::default() };
            render_staff(&viewer, &req, q, institution, forms, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => {
            let message = form_error(&viewer, e)?;
            let forms = Forms {
                register: RegisterForm::default(),
                register_error: None,
                deregister: form,
                deregister_error: Some(message),
            };
            let q = StaffQuery { institution: Some(institution.clone()), ..Default::default() };
            render_staff(&viewer, &req, q, institution, forms, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[derive(Deserialize)]
pub struct ExportQuery {
    institution: Option<String>,
    encoding: Option<String>,
    date: Option<String>,
}

/// `GET /staff/export.csv`: the existing roster export (`app.export_roster`), for Excel.
pub async fn export(viewer: Viewer, q: web::Query<ExportQuery>) -> Result<HttpResponse, PageError> {
    export_as(viewer, q, false).await
}

/// `GET /staff/export.xlsx`: the same roster as .xlsx (ID numbers as text, so Excel keeps them).
pub async fn export_xlsx(viewer: Viewer, q: web::Query<ExportQuery>) -> Result<HttpResponse, PageError> {
    export_as(viewer, q, true).await
}

async fn export_as(viewer: Viewer, q: web::Query<ExportQuery>, xlsx: bool) -> Result<HttpResponse, PageError> {
    let Some(institution) = institution_of(&viewer, q.institution.as_deref()) else {
        return Err(PageError::not_found(viewer.layout("未找到")));
    };
    let enc = ExportEncoding::parse(q.encoding.as_deref()).map_err(|e| viewer.fail(e))?;
    let fmt =
        if xlsx { crate::sheets::export::ExportFormat::Xlsx } else { crate::sheets::export::ExportFormat::Csv(enc) };
    let on: NaiveDate = match q.date.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => parse_date("date", d).map_err(|e| viewer.fail(e))?,
        None => today_china(),
    };
    let inst = institution.clone();
    let bytes =
        viewer.call(move |app, caller| app.export_roster(caller, &inst, on, fmt)).await.map_err(|e| viewer.fail(e))?;
    let (content_type, ext) =
        if xlsx { (crate::sheets::export::XLSX_CONTENT_TYPE, "xlsx") } else { (enc.content_type(), "csv") };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"staff-{institution}-{on}.{ext}\"")))
        .insert_header(("Cache-Control", "no-store"))
        .body(bytes))
}
