//! What every page shows around its content: the title, the navigation for the role, who is
//! logged in, the logout form with its CSRF token, a message after a form was sent.

use crate::service::sessions::SessionInfo;
use crate::service::tokens::Role;

use super::paths;
use super::static_files;

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

pub struct UserNav {
    pub username: String,
    pub role_zh: &'static str,
    pub scope: Option<String>,
}

pub struct Layout {
    pub title: String,
    pub user: Option<UserNav>,
    pub nav: Vec<NavLink>,
    pub csrf: String,
    pub css: String,
    pub htmx: String,
    pub flash: Option<String>,
    /// An admin: the admin pages show their tabs.
    pub admin: bool,
}

pub fn role_zh(role: Role) -> &'static str {
    match role {
        Role::Admin => "系统管理员",
        Role::Officer => "执法人员",
        Role::Agency => "医保经办机构",
        Role::Hr => "定点医药机构人事",
        Role::Settlement => "结算系统",
    }
}

/// The pages a role works in, in the order of its day.
fn links(role: Role) -> &'static [(&'static str, &'static str)] {
    match role {
        Role::Hr => &[
            (paths::HOME, "首页"),
            (paths::STAFF, "本机构人员"),
            (paths::ROSTER, "花名册上传"),
            (paths::NOTICES, "通知书"),
            (paths::INTERVIEW_ORDERS, "约谈"),
            (paths::OBJECTIONS, "异议"),
        ],
        Role::Agency => &[
            (paths::HOME, "首页"),
            (paths::STAFF, "机构人员"),
            (paths::ROSTER, "花名册上传"),
            (paths::NOTICES, "通知书"),
            (paths::OBJECTIONS, "异议"),
            (paths::LOOKUP, "公开查询"),
        ],
        Role::Officer => &[
            (paths::HOME, "首页"),
            (paths::STAFF, "机构人员"),
            (paths::NOTICES, "通知书"),
            (paths::INTERVIEW_ORDERS, "约谈"),
            (paths::OBJECTIONS, "异议"),
            (paths::LOOKUP, "公开查询"),
        ],
        Role::Admin => &[
            (paths::HOME, "首页"),
            (paths::STAFF, "机构人员"),
            (paths::ROSTER, "花名册上传"),
            (paths::NOTICES, "通知书"),
            (paths::INTERVIEW_ORDERS, "约谈"),
            (paths::OBJECTIONS, "异议"),
            // One entry for the admin's own pages (accounts, tokens, calendar, audit): they
            // share a row of tabs (templates/admin_tabs.html), so the bar fits 1366 px.
            (paths::ADMIN_ACCOUNTS, "系统管理"),
        ],
        Role::Settlement => &[],
    }
}

impl Layout {
    /// A page for a logged-in person; `current` is the path of the page (for `aria-current`).
    pub fn new(title: impl Into<String>, session: &SessionInfo, current: &str) -> Layout {
        let mut links: Vec<(&'static str, &'static str)> = links(session.role).to_vec();
        // The agency's and the admin's pages, before 公开查询.
        let at = links.iter().position(|(href, _)| *href == paths::LOOKUP).unwrap_or(links.len());
        links.splice(at..at, super::agency::nav_links(session.role).iter().copied());
        let nav = links
            .iter()
            .chain(super::officer::nav_links(session.role))
            .map(|(href, label)| NavLink {
                href,
                label,
                current: if *href == paths::HOME {
                    current == paths::HOME
                } else if href.starts_with("/admin/") {
                    current.starts_with("/admin/")
                } else {
                    current.starts_with(href)
                },
            })
            .collect();
        Layout {
            title: title.into(),
            user: Some(UserNav {
                username: session.username.clone(),
                role_zh: role_zh(session.role),
                scope: session.institution_code.clone().or_else(|| session.region_code.clone()),
            }),
            nav,
            csrf: session.csrf_token.clone(),
            css: static_files::url("style.css"),
            htmx: static_files::url("htmx.min.js"),
            flash: None,
            admin: session.role == Role::Admin,
        }
    }

    /// A page for someone not logged in (login, the public lookup, an error before login).
    pub fn anonymous(title: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            user: None,
            nav: Vec::new(),
            csrf: String::new(),
            css: static_files::url("style.css"),
            htmx: static_files::url("htmx.min.js"),
            flash: None,
            admin: false,
        }
    }

    pub fn flash(mut self, message: Option<String>) -> Layout {
        self.flash = message;
        self
    }
}
