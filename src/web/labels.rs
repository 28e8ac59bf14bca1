//! The Chinese words the pages show for the service's values (statuses, kinds, decisions),
//! and the display of dates (YYYY-MM-DD) and empty values.

use chrono::NaiveDate;

use crate::rules::{PersonalStatus, SanctionKind, SiteStatus};

pub fn site_status_zh(s: SiteStatus) -> &'static str {
    match s {
        SiteStatus::Active => "正常",
        SiteStatus::Suspended => "暂停（个人中止）",
        SiteStatus::Terminated => "解除",
        SiteStatus::Banned => "禁止签约期",
        SiteStatus::InstitutionSuspended => "机构协议中止",
        SiteStatus::InstitutionTerminated => "机构协议解除",
        SiteStatus::InstitutionExpired => "机构协议到期",
        SiteStatus::Unregistered => "未登记",
    }
}

pub fn personal_status_zh(s: PersonalStatus) -> &'static str {
    match s {
        PersonalStatus::Active => "正常",
        PersonalStatus::Suspended => "中止（暂停医保支付资格）",
        PersonalStatus::Terminated => "解除（终止医保支付资格）",
        PersonalStatus::Unregistered => "未登记备案",
    }
}

pub fn sanction_zh(k: SanctionKind) -> &'static str {
    match k {
        SanctionKind::Interview => "约谈",
        SanctionKind::Suspension => "中止服务协议",
        SanctionKind::Termination => "解除服务协议",
    }
}

pub fn objection_status_zh(s: &str) -> &'static str {
    match s {
        "filed" => "待经办机构处理",
        "upheld" => "异议成立（已撤销扣分）",
        "rejected" => "经办机构驳回",
        "escalated" => "已向行政部门申请复核",
        "upheld_by_department" => "行政部门认定异议成立",
        "rejected_by_department" => "行政部门驳回（终局）",
        _ => "—",
    }
}

pub fn notice_kind_zh(k: &str) -> &'static str {
    match k {
        "deduction" => "扣分处理",
        "sanction" => "处理决定",
        "revocation" => "撤销扣分",
        "institution_suspend" => "机构协议中止",
        "institution_restore" => "机构协议恢复",
        "institution_terminate" => "机构协议解除",
        "institution_renew" => "机构协议续签",
        "institution_non_renewal" => "机构协议不再续签",
        "institution_inspection" => "机构中止期满验收",
        "objection_decision" => "异议处理决定",
        _ => "通知",
    }
}

/// `YYYY-MM-DD`, or an empty string.
pub fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}
