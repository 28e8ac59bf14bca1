//! The officer's part of `/practitioners/{code}`: the points chart — the cycle total through
//! this cycle and the two before as a step line, the thresholds of the pack drawn across, each
//! step labelled with its inspection, the sanctions as bars on the same time axis (the
//! three-cycle rule of 五(一) made visible) — with its numbers beside it; and correcting the
//! record: revoke a deduction with its reason (`app.revoke`, as `POST /deductions/{id}/revoke`),
//! then record a corrected one. Shown only when the service lets the viewer have the figures
//! (`app.points_history`: officers of one of the person's counties, admins).

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::super::errors::PageError;
use super::super::labels::{date, sanction_zh};
use super::super::render::see_other;
use super::super::session::Viewer;
use super::svg::{esc, Svg, GRID, INK, MUTED};
use crate::domain::dates::{parse_date, today_china, year_start};
use crate::error::{Error, Kind};
use crate::rules::SanctionKind;
use crate::service::inspections::RevokeDeduction;
use crate::service::workbench::PointsHistory;

pub struct StepLine {
    pub decided_on: String,
    pub inspection: String,
    pub points: u32,
    pub total: u32,
}

pub struct SanctionLine {
    pub kind_zh: &'static str,
    pub starts_on: String,
    pub ends_on: String,
    pub article: String,
    pub total: u32,
}

pub struct CycleLine {
    pub year: i32,
    pub total: u32,
}

pub struct Revocable {
    pub id: i64,
    pub decided_on: String,
    pub institution_code: String,
    pub items: String,
    pub points: u32,
}

/// The officer's panel of the person page (rendered into it by one include line).
#[derive(Template)]
#[template(path = "officer_person_panel.html")]
pub struct Panel {
    pub code: String,
    pub year: i32,
    pub chart: String,
    pub cycles: Vec<CycleLine>,
    pub steps: Vec<StepLine>,
    pub sanctions: Vec<SanctionLine>,
    pub revocable: Vec<Revocable>,
    pub csrf: String,
    pub today: String,
    /// The institutions a corrected deduction may be recorded at (the person's sites in scope).
    pub sites: Vec<String>,
}

/// The panel for `code` as of `on`, or `None` when the viewer may not have it (the person
/// page then shows what every role sees).
pub async fn panel(viewer: &Viewer, code: &str, on: NaiveDate) -> Option<Panel> {
    let c = code.to_string();
    let year = on.year();
    let found = viewer
        .call(move |app, caller| {
            let history = app.points_history(caller, &c, year)?;
            let ledger = app.ledger(caller, &c, year)?;
            let sites: Vec<String> = app.sites_of(&c)?.into_iter().filter(|s| caller.covers_institution(s)).collect();
            Ok((history, ledger, sites))
        })
        .await;
    let (history, ledger, sites) = found.ok()?;
    let today = today_china();
    let steps = history
        .cycles
        .iter()
        .flat_map(|c| {
            c.steps.iter().map(|s| StepLine {
                decided_on: date(Some(s.decided_on)),
                inspection: s.inspection_id.map_or_else(|| "辖区外".to_string(), |i| format!("检查 {i}")),
                points: s.points,
                total: s.total_after,
            })
        })
        .collect();
    Some(Panel {
        code: code.to_string(),
        year,
        chart: points_chart(&history, today),
        cycles: history.cycles.iter().map(|c| CycleLine { year: c.year, total: c.total }).collect(),
        steps,
        sanctions: history
            .sanctions
            .iter()
            .map(|s| SanctionLine {
                kind_zh: sanction_zh(s.kind),
                starts_on: date(Some(s.starts_on)),
                ends_on: date(s.ends_on.or(s.ban_until)),
                article: s.article.clone(),
                total: s.total,
            })
            .collect(),
        revocable: ledger
            .deductions
            .iter()
            .filter(|d| d.revoked_on.is_none())
            .map(|d| Revocable {
                id: d.deduction.id,
                decided_on: date(Some(d.deduction.decided_on)),
                institution_code: d.deduction.institution_code.clone(),
                items: d.deduction.items.join("、"),
                points: d.deduction.points,
            })
            .collect(),
        csrf: viewer.session.csrf_token.clone(),
        today: date(Some(today)),
        sites,
    })
}

/// The chart: three cycles on one time axis, the total resetting each 1 January.
pub fn points_chart(h: &PointsHistory, today: NaiveDate) -> String {
    let (Some(first), Some(last)) = (h.cycles.first(), h.cycles.last()) else { return String::new() };
    let (width, left, right, top, plot_h) = (760.0, 40.0, 118.0, 14.0, 210.0);
    let lane = top + plot_h + 30.0;
    let height = lane + 46.0;
    let title = format!("{} {}–{}年度累计扣分", h.personnel_code, first.year, last.year);
    let totals: Vec<String> = h.cycles.iter().map(|c| format!("{}年度{}分", c.year, c.total)).collect();
    let mut svg =
        Svg::new("points-chart", width, height, &title, &format!("阶梯线为年度累计扣分：{}", totals.join("，")));
    let start = year_start(first.year);
    let end = year_start(last.year + 1);
    let span = (end - start).num_days().max(1) as f64;
    let plot_w = width - left - right;
    let x_of = |d: NaiveDate| left + ((d - start).num_days() as f64).clamp(0.0, span) / span * plot_w;
    let top_total = h.cycles.iter().map(|c| c.total).max().unwrap_or(0);
    let ymax = f64::from(top_total.max(last.initial_points).max(12) + 1);
    let y_of = |v: u32| top + plot_h - f64::from(v) / ymax * plot_h;
    // Grid: every 3 points, and the axis.
    for v in (0..=ymax as u32).step_by(3) {
        svg.line((left, y_of(v)), (left + plot_w, y_of(v)), GRID, 1.0, None);
        svg.text((left - 6.0, y_of(v) + 4.0), &v.to_string(), "end", 12.0, MUTED);
    }
    // Years.
    for c in &h.cycles {
        let (a, b) = (x_of(year_start(c.year)), x_of(year_start(c.year + 1)));
        svg.line((a, top), (a, lane + 22.0), MUTED, 1.0, None);
        svg.text(
            ((a + b) / 2.0, top + plot_h + 18.0),
            &format!("{}年度（合计 {} 分）", c.year, c.total),
            "middle",
            12.0,
            INK,
        );
        for m in [4u32, 7, 10] {
            if let Some(d) = NaiveDate::from_ymd_opt(c.year, m, 1) {
                svg.line((x_of(d), top + plot_h), (x_of(d), top + plot_h + 4.0), MUTED, 1.0, None);
            }
        }
    }
    // Thresholds of the last cycle's pack across the whole width.
    for t in &last.thresholds {
        let y = y_of(t.min);
        let (color, label) = match t.sanction {
            SanctionKind::Interview => ("#9a6700", format!("{} 分 约谈", t.min)),
            SanctionKind::Suspension => ("#bc4c00", format!("{} 分 中止{}个月", t.min, t.months.unwrap_or(0))),
            SanctionKind::Termination => ("#cf222e", format!("{} 分 解除", t.min)),
        };
        svg.line((left, y), (left + plot_w, y), color, 1.2, Some("6 4"));
        svg.text((left + plot_w + 6.0, y + 4.0), &label, "start", 12.0, color);
    }
    // The step line of each cycle, to its end or to today.
    for c in &h.cycles {
        let (from, until) = (year_start(c.year), year_start(c.year + 1));
        if from > today {
            continue;
        }
        let stop = until.min(today.succ_opt().unwrap_or(today));
        let mut pts = vec![(x_of(from), y_of(0))];
        let mut level = 0;
        for s in &c.steps {
            pts.push((x_of(s.decided_on), y_of(level)));
            pts.push((x_of(s.decided_on), y_of(s.total_after)));
            level = s.total_after;
        }
        pts.push((x_of(stop), y_of(level)));
        svg.polyline(&pts, "#0b5394", 2.5, None);
        for (k, s) in c.steps.iter().enumerate() {
            let p = (x_of(s.decided_on), y_of(s.total_after));
            let name = s.inspection_id.map_or_else(|| "辖区外检查".to_string(), |i| format!("检查{i}"));
            svg.circle(
                p,
                3.5,
                "#0b5394",
                Some(&format!("{} {}：+{} 分，累计 {} 分", s.decided_on, name, s.points, s.total_after)),
            );
            let dy = if k % 2 == 0 { -7.0 } else { 14.0 };
            svg.text((p.0 + 4.0, p.1 + dy), &format!("{name} +{}", s.points), "start", 11.5, INK);
        }
    }
    // Sanctions on the same time axis.
    svg.text((left - 6.0, lane + 12.0), "处理", "end", 12.0, MUTED);
    for s in &h.sanctions {
        let x = x_of(s.starts_on);
        match s.kind {
            SanctionKind::Interview => {
                svg.circle((x, lane + 8.0), 5.0, "#9a6700", Some(&format!("{} 约谈（{}）", s.starts_on, s.article)));
            }
            SanctionKind::Suspension => {
                let e = s.ends_on.map_or(left + plot_w, x_of);
                let tip = format!(
                    "中止 {} 至 {}（{}）",
                    s.starts_on,
                    s.ends_on.map(|d| d.to_string()).unwrap_or_default(),
                    s.article
                );
                svg.rect(x, lane, (e - x).max(2.0), 16.0, "#e09b3d", Some(&tip));
            }
            SanctionKind::Termination => {
                let e = s.ban_until.map_or(left + plot_w, x_of);
                let tip = format!(
                    "解除 {}，禁止签约至 {}（{}）",
                    s.starts_on,
                    s.ban_until.map(|d| d.to_string()).unwrap_or_default(),
                    s.article
                );
                svg.rect(x, lane + 2.0, (e - x).max(2.0), 12.0, "#cf222e", Some(&tip));
            }
        }
    }
    // Legend.
    let ly = lane + 38.0;
    svg.rect(left, ly - 10.0, 14.0, 10.0, "#e09b3d", None);
    svg.text((left + 18.0, ly), "中止期间", "start", 12.0, INK);
    svg.rect(left + 90.0, ly - 10.0, 14.0, 10.0, "#cf222e", None);
    svg.text((left + 108.0, ly), "解除（至禁止签约期满）", "start", 12.0, INK);
    svg.circle((left + 260.0, ly - 4.0), 5.0, "#9a6700", None);
    svg.text((left + 270.0, ly), "约谈", "start", 12.0, INK);
    svg.finish().replace("<svg ", &format!("<svg data-person=\"{}\" ", esc(&h.personnel_code)))
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    personnel_code: String,
}

/// `POST /deductions/{id}/revoke`: 撤销 with the reason (`app.revoke`): the deduction counts
/// for no date, the cycle is recomputed, sanctions that no longer follow are lifted and the
/// institutions get the written notice. Back to the person page, where a corrected deduction
/// can be recorded.
pub async fn revoke(
    viewer: Viewer,
    path: web::Path<String>,
    form: web::Form<RevokeForm>,
) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let Ok(id) = path.into_inner().parse::<i64>() else {
        return Err(PageError::not_found(viewer.layout("未找到")));
    };
    let form = form.into_inner();
    let code = form.personnel_code.trim().to_ascii_uppercase();
    let on = parse_date("on", form.on.trim()).map_err(|e| viewer.fail(e))?;
    let req = RevokeDeduction { on: on.to_string(), reason: form.reason.trim().to_string() };
    let ledger = viewer.call(move |app, caller| app.revoke(caller, id, &req)).await;
    match ledger {
        Ok(l) => Ok(see_other(&format!("/practitioners/{}?revoked={id}#officer-panel", l.personnel_code))),
        Err(Error::Client(c)) if c.kind == Kind::Conflict && !code.is_empty() => {
            Ok(see_other(&format!("/practitioners/{code}#officer-panel")))
        }
        Err(e) => Err(viewer.fail(e)),
    }
}
