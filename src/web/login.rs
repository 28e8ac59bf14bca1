//! `/login`, `/logout` and `/account` (change the password; forced after an admin reset).
//! The login form has no session yet: its CSRF token is a double-submit cookie.

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::errors::PageError;
use super::layout::Layout;
use super::render::{ok, see_other};
use super::session::{safe_next, MaybeViewer, Viewer};
use super::{flash, paths, settings};
use crate::http::State;
use crate::service::accounts::MIN_PASSWORD_CHARS;
use crate::service::sessions::{constant_time_eq, random_secret};

const LOGIN_FAILED: &str = "用户名或密码不正确，或账户已被暂时锁定。连续输错5次密码，账户将锁定15分钟。";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    csrf_token: String,
    next: String,
    username: String,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    msg: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    next: String,
}

fn cookie(name: &'static str, value: String, path: &'static str) -> Cookie<'static> {
    Cookie::build(name, value)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(settings::current().cookie_secure)
        .path(path)
        .finish()
}

fn expired(name: &'static str, path: &'static str) -> Cookie<'static> {
    let mut c = cookie(name, String::new(), path);
    c.set_max_age(time::Duration::ZERO);
    c
}

fn login_form(next: &str, username: &str, error: Option<&'static str>, flash_msg: Option<String>) -> HttpResponse {
    let token = random_secret();
    let page = LoginPage {
        layout: Layout::anonymous("登录").flash(flash_msg),
        csrf_token: token.clone(),
        next: safe_next(next),
        username: username.to_string(),
        error,
    };
    let mut res = ok(&page);
    let _ = res.add_cookie(&cookie(paths::LOGIN_CSRF_COOKIE, token, paths::LOGIN));
    res
}

/// `GET /login`.
pub async fn show(viewer: MaybeViewer, q: web::Query<LoginQuery>) -> HttpResponse {
    let next = q.next.clone().unwrap_or_else(|| paths::HOME.to_string());
    if viewer.0.is_some() {
        return see_other(&safe_next(&next));
    }
    login_form(&next, "", None, flash::message(q.msg.as_deref()))
}

/// `POST /login`: a session and its cookie, or the same message whatever went wrong.
pub async fn submit(
    state: web::Data<State>,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    let expected = req.cookie(paths::LOGIN_CSRF_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), form.csrf_token.as_bytes()) {
        return Err(PageError::Csrf { layout: Box::new(Layout::anonymous("表单已失效")) });
    }
    let request_id = super::request_id(&req);
    let policy = settings::current().policy;
    let (username, password) = (form.username.clone(), form.password);
    let rid = request_id.clone();
    let opened =
        crate::http::run(&state, move |app| app.login(&username, &password, &policy, &rid, crate::store::now()))
            .await
            .map_err(|e| PageError::from_service(e, Layout::anonymous("登录"), "", "", &request_id))?;
    let Some(session) = opened else {
        return Ok(login_form(&form.next, form.username.trim(), Some(LOGIN_FAILED), None));
    };
    let to = if session.must_change_password { paths::ACCOUNT.to_string() } else { safe_next(&form.next) };
    let mut res = see_other(&to);
    let _ = res.add_cookie(&cookie(paths::SESSION_COOKIE, session.secret, "/"));
    let _ = res.add_cookie(&expired(paths::LOGIN_CSRF_COOKIE, paths::LOGIN));
    Ok(res)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

/// `POST /logout`: the session ends on the server; the old cookie no longer works.
pub async fn logout(viewer: Viewer, form: web::Form<CsrfForm>) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let session = viewer.session.clone();
    let rid = viewer.request_id.clone();
    viewer.call(move |app, _| app.logout(&session, &rid)).await.map_err(|e| viewer.fail(e))?;
    let mut res = see_other(&format!("{}?msg=logged_out", paths::LOGIN));
    let _ = res.add_cookie(&expired(paths::SESSION_COOKIE, "/"));
    Ok(res)
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    must_change: bool,
    error: Option<String>,
    min_chars: usize,
}

/// `GET /account`.
pub async fn account(viewer: Viewer) -> HttpResponse {
    ok(&AccountPage {
        layout: viewer.layout("修改密码"),
        must_change: viewer.session.must_change_password,
        error: None,
        min_chars: MIN_PASSWORD_CHARS,
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_again: String,
}

/// `POST /account`.
pub async fn change_password(viewer: Viewer, form: web::Form<PasswordForm>) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let form = form.into_inner();
    let again = |error: String| AccountPage {
        layout: viewer.layout("修改密码"),
        must_change: viewer.session.must_change_password,
        error: Some(error),
        min_chars: MIN_PASSWORD_CHARS,
    };
    if form.new_password != form.new_password_again {
        return Ok(super::render::page(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            &again("两次输入的新密码不一致。".into()),
        ));
    }
    let keep = viewer.session.session_id;
    let result = viewer
        .call(move |app, caller| {
            app.change_own_password(caller, &form.current_password, &form.new_password, Some(keep))
        })
        .await;
    match result {
        Ok(()) => Ok(see_other(&format!("{}?msg=password_changed", paths::HOME))),
        Err(crate::error::Error::Client(c)) if c.kind == crate::error::Kind::Unprocessable => {
            Ok(super::render::page(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY, &again(c.message_zh.clone())))
        }
        Err(e) => Err(viewer.fail(e)),
    }
}
