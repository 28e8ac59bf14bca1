use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{run, State};
use crate::error::Result;
use crate::rules::PolicyPack;
use crate::rules::SanctionKind;
use crate::service::notices::{Notice, NoticeBody};
use crate::service::receipts::AcknowledgeNotice;
use crate::service::{Action, Caller};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub institution_code: Option<String>,
    pub personnel_code: Option<String>,
}

/// `GET /notices?institution_code=&personnel_code=` — hr sees its own institution's notices.
pub async fn list(state: web::Data<State>, caller: Caller, q: web::Query<ListQuery>) -> Result<HttpResponse> {
    let q = q.into_inner();
    let notices = run(&state, move |app| app.notices(&caller, q.institution_code, q.personnel_code.as_deref())).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "notices": notices })))
}

/// `POST /notices/{id}/received` (hr of the notice's institution, admin): `on`, the day it was
/// received; the 10 working days of 六(一) run from it.
pub async fn received(
    state: web::Data<State>,
    caller: Caller,
    path: web::Path<i64>,
    body: super::body::Body,
) -> Result<HttpResponse> {
    caller.permit(Action::AcknowledgeNotice)?;
    let id = path.into_inner();
    let req: AcknowledgeNotice = super::json_body(&body.bytes)?;
    Ok(HttpResponse::Ok().json(run(&state, move |app| app.acknowledge_notice(&caller, id, &req)).await?))
}

/// `GET /notices/{id}`: JSON, or with `Accept: text/html` the printable notice.
pub async fn show(
    state: web::Data<State>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<i64>,
) -> Result<HttpResponse> {
    let id = path.into_inner();
    let notice = run(&state, move |app| app.notice(&caller, id)).await?;
    let wants_html =
        req.headers().get(header::ACCEPT).and_then(|h| h.to_str().ok()).is_some_and(|a| a.contains("text/html"));
    if wants_html {
        let app = state.app.current();
        let pack = app.packs.in_force_or_first(notice.notice_date)?;
        Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(render(&notice, pack)))
    } else {
        Ok(HttpResponse::Ok().json(notice))
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An optional number or date, empty when absent.
fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn kind_zh(k: SanctionKind) -> &'static str {
    match k {
        SanctionKind::Interview => "约谈",
        SanctionKind::Suspension => "中止服务协议",
        SanctionKind::Termination => "解除服务协议",
    }
}

/// A printable Chinese notice: letterhead, numbered sections, A4 print CSS. The issuer, the
/// notice cited and its articles come from `pack`, the one in force on the notice's date.
pub fn render(n: &Notice, pack: &PolicyPack) -> String {
    let mut sections: Vec<(String, String)> = Vec::new();
    match &n.body {
        NoticeBody::Deduction(b) => {
            let items: String = b
                .items
                .iter()
                .map(|i| format!("<li>{}「{}」：{}分</li>", esc(&i.article), esc(&i.text), i.points))
                .collect();
            sections.push((
                "违规事实".into(),
                format!(
                    "<p>经对{}于{}检查，{}（医保对应代码 {}）存在下列违规行为：</p><ul>{items}</ul>",
                    esc(b.inspection.institution_name.as_deref().unwrap_or(&b.inspection.institution_code)),
                    b.inspection.inspected_on,
                    esc(&b.name),
                    esc(&b.personnel_code)
                ),
            ));
            sections.push((
                "扣分结果".into(),
                format!(
                    "<p>依据《{}》{}，本次扣{}分（{}）。{}年度累计扣分{}分。</p>",
                    esc(&pack.notice.title),
                    esc(&pack.notice.deduction_article),
                    b.points,
                    esc(&b.explanation.zh),
                    b.cycle_year,
                    opt(b.cycle_total)
                ),
            ));
            let sanctions: String = b
                .sanctions
                .iter()
                .map(|s| {
                    let period = match (s.ends_on, s.ban_until) {
                        (Some(e), _) => format!("，自{}起至{e}（不含）", s.starts_on),
                        (_, Some(b)) => format!("，自{}起生效，{b}前不再签订服务协议", s.starts_on),
                        _ => String::new(),
                    };
                    format!("<li>{}{}（{}）</li>", kind_zh(s.kind), period, esc(&s.article))
                })
                .collect();
            sections.push((
                "处理决定".into(),
                if sanctions.is_empty() {
                    "<p>本次扣分未达到处理标准。</p>".into()
                } else {
                    format!("<ul>{sanctions}</ul>")
                },
            ));
        }
        NoticeBody::Sanction(b) => {
            let sanctions: String = b
                .sanctions
                .iter()
                .map(|s| {
                    format!(
                        "<li>{}，自{}起生效，{}前不再签订服务协议（{}）：{}</li>",
                        kind_zh(s.kind),
                        s.starts_on,
                        opt(s.ban_until),
                        esc(&s.article),
                        esc(&s.explanation.zh)
                    )
                })
                .collect();
            sections.push((
                "处理决定".into(),
                format!("<p>{}（医保对应代码 {}）：</p><ul>{sanctions}</ul>", esc(&b.name), esc(&b.personnel_code)),
            ));
        }
        NoticeBody::Revocation(b) => {
            sections.push((
                "撤销决定".into(),
                format!(
                    "<p>{}（医保对应代码 {}）第{}号扣分记录（{}分）自{}起撤销，理由：{}。该扣分不再计入任何日期，年度累计扣分重新计算为{}分。</p>",
                    "相关人员",
                    esc(&b.personnel_code),
                    b.deduction_id,
                    opt(b.points),
                    b.revoked_on,
                    esc(&b.reason),
                    opt(b.cycle_total)
                ),
            ));
            let n_withdrawn = b.withdrawn_sanctions.len();
            sections.push(("处理结果".into(), format!("<p>因此不再成立并予撤回的处理：{n_withdrawn}项。</p>")));
        }
        NoticeBody::TestRevocation(b) => {
            sections.push((
                "撤销决定".into(),
                format!(
                    "<p>相关人员（医保对应代码 {}）{}的医保支付资格测试记录（{}）自{}起撤销，理由：{}。该记录不再计入任何日期（三(三)）。</p>",
                    esc(&b.personnel_code),
                    b.tested_on,
                    if b.passed { "合格" } else { "不合格" },
                    b.revoked_on,
                    esc(&b.reason)
                ),
            ));
            let n_withdrawn = b.withdrawn_sanctions.len();
            sections.push(("处理结果".into(), format!("<p>因此不再成立并予撤回的处理：{n_withdrawn}项。</p>")));
        }
        NoticeBody::Institution(b) if b.action == crate::store::facts::AgreementAction::Renew => {
            sections.push((
                "决定".into(),
                format!(
                    "<p>定点医药机构 {}：续签医保协议，新协议期自{}至{}（含）。{}（依据：{}）</p>",
                    esc(&b.institution_code),
                    b.from,
                    opt(b.until),
                    esc(&b.reason),
                    esc(&b.article)
                ),
            ));
        }
        NoticeBody::Institution(b) => {
            sections.push((
                "决定".into(),
                format!(
                    "<p>定点医药机构 {}：{}，自{}起{}。事由：{}（依据：{}）。</p><p>{}</p>",
                    esc(&b.institution_code),
                    esc(&n.title),
                    b.from,
                    b.until.map(|u| format!("至{u}（不含）")).unwrap_or_default(),
                    esc(&b.reason),
                    esc(&b.article),
                    esc(&b.staff)
                ),
            ));
        }
        NoticeBody::ObjectionDecision(b) => {
            sections.push((
                "异议事项".into(),
                format!(
                    "<p>你单位于{}对相关人员（医保对应代码 {}）第{}号扣分记录提出异议，理由：{}。</p>",
                    b.filed_on,
                    esc(&b.personnel_code),
                    b.deduction_id,
                    esc(&b.grounds)
                ),
            ));
            sections.push(("处理决定".into(), format!("<p>{}</p><p>依据及理由：{}</p>", esc(&b.zh), esc(&b.evidence))));
        }
    }
    if let Some(how) = n.body.objection() {
        // 六(一): the period runs from receipt; once acknowledged, the notice says the day.
        let receipt = match (n.received_on, n.objection_deadline) {
            (Some(r), Some(d)) => format!("本通知已于{r}签收，期限至{d}（含）。"),
            _ => String::new(),
        };
        sections.push(("异议途径".into(), format!("<p>{}（{}）{receipt}</p>", esc(&how.zh), esc(&how.article))));
    }
    let body: String = sections
        .iter()
        .enumerate()
        .map(|(k, (h, c))| {
            format!("<section><h2>{}、{}</h2>{}</section>", ["一", "二", "三", "四", "五", "六"][k.min(5)], esc(h), c)
        })
        .collect();
    format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>
@page {{ size: A4; margin: 25mm 22mm; }}
body {{ font-family: "FangSong", "STFangsong", "Noto Serif CJK SC", "Songti SC", serif; font-size: 16pt; line-height: 1.7; color: #000; max-width: 170mm; margin: 0 auto; }}
.letterhead {{ text-align: center; color: #c00; font-size: 26pt; font-weight: bold; letter-spacing: 4pt; border-bottom: 2px solid #c00; padding-bottom: 6pt; }}
.docno {{ text-align: center; font-size: 14pt; margin: 6pt 0 18pt; }}
h1 {{ text-align: center; font-size: 20pt; margin: 12pt 0; }}
h2 {{ font-size: 16pt; font-weight: bold; margin: 10pt 0 4pt; }}
.to {{ margin: 12pt 0; }}
.sign {{ text-align: right; margin-top: 30pt; }}
@media print {{ .noprint {{ display: none; }} }}
</style></head>
<body>
<div class="letterhead">{issuer}</div>
<div class="docno">{number_prefix}〔{year}〕第{id}号</div>
<h1>{title}</h1>
<p class="to">{inst}：</p>
{body}
<div class="sign"><p>{issuer}</p><p>{date}</p></div>
</body></html>
"#,
        title = esc(&n.title),
        year = n.notice_date.format("%Y"),
        id = n.id,
        inst = match &n.body {
            NoticeBody::Deduction(b) => b.institution_names.get(&n.institution_code),
            _ => None,
        }
        .map_or_else(|| esc(&n.institution_code), |name| format!("{}（{}）", esc(name), esc(&n.institution_code))),
        date = n.notice_date.format("%Y年%m月%d日"),
        issuer = esc(&pack.issuer),
        number_prefix = esc(&pack.notice.number_prefix),
    )
}
