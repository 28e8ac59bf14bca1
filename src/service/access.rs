//! Who is calling, and what they may do: the one place where access is decided.
//!
//! Pages, the JSON API and the command line each build a [`Caller`] and pass it to every
//! use-case, which checks it inside its own transaction ([`Caller::permit`] for the role,
//! [`Caller::require_institution`] and [`Caller::require_person`] for the scope). The table of
//! which role may do what is [`Action::roles`]; a handler may call `permit` early only so that a
//! refused role answers 403 before its body is parsed.

use super::tokens::Role::{self, Admin, Agency, Hr, Officer, Settlement};
use crate::domain::codes::region_of;
use crate::error::{Error, Result};

/// Where a request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A bearer token stored in the database (its id).
    Token(i64),
    /// `JIFEN_ADMIN_TOKEN` from the environment.
    AdminToken,
    /// The command line, as the operating system's user.
    Cli,
    /// The process itself: the demo loader, tests, the replica's reload.
    System,
    /// A person logged in to the pages (an account's id, `service::accounts`).
    Account(i64),
}

/// The caller of a use-case: subject, role and scope, and the request it came from.
#[derive(Debug, Clone)]
pub struct Caller {
    pub subject: Subject,
    pub role: Role,
    /// `hr`: the one institution.
    pub institution_code: Option<String>,
    /// `officer`: the county, or none for the whole city.
    pub region_code: Option<String>,
    /// For the audit trail: the request id (HTTP) or `cli:USER`.
    pub request_id: String,
    /// For the audit trail: `POST /api/v1/…` or the command line's words.
    pub action: String,
}

/// What a caller asks to do. Each route and command maps onto one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    CreateInstitution,
    ReadInstitution,
    ChangeAgreement,
    /// Renew an institution agreement, or decide not to (聊城 第十九条): the agency.
    RenewAgreement,
    /// The agreements whose term ends soon.
    ReadAgreementsEnding,
    ReadCascade,
    ExportRoster,
    ExportStatusList,
    /// `GET /changes`: the change feed of the whole city (codes and statuses, no personal data).
    ReadChanges,
    Register,
    UploadRoster,
    CommitRoster,
    RecordInspection,
    RevokeDeduction,
    FileObjection,
    ReadObjection,
    DecideObjection,
    EscalateObjection,
    /// 六(一): the administrative department decides an escalated objection (admin records it).
    DecideEscalation,
    /// 吉林 第四十九条: the institution states its case (陈述申辩) on an intended decision.
    StateCase,
    /// 六(一): the institution a notice is addressed to acknowledges receiving it.
    AcknowledgeNotice,
    /// 六(一): the agency sets the delivery allowance of notices never acknowledged.
    SetDeliveryAllowance,
    ReadDeliveryAllowance,
    /// Issue 17: the jurisdiction whose policy packs the deployment runs (admin only).
    SetJurisdiction,
    ReadJurisdiction,
    ReadNotices,
    ReadAudit,
    RecordTest,
    /// 三(三) 原则上每年1次: a re-sit in a year that already has a test (admin, with the reason).
    RecordRetake,
    ReadPractitioner,
    CheckEligibility,
    ReadCases,
    DecideCascade,
    DecideTerminationCase,
    ReadWatchList,
    ReadInterviewOrders,
    RecordInterview,
    UploadCalendar,
    ReadCalendar,
    /// `GET /metrics`: request counts by route (no personal data, but the shape of the traffic).
    ReadMetrics,
    /// `/dashboard` and `GET /stats/…`: the figures of the city, or of the officer's county.
    ReadStats,
    /// `GET /jobs/{id}`: an upload the caller started as a job (only the caller's own).
    ReadJob,
}

impl Action {
    /// The roles that may ask for it (DESIGN.md "Who uses it"; README "Roles").
    pub fn roles(self) -> &'static [Role] {
        use Action::*;
        match self {
            CreateInstitution => &[Admin, Agency],
            ReadInstitution | ReadCascade | ExportRoster | UploadRoster => &[Admin, Agency, Officer, Hr],
            ChangeAgreement | ReadAgreementsEnding => &[Admin, Agency, Officer],
            RenewAgreement => &[Admin, Agency],
            ExportStatusList => &[Admin, Agency, Officer, Hr, Settlement],
            Register | CommitRoster => &[Admin, Agency, Hr],
            RecordInspection | RevokeDeduction | DecideCascade | ReadAudit => &[Admin, Officer],
            FileObjection | EscalateObjection | RecordInterview => &[Admin, Hr],
            ReadObjection | ReadNotices | ReadPractitioner | ReadInterviewOrders => &[Admin, Agency, Officer, Hr],
            DecideObjection | ReadCases | DecideTerminationCase | ReadWatchList => &[Admin, Agency, Officer],
            RecordTest => &[Admin, Agency],
            CheckEligibility => &[Admin, Agency, Settlement],
            // hr is refused: filtered to one institution the numbers would have holes, and a
            // consumer could no longer tell a hole from a deleted row.
            ReadChanges => &[Admin, Agency, Officer, Settlement],
            UploadCalendar | ReadMetrics | DecideEscalation | RecordRetake | SetJurisdiction => &[Admin],
            ReadStats => &[Admin, Officer],
            ReadCalendar | ReadDeliveryAllowance | ReadJurisdiction => &[Admin, Agency, Officer, Hr, Settlement],
            AcknowledgeNotice | StateCase => &[Admin, Hr],
            SetDeliveryAllowance => &[Admin, Agency],
            ReadJob => &[Admin, Agency, Officer, Hr],
        }
    }
}

impl Caller {
    /// The process itself (demo loader, tests): every right, audited as `system`.
    pub fn system() -> Caller {
        Caller {
            subject: Subject::System,
            role: Admin,
            institution_code: None,
            region_code: None,
            request_id: String::new(),
            action: "unnamed".into(),
        }
    }

    /// The command line: every right, audited as `cli` with the operating system's user.
    pub fn cli(user: &str, action: String) -> Caller {
        Caller { subject: Subject::Cli, request_id: format!("cli:{user}"), action, ..Caller::system() }
    }

    /// The stored token's id, for the audit trail.
    pub fn token_id(&self) -> Option<i64> {
        match self.subject {
            Subject::Token(id) => Some(id),
            _ => None,
        }
    }

    /// The role as the audit trail names it.
    pub fn audit_role(&self) -> &'static str {
        match self.subject {
            Subject::Cli => "cli",
            Subject::System => "system",
            Subject::Token(_) | Subject::AdminToken | Subject::Account(_) => self.role.as_str(),
        }
    }

    /// 403 unless the caller's role may do `action`.
    pub fn permit(&self, action: Action) -> Result<()> {
        if action.roles().contains(&self.role) {
            Ok(())
        } else {
            Err(Error::forbidden())
        }
    }

    /// A county officer's county; none for every other role.
    pub fn region(&self) -> Option<&str> {
        match self.role {
            Officer => self.region_code.as_deref(),
            _ => None,
        }
    }

    /// An officer limited to a county sees only institutions of that county; hr only its own.
    pub fn covers_institution(&self, code: &str) -> bool {
        match self.role {
            Admin | Agency => true,
            Officer => self.region_code.as_deref().is_none_or(|r| region_of(code) == Some(r)),
            Hr => self.institution_code.as_deref() == Some(code),
            Settlement => false,
        }
    }

    /// `action` on one institution: 403 outside the role, 404 outside the scope (existence
    /// must not leak).
    pub fn require_institution(&self, action: Action, code: &str) -> Result<()> {
        self.permit(action)?;
        if self.covers_institution(code) {
            Ok(())
        } else {
            Err(Error::not_found("institution", "定点医药机构"))
        }
    }

    /// Admins and the agency see every institution's records (and may be told which record a
    /// conflict is with); everyone else sees their own.
    pub fn sees_every_tenant(&self) -> bool {
        matches!(self.role, Admin | Agency)
    }

    /// Whether one of `sites` is in scope.
    pub fn covers_any(&self, sites: &[String]) -> bool {
        self.sees_every_tenant() || sites.iter().any(|s| self.covers_institution(s))
    }

    /// `action` on one person: in scope when one of their sites is.
    pub fn require_person(&self, action: Action, sites: &[String]) -> Result<()> {
        self.permit(action)?;
        if matches!(self.role, Admin | Agency) || sites.iter().any(|s| self.covers_institution(s)) {
            Ok(())
        } else {
            Err(Error::not_found("practitioner", "人员"))
        }
    }

    /// hr's own institution, the only one it may name in a list query; others name any.
    pub fn own_institution(&self, asked: Option<String>) -> Result<Option<String>> {
        match (self.role, &self.institution_code) {
            (Hr, Some(own)) => {
                if asked.as_deref().is_some_and(|i| i != own) {
                    return Err(Error::not_found("institution", "定点医药机构"));
                }
                Ok(Some(own.clone()))
            }
            _ => Ok(asked),
        }
    }

    /// hr's institution, as the filer of an objection.
    pub fn hr_institution(&self) -> Option<&str> {
        match self.role {
            Hr => self.institution_code.as_deref(),
            _ => None,
        }
    }
}
