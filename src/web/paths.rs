//! Every page's URL, in one place (templates and redirects use these).

pub const HOME: &str = "/";
pub const LOGIN: &str = "/login";
pub const LOGOUT: &str = "/logout";
pub const ACCOUNT: &str = "/account";
pub const STAFF: &str = "/staff";
pub const ROSTER: &str = "/roster";
pub const NOTICES: &str = "/notices";
pub const INTERVIEW_ORDERS: &str = "/interview-orders";
pub const OBJECTIONS: &str = "/objections";
pub const ADMIN_ACCOUNTS: &str = "/admin/accounts";
pub const LOOKUP: &str = "/lookup";
// The agency's and the admin's pages (web/agency/, web/admin_*.rs).
pub const TRAINING_TESTS: &str = "/training-tests";
pub const INSTITUTIONS: &str = "/institutions";
pub const TERMINATION_CASES: &str = "/termination-cases";
pub const CASCADE_CASES: &str = "/cascade-cases";
pub const ADMIN_TOKENS: &str = "/admin/tokens";
pub const ADMIN_CALENDAR: &str = "/admin/calendar";
pub const ADMIN_AUDIT: &str = "/admin/audit";
// The officer's workbench and the dashboard (issue 15).
pub const SEARCH: &str = "/search";
pub const INSPECTIONS_NEW: &str = "/inspections/new";
pub const INSPECTIONS_UPLOAD: &str = "/inspections/upload";
pub const WATCH_LIST: &str = "/watch-list";
pub const DASHBOARD: &str = "/dashboard";

/// The session cookie: a random id, HttpOnly, SameSite=Strict, Secure behind TLS.
pub const SESSION_COOKIE: &str = "jifen_session";
/// The login form's CSRF cookie (double submit: there is no session yet).
pub const LOGIN_CSRF_COOKIE: &str = "jifen_login_csrf";
