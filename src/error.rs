//! Which error belongs where (after crates.io's `util/errors.rs`):
//! - `rules` returns [`RuleError`]: the facts break a rule of the pack. The engine knows no
//!   HTTP: what a rule error looks like to the caller is decided here, in
//!   `From<RuleError> for ClientError`.
//! - `store` returns `diesel::result::Error`; it becomes [`Error::Internal`].
//! - `service` and `http` return [`Error`]: a [`ClientError`] is the caller's fault and is shown
//!   to them (code, field, row, English and Chinese); anything else is logged with its cause and
//!   answered as a bare 500 with the request id.
//!
//! The types themselves are in `error/types.rs`, a leaf that imports nothing of the crate:
//! `domain` builds client errors with them and imports only that file, so the conversion from
//! `RuleError` here makes no loop (rules → domain → error::types). This file only adds the
//! conversions from the other layers' errors (`rules`, diesel, the pool).

pub mod types;

pub use types::{ClientError, Error, Kind, Result};

use crate::rules::{RuleError, TestFormat};

impl From<diesel::result::Error> for Error {
    fn from(e: diesel::result::Error) -> Self {
        // SQLite's busy timeout ran out while a large commit held the write lock: the caller may
        // try again; it is never a 500 (the transaction rolled back, nothing was written).
        if let diesel::result::Error::DatabaseError(_, info) = &e {
            let m = info.message();
            // PostgreSQL's lock_timeout (the same wait) ran out behind a large commit.
            if m.contains("database is locked") || m.contains("database table is locked") || m.contains("lock timeout")
            {
                return busy();
            }
        }
        Error::Internal(e.into())
    }
}

impl From<r2d2_error::PoolError> for Error {
    fn from(_: r2d2_error::PoolError) -> Self {
        // Every connection is in use for longer than the pool waits: busy, not broken.
        busy()
    }
}

/// 503 `busy`: answered with `Retry-After`; nothing was written.
pub fn busy() -> Error {
    Error::Client(
        ClientError::new(
            Kind::Unavailable,
            "busy",
            "the database is busy with a large write: nothing was written, send the request again in a few seconds",
            "数据库正忙（正在写入大批数据），本次请求未写入任何内容，请稍后重试",
        )
        .retry_after(5),
    )
}

/// A rule the facts break is the caller's to fix: 422 (409 for a second test in a year), with
/// the stable code and the field it concerns.
impl From<RuleError> for ClientError {
    fn from(e: RuleError) -> Self {
        let unp = |code, en: String, zh: String, field: &str| {
            ClientError::new(Kind::Unprocessable, code, en, zh).field(field)
        };
        match &e {
            RuleError::Pack(m) => unp("invalid_policy", m.clone(), format!("政策包错误：{m}"), "policy"),
            RuleError::NoPolicy(d) => unp(
                "no_policy_in_force",
                e.to_string(),
                format!("{d}没有生效的记分政策"),
                "decided_on",
            ),
            RuleError::UnknownJurisdiction(j) => unp(
                "unknown_jurisdiction",
                e.to_string(),
                format!("没有地区 {j} 的记分政策包"),
                "jurisdiction",
            ),
            RuleError::NotRetroactive { what, date, effective_from, article, text } => unp(
                "not_retroactive",
                e.to_string(),
                format!(
                    "{}{date}早于本通知施行之日（{effective_from}，{article}：{text}），不溯及既往，不予记分",
                    what.zh()
                ),
                what.field(),
            ),
            RuleError::UnknownItem(code, pack) => unp(
                "unknown_item",
                e.to_string(),
                format!("扣分情形 {code} 不在记分目录（{pack}）中"),
                "items",
            ),
            RuleError::NoItems => unp("no_items", e.to_string(), "违规行为至少应列明一项扣分情形".into(), "items"),
            RuleError::PointsOutOfRange(code, p, lo, hi) => unp(
                "points_out_of_range",
                e.to_string(),
                format!("扣分情形 {code} 的分值 {p} 超出 {lo}-{hi} 分"),
                "points",
            ),
            RuleError::PointsRequired(code, lo, hi) => unp(
                "points_required",
                e.to_string(),
                format!("扣分情形 {code} 的分值由经办人员在{lo}-{hi}分内选定，请填写分值"),
                "points",
            ),
            RuleError::PointsFixed(code, p) => unp(
                "points_fixed",
                e.to_string(),
                format!("扣分情形 {code} 的分值固定为{p}分，不能另行选定"),
                "points",
            ),
            RuleError::FormatContradictsAge { age, required, boundary, .. } => unp(
                "format_contradicts_age",
                format!(
                    "the person is {age} on the test date: a {} book test is required (open book from {boundary}, 三(三))",
                    required.as_str()
                ),
                format!(
                    "测试日年龄{age}周岁，应采取{}形式（{boundary}周岁以上含{boundary}周岁开卷，三(三)）",
                    if *required == TestFormat::Open { "开卷" } else { "闭卷" }
                ),
                "format",
            ),
            RuleError::DuplicateTest(y) => ClientError::new(
                Kind::Conflict,
                "duplicate_test",
                format!("a training test is already recorded for this person in {y} (once a year, 三(三))"),
                format!("该人员{y}年度已有测试记录（原则上每年1次，三(三)）"),
            )
            .field("tested_on"),
            RuleError::CalendarMissing(y) => unp(
                "calendar_missing",
                format!("no working-day calendar is loaded for {y}; an admin must upload that year's holidays"),
                format!("未载入{y}年度节假日安排，请管理员上传该年度日历"),
                "date",
            ),
        }
    }
}

impl From<RuleError> for Error {
    fn from(e: RuleError) -> Self {
        Error::Client(e.into())
    }
}

mod r2d2_error {
    pub use diesel::r2d2::PoolError;
}
