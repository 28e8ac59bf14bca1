//! The pages' errors, as pages in the same layout: 403 saying which role and scope the page
//! needs, 404, a refused form (CSRF), other client errors with their Chinese message, and a
//! login redirect when there is no session (for htmx, an `HX-Redirect`). An internal error is
//! logged with its cause; the person sees only the request id.

use std::fmt;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::layout::Layout;
use super::render::page;
use crate::error::{ClientError, Error, Kind};

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub heading: String,
    pub message: String,
    pub need: Option<String>,
}

pub enum PageError {
    /// No session (or it ended): to the login page, then back to `next`.
    Login {
        next: String,
        htmx: bool,
    },
    /// 303 to a page (a forced password change).
    Redirect(String),
    /// The role or scope does not allow the page.
    Forbidden {
        layout: Box<Layout>,
        need: String,
        role: String,
    },
    NotFound {
        layout: Box<Layout>,
    },
    /// A form without its CSRF token, or with another session's.
    Csrf {
        layout: Box<Layout>,
    },
    /// Any other error the person can act on.
    Client {
        layout: Box<Layout>,
        error: Box<ClientError>,
    },
    Internal {
        request_id: String,
    },
}

impl fmt::Debug for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageError::Login { next, .. } => write!(f, "login required for {next}"),
            PageError::Redirect(to) => write!(f, "redirect to {to}"),
            PageError::Forbidden { need, .. } => write!(f, "forbidden: needs {need}"),
            PageError::NotFound { .. } => write!(f, "not found"),
            PageError::Csrf { .. } => write!(f, "csrf token missing or wrong"),
            PageError::Client { error, .. } => write!(f, "{error}"),
            PageError::Internal { request_id } => write!(f, "internal error ({request_id})"),
        }
    }
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl PageError {
    /// A service error on a page, with the page's layout and what the page needs.
    pub fn from_service(e: Error, layout: Layout, need: &str, role: &str, request_id: &str) -> PageError {
        match e {
            Error::Client(c) => match c.kind {
                Kind::Forbidden => {
                    PageError::Forbidden { layout: Box::new(layout), need: need.to_string(), role: role.to_string() }
                }
                Kind::NotFound => PageError::NotFound { layout: Box::new(layout) },
                _ => PageError::Client { layout: Box::new(layout), error: Box::new(c) },
            },
            Error::Internal(cause) => {
                tracing::error!(error = %format!("{cause:#}"), "internal error on a page");
                PageError::Internal { request_id: request_id.to_string() }
            }
        }
    }

    pub fn not_found(layout: Layout) -> PageError {
        PageError::NotFound { layout: Box::new(layout) }
    }
}

/// What each page family needs, for the 403 page.
pub fn need_for(path: &str) -> &'static str {
    let p = path.trim_end_matches('/');
    if let Some(need) = super::agency::need_for(p) {
        return need;
    }
    if p.starts_with("/admin") {
        "系统管理员（admin）"
    } else if p.starts_with("/roster") {
        "本机构的定点医药机构人事（hr）、医保经办机构（agency）或系统管理员；执法人员只能预览"
    } else if p.starts_with("/staff") {
        "本机构的定点医药机构人事（hr）、医保经办机构（agency）、本辖区执法人员（officer）或系统管理员；登记和注销不含执法人员"
    } else if p.starts_with("/interview-orders") {
        "查看：本机构人事、经办机构、本辖区执法人员或管理员；登记约谈：本机构的定点医药机构人事（hr）或系统管理员"
    } else if p.starts_with("/objections") {
        "提出和申请复核：本机构的定点医药机构人事（hr）或系统管理员；查看：经办机构、本辖区执法人员"
    } else if p.starts_with("/inspections") || p.starts_with("/deductions") || p.starts_with("/watch-list") {
        "本辖区的执法人员（officer）或系统管理员"
    } else if p.starts_with("/dashboard") {
        "执法人员（officer，县区执法人员只看本辖区）或系统管理员"
    } else {
        "具有相应角色、且机构或辖区范围包含该对象的账户"
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::Login { htmx: true, .. } => StatusCode::OK,
            PageError::Login { .. } | PageError::Redirect(_) => StatusCode::SEE_OTHER,
            PageError::Forbidden { .. } | PageError::Csrf { .. } => StatusCode::FORBIDDEN,
            PageError::NotFound { .. } => StatusCode::NOT_FOUND,
            PageError::Client { error, .. } => match error.kind {
                Kind::BadRequest => StatusCode::BAD_REQUEST,
                Kind::Unauthorized => StatusCode::UNAUTHORIZED,
                Kind::Forbidden => StatusCode::FORBIDDEN,
                Kind::NotFound => StatusCode::NOT_FOUND,
                Kind::Conflict => StatusCode::CONFLICT,
                Kind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
                Kind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                Kind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
                Kind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Kind::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
                Kind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
                Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            },
            PageError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (layout, heading, message, need) = match self {
            PageError::Login { next, htmx } => {
                let to = format!("{}?next={}", super::paths::LOGIN, urlencode(next));
                return if *htmx {
                    HttpResponse::Ok().insert_header(("HX-Redirect", to)).finish()
                } else {
                    HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish()
                };
            }
            PageError::Redirect(to) => {
                return HttpResponse::SeeOther().insert_header((header::LOCATION, to.as_str())).finish();
            }
            PageError::Forbidden { layout, need, role } => (
                layout,
                "无权访问（403）".to_string(),
                format!("您当前的身份是“{role}”，不能使用此页面或此操作。"),
                Some(format!("需要：{need}。如需开通，请联系系统管理员。")),
            ),
            PageError::NotFound { layout } => (
                layout,
                "未找到（404）".to_string(),
                "您要找的页面或记录不存在，或不在您的机构、辖区范围内。".to_string(),
                None,
            ),
            PageError::Csrf { layout } => (
                layout,
                "表单已失效（403）".to_string(),
                "这份表单缺少安全校验码，或已过期（例如重新登录之后）。请返回，刷新页面后重新提交。".to_string(),
                None,
            ),
            PageError::Client { layout, error } => (layout, "无法完成操作".to_string(), error.message_zh.clone(), None),
            PageError::Internal { request_id } => {
                let layout = Box::new(Layout::anonymous("服务器内部错误"));
                let msg = format!("服务器内部错误。请稍后重试；如仍出现，请把此编号告诉系统管理员：{request_id}");
                return page(
                    status,
                    &ErrorPage { layout: *layout, heading: "出错了".into(), message: msg, need: None },
                );
            }
        };
        let mut layout = Layout { title: heading.clone(), ..clone_layout(layout) };
        layout.flash = None;
        let mut res = page(status, &ErrorPage { layout, heading, message, need });
        // A busy database (503) says when to come back, as the API's answer does.
        if let PageError::Client { error, .. } = self {
            if let Some(v) = error.retry_after.and_then(|s| header::HeaderValue::from_str(&s.to_string()).ok()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        res
    }
}

fn clone_layout(l: &Layout) -> Layout {
    Layout {
        title: l.title.clone(),
        user: l.user.as_ref().map(|u| super::layout::UserNav {
            username: u.username.clone(),
            role_zh: u.role_zh,
            scope: u.scope.clone(),
        }),
        nav: l
            .nav
            .iter()
            .map(|n| super::layout::NavLink { href: n.href, label: n.label, current: n.current })
            .collect(),
        csrf: l.csrf.clone(),
        css: l.css.clone(),
        htmx: l.htmx.clone(),
        flash: None,
        admin: l.admin,
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
