use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{run, State};
use crate::error::{Error, Result};
use crate::service::{Action, Caller};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub target: Option<String>,
}

/// `GET /audit?target=` (officer, admin): every write about a practitioner, an institution or
/// a fact (`deductions:17`), with who made it, from which request, and the projection before
/// and after.
pub async fn list(state: web::Data<State>, caller: Caller, q: web::Query<AuditQuery>) -> Result<HttpResponse> {
    caller.permit(Action::ReadAudit)?;
    let target = q.into_inner().target.filter(|t| t.trim().len() >= 3).ok_or_else(|| {
        Error::invalid(
            "missing_field",
            "target",
            "target is a personnel code, an institution code or table:id",
            "请指定查询对象（人员代码、机构编码或 表:编号）",
        )
    })?;
    let rows = run(&state, move |app| app.audit(&caller, target.trim())).await?;
    let entries: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id, "token_id": r.token_id, "role": r.role, "request_id": r.request_id, "action": r.action,
                "targets": r.targets.split(' ').filter(|s| !s.is_empty()).collect::<Vec<_>>(),
                "facts": r.facts.split(' ').filter(|s| !s.is_empty()).collect::<Vec<_>>(),
                "changes": serde_json::from_str::<serde_json::Value>(&r.changes).unwrap_or_default(),
                "recorded_at": r.recorded_at,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "entries": entries })))
}
