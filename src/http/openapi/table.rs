//! One documentation entry per route of `routes::ROUTES`, in the same order (see `ops.rs`).

use super::ops::{delete, get, post, Answer, Op, XLS, XLSX};
use crate::http::eligibility::MissingLines as EligibilityCheck;
use crate::http::interview_orders::RecordBody as RecordInterview;
use crate::http::{
    audit, calendar, changes, exports, institutions, interview_orders, notices, practitioners, public, registrations,
    rosters, settings, stats, training_tests, watch_list, BatchQuery,
};
use crate::service::inspections::{NewInspection, RevokeDeduction};
use crate::service::institutions::{
    DecideCascade, InspectionResult, NewInstitution, NewIntent, NewStatement, NonRenewal, RenewInstitution,
    RestoreInstitution, SuspendInstitution, TerminateInstitution,
};
use crate::service::jurisdiction::SetJurisdiction;
use crate::service::objections::{DecideEscalation, DecideObjection, EscalateObjection, NewObjection};
use crate::service::receipts::{AcknowledgeNotice, SetDeliveryAllowance};
use crate::service::registrations::NewRegistration;
use crate::service::training_tests::{NewAbsence, NewTrainingTest, RevokeTest, SetPassMark};

/// What an upload may be (a browser's multipart form around one of them is read too).
const SHEETS: &[&str] = &["text/csv", "text/tab-separated-values", XLSX, XLS, "application/octet-stream"];

/// Every route's entry, in the order of `routes.rs`.
pub fn all() -> Vec<Op> {
    vec![
        get("/metrics", "Prometheus metrics")
            .about("Labels are bounded: an unknown method is OTHER, a path of no route is unmatched.")
            .answers(Answer::Text),
        get("/api/v1/healthz", "Liveness"),
        get("/api/v1/metrics", "Prometheus metrics")
            .about("Labels are bounded: an unknown method is OTHER, a path of no route is unmatched.")
            .answers(Answer::Text),
        get("/api/v1/openapi.json", "This document"),
        post("/api/v1/institutions", "Create an institution and its agreement")
            .created()
            .about("409 reapplication_barred (聊城 第十条(五)–(八); 吉林 第十七条、第二十一条) naming the article and the day the bar ends.")
            .json::<NewInstitution>()
            .link("institution", "GET", "/api/v1/institutions/{code}", &[("code", "$response.body#/code")])
            .link("cascade", "GET", "/api/v1/institutions/{code}/cascade", &[("code", "$response.body#/code")])
            .link("intents", "GET", "/api/v1/institutions/{code}/agreement/intents", &[("code", "$response.body#/code")])
            .link("suspend", "POST", "/api/v1/institutions/{code}/agreement/suspend", &[("code", "$response.body#/code")])
            .link("notify_intent", "POST", "/api/v1/institutions/{code}/agreement/intents", &[("code", "$response.body#/code")])
            .link("roster", "GET", "/api/v1/institutions/{code}/roster.csv", &[("code", "$response.body#/code")])
            .link("public", "GET", "/api/v1/public/institutions/{code}", &[("code", "$response.body#/code")])
            .refuses(&["invalid_institution_code", "invalid_kind", "invalid_date", "invalid_period", "invalid_region", "already_exists", "reapplication_barred", "control_character"]),
        get("/api/v1/institutions/{code}", "An institution and its agreement history as of a date")
            .query::<institutions::DateQuery>(),
        post("/api/v1/institutions/{code}/agreement/suspend", "Suspend the agreement (三(四)): staff follow")
            .json::<SuspendInstitution>(),
        post("/api/v1/institutions/{code}/agreement/restore", "Restore the agreement")
            .json::<RestoreInstitution>(),
        post("/api/v1/institutions/{code}/agreement/terminate", "Terminate the agreement: staff agreements there terminated")
            .json::<TerminateInstitution>(),
        post("/api/v1/institutions/{code}/agreement/renew", "Renew an institution agreement (续签, 聊城 第十九条)")
            .about("A new term from the day after the current one to agreement_end. 409 not_renewed after a non-renewal; 409 agreement_ended once terminated or ended (the institution applies again). During the extension (renewal_pending) the new term starts the day after the old one, so no day is lost.")
            .json::<RenewInstitution>(),
        post("/api/v1/institutions/{code}/agreement/non-renewal", "Decide not to renew an institution agreement (不再续签)")
            .about("The agreement ends (终止) with its term, or — decided during the extension — that day; an ending gives no re-application bar. A written notice.")
            .json::<NonRenewal>(),
        post("/api/v1/institutions/{code}/agreement/inspection-result", "The inspection (验收) after a suspension (吉林 第四十六条)")
            .about("Where the rules in force say after_suspension = inspect, a suspension that ran its course leaves the institution awaiting_inspection (staff not paid) until this result: passed, the agreement continues from `on`; failed, it is terminated (cause breach; a notice of intent first, 吉林 第四十九条). Under continue (济宁: 聊城 第二十九条) 409 no_inspection_required. 409 not_awaiting_inspection.")
            .json::<InspectionResult>(),
        get("/api/v1/institutions/{code}/agreement/intents", "The notices of intent to an institution, with statements and decisions"),
        post("/api/v1/institutions/{code}/agreement/intents", "Tell the institution an intended decision (吉林 第四十九条)")
            .created()
            .about("action suspend | terminate (department for one 科室), facts, basis, notified_on. The institution has 7 calendar days (the day of the notice not counted) to state its case; a suspension or termination the agency decides names this notice (intent_id) and is dated no earlier than the 8th day unless the institution waived them.")
            .json::<NewIntent>()
            .link("statement", "POST", "/api/v1/institutions/{code}/agreement/intents/{id}/statement", &[("code", "$request.path.code"), ("id", "$response.body#/id")]),
        post("/api/v1/institutions/{code}/agreement/intents/{id}/statement", "The institution states its case (陈述申辩) or waives its 7 days")
            .created()
            .about("Once; from the notice's day to the 7th day after it (422 statement_late after).")
            .json::<NewStatement>(),
        get("/api/v1/agreements/ending", "Agreements whose term ends soon")
            .about("Terms ending within `days` (the pack's ending_soon_days, 60) of `date`, and those past their term awaiting the decision (renewal_pending), soonest first; not renewed or ended ones are left out.")
            .query::<institutions::EndingQuery>(),
        get("/api/v1/institutions/{code}/cascade", "30 % figures (五(三))")
            .query::<institutions::YearQuery>(),
        get("/api/v1/institutions/{code}/roster.csv", "An institution's roster with status and cycle total, as CSV")
            .query::<exports::ExportQuery>()
            .answers(Answer::Table),
        get("/api/v1/institutions/{code}/roster.xlsx", "The staff list as .xlsx")
            .about("ID numbers and codes are text cells, the header frozen. Same as roster.csv?format=xlsx. The read is audited.")
            .query::<exports::ExportQuery>()
            .answers(Answer::Xlsx),
        get("/api/v1/exports/status-list.csv", "Suspended and terminated practitioners on a date (masked), as CSV")
            .query::<exports::ExportQuery>()
            .answers(Answer::Table),
        get("/api/v1/exports/status-list.xlsx", "The status list as .xlsx")
            .about("Same as status-list.csv?format=xlsx.")
            .query::<exports::ExportQuery>()
            .answers(Answer::Xlsx),
        get("/api/v1/exports/status-list.json", "The status list as JSON, with the feed's head_seq to follow from")
            .about("Every practitioner refused or limited on the date (suspended, terminated, banned, staff of a suspended or terminated institution): institution, status, period, cause and article. ETag and Last-Modified; 304 to If-None-Match / If-Modified-Since. Masked except for officers and the holder's institution.")
            .query::<exports::ExportQuery>(),
        get("/api/v1/exports/institution-status-list.csv", "Institutions refused on a date, as CSV")
            .query::<exports::ExportQuery>()
            .answers(Answer::Table),
        get("/api/v1/exports/institution-status-list.json", "Institutions refused on a date, as JSON")
            .query::<exports::ExportQuery>(),
        get("/api/v1/exports/institution-status-list.xlsx", "Institutions refused on a date, as .xlsx")
            .query::<exports::ExportQuery>()
            .answers(Answer::Xlsx),
        get("/api/v1/changes", "The change feed: each key's complete new timeline, in commit order")
            .about("Items after `after` (dense numbers in commit order on both databases); `wait` holds an empty answer until a change commits. A consumer replaces what it holds for each key.")
            .query::<changes::ChangesQuery>(),
        get("/api/v1/rosters/template.xlsx", "The blank 附件1 roster template")
            .about("The columns in order with a note on each, ID and code columns formatted as text, drop-downs for 医保支付资格类别 and 操作.")
            .answers(Answer::Xlsx),
        post("/api/v1/registrations", "Register a practitioner at an institution (登记备案)")
            .created()
            .json::<NewRegistration>()
            .link("status", "GET", "/api/v1/practitioners/{code}/status", &[("code", "$response.body#/personnel_code")])
            .link("ledger", "GET", "/api/v1/practitioners/{code}/ledger", &[("code", "$response.body#/personnel_code")])
            .link("deregister", "DELETE", "/api/v1/registrations/{institution_code}/{personnel_code}", &[("institution_code", "$response.body#/institution_code"), ("personnel_code", "$response.body#/personnel_code")])
            .refuses(&["invalid_personnel_code", "invalid_id_number", "invalid_category", "invalid_date", "category_mismatch", "unknown_institution", "already_registered", "code_held_by_another"]),
        delete("/api/v1/registrations/{institution_code}/{personnel_code}", "Deregister (注销) from a date")
            .query::<registrations::OnQuery>(),
        post("/api/v1/rosters/{institution_code}", "Upload a roster (附件1 columns) — preview, or commit with commit=true")
            .about("Body: CSV in UTF-8, UTF-8 with BOM, GBK or UTF-16 (tab-separated), detected. A commit refused because rows were rejected is 422 commit_refused with the preview's report under error.report; a snapshot needing confirmation without the right confirm_deregister is 422 confirmation_required. .xlsx and .xls bodies are read too.")
            .query::<rosters::UploadQuery>()
            .upload(SHEETS)
            .jobs(),
        get("/api/v1/rosters/{institution_code}/reports/{id}", "The full report of a large roster file (kept 7 days)")
            .about("A file of more than 10 000 rows is answered with a summary and its first 100 rejections and a report_id; this returns the whole report, or with format=csv|xlsx the rejected rows to fix and upload again.")
            .query::<rosters::ReportQuery>()
            .answers(Answer::ObjectOrTable),
        post("/api/v1/inspections", "Record an inspection and its violations (header Idempotency-Key)")
            .created()
            .json::<NewInspection>()
            .header(&[("Idempotency-Key", "a retried request with the same key is recorded once")])
            .link("revoke", "POST", "/api/v1/deductions/{id}/revoke", &[("id", "$response.body#/violations/0/deduction_id")])
            .link("object", "POST", "/api/v1/deductions/{id}/objections", &[("id", "$response.body#/violations/0/deduction_id")])
            .refuses(&["invalid_date", "invalid_period", "no_violations", "too_many_violations", "duplicate_violation", "unknown_institution", "unknown_practitioner", "invalid_ban", "idempotency_conflict", "invalid_idempotency_key"]),
        post("/api/v1/inspections/batch", "Violations in bulk, grouped into inspections by 检查编号")
            .about("Body: CSV in UTF-8, GBK or UTF-16, detected; a preview unless commit=true.")
            .query::<BatchQuery>()
            .upload(SHEETS)
            .jobs(),
        post("/api/v1/inspections/preview", "Preview an inspection: what recording it would do, nothing written")
            .about("The body of POST /inspections. Answers, for each person in the order they first appear, the cycle total before and after on the decision date, the band of 五(一) reached (entered: whether its sanction applies now), each violation's points, the sanctions it causes with their dates (starts_on; ends_on is the first day back; ban_until the first day a new agreement may be signed), the written notices that would be issued (六(一)), and the inspected institution's 五(三) figures before and after (cascade_case_opens: a case would open). Computed by the engine exactly as recording would; no Idempotency-Key is needed.")
            .json::<NewInspection>(),
        post("/api/v1/deductions/{id}/revoke", "Revoke a deduction; returns the recomputed ledger")
            .json::<RevokeDeduction>(),
        post("/api/v1/deductions/{id}/objections", "File an objection for a staff member (六(一))")
            .created()
            .json::<NewObjection>()
            .link("objection", "GET", "/api/v1/objections/{id}", &[("id", "$response.body#/id")])
            .link("decide", "POST", "/api/v1/objections/{id}/decide", &[("id", "$response.body#/id")])
            .refuses(&["invalid_date", "deadline_passed", "objection_pending", "already_revoked"])
            .link("escalate", "POST", "/api/v1/objections/{id}/escalate", &[("id", "$response.body#/id")]),
        get("/api/v1/objections/{id}", "One objection with its decisions and deadline"),
        post("/api/v1/objections/{id}/decide", "Uphold or reject (agency level, or department level after an escalation); uphold revokes the deduction")
            .about("The agency's decision is a written notice to the objecting institution (kind objection_decision); an escalated objection is decided at /objections/{id}/escalation/decide (409 escalated here).")
            .json::<DecideObjection>()
            .refuses(&["invalid_decision", "invalid_date", "already_decided"]),
        post("/api/v1/objections/{id}/escalate", "Take a rejected objection to the administrative department within 10 working days of receiving the agency's written rejection")
            .created()
            .about("201 up to the 10th working day after the rejection's notice counts as received (acknowledged, or its date plus the delivery allowance); 422 deadline_passed after, naming the rejection's date.")
            .json::<EscalateObjection>()
            .refuses(&["deadline_passed", "not_rejected", "calendar_missing"]),
        post("/api/v1/objections/{id}/escalation/decide", "The administrative department's decision on an escalated objection (六(一))")
            .about("uphold revokes the deduction; either way a written notice to the objecting institution. 409 not_escalated unless escalated; 409 already_decided.")
            .json::<DecideEscalation>(),
        get("/api/v1/notices", "Written notices")
            .query::<notices::ListQuery>(),
        get("/api/v1/notices/{id}", "One notice: JSON, or the printable notice with Accept: text/html")
            .answers(Answer::ObjectOrHtml),
        post("/api/v1/notices/{id}/received", "Acknowledge receipt of a written notice (六(一) 接到书面通知)")
            .about("Once (409 already_received); not before the notice's date nor after today. The 10 working days of 六(一) run from this day; a notice never acknowledged counts as received on its date plus the delivery allowance.")
            .json::<AcknowledgeNotice>(),
        get("/api/v1/settings/jurisdiction", "The deployment's jurisdiction and its policy packs"),
        post("/api/v1/settings/jurisdiction", "Set the deployment's jurisdiction (admin; audited)")
            .created()
            .about("409 ledger_not_empty once any deduction or training test is recorded; 422 unknown_jurisdiction.")
            .json::<SetJurisdiction>(),
        get("/api/v1/settings/delivery-allowance", "The delivery allowance of written notices")
            .about("Calendar days from a notice's date to the day it counts as received when never acknowledged; 0 until the agency sets one.")
            .query::<settings::DateQuery>(),
        post("/api/v1/settings/delivery-allowance", "Set the delivery allowance (六(一))")
            .created()
            .about("Audited; for notices dated on or after `from` (earlier deadlines do not move). 0..=30 days.")
            .json::<SetDeliveryAllowance>(),
        get("/api/v1/audit", "The audit trail of a practitioner, an institution or a fact (table:id)")
            .about("Each entry: who (token_id, role), what (action, facts inserted), when, request_id, and each touched practitioner's projection before and after.")
            .query::<audit::AuditQuery>(),
        post("/api/v1/training-tests", "Record a training test (三(三))")
            .created()
            .about("A second test in a year is 409 duplicate_test unless an admin records it as a re-sit (retake: true, retake_reason). A test before 2024-03-29 is 422 not_retroactive.")
            .json::<NewTrainingTest>()
            .link("revoke", "POST", "/api/v1/training-tests/{id}/revoke", &[("id", "$response.body#/id")])
            .refuses(&["invalid_format", "invalid_score", "result_contradicts_score", "future_date", "already_tested", "retake_reason"]),
        post("/api/v1/training-tests/batch", "Training-test results in bulk (三(三))")
            .about("Body: CSV in UTF-8, GBK or UTF-16, detected; a preview unless commit=true.")
            .query::<BatchQuery>()
            .upload(SHEETS)
            .jobs(),
        get("/api/v1/training-tests/pass-marks", "The pass mark of a year's training test (三(三))")
            .about("60 (the pack's default) until the agency sets the year's.")
            .query::<training_tests::YearQuery>(),
        post("/api/v1/training-tests/pass-marks", "Set the pass mark of a year's training test (三(三))")
            .created()
            .about("Audited; the latest for a year holds. A test whose result contradicts its score under the mark is refused.")
            .json::<SetPassMark>(),
        post("/api/v1/training-tests/{id}/revoke", "Revoke a training test recorded wrongly (三(三))")
            .about("The test counts for no date; a termination it caused is withdrawn; the person's institutions get a written notice; the corrected result can then be recorded.")
            .json::<RevokeTest>()
            .refuses(&["already_revoked", "invalid_date"]),
        post("/api/v1/training-tests/absences", "Record an absence from the year's training test (三(三) 缺考)")
            .created()
            .about("Recorded as a fact and shown on the person's page: never a pass, never a fail (nothing is terminated for it), and it does not use up the year's test. 409 already_tested when the year has a test; 409 duplicate_absence; 422 not_retroactive before 2024-03-29.")
            .json::<NewAbsence>(),
        get("/api/v1/practitioners/{code}/status", "Status as of a date")
            .query::<practitioners::StatusQuery>(),
        get("/api/v1/practitioners/{code}/ledger", "Deductions, total and sanctions of a cycle, with explanations")
            .query::<practitioners::LedgerQuery>(),
        get("/api/v1/practitioners/{code}/training-tests", "A person's training tests, re-sits and absences by year (三(三))")
            .about("Each year: result passed | failed | absent | not_tested, its explanation, the tests (with retake_reason and revoked) and absences."),
        post("/api/v1/eligibility/check", "Claims screening (五(二))")
            .about("Each line carries not_to_insured (true on a refused line: 五(二) 并不得转嫁于参保人员, the refused amount may not be passed on to the insured person); the answer carries not_to_insured {article, zh, en}, the text to show beside refused_amount.")
            .json::<EligibilityCheck>(),
        get("/api/v1/cascade-cases", "Cascade cases (五(三))"),
        get("/api/v1/cascade-cases/{id}", "One cascade case"),
        post("/api/v1/cascade-cases/{id}/decide", "Decide a cascade case")
            .json::<DecideCascade>(),
        get("/api/v1/termination-cases", "Termination cases opened by a second suspension within an agreement term (聊城 第三十一条(一))"),
        post("/api/v1/termination-cases/{id}/decide", "Terminate the agreement or take no action, with a reason")
            .about("聊城 第三十一条(一)、吉林 第四十七条(一) 应解除: decision terminate (with cause), or defer with the reason recorded; none is 422 termination_required.")
            .json::<DecideCascade>(),
        get("/api/v1/watch-list", "Watch list (六(三))")
            .query::<watch_list::YearQuery>(),
        get("/api/v1/interview-orders", "Interview orders (五(一))")
            .query::<interview_orders::ListQuery>(),
        post("/api/v1/interview-orders/{id}/record", "Record that the interview was held")
            .json::<RecordInterview>(),
        get("/api/v1/calendar/working-days", "The n-th working day after a date")
            .query::<calendar::WorkingDaysQuery>(),
        post("/api/v1/calendar/years", "Upload a year's holidays and adjusted working days (TOML as in data/calendar/)")
            .created()
            .upload(&["application/toml", "text/plain"]),
        get("/api/v1/stats/dashboard", "Every figure of the dashboard in one answer")
            .about("The objects of the other /stats routes under deductions, statuses, items, institutions, training_tests, objections, and the scope.")
            .query::<stats::StatsQuery>(),
        get("/api/v1/stats/deductions", "Deductions and points per month by county, and the year before")
            .about("Revoked deductions count nowhere; a deduction counts in the month of its decision date.")
            .query::<stats::StatsQuery>(),
        get("/api/v1/stats/statuses", "People by their own status today and at each month's end")
            .about("The status of GET /practitioners/{code}/status: terminated (of which still banned), suspended, active (of which with an open interview order), unregistered. Counted in SQL over the projections, never person by person.")
            .query::<stats::StatsQuery>(),
        get("/api/v1/stats/items", "The catalogue items most cited in the cycle")
            .about("With each item's points and article (四).")
            .query::<stats::StatsQuery>(),
        get("/api/v1/stats/institutions", "Institutions nearest the 30 % of 五(三), and the watch list of 六(三)")
            .about("nearest: institutions with anyone personally suspended or terminated in the cycle, highest ratio first.")
            .query::<stats::StatsQuery>(),
        get("/api/v1/stats/training-tests", "Training-test pass rates by age group and format (三(三))")
            .about("Age at the test date; revoked tests aside.")
            .query::<stats::StatsQuery>(),
        get("/api/v1/stats/objections", "Objections filed in the cycle: upheld, rejected, pending, escalated (六(一))")
            .about("median_working_days: from filing to the agency's decision, on the working-day calendar.")
            .query::<stats::StatsQuery>(),
        get("/api/v1/public/practitioners/{code}", "Public lookup: status and points, masked name (first character), no ID number")
            .query::<public::DateQuery>(),
        get("/api/v1/public/institutions/{code}", "Public lookup of an institution")
            .query::<public::DateQuery>(),
        get("/api/v1/jobs/{id}", "An upload started with async=true: its progress, then its answer")
            .about("state running (phase queued|reading|checking|writing, rows_done, rows_total, percent), done (status, result: the synchronous answer) or failed (status, error: the synchronous error)."),
    ]
}
