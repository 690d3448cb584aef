//! The one HTTP server: `/healthz`, `/readyz`, `/metrics`, the Join redirect `/j/<token>`, the
//! learning platform's API under `/api/v1` and, with `WEBHOOK_URL`, Telegram's webhook. Started with the bot (before Telegram answers, so an
//! orchestrator sees "alive, not ready" while it connects) and stopped with it.

pub mod api;
mod join;
mod metrics;
pub(crate) mod problem;
pub mod ready;
mod webhook;

use std::net::SocketAddr;
use std::sync::Arc;

use crate::store::Db;
use axum::Router;
use axum::routing::get;
use tokio_util::sync::CancellationToken;

use crate::clock::SharedClock;
use crate::config::ConfigError;
use crate::delivery::Delivery;
use crate::health::{Health, ReadyLimits};
use crate::metrics::Metrics;

pub use ready::{Check, Readiness, UpdatesVia};
pub use webhook::WebhookRoute;

/// What the endpoints look at; built once in `app`.
pub struct Probes {
    pub pool: Db,
    pub delivery: Delivery,
    pub health: Arc<Health>,
    pub metrics: Metrics,
    pub clock: SharedClock,
    pub limits: ReadyLimits,
    pub via: UpdatesVia,
    pub metrics_token: Option<String>,
    /// The learning platform's API under `/api/v1`.
    pub platform: crate::platform::PlatformService,
    /// Requests a second per API token.
    pub api_rate: u32,
}

/// A running server.
pub struct Server {
    /// The address it listens on (the port is chosen by the system for `:0`).
    pub addr: SocketAddr,
    pub task: tokio::task::JoinHandle<()>,
}

/// Binds `addr` and serves until `shutdown` is cancelled. A port already taken stops the start
/// with the variable named.
pub async fn start(
    addr: SocketAddr,
    probes: Arc<Probes>,
    webhook: Option<WebhookRoute>,
    shutdown: CancellationToken,
) -> Result<Server, ConfigError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|err| ConfigError::new("HTTP_ADDR", format!("cannot listen on {addr}: {err}")))?;
    let addr = listener.local_addr().map_err(|err| ConfigError::new("HTTP_ADDR", err.to_string()))?;
    let app = router(probes, webhook);
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app).with_graceful_shutdown(shutdown.cancelled_owned()).await;
        if let Err(err) = served {
            tracing::error!(%err, "the HTTP server stopped");
        }
    });
    tracing::info!(%addr, "HTTP server listening");
    Ok(Server { addr, task })
}

fn router(probes: Arc<Probes>, webhook: Option<WebhookRoute>) -> Router {
    let health = probes.health.clone();
    let api = api::router(probes.platform.clone(), probes.api_rate);
    let mut app = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(ready::readyz))
        .route("/metrics", get(metrics::scrape))
        .route("/j/{token}", get(join::redirect))
        .with_state(probes)
        .nest("/api/v1", api)
        .fallback(problem::not_found);
    if let Some(webhook) = webhook {
        app = app.merge(webhook.into_router(health));
    }
    app
}

/// The process answers: nothing more is checked.
async fn healthz() -> &'static str {
    "ok\n"
}
