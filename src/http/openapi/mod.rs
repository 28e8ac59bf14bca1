//! The OpenAPI 3.1 document of the JSON API, generated from the code so it cannot drift from it
//! (issue 16): the paths, methods, security and body kinds come from the route table
//! (`routes::ROUTES`); request bodies and query parameters from the types the handlers read
//! (`utoipa::ToSchema` / `IntoParams` derives); what the table cannot know — a summary, the
//! success status and answer, the refusals — from [`ops`], one entry per route.
//!
//! `jifen openapi` prints it; `docs/openapi.json` is that output, committed, and
//! `tests/openapi.rs` checks the two are equal. `GET /api/v1/openapi.json` serves it.

mod ops;
mod schemas;
mod table;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::{json, Map, Value};

use super::routes::{Body, Policy, Scope, ROUTES};
use ops::Op;
pub use schemas::money;

/// The document, built once.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(build)
}

/// The document as `jifen openapi` prints it and `docs/openapi.json` holds it.
pub fn pretty() -> String {
    let mut s = serde_json::to_string_pretty(document()).unwrap_or_default();
    s.push('\n');
    s
}

fn build() -> Value {
    let mut components = schemas::Components::default();
    components.add::<schemas::ErrorBody>();
    let ops = table::all();
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for route in ROUTES {
        // A route without its entry is still documented, from the table alone (with no summary,
        // which tests/openapi.rs refuses).
        let fallback;
        let op = match ops.iter().find(|o| o.method == route.method && o.path == route.path) {
            Some(op) => op,
            None => {
                fallback = ops::op(route.method, route.path, "");
                &fallback
            }
        };
        let doc_path = route.path.strip_prefix("/api/v1").unwrap_or(route.path);
        let operation = operation(route.method, route.path, route.policy, route.body, op, &mut components);
        paths.entry(doc_path.to_string()).or_default().insert(route.method.to_ascii_lowercase(), operation);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "jifen (积分) — 医保支付资格记分管理",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The HTTP contract of DESIGN.md, generated from the code (`jifen openapi`). \
                Dates are YYYY-MM-DD in China (UTC+8). Errors: 4xx with \
                {error: {code, message, message_zh, field, row}}; `field` and `row` are null when \
                the error is about no single field or row. Every 422 names its `code`; the codes an \
                operation can refuse with are listed in its description.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "`jifen token create --role ROLE`"}
            },
            "schemas": components.schemas,
            "responses": {
                "Error": {
                    "description": "A client error: its `code` says which",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
                }
            }
        }
    })
}

/// The operation id of a route: the method and the path's words (`get_institutions_code`).
pub fn operation_id(method: &str, path: &str) -> String {
    let words: Vec<String> = path
        .strip_prefix("/api/v1")
        .unwrap_or(path)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    format!("{}_{}", method.to_ascii_lowercase(), words.join("_"))
}

fn operation(
    method: &str,
    path: &str,
    policy: Policy,
    body: Body,
    op: &Op,
    components: &mut schemas::Components,
) -> Value {
    let mut parameters: Vec<Value> = path_params(path);
    if let Some(query) = op.query {
        parameters.extend(query().into_iter().map(query_param));
    }
    for (name, description) in op.headers {
        parameters.push(json!({"name": name, "in": "header", "required": false, "description": description,
            "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[\\x21-\\x7e]+$"}}));
    }
    let mut o = Map::new();
    o.insert("operationId".into(), json!(operation_id(method, path)));
    o.insert("summary".into(), json!(op.summary));
    o.insert("description".into(), json!(description(policy, op)));
    if !parameters.is_empty() {
        o.insert("parameters".into(), Value::Array(parameters));
    }
    if let Some(rb) = request_body(body, op, components) {
        o.insert("requestBody".into(), rb);
    }
    o.insert("responses".into(), responses(method, path, policy, body, op));
    if policy == Policy::Public {
        o.insert("security".into(), json!([]));
    }
    Value::Object(o)
}

fn description(policy: Policy, op: &Op) -> String {
    let who = match policy {
        Policy::Public => "No token.".to_string(),
        Policy::Token(action, _) => {
            let roles: Vec<&str> = action.roles().iter().map(|r| r.as_str()).collect();
            format!("Roles: {}.", roles.join(", "))
        }
    };
    let mut d = format!("{who} {}", op.description).trim().to_string();
    if !op.refusals.is_empty() {
        d.push_str(&format!(" Refusals (error codes): {}.", op.refusals.join(", ")));
    }
    d
}

/// The `{name}` segments of a path, each with the format its handler accepts; a value of
/// another shape is 404 (no such resource).
fn path_params(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            let schema = match name {
                "id" if path.starts_with("/api/v1/jobs/") || path.starts_with("/api/v1/rosters/") => {
                    json!({"type": "string", "minLength": 1})
                }
                "id" => json!({"type": "integer", "format": "int64"}),
                "personnel_code" => json!(schemas::personnel_code()),
                "code" if path.contains("practitioners/") => json!(schemas::personnel_code()),
                _ => json!(schemas::institution_code()),
            };
            json!({"name": name, "in": "path", "required": true, "schema": schema})
        })
        .collect()
}

/// A query parameter of an `IntoParams` type: an `Option` field is a parameter that may be
/// left out, never a `null` (a query string has none).
fn query_param(p: utoipa::openapi::path::Parameter) -> Value {
    let mut v = serde_json::to_value(p).unwrap_or(Value::Null);
    if let Some(Value::Array(types)) = v.pointer("/schema/type").cloned() {
        let kept: Vec<Value> = types.into_iter().filter(|t| t != "null").collect();
        if let Some(schema) = v.get_mut("schema") {
            schema["type"] = if kept.len() == 1 { kept[0].clone() } else { Value::Array(kept) };
        }
    }
    v
}

fn request_body(body: Body, op: &Op, components: &mut schemas::Components) -> Option<Value> {
    let content = match body {
        Body::None => return None,
        Body::Json | Body::Claims => {
            let schema = op.body.map_or(json!({"type": "object"}), |f| f(components));
            json!({"application/json": {"schema": schema}})
        }
        Body::Upload => {
            let file = json!({"schema": {"type": "string", "format": "binary"}});
            let mut m = Map::new();
            for ct in op.upload_types {
                m.insert((*ct).to_string(), file.clone());
            }
            Value::Object(m)
        }
    };
    Some(json!({"required": true, "content": content}))
}

fn responses(method: &str, path: &str, policy: Policy, body: Body, op: &Op) -> Value {
    let mut r = Map::new();
    let mut ok = json!({"description": "OK"});
    let content = op.answer.content();
    if !content.is_empty() {
        ok["content"] = Value::Object(content);
    }
    if !op.links.is_empty() {
        let links: Map<String, Value> = op
            .links
            .iter()
            .map(|l| {
                let params: Map<String, Value> =
                    l.parameters.iter().map(|(k, v)| ((*k).to_string(), json!(v))).collect();
                (l.name.to_string(), json!({"operationId": operation_id(l.method, l.path), "parameters": params}))
            })
            .collect();
        ok["links"] = Value::Object(links);
    }
    r.insert(op.status.to_string(), ok);
    if op.accepted {
        r.insert(
            "202".into(),
            json!({"description": "Started as a job (`async=true`): follow `GET /jobs/{id}`",
                "content": {"application/json": {"schema": {"type": "object", "required": ["job_id", "state", "url"],
                    "properties": {"job_id": {"type": "string"}, "state": {"type": "string"}, "url": {"type": "string"}}}}}}),
        );
    }
    let reads_input = body != Body::None || op.query.is_some() || !op.headers.is_empty() || path.contains('{');
    let writes = method != "GET";
    let mut errors: Vec<u16> = vec![405];
    if body != Body::None || op.query.is_some() {
        errors.push(400);
    }
    if let Policy::Token(_, scope) = policy {
        errors.extend([401, 403]);
        if path.contains('{') || body != Body::None || scope != Scope::None || op.not_found {
            errors.push(404);
        }
    } else if path.contains('{') {
        errors.push(404);
    }
    if writes && policy != Policy::Public {
        errors.push(409);
    }
    if body != Body::None {
        errors.extend([408, 413, 415]);
    }
    if reads_input {
        errors.push(422);
    }
    if path.starts_with("/api/v1/public/") {
        errors.push(429);
    }
    if writes || body == Body::Upload {
        errors.push(503);
    }
    errors.sort_unstable();
    errors.dedup();
    for e in errors {
        r.insert(e.to_string(), json!({"$ref": "#/components/responses/Error"}));
    }
    Value::Object(r)
}
