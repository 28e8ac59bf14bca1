//! `/watch-list?year=`: 六(三)'s 重点监控名单 — the institutions with a practitioner who had a
//! single 12-point deduction, or three or more deductions, in the cycle (`app.watch_list`, the
//! caller's county), each with the people and deductions that put it there and its 五(三)
//! figures of the year (`app.cascade_figures`).

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Datelike;
use serde::Deserialize;

use super::super::errors::PageError;
use super::super::labels::date;
use super::super::layout::Layout;
use super::super::render::ok;
use super::super::session::Viewer;
use crate::domain::dates::today_china;

#[derive(Deserialize)]
pub struct WatchQuery {
    year: Option<i32>,
}

pub struct PersonLine {
    pub code: String,
    pub reason: String,
    pub deductions: Vec<String>,
}

pub struct Entry {
    pub institution_code: String,
    pub institution_name: String,
    pub people: Vec<PersonLine>,
    pub numerator: u32,
    pub denominator: u32,
    pub percent: String,
    pub share: f64,
    pub reached: bool,
}

#[derive(Template)]
#[template(path = "officer_watch_list.html")]
struct WatchPage {
    layout: Layout,
    year: i32,
    years: Vec<i32>,
    entries: Vec<Entry>,
    article: String,
}

/// `GET /watch-list?year=`.
pub async fn show(viewer: Viewer, q: web::Query<WatchQuery>) -> Result<HttpResponse, PageError> {
    let this_year = today_china().year();
    let year = q.year.filter(|y| (2000..=2100).contains(y)).unwrap_or(this_year);
    let (list, figures) = viewer
        .call(move |app, caller| {
            let list = app.watch_list(caller, year)?;
            let mut figures = Vec::with_capacity(list.len());
            for e in &list {
                let name = app.find_institutions(caller, &e.institution_code)?.into_iter().next().map(|(_, n)| n);
                figures.push((app.cascade_figures(caller, &e.institution_code, year)?, name.unwrap_or_default()));
            }
            Ok((list, figures))
        })
        .await
        .map_err(|e| viewer.fail(e))?;
    let entries = list
        .iter()
        .zip(&figures)
        .map(|(e, (f, name))| Entry {
            institution_code: e.institution_code.clone(),
            institution_name: name.clone(),
            people: e
                .practitioners
                .iter()
                .map(|p| PersonLine {
                    code: p.personnel_code.clone(),
                    reason: p.trigger.zh.clone(),
                    deductions: p
                        .trigger
                        .deductions
                        .iter()
                        .map(|d| {
                            format!(
                                "{} {}：{} 分（{}）",
                                date(Some(d.decided_on)),
                                d.items.join("、"),
                                d.points,
                                d.article
                            )
                        })
                        .collect(),
                })
                .collect(),
            numerator: f.numerator,
            denominator: f.denominator,
            percent: if f.denominator == 0 {
                "0.0".into()
            } else {
                format!("{:.1}", f64::from(f.numerator) * 100.0 / f64::from(f.denominator))
            },
            share: if f.denominator == 0 { 0.0 } else { f64::from(f.numerator) / f64::from(f.denominator) },
            reached: f.threshold_reached,
        })
        .collect();
    let page = WatchPage {
        layout: viewer.layout(format!("{year}年度重点监控名单")),
        year,
        years: (this_year - 3..=this_year).rev().collect(),
        article: list.first().map_or("六(三)".to_string(), |e| e.article.to_string()),
        entries,
    };
    Ok(ok(&page))
}
