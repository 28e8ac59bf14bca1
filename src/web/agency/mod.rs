//! The agency's pages (`/training-tests`, `/institutions`, `/termination-cases`,
//! `/cascade-cases`) and what they share: the navigation links they add, what the 403 page
//! says they need, their after-a-form messages, the preview of rejected rows, and how a refused
//! form comes back to its page. The admin's own pages are `web/admin_*.rs`.

pub mod cases;
pub mod hearing;
pub mod institution;
pub mod institutions;
pub mod terms;
pub mod training_tests;

use crate::service::tokens::Role;
use crate::sheets::upload::Rejection;

use super::paths;

/// The links these pages add to a role's navigation (before 公开查询).
pub fn nav_links(role: Role) -> &'static [(&'static str, &'static str)] {
    match role {
        Role::Agency => &[
            (paths::TRAINING_TESTS, "培训测试"),
            (paths::INSTITUTIONS, "定点机构"),
            (paths::TERMINATION_CASES, "协议案件"),
        ],
        Role::Officer => &[(paths::INSTITUTIONS, "定点机构"), (paths::TERMINATION_CASES, "协议案件")],
        // The admin's tokens, calendar and audit pages are tabs under 系统管理 (layout.rs).
        Role::Admin => &[(paths::INSTITUTIONS, "定点机构")],
        Role::Hr | Role::Settlement => &[],
    }
}

/// What the 403 page says these pages need; `None` for the other pages.
pub fn need_for(path: &str) -> Option<&'static str> {
    let p = path.trim_end_matches('/');
    Some(if p.starts_with(paths::TRAINING_TESTS) {
        "医保经办机构（agency）或系统管理员（admin）"
    } else if p.starts_with(paths::INSTITUTIONS) {
        "查看：医保经办机构、执法人员（本辖区）、系统管理员，定点医药机构人事只能查看本机构；登记机构、续签或不再续签：经办机构或管理员；中止、恢复、解除协议及告知拟作出的处理决定：经办机构、本辖区执法人员或管理员；陈述申辩：本机构人事或管理员"
    } else if p.starts_with(paths::TERMINATION_CASES) {
        "医保经办机构（agency）、本辖区执法人员（officer）或系统管理员（admin）"
    } else if p.starts_with(paths::CASCADE_CASES) {
        "查看：医保经办机构、本辖区执法人员或系统管理员；作出处理决定：执法人员（officer）或系统管理员（五(三)）"
    } else {
        return None;
    })
}

/// The message shown after one of these pages' forms (`?msg=CODE`): fixed texts only.
pub fn message(code: Option<&str>) -> Option<String> {
    let text = match code? {
        "tests_committed" => "测试结果已写入。",
        "pass_mark_set" => "合格分数线已保存。",
        "test_revoked" => "测试记录已撤销，由此产生的处理已一并撤回，并已通知相关机构。",
        "institution_created" => "定点医药机构已登记。",
        "suspended" => "医保协议已中止，该机构人员的服务协议随之中止。",
        "restored" => "医保协议已恢复，该机构人员的服务协议随之恢复（个人处理期内的除外）。",
        "terminated" => "医保协议已解除，该机构人员的服务协议随之解除。",
        "renewed" => "医保协议已续签，该机构人员的服务协议继续履行。",
        "not_renewed" => "已决定不再续签，医保协议到期终止，该机构人员的服务协议随之终止。",
        "intent_notified" => "已告知拟作出的处理决定，陈述申辩期自次日起计算。",
        "case_stated" => "已记录机构的陈述申辩。",
        "case_decided" => "处理决定已记录。",
        "token_revoked" => "令牌已吊销，使用它的系统将立即被拒绝。",
        "token_already_revoked" => "该令牌此前已吊销。",
        "calendar_uploaded" => "工作日历已上传并生效。",
        _ => return super::flash::message(code),
    };
    Some(text.to_string())
}

/// A rejected row of an upload as the preview shows it: each cell, whether it is the one
/// rejected, and the reasons.
pub struct RejectedLine {
    pub row: String,
    /// (cell, whether it is a rejected one)
    pub cells: Vec<(String, bool)>,
    pub reasons: String,
}

/// The header and the rejected rows of an upload, from the rejected rows' CSV (the file's
/// columns, then 原行号 and 错误原因) and the rejections naming their columns.
pub fn rejected_table(csv_text: Option<&str>, rejections: &[Rejection]) -> (Vec<String>, Vec<RejectedLine>) {
    let mut header = Vec::new();
    let mut lines = Vec::new();
    let Some(text) = csv_text else {
        return (header, lines);
    };
    let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(text.as_bytes());
    let mut records = rdr.records().filter_map(|r| r.ok());
    let Some(h) = records.next() else {
        return (header, lines);
    };
    header = h.iter().map(str::to_string).collect();
    let n = header.len().saturating_sub(2);
    for rec in records {
        let cells: Vec<&str> = rec.iter().collect();
        let row_no = cells.get(n).copied().unwrap_or("").to_string();
        let bad: Vec<&str> =
            rejections.iter().filter(|r| r.row.to_string() == row_no).filter_map(|r| r.column.as_deref()).collect();
        lines.push(RejectedLine {
            cells: (0..n)
                .map(|k| {
                    let name = header.get(k).map(|s| s.trim()).unwrap_or("");
                    (cells.get(k).copied().unwrap_or("").to_string(), bad.contains(&name))
                })
                .collect(),
            reasons: cells.get(n + 1).copied().unwrap_or("").to_string(),
            row: row_no,
        });
    }
    header.truncate(n);
    (header, lines)
}

/// A refusal the person can act on (a wrong date, a missing reason, a conflict) comes back to
/// the page with its reason; anything else is an error page.
pub fn refusal(e: &crate::error::Error) -> Option<String> {
    use crate::error::{Error, Kind};
    match e {
        Error::Client(c) if matches!(c.kind, Kind::Unprocessable | Kind::Conflict | Kind::BadRequest) => {
            Some(c.message_zh.clone())
        }
        _ => None,
    }
}

/// The Chinese name of an institution agreement's status.
pub fn institution_status_zh(s: &str) -> &'static str {
    match s {
        "active" => "正常",
        "suspended" => "中止",
        "terminated" => "解除",
        "expired" => "到期终止",
        "not_started" => "尚未生效",
        "renewal_pending" => "期满顺延（待续签）",
        "awaiting_inspection" => "中止期满待验收",
        _ => "—",
    }
}

/// The badge class of an institution status (the staff badges' colours).
pub fn institution_badge(s: &str) -> &'static str {
    match s {
        "active" => "active",
        "suspended" => "suspended",
        "terminated" => "terminated",
        _ => "unregistered",
    }
}
