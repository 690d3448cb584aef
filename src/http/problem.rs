//! Errors as RFC 9457 problem details: a JSON body that names what was wrong, never a bare 500.

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A problem with the request, naming the part of it (a header, a path) that was wrong.
pub fn problem(status: StatusCode, detail: &str, field: Option<&str>) -> Response {
    let mut body = json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    if let Some(field) = field {
        body["invalid-params"] = json!([{ "name": field, "reason": detail }]);
    }
    (status, [(header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response()
}

pub async fn not_found(uri: Uri) -> Response {
    problem(StatusCode::NOT_FOUND, &format!("nothing is served at {}", uri.path()), Some("path"))
}
