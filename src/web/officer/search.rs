//! `/search?q=`: one box for a personnel code, an institution code, a name or the last 6 digits
//! of an ID number (`app.search`: the caller's scope, masked as the role requires). A single
//! person found goes straight to their page.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::super::errors::PageError;
use super::super::labels::date;
use super::super::layout::Layout;
use super::super::render::{ok, see_other};
use super::super::session::Viewer;
use crate::service::search::SearchResults;

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

pub struct SiteLine {
    pub code: String,
    pub name: String,
    pub registered_on: String,
    pub deregistered_on: String,
}

pub struct PersonLine {
    pub code: String,
    pub name: String,
    pub id_number: String,
    pub category_zh: &'static str,
    pub sites: Vec<SiteLine>,
    pub other_sites: usize,
}

#[derive(Template)]
#[template(path = "officer_search.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    searched: bool,
    read_as: &'static str,
    people: Vec<PersonLine>,
    institutions: Vec<(String, String)>,
    truncated: bool,
}

fn read_as_zh(r: &str) -> &'static str {
    match r {
        "code" => "按代码",
        "id_number" => "按身份证号码末位",
        "name" => "按姓名",
        _ => "",
    }
}

/// `GET /search?q=`.
pub async fn show(viewer: Viewer, q: web::Query<SearchQuery>) -> Result<HttpResponse, PageError> {
    let q = q.into_inner().q.unwrap_or_default().trim().to_string();
    let results: Option<SearchResults> = if q.is_empty() {
        None
    } else {
        let term = q.clone();
        Some(viewer.call(move |app, caller| app.search(caller, &term)).await.map_err(|e| viewer.fail(e))?)
    };
    if let Some(r) = &results {
        if r.people.len() == 1 && r.institutions.is_empty() && r.people[0].personnel_code == q.to_ascii_uppercase() {
            return Ok(see_other(&format!("/practitioners/{}", r.people[0].personnel_code)));
        }
    }
    let page = SearchPage {
        layout: viewer.layout("查询"),
        searched: results.is_some(),
        read_as: results.as_ref().map_or("", |r| read_as_zh(r.read_as)),
        truncated: results.as_ref().is_some_and(|r| r.truncated),
        institutions: results
            .as_ref()
            .map(|r| r.institutions.iter().map(|i| (i.code.clone(), i.name.clone())).collect())
            .unwrap_or_default(),
        people: results
            .map(|r| {
                r.people
                    .into_iter()
                    .map(|p| PersonLine {
                        code: p.personnel_code,
                        name: p.name,
                        id_number: p.id_number,
                        category_zh: p.category_zh,
                        other_sites: p.other_sites,
                        sites: p
                            .sites
                            .into_iter()
                            .map(|s| SiteLine {
                                code: s.institution_code,
                                name: s.institution_name,
                                registered_on: date(Some(s.registered_on)),
                                deregistered_on: date(s.deregistered_on),
                            })
                            .collect(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        q,
    };
    Ok(ok(&page))
}
