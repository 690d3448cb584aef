//! `/api/v1`: the learning platform's API. Every request carries a bearer token an administrator
//! made with `/api`; each area of routes is guarded by the scope it needs (reads need `read`),
//! each token has a rate limit, bodies are bounded, and every error is a problem-details body
//! naming the part of the request that was wrong. A database that fails is a 503, never a 500.

mod error;
mod events;
mod groups;
mod json;
mod limit;
mod links;
mod openapi;
mod report;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{post, put};

pub use error::ApiError;

use crate::domain::platform::Scope;
use crate::platform::PlatformService;
use crate::store::platform::ApiToken;

/// The largest body accepted: a roster of a few hundred people fits.
pub const BODY_LIMIT: usize = 64 * 1024;

/// What the handlers share.
#[derive(Clone)]
pub struct Api {
    platform: PlatformService,
    limiter: Arc<limit::RateLimiter>,
}

/// The token a request was authenticated with, for the handlers behind the guard.
#[derive(Clone, Debug)]
pub struct Caller(pub ApiToken);

/// The routes, each token allowed `rate` requests a second in bursts of twice as many.
pub fn router(platform: PlatformService, rate: u32) -> Router {
    let limiter = limit::RateLimiter::new(f64::from(rate), f64::from(rate) * 2.0);
    let api = Api { platform, limiter: Arc::new(limiter) };
    let groups = Router::new()
        .route("/groups/{external_id}", put(groups::put_group).get(groups::get_group))
        .route("/groups/{external_id}/members", put(groups::put_members).get(groups::get_members))
        .route("/links", post(links::create))
        .route_layer(middleware::from_fn_with_state((api.clone(), Scope::Groups), guard));
    let events = Router::new()
        .route("/events/{external_id}", put(events::put_event).get(events::get_event).delete(events::delete_event))
        .route("/events/{external_id}/report", axum::routing::get(report::get_report))
        .route_layer(middleware::from_fn_with_state((api.clone(), Scope::Events), guard));
    Router::new()
        .route("/openapi.json", axum::routing::get(openapi::document))
        .merge(groups)
        .merge(events)
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(api)
}

/// The guard of an area of routes that writes with `writes` scope: the token must work, have
/// requests left in its budget, and permit the method (a read needs only `read`).
async fn guard(State((api, writes)): State<(Api, Scope)>, mut request: Request, next: Next) -> Response {
    let token = match bearer(&request) {
        Some(token) => token.to_owned(),
        None => return ApiError::Unauthorized("send the token as `Authorization: Bearer wbt_…`").into(),
    };
    let caller = match api.platform.authenticate(&token).await {
        Ok(Some(caller)) => caller,
        Ok(None) => return ApiError::Unauthorized("the token is unknown or was revoked").into(),
        Err(err) => return ApiError::from(err).into(),
    };
    if let Err(retry_after) = api.limiter.take(caller.id) {
        return ApiError::TooManyRequests { retry_after }.into();
    }
    let needed = if matches!(*request.method(), Method::GET | Method::HEAD) { Scope::Read } else { writes };
    if !caller.scope.permits(needed) {
        return ApiError::Forbidden { has: caller.scope, needs: needed }.into();
    }
    request.extensions_mut().insert(Caller(caller));
    next.run(request).await
}

fn bearer(request: &Request) -> Option<&str> {
    let value = request.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (kind, token) = value.split_once(' ')?;
    kind.eq_ignore_ascii_case("bearer").then_some(token.trim())
}
