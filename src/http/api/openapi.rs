//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers' annotations and served
//! at `/api/v1/openapi.json` without a token (it holds no data).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{events, groups, links, report};

/// RFC 9457 problem details, as every error is answered.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    detail: String,
    /// The part of the request that was wrong: a JSON path (`[2].user_id`), a header, `body`.
    #[serde(rename = "invalid-params")]
    invalid_params: Option<Vec<InvalidParam>>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct InvalidParam {
    name: String,
    reason: String,
}

/// The platform's id of a group, in a path.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[expect(dead_code, reason = "only its OpenAPI description is used: the handlers take the path as a string")]
pub struct GroupId {
    /// The platform's id: 1-64 of `A-Za-z0-9._-@`.
    #[param(pattern = "^[A-Za-z0-9._@-]{1,64}$", example = "g1")]
    external_id: String,
}

/// The platform's id of an event, in a path.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[expect(dead_code, reason = "only its OpenAPI description is used: the handlers take the path as a string")]
pub struct EventId {
    /// The platform's id: 1-64 of `A-Za-z0-9._-@`.
    #[param(pattern = "^[A-Za-z0-9._@-]{1,64}$", example = "e1")]
    external_id: String,
}

/// The answers any request may get, whatever it asks.
#[derive(utoipa::IntoResponses)]
#[expect(dead_code, reason = "only its OpenAPI description is used: ApiError makes these answers")]
pub enum Refusals {
    #[response(status = 401, description = "no working token", content_type = "application/problem+json")]
    Unauthorized(Problem),
    #[response(
        status = 403,
        description = "the token's scope does not allow this",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
    #[response(
        status = 429,
        description = "too many requests: see Retry-After",
        content_type = "application/problem+json"
    )]
    TooMany(Problem),
    #[response(
        status = 503,
        description = "the database or the service does not answer: try again",
        content_type = "application/problem+json"
    )]
    Unavailable(Problem),
}

/// The answers to a body that is not JSON of a size the API takes.
#[derive(utoipa::IntoResponses)]
#[expect(dead_code, reason = "only its OpenAPI description is used: ApiJson makes these answers")]
pub enum BodyRefusals {
    #[response(status = 400, description = "the body is not JSON", content_type = "application/problem+json")]
    NotJson(Problem),
    #[response(status = 413, description = "the body is over 64 KiB", content_type = "application/problem+json")]
    TooLarge(Problem),
    #[response(
        status = 415,
        description = "the body is not application/json",
        content_type = "application/problem+json"
    )]
    NotJsonType(Problem),
}

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token an administrator issued with /api in the bot (wbt_…)"))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "webinar-bot: the learning platform's API", version = "1"),
    paths(
        groups::put_group,
        groups::get_group,
        groups::put_members,
        groups::get_members,
        links::create,
        events::put_event,
        events::get_event,
        events::delete_event,
        report::get_report,
    ),
    components(schemas(Problem, InvalidParam)),
    modifiers(&BearerToken),
    tags(
        (name = "groups", description = "listener groups that follow the platform's rosters"),
        (name = "links", description = "signed /start links that tie a Telegram account to a platform user"),
        (name = "events", description = "classes: created, changed and cancelled as in the dialogue"),
    )
)]
struct ApiDoc;

/// The document as JSON.
pub fn json() -> String {
    ApiDoc::openapi().to_json().unwrap_or_else(|_| "{}".to_owned())
}

pub async fn document() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], json()).into_response()
}
