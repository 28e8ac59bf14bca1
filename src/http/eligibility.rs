use std::fmt;
use std::sync::atomic::Ordering;

use actix_web::{web, HttpResponse};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::body::Body;
use super::{json_body, State};
use crate::domain::limits::{control_character, is_forbidden_control};
use crate::error::{Error, Result};
use crate::service::eligibility::{ClaimLine, Screening};
use crate::service::Caller;

/// `POST /eligibility/check` (settlement, agency, admin). Answered from memory, no database;
/// each line is screened as it is parsed, so large batches keep only the answers.
pub async fn check(state: web::Data<State>, caller: Caller, body: Body) -> Result<HttpResponse> {
    let app = state.app.current();
    let mut screening = Screening::new(&app, &caller)?;
    let mut refused: Option<Error> = None;
    let mut de = serde_json::Deserializer::from_slice(&body.bytes);
    let parsed = RequestSeed { screening: &mut screening, refused: &mut refused }
        .deserialize(&mut de)
        .and_then(|seen_lines| de.end().map(|_| seen_lines));
    if let Some(e) = refused {
        return Err(e);
    }
    match parsed {
        Ok(true) => {}
        // Well-formed JSON without `lines`: the same 422 as any missing field.
        Ok(false) => return Err(json_body::<MissingLines>(b"{}").err().unwrap_or_else(missing_lines)),
        Err(_) => {
            // Let the ordinary reader classify the error (400 malformed, 422 wrong shape).
            return Err(json_body::<MissingLines>(&body.bytes).err().unwrap_or_else(missing_lines));
        }
    }
    let result = screening.finish();
    state.metrics.eligibility_lines.fetch_add(result.lines_checked as u64, Ordering::Relaxed);
    state.metrics.eligibility_refused.fetch_add(result.lines_refused as u64, Ordering::Relaxed);
    Ok(HttpResponse::Ok().json(result))
}

/// The request's shape, for error messages and the OpenAPI document.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[schema(as = EligibilityCheck)]
#[allow(dead_code)]
pub(crate) struct MissingLines {
    lines: Vec<ClaimLine>,
}

fn missing_lines() -> Error {
    Error::invalid("invalid_body", "lines", "the body needs a 'lines' array", "请求内容应包含 lines 数组")
}

/// `{"lines": [...]}` read with each line handed to the screening. Yields whether `lines` was seen.
struct RequestSeed<'s, 'a> {
    screening: &'s mut Screening<'a>,
    refused: &'s mut Option<Error>,
}

impl<'de> DeserializeSeed<'de> for RequestSeed<'_, '_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RequestSeed<'_, '_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with a 'lines' array")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut seen = false;
        while let Some(key) = map.next_key::<std::borrow::Cow<str>>()? {
            if key == "lines" && !seen {
                seen = true;
                map.next_value_seed(LinesSeed { screening: &mut *self.screening, refused: &mut *self.refused })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(seen)
    }
}

struct LinesSeed<'s, 'a> {
    screening: &'s mut Screening<'a>,
    refused: &'s mut Option<Error>,
}

impl<'de> DeserializeSeed<'de> for LinesSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for LinesSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of claim lines")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut k = 0usize;
        while let Some(line) = seq.next_element::<ClaimLine>()? {
            let fields = [("personnel_code", &line.personnel_code), ("institution_code", &line.institution_code)];
            if let Some((name, _)) = fields.iter().find(|(_, v)| v.chars().any(is_forbidden_control)) {
                *self.refused = Some(control_character(&format!("lines[{k}].{name}")));
                return Err(de::Error::custom("line refused"));
            }
            k += 1;
            if let Err(e) = self.screening.push(&line) {
                *self.refused = Some(e);
                return Err(de::Error::custom("line refused"));
            }
        }
        Ok(())
    }
}
