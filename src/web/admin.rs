//! `/admin/accounts`: an admin creates accounts, disables and re-enables them, and resets
//! passwords (the person must choose a new one at the next login). `app.create_account` and
//! the others check the caller is an admin; every change is in the audit trail.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::errors::PageError;
use super::layout::{role_zh, Layout};
use super::render::{page, see_other};
use super::session::Viewer;
use super::{flash, paths};
use crate::error::{Error, Kind};
use crate::service::accounts::{NewAccount, MIN_PASSWORD_CHARS};

#[derive(Deserialize)]
pub struct AccountsQuery {
    msg: Option<String>,
}

pub struct Line {
    pub username: String,
    pub role_zh: &'static str,
    pub scope: String,
    pub state: &'static str,
    pub disabled: bool,
    pub created_at: String,
}

#[derive(Template)]
#[template(path = "admin_accounts.html")]
struct AccountsPage {
    layout: Layout,
    lines: Vec<Line>,
    error: Option<String>,
    form_username: String,
    form_institution: String,
    form_region: String,
    min_chars: usize,
}

async fn render(
    viewer: &Viewer,
    msg: Option<&str>,
    error: Option<String>,
    form: Option<&CreateForm>,
) -> Result<HttpResponse, PageError> {
    let accounts = viewer.call(|app, caller| app.accounts(caller)).await.map_err(|e| viewer.fail(e))?;
    let lines = accounts
        .iter()
        .map(|a| Line {
            username: a.username.clone(),
            role_zh: role_zh(a.role),
            scope: a.institution_code.clone().or_else(|| a.region_code.clone()).unwrap_or_default(),
            state: if a.disabled {
                "已停用"
            } else if a.locked_until.is_some() {
                "暂时锁定"
            } else if a.must_change_password {
                "待修改密码"
            } else {
                "正常"
            },
            disabled: a.disabled,
            created_at: a.created_at.format("%Y-%m-%d").to_string(),
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(page(
        status,
        &AccountsPage {
            layout: viewer.layout("账户管理").flash(flash::message(msg)),
            lines,
            error,
            form_username: form.map(|f| f.username.clone()).unwrap_or_default(),
            form_institution: form.map(|f| f.institution_code.clone()).unwrap_or_default(),
            form_region: form.map(|f| f.region_code.clone()).unwrap_or_default(),
            min_chars: MIN_PASSWORD_CHARS,
        },
    ))
}

/// `GET /admin/accounts`.
pub async fn list(viewer: Viewer, q: web::Query<AccountsQuery>) -> Result<HttpResponse, PageError> {
    render(&viewer, q.msg.as_deref(), None, None).await
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    institution_code: String,
    #[serde(default)]
    region_code: String,
}

fn done(msg: &str) -> HttpResponse {
    see_other(&format!("{}?msg={msg}", paths::ADMIN_ACCOUNTS))
}

/// `POST /admin/accounts`.
pub async fn create(viewer: Viewer, form: web::Form<CreateForm>) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let req = NewAccount {
        username: form.username.clone(),
        password: form.password.clone(),
        role: form.role.clone(),
        institution_code: Some(form.institution_code.clone()),
        region_code: Some(form.region_code.clone()),
    };
    match viewer.call(move |app, caller| app.create_account(caller, &req)).await {
        Ok(_) => Ok(done("account_created")),
        Err(Error::Client(c)) if matches!(c.kind, Kind::Unprocessable | Kind::Conflict) => {
            render(&viewer, None, Some(c.message_zh.clone()), Some(&form)).await
        }
        Err(e) => Err(viewer.fail(e)),
    }
}

#[derive(Deserialize)]
pub struct AccountAction {
    #[serde(default)]
    csrf_token: String,
    /// For a reset: the temporary password.
    #[serde(default)]
    password: String,
}

/// `POST /admin/accounts/{username}/{disable|enable|reset}`.
pub async fn act(
    viewer: Viewer,
    path: web::Path<(String, String)>,
    form: web::Form<AccountAction>,
) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let (username, action) = path.into_inner();
    let password = form.password.clone();
    let (result, msg) = match action.as_str() {
        "disable" => {
            (viewer.call(move |app, c| app.set_account_disabled(c, &username, true)).await, "account_disabled")
        }
        "enable" => (viewer.call(move |app, c| app.set_account_disabled(c, &username, false)).await, "account_enabled"),
        "reset" => (viewer.call(move |app, c| app.reset_password(c, &username, &password)).await, "password_reset"),
        _ => return Err(PageError::not_found(viewer.layout("未找到"))),
    };
    match result {
        Ok(_) => Ok(done(msg)),
        Err(Error::Client(c)) if matches!(c.kind, Kind::Unprocessable | Kind::Conflict) => {
            render(&viewer, None, Some(c.message_zh.clone()), None).await
        }
        Err(e) => Err(viewer.fail(e)),
    }
}
