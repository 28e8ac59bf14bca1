//! `/admin/tokens`: API tokens for systems (settlement, BI, other agencies). An admin creates
//! one with a label, a role and scope and an optional last day — the secret is shown once and
//! never again — sees every token (label, role, scope, expiry, last use, revoked) and revokes one
//! at once. Through `create_api_token`, `api_tokens` and `revoke_api_token`, which check the
//! caller is an admin and write the audit trail.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::agency::{message, refusal};
use super::errors::PageError;
use super::labels::date;
use super::layout::{role_zh, Layout};
use super::paths;
use super::render::{page, see_other};
use super::session::Viewer;
use crate::domain::dates::parse_date;
use crate::service::tokens::{NewToken, Role};

#[derive(Deserialize)]
pub struct TokensQuery {
    msg: Option<String>,
}

pub struct Line {
    pub id: i64,
    pub label: String,
    pub role_zh: &'static str,
    pub scope: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub revoked: String,
}

/// A token just created: its secret, shown this once.
pub struct Created {
    pub id: i64,
    pub label: String,
    pub secret: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct CreateForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    institution: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    expires_on: String,
}

#[derive(Template)]
#[template(path = "admin_tokens.html")]
struct TokensPage {
    layout: Layout,
    lines: Vec<Line>,
    created: Option<Created>,
    error: Option<String>,
    form: CreateForm,
}

/// China time (UTC+8) of a stored UTC time, to the minute.
fn local(t: Option<chrono::NaiveDateTime>) -> String {
    t.map(|t| (t + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
}

fn scope_zh(scope: &str) -> String {
    match scope.split_once(' ') {
        Some(("institution", code)) => format!("机构 {code}"),
        Some(("county", code)) => format!("区县 {code}"),
        _ if scope == "city" => "全市".into(),
        _ => "—".into(),
    }
}

async fn render(
    viewer: &Viewer,
    msg: Option<&str>,
    created: Option<Created>,
    error: Option<String>,
    form: CreateForm,
) -> Result<HttpResponse, PageError> {
    let tokens = viewer.call(|app, caller| app.api_tokens(caller)).await.map_err(|e| viewer.fail(e))?;
    let lines = tokens
        .iter()
        .map(|t| Line {
            id: t.id,
            label: t.label.clone().unwrap_or_default(),
            role_zh: Role::parse(&t.role).map_or("", role_zh),
            scope: scope_zh(&t.scope),
            created: local(Some(t.created_at)),
            expires: t.expires_on.map_or_else(|| "长期有效".to_string(), |d| date(Some(d))),
            last_used: local(t.last_used_at),
            revoked: local(t.revoked_at),
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(page(status, &TokensPage { layout: viewer.layout("API令牌").flash(message(msg)), lines, created, error, form }))
}

/// `GET /admin/tokens`.
pub async fn list(viewer: Viewer, q: web::Query<TokensQuery>) -> Result<HttpResponse, PageError> {
    render(&viewer, q.msg.as_deref(), None, None, CreateForm::default()).await
}

/// `POST /admin/tokens`: the page answers with the secret (no redirect: it is shown once).
pub async fn create(viewer: Viewer, form: web::Form<CreateForm>) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let form = form.into_inner();
    let kept = CreateForm { csrf_token: String::new(), ..form.clone() };
    let Some(role) = Role::parse(form.role.trim()) else {
        return render(&viewer, None, None, Some("请选择令牌的角色。".into()), kept).await;
    };
    let expires_on = match form.expires_on.trim() {
        "" => None,
        s => match parse_date("expires_on", s) {
            Ok(d) => Some(d),
            Err(e) => return render(&viewer, None, None, refusal(&e), kept).await,
        },
    };
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let req = NewToken {
        role,
        institution: opt(&form.institution),
        region: opt(&form.region),
        label: opt(&form.label),
        expires_on,
    };
    match viewer.call(move |app, caller| app.create_api_token(caller, &req)).await {
        Ok((id, secret)) => {
            let created = Created { id, label: form.label.trim().to_string(), secret };
            render(&viewer, None, Some(created), None, CreateForm::default()).await
        }
        Err(e) => match refusal(&e) {
            Some(m) => render(&viewer, None, None, Some(m), kept).await,
            None => Err(viewer.fail(e)),
        },
    }
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    csrf_token: String,
}

/// `POST /admin/tokens/{id}/revoke`: refused from then on.
pub async fn revoke(
    viewer: Viewer,
    path: web::Path<String>,
    form: web::Form<RevokeForm>,
) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let Ok(id) = path.into_inner().parse::<i64>() else {
        return Err(PageError::not_found(viewer.layout("未找到")));
    };
    match viewer.call(move |app, caller| app.revoke_api_token(caller, id)).await {
        Ok(true) => Ok(see_other(&format!("{}?msg=token_revoked", paths::ADMIN_TOKENS))),
        Ok(false) => Ok(see_other(&format!("{}?msg=token_already_revoked", paths::ADMIN_TOKENS))),
        Err(e) => Err(viewer.fail(e)),
    }
}
