//! 三(三): a person's training tests and absences, year by year (`GET
//! /practitioners/{code}/training-tests`), with what each year's result means.

use serde::Serialize;

use super::training_tests::absence_view;
use super::training_tests::AbsenceView;
use super::{Action, App, Caller};
use crate::domain::Score;
use crate::error::{Error, Result};
use crate::rules;
use crate::store::facts::{self, Delivery};

/// A person's training tests and absences (三(三)), by year.
#[derive(Debug, Clone, Serialize)]
pub struct TrainingRecord {
    pub personnel_code: String,
    pub years: Vec<TrainingYear>,
    pub article: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrainingYear {
    pub year: i32,
    pub result: rules::training::YearResult,
    pub explanation: String,
    pub tests: Vec<TrainingTestLine>,
    pub absences: Vec<AbsenceView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrainingTestLine {
    pub id: i64,
    pub tested_on: chrono::NaiveDate,
    pub format: &'static str,
    /// As the test centre gave it (85.5), a JSON number.
    pub score: Option<Score>,
    pub passed: bool,
    /// A re-sit an admin recorded, with its reason.
    pub retake_reason: Option<String>,
    /// 考试方式 (`null`: not given).
    pub delivery: Option<Delivery>,
    pub revoked: bool,
}

impl App {
    /// `GET /practitioners/{code}/training-tests`: every year's tests and absences (三(三)).
    pub fn training_record(&self, caller: &Caller, code: &str) -> Result<TrainingRecord> {
        let code = code.trim().to_ascii_uppercase();
        caller.require_person(Action::ReadPractitioner, &self.sites_of(&code)?)?;
        let mut c = self.conn()?;
        let f = facts::practitioner_facts(&mut c, &code)?.ok_or_else(|| Error::not_found("practitioner", "人员"))?;
        let rows = facts::tests_of(&mut c, &code)?;
        let scores = rows
            .iter()
            .map(|t| Ok((t.id, facts::score_of(t.score.as_deref())?)))
            .collect::<Result<std::collections::HashMap<i64, Option<Score>>>>()?;
        let revoked: std::collections::HashSet<i64> =
            crate::store::training::revoked_tests_of(&mut c, &code)?.into_iter().collect();
        let absences = facts::absences_of(&mut c, &code)?;
        let mut years: Vec<i32> =
            rows.iter().map(|t| t.cycle_year).chain(absences.iter().map(|a| a.cycle_year)).collect();
        years.sort_unstable();
        years.dedup();
        let absent_days: Vec<chrono::NaiveDate> = absences.iter().map(|a| a.absent_on).collect();
        let years = years
            .into_iter()
            .rev()
            .map(|year| {
                let result = rules::training::year_result(&f.tests, &absent_days, year);
                TrainingYear {
                    year,
                    result,
                    explanation: year_explanation(year, result),
                    tests: rows
                        .iter()
                        .filter(|t| t.cycle_year == year)
                        .map(|t| TrainingTestLine {
                            id: t.id,
                            tested_on: t.tested_on,
                            format: t.format.as_str(),
                            score: scores.get(&t.id).copied().flatten(),
                            passed: t.passed,
                            retake_reason: t.retake_reason.clone(),
                            delivery: t.delivery,
                            revoked: revoked.contains(&t.id),
                        })
                        .collect(),
                    absences: absences
                        .iter()
                        .filter(|a| a.cycle_year == year)
                        .map(|a| absence_view(a.id, &code, a.absent_on, &a.reason))
                        .collect(),
                }
            })
            .collect();
        Ok(TrainingRecord { personnel_code: code, years, article: "三(三)" })
    }
}

fn year_explanation(year: i32, result: rules::training::YearResult) -> String {
    use rules::training::YearResult::*;
    match result {
        Passed => format!("{year}年度医保政策法规培训测试合格（三(三)）"),
        Failed => format!("{year}年度测试未合格：解除服务协议，1年内不再与其签订服务协议（三(三)）"),
        Absent => format!("{year}年度缺考：未参加测试，不视为合格；本年度测试仍须参加（三(三)）"),
        NotTested => format!("{year}年度尚无测试记录（三(三)）"),
    }
}
