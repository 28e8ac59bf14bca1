//! The error types: a leaf of the crate (it imports nothing of it), so that `domain`, `store`,
//! `service` and `http` can all name them without depending on each other. The conversions
//! from other layers' errors are in `error.rs`.

use std::fmt;

/// How a client error maps onto HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    Unprocessable,
    PayloadTooLarge,
    MethodNotAllowed,
    UnsupportedMediaType,
    /// The body did not arrive in time.
    RequestTimeout,
    /// Over a rate limit (`Retry-After` says when to come back).
    TooManyRequests,
    /// Busy (the database held by a large write, every upload slot taken) or a read replica
    /// asked to write: 503, with `Retry-After`. The request changed nothing.
    Unavailable,
}

/// An error the caller can fix: stable machine `code`, the offending `field` and `row`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientError {
    pub kind: Kind,
    pub code: &'static str,
    pub message: String,
    pub message_zh: String,
    pub field: Option<String>,
    pub row: Option<u64>,
    /// What the caller needs to act on the error (a refused upload's row report), shown under
    /// `report` in the error body.
    pub report: Option<Box<serde_json::Value>>,
    /// Seconds to wait before asking again (`Retry-After` of a 429 or 503).
    pub retry_after: Option<u16>,
}

impl ClientError {
    pub fn new(kind: Kind, code: &'static str, message: impl Into<String>, message_zh: impl Into<String>) -> Self {
        ClientError {
            kind,
            code,
            message: message.into(),
            message_zh: message_zh.into(),
            field: None,
            row: None,
            report: None,
            retry_after: None,
        }
    }
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
    pub fn row(mut self, row: u64) -> Self {
        self.row = Some(row);
        self
    }
    pub fn retry_after(mut self, secs: u16) -> Self {
        self.retry_after = Some(secs);
        self
    }
    pub fn report(mut self, report: serde_json::Value) -> Self {
        self.report = Some(Box::new(report));
        self
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(field) = &self.field {
            write!(f, " (field {field})")?;
        }
        if let Some(row) = self.row {
            write!(f, " (row {row})")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Client(ClientError),
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(code: &'static str, field: &str, message: impl Into<String>, message_zh: impl Into<String>) -> Self {
        Error::Client(ClientError::new(Kind::Unprocessable, code, message, message_zh).field(field))
    }
    pub fn not_found(what: &str, what_zh: &str) -> Self {
        Error::Client(ClientError::new(
            Kind::NotFound,
            "not_found",
            format!("{what} not found"),
            format!("{what_zh}不存在"),
        ))
    }
    pub fn conflict(code: &'static str, message: impl Into<String>, message_zh: impl Into<String>) -> Self {
        Error::Client(ClientError::new(Kind::Conflict, code, message, message_zh))
    }
    pub fn forbidden() -> Self {
        Error::Client(ClientError::new(Kind::Forbidden, "forbidden", "this token may not do that", "无权执行此操作"))
    }
    pub fn client(&self) -> Option<&ClientError> {
        match self {
            Error::Client(c) => Some(c),
            Error::Internal(_) => None,
        }
    }
}

impl From<ClientError> for Error {
    fn from(e: ClientError) -> Self {
        Error::Client(e)
    }
}
