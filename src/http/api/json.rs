//! A JSON body whose every failure is a problem naming the field: axum's own `Json` answers in
//! plain text and names nothing.

use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

use super::{ApiError, BODY_LIMIT};

pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, ApiError> {
        let json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                let v = v.trim();
                v.eq_ignore_ascii_case("application/json") || v.to_ascii_lowercase().ends_with("+json")
            });
        if !json {
            return Err(ApiError::UnsupportedMediaType { detail: "send the body as `Content-Type: application/json`" });
        }
        let bytes = axum::body::to_bytes(request.into_body(), BODY_LIMIT)
            .await
            .map_err(|_| ApiError::TooLarge { limit: BODY_LIMIT })?;
        parse(&bytes).map(ApiJson)
    }
}

/// Reads `bytes`; a broken document is a 400 naming the body, a missing or mistyped field a 422
/// naming it by its path (`[2].user_id`).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let broken = |err: serde_json::Error| ApiError::BadRequest {
        field: "body".to_owned(),
        detail: format!("the body is not valid JSON: {err}"),
    };
    let parsed = serde_path_to_error::deserialize(&mut reader);
    let value = parsed.map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = inner.to_string();
                // serde names a missing field only in its message, where the path stops above it.
                let field = match message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
                    Some(missing) if path == "." => missing.to_owned(),
                    Some(missing) => format!("{path}.{missing}"),
                    None if path == "." => "body".to_owned(),
                    None => path,
                };
                let detail = message.split(" at line ").next().unwrap_or(&message).to_owned();
                ApiError::invalid(field, detail)
            }
            _ => broken(inner),
        }
    })?;
    reader.end().map_err(broken)?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Person {
        user_id: String,
        name: Option<String>,
    }

    fn field(err: ApiError) -> (u16, String) {
        match err {
            ApiError::Invalid { field, .. } => (422, field),
            ApiError::BadRequest { field, .. } => (400, field),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(field(parse::<Person>(b"{").unwrap_err()), (400, "body".to_owned()));
        assert_eq!(field(parse::<Person>(b"{}").unwrap_err()), (422, "user_id".to_owned()));
        assert_eq!(
            field(parse::<Vec<Person>>(br#"[{"user_id":"a"},{"name":"b"}]"#).unwrap_err()),
            (422, "[1].user_id".to_owned())
        );
        assert_eq!(field(parse::<Person>(br#"{"user_id":5}"#).unwrap_err()), (422, "user_id".to_owned()));
    }
}
