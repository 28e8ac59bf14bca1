//! `/inspections/new`: an officer records an inspection. First the institution (the officer's
//! county; the service decides), then the form: the dates, and for each violation the person
//! (picked from the staff registered there on the inspection date), the catalogue items of the
//! pack in force (grouped by points, narrowed by words of their text), the day of the conduct,
//! a note and the fund's loss. **预览** asks the engine (`app.preview_inspection`) what recording
//! would do — "6 分，暂停 3 个月 至 …" — and shows a confirm form holding exactly what was
//! previewed with a fresh Idempotency-Key: a double click records once. `/inspections/{id}` is
//! the recorded inspection, each deduction with its revocation form (`officer::person::revoke`).
//!
//! Without JavaScript every button posts the whole form and the page comes back with what was
//! typed; with htmx the word filter swaps the violations only.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::super::errors::PageError;
use super::super::labels::{date, sanction_zh};
use super::super::layout::Layout;
use super::super::render::{is_htmx, ok, page, see_other};
use super::super::session::Viewer;
use crate::domain::dates::{parse_date, today_china};
use crate::error::{Error, Kind};
use crate::rules::SanctionKind;
use crate::service::inspections::preview::{InspectionPreview, SanctionPreview};
use crate::service::inspections::{NewInspection, NewViolation};
use crate::service::pages::{ItemText, StaffList};

/// Violation rows the form starts with, and the most it offers.
const SLOTS_DEFAULT: usize = 3;
const SLOTS_MAX: usize = 30;

/// One violation row as typed.
#[derive(Debug, Clone, Default)]
pub struct Slot {
    pub person: String,
    pub items: Vec<String>,
    pub occurred_on: String,
    pub note: String,
    pub fund_loss: String,
}

/// The whole form as typed (repeated `vK_items` fields are why it is read as pairs).
#[derive(Debug, Clone, Default)]
pub struct FormState {
    pub csrf_token: String,
    pub action: String,
    pub institution_code: String,
    pub inspected_on: String,
    pub decided_on: String,
    pub words: String,
    pub slots: Vec<Slot>,
}

impl FormState {
    fn from_pairs(pairs: Vec<(String, String)>) -> FormState {
        let mut f = FormState::default();
        let mut wanted = 0usize;
        for (k, v) in pairs {
            match k.as_str() {
                "csrf_token" => f.csrf_token = v,
                "action" => f.action = v,
                "institution_code" => f.institution_code = v.trim().to_ascii_uppercase(),
                "inspected_on" => f.inspected_on = v.trim().to_string(),
                "decided_on" => f.decided_on = v.trim().to_string(),
                "words" => f.words = v,
                "slots" => wanted = v.trim().parse().unwrap_or(0),
                _ => {
                    let Some((n, field)) = k.strip_prefix('v').and_then(|r| r.split_once('_')) else { continue };
                    let Ok(n) = n.parse::<usize>() else { continue };
                    if n >= SLOTS_MAX {
                        continue;
                    }
                    if f.slots.len() <= n {
                        f.slots.resize(n + 1, Slot::default());
                    }
                    let s = &mut f.slots[n];
                    match field {
                        "person" => s.person = v.trim().to_ascii_uppercase(),
                        "items" => s.items.push(v.trim().to_string()),
                        "occurred_on" => s.occurred_on = v.trim().to_string(),
                        "note" => s.note = v,
                        "fund_loss" => s.fund_loss = v.trim().to_string(),
                        _ => {}
                    }
                }
            }
        }
        let n = wanted.clamp(f.slots.len().max(1), SLOTS_MAX);
        f.slots.resize(n, Slot::default());
        f
    }

    /// The rows that say something, with their row numbers, as the API's body.
    fn request(&self) -> (NewInspection, Vec<usize>) {
        let mut used = Vec::new();
        let mut violations = Vec::new();
        for (k, s) in self.slots.iter().enumerate() {
            if s.person.is_empty() && s.items.is_empty() {
                continue;
            }
            used.push(k);
            violations.push(NewViolation {
                personnel_code: s.person.clone(),
                items: s.items.clone(),
                occurred_on: Some(s.occurred_on.clone()).filter(|o| !o.is_empty()),
                note: s.note.trim().to_string(),
                points: None,
                ban_months: None,
                fund_loss: Some(s.fund_loss.clone()).filter(|f| !f.is_empty()).map(serde_json::Value::String),
            });
        }
        let req = NewInspection {
            institution_code: self.institution_code.clone(),
            inspected_on: self.inspected_on.clone(),
            decided_on: self.decided_on.clone(),
            violations,
        };
        (req, used)
    }
}

pub struct ItemOption {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

pub struct ItemGroup {
    pub label: String,
    pub options: Vec<ItemOption>,
}

pub struct SlotView {
    pub n: usize,
    pub person: String,
    pub groups: Vec<ItemGroup>,
    pub occurred_on: String,
    pub note: String,
    pub fund_loss: String,
    pub error: String,
}

pub struct StaffOption {
    pub code: String,
    pub label: String,
}

pub struct PersonLine {
    pub code: String,
    pub name: String,
    pub total_before: u32,
    /// "6 分，暂停 3 个月 至 2027-03-01".
    pub summary: String,
    pub band: String,
    pub violations: Vec<String>,
    pub sanctions: Vec<String>,
    pub notices: Vec<String>,
}

pub struct PreviewView {
    pub people: Vec<PersonLine>,
    pub year: i32,
    pub numerator_before: u32,
    pub numerator_after: u32,
    pub denominator: u32,
    pub percent_before: String,
    pub percent_after: String,
    /// `<meter>` value after the inspection.
    pub share_after: f64,
    pub reached: bool,
    pub case_opens: bool,
    pub article: String,
    /// What the confirm form records: exactly the previewed body.
    pub inspection_json: String,
    pub idempotency_key: String,
}

#[derive(Template)]
#[template(path = "officer_inspection_form.html")]
struct FormPage {
    layout: Layout,
    institution_code: String,
    institution_name: String,
    inspected_on: String,
    decided_on: String,
    words: String,
    slots: Vec<SlotView>,
    slot_count: usize,
    staff: Vec<StaffOption>,
    staff_date: String,
    error: Option<String>,
    preview: Option<PreviewView>,
}

/// The violations alone: what htmx swaps when the word filter changes.
#[derive(Template)]
#[template(path = "officer_inspection_slots.html")]
struct SlotsPart {
    slots: Vec<SlotView>,
    slot_count: usize,
}

#[derive(Template)]
#[template(path = "officer_inspection_pick.html")]
struct PickPage {
    layout: Layout,
    find: String,
    found: Vec<(String, String)>,
}

#[derive(Deserialize)]
pub struct NewQuery {
    institution: Option<String>,
    q: Option<String>,
    /// A person to start the first row with (from the person page: a corrected deduction).
    person: Option<String>,
}

/// Words of the filter box: an item is shown when its text, code or article holds one of them.
fn words_of(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn groups(catalogue: &[ItemText], selected: &[String], words: &[String]) -> Vec<ItemGroup> {
    let mut points: Vec<u32> = catalogue.iter().map(|i| i.points).collect();
    points.sort_unstable();
    points.dedup();
    points
        .into_iter()
        .map(|p| ItemGroup {
            label: format!("{p} 分"),
            options: catalogue
                .iter()
                .filter(|i| i.points == p)
                .filter(|i| {
                    selected.contains(&i.code)
                        || words.is_empty()
                        || words
                            .iter()
                            .any(|w| i.text.contains(w.as_str()) || i.code == *w || i.article.contains(w.as_str()))
                })
                .map(|i| ItemOption {
                    code: i.code.clone(),
                    label: format!("{} {}（{}）", i.code, i.text, i.article),
                    selected: selected.contains(&i.code),
                })
                .collect(),
        })
        .filter(|g| !g.options.is_empty())
        .collect()
}

fn slot_views(f: &FormState, catalogue: &[ItemText], errors: &[(usize, String)]) -> Vec<SlotView> {
    let words = words_of(&f.words);
    f.slots
        .iter()
        .enumerate()
        .map(|(n, s)| SlotView {
            n,
            person: s.person.clone(),
            groups: groups(catalogue, &s.items, &words),
            occurred_on: s.occurred_on.clone(),
            note: s.note.clone(),
            fund_loss: s.fund_loss.clone(),
            error: errors.iter().find(|(k, _)| *k == n).map(|(_, m)| m.clone()).unwrap_or_default(),
        })
        .collect()
}

/// "6 分，暂停 3 个月 至 2027-03-01": the total after, then what it causes.
pub fn summary(total: u32, sanctions: &[SanctionPreview]) -> String {
    if sanctions.is_empty() {
        return format!("{total} 分，无新的处理");
    }
    let parts: Vec<String> = sanctions.iter().map(sanction_text).collect();
    format!("{total} 分，{}", parts.join("；"))
}

pub fn sanction_text(s: &SanctionPreview) -> String {
    match s.kind {
        SanctionKind::Interview => "约谈".to_string(),
        SanctionKind::Suspension => format!(
            "暂停 {} 个月 至 {}（当日恢复）",
            s.months.unwrap_or(0),
            s.ends_on.map(|d| d.to_string()).unwrap_or_default()
        ),
        SanctionKind::Termination => {
            format!("解除服务协议，禁止签约至 {}", s.ban_until.map(|d| d.to_string()).unwrap_or_default())
        }
    }
}

fn percent(num: u32, den: u32) -> String {
    if den == 0 {
        "0.0".into()
    } else {
        format!("{:.1}", f64::from(num) * 100.0 / f64::from(den))
    }
}

fn preview_view(p: &InspectionPreview, req: &NewInspection, catalogue: &[ItemText]) -> PreviewView {
    let text_of = |code: &str| catalogue.iter().find(|i| i.code == code).map_or("", |i| i.text.as_str());
    let people = p
        .people
        .iter()
        .map(|x| PersonLine {
            code: x.personnel_code.clone(),
            name: x.name.clone(),
            total_before: x.total_before,
            summary: summary(x.total_after, &x.sanctions),
            band: match &x.band {
                Some(b) => format!(
                    "{}{}：{}（{}）",
                    b.min,
                    b.max.map(|m| format!("–{m} 分")).unwrap_or_else(|| " 分以上".into()),
                    sanction_zh(b.sanction),
                    b.article
                ),
                None => "未达到处理分值".into(),
            },
            violations: x
                .violations
                .iter()
                .map(|v| {
                    let items: Vec<String> = v.items.iter().map(|i| format!("{i} {}", text_of(i))).collect();
                    format!("{}：扣 {} 分（{}）", items.join("、"), v.points, v.article)
                })
                .collect(),
            sanctions: x
                .sanctions
                .iter()
                .map(|s| format!("{}：{}（{}）", sanction_zh(s.kind), s.explanation_zh, s.article))
                .collect(),
            notices: x
                .notices
                .iter()
                .map(|n| match n.objection_deadline {
                    Some(d) => format!("{} 致 {}（异议复核截止 {d}）", n.title, n.institution_code),
                    None => format!("{} 致 {}", n.title, n.institution_code),
                })
                .collect(),
        })
        .collect();
    let (b, a) = (&p.cascade_before, &p.cascade_after);
    PreviewView {
        people,
        year: a.cycle_year,
        numerator_before: b.numerator,
        numerator_after: a.numerator,
        denominator: a.denominator,
        percent_before: percent(b.numerator, b.denominator),
        percent_after: percent(a.numerator, a.denominator),
        share_after: if a.denominator == 0 { 0.0 } else { f64::from(a.numerator) / f64::from(a.denominator) },
        reached: a.threshold_reached,
        case_opens: p.cascade_case_opens,
        article: a.article.clone(),
        inspection_json: serde_json::to_string(req).unwrap_or_default(),
        idempotency_key: format!("web-{}", crate::service::sessions::random_secret()),
    }
}

/// Where a service error points: the row of `violations[k]`, or the form.
fn error_rows(e: &crate::error::ClientError, used: &[usize]) -> Vec<(usize, String)> {
    let Some(field) = e.field.as_deref() else { return Vec::new() };
    let Some(k) =
        field.strip_prefix("violations[").and_then(|r| r.split(']').next()).and_then(|k| k.parse::<usize>().ok())
    else {
        return Vec::new();
    };
    used.get(k).map(|&n| vec![(n, e.message_zh.clone())]).unwrap_or_default()
}

struct Rendered {
    status: StatusCode,
    error: Option<String>,
    row_errors: Vec<(usize, String)>,
    preview: Option<(InspectionPreview, NewInspection)>,
}

async fn render(viewer: &Viewer, req: &HttpRequest, f: FormState, r: Rendered) -> Result<HttpResponse, PageError> {
    let today = today_china();
    let on = parse_date("inspected_on", &f.inspected_on).unwrap_or(today);
    let decided = parse_date("decided_on", &f.decided_on).unwrap_or(on);
    let inst = f.institution_code.clone();
    let (staff, catalogue): (StaffList, Vec<ItemText>) = viewer
        .call(move |app, caller| Ok((app.staff(caller, &inst, on)?, app.catalogue(caller, decided)?)))
        .await
        .map_err(|e| viewer.fail(e))?;
    let slots = slot_views(&f, &catalogue, &r.row_errors);
    if is_htmx(req) && r.status == StatusCode::OK && f.action == "filter" {
        return Ok(ok(&SlotsPart { slot_count: slots.len(), slots }));
    }
    let preview = r.preview.as_ref().map(|(p, body)| preview_view(p, body, &catalogue));
    let p = FormPage {
        layout: viewer.layout(format!("录入检查 · {}", staff.institution_name)),
        institution_code: staff.institution_code.clone(),
        institution_name: staff.institution_name.clone(),
        inspected_on: date(Some(on)),
        decided_on: date(Some(decided)),
        words: f.words.clone(),
        slot_count: slots.len(),
        slots,
        staff: staff
            .members
            .iter()
            .map(|m| StaffOption {
                code: m.personnel_code.clone(),
                label: format!("{}（{}，{}）", m.name, m.category_zh, super::super::labels::site_status_zh(m.status)),
            })
            .collect(),
        staff_date: date(Some(on)),
        error: r.error,
        preview,
    };
    Ok(page(r.status, &p))
}

/// `GET /inspections/new?institution=&person=`: the institution picker, or the empty form.
pub async fn new(viewer: Viewer, req: HttpRequest, q: web::Query<NewQuery>) -> Result<HttpResponse, PageError> {
    let q = q.into_inner();
    let Some(institution) = q.institution.map(|s| s.trim().to_ascii_uppercase()).filter(|s| !s.is_empty()) else {
        let find = q.q.clone().unwrap_or_default();
        let term = find.clone();
        let found = viewer
            .call(move |app, caller| {
                caller.permit(crate::service::Action::RecordInspection)?;
                app.find_institutions(caller, &term)
            })
            .await
            .map_err(|e| viewer.fail(e))?;
        return Ok(ok(&PickPage { layout: viewer.layout("录入检查：选择机构"), find, found }));
    };
    let today = date(Some(today_china()));
    let mut slots = vec![Slot::default(); SLOTS_DEFAULT];
    if let Some(p) = q.person.map(|p| p.trim().to_ascii_uppercase()).filter(|p| !p.is_empty()) {
        slots[0].person = p;
    }
    let f = FormState {
        institution_code: institution,
        inspected_on: today.clone(),
        decided_on: today,
        slots,
        ..FormState::default()
    };
    render(&viewer, &req, f, Rendered { status: StatusCode::OK, error: None, row_errors: Vec::new(), preview: None })
        .await
}

/// `POST /inspections/new`: the form back with what was typed — filtered (`action=filter`),
/// with one more row (`add`), or with the engine's preview (`preview`).
pub async fn submit(
    viewer: Viewer,
    req: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let mut f = FormState::from_pairs(form.into_inner());
    viewer.check_csrf(&f.csrf_token)?;
    match f.action.as_str() {
        "add" => {
            let n = (f.slots.len() + 1).min(SLOTS_MAX);
            f.slots.resize(n, Slot::default());
        }
        "preview" => {
            let (body, used) = f.request();
            let asked = body.clone();
            let result = viewer.call(move |app, caller| app.preview_inspection(caller, &asked)).await;
            let r = match result {
                Ok(p) => {
                    Rendered { status: StatusCode::OK, error: None, row_errors: Vec::new(), preview: Some((p, body)) }
                }
                Err(Error::Client(c)) if matches!(c.kind, Kind::Unprocessable | Kind::BadRequest | Kind::Conflict) => {
                    Rendered {
                        status: StatusCode::UNPROCESSABLE_ENTITY,
                        row_errors: error_rows(&c, &used),
                        error: Some(c.message_zh.clone()),
                        preview: None,
                    }
                }
                Err(e) => return Err(viewer.fail(e)),
            };
            return render(&viewer, &req, f, r).await;
        }
        _ => {}
    }
    render(&viewer, &req, f, Rendered { status: StatusCode::OK, error: None, row_errors: Vec::new(), preview: None })
        .await
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    inspection: String,
}

/// `POST /inspections`: records exactly what was previewed, under the form's Idempotency-Key
/// (a second click replays the first answer), then shows the recorded inspection.
pub async fn confirm(viewer: Viewer, form: web::Form<ConfirmForm>) -> Result<HttpResponse, PageError> {
    viewer.check_csrf(&form.csrf_token)?;
    let form = form.into_inner();
    let key = form.idempotency_key.trim().to_string();
    if key.is_empty() || key.len() > 200 {
        return Err(viewer.fail(Error::invalid(
            "invalid_idempotency_key",
            "idempotency_key",
            "the form has no Idempotency-Key",
            "表单缺少幂等键，请重新预览后确认",
        )));
    }
    let body: NewInspection = crate::http::json_body(form.inspection.as_bytes()).map_err(|e| viewer.fail(e))?;
    let result = viewer
        .call(move |app, caller| app.record_inspection(caller, Some(&key), &body))
        .await
        .map_err(|e| viewer.fail(e))?;
    Ok(see_other(&format!("/inspections/{}", result.inspection_id)))
}

pub struct RecordedLine {
    pub code: String,
    pub name: String,
    pub items: String,
    pub points: u32,
    pub total: u32,
    pub deduction_id: i64,
    /// 已撤销 with its date and reason; empty while it counts (then the revoke form is offered).
    pub revoked: String,
}

pub struct RecordedSanction {
    pub code: String,
    pub name: String,
    pub text: String,
    pub article: String,
}

#[derive(Template)]
#[template(path = "officer_inspection.html")]
struct RecordedPage {
    layout: Layout,
    id: i64,
    institution_code: String,
    institution_name: String,
    inspected_on: String,
    decided_on: String,
    lines: Vec<RecordedLine>,
    sanctions: Vec<RecordedSanction>,
    today: String,
}

/// `GET /inspections/{id}`: the recorded inspection, its deductions and the sanctions it caused.
pub async fn show(viewer: Viewer, path: web::Path<String>) -> Result<HttpResponse, PageError> {
    let Ok(id) = path.into_inner().parse::<i64>() else {
        return Err(PageError::not_found(viewer.layout("未找到")));
    };
    let (rec, catalogue) = viewer
        .call(move |app, caller| {
            let rec = app.inspection_result(caller, id)?;
            let catalogue = app.catalogue(caller, rec.result.decided_on)?;
            Ok((rec, catalogue))
        })
        .await
        .map_err(|e| viewer.fail(e))?;
    let name = |code: &str| rec.names.get(code).cloned().unwrap_or_default();
    let text_of = |code: &str| catalogue.iter().find(|i| i.code == code).map_or("", |i| i.text.as_str());
    let r = &rec.result;
    let page = RecordedPage {
        layout: viewer.layout(format!("检查 {id}")),
        id,
        institution_code: r.institution_code.clone(),
        institution_name: rec.institution_name.clone(),
        inspected_on: date(Some(r.inspected_on)),
        decided_on: date(Some(r.decided_on)),
        today: date(Some(today_china())),
        lines: r
            .violations
            .iter()
            .map(|v| RecordedLine {
                code: v.personnel_code.clone(),
                name: name(&v.personnel_code),
                items: v.items.iter().map(|i| format!("{i} {}", text_of(i))).collect::<Vec<_>>().join("；"),
                points: v.points,
                total: v.cycle_total,
                deduction_id: v.deduction_id,
                revoked: rec
                    .revocations
                    .get(&v.deduction_id)
                    .map(|r| format!("{} 已撤销：{}", date(Some(r.revoked_on)), r.reason))
                    .unwrap_or_default(),
            })
            .collect(),
        sanctions: r
            .sanctions
            .iter()
            .map(|s| RecordedSanction {
                code: s.personnel_code.clone(),
                name: name(&s.personnel_code),
                text: summary(s.sanction.total, &[SanctionPreview::of(&s.sanction)]),
                article: s.sanction.article.clone(),
            })
            .collect(),
    };
    Ok(ok(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_is_read_row_by_row() {
        let pairs = vec![
            ("csrf_token".to_string(), "t".to_string()),
            ("institution_code".into(), "h37081100001".into()),
            ("v1_person".into(), "d370811000002".into()),
            ("v1_items".into(), "1.1".into()),
            ("v1_items".into(), "6.4".into()),
            ("slots".into(), "3".into()),
        ];
        let f = FormState::from_pairs(pairs);
        assert_eq!(f.slots.len(), 3);
        assert_eq!(f.institution_code, "H37081100001");
        let (req, used) = f.request();
        assert_eq!(used, vec![1]);
        assert_eq!(req.violations[0].personnel_code, "D370811000002");
        assert_eq!(req.violations[0].items, vec!["1.1", "6.4"]);
    }

    #[test]
    fn words_narrow_the_catalogue_but_keep_what_is_picked() {
        let cat = vec![
            ItemText {
                code: "1.1".into(), text: "分解住院、挂床住院".into(), article: "四(一)1".into(), points: 1
            },
            ItemText { code: "1.4".into(), text: "串换药品".into(), article: "四(一)4".into(), points: 1 },
            ItemText { code: "6.4".into(), text: "借用医保代码".into(), article: "四(三)4".into(), points: 6 },
        ];
        let g = groups(&cat, &["6.4".to_string()], &words_of("串换 挂床"));
        let codes: Vec<&str> = g.iter().flat_map(|g| g.options.iter().map(|o| o.code.as_str())).collect();
        assert_eq!(codes, vec!["1.1", "1.4", "6.4"]);
        let g = groups(&cat, &[], &words_of("串换"));
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].options[0].code, "1.4");
    }
}
