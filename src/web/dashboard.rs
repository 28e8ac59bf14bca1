//! `/dashboard?year=&county=&category=`: the city at a glance (officers of a county see their county; city
//! officers and admins the city, or a county they pick). Every chart is SVG drawn here from the
//! service's figures (`app.dashboard`, the same as `GET /api/v1/stats/…`), has its numbers beside
//! it as a table, and an .xlsx download (`/dashboard/{chart}.xlsx`, same filters). The filters
//! are in the URL, so a view can be bookmarked and shared; the category (医保支付资格类别)
//! narrows every figure about people or deductions, as `?category=` does on the API.

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Datelike;
use serde::Deserialize;

use super::errors::PageError;
use super::labels::date;
use super::layout::Layout;
use super::officer::svg::{self, HBar, Series, PALETTE};
use super::render::ok;
use super::session::Viewer;
use crate::domain::codes::Category;
use crate::domain::dates::today_china;
use crate::domain::regions::Regions;
use crate::error::Error;
use crate::service::stats::{Dashboard, StatsScope, StatusCounts};

#[derive(Deserialize)]
pub struct DashQuery {
    year: Option<String>,
    county: Option<String>,
    category: Option<String>,
}

impl DashQuery {
    fn year(&self) -> Option<i32> {
        self.year.as_deref().and_then(|y| y.trim().parse().ok())
    }
    fn county(&self) -> Option<&str> {
        self.county.as_deref().map(str::trim).filter(|c| !c.is_empty())
    }
    fn category(&self) -> Option<&str> {
        self.category.as_deref().map(str::trim).filter(|c| !c.is_empty())
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A table of numbers: header and rows of cells (the first cell is the row's name).
pub struct Table {
    pub caption: String,
    /// Columns before this one hold text (left-aligned); the others numbers.
    pub text_cols: usize,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One chart with its numbers and its download.
pub struct Chart {
    pub id: &'static str,
    pub title: String,
    pub note: String,
    pub svg: String,
    pub extra_svg: String,
    pub table: Table,
    /// A short table beside the chart (the long one is below it).
    pub side: Option<Table>,
    /// The table is wide (a year of months): below the chart rather than beside it.
    pub wide: bool,
    pub xlsx: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashPage {
    layout: Layout,
    year: i32,
    scope_name: String,
    years: Vec<Choice>,
    counties: Vec<Choice>,
    categories: Vec<Choice>,
    pick_county: bool,
    figures: Vec<(String, String)>,
    charts: Vec<Chart>,
    query: String,
}

const MONTHS: [&str; 12] = ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"];

fn months() -> Vec<String> {
    MONTHS.iter().map(|m| m.to_string()).collect()
}

fn status_columns() -> Vec<String> {
    ["日期", "正常", "其中：待约谈", "中止", "解除", "其中：仍在禁止签约期", "未登记"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn status_row(label: String, c: &StatusCounts) -> Vec<String> {
    vec![
        label,
        c.active.to_string(),
        c.active_with_open_interview.to_string(),
        c.suspended.to_string(),
        c.terminated.to_string(),
        c.terminated_still_banned.to_string(),
        c.unregistered.to_string(),
    ]
}

/// The charts of the dashboard, each with its table (the page and the .xlsx files use them).
fn charts(d: &Dashboard, query: &str) -> Vec<Chart> {
    let scope = &d.scope;
    let y = scope.year;
    let xlsx = |name: &str| format!("/dashboard/{name}.xlsx?{query}");
    // "全市" or "任城区", with the category when one is picked: every chart's title says whom it counts.
    let who = match scope.category {
        Some(_) => format!("{}{}", scope.county_name, scope.category_name),
        None => scope.county_name.clone(),
    };
    let mut out = Vec::new();

    // 1. Deductions per month by county (points, stacked), last year's total dashed.
    let ded = &d.deductions;
    let series: Vec<Series> = ded
        .counties
        .iter()
        .enumerate()
        .map(|(k, c)| Series {
            name: c.name.clone(),
            color: PALETTE[k % PALETTE.len()],
            values: c.points.iter().map(|v| *v as f64).collect(),
        })
        .collect();
    let last_year = Series {
        name: format!("{}年合计", y - 1),
        color: "#1f2328",
        values: ded.previous_year.points.iter().map(|v| *v as f64).collect(),
    };
    let mut rows: Vec<Vec<String>> = ded
        .counties
        .iter()
        .map(|c| {
            let mut r = vec![c.name.clone()];
            r.extend(c.points.iter().map(u64::to_string));
            r.push(c.points.iter().sum::<u64>().to_string());
            r.push(c.deductions.iter().sum::<u64>().to_string());
            r
        })
        .collect();
    let mut total = vec![format!("{y}年合计")];
    total.extend((0..12).map(|m| ded.counties.iter().map(|c| c.points[m]).sum::<u64>().to_string()));
    total.push(ded.total_points.to_string());
    total.push(ded.total_deductions.to_string());
    rows.push(total);
    let mut prev = vec![format!("{}年合计", y - 1)];
    prev.extend(ded.previous_year.points.iter().map(u64::to_string));
    prev.push(ded.previous_year.points.iter().sum::<u64>().to_string());
    prev.push(ded.previous_year.deductions.iter().sum::<u64>().to_string());
    rows.push(prev);
    let mut head = vec!["县（市、区）".to_string()];
    head.extend(months());
    head.push("扣分合计".into());
    head.push("扣分次数".into());
    out.push(Chart {
        id: "chart-deductions",
        title: format!("{y}年各月扣分（按县区）"),
        note: format!(
            "柱为各县区当月扣分分值（已撤销的不计），虚线为{}年同月合计。全年扣分 {} 次、{} 分。",
            y - 1,
            ded.total_deductions,
            ded.total_points
        ),
        svg: svg::stacked_bars(
            "svg-deductions",
            &format!("{who}{y}年各月扣分分值（按县区堆叠）"),
            &format!("全年 {} 分；{}年 {} 分", ded.total_points, y - 1, ded.previous_year.points.iter().sum::<u64>()),
            &months(),
            &series,
            Some(&last_year),
        ),
        extra_svg: String::new(),
        table: Table { caption: "各月扣分分值".into(), text_cols: 1, head, rows },
        side: Some(Table {
            caption: format!("{y}年各县区合计"),
            text_cols: 1,
            head: ["县（市、区）", "扣分次数", "扣分分值"].iter().map(|s| s.to_string()).collect(),
            rows: ded
                .counties
                .iter()
                .map(|c| {
                    vec![
                        c.name.clone(),
                        c.deductions.iter().sum::<u64>().to_string(),
                        c.points.iter().sum::<u64>().to_string(),
                    ]
                })
                .chain(std::iter::once(vec![
                    format!("{}年", y - 1),
                    ded.previous_year.deductions.iter().sum::<u64>().to_string(),
                    ded.previous_year.points.iter().sum::<u64>().to_string(),
                ]))
                .collect(),
        }),
        wide: true,
        xlsx: xlsx("deductions"),
    });

    // 2. People by status today, and month by month.
    let st = &d.statuses;
    let t = &st.today.counts;
    let bars = vec![
        HBar { label: "正常".into(), value: t.active as f64, note: t.active.to_string(), color: "#59a14f" },
        HBar {
            label: "其中：待约谈".into(),
            value: t.active_with_open_interview as f64,
            note: t.active_with_open_interview.to_string(),
            color: "#8cd17d",
        },
        HBar { label: "中止".into(), value: t.suspended as f64, note: t.suspended.to_string(), color: "#f28e2b" },
        HBar { label: "解除".into(), value: t.terminated as f64, note: t.terminated.to_string(), color: "#e15759" },
        HBar {
            label: "其中：仍在禁止签约期".into(),
            value: t.terminated_still_banned as f64,
            note: t.terminated_still_banned.to_string(),
            color: "#ff9da7",
        },
        HBar {
            label: "未登记".into(),
            value: t.unregistered as f64,
            note: t.unregistered.to_string(),
            color: "#7f7f7f",
        },
    ];
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let month_labels: Vec<String> = st.months.iter().map(|m| format!("{}月", m.date.month())).collect();
    let lines = [
        ("中止", "#f28e2b", st.months.iter().map(|m| m.counts.suspended as f64).collect::<Vec<_>>()),
        ("解除", "#e15759", st.months.iter().map(|m| m.counts.terminated as f64).collect()),
        ("待约谈", "#4e79a7", st.months.iter().map(|m| m.counts.active_with_open_interview as f64).collect()),
    ];
    let series: Vec<Series> =
        lines.into_iter().map(|(n, c, v)| Series { name: n.to_string(), color: c, values: v }).collect();
    let mut rows = vec![status_row(format!("今天 {}", date(Some(st.today.date))), t)];
    rows.extend(st.months.iter().map(|m| status_row(date(Some(m.date)), &m.counts)));
    out.push(Chart {
        id: "chart-statuses",
        title: "人员状态".into(),
        note: format!("今天（{}）各状态人数；折线为{y}年各月末的中止、解除和待约谈人数。", date(Some(st.today.date))),
        svg: svg::hbars(
            "svg-statuses",
            &format!("{who}今天各状态人数"),
            &format!("正常 {}，中止 {}，解除 {}，未登记 {}", t.active, t.suspended, t.terminated, t.unregistered),
            &bars,
            max,
            None,
        ),
        extra_svg: if month_labels.is_empty() {
            String::new()
        } else {
            svg::lines(
                "svg-statuses-months",
                &format!("{y}年各月末中止、解除和待约谈人数"),
                "各月末人数的折线",
                &month_labels,
                &series,
            )
        },
        table: Table { caption: "各状态人数".into(), text_cols: 1, head: status_columns(), rows },
        side: None,
        wide: true,
        xlsx: xlsx("statuses"),
    });

    // 3. The catalogue items most cited.
    let items: Vec<_> = d.items.items.iter().take(10).collect();
    let max = items.first().map_or(0.0, |i| i.deductions as f64);
    out.push(Chart {
        id: "chart-items",
        title: "被引用最多的扣分情形".into(),
        note: format!("{y}年扣分引用的记分目录条目（一项扣分可引用多项）。"),
        svg: svg::hbars(
            "svg-items",
            &format!("{y}年被引用最多的扣分情形"),
            &items.iter().map(|i| format!("{} {} 次", i.code, i.deductions)).collect::<Vec<_>>().join("，"),
            &items
                .iter()
                .map(|i| HBar {
                    label: format!("{} {}", i.code, i.text),
                    value: i.deductions as f64,
                    note: format!("{} 次（{} 分，{}）", i.deductions, i.points, i.article),
                    color: PALETTE[0],
                })
                .collect::<Vec<_>>(),
            max,
            None,
        ),
        extra_svg: String::new(),
        table: Table {
            caption: "扣分情形".into(),
            text_cols: 3,
            head: ["条目", "内容", "依据", "分值", "次数"].iter().map(|s| s.to_string()).collect(),
            rows: d
                .items
                .items
                .iter()
                .map(|i| {
                    vec![
                        i.code.clone(),
                        i.text.clone(),
                        i.article.clone(),
                        i.points.to_string(),
                        i.deductions.to_string(),
                    ]
                })
                .collect(),
        },
        side: None,
        wide: false,
        xlsx: xlsx("items"),
    });

    // 4. Institutions nearest the 30 % line.
    let inst = &d.institutions;
    let share = |n: u32, den: u32| if den == 0 { 0.0 } else { f64::from(n) / f64::from(den) };
    let line = f64::from(inst.percent) / 100.0;
    let max = inst.nearest.iter().map(|r| share(r.numerator, r.denominator)).fold(line * 1.2, f64::max).min(1.0);
    let inst_rows = |list: &[crate::service::stats::InstitutionRatio]| -> Vec<Vec<String>> {
        list.iter()
            .map(|r| {
                vec![
                    r.institution_code.clone(),
                    r.name.clone(),
                    format!("{}/{}", r.numerator, r.denominator),
                    format!("{:.1}%", share(r.numerator, r.denominator) * 100.0),
                    if r.watch_list_people > 0 {
                        format!("是（{}人）", r.watch_list_people)
                    } else {
                        String::new()
                    },
                ]
            })
            .collect()
    };
    let mut rows = inst_rows(&inst.nearest);
    let listed: Vec<&str> = inst.nearest.iter().map(|r| r.institution_code.as_str()).collect();
    let watch_only: Vec<_> =
        inst.watch_list.iter().filter(|r| !listed.contains(&r.institution_code.as_str())).cloned().collect();
    rows.extend(inst_rows(&watch_only));
    out.push(Chart {
        id: "chart-institutions",
        title: format!("最接近{}%的机构（{}）", inst.percent, inst.article),
        note: format!(
            "{y}年本机构人员中被中止或解除的比例；{} 家达到{}%，{} 家在重点监控名单（六(三)）。{}",
            inst.at_or_over,
            inst.percent,
            inst.watch_list.len(),
            if scope.category.is_some() {
                "比例按机构全部人员计算（五(三)），不按类别筛选。"
            } else {
                ""
            }
        ),
        svg: svg::hbars(
            "svg-institutions",
            &format!("{y}年最接近{}%的机构", inst.percent),
            &format!("{} 家达到{}%", inst.at_or_over, inst.percent),
            &inst
                .nearest
                .iter()
                .map(|r| {
                    let s = share(r.numerator, r.denominator);
                    HBar {
                        label: r.name.clone(),
                        value: s,
                        note: format!(
                            "{:.1}%（{}/{}）{}",
                            s * 100.0,
                            r.numerator,
                            r.denominator,
                            if r.watch_list_people > 0 { " 重点监控" } else { "" }
                        ),
                        color: if r.threshold_reached { "#e15759" } else { "#f28e2b" },
                    }
                })
                .collect::<Vec<_>>(),
            max,
            Some((line, &format!("{}%", inst.percent))),
        ),
        extra_svg: String::new(),
        table: Table {
            caption: "机构比例（含重点监控名单）".into(),
            text_cols: 2,
            head: ["机构编码", "名称", "中止或解除/在册", "比例", "重点监控"].iter().map(|s| s.to_string()).collect(),
            rows,
        },
        side: None,
        wide: false,
        xlsx: xlsx("institutions"),
    });

    // 5. Training tests.
    let tt = &d.training_tests;
    let mut bars: Vec<HBar> = tt
        .by_age
        .iter()
        .map(|g| HBar {
            label: g.group.clone(),
            value: g.rate.parse().unwrap_or(0.0),
            note: format!("{}%（{}/{}）", g.rate, g.passed, g.tests),
            color: PALETTE[3],
        })
        .collect();
    bars.extend(tt.by_format.iter().map(|g| HBar {
        label: g.group.clone(),
        value: g.rate.parse().unwrap_or(0.0),
        note: format!("{}%（{}/{}）", g.rate, g.passed, g.tests),
        color: PALETTE[6],
    }));
    let mut rows: Vec<Vec<String>> = tt
        .by_age
        .iter()
        .chain(&tt.by_format)
        .map(|g| vec![g.group.clone(), g.tests.to_string(), g.passed.to_string(), format!("{}%", g.rate)])
        .collect();
    rows.push(vec!["合计".into(), tt.tests.to_string(), (tt.tests - tt.failed).to_string(), String::new()]);
    out.push(Chart {
        id: "chart-training-tests",
        title: "培训测试合格率（三(三)）".into(),
        note: format!(
            "{y}年测试 {} 人次，未合格 {} 人次（解除服务协议）。按年龄组与测试形式（50岁以上开卷）。",
            tt.tests, tt.failed
        ),
        svg: svg::hbars(
            "svg-tests",
            &format!("{y}年培训测试合格率"),
            &format!("测试 {} 人次，未合格 {} 人次", tt.tests, tt.failed),
            &bars,
            100.0,
            None,
        ),
        extra_svg: String::new(),
        table: Table {
            caption: "合格率".into(),
            text_cols: 1,
            head: ["分组", "测试人次", "合格", "合格率"].iter().map(|s| s.to_string()).collect(),
            rows,
        },
        side: None,
        wide: false,
        xlsx: xlsx("training-tests"),
    });

    // 6. Objections.
    let ob = &d.objections;
    let obs = [
        ("提出", ob.filed, "#4e79a7"),
        ("采纳（撤销扣分）", ob.upheld, "#59a14f"),
        ("驳回", ob.rejected, "#e15759"),
        ("待处理", ob.pending, "#edc948"),
        ("申请复核", ob.escalated, "#b07aa1"),
    ];
    let max = obs.iter().map(|o| o.1 as f64).fold(0.0, f64::max);
    let median = ob.median_working_days.map_or_else(|| "—".to_string(), |m| format!("{m:.1}"));
    let mut rows: Vec<Vec<String>> = obs.iter().map(|o| vec![o.0.to_string(), o.1.to_string()]).collect();
    rows.push(vec!["经办机构作出决定的工作日数（中位数）".into(), median.clone()]);
    out.push(Chart {
        id: "chart-objections",
        title: "异议（六(一)）".into(),
        note: format!("{y}年提出的异议；从提出到经办机构作出决定，中位数 {median} 个工作日。"),
        svg: svg::hbars(
            "svg-objections",
            &format!("{y}年异议"),
            &format!("提出 {}，采纳 {}，驳回 {}，申请复核 {}", ob.filed, ob.upheld, ob.rejected, ob.escalated),
            &obs.iter()
                .map(|o| HBar { label: o.0.to_string(), value: o.1 as f64, note: o.1.to_string(), color: o.2 })
                .collect::<Vec<_>>(),
            max,
            None,
        ),
        extra_svg: String::new(),
        table: Table { caption: "异议".into(), text_cols: 1, head: vec!["项目".into(), "件数".into()], rows },
        side: None,
        wide: false,
        xlsx: xlsx("objections"),
    });
    out
}

/// The filters as the URL carries them (the scope's own values: a county code, a category name).
fn query_of(scope: &StatsScope) -> String {
    let mut q = format!("year={}", scope.year);
    if let Some(c) = &scope.county {
        q.push_str(&format!("&county={c}"));
    }
    if let Some(c) = scope.category {
        q.push_str(&format!("&category={}", c.as_str()));
    }
    q
}

async fn load(viewer: &Viewer, q: &DashQuery) -> Result<Dashboard, PageError> {
    let (year, county, category) = (q.year(), q.county().map(str::to_string), q.category().map(str::to_string));
    viewer
        .call(move |app, caller| {
            let scope = app.stats_scope_in(caller, year, county.as_deref(), category.as_deref())?;
            app.dashboard(caller, &scope)
        })
        .await
        .map_err(|e| viewer.fail(e))
}

/// `GET /dashboard?year=&county=&category=`.
pub async fn show(viewer: Viewer, q: web::Query<DashQuery>) -> Result<HttpResponse, PageError> {
    let d = load(&viewer, &q).await?;
    let scope = &d.scope;
    let this_year = today_china().year();
    let regions = Regions::embedded();
    let query = query_of(scope);
    let t = &d.statuses.today.counts;
    let scope_name = match scope.category {
        Some(_) => format!("{} · {}", scope.county_name, scope.category_name),
        None => scope.county_name.clone(),
    };
    let page = DashPage {
        layout: viewer.layout(format!("统计 · {scope_name} {}年", scope.year)),
        year: scope.year,
        scope_name,
        years: (2024.min(this_year)..=this_year)
            .rev()
            .map(|y| Choice { value: y.to_string(), label: format!("{y}年"), selected: y == scope.year })
            .collect(),
        pick_county: viewer.caller().region().is_none(),
        counties: regions
            .regions
            .iter()
            .map(|r| Choice {
                value: r.code.clone(),
                label: r.name.clone(),
                selected: scope.county.as_deref() == Some(r.code.as_str()),
            })
            .collect(),
        categories: Category::ALL
            .iter()
            .map(|c| Choice {
                value: c.as_str().to_string(),
                label: c.name_zh().to_string(),
                selected: scope.category == Some(*c),
            })
            .collect(),
        figures: vec![
            (d.deductions.total_points.to_string(), format!("{}年扣分分值", scope.year)),
            (d.deductions.total_deductions.to_string(), "扣分次数".into()),
            (t.suspended.to_string(), "今天中止".into()),
            (t.terminated.to_string(), "今天解除".into()),
            (d.institutions.at_or_over.to_string(), format!("达到{}%的机构", d.institutions.percent)),
            (d.institutions.watch_list.len().to_string(), "重点监控机构".into()),
        ],
        charts: charts(&d, &query),
        query,
    };
    Ok(ok(&page))
}

/// `GET /dashboard/{chart}.xlsx?year=&county=&category=`: one chart's table as a workbook.
pub async fn xlsx(
    viewer: Viewer,
    path: web::Path<String>,
    q: web::Query<DashQuery>,
) -> Result<HttpResponse, PageError> {
    let file = path.into_inner();
    let Some(name) = file.strip_suffix(".xlsx") else {
        return Err(PageError::not_found(viewer.layout("未找到")));
    };
    let d = load(&viewer, &q).await?;
    let query = query_of(&d.scope);
    let Some(chart) = charts(&d, &query).into_iter().find(|c| c.id.strip_prefix("chart-") == Some(name)) else {
        return Err(PageError::not_found(viewer.layout("未找到")));
    };
    let head: Vec<&str> = chart.table.head.iter().map(String::as_str).collect();
    let bytes = crate::sheets::export::to_xlsx(&chart.table.caption, &head, &chart.table.rows)
        .map_err(|e| viewer.fail(Error::Internal(anyhow::anyhow!("xlsx: {e}"))))?;
    let filename = format!(
        "jifen-{name}-{}-{}{}.xlsx",
        d.scope.year,
        d.scope.county.as_deref().unwrap_or("370800"),
        d.scope.category.map(|c| format!("-{}", c.as_str())).unwrap_or_default()
    );
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{filename}\"")))
        .insert_header(("Cache-Control", "no-store"))
        .body(bytes))
}
