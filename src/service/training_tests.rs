//! 三(三): the annual training test.

use serde::{Deserialize, Serialize};

use super::{person_lock, Action, App, Caller, Touched};
use crate::domain::dates::parse_date;
use crate::error::{Error, Result};
use crate::rules::{self, TestFact, TestFormat};
use crate::store::facts;
use crate::store::DbConn;

/// `POST /training-tests`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewTrainingTest {
    pub personnel_code: String,
    pub tested_on: String,
    pub format: String,
    pub score: Option<serde_json::Value>,
    pub passed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrainingTestView {
    pub id: i64,
    pub personnel_code: String,
    pub tested_on: chrono::NaiveDate,
    pub format: &'static str,
    pub score: Option<i32>,
    pub passed: bool,
    /// The sanctions now in force because of it (a fail terminates, 三(三)).
    pub sanctions: Vec<rules::Sanction>,
    pub article: &'static str,
}

impl App {
    pub fn record_test(&self, caller: &Caller, req: &NewTrainingTest) -> Result<TrainingTestView> {
        caller.permit(Action::RecordTest)?;
        let tested_on = parse_date("tested_on", &req.tested_on)?;
        let format = match req.format.trim() {
            "closed" | "闭卷" => TestFormat::Closed,
            "open" | "开卷" => TestFormat::Open,
            other => {
                return Err(Error::invalid(
                    "invalid_format",
                    "format",
                    format!("format '{other}' is not closed or open"),
                    format!("测试形式 '{other}' 应为 closed（闭卷）或 open（开卷）"),
                ))
            }
        };
        let score = match &req.score {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(
                v.as_i64()
                    .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                    .filter(|s| (0..=1000).contains(s))
                    .map(|s| s as i32)
                    .ok_or_else(|| {
                        Error::invalid(
                            "invalid_score",
                            "score",
                            "score is a whole number 0..1000",
                            "成绩应为0-1000的整数",
                        )
                    })?,
            ),
        };
        let code = req.personnel_code.trim().to_ascii_uppercase();
        let fact = TestFact { id: 0, tested_on, format, score, passed: req.passed };
        self.write(caller, &[person_lock(&code)], |c, touched| self.apply_test(c, touched, &code, &fact))
    }

    /// Checks (三(三): format by age, once a year) and records a test in the caller's write
    /// transaction, which holds the person's lock.
    pub fn apply_test(
        &self,
        c: &mut DbConn,
        touched: &mut Touched,
        code: &str,
        fact: &TestFact,
    ) -> Result<TrainingTestView> {
        let pack = self.packs.in_force(fact.tested_on)?;
        let p = facts::practitioner(c, code)?.ok_or_else(|| Error::not_found("practitioner", "人员"))?;
        let earlier: Vec<TestFact> = facts::practitioner_facts(c, code)?.map(|f| f.tests).unwrap_or_default();
        rules::training::check(pack, p.birth_date, &earlier, fact.tested_on, fact.format)?;
        let id = facts::insert_test(c, code, fact)?;
        touched.fact("training_tests", id);
        let (person, timeline) = self.recompute(c, touched, code)?;
        let sanctions: Vec<rules::Sanction> = timeline
            .sanctions
            .into_iter()
            .filter(|s| s.trigger == rules::timeline::Trigger::TrainingTest && s.decided_on == fact.tested_on)
            .collect();
        if !sanctions.is_empty() {
            self.notify_sanctions(
                c,
                &person,
                &sanctions,
                fact.tested_on,
                "医保支付资格相关人员测试未合格解除服务协议通知书",
            )?;
        }
        Ok(TrainingTestView {
            id,
            personnel_code: code.to_string(),
            tested_on: fact.tested_on,
            format: fact.format.as_str(),
            score: fact.score,
            passed: fact.passed,
            sanctions,
            article: "三(三)",
        })
    }
}
