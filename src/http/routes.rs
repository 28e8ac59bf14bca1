//! Every route, in one place. The contract is DESIGN.md "Public interface".

use actix_web::web;

use super::{
    audit, calendar, cascade_cases, deductions, eligibility, exports, health, inspections, institutions,
    interview_orders, notices, objections, practitioners, public, registrations, rosters, termination_cases,
    training_tests, watch_list,
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(health::metrics)).service(
        web::scope("/api/v1")
            .route("/healthz", web::get().to(health::healthz))
            .route("/metrics", web::get().to(health::metrics))
            .route("/openapi.json", web::get().to(health::openapi))
            .route("/institutions", web::post().to(institutions::create))
            .route("/institutions/{code}", web::get().to(institutions::show))
            .route("/institutions/{code}/agreement/suspend", web::post().to(institutions::suspend))
            .route("/institutions/{code}/agreement/restore", web::post().to(institutions::restore))
            .route("/institutions/{code}/agreement/terminate", web::post().to(institutions::terminate))
            .route("/institutions/{code}/cascade", web::get().to(institutions::cascade))
            .route("/institutions/{code}/roster.csv", web::get().to(exports::roster))
            .route("/institutions/{code}/roster.xlsx", web::get().to(exports::roster))
            .route("/exports/status-list.csv", web::get().to(exports::status_list))
            .route("/exports/status-list.xlsx", web::get().to(exports::status_list))
            .route("/rosters/template.xlsx", web::get().to(exports::roster_template))
            .route("/registrations", web::post().to(registrations::create))
            .route("/registrations/{institution_code}/{personnel_code}", web::delete().to(registrations::delete))
            .route("/rosters/{institution_code}", web::post().to(rosters::upload))
            .route("/inspections", web::post().to(inspections::create))
            .route("/inspections/batch", web::post().to(inspections::batch))
            .route("/deductions/{id}/revoke", web::post().to(deductions::revoke))
            .route("/deductions/{id}/objections", web::post().to(deductions::object))
            .route("/objections/{id}", web::get().to(objections::show))
            .route("/objections/{id}/decide", web::post().to(objections::decide))
            .route("/objections/{id}/escalate", web::post().to(objections::escalate))
            .route("/notices", web::get().to(notices::list))
            .route("/audit", web::get().to(audit::list))
            .route("/notices/{id}", web::get().to(notices::show))
            .route("/training-tests", web::post().to(training_tests::create))
            .route("/training-tests/batch", web::post().to(training_tests::batch))
            .route("/training-tests/pass-marks", web::get().to(training_tests::pass_mark))
            .route("/training-tests/pass-marks", web::post().to(training_tests::set_pass_mark))
            .route("/training-tests/{id}/revoke", web::post().to(training_tests::revoke))
            .route("/practitioners/{code}/status", web::get().to(practitioners::status))
            .route("/practitioners/{code}/ledger", web::get().to(practitioners::ledger))
            .route("/eligibility/check", web::post().to(eligibility::check))
            .route("/cascade-cases", web::get().to(cascade_cases::list))
            .route("/cascade-cases/{id}", web::get().to(cascade_cases::show))
            .route("/cascade-cases/{id}/decide", web::post().to(cascade_cases::decide))
            .route("/termination-cases", web::get().to(termination_cases::list))
            .route("/termination-cases/{id}/decide", web::post().to(termination_cases::decide))
            .route("/watch-list", web::get().to(watch_list::list))
            .route("/interview-orders", web::get().to(interview_orders::list))
            .route("/interview-orders/{id}/record", web::post().to(interview_orders::record))
            .route("/calendar/working-days", web::get().to(calendar::working_days))
            .route("/calendar/years", web::post().to(calendar::upload))
            .route("/public/practitioners/{code}", web::get().to(public::practitioner))
            .route("/public/institutions/{code}", web::get().to(public::institution)),
    );
}
