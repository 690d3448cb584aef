//! `/metrics`: the counters kept as things happen, plus the outbox, the dialogues and the
//! readiness checks read from the database at scrape time.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::Probes;
use super::problem::problem;
use crate::metrics::StoredFigures;

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

pub async fn scrape(State(probes): State<Arc<Probes>>, headers: HeaderMap) -> Response {
    if let Some(token) = &probes.metrics_token
        && let Some(refusal) = refusal(&headers, token)
    {
        return refusal;
    }
    // Fills the `webinar_ready` gauges.
    super::ready::assess(&probes).await;
    probes.metrics.set_role(probes.health.role());
    match stored(&probes).await {
        Ok(figures) => probes.metrics.set_stored(&figures),
        // The counters are still worth reading; the readiness gauges say the database is down.
        Err(err) => tracing::warn!(%err, "metrics: could not read the outbox or the dialogues"),
    }
    match probes.metrics.encode() {
        Some(text) => ([(header::CONTENT_TYPE, OPENMETRICS)], text).into_response(),
        None => problem(StatusCode::NOT_FOUND, "metrics are off", None),
    }
}

async fn stored(probes: &Probes) -> Result<StoredFigures, crate::store::StoreError> {
    let now = probes.clock.now();
    let outbox = probes.delivery.figures(now).await?;
    let dialogues = crate::store::dialogue::states_in_use(&probes.pool).await?;
    Ok(StoredFigures {
        oldest_due_seconds: outbox.oldest_due.map_or(0.0, |at| (now - at).num_milliseconds().max(0) as f64 / 1000.0),
        overdue_seconds: outbox.overdue.num_milliseconds().max(0) as f64 / 1000.0,
        outbox: outbox.rows,
        dialogues,
    })
}

/// The answer to a request without `Authorization: Bearer <METRICS_TOKEN>`; None when it has it.
/// The comparison is of digests, so its time says nothing about how much of the token was right.
fn refusal(headers: &HeaderMap, token: &str) -> Option<Response> {
    let refuse = |detail: &str| {
        let mut response = problem(StatusCode::UNAUTHORIZED, detail, Some("Authorization"));
        response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        response
    };
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Some(refuse("the Authorization header is missing; send Authorization: Bearer <METRICS_TOKEN>"));
    };
    let offered = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
    let Some(offered) = offered else {
        return Some(refuse("the Authorization header is not a Bearer token"));
    };
    if Sha256::digest(offered.as_bytes()) != Sha256::digest(token.as_bytes()) {
        return Some(refuse("the bearer token is not the METRICS_TOKEN"));
    }
    None
}
