//! `POST /api/v1/links`: a signed `/start` link that ties whoever opens it to a platform user.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::json::ApiJson;
use super::{Api, ApiError};
use crate::domain::platform::{self, MAX_USER_ID_BYTES};
use crate::platform::MAX_LINK_LIFETIME;

/// A week, when the platform does not say.
const DEFAULT_EXPIRES_IN: i64 = 7 * 24 * 3600;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LinkBody {
    #[schema(pattern = "^[A-Za-z0-9._@-]{1,31}$")]
    user_id: String,
    /// Seconds, 60 up to 30 days; a week when absent.
    #[serde(default)]
    #[schema(minimum = 60, maximum = 2592000)]
    expires_in: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct LinkView {
    user_id: String,
    url: String,
    expires_at: String,
}

/// A signed `/start` link: whoever opens it in Telegram is linked to `user_id`.
#[utoipa::path(post, path = "/api/v1/links", tag = "links", request_body = LinkBody, security(("bearer" = [])),
    responses((status = 201, body = LinkView),
        super::openapi::Refusals,
        super::openapi::BodyRefusals,
        (status = 422, description = "a field is missing or wrong: invalid-params names it", body = super::openapi::Problem, content_type = "application/problem+json")))]
pub async fn create(State(api): State<Api>, ApiJson(body): ApiJson<LinkBody>) -> Result<Response, ApiError> {
    platform::external_id(&body.user_id, MAX_USER_ID_BYTES)
        .map_err(|err| ApiError::invalid("user_id", err.to_string()))?;
    let seconds = body.expires_in.unwrap_or(DEFAULT_EXPIRES_IN);
    if !(60..=MAX_LINK_LIFETIME.num_seconds()).contains(&seconds) {
        let detail = format!("expires_in is in seconds, from 60 to {}", MAX_LINK_LIFETIME.num_seconds());
        return Err(ApiError::invalid("expires_in", detail));
    }
    let (url, expires) =
        api.platform.link_for(&body.user_id, Duration::seconds(seconds)).ok_or(ApiError::NotConnected)?;
    let view = LinkView { user_id: body.user_id, url, expires_at: crate::store::stamp(expires) };
    Ok((axum::http::StatusCode::CREATED, axum::Json(view)).into_response())
}
