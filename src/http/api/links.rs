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

#[derive(Deserialize)]
pub struct LinkBody {
    user_id: String,
    /// Seconds, 60 up to 30 days.
    #[serde(default)]
    expires_in: Option<i64>,
}

#[derive(Serialize)]
struct LinkView {
    user_id: String,
    url: String,
    expires_at: String,
}

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
