//! `/notices`: the written notices of 六(一) (deductions, sanctions, revocations, agreement
//! changes); for an institution's HR the ones none of its HR has opened come first, flagged
//! 未读, then newest first; each prints as the A4 notice (`/notices/{id}/print`, the same
//! renderer as the API's `Accept: text/html`), and opening it there marks it read for the
//! institution (`service::notice_reads` — not the legal receipt of 六(一)).

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::errors::PageError;
use super::labels::{date, notice_kind_zh};
use super::layout::Layout;
use super::render::ok;
use super::session::Viewer;
use crate::service::tokens::Role;

/// The most a list shows (the newest).
const SHOWN: usize = 300;

#[derive(Deserialize)]
pub struct NoticesQuery {
    institution: Option<String>,
}

pub struct Line {
    pub id: i64,
    pub date: String,
    pub kind_zh: &'static str,
    pub title: String,
    pub institution_code: String,
    pub personnel_code: String,
    pub deadline: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "notices.html")]
struct NoticesPage {
    layout: Layout,
    pick_institution: bool,
    institution: String,
    lines: Vec<Line>,
    total: usize,
    /// HR: how many are unread (the others see no flag).
    unread: usize,
    flag_unread: bool,
}

/// `GET /notices`.
pub async fn list(viewer: Viewer, q: web::Query<NoticesQuery>) -> Result<HttpResponse, PageError> {
    let asked = q.institution.as_deref().map(|s| s.trim().to_ascii_uppercase()).filter(|s| !s.is_empty());
    let inst = asked.clone();
    let (mut notices, read) = viewer
        .call(move |app, caller| Ok((app.notices(caller, inst, None)?, app.read_notice_ids(caller)?)))
        .await
        .map_err(|e| viewer.fail(e))?;
    let flag_unread = viewer.session.role == Role::Hr;
    let is_unread = |id: i64| flag_unread && !read.contains(&id);
    // Unread first (HR), then newest first.
    notices.sort_by_key(|n| (!is_unread(n.id), std::cmp::Reverse((n.notice_date, n.id))));
    let unread = notices.iter().filter(|n| is_unread(n.id)).count();
    let total = notices.len();
    let lines = notices
        .iter()
        .take(SHOWN)
        .map(|n| Line {
            id: n.id,
            date: date(Some(n.notice_date)),
            kind_zh: notice_kind_zh(&n.kind),
            title: n.title.clone(),
            institution_code: n.institution_code.clone(),
            personnel_code: n.personnel_code.clone().unwrap_or_default(),
            deadline: date(n.objection_deadline),
            unread: is_unread(n.id),
        })
        .collect();
    Ok(ok(&NoticesPage {
        layout: viewer.layout("通知书"),
        pick_institution: viewer.session.role != Role::Hr,
        institution: asked.unwrap_or_default(),
        lines,
        total,
        unread,
        flag_unread,
    }))
}

/// `GET /notices/{id}/print`: the printable A4 notice; opened by the institution's HR, it is
/// read for the institution.
pub async fn print(viewer: Viewer, path: web::Path<String>) -> Result<HttpResponse, PageError> {
    let Ok(id) = path.into_inner().parse::<i64>() else {
        return Err(PageError::not_found(viewer.layout("未找到")));
    };
    let (notice, html) = viewer
        .call(move |app, caller| {
            let notice = app.notice(caller, id)?;
            app.mark_notice_read(caller, id)?;
            let pack = app.packs.in_force_or_first(notice.notice_date)?;
            let html = crate::http::notices::render(&notice, pack);
            Ok((notice, html))
        })
        .await
        .map_err(|e| viewer.fail(e))?;
    let _ = notice;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(html))
}
