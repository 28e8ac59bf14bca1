//! The annual training test (三(三)).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::Q;
use crate::rules::{TestFact, TestFormat};
use crate::store::conn::DbConn;
use crate::store::schema::*;
use crate::store::text_enum::text_enum;

text_enum! {
    /// 考试方式: how the test centre delivered the test. Not its format (闭卷/开卷, derived by
    /// age, 三(三)): any delivery goes with either format.
    pub enum Delivery ("training test delivery") {
        /// 线上
        Online = "online",
        /// 线下
        Offline = "offline",
        /// 笔试
        Paper = "paper",
        /// 机考
        Computer = "computer",
    }
}

impl Delivery {
    /// The test centre's word.
    pub fn zh(self) -> &'static str {
        match self {
            Delivery::Online => "线上",
            Delivery::Offline => "线下",
            Delivery::Paper => "笔试",
            Delivery::Computer => "机考",
        }
    }

    /// The stored string or the test centre's word (网考 is 线上, 现场 线下); `None` for
    /// anything else.
    pub fn read(s: &str) -> Option<Delivery> {
        let s = s.trim();
        Delivery::parse(&s.to_ascii_lowercase()).or(match s {
            "线上" | "网考" | "在线" => Some(Delivery::Online),
            "线下" | "现场" => Some(Delivery::Offline),
            "笔试" | "纸笔" => Some(Delivery::Paper),
            "机考" | "上机" => Some(Delivery::Computer),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, Queryable)]
pub struct TestRow {
    pub id: i64,
    pub personnel_code: String,
    pub tested_on: NaiveDate,
    pub cycle_year: i32,
    pub format: TestFormat,
    /// The exact decimal as text (`"85.5"`); read it with [`score_of`].
    pub score: Option<String>,
    pub passed: bool,
    pub recorded_at: NaiveDateTime,
    /// A re-sit an admin recorded in a year that already had a test, with its reason (三(三)).
    pub retake_reason: Option<String>,
    pub delivery: Option<Delivery>,
}

/// A stored score (三(三)): exact text such as `85.5`; anything else is a read error, never a
/// guess.
pub fn score_of(text: Option<&str>) -> Q<Option<crate::domain::Score>> {
    text.map(|t| {
        crate::domain::Score::parse(t).ok_or_else(|| {
            diesel::result::Error::DeserializationError(format!("training test score {t:?} in the database").into())
        })
    })
    .transpose()
}

pub fn tests_of(conn: &mut DbConn, personnel_code: &str) -> Q<Vec<TestRow>> {
    training_tests::table.filter(training_tests::personnel_code.eq(personnel_code)).order(training_tests::id).load(conn)
}

pub fn insert_test(conn: &mut DbConn, personnel_code: &str, f: &TestFact) -> Q<i64> {
    insert_test_with(conn, personnel_code, f, None, None)
}

/// A test, with the reason of a re-sit an admin allowed (三(三)) and how it was delivered.
pub fn insert_test_with(
    conn: &mut DbConn,
    personnel_code: &str,
    f: &TestFact,
    retake_reason: Option<&str>,
    delivery: Option<Delivery>,
) -> Q<i64> {
    use chrono::Datelike;
    diesel::insert_into(training_tests::table)
        .values((
            training_tests::personnel_code.eq(personnel_code),
            training_tests::tested_on.eq(f.tested_on),
            training_tests::cycle_year.eq(f.tested_on.year()),
            training_tests::format.eq(f.format),
            training_tests::score.eq(f.score.map(|s| s.to_string())),
            training_tests::passed.eq(f.passed),
            training_tests::recorded_at.eq(crate::store::now()),
            training_tests::retake_reason.eq(retake_reason),
            training_tests::delivery.eq(delivery),
        ))
        .returning(training_tests::id)
        .get_result(conn)
}

/// 三(三): an absence from the year's test (缺考).
#[derive(Debug, Clone, Queryable)]
pub struct AbsenceRow {
    pub id: i64,
    pub personnel_code: String,
    pub absent_on: NaiveDate,
    pub cycle_year: i32,
    pub reason: String,
    pub recorded_at: NaiveDateTime,
}

pub fn absences_of(conn: &mut DbConn, personnel_code: &str) -> Q<Vec<AbsenceRow>> {
    training_test_absences::table
        .filter(training_test_absences::personnel_code.eq(personnel_code))
        .order(training_test_absences::id)
        .load(conn)
}

pub fn insert_absence(conn: &mut DbConn, personnel_code: &str, on: NaiveDate, reason: &str) -> Q<i64> {
    use chrono::Datelike;
    diesel::insert_into(training_test_absences::table)
        .values((
            training_test_absences::personnel_code.eq(personnel_code),
            training_test_absences::absent_on.eq(on),
            training_test_absences::cycle_year.eq(on.year()),
            training_test_absences::reason.eq(reason),
            training_test_absences::recorded_at.eq(crate::store::now()),
        ))
        .returning(training_test_absences::id)
        .get_result(conn)
}
