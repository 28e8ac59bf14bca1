//! One roster row (附件1) and what it asks for: its columns, its 操作, its checks.

use chrono::NaiveDate;

use crate::domain::limits;
use crate::domain::{Category, CodeFormats, IdNumber};
use crate::sheets::upload::{from_error, reject, Rejection};
use crate::sheets::{Checked, Column, Record};
use crate::store::facts::RosterDetails;

pub const ROSTER_COLUMNS: &[Column] = &[
    Column { field: "name", names: &["姓名", "name"], required: true },
    Column {
        field: "id_number", names: &["身份证号码", "id_number", "身份证号", "身份证"], required: true
    },
    Column {
        field: "category", names: &["医保支付资格类别", "category", "资格类别", "类别"], required: true
    },
    Column {
        field: "personnel_code", names: &["医保对应代码", "personnel_code", "医保代码", "code"], required: true
    },
    Column {
        field: "practice_registered_on", names: &["注册时间", "registered_on", "注册日期"], required: true
    },
    Column { field: "practice_scope", names: &["执业范围", "practice_scope", "scope"], required: false },
    Column { field: "phone", names: &["联系电话", "phone", "电话"], required: false },
    Column { field: "practice_place", names: &["注册地点", "practice_place", "place"], required: false },
    Column { field: "filed_on", names: &["备案时间", "filed_on", "备案日期"], required: false },
    Column {
        field: "certificate_no", names: &["执业证书编号", "certificate_no", "certificate"], required: false
    },
    // 聊城 第三十四条: a suspension may be limited to one 科室; the staff filed there follow it.
    Column { field: "department", names: &["科室", "department"], required: false },
    Column { field: "operation", names: &["操作", "operation", "action"], required: false },
    Column { field: "deregistered_on", names: &["注销时间", "deregistered_on", "注销日期"], required: false },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Operation {
    Upsert,
    Add,
    Change,
    Deregister,
}

#[derive(Debug, Clone)]
pub(super) struct Row {
    pub row: u64,
    pub op: Operation,
    pub id: IdNumber,
    pub category: Category,
    pub code: String,
    pub details: RosterDetails,
    pub registered_on: NaiveDate,
    pub deregistered_on: Option<NaiveDate>,
    /// A returning staff member whose 备案时间 falls inside the registration that ended: the new
    /// registration starts when the old one ended (set by the planner).
    pub resumed: Option<NaiveDate>,
    /// What was converted or should be looked at, without refusing the row (Excel's harmless
    /// damage, a wrong optional field).
    pub warnings: Vec<Rejection>,
}

pub(super) enum Plan {
    Add,
    Change(Vec<&'static str>),
    Unchanged,
    Deregister(i64, NaiveDate),
}

/// One row of the file, checked on its own (the ledger is the planner's business).
pub(super) fn parse_row(
    formats: &CodeFormats,
    institution: &str,
    rec: &Record,
) -> std::result::Result<Row, Vec<Rejection>> {
    let row = rec.row;
    let mut errs = Vec::new();
    let mut warnings = Vec::new();
    // Excel's damage: a destroyed value rejects the row with a sentence the clerk can act on; a
    // harmless form is converted and reported.
    let mut checked = |field: &str, column: &str, required: bool, warnings: &mut Vec<Rejection>| -> Option<String> {
        let c = rec.check(field);
        match &c {
            Checked::Damaged { code, reason_zh, reason_en } if required => {
                errs.push(reject(row, Some(column), code, reason_en.clone(), reason_zh.clone()));
                return None;
            }
            Checked::Damaged { code, reason_zh, reason_en } => {
                warnings.push(reject(
                    row,
                    Some(column),
                    code,
                    format!("{reason_en} (not recorded)"),
                    format!("{reason_zh}（该项未记录）"),
                ));
                return None;
            }
            Checked::Fixed { note_zh, note_en, .. } => {
                warnings.push(reject(row, Some(column), "converted", note_en.clone(), note_zh.clone()))
            }
            Checked::Warning { note_zh, note_en, .. } => {
                warnings.push(reject(row, Some(column), "check_value", note_en.clone(), note_zh.clone()))
            }
            Checked::Clean(_) => {}
        }
        c.value().map(str::to_string).filter(|v| !v.is_empty())
    };
    let name = checked("name", "姓名", true, &mut warnings).unwrap_or_default();
    let id_text = checked("id_number", "身份证号码", true, &mut warnings);
    let code_text = checked("personnel_code", "医保对应代码", true, &mut warnings);
    let certificate_no = checked("certificate_no", "执业证书编号", false, &mut warnings);
    let phone = checked("phone", "联系电话", false, &mut warnings);
    if name.is_empty() && !errs.iter().any(|e: &Rejection| e.column.as_deref() == Some("姓名")) {
        errs.push(reject(row, Some("姓名"), "missing_field", "姓名 (name) is empty".into(), "姓名不能为空".into()));
    } else if let Err(e) = limits::check_name("姓名", &name) {
        errs.push(from_error(row, "姓名", e));
    }
    for (field, column) in [
        ("practice_scope", "执业范围"),
        ("practice_place", "注册地点"),
        ("certificate_no", "执业证书编号"),
        ("department", "科室"),
    ] {
        if let Some(Err(e)) = rec.get(field).map(|v| limits::check_text(column, v, limits::NAME_MAX_CHARS * 4)) {
            errs.push(from_error(row, column, e));
        }
    }
    let id = match id_text.as_deref() {
        Some(s) => IdNumber::parse("身份证号码", s).map_err(|e| errs.push(from_error(row, "身份证号码", e))).ok(),
        None if errs.iter().any(|e| e.column.as_deref() == Some("身份证号码")) => None,
        None => {
            errs.push(reject(
                row,
                Some("身份证号码"),
                "missing_field",
                "身份证号码 (ID number) is empty".into(),
                "身份证号码不能为空".into(),
            ));
            None
        }
    };
    let category = Category::parse("医保支付资格类别", rec.get("category").unwrap_or(""))
        .map_err(|e| errs.push(from_error(row, "医保支付资格类别", e)))
        .ok();
    let code = category.and_then(|cat| {
        formats
            .personnel_code("医保对应代码", code_text.as_deref().unwrap_or(""), cat)
            .map_err(|e| errs.push(from_error(row, "医保对应代码", e)))
            .ok()
    });
    let mut date = |field: &str, column: &str, required: bool| -> Option<NaiveDate> {
        match rec.date(field) {
            Ok(Some(out)) if !limits::date_in_range(out) => {
                errs.push(reject(
                    row,
                    Some(column),
                    "date_out_of_range",
                    format!("{column}: {out} is outside {}..{}", limits::DATE_MIN, limits::DATE_MAX),
                    format!("{column}：{out} 超出允许范围（{} 至 {}）", limits::DATE_MIN, limits::DATE_MAX),
                ));
                None
            }
            Ok(Some(d)) => Some(d),
            Err(s) => {
                errs.push(reject(
                    row,
                    Some(column),
                    "invalid_date",
                    format!("{column}: '{s}' is not a date (2024-03-01)"),
                    format!("{column}：'{s}' 不是有效日期（如 2024-03-01）"),
                ));
                None
            }
            Ok(None) if required => {
                errs.push(reject(
                    row,
                    Some(column),
                    "missing_field",
                    format!("{column} is empty"),
                    format!("{column}不能为空"),
                ));
                None
            }
            Ok(None) => None,
        }
    };
    let practice_registered_on = date("practice_registered_on", "注册时间", true);
    let filed_on = date("filed_on", "备案时间", false);
    let deregistered_on = date("deregistered_on", "注销时间", false);
    let op = match rec.get("operation") {
        None => Some(Operation::Upsert),
        Some("新增" | "add" | "增加") => Some(Operation::Add),
        Some("变更" | "change" | "修改") => Some(Operation::Change),
        Some("注销" | "deregister" | "remove" | "删除") => Some(Operation::Deregister),
        Some(other) => {
            errs.push(reject(
                row,
                Some("操作"),
                "invalid_operation",
                format!("操作 '{other}' is 新增, 变更 or 注销"),
                format!("操作 '{other}' 应为 新增、变更 或 注销"),
            ));
            None
        }
    };
    // A wrong phone number never blocks a registration: it is left out and the row warned.
    let phone = match phone {
        Some(p) if !p.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ' || c == '+') || p.len() > 20 => {
            warnings.push(reject(
                row,
                Some("联系电话"),
                "invalid_phone",
                "联系电话 is not a phone number (not recorded)".into(),
                "联系电话格式不正确（该项未记录）".into(),
            ));
            None
        }
        p => p,
    };
    match (id, category, code, practice_registered_on, op) {
        (Some(id), Some(category), Some(code), Some(reg_on), Some(op)) if errs.is_empty() => {
            let text = |f: &str| rec.get(f).map(str::to_string);
            Ok(Row {
                row,
                op,
                category,
                code: code.as_str().to_string(),
                registered_on: filed_on.unwrap_or(reg_on),
                deregistered_on,
                resumed: None,
                warnings,
                details: RosterDetails {
                    institution_code: institution.to_string(),
                    personnel_code: code.as_str().to_string(),
                    name,
                    phone,
                    practice_scope: text("practice_scope"),
                    practice_place: text("practice_place"),
                    practice_registered_on: Some(reg_on),
                    filed_on,
                    certificate_no,
                    department: text("department").map(|d| d.trim().to_string()).filter(|d| !d.is_empty()),
                },
                id,
            })
        }
        _ => Err(errs),
    }
}

pub(super) fn changed_fields(old: &RosterDetails, new: &RosterDetails) -> Vec<&'static str> {
    let mut out = Vec::new();
    if old.name != new.name {
        out.push("姓名");
    }
    let pairs: [(&'static str, &Option<String>, &Option<String>); 5] = [
        ("联系电话", &old.phone, &new.phone),
        ("执业范围", &old.practice_scope, &new.practice_scope),
        ("注册地点", &old.practice_place, &new.practice_place),
        ("执业证书编号", &old.certificate_no, &new.certificate_no),
        ("科室", &old.department, &new.department),
    ];
    for (n, a, b) in pairs {
        if a != b {
            out.push(n);
        }
    }
    if old.practice_registered_on != new.practice_registered_on {
        out.push("注册时间");
    }
    if old.filed_on != new.filed_on {
        out.push("备案时间");
    }
    out
}
