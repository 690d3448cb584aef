//! `/api/v1/groups/{external_id}` and its members: listener groups that follow the platform's
//! rosters. Both PUTs are idempotent: the same body again changes nothing and answers the same.

use std::collections::HashSet;

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::json::ApiJson;
use super::{Api, ApiError, Caller};
use crate::domain::group::{FullName, GroupName, Organisation};
use crate::domain::platform::{self, MAX_EXTERNAL_ID_CHARS, MAX_USER_ID_BYTES};
use crate::store::platform::{GroupPut, RosterEntry};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct GroupBody {
    #[schema(min_length = 1, max_length = 100)]
    name: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct GroupView {
    external_id: String,
    name: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MemberBody {
    #[schema(pattern = "^[A-Za-z0-9._@-]{1,31}$")]
    user_id: String,
    #[serde(default)]
    #[schema(max_length = 150)]
    name: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200)]
    organisation: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct MemberView {
    user_id: String,
    name: Option<String>,
    organisation: Option<String>,
    linked: bool,
}

fn group_id(id: &str) -> Result<&str, ApiError> {
    platform::external_id(id, MAX_EXTERNAL_ID_CHARS).map_err(|err| ApiError::invalid("external_id", err.to_string()))
}

fn unknown_group(id: &str) -> ApiError {
    ApiError::NotFound { field: "external_id", what: "group", id: id.to_owned() }
}

/// Creates the listener group the platform calls `external_id`, or renames it.
#[utoipa::path(put, path = "/api/v1/groups/{external_id}", tag = "groups", params(super::openapi::GroupId),
    request_body = GroupBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "updated, or unchanged", body = GroupView),
        (status = 201, description = "created", body = GroupView),
        super::openapi::Refusals,
        super::openapi::BodyRefusals,
        (status = 422, description = "a field is missing or wrong: invalid-params names it", body = super::openapi::Problem, content_type = "application/problem+json")
    ))]
pub async fn put_group(
    State(api): State<Api>,
    Extension(Caller(caller)): Extension<Caller>,
    Path(external): Path<String>,
    ApiJson(body): ApiJson<GroupBody>,
) -> Result<Response, ApiError> {
    let external = group_id(&external)?;
    let name = GroupName::parse(&body.name).map_err(|err| ApiError::invalid("name", err.to_string()))?;
    let put = api.platform.put_group(external, &name, caller.created_by).await?;
    let view = GroupView { external_id: external.to_owned(), name: name.as_str().to_owned() };
    Ok(match put {
        GroupPut::Created(_) => {
            (StatusCode::CREATED, [(header::LOCATION, format!("/api/v1/groups/{external}"))], axum::Json(view))
                .into_response()
        }
        GroupPut::Renamed(_) | GroupPut::Unchanged(_) => axum::Json(view).into_response(),
    })
}

#[utoipa::path(get, path = "/api/v1/groups/{external_id}", tag = "groups", params(super::openapi::GroupId),
    security(("bearer" = [])),
    responses((status = 200, body = GroupView),
        super::openapi::Refusals,
        (status = 404, description = "no such group", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "the external_id is malformed", body = super::openapi::Problem, content_type = "application/problem+json")))]
pub async fn get_group(State(api): State<Api>, Path(external): Path<String>) -> Result<Response, ApiError> {
    let external = group_id(&external)?;
    let (_, name) = api.platform.store.group(external).await?.ok_or_else(|| unknown_group(external))?;
    Ok(axum::Json(GroupView { external_id: external.to_owned(), name }).into_response())
}

/// Replaces the roster: the group's members become its linked people, no one else.
#[utoipa::path(put, path = "/api/v1/groups/{external_id}/members", tag = "groups", params(super::openapi::GroupId),
    request_body = Vec<MemberBody>, security(("bearer" = [])),
    responses((status = 200, description = "the roster as it is now", body = Vec<MemberView>),
        super::openapi::Refusals,
        super::openapi::BodyRefusals,
        (status = 422, description = "a field is missing or wrong: invalid-params names it", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such group", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "the external_id is malformed", body = super::openapi::Problem, content_type = "application/problem+json")))]
pub async fn put_members(
    State(api): State<Api>,
    Path(external): Path<String>,
    ApiJson(body): ApiJson<Vec<MemberBody>>,
) -> Result<Response, ApiError> {
    let external = group_id(&external)?;
    let roster = roster(body)?;
    if api.platform.put_roster(external, &roster).await?.is_none() {
        return Err(unknown_group(external));
    }
    members(&api, external).await
}

#[utoipa::path(get, path = "/api/v1/groups/{external_id}/members", tag = "groups", params(super::openapi::GroupId),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<MemberView>),
        super::openapi::Refusals,
        (status = 404, description = "no such group", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "the external_id is malformed", body = super::openapi::Problem, content_type = "application/problem+json")))]
pub async fn get_members(State(api): State<Api>, Path(external): Path<String>) -> Result<Response, ApiError> {
    members(&api, group_id(&external)?).await
}

async fn members(api: &Api, external: &str) -> Result<Response, ApiError> {
    let (group, _) = api.platform.store.group(external).await?.ok_or_else(|| unknown_group(external))?;
    let roster = api.platform.store.roster(group).await?;
    let view: Vec<MemberView> = roster
        .into_iter()
        .map(|m| MemberView {
            linked: m.user.is_some(),
            user_id: m.entry.external_id,
            name: m.entry.name,
            organisation: m.entry.organisation,
        })
        .collect();
    Ok(axum::Json(view).into_response())
}

/// Checks every entry, naming the first bad one by its place in the array.
fn roster(body: Vec<MemberBody>) -> Result<Vec<RosterEntry>, ApiError> {
    let mut seen = HashSet::new();
    body.into_iter()
        .enumerate()
        .map(|(i, m)| {
            platform::external_id(&m.user_id, MAX_USER_ID_BYTES)
                .map_err(|err| ApiError::invalid(format!("[{i}].user_id"), err.to_string()))?;
            if !seen.insert(m.user_id.clone()) {
                return Err(ApiError::invalid(format!("[{i}].user_id"), "this user_id is listed twice"));
            }
            let name = m
                .name
                .filter(|n| !n.trim().is_empty())
                .map(|n| FullName::parse(&n).map(|n| n.as_str().to_owned()))
                .transpose()
                .map_err(|err| ApiError::invalid(format!("[{i}].name"), err.to_string()))?;
            let organisation = m
                .organisation
                .filter(|o| !o.trim().is_empty())
                .map(|o| Organisation::parse(&o).map(|o| o.as_str().to_owned()))
                .transpose()
                .map_err(|err| ApiError::invalid(format!("[{i}].organisation"), err.to_string()))?;
            Ok(RosterEntry { external_id: m.user_id, name, organisation })
        })
        .collect()
}
