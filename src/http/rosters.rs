use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::body::Body;
use super::{flag, run, State};
use crate::error::Result;
use crate::service::rosters::{RosterMode, UploadOptions};
use crate::service::{Action, Caller};

#[derive(Deserialize)]
pub struct UploadQuery {
    pub mode: Option<String>,
    pub commit: Option<String>,
    pub partial: Option<String>,
}

/// `POST /rosters/{institution_code}?mode=delta|snapshot&commit=&partial=` — a CSV body in
/// UTF-8 (with or without BOM), GBK or UTF-16; a preview unless `commit=true`.
pub async fn upload(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<String>,
    q: web::Query<UploadQuery>,
    body: Body,
) -> Result<HttpResponse> {
    let inst = path.into_inner().trim().to_ascii_uppercase();
    caller.require_institution(Action::UploadRoster, &inst)?;
    let opts = UploadOptions {
        mode: RosterMode::parse(q.mode.as_deref())?,
        commit: flag("commit", q.commit.as_deref())?,
        partial: flag("partial", q.partial.as_deref())?,
    };
    let report =
        run(&state, move |app| app.upload_roster(&caller, &inst, std::io::Cursor::new(body.bytes), opts, &mut |_| {}))
            .await?;
    Ok(HttpResponse::Ok().json(report))
}
