//! 三(三): the annual training test.

use serde::{Deserialize, Serialize};

use super::{person_lock, Action, App, Caller, Lock, Touched};
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

/// `POST /training-tests/pass-marks`: the pass mark of a year's test (三(三)).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SetPassMark {
    pub year: i32,
    pub mark: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct PassMarkView {
    pub year: i32,
    pub mark: u32,
    /// `false`: the pack's default, the agency has not set this year's.
    pub set_by_agency: bool,
    pub article: &'static str,
}

/// `POST /training-tests/{id}/revoke`: a test recorded wrongly.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RevokeTest {
    pub on: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestRevocationView {
    pub test_id: i64,
    pub personnel_code: String,
    pub revoked_on: chrono::NaiveDate,
    /// The sanctions the test had caused, withdrawn with it.
    pub withdrawn_sanctions: Vec<rules::Sanction>,
    pub article: &'static str,
}

/// The refusal of a result that contradicts its score under the year's pass mark.
pub(crate) fn contradiction(score: f64, passed: bool, mark: u32) -> Option<(String, String)> {
    let passes = score >= f64::from(mark);
    (passes != passed).then(|| {
        let said = if passed { "合格" } else { "不合格" };
        (
            format!(
                "a score of {score} is {} under the pass mark {mark}, but the result says {}",
                if passes { "a pass" } else { "a fail" },
                if passed { "passed" } else { "failed" }
            ),
            format!("成绩{score}分与是否合格（{said}）矛盾（本年度合格分数线{mark}分）"),
        )
    })
}

/// The refusal of a test dated after today: a result not yet sat cannot be recorded.
pub(crate) fn future_test(tested_on: chrono::NaiveDate, today: chrono::NaiveDate) -> Option<(String, String)> {
    (tested_on > today).then(|| {
        (
            format!("the test date {tested_on} is after today ({today})"),
            format!("测试日期{tested_on}晚于今天（{today}），不能记录"),
        )
    })
}

impl App {
    /// The pass mark of `year`: the agency's, or the pack's default until it sets one.
    pub fn pass_mark_of(&self, c: &mut DbConn, year: i32) -> Result<PassMarkView> {
        let set = crate::store::training::pass_mark(c, year)?;
        let default =
            self.packs.in_force_or_first(crate::domain::dates::year_start(year))?.training_test.default_pass_mark;
        Ok(PassMarkView {
            year,
            mark: set.map_or(default, |m| m.max(0) as u32),
            set_by_agency: set.is_some(),
            article: "三(三)",
        })
    }

    /// `GET /training-tests/pass-marks?year=`.
    pub fn pass_mark(&self, caller: &Caller, year: i32) -> Result<PassMarkView> {
        caller.permit(Action::ReadCalendar)?;
        let mut c = self.conn()?;
        self.pass_mark_of(&mut c, year)
    }

    /// `POST /training-tests/pass-marks` (agency, admin): audited; the latest for a year holds.
    pub fn set_pass_mark(&self, caller: &Caller, req: &SetPassMark) -> Result<PassMarkView> {
        caller.permit(Action::RecordTest)?;
        if !(2000..=2100).contains(&req.year) || req.mark == 0 || req.mark > 1000 {
            return Err(Error::invalid(
                "invalid_pass_mark",
                "mark",
                "year is 2000..=2100 and mark 1..=1000",
                "年度应为2000-2100，合格分数线应为1-1000分",
            ));
        }
        self.write(caller, &[Lock::PassMark(req.year)], |c, touched| {
            let id = crate::store::training::insert_pass_mark(c, req.year, req.mark as i32)?;
            touched.fact("pass_marks", id);
            self.pass_mark_of(c, req.year)
        })
    }

    /// `POST /training-tests/{id}/revoke` (agency, admin): the test counts for no date, the
    /// termination a failed test caused is withdrawn (三(三)), the person's institutions get a
    /// written notice, and the corrected result can then be recorded.
    pub fn revoke_test(&self, caller: &Caller, id: i64, req: &RevokeTest) -> Result<TestRevocationView> {
        caller.permit(Action::RecordTest)?;
        let on = parse_date("on", &req.on)?;
        if req.reason.trim().is_empty() {
            return Err(Error::invalid("missing_field", "reason", "reason must not be empty", "撤销理由不能为空"));
        }
        let test = {
            let mut c = self.conn()?;
            crate::store::training::test(&mut c, id)?.ok_or_else(|| Error::not_found("training test", "测试记录"))?
        };
        let code = test.personnel_code.clone();
        self.write(caller, &[person_lock(&code)], |c, touched| {
            if crate::store::training::is_revoked(c, id)? {
                return Err(Error::conflict("already_revoked", "this test is already revoked", "该测试记录已撤销"));
            }
            let before = facts::practitioner_facts(c, &code)?
                .ok_or_else(|| Error::not_found("practitioner", "人员"))
                .and_then(|f| Ok(rules::evaluate(&self.packs, &f)?))?;
            let rev = crate::store::training::insert_test_revocation(c, id, on, req.reason.trim())?;
            touched.fact("test_revocations", rev);
            let (person, timeline) = self.recompute(c, touched, &code)?;
            let withdrawn: Vec<rules::Sanction> =
                before.sanctions.iter().filter(|s| !timeline.sanctions.contains(s)).cloned().collect();
            self.notify_test_revocation(c, &person, &test, &withdrawn, &timeline, on, req.reason.trim())?;
            Ok(TestRevocationView {
                test_id: id,
                personnel_code: code.clone(),
                revoked_on: on,
                withdrawn_sanctions: withdrawn,
                article: "三(三)",
            })
        })
    }

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
        if let Some((en, zh)) = future_test(tested_on, crate::domain::dates::today_china()) {
            return Err(Error::invalid("future_date", "tested_on", en, zh));
        }
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
        // 七: a test sat before the notice came into force is not its 三(三) test.
        let pack = self.packs.scoring(rules::Dated::Test, fact.tested_on)?;
        let p = facts::practitioner(c, code)?.ok_or_else(|| Error::not_found("practitioner", "人员"))?;
        let earlier: Vec<TestFact> = facts::practitioner_facts(c, code)?.map(|f| f.tests).unwrap_or_default();
        rules::training::check(pack, p.birth_date, &earlier, fact.tested_on, fact.format)?;
        if let Some(score) = fact.score {
            let mark = self.pass_mark_of(c, chrono::Datelike::year(&fact.tested_on))?.mark;
            if let Some((en, zh)) = contradiction(f64::from(score), fact.passed, mark) {
                return Err(Error::invalid("result_contradicts_score", "passed", en, zh));
            }
        }
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
