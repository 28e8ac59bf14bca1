//! `/`: each role's home.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::errors::PageError;
use super::flash;
use super::layout::Layout;
use super::render::ok;
use super::session::Viewer;

#[derive(Deserialize)]
pub struct HomeQuery {
    msg: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
}

/// `GET /`.
pub async fn show(viewer: Viewer, q: web::Query<HomeQuery>) -> Result<HttpResponse, PageError> {
    Ok(ok(&HomePage { layout: viewer.layout("首页").flash(flash::message(q.msg.as_deref())) }))
}
