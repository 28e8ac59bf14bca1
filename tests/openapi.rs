//! The OpenAPI document is generated from the code (`src/http/openapi/`); these check that the
//! committed `docs/openapi.json` is exactly that output and that the document holds together.
//! `tests/api.rs::openapi_matches_the_routes` checks it against the running server.

use std::collections::BTreeSet;

use serde_json::Value;

fn doc() -> &'static Value {
    jifen::http::openapi::document()
}

fn operations() -> Vec<(String, String, &'static Value)> {
    let mut out = Vec::new();
    for (path, ops) in doc()["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            out.push((method.to_uppercase(), path.clone(), op));
        }
    }
    out
}

#[test]
fn the_committed_document_is_the_generated_one() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.json")).unwrap();
    assert!(
        committed == jifen::http::openapi::pretty(),
        "docs/openapi.json is stale: run `cargo run --bin jifen -- openapi > docs/openapi.json`"
    );
}

#[test]
fn every_route_is_documented_once_with_a_unique_operation_id() {
    let documented: BTreeSet<(String, String)> = operations().into_iter().map(|(m, p, _)| (m, p)).collect();
    let served: BTreeSet<(String, String)> = jifen::http::routes::ROUTES
        .iter()
        .map(|r| (r.method.to_string(), r.path.strip_prefix("/api/v1").unwrap_or(r.path).to_string()))
        .collect();
    assert_eq!(documented, served);
    let ids: Vec<&str> = operations().iter().map(|(_, _, op)| op["operationId"].as_str().unwrap()).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "operation ids repeat");
    for (method, path, op) in operations() {
        let summary = op["summary"].as_str().unwrap_or("");
        assert!(!summary.is_empty(), "{method} {path} has no entry in src/http/openapi/table.rs");
    }
}

#[test]
fn the_error_body_declares_field_and_row_nullable_and_present() {
    let detail = &doc()["components"]["schemas"]["ErrorDetail"];
    for name in ["field", "row"] {
        let types = detail["properties"][name]["type"].as_array().unwrap_or_else(|| panic!("{name}: {detail}"));
        assert!(types.contains(&Value::from("null")), "{name} must be nullable: {detail}");
        assert!(detail["required"].as_array().unwrap().contains(&Value::from(name)), "{name} is always sent");
    }
    for (method, path, op) in operations() {
        for (status, answer) in op["responses"].as_object().unwrap() {
            if status.starts_with('4') {
                assert_eq!(answer["$ref"], "#/components/responses/Error", "{method} {path} {status}");
            }
        }
    }
}

#[test]
fn bodies_parameters_and_security_follow_the_route_table() {
    for route in jifen::http::routes::ROUTES {
        let path = route.path.strip_prefix("/api/v1").unwrap_or(route.path);
        let op = &doc()["paths"][path][route.method.to_lowercase()];
        let has_body = route.body != jifen::http::routes::Body::None;
        assert_eq!(op["requestBody"].is_object(), has_body, "{} {path}", route.method);
        let public = route.policy == jifen::http::routes::Policy::Public;
        assert_eq!(op["security"] == serde_json::json!([]), public, "{} {path}", route.method);
        for name in path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))) {
            let declared =
                op["parameters"].as_array().into_iter().flatten().any(|p| p["name"] == name && p["in"] == "path");
            assert!(declared, "{} {path}: path parameter {name}", route.method);
        }
        assert!(op["responses"]["405"].is_object(), "{} {path} documents 405", route.method);
        if has_body {
            for status in ["400", "413", "415", "422"] {
                assert!(op["responses"][status].is_object(), "{} {path} documents {status}", route.method);
            }
        }
        if !public {
            for status in ["401", "403"] {
                assert!(op["responses"][status].is_object(), "{} {path} documents {status}", route.method);
            }
        }
    }
}

#[test]
fn every_reference_and_link_resolves() {
    let text = doc().to_string();
    let schemas = doc()["components"]["schemas"].as_object().unwrap();
    for (i, _) in text.match_indices("#/components/schemas/") {
        let rest = &text[i + "#/components/schemas/".len()..];
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        assert!(schemas.contains_key(&name), "no schema {name}");
    }
    let ids: BTreeSet<String> =
        operations().iter().map(|(_, _, op)| op["operationId"].as_str().unwrap().to_string()).collect();
    let mut links = 0;
    for (method, path, op) in operations() {
        for answer in op["responses"].as_object().unwrap().values() {
            for (name, link) in answer["links"].as_object().into_iter().flatten() {
                links += 1;
                let target = link["operationId"].as_str().unwrap();
                assert!(ids.contains(target), "{method} {path}: link {name} to {target}");
            }
        }
    }
    assert!(links >= 10, "the stateful tests follow the links: {links}");
}

#[test]
fn dates_and_identifiers_carry_their_formats() {
    let schemas = &doc()["components"]["schemas"];
    assert_eq!(schemas["NewInspection"]["properties"]["inspected_on"]["format"], "date");
    assert_eq!(schemas["NewRegistration"]["properties"]["registered_on"]["format"], "date");
    assert!(schemas["NewRegistration"]["properties"]["id_number"]["pattern"].is_string());
    assert!(schemas["NewRegistration"]["properties"]["personnel_code"]["pattern"].is_string());
    assert!(schemas["NewInstitution"]["properties"]["code"]["pattern"].is_string());
    // An optional date may be left empty (the server reads "" as none).
    let until = &schemas["SuspendInstitution"]["properties"]["until"];
    assert!(until["pattern"].as_str().unwrap().ends_with(")?$"), "{until}");
    assert_eq!(doc()["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
}
