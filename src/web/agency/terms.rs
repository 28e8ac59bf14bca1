//! Renew (续签) or decline to renew (不再续签) an agreement from `/institutions/{code}`: the
//! first post asks the service what the decision would do to the staff (`app.term_effect`) and
//! shows it with the confirmation; nothing is written until `confirmed=yes`, which calls the
//! API's use-cases (`app.renew_institution`, `app.refuse_renewal`).

use actix_web::HttpResponse;

use super::institution::{flag, render_show, ChangeForm, Confirm, Extra, ShowQuery};
use super::institutions::opt;
use super::refusal;
use crate::domain::dates::parse_date;
use crate::service::institutions::{NonRenewal, RenewInstitution, TermEffect};
use crate::store::facts::AgreementAction;
use crate::web::errors::PageError;
use crate::web::labels::date;
use crate::web::paths;
use crate::web::render::see_other;
use crate::web::session::Viewer;

/// The effect in words, from the service's figures.
fn effect_text(e: &TermEffect) -> String {
    match (e.new_term, e.ends_on) {
        (Some((start, end)), _) => format!(
            "续签后新协议期为 {} 至 {}，与现协议期（至 {}）连续，不中断。该机构 {} 在册人员 {} 人，他们在本机构的服务协议继续履行（三(四)）；其中 {} 人今日服务协议正常，其余处于中止或解除期内的，不因续签而恢复。",
            date(Some(start)),
            date(Some(end)),
            date(Some(e.term_end)),
            date(Some(e.staff_on)),
            e.staff,
            e.in_force
        ),
        (None, Some(ends)) => format!(
            "医保协议自 {} 起终止（不再续签，{}）。该机构 {} 在册人员 {} 人，他们在本机构的服务协议随之终止（三(四)）；其中 {} 人今日服务协议正常。终止不同于解除：机构可重新申请定点，不受限制。",
            date(Some(ends)),
            e.article,
            date(Some(e.staff_on)),
            e.staff,
            e.in_force
        ),
        _ => String::new(),
    }
}

fn confirm(e: &TermEffect, form: &ChangeForm) -> Confirm {
    let renew = e.action == AgreementAction::Renew;
    let mut fields: Vec<(&'static str, String)> =
        vec![("on", form.on.clone()), ("reason", form.reason.clone()), ("article", form.article.clone())];
    let mut shown = vec![("决定日期", date(Some(e.on)))];
    if renew {
        fields.push(("agreement_end", form.agreement_end.clone()));
        if let Some((start, end)) = e.new_term {
            shown.push(("新协议期", format!("{} 至 {}", date(Some(start)), date(Some(end)))));
        }
    } else {
        fields.push(("requested", form.requested.clone()));
        fields.push(("requested_on", form.requested_on.clone()));
        let article = form.article.trim();
        shown.push(("依据条款", if article.is_empty() { e.article.clone() } else { article.to_string() }));
        if flag(&form.requested) {
            shown.push(("申请", format!("机构申请不再续签（{} 提出）", form.requested_on.trim())));
        }
    }
    let reason = form.reason.trim();
    if !reason.is_empty() {
        shown.push(("理由", reason.to_string()));
    }
    Confirm {
        action: if renew { "renew" } else { "non-renewal" },
        action_zh: if renew { "续签" } else { "不再续签" },
        on: date(Some(e.on)),
        staff: e.staff,
        in_force: e.in_force,
        related: Vec::new(),
        fields,
        shown,
        effect_text: Some(effect_text(e)),
    }
}

/// `POST /institutions/{code}/{renew|non-renewal}` (agency, admins).
pub async fn change(viewer: &Viewer, code: String, action: &str, form: ChangeForm) -> Result<HttpResponse, PageError> {
    let renew = action == "renew";
    let error_for: &'static str = if renew { "renew" } else { "non-renewal" };
    let refused = |m: String, form: ChangeForm| Extra::refused(error_for, m, form);
    if form.confirmed != "yes" {
        let on = match parse_date("on", form.on.trim()) {
            Ok(d) => d,
            Err(e) => {
                let m = refusal(&e).unwrap_or_else(|| "日期无效".into());
                return render_show(viewer, code, &ShowQuery::default(), refused(m, form)).await;
            }
        };
        let end = if renew {
            match parse_date("agreement_end", form.agreement_end.trim()) {
                Ok(d) => Some(d),
                Err(e) => {
                    let m = refusal(&e).unwrap_or_else(|| "日期无效".into());
                    return render_show(viewer, code, &ShowQuery::default(), refused(m, form)).await;
                }
            }
        } else {
            if form.reason.trim().is_empty() {
                return render_show(viewer, code, &ShowQuery::default(), refused("请填写理由。".into(), form)).await;
            }
            None
        };
        let kind = if renew { AgreementAction::Renew } else { AgreementAction::NonRenewal };
        let c = code.clone();
        return match viewer.call(move |app, caller| app.term_effect(caller, &c, kind, on, end)).await {
            Ok(effect) => {
                let confirm = confirm(&effect, &form);
                let extra = Extra { error_for, error: None, form, confirm: Some(confirm) };
                render_show(viewer, code, &ShowQuery::default(), extra).await
            }
            Err(e) => match refusal(&e) {
                Some(m) => render_show(viewer, code, &ShowQuery::default(), refused(m, form)).await,
                None => Err(viewer.fail(e)),
            },
        };
    }
    let c = code.clone();
    let f = form.clone();
    let result = if renew {
        let req = RenewInstitution {
            on: f.on.trim().to_string(),
            agreement_end: f.agreement_end.trim().to_string(),
            reason: opt(&f.reason),
        };
        viewer.call(move |app, caller| app.renew_institution(caller, &c, &req).map(drop)).await
    } else {
        let req = NonRenewal {
            on: f.on.trim().to_string(),
            reason: f.reason.clone(),
            article: opt(&f.article),
            requested: Some(flag(&f.requested)),
            requested_on: opt(&f.requested_on),
        };
        viewer.call(move |app, caller| app.refuse_renewal(caller, &c, &req).map(drop)).await
    };
    let msg = if renew { "renewed" } else { "not_renewed" };
    match result {
        Ok(()) => Ok(see_other(&format!("{}/{code}?msg={msg}", paths::INSTITUTIONS))),
        Err(e) => match refusal(&e) {
            Some(m) => render_show(viewer, code, &ShowQuery::default(), refused(m, form)).await,
            None => Err(viewer.fail(e)),
        },
    }
}
