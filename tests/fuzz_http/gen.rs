//! The requests of `tests/fuzz_http.rs`: path parameters, queries and JSON bodies made from
//! the route's operation in `docs/openapi.json` (mostly plausible, often hostile), and uploads
//! mutated from the repository's fixtures.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::{json, Map, Value};

/// What the seeded database holds, for requests to name.
pub struct Context {
    pub people: Vec<String>,
    pub institutions: Vec<String>,
}

/// Strings that break handlers more often than random ones.
const HOSTILE: [&str; 19] = [
    "",
    " ",
    "\u{0}",
    "\u{1b}[31m",
    "null",
    "-1",
    "0",
    "99999999999999999999999999",
    "79228162514264337593543950335",
    "1e400",
    "9999-12-31",
    "0000-00-00",
    "2024-02-30",
    "２０２４－０６－０１",
    "'; DROP TABLE facts; --",
    "../../etc/passwd",
    "\u{202e}\u{feff}张三",
    "=HYPERLINK(\"x\")",
    "\u{10ffff}",
];

fn hostile_string(rng: &mut StdRng) -> String {
    match rng.gen_range(0..4) {
        0 => HOSTILE.choose(rng).copied().unwrap_or("").to_string(),
        1 => "长".repeat(rng.gen_range(1..3000)),
        2 => (0..rng.gen_range(0..40)).map(|_| char::from_u32(rng.gen_range(0..0x3_0000)).unwrap_or('?')).collect(),
        _ => format!("{}", rng.gen::<i64>()),
    }
}

fn date(rng: &mut StdRng) -> String {
    if rng.gen_bool(0.8) {
        format!("20{:02}-{:02}-{:02}", rng.gen_range(23..27), rng.gen_range(1..13), rng.gen_range(1..29))
    } else {
        hostile_string(rng)
    }
}

/// A plausible string for a property, by its name.
fn plausible(name: &str, ctx: &Context, rng: &mut StdRng) -> String {
    match name {
        n if n.contains("institution") || n == "code" => ctx.institutions.choose(rng).cloned().unwrap_or_default(),
        n if n.contains("personnel") => ctx.people.choose(rng).cloned().unwrap_or_default(),
        "id_number" => format!("37081119800101{:04}", rng.gen_range(0..10_000)),
        "amount" | "fund_loss" => format!("{}.{:02}", rng.gen_range(0..100_000), rng.gen_range(0..100)),
        "items" => ["1.1", "2.3", "3.1", "4.1", "挂床住院"].choose(rng).copied().unwrap_or("1.1").to_string(),
        _ => ["张三", "复核", "x", "内科", "2024", "medical"].choose(rng).copied().unwrap_or("x").to_string(),
    }
}

/// A value for `schema` (following `$ref`), plausible most of the time.
fn value(spec: &Value, schema: &Value, name: &str, ctx: &Context, rng: &mut StdRng, depth: usize) -> Value {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let target = r.trim_start_matches("#/components/schemas/");
        return value(spec, &spec["components"]["schemas"][target], name, ctx, rng, depth);
    }
    if depth > 4 || rng.gen_bool(0.08) {
        return wrong(rng);
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        if rng.gen_bool(0.85) {
            return options.choose(rng).cloned().unwrap_or(Value::Null);
        }
    }
    match schema.get("type").and_then(Value::as_str).unwrap_or("object") {
        "string" if schema.get("format").and_then(Value::as_str) == Some("date") => json!(date(rng)),
        "string" if rng.gen_bool(0.8) => json!(plausible(name, ctx, rng)),
        "string" => json!(hostile_string(rng)),
        "integer" => json!([0, 1, 12, 60, 90, -1, i64::MAX, rng.gen_range(-5..200)].choose(rng)),
        "number" => json!([0.5, 85.5, 1e300, -0.0].choose(rng)),
        "boolean" => json!(rng.gen_bool(0.5)),
        "array" => {
            let len = if rng.gen_bool(0.05) { rng.gen_range(190..260) } else { rng.gen_range(0..4) };
            let items = &schema["items"];
            Value::Array((0..len).map(|_| value(spec, items, name, ctx, rng, depth + 1)).collect())
        }
        _ => object(spec, schema, ctx, rng, depth + 1),
    }
}

/// An object of the schema's properties: the required ones mostly there, others sometimes,
/// and now and then a field no schema names.
fn object(spec: &Value, schema: &Value, ctx: &Context, rng: &mut StdRng, depth: usize) -> Value {
    let required: Vec<&str> =
        schema["required"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let mut out = Map::new();
    if let Some(props) = schema["properties"].as_object() {
        for (name, prop) in props {
            let keep = if required.contains(&name.as_str()) { 0.93 } else { 0.4 };
            if rng.gen_bool(keep) {
                out.insert(name.clone(), value(spec, prop, name, ctx, rng, depth));
            }
        }
    }
    if rng.gen_bool(0.05) {
        out.insert(hostile_string(rng), wrong(rng));
    }
    Value::Object(out)
}

/// A value of a type nobody asked for.
fn wrong(rng: &mut StdRng) -> Value {
    match rng.gen_range(0..6) {
        0 => Value::Null,
        1 => json!(rng.gen::<bool>()),
        2 => json!(rng.gen::<f64>() * 1e20),
        3 => json!([hostile_string(rng)]),
        4 => json!({"": hostile_string(rng)}),
        _ => json!(hostile_string(rng)),
    }
}

/// A JSON body for an operation: from its schema, or (one time in five) broken JSON, another
/// top-level type, deep nesting, or nothing.
pub fn json_body(spec: &Value, op: Option<&Value>, ctx: &Context, rng: &mut StdRng) -> (Vec<u8>, String) {
    let schema = op.map(|op| &op["requestBody"]["content"]["application/json"]["schema"]).unwrap_or(&Value::Null);
    let ctype = ["application/json", "application/json; charset=utf-8", "", "text/plain", "application/x+json"];
    let ctype = if rng.gen_bool(0.9) { ctype[0] } else { ctype.choose(rng).copied().unwrap_or("") }.to_string();
    let good = serde_json::to_vec(&value(spec, schema, "", ctx, rng, 0)).unwrap_or_default();
    let body = match rng.gen_range(0..25) {
        0 => good[..rng.gen_range(0..=good.len())].to_vec(),
        1 => "[".repeat(rng.gen_range(100..20_000)).into_bytes(),
        2 => Vec::new(),
        3 => serde_json::to_vec(&wrong(rng)).unwrap_or_default(),
        4 => {
            let mut b = good;
            for _ in 0..rng.gen_range(1..4) {
                if !b.is_empty() {
                    let at = rng.gen_range(0..b.len());
                    b[at] = rng.gen();
                }
            }
            b
        }
        _ => good,
    };
    (body, ctype)
}

/// Files an upload route may get: the sheet fixtures, the calendars, and the TOML pack.
pub fn upload_seeds() -> Vec<Vec<u8>> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut out = Vec::new();
    for dir in ["tests/fixtures/sheets", "tests/fixtures", "tests/fixtures/fuzz", "data/calendar"] {
        let Ok(entries) = std::fs::read_dir(format!("{root}/{dir}")) else { continue };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect();
        paths.sort();
        out.extend(
            paths.into_iter().filter(|p| !p.to_string_lossy().ends_with(".py")).filter_map(|p| std::fs::read(p).ok()),
        );
    }
    out
}

/// An upload: a fixture, mutated or not, sent as itself or inside a multipart form.
pub fn upload(path: &str, files: &[Vec<u8>], rng: &mut StdRng) -> (Vec<u8>, String) {
    let mut b = files.choose(rng).cloned().unwrap_or_default();
    if path.contains("calendar") && rng.gen_bool(0.5) {
        b = format!("year = {}\nholidays = [\"{}-01-01\"]\n", rng.gen_range(1990..2110), rng.gen_range(1990..2110))
            .into_bytes();
    }
    for _ in 0..rng.gen_range(0..6) {
        if b.is_empty() {
            break;
        }
        let at = rng.gen_range(0..b.len());
        match rng.gen_range(0..4) {
            0 => b[at] = rng.gen(),
            1 => b.truncate(at.max(1)),
            2 => b.insert(at, [b'"', b',', b'\n', b'\t', 0, 0xff][rng.gen_range(0..6)]),
            _ => {
                b.remove(at);
            }
        }
    }
    let types = ["text/csv", "application/octet-stream", "application/vnd.ms-excel", "application/toml", ""];
    if rng.gen_bool(0.2) {
        let boundary = "fuzzBOUNDARY";
        let mut form = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .into_bytes();
        form.extend(b);
        if rng.gen_bool(0.8) {
            form.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
        }
        return (form, format!("multipart/form-data; boundary={boundary}"));
    }
    (b, types.choose(rng).copied().unwrap_or("").to_string())
}

/// The route's path with its parameters filled: mostly what the database holds.
pub fn fill_path(pattern: &str, ctx: &Context, rng: &mut StdRng) -> String {
    let mut out = String::new();
    for seg in pattern.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        let value = match seg {
            "{code}" | "{institution_code}" if rng.gen_bool(0.85) => {
                ctx.institutions.choose(rng).cloned().unwrap_or_default()
            }
            "{personnel_code}" if rng.gen_bool(0.85) => ctx.people.choose(rng).cloned().unwrap_or_default(),
            "{id}" if rng.gen_bool(0.85) => rng.gen_range(1..8).to_string(),
            s if s.starts_with('{') => ["0", "-1", "x", "%00", "%E5%BC%A0", "99999999999999999999", "1.5"]
                .choose(rng)
                .copied()
                .unwrap_or("x")
                .to_string(),
            s => s.to_string(),
        };
        out.push_str(&value);
    }
    out
}

/// A query string from the operation's query parameters (never `run_async`: the run's
/// `verify` must not race a background job).
pub fn query(op: &Value, rng: &mut StdRng) -> String {
    let Some(params) = op["parameters"].as_array() else { return String::new() };
    let mut parts = Vec::new();
    for p in params.iter().filter(|p| p["in"] == "query" && p["name"] != "run_async") {
        if rng.gen_bool(0.5) {
            let name = p["name"].as_str().unwrap_or("");
            let v = match p["schema"]["type"].as_str() {
                Some("integer") => {
                    ["0", "1", "5", "-1", "x", "99999999999999999999"].choose(rng).copied().unwrap_or("1")
                }
                Some("boolean") => ["true", "false", "1", "yes"].choose(rng).copied().unwrap_or("true"),
                _ => ["true", "false", "snapshot", "incremental", "1", "", "%00", "%FF"]
                    .choose(rng)
                    .copied()
                    .unwrap_or(""),
            };
            parts.push(format!("{name}={v}"));
        }
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}
