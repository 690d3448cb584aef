//! Telegram's webhook on the shared server: teloxide's axum handler behind a secret check of our
//! own, which compares in constant time (teloxide's does not) and answers a problem body.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use sha2::{Digest, Sha256};

use super::problem::problem;

pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// teloxide's webhook router (made by `axum_no_setup`) and the secret it expects.
pub struct WebhookRoute {
    pub router: Router,
    pub secret: String,
}

impl WebhookRoute {
    pub(super) fn into_router(self) -> Router {
        let digest: [u8; 32] = Sha256::digest(self.secret.as_bytes()).into();
        self.router.route_layer(middleware::from_fn_with_state(digest, check_secret))
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
