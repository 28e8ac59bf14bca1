//! `/admin/audit`: the audit trail searched by its target — a personnel code, an institution
//! code, a fact (`deductions:17`), an account (`account:3`) or a token (`token:2`) — through
//! `app.audit`, which decides who may read it (admins; officers for their county).

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::errors::PageError;
use super::layout::Layout;
use super::render::ok;
use super::session::Viewer;
use crate::service::Action;

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    target: Option<String>,
}

pub struct Line {
    pub at: String,
    pub role: String,
    pub action: String,
    pub targets: String,
    pub facts: String,
    pub changed: usize,
    pub request_id: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    layout: Layout,
    target: String,
    searched: bool,
    lines: Vec<Line>,
    error: Option<String>,
}

/// The first targets or facts of a write that touched many (an agreement change locks every
/// person).
fn shorten(targets: &str) -> String {
    const SHOWN: usize = 6;
    let all: Vec<&str> = targets.split(' ').filter(|s| !s.is_empty()).collect();
    if all.len() <= SHOWN {
        all.join(" ")
    } else {
        format!("{} …等 {} 个", all[..SHOWN].join(" "), all.len())
    }
}

/// `GET /admin/audit?target=`.
pub async fn show(viewer: Viewer, q: web::Query<AuditQuery>) -> Result<HttpResponse, PageError> {
    viewer.caller().permit(Action::ReadAudit).map_err(|e| viewer.fail(e))?;
    let target = q.target.clone().unwrap_or_default().trim().to_string();
    let mut error = None;
    let mut lines = Vec::new();
    if !target.is_empty() && target.chars().count() < 3 {
        error = Some("请输入完整的人员代码、机构编码或 表:编号。".to_string());
    } else if !target.is_empty() {
        let t = target.clone();
        let rows = viewer.call(move |app, caller| app.audit(caller, &t)).await.map_err(|e| viewer.fail(e))?;
        lines = rows
            .iter()
            .rev()
            .map(|r| Line {
                at: (r.recorded_at + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M:%S").to_string(),
                role: r.role.clone(),
                action: r.action.clone(),
                targets: shorten(&r.targets),
                facts: shorten(&r.facts),
                changed: serde_json::from_str::<Vec<serde_json::Value>>(&r.changes).map_or(0, |v| v.len()),
                request_id: r.request_id.clone(),
            })
            .collect();
    }
    Ok(ok(&AuditPage { layout: viewer.layout("审计日志"), searched: !target.is_empty(), target, lines, error }))
}
