//! One error type mapped to HTTP. A client error shows its code, field and row in English
//! and Chinese; anything else is logged with its cause and answered as a bare 500 with the
//! request id.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

use crate::error::{ClientError, Error, Kind};

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        match self {
            Error::Client(c) => match c.kind {
                Kind::BadRequest => StatusCode::BAD_REQUEST,
                Kind::Unauthorized => StatusCode::UNAUTHORIZED,
                Kind::Forbidden => StatusCode::FORBIDDEN,
                Kind::NotFound => StatusCode::NOT_FOUND,
                Kind::Conflict => StatusCode::CONFLICT,
                Kind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
                Kind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                Kind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
                Kind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Kind::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
                Kind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
                Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            },
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Error::Client(c) => {
                let mut res = HttpResponse::build(self.status_code());
                if let Some(secs) = c.retry_after {
                    res.insert_header(("Retry-After", secs.to_string()));
                }
                res.json(body(c))
            }
            Error::Internal(cause) => {
                // Logged inside the request's span, which carries the request id; the
                // middleware adds the id to the body. The cause never reaches the client.
                tracing::error!(error = %format!("{cause:#}"), "internal error");
                HttpResponse::InternalServerError().json(internal_body(""))
            }
        }
    }
}

pub fn body(c: &ClientError) -> serde_json::Value {
    let mut error = json!({
        "code": c.code,
        "message": c.message,
        "message_zh": c.message_zh,
        "field": c.field,
        "row": c.row,
    });
    if let (Some(report), Some(map)) = (&c.report, error.as_object_mut()) {
        map.insert("report".into(), (**report).clone());
    }
    json!({ "error": error })
}

pub fn bad_request(code: &'static str, message: String, message_zh: String) -> Error {
    Error::Client(ClientError::new(Kind::BadRequest, code, message, message_zh))
}

pub fn unauthorized() -> Error {
    Error::Client(ClientError::new(
        Kind::Unauthorized,
        "unauthorized",
        "a valid bearer token is required",
        "需要有效的访问令牌（Bearer token）",
    ))
}

pub fn internal_body(request_id: &str) -> serde_json::Value {
    json!({
        "error": {
            "code": "internal",
            "message": "internal error",
            "message_zh": "服务器内部错误",
            "field": null,
            "row": null,
            "request_id": request_id,
        }
    })
}
