//! The API's errors, each answered as RFC 9457 problem details naming the field.

use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::domain::platform::Scope;
use crate::http::problem::problem;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("the token's scope `{}` does not allow this; it needs `{}`", has.code(), needs.code())]
    Forbidden { has: Scope, needs: Scope },
    /// The body is not JSON at all (or not the media type).
    #[error("{detail}")]
    BadRequest { field: String, detail: String },
    /// JSON, but a field is missing or wrong.
    #[error("{detail}")]
    Invalid { field: String, detail: String },
    #[error("the body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("{detail}")]
    UnsupportedMediaType { detail: &'static str },
    #[error("too many requests for this token; try again in {retry_after} s")]
    TooManyRequests { retry_after: u64 },
    #[error("no {what} {id:?}")]
    NotFound { field: &'static str, what: &'static str, id: String },
    /// The request contradicts what exists (a field that cannot change, a cancelled event).
    #[error("{detail}")]
    Conflict { field: &'static str, detail: String },
    #[error("the administrator who made this token is no longer a user of the bot")]
    OwnerGone,
    /// The video service did not answer or is overloaded: trying again later may work.
    #[error("{0}")]
    ProviderUnavailable(String),
    #[error("the bot has not connected to Telegram yet; try again shortly")]
    NotConnected,
    #[error("the database does not answer; try again shortly")]
    Unavailable(#[source] StoreError),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::Invalid { field: field.into(), detail: detail.into() }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        ApiError::Unavailable(err)
    }
}

impl From<ApiError> for Response {
    fn from(err: ApiError) -> Response {
        err.into_response()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let detail = self.to_string();
        let (status, field) = match &self {
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, Some("Authorization".to_owned())),
            ApiError::Forbidden { .. } => (StatusCode::FORBIDDEN, Some("Authorization".to_owned())),
            ApiError::BadRequest { field, .. } => (StatusCode::BAD_REQUEST, Some(field.clone())),
            ApiError::Invalid { field, .. } => (StatusCode::UNPROCESSABLE_ENTITY, Some(field.clone())),
            ApiError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, Some("body".to_owned())),
            ApiError::UnsupportedMediaType { .. } => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("Content-Type".to_owned()))
            }
            ApiError::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, Some("Authorization".to_owned())),
            ApiError::NotFound { field, .. } => (StatusCode::NOT_FOUND, Some((*field).to_owned())),
            ApiError::Conflict { field, .. } => (StatusCode::CONFLICT, Some((*field).to_owned())),
            ApiError::OwnerGone => (StatusCode::FORBIDDEN, Some("Authorization".to_owned())),
            ApiError::ProviderUnavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, Some("provider".to_owned())),
            ApiError::NotConnected => (StatusCode::SERVICE_UNAVAILABLE, None),
            ApiError::Unavailable(err) => {
                // The cause stays in the log; the platform only needs to know to try again.
                tracing::error!(%err, "an API request could not reach the database");
                (StatusCode::SERVICE_UNAVAILABLE, None)
            }
        };
        let mut response = problem(status, &detail, field.as_deref());
        let headers = response.headers_mut();
        match &self {
            ApiError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"webinar-bot\""));
            }
            ApiError::TooManyRequests { retry_after } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            ApiError::NotConnected | ApiError::Unavailable(_) | ApiError::ProviderUnavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            _ => {}
        }
        response
    }
}

pub async fn not_found(uri: Uri) -> Response {
    problem(StatusCode::NOT_FOUND, &format!("nothing is served at {}", uri.path()), Some("path"))
}

pub async fn method_not_allowed() -> Response {
    problem(StatusCode::METHOD_NOT_ALLOWED, "this method is not served at this path", Some("method"))
}
