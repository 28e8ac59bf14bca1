//! `/admin/calendar`: next year's working-day calendar (法定节假日 and 调休 working days, as
//! the TOML of `data/calendar/`), uploaded by an admin once the State Council publishes it; the
//! 六(一) deadlines count working days with it. Through `app.upload_calendar`, as the API.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use futures_util::StreamExt;
use serde::Deserialize;

use super::agency::{message, refusal};
use super::errors::PageError;
use super::layout::Layout;
use super::paths;
use super::render::{page, see_other};
use super::session::Viewer;
use crate::service::Action;

/// A calendar file is small: a year's dates.
const MAX_FILE: usize = 256 * 1024;

#[derive(Deserialize)]
pub struct CalendarQuery {
    msg: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_calendar.html")]
struct CalendarPage {
    layout: Layout,
    years: Vec<(i32, String)>,
    next_year: i32,
    error: Option<String>,
    text: String,
}

async fn render(
    viewer: &Viewer,
    msg: Option<&str>,
    error: Option<String>,
    text: String,
) -> Result<HttpResponse, PageError> {
    let mut years = viewer.call(|app, caller| app.calendar_years(caller)).await.map_err(|e| viewer.fail(e))?;
    years.sort_by_key(|(y, _)| std::cmp::Reverse(*y));
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(page(
        status,
        &CalendarPage {
            layout: viewer.layout("工作日历").flash(message(msg)),
            next_year: crate::service::agency_pages::this_year() + 1,
            years,
            error,
            text,
        },
    ))
}

/// `GET /admin/calendar`.
pub async fn show(viewer: Viewer, q: web::Query<CalendarQuery>) -> Result<HttpResponse, PageError> {
    viewer.caller().permit(Action::UploadCalendar).map_err(|e| viewer.fail(e))?;
    render(&viewer, q.msg.as_deref(), None, String::new()).await
}

/// `POST /admin/calendar` (multipart: the file, or the text pasted).
pub async fn upload(viewer: Viewer, mut payload: Multipart) -> Result<HttpResponse, PageError> {
    let (mut csrf, mut file, mut pasted) = (String::new(), Vec::new(), String::new());
    while let Some(field) = payload.next().await {
        let Ok(mut field) = field else {
            return render(&viewer, None, Some("上传内容无法读取。".into()), String::new()).await;
        };
        let name = field.name().unwrap_or("").to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let Ok(chunk) = chunk else {
                return render(&viewer, None, Some("上传内容无法读取。".into()), String::new()).await;
            };
            if bytes.len() + chunk.len() > MAX_FILE {
                return render(&viewer, None, Some("日历文件过大（最大256KB）。".into()), String::new()).await;
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "csrf_token" => csrf = String::from_utf8_lossy(&bytes).trim().to_string(),
            "file" => file = bytes,
            "text" => pasted = String::from_utf8_lossy(&bytes).to_string(),
            _ => {}
        }
    }
    viewer.check_csrf(&csrf)?;
    let text = if file.is_empty() {
        pasted
    } else {
        match String::from_utf8(file) {
            Ok(t) => t,
            Err(_) => {
                return render(&viewer, None, Some("日历文件应为 UTF-8 编码的 TOML。".into()), String::new()).await;
            }
        }
    };
    if text.trim().is_empty() {
        return render(&viewer, None, Some("请选择日历文件，或粘贴其内容。".into()), String::new()).await;
    }
    let body = text.clone();
    match viewer.call(move |app, caller| app.upload_calendar(caller, &body)).await {
        Ok(_) => Ok(see_other(&format!("{}?msg=calendar_uploaded", paths::ADMIN_CALENDAR))),
        Err(e) => match refusal(&e) {
            Some(m) => render(&viewer, None, Some(m), text).await,
            None => Err(viewer.fail(e)),
        },
    }
}
