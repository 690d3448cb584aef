//! `/j/<token>`: a listener's Join button for a service that reports no attendance. Counts the
//! press and sends the browser on to the meeting. A token the bot never handed out is 404, the
//! same answer as a path that does not exist, so guessing learns nothing.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::Probes;
use super::problem::problem;
use crate::domain::attendance::JoinTokens;
use crate::store::attendance::AttendanceStore;
use crate::store::{Events, StoreError};

pub async fn redirect(State(probes): State<Arc<Probes>>, Path(token): Path<String>) -> Response {
    match press(&probes, &token).await {
        Ok(Some(to)) => (
            StatusCode::FOUND,
            [
                (header::LOCATION, to),
                // Each press must reach the bot, and the meeting's page need not learn the token.
                (header::CACHE_CONTROL, "no-store".to_owned()),
                (header::REFERRER_POLICY, "no-referrer".to_owned()),
            ],
        )
            .into_response(),
        Ok(None) => problem(StatusCode::NOT_FOUND, "no such link", Some("token")),
        Err(Gone) => problem(StatusCode::GONE, "the class was cancelled or has no meeting link now", None),
    }
}

/// The class is cancelled or its meeting link was removed.
struct Gone;

async fn press(probes: &Probes, token: &str) -> Result<Option<String>, Gone> {
    if !JoinTokens::well_formed(token) {
        return Ok(None);
    }
    let store = AttendanceStore::new(probes.pool.clone());
    let Some((event, user)) = store.link_owner(&JoinTokens::hash(token)).await.map_err(logged)? else {
        return Ok(None);
    };
    let event = Events::new(probes.pool.clone()).get(event).await.map_err(logged)?.ok_or(Gone)?;
    let to = event.join_url().filter(|_| event.is_planned()).ok_or(Gone)?.to_owned();
    // A press that cannot be recorded still lets the listener in: the class matters more.
    if let Err(err) = store.record_press(event.id, user, probes.clock.now()).await {
        tracing::warn!(%err, event = %event.id, "a Join press was not recorded");
    }
    Ok(Some(to))
}

/// A database that does not answer: the listener is told the link does not work now, and the
/// log says why.
fn logged(err: StoreError) -> Gone {
    tracing::error!(%err, "the Join redirect could not read the database");
    Gone
}
