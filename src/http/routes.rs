//! Every route, in one place, each with who may call it and what body it reads. The contract is
//! DESIGN.md "Public interface"; the roles are `service::access::Action::roles`.
//!
//! One macro builds both the table [`ROUTES`] and the registration [`configure`], so a route
//! cannot be served without a declared policy; `tests/route_policy.rs` calls every route of the
//! table as every kind of caller and checks each answer against it.

use actix_web::http::Method;
use actix_web::{web, HttpResponse};

use super::{
    audit, calendar, cascade_cases, changes, deductions, eligibility, exports, health, inspections, institutions,
    interview_orders, jobs, notices, objections, practitioners, public, registrations, rosters, settings, stats,
    termination_cases, training_tests, watch_list,
};
use crate::error::{ClientError, Kind};
use crate::service::access::Action::{self, *};

/// Which tenant's object a request is about, and so who gets 404 (DESIGN.md: existence must
/// not leak) after the role check of [`Action::roles`] has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// No object of one tenant: a list filtered by the caller's scope, or an action whose roles
    /// see every tenant.
    None,
    /// `{code}` or `{institution_code}` in the path is an institution.
    InstitutionInPath,
    /// The JSON body's `institution_code`.
    InstitutionInBody,
    /// The query's `target`: an institution, or a person through their sites.
    InstitutionInQuery,
    /// A list filtered to the caller's scope; hr naming another institution in the query's
    /// `institution_code` is 404, other roles get the list without what they may not see.
    FilteredList,
    /// Each row of an uploaded file names its institution: rows outside the scope are rejected
    /// in the report; the request itself is answered.
    InstitutionInRows,
    /// `{code}` in the path is a practitioner, in scope through one of their sites.
    PersonInPath,
    /// `{id}` in the path is a fact recorded at one institution.
    Object(Object),
    /// `{id}` in the path is the caller's own (a job it started): anyone else gets 404.
    Own,
}

/// The facts an `{id}` may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Object {
    Deduction,
    Objection,
    Notice,
    CascadeCase,
    TerminationCase,
    InterviewOrder,
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// No token (rate-limited per client for `/api/v1/public/*`).
    Public,
    /// A token whose role may do the action, on an object in its scope.
    Token(Action, Scope),
}

/// The body a route reads, and so its size limit (`domain::limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    None,
    /// JSON, at most `JSON_BODY_MAX`.
    Json,
    /// Claim lines, JSON, at most `CLAIMS_BODY_MAX`.
    Claims,
    /// A spreadsheet or calendar file, at most `UPLOAD_BODY_MAX`, `UPLOADS_AT_ONCE` at a time.
    Upload,
}

/// One route of the table.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub policy: Policy,
    pub body: Body,
}

const fn token(action: Action, scope: Scope) -> Policy {
    Policy::Token(action, scope)
}

use Body::{Claims, Json, Upload};
use Object::*;
use Policy::Public;
use Scope::{FilteredList, InstitutionInBody, InstitutionInPath, InstitutionInQuery, InstitutionInRows, PersonInPath};

macro_rules! routes {
    ($($path:literal { $($method:ident => $handler:path, $policy:expr, $body:expr;)+ })*) => {
        /// Every route: method, path, who may call it, the body it reads.
        pub static ROUTES: &[Route] = &[
            $($(Route { method: stringify!($method), path: $path, policy: $policy, body: $body },)+)*
        ];

        /// Registers every route of [`ROUTES`]; a known path asked with another method is 405
        /// with `Allow`.
        pub fn configure(cfg: &mut web::ServiceConfig) {
            $(
                cfg.service(
                    web::resource($path)
                        $(.route(web::route().method(Method::$method).to($handler)))+
                        .default_service(web::to(|| async { method_not_allowed(&[$(stringify!($method)),+]) })),
                );
            )*
        }
    };
}

routes! {
    "/metrics" { GET => health::metrics, token(ReadMetrics, Scope::None), Body::None; }
    "/api/v1/healthz" { GET => health::healthz, Public, Body::None; }
    "/api/v1/metrics" { GET => health::metrics, token(ReadMetrics, Scope::None), Body::None; }
    "/api/v1/openapi.json" { GET => health::openapi, Public, Body::None; }
    "/api/v1/institutions" { POST => institutions::create, token(CreateInstitution, Scope::None), Json; }
    "/api/v1/institutions/{code}" { GET => institutions::show, token(ReadInstitution, InstitutionInPath), Body::None; }
    "/api/v1/institutions/{code}/agreement/suspend" {
        POST => institutions::suspend, token(ChangeAgreement, InstitutionInPath), Json;
    }
    "/api/v1/institutions/{code}/agreement/restore" {
        POST => institutions::restore, token(ChangeAgreement, InstitutionInPath), Json;
    }
    "/api/v1/institutions/{code}/agreement/terminate" {
        POST => institutions::terminate, token(ChangeAgreement, InstitutionInPath), Json;
    }
    "/api/v1/institutions/{code}/agreement/renew" {
        POST => institutions::renew, token(RenewAgreement, InstitutionInPath), Json;
    }
    "/api/v1/institutions/{code}/agreement/non-renewal" {
        POST => institutions::non_renewal, token(RenewAgreement, InstitutionInPath), Json;
    }
    "/api/v1/institutions/{code}/agreement/inspection-result" {
        POST => institutions::inspection_result, token(ChangeAgreement, InstitutionInPath), Json;
    }
    "/api/v1/institutions/{code}/agreement/intents" {
        GET => institutions::intents, token(ReadInstitution, InstitutionInPath), Body::None;
        POST => institutions::intent, token(ChangeAgreement, InstitutionInPath), Json;
    }
    "/api/v1/institutions/{code}/agreement/intents/{id}/statement" {
        POST => institutions::statement, token(StateCase, InstitutionInPath), Json;
    }
    "/api/v1/agreements/ending" { GET => institutions::ending, token(ReadAgreementsEnding, Scope::None), Body::None; }
    "/api/v1/institutions/{code}/cascade" {
        GET => institutions::cascade, token(ReadCascade, InstitutionInPath), Body::None;
    }
    "/api/v1/institutions/{code}/roster.csv" {
        GET => exports::roster, token(ExportRoster, InstitutionInPath), Body::None;
    }
    "/api/v1/institutions/{code}/roster.xlsx" {
        GET => exports::roster, token(ExportRoster, InstitutionInPath), Body::None;
    }
    "/api/v1/exports/status-list.csv" {
        GET => exports::status_list, token(ExportStatusList, Scope::None), Body::None;
    }
    "/api/v1/exports/status-list.xlsx" {
        GET => exports::status_list, token(ExportStatusList, Scope::None), Body::None;
    }
    "/api/v1/exports/status-list.json" {
        GET => exports::status_list, token(ExportStatusList, Scope::None), Body::None;
    }
    "/api/v1/exports/institution-status-list.csv" {
        GET => exports::institution_status_list, token(ExportStatusList, Scope::None), Body::None;
    }
    "/api/v1/exports/institution-status-list.json" {
        GET => exports::institution_status_list, token(ExportStatusList, Scope::None), Body::None;
    }
    "/api/v1/exports/institution-status-list.xlsx" {
        GET => exports::institution_status_list, token(ExportStatusList, Scope::None), Body::None;
    }
    "/api/v1/changes" { GET => changes::list, token(ReadChanges, Scope::None), Body::None; }
    "/api/v1/rosters/template.xlsx" { GET => exports::roster_template, token(UploadRoster, Scope::None), Body::None; }
    "/api/v1/registrations" { POST => registrations::create, token(Register, InstitutionInBody), Json; }
    "/api/v1/registrations/{institution_code}/{personnel_code}" {
        DELETE => registrations::delete, token(Register, InstitutionInPath), Body::None;
    }
    "/api/v1/rosters/{institution_code}" { POST => rosters::upload, token(UploadRoster, InstitutionInPath), Upload; }
    "/api/v1/rosters/{institution_code}/reports/{id}" {
        GET => rosters::report, token(ExportRoster, InstitutionInPath), Body::None;
    }
    "/api/v1/inspections" { POST => inspections::create, token(RecordInspection, InstitutionInBody), Json; }
    "/api/v1/inspections/batch" { POST => inspections::batch, token(RecordInspection, InstitutionInRows), Upload; }
    "/api/v1/inspections/preview" {
        POST => inspections::preview, token(RecordInspection, InstitutionInBody), Json;
    }
    "/api/v1/deductions/{id}/revoke" { POST => deductions::revoke, token(RevokeDeduction, Scope::Object(Deduction)), Json; }
    "/api/v1/deductions/{id}/objections" {
        POST => deductions::object, token(FileObjection, Scope::Object(Deduction)), Json;
    }
    "/api/v1/objections/{id}" { GET => objections::show, token(ReadObjection, Scope::Object(Objection)), Body::None; }
    "/api/v1/objections/{id}/decide" {
        POST => objections::decide, token(DecideObjection, Scope::Object(Objection)), Json;
    }
    "/api/v1/objections/{id}/escalate" {
        POST => objections::escalate, token(EscalateObjection, Scope::Object(Objection)), Json;
    }
    "/api/v1/objections/{id}/escalation/decide" {
        POST => objections::decide_escalation, token(DecideEscalation, Scope::Object(Objection)), Json;
    }
    "/api/v1/notices" { GET => notices::list, token(ReadNotices, FilteredList), Body::None; }
    "/api/v1/notices/{id}" { GET => notices::show, token(ReadNotices, Scope::Object(Notice)), Body::None; }
    "/api/v1/notices/{id}/received" {
        POST => notices::received, token(AcknowledgeNotice, Scope::Object(Notice)), Json;
    }
    "/api/v1/settings/jurisdiction" {
        GET => settings::jurisdiction, token(ReadJurisdiction, Scope::None), Body::None;
        POST => settings::set_jurisdiction, token(SetJurisdiction, Scope::None), Json;
    }
    "/api/v1/settings/delivery-allowance" {
        GET => settings::delivery_allowance, token(ReadDeliveryAllowance, Scope::None), Body::None;
        POST => settings::set_delivery_allowance, token(SetDeliveryAllowance, Scope::None), Json;
    }
    "/api/v1/audit" { GET => audit::list, token(ReadAudit, InstitutionInQuery), Body::None; }
    "/api/v1/training-tests" { POST => training_tests::create, token(RecordTest, Scope::None), Json; }
    "/api/v1/training-tests/batch" { POST => training_tests::batch, token(RecordTest, Scope::None), Upload; }
    "/api/v1/training-tests/pass-marks" {
        GET => training_tests::pass_mark, token(ReadCalendar, Scope::None), Body::None;
        POST => training_tests::set_pass_mark, token(RecordTest, Scope::None), Json;
    }
    "/api/v1/training-tests/{id}/revoke" { POST => training_tests::revoke, token(RecordTest, Scope::None), Json; }
    "/api/v1/training-tests/absences" { POST => training_tests::absence, token(RecordTest, Scope::None), Json; }
    "/api/v1/practitioners/{code}/status" {
        GET => practitioners::status, token(ReadPractitioner, PersonInPath), Body::None;
    }
    "/api/v1/practitioners/{code}/ledger" {
        GET => practitioners::ledger, token(ReadPractitioner, PersonInPath), Body::None;
    }
    "/api/v1/practitioners/{code}/training-tests" {
        GET => practitioners::training, token(ReadPractitioner, PersonInPath), Body::None;
    }
    "/api/v1/eligibility/check" { POST => eligibility::check, token(CheckEligibility, Scope::None), Claims; }
    "/api/v1/cascade-cases" { GET => cascade_cases::list, token(ReadCases, Scope::None), Body::None; }
    "/api/v1/cascade-cases/{id}" {
        GET => cascade_cases::show, token(ReadCases, Scope::Object(CascadeCase)), Body::None;
    }
    "/api/v1/cascade-cases/{id}/decide" {
        POST => cascade_cases::decide, token(DecideCascade, Scope::Object(CascadeCase)), Json;
    }
    "/api/v1/termination-cases" { GET => termination_cases::list, token(ReadCases, Scope::None), Body::None; }
    "/api/v1/termination-cases/{id}/decide" {
        POST => termination_cases::decide, token(DecideTerminationCase, Scope::Object(TerminationCase)), Json;
    }
    "/api/v1/watch-list" { GET => watch_list::list, token(ReadWatchList, Scope::None), Body::None; }
    "/api/v1/interview-orders" {
        GET => interview_orders::list, token(ReadInterviewOrders, FilteredList), Body::None;
    }
    "/api/v1/interview-orders/{id}/record" {
        POST => interview_orders::record, token(RecordInterview, Scope::Object(InterviewOrder)), Json;
    }
    "/api/v1/calendar/working-days" {
        GET => calendar::working_days, token(ReadCalendar, Scope::None), Body::None;
    }
    "/api/v1/calendar/years" { POST => calendar::upload, token(UploadCalendar, Scope::None), Upload; }
    "/api/v1/stats/dashboard" { GET => stats::dashboard, token(ReadStats, Scope::None), Body::None; }
    "/api/v1/stats/deductions" { GET => stats::deductions, token(ReadStats, Scope::None), Body::None; }
    "/api/v1/stats/statuses" { GET => stats::statuses, token(ReadStats, Scope::None), Body::None; }
    "/api/v1/stats/items" { GET => stats::items, token(ReadStats, Scope::None), Body::None; }
    "/api/v1/stats/institutions" { GET => stats::institutions, token(ReadStats, Scope::None), Body::None; }
    "/api/v1/stats/training-tests" { GET => stats::training_tests, token(ReadStats, Scope::None), Body::None; }
    "/api/v1/stats/objections" { GET => stats::objections, token(ReadStats, Scope::None), Body::None; }
    "/api/v1/public/practitioners/{code}" { GET => public::practitioner, Public, Body::None; }
    "/api/v1/public/institutions/{code}" { GET => public::institution, Public, Body::None; }
    "/api/v1/jobs/{id}" { GET => jobs::show, token(ReadJob, Scope::Own), Body::None; }
}

/// The route of a matched pattern (`HttpRequest::match_pattern`) and method.
pub fn find(method: &Method, pattern: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.path == pattern && r.method == method.as_str())
}

/// 405 with `Allow` and the JSON error body.
fn method_not_allowed(allowed: &[&str]) -> HttpResponse {
    let allow = allowed.join(", ");
    let body = super::error::body(&ClientError::new(
        Kind::MethodNotAllowed,
        "method_not_allowed",
        format!("this path answers {allow} only"),
        format!("该路径只接受 {allow} 请求"),
    ));
    HttpResponse::MethodNotAllowed().insert_header(("Allow", allow)).json(body)
}
