//! The schemas of the document: the request types' own (`ToSchema` derives beside each type),
//! the error body, and the identifier formats of `data/code_formats.toml`.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

/// `components.schemas`, filled as operations name their types.
#[derive(Default)]
pub struct Components {
    pub schemas: BTreeMap<String, Value>,
}

impl Components {
    /// Adds `T` and every type it names; answers `{"$ref": …}` to it.
    pub fn add<T: ToSchema>(&mut self) -> Value {
        let mut named: Vec<(String, RefOr<utoipa::openapi::Schema>)> = Vec::new();
        T::schemas(&mut named);
        named.push((T::name().into_owned(), <T as utoipa::PartialSchema>::schema()));
        for (name, schema) in named {
            self.schemas.insert(name, serde_json::to_value(schema).unwrap_or(Value::Null));
        }
        json!({"$ref": format!("#/components/schemas/{}", T::name())})
    }
}

/// The request schema of `T`, for [`super::Op::body`].
pub fn of<T: ToSchema>(c: &mut Components) -> Value {
    c.add::<T>()
}

/// Personnel codes (医保对应代码) of every category: 1–2 capital letters and 12 digits
/// (`data/code_formats.toml`; the server upper-cases them).
pub const PERSONNEL_CODE: &str = "^[A-Za-z]{1,2}[0-9]{12}$";
/// Institution codes: `H` (medical) or `P` (pharmacy), the 6-digit region, 5 digits.
pub const INSTITUTION_CODE: &str = "^[HPhp][0-9]{11}$";

/// Yuan, as a decimal string (`"128.50"`) or a JSON number; null or left out: none
/// (`service::eligibility::amount_of`). Used as `#[schema(schema_with = …)]`.
pub fn money() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{SchemaType, Type};
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Number, Type::Null]))
        .description(Some("yuan: a decimal string (\"128.50\") or a number"))
        .build()
}

pub fn personnel_code() -> Value {
    json!({"type": "string", "pattern": PERSONNEL_CODE})
}

pub fn institution_code() -> Value {
    json!({"type": "string", "pattern": INSTITUTION_CODE})
}

/// The error body of every 4xx (`http::error::body`). `field` and `row` are null when the
/// error is about no single field or row; `report` holds a refused upload's row report.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorDetail {
    /// Stable and machine-readable (`invalid_date`, `not_found`, …).
    code: String,
    message: String,
    message_zh: String,
    /// The offending field (`violations[0].items`), or null.
    #[schema(required = true)]
    field: Option<String>,
    /// The spreadsheet row as Excel numbers it (a JSON list's index for claim lines), or null.
    #[schema(required = true)]
    row: Option<u64>,
    #[schema(value_type = Option<Object>)]
    report: Option<Value>,
    request_id: Option<String>,
}
