//! Telegram's webhook on the shared server: teloxide's axum handler behind a secret check of our
//! own, which compares in constant time (teloxide's does not) and answers a problem body.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use sha2::{Digest, Sha256};

use super::problem::problem;
use crate::health::{Health, Role};

pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// teloxide's webhook router (made by `axum_no_setup`) and the secret it expects.
pub struct WebhookRoute {
    pub router: Router,
    pub secret: String,
}

impl WebhookRoute {
    pub(super) fn into_router(self, health: Arc<Health>) -> Router {
        let digest: [u8; 32] = Sha256::digest(self.secret.as_bytes()).into();
        self.router
            .route_layer(middleware::from_fn_with_state(health, only_the_leader))
            .route_layer(middleware::from_fn_with_state(digest, check_secret))
    }
}

/// A standby takes no update: it would sit in a channel nobody reads. Telegram keeps an update
/// it got no 2xx for and tries again, so it reaches the leader once the proxy sends it there.
async fn only_the_leader(State(health): State<Arc<Health>>, request: Request, next: Next) -> Response {
    match health.role() {
        Role::Standby => {
            problem(StatusCode::SERVICE_UNAVAILABLE, "this instance is a standby; the leader takes the updates", None)
        }
        Role::Leader | Role::Single => next.run(request).await,
    }
}

/// A request without the right secret is refused before teloxide sees it: not parsed, not
/// handled.
async fn check_secret(State(digest): State<[u8; 32]>, request: Request, next: Next) -> Response {
    let offered = request.headers().get(SECRET_HEADER).map(|v| Sha256::digest(v.as_bytes()));
    match offered {
        Some(offered) if offered.as_slice() == digest => next.run(request).await,
        Some(_) => problem(StatusCode::UNAUTHORIZED, "the secret token is not this bot's", Some(SECRET_HEADER)),
        None => problem(StatusCode::UNAUTHORIZED, "the secret token header is missing", Some(SECRET_HEADER)),
    }
}
