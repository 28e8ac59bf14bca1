//! The sections of a pack besides its catalogue and bands: cycle, bans, tests, agreements,
//! cascade, watch list, objections, claims screening, notices, institution agreements.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CycleRule {
    pub initial_points: u32,
    pub article: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConsecutiveRule {
    pub min_total: u32,
    pub previous_cycles: u32,
    pub article: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BanRule {
    pub months: u32,
    pub max_months: u32,
    pub article: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingTestRule {
    pub open_book_from_age: i32,
    pub fail_ban_months: u32,
    pub article: String,
    pub text: String,
    /// The pass mark until the agency sets the year's own.
    #[serde(default = "default_pass_mark")]
    pub default_pass_mark: u32,
}

fn default_pass_mark() -> u32 {
    60
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementRule {
    pub term_months: u32,
    pub article: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CascadeRule {
    pub percent: u32,
    pub article: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WatchListRule {
    pub single_points: u32,
    pub deduction_count: u32,
    pub article: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionRule {
    pub working_days: u32,
    pub article: String,
    /// Who decides an objection first (六(一): 属地医保经办机构).
    pub agency: String,
    /// To whom a rejected objection is taken (六(一): 属地医保行政部门).
    pub department: String,
}

/// Claims screening (五(二)): the article each answer cites.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentRule {
    /// Paid; paid as emergency or rescue; refused for a personal suspension, termination or ban.
    pub article: String,
    /// Refused because the institution's own agreement is suspended, terminated or expired.
    pub institution_article: String,
    /// Refused: no registration in force at that institution that day.
    pub unregistered_article: String,
    /// 五(二) 并不得转嫁于参保人员: what every screening answer says of the refused amount.
    pub not_to_insured: String,
    pub not_to_insured_en: String,
    /// Whether emergency and rescue (急诊、抢救) are paid during a suspension or termination;
    /// 济宁 五(二) says so, as does the national guidance (据公开摘要).
    #[serde(default = "yes")]
    pub emergency_exception: bool,
}

fn yes() -> bool {
    true
}

/// The printable written notice (六(一)); its letterhead and signature are the pack's `issuer`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeRule {
    /// The name of the notice itself, cited (in 《》) as the ground of a deduction.
    pub title: String,
    /// The part of the notice deductions are counted under, as the printed notice cites it.
    pub deduction_article: String,
    /// The issuer's prefix of a written notice's number (`{prefix}〔year〕第n号`).
    pub number_prefix: String,
}

/// Institution agreements (聊城, 吉林): how long suspensions may last, when they lead to termination.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InstitutionAgreementRule {
    /// What happens at the end of a term with no renewal decided (聊城 第十九条 extend; 吉林
    /// 第三十九条 end).
    pub on_expiry: crate::rules::institution::OnExpiry,
    pub on_expiry_article: String,
    /// What ends a suspension that ran its course (聊城 第二十九条 continue; 吉林 第四十六条 inspect).
    pub after_suspension: crate::rules::institution::AfterSuspension,
    pub after_suspension_article: String,
    /// `GET /agreements/ending`: agreements whose term ends within this many days.
    pub ending_soon_days: u32,
    pub voluntary_suspension_max_days: u32,
    pub voluntary_article: String,
    pub violation_suspension_max_months: u32,
    pub violation_article: String,
    pub suspensions_before_termination: u32,
    pub termination_article: String,
    pub public_request_article: String,
    /// A suspension, termination or non-renewal the institution asks for takes effect no
    /// earlier than this many months after it asked.
    pub request_notice_months: u32,
    pub request_notice_article: String,
    /// 吉林 第四十九条: a decision names the notice of intent it follows.
    pub statement_required: bool,
    /// Calendar days the institution has to state its case, the day of the notice not counted.
    pub statement_days: u32,
    pub statement_article: String,
    /// 因违法违规被解除协议: years before a new application.
    pub reapply_bar_years: u32,
    pub reapply_article: String,
    /// 因严重违反医保协议约定而被解除协议: years.
    pub breach_bar_years: u32,
    pub breach_article: String,
    /// 以弄虚作假等不正当手段申请定点: years from discovery.
    pub fraud_bar_years: u32,
    pub fraud_article: String,
    pub legal_representative_bar_years: u32,
    pub legal_representative_article: String,
}
