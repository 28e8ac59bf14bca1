//! What the route table cannot say about each route: its summary, success status and answer,
//! the request body and query types it reads, the refusals it documents, and the links the
//! stateful tests follow. One entry per route of `routes::ROUTES` (a missing one fails
//! `tests/openapi.rs`); a new endpoint adds its entry in `table.rs`.

use serde_json::{json, Map, Value};
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::{IntoParams, ToSchema};

use super::schemas::{self, Components};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const XLS: &str = "application/vnd.ms-excel";

/// What a route answers on success.
#[derive(Clone, Copy)]
pub enum Answer {
    /// A JSON object.
    Object,
    /// Prometheus text.
    Text,
    /// CSV, or .xlsx when `?format=xlsx` or `Accept` asks for it.
    Table,
    /// An .xlsx file.
    Xlsx,
    /// JSON, or the rejected rows as CSV or .xlsx (`?format=`).
    ObjectOrTable,
    /// JSON, or the printable notice (`Accept: text/html`).
    ObjectOrHtml,
}

impl Answer {
    pub fn content(self) -> Map<String, Value> {
        let object = json!({"schema": {"type": "object"}});
        let text = json!({"schema": {"type": "string"}});
        let file = json!({"schema": {"type": "string", "format": "binary"}});
        let pairs: Vec<(&str, Value)> = match self {
            Answer::Object => vec![("application/json", object)],
            Answer::Text => vec![("text/plain", text)],
            Answer::Table => vec![("text/csv", text), (XLSX, file)],
            Answer::Xlsx => vec![(XLSX, file)],
            Answer::ObjectOrTable => vec![("application/json", object), ("text/csv", text), (XLSX, file)],
            Answer::ObjectOrHtml => vec![("application/json", object), ("text/html", text)],
        };
        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }
}

/// A link of an answer to another operation (OpenAPI `links`), for schemathesis' stateful phase.
pub struct Link {
    pub name: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    /// Parameter name → runtime expression (`$response.body#/code`).
    pub parameters: &'static [(&'static str, &'static str)],
}

/// One route's documentation.
pub struct Op {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub description: &'static str,
    pub status: u16,
    pub answer: Answer,
    pub body: Option<fn(&mut Components) -> Value>,
    pub query: Option<fn() -> Vec<Parameter>>,
    pub headers: &'static [(&'static str, &'static str)],
    pub upload_types: &'static [&'static str],
    /// Error codes of its 409/422 refusals that the schema cannot express.
    pub refusals: &'static [&'static str],
    pub links: Vec<Link>,
    /// `?async=true` answers 202 with a job.
    pub accepted: bool,
    /// A query naming an object out of scope is 404.
    pub not_found: bool,
}

pub(super) fn op(method: &'static str, path: &'static str, summary: &'static str) -> Op {
    Op {
        method,
        path,
        summary,
        description: "",
        status: 200,
        answer: Answer::Object,
        body: None,
        query: None,
        headers: &[],
        upload_types: &[],
        refusals: &[],
        links: Vec::new(),
        accepted: false,
        not_found: false,
    }
}

pub(super) fn get(path: &'static str, summary: &'static str) -> Op {
    op("GET", path, summary)
}

pub(super) fn post(path: &'static str, summary: &'static str) -> Op {
    op("POST", path, summary)
}

pub(super) fn delete(path: &'static str, summary: &'static str) -> Op {
    op("DELETE", path, summary)
}

fn params_of<Q: IntoParams>() -> Vec<Parameter> {
    Q::into_params(|| Some(ParameterIn::Query))
}

impl Op {
    pub(super) fn created(mut self) -> Self {
        self.status = 201;
        self
    }
    pub(super) fn about(mut self, description: &'static str) -> Self {
        self.description = description;
        self
    }
    pub(super) fn json<T: ToSchema>(mut self) -> Self {
        self.body = Some(schemas::of::<T>);
        self
    }
    pub(super) fn query<Q: IntoParams>(mut self) -> Self {
        self.query = Some(params_of::<Q>);
        self
    }
    pub(super) fn answers(mut self, answer: Answer) -> Self {
        self.answer = answer;
        self
    }
    pub(super) fn upload(mut self, types: &'static [&'static str]) -> Self {
        self.upload_types = types;
        self
    }
    pub(super) fn jobs(mut self) -> Self {
        self.accepted = true;
        self
    }
    pub(super) fn refuses(mut self, codes: &'static [&'static str]) -> Self {
        self.refusals = codes;
        self
    }
    pub(super) fn link(
        mut self,
        name: &'static str,
        method: &'static str,
        path: &'static str,
        parameters: &'static [(&'static str, &'static str)],
    ) -> Self {
        self.links.push(Link { name, method, path, parameters });
        self
    }
    pub(super) fn header(mut self, headers: &'static [(&'static str, &'static str)]) -> Self {
        self.headers = headers;
        self
    }
}
