//! `/institutions/{code}`: one institution's agreement (医保协议), its history, the 30 % meter
//! of 五(三), the hearing step (陈述申辩, `hearing.rs`), and the agency's forms: suspend
//! (article, reason, from/until, requested), restore, terminate, and renew or decline to renew
//! (`terms.rs`). A suspension or termination is shown with its effect on the staff — how many
//! registered people's service agreements follow it (三(四)), and which related institutions
//! follow too — before it is confirmed; a suspension or termination names the notice of intent
//! it follows where there is one, and answers the institution's statement. All through the
//! API's use-cases.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{Datelike, Months, NaiveDate};
use serde::Deserialize;

use super::institutions::{kind_zh, opt};
use super::{hearing, institution_badge, institution_status_zh, message, refusal, terms};
use crate::domain::dates::{parse_date, today_china};
use crate::service::agency_pages::AgreementEffect;
use crate::service::institutions::{
    Hearing, InstitutionView, RestoreInstitution, SuspendInstitution, TerminateInstitution,
};
use crate::service::Action;
use crate::store::facts::AgreementAction;
use crate::web::errors::PageError;
use crate::web::labels::date;
use crate::web::layout::Layout;
use crate::web::paths;
use crate::web::render::{page, see_other};
use crate::web::session::Viewer;

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    pub year: Option<i32>,
    pub msg: Option<String>,
}

pub struct HistoryLine {
    pub action_zh: &'static str,
    pub from: String,
    pub until: String,
    pub reason: String,
    pub article: String,
    pub note: String,
}

/// A change waiting for its confirmation, with its effect on the staff.
pub struct Confirm {
    /// `suspend`, `terminate`, `renew` or `non-renewal`.
    pub action: &'static str,
    pub action_zh: &'static str,
    pub on: String,
    pub staff: usize,
    pub in_force: usize,
    pub related: Vec<(String, String, usize, &'static str)>,
    /// The form's fields, sent again with `confirmed=yes`.
    pub fields: Vec<(&'static str, String)>,
    /// What will be recorded, as the person typed it (label, value).
    pub shown: Vec<(&'static str, String)>,
    /// The effect in words, for a renewal or a non-renewal (the template words the others).
    pub effect_text: Option<String>,
}

/// The values typed into the agreement forms (kept when one is refused or confirmed).
#[derive(Deserialize, Default, Clone)]
pub struct ChangeForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub on: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub article: String,
    #[serde(default)]
    pub requested: String,
    #[serde(default)]
    pub legal_representative_violation: String,
    #[serde(default)]
    pub confirmed: String,
    /// The notice of intent the decision follows (吉林 第四十九条, 陈述申辩).
    #[serde(default)]
    pub intent_id: String,
    /// The answer to the institution's statement (adopted, or why not).
    #[serde(default)]
    pub statement_response: String,
    /// `true`: the statement is adopted.
    #[serde(default)]
    pub statement_adopted: String,
    /// When the institution asked for the change itself (3 months' notice, 聊城 第三十三条).
    #[serde(default)]
    pub requested_on: String,
    /// A renewal: the last day of the new term.
    #[serde(default)]
    pub agreement_end: String,
    /// A notice of intent: `suspend` or `terminate`, its facts and basis, the day told.
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub facts: String,
    #[serde(default)]
    pub basis: String,
    #[serde(default)]
    pub notified_on: String,
    /// The institution's statement: the day, the text, its evidence, or a waiver.
    #[serde(default)]
    pub stated_on: String,
    #[serde(default)]
    pub statement: String,
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub waived: String,
}

impl ChangeForm {
    fn intent(&self) -> Option<i64> {
        self.intent_id.trim().parse().ok()
    }

    fn response(&self) -> Option<String> {
        opt(&self.statement_response)
    }

    fn adopted(&self) -> Option<bool> {
        self.intent().map(|_| flag(&self.statement_adopted))
    }
}

#[derive(Template)]
#[template(path = "agency_institution.html")]
struct ShowPage {
    layout: Layout,
    i: InstitutionView,
    status_zh: &'static str,
    status_badge: &'static str,
    kind_zh: &'static str,
    agreement_start: String,
    agreement_end: String,
    suspended_until: String,
    reapplication: String,
    history: Vec<HistoryLine>,
    year: i32,
    numerator: u32,
    denominator: u32,
    percent: String,
    share: f64,
    threshold_reached: bool,
    cascade_article: String,
    may_change: bool,
    may_renew: bool,
    may_state: bool,
    /// The first day of a renewed term, and its default last day (one year on).
    renew_end: String,
    hearing: hearing::Block,
    today: String,
    /// Which form a refusal belongs to (`suspend`, `restore`, `terminate`, `renew`,
    /// `non-renewal`, `intent`, `statement`).
    error_for: &'static str,
    error: Option<String>,
    form: ChangeForm,
    confirm: Option<Confirm>,
}

fn action_zh(a: AgreementAction) -> &'static str {
    match a {
        AgreementAction::Suspend => "中止",
        AgreementAction::Restore => "恢复",
        AgreementAction::Terminate => "解除",
        AgreementAction::Renew => "续签",
        AgreementAction::NonRenewal => "不再续签",
        AgreementAction::Inspection => "验收",
    }
}

pub(super) struct Extra {
    pub error_for: &'static str,
    pub error: Option<String>,
    pub form: ChangeForm,
    pub confirm: Option<Confirm>,
}

impl Extra {
    pub fn refused(error_for: &'static str, message: String, form: ChangeForm) -> Extra {
        Extra { error_for, error: Some(message), form, confirm: None }
    }
}

pub(super) async fn render_show(
    viewer: &Viewer,
    code: String,
    q: &ShowQuery,
    extra: Extra,
) -> Result<HttpResponse, PageError> {
    let today = today_china();
    let year = q.year.filter(|y| (2000..=2100).contains(y)).unwrap_or(today.year());
    let (i, cascade, hearing): (_, _, Hearing) = viewer
        .call(move |app, caller| {
            Ok((
                app.institution(caller, &code, today)?,
                app.cascade_figures(caller, &code, year)?,
                app.hearing(caller, &code, today)?,
            ))
        })
        .await
        .map_err(|e| viewer.fail(e))?;
    let (num, den) = (cascade.numerator, cascade.denominator);
    let history = i
        .history
        .iter()
        .map(|e| {
            let mut note = Vec::new();
            if e.requested {
                note.push("机构申请".to_string());
            }
            if let Some(l) = e.lapses_on {
                note.push(format!("未恢复的，{} 起自动终止", date(Some(l))));
            }
            if let Some(c) = e.cascade_case_id {
                note.push(format!("30%联动案件 {c}"));
            }
            HistoryLine {
                action_zh: action_zh(e.action),
                from: date(Some(e.from)),
                until: date(e.until),
                reason: e.reason.clone(),
                article: e.article.clone(),
                note: note.join("；"),
            }
        })
        .collect();
    let status = if extra.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let title = i.name.clone();
    Ok(page(
        status,
        &ShowPage {
            layout: viewer.layout(title).flash(message(q.msg.as_deref())),
            status_zh: institution_status_zh(i.status),
            status_badge: institution_badge(i.status),
            kind_zh: kind_zh(&i.kind),
            agreement_start: date(Some(i.agreement_start)),
            agreement_end: date(Some(i.agreement_end)),
            suspended_until: date(i.suspended_until),
            reapplication: i.end.as_ref().map(end_zh).unwrap_or_default(),
            history,
            year,
            numerator: num,
            denominator: den,
            percent: if den == 0 { "0.0".into() } else { format!("{:.1}", f64::from(num) * 100.0 / f64::from(den)) },
            share: if den == 0 { 0.0 } else { f64::from(num) / f64::from(den) },
            threshold_reached: cascade.threshold_reached,
            cascade_article: cascade.article.clone(),
            may_change: viewer.caller().permit(Action::ChangeAgreement).is_ok(),
            may_renew: viewer.caller().permit(Action::RenewAgreement).is_ok(),
            may_state: viewer.caller().permit(Action::StateCase).is_ok(),
            renew_end: date(i.agreement_end.checked_add_months(Months::new(12))),
            hearing: hearing::block(&hearing),
            today: date(Some(today)),
            error_for: extra.error_for,
            error: extra.error,
            form: extra.form,
            confirm: extra.confirm,
            i,
        },
    ))
}

/// `GET /institutions/{code}`.
pub async fn show(
    viewer: Viewer,
    path: web::Path<String>,
    q: web::Query<ShowQuery>,
) -> Result<HttpResponse, PageError> {
    let code = path.into_inner().trim().to_ascii_uppercase();
    let extra = Extra { error_for: "", error: None, form: ChangeForm::default(), confirm: None };
    render_show(&viewer, code, &q, extra).await
}

pub(super) fn flag(s: &str) -> bool {
    s == "true"
}

fn effect_confirm(effect: &AgreementEffect, form: &ChangeForm) -> Confirm {
    let suspend = effect.action == AgreementAction::Suspend;
    let mut fields: Vec<(&'static str, String)> = if suspend {
        vec![("from", form.from.clone()), ("until", form.until.clone())]
    } else {
        vec![("on", form.on.clone()), ("legal_representative_violation", form.legal_representative_violation.clone())]
    };
    fields.push(("reason", form.reason.clone()));
    fields.push(("article", form.article.clone()));
    fields.push(("requested", form.requested.clone()));
    fields.push(("requested_on", form.requested_on.clone()));
    fields.push(("intent_id", form.intent_id.clone()));
    fields.push(("statement_response", form.statement_response.clone()));
    fields.push(("statement_adopted", form.statement_adopted.clone()));
    let mut shown = Vec::new();
    if suspend {
        let until = form.until.trim();
        shown.push((
            "恢复日期",
            if until.is_empty() { "未定（恢复时另行决定）".to_string() } else { until.to_string() },
        ));
    }
    let article = form.article.trim();
    shown.push(("依据条款", if article.is_empty() { "三(四)".to_string() } else { article.to_string() }));
    shown.push(("理由", form.reason.trim().to_string()));
    if flag(&form.requested) {
        shown.push(("申请", "机构申请".to_string()));
    }
    if let Some(id) = form.intent() {
        shown.push(("陈述申辩", format!("告知 {id}")));
        if let Some(r) = form.response() {
            let adopted = if flag(&form.statement_adopted) { "采纳" } else { "不予采纳" };
            shown.push(("对陈述申辩的答复", format!("{adopted}：{r}")));
        }
    }
    if !suspend && flag(&form.legal_representative_violation) {
        shown.push(("连锁药店", "因法定代表人违规，同一法定代表人的门店一并解除".to_string()));
    }
    Confirm {
        shown,
        action: if suspend { "suspend" } else { "terminate" },
        action_zh: if suspend { "中止" } else { "解除" },
        on: date(Some(effect.on)),
        staff: effect.staff,
        in_force: effect.in_force,
        related: effect.related.iter().map(|r| (r.code.clone(), r.name.clone(), r.staff, r.article)).collect(),
        fields,
        effect_text: None,
    }
}

/// `POST /institutions/{code}/{suspend|restore|terminate|renew|non-renewal}`. A suspension,
/// termination, renewal or non-renewal without `confirmed=yes` changes nothing: the page shows
/// what it would do to the staff and asks for the confirmation.
pub async fn change(
    viewer: Viewer,
    path: web::Path<(String, String)>,
    form: web::Form<ChangeForm>,
) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let (code, action) = path.into_inner();
    let code = code.trim().to_ascii_uppercase();
    let form = form.into_inner();
    let action: &'static str = match action.as_str() {
        "suspend" => "suspend",
        "restore" => "restore",
        "terminate" => "terminate",
        "renew" | "non-renewal" => return terms::change(&viewer, code, &action, form).await,
        _ => return Err(PageError::not_found(viewer.layout("未找到"))),
    };
    let refused = |m: String, form: ChangeForm| Extra { error_for: action, error: Some(m), form, confirm: None };
    // Before anything is written: the effect on the staff, then the confirmation.
    if action != "restore" && form.confirmed != "yes" {
        let day = if action == "suspend" { &form.from } else { &form.on };
        let field = if action == "suspend" { "from" } else { "on" };
        let on: NaiveDate = match parse_date(field, day.trim()) {
            Ok(d) => d,
            Err(e) => {
                let m = refusal(&e).unwrap_or_else(|| "日期无效".into());
                return render_show(&viewer, code, &ShowQuery::default(), refused(m, form)).await;
            }
        };
        if form.reason.trim().is_empty() {
            let m = "请填写理由。".to_string();
            return render_show(&viewer, code, &ShowQuery::default(), refused(m, form)).await;
        }
        let kind = if action == "suspend" { AgreementAction::Suspend } else { AgreementAction::Terminate };
        let chain = flag(&form.legal_representative_violation);
        let c = code.clone();
        let effect = viewer
            .call(move |app, caller| app.agreement_effect(caller, &c, kind, on, chain))
            .await
            .map_err(|e| viewer.fail(e))?;
        let confirm = effect_confirm(&effect, &form);
        let extra = Extra { error_for: action, error: None, form, confirm: Some(confirm) };
        return render_show(&viewer, code, &ShowQuery::default(), extra).await;
    }
    let c = code.clone();
    let f = form.clone();
    let result = match action {
        "suspend" => {
            let req = SuspendInstitution {
                from: f.from.trim().to_string(),
                until: opt(&f.until),
                reason: f.reason.clone(),
                article: opt(&f.article),
                requested: Some(flag(&f.requested)),
                requested_on: opt(&f.requested_on),
                department: None,
                intent_id: f.intent(),
                statement_response: f.response(),
                statement_adopted: f.adopted(),
            };
            viewer.call(move |app, caller| app.suspend_institution(caller, &c, &req).map(drop)).await
        }
        "restore" => {
            let req = RestoreInstitution { on: f.on.trim().to_string(), reason: opt(&f.reason), department: None };
            viewer.call(move |app, caller| app.restore_institution(caller, &c, &req).map(drop)).await
        }
        _ => {
            let req = TerminateInstitution {
                on: f.on.trim().to_string(),
                reason: f.reason.clone(),
                article: opt(&f.article),
                legal_representative_violation: Some(flag(&f.legal_representative_violation)),
                requested: Some(flag(&f.requested)),
                requested_on: opt(&f.requested_on),
                cause: None,
                discovered_on: None,
                intent_id: f.intent(),
                statement_response: f.response(),
                statement_adopted: f.adopted(),
            };
            viewer.call(move |app, caller| app.terminate_institution(caller, &c, &req).map(drop)).await
        }
    };
    let msg = match action {
        "suspend" => "suspended",
        "restore" => "restored",
        _ => "terminated",
    };
    match result {
        Ok(()) => Ok(see_other(&format!("{}/{code}?msg={msg}", paths::INSTITUTIONS))),
        Err(e) => match refusal(&e) {
            Some(m) => render_show(&viewer, code, &ShowQuery::default(), refused(m, form)).await,
            None => Err(viewer.fail(e)),
        },
    }
}

/// The end of an agreement in words: when, why, and when the institution and its legal
/// representative may apply again.
fn end_zh(e: &crate::service::institutions::AgreementEndView) -> String {
    let bar = |b: &Option<crate::rules::institution::Bar>| match b {
        Some(b) => format!("{} 起（{}）", b.until, b.article),
        None => "不受限制".to_string(),
    };
    format!(
        "{} {}（{}）；重新申请定点：{}；法定代表人等：{}",
        e.on,
        if e.kind == "terminated" { "解除" } else { "终止" },
        e.cause_zh,
        bar(&e.institution_bar),
        bar(&e.legal_representative_bar)
    )
}
