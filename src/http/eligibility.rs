use std::sync::atomic::Ordering;

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::auth::Auth;
use super::{json_body, State};
use crate::error::Result;
use crate::service::eligibility::ClaimLine;
use crate::service::tokens::Role::{Admin, Agency, Settlement};

#[derive(Deserialize)]
struct CheckRequest {
    lines: Vec<ClaimLine>,
}

/// `POST /eligibility/check` (settlement, agency, admin). Answered from memory: no database.
pub async fn check(state: web::Data<State>, auth: Auth, body: web::Bytes) -> Result<HttpResponse> {
    auth.require(&[Admin, Agency, Settlement])?;
    let req: CheckRequest = json_body(&body)?;
    drop(body);
    let result = state.app.check_claims(&req.lines)?;
    state.metrics.eligibility_lines.fetch_add(result.lines_checked as u64, Ordering::Relaxed);
    state.metrics.eligibility_refused.fetch_add(result.lines_refused as u64, Ordering::Relaxed);
    Ok(HttpResponse::Ok().json(result))
}
