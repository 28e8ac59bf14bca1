//! 三(三): the annual training test — 原则上每年1次: a second test in a year only as a re-sit an
//! admin records with its reason; an absence (缺考) recorded as a fact, never a pass.

use serde::{Deserialize, Serialize};

use super::{person_lock, Action, App, Caller, Lock, Touched};
use crate::domain::dates::parse_date;
use crate::domain::Score;
use crate::error::{Error, Result};
use crate::rules::{self, TestFact, TestFormat};
use crate::store::facts::{self, Delivery};
use crate::store::DbConn;

/// `POST /training-tests`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewTrainingTest {
    pub personnel_code: String,
    #[schema(format = Date)]
    pub tested_on: String,
    pub format: String,
    #[schema(value_type = Option<f64>)]
    pub score: Option<serde_json::Value>,
    pub passed: bool,
    /// 三(三) 原则上每年1次: a second test in the year, allowed by the agency; admin only, with
    /// `retake_reason`.
    #[serde(default)]
    pub retake: bool,
    pub retake_reason: Option<String>,
    /// 考试方式, optional: `online`, `offline`, `paper`, `computer` (or 线上, 线下, 笔试, 机考).
    /// How the test was delivered, not its format.
    #[serde(default)]
    pub delivery: Option<String>,
}

/// `POST /training-tests/absences`: the person did not sit the year's test (缺考).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewAbsence {
    pub personnel_code: String,
    /// The day of the test the person missed.
    #[schema(format = Date)]
    pub absent_on: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AbsenceView {
    pub id: i64,
    pub personnel_code: String,
    pub absent_on: chrono::NaiveDate,
    pub reason: String,
    /// What it means (三(三)): not a pass; the year's test is still to be sat.
    pub explanation: String,
    pub article: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrainingTestView {
    pub id: i64,
    pub personnel_code: String,
    pub tested_on: chrono::NaiveDate,
    pub format: &'static str,
    /// As the test centre gave it (85.5), a JSON number.
    pub score: Option<Score>,
    pub passed: bool,
    /// A re-sit an admin recorded in a year that already had a test, with its reason.
    pub retake_reason: Option<String>,
    /// 考试方式 (`null`: not given).
    pub delivery: Option<Delivery>,
    /// The sanctions now in force because of it (a fail terminates, 三(三)).
    pub sanctions: Vec<rules::Sanction>,
    pub article: &'static str,
}

/// `POST /training-tests/pass-marks`: the pass mark of a year's test (三(三)).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RevokeTest {
    #[schema(format = Date)]
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
pub(crate) fn contradiction(score: Score, passed: bool, mark: u32) -> Option<(String, String)> {
    let passes = score.passes(mark);
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
        let default = self.packs.in_force_or_first(crate::domain::dates::year_start(year))?.default_pass_mark();
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
            // Kept exactly as given: 85.5 is 85.5 (a number, or a string such as "85.5分").
            Some(v) => Some(Score::from_json(v).ok_or_else(|| {
                Error::invalid(
                    "invalid_score",
                    "score",
                    "score is a number from 0 to 1000 with at most 2 decimals",
                    "成绩应为0-1000的数，最多两位小数",
                )
            })?),
        };
        let delivery = match req.delivery.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => Some(Delivery::read(d).ok_or_else(|| {
                Error::invalid(
                    "invalid_delivery",
                    "delivery",
                    format!("delivery '{d}' is online, offline, paper or computer (how the test was delivered)"),
                    format!("考试方式 '{d}' 应为 线上、线下、笔试 或 机考"),
                )
            })?),
        };
        if let Some((en, zh)) = future_test(tested_on, crate::domain::dates::today_china()) {
            return Err(Error::invalid("future_date", "tested_on", en, zh));
        }
        let code = req.personnel_code.trim().to_ascii_uppercase();
        let fact = TestFact { id: 0, tested_on, format, score, passed: req.passed };
        // 三(三) 原则上每年1次: a re-sit is the agency's exception, recorded by an admin with why.
        let retake_reason = if req.retake {
            caller.permit(Action::RecordRetake)?;
            let reason = req.retake_reason.as_deref().map(str::trim).unwrap_or("");
            if reason.is_empty() {
                return Err(Error::invalid(
                    "missing_field",
                    "retake_reason",
                    "a re-sit needs its reason (三(三): once a year in principle)",
                    "补考应写明理由（三(三)：原则上每年1次）",
                ));
            }
            crate::domain::limits::check_note("retake_reason", reason)?;
            Some(reason.to_string())
        } else {
            None
        };
        self.write(caller, &[person_lock(&code)], |c, touched| {
            self.apply_test_with(c, touched, &code, &fact, retake_reason.as_deref(), delivery)
        })
    }

    /// 三(三): the person did not sit the year's test (缺考). Recorded as a fact, shown on the
    /// person's page; never a pass, and — the notice terminating for a fail only — never a
    /// termination: the year's test is still to be sat (it does not use up the year).
    pub fn record_absence(&self, caller: &Caller, req: &NewAbsence) -> Result<AbsenceView> {
        caller.permit(Action::RecordTest)?;
        let on = parse_date("absent_on", &req.absent_on)?;
        crate::domain::limits::check_note("reason", &req.reason)?;
        if let Some((en, zh)) = future_test(on, crate::domain::dates::today_china()) {
            return Err(Error::invalid("future_date", "absent_on", en, zh));
        }
        self.packs.scoring(rules::Dated::Test, on)?;
        let code = req.personnel_code.trim().to_ascii_uppercase();
        self.write(caller, &[person_lock(&code)], |c, touched| {
            self.apply_absence(c, touched, &code, on, req.reason.trim())
        })
    }

    /// Records an absence inside the caller's write transaction, which holds the person's lock.
    pub fn apply_absence(
        &self,
        c: &mut DbConn,
        touched: &mut Touched,
        code: &str,
        on: chrono::NaiveDate,
        reason: &str,
    ) -> Result<AbsenceView> {
        facts::practitioner(c, code)?.ok_or_else(|| Error::not_found("practitioner", "人员"))?;
        let year = chrono::Datelike::year(&on);
        let tests = facts::practitioner_facts(c, code)?.map(|f| f.tests).unwrap_or_default();
        if let Some(t) = tests.iter().find(|t| chrono::Datelike::year(&t.tested_on) == year) {
            return Err(Error::conflict(
                "already_tested",
                format!("a test of {} is recorded for {year}: an absence would contradict it", t.tested_on),
                format!("该人员{year}年度已有{}的测试记录，不能再记为缺考", t.tested_on),
            ));
        }
        if facts::absences_of(c, code)?.iter().any(|a| a.absent_on == on) {
            return Err(Error::conflict(
                "duplicate_absence",
                format!("an absence on {on} is already recorded"),
                format!("{on}的缺考已记录"),
            ));
        }
        let id = facts::insert_absence(c, code, on, reason)?;
        touched.fact("training_test_absences", id);
        Ok(absence_view(id, code, on, reason))
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
        self.apply_test_with(c, touched, code, fact, None, None)
    }

    /// [`App::apply_test`]; `retake_reason`: a re-sit an admin allowed (三(三)), which the
    /// once-a-year rule does not refuse; `delivery`: 考试方式, which any format goes with.
    pub fn apply_test_with(
        &self,
        c: &mut DbConn,
        touched: &mut Touched,
        code: &str,
        fact: &TestFact,
        retake_reason: Option<&str>,
        delivery: Option<Delivery>,
    ) -> Result<TrainingTestView> {
        // 七: a test sat before the notice came into force is not its 三(三) test.
        let pack = self.packs.scoring(rules::Dated::Test, fact.tested_on)?;
        let p = facts::practitioner(c, code)?.ok_or_else(|| Error::not_found("practitioner", "人员"))?;
        let earlier: Vec<TestFact> = facts::practitioner_facts(c, code)?.map(|f| f.tests).unwrap_or_default();
        rules::training::check_retake(
            pack,
            p.birth_date,
            &earlier,
            fact.tested_on,
            fact.format,
            retake_reason.is_some(),
        )?;
        if let Some(score) = fact.score {
            let mark = self.pass_mark_of(c, chrono::Datelike::year(&fact.tested_on))?.mark;
            if let Some((en, zh)) = contradiction(score, fact.passed, mark) {
                return Err(Error::invalid("result_contradicts_score", "passed", en, zh));
            }
        }
        let id = facts::insert_test_with(c, code, fact, retake_reason, delivery)?;
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
            retake_reason: retake_reason.map(str::to_string),
            delivery,
            sanctions,
            article: "三(三)",
        })
    }
}

pub(crate) fn absence_view(id: i64, code: &str, on: chrono::NaiveDate, reason: &str) -> AbsenceView {
    AbsenceView {
        id,
        personnel_code: code.to_string(),
        absent_on: on,
        reason: reason.to_string(),
        explanation: format!("{on}缺考：未参加测试，不视为合格，也不作为测试未合格处理；本年度测试仍须参加（三(三)）"),
        article: "三(三)",
    }
}
