//! `GET /api/v1/events/{external_id}/report`: one class, listener by listener — the platform's
//! id of them, their answer, how their invitation fared and whether they came — and the
//! participants of the service's report who matched no listener.

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use chrono::SecondsFormat;
use serde::Serialize;

use super::events::{DeliveryView, event_id, unknown_event};
use super::{Api, ApiError};
use crate::attendance::report::{Counted, Status};
use crate::platform::{EventReport, ReportLine};
use crate::store::Rsvp;
use crate::store::outbox::RowState;

#[derive(Serialize, utoipa::ToSchema)]
struct ReportView {
    external_id: String,
    /// Of a series: which class, from 1.
    occurrence: Option<i64>,
    start: String,
    status: &'static str,
    /// What attendance is counted from: `report` (the service's participant report),
    /// `join_presses` (the service has none: presses of the bot's Join button), `waiting` (the
    /// report has not come yet) or `none`.
    attendance_source: &'static str,
    /// Why there is no attendance: `plan`, `permission`, `no_api`, `no_report` (the service
    /// gave none within a day and a half) or `presses_not_counted` (the bot has no public URL).
    attendance_unavailable: Option<&'static str>,
    listeners: Vec<ListenerView>,
    /// Participants of the service's report who matched no listener.
    unmatched: Vec<UnmatchedView>,
    delivery: DeliveryView,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ListenerView {
    /// The platform's id of the listener, once they opened a signed link; null for someone who
    /// came by the bot's own invite link.
    user_id: Option<String>,
    name: String,
    organisation: Option<String>,
    /// `yes`, `no`, or null: not answered.
    rsvp: Option<&'static str>,
    /// `pending`, `sent`, `failed` or `skipped`; null: not planned yet.
    invitation: Option<&'static str>,
    /// Why the invitation failed or was skipped.
    invitation_error: Option<String>,
    /// `attended`, `pressed_join`, `absent`, or `unknown` (see `attendance_source`).
    attendance: &'static str,
    /// Minutes in the meeting, when attended.
    minutes: Option<u32>,
    /// Joined more than 5 minutes after the start.
    joined_late: Option<bool>,
    /// Left more than 5 minutes before the end.
    left_early: Option<bool>,
    /// When they first pressed Join, where presses are what is counted.
    pressed_at: Option<String>,
    /// How the report's participant was found to be them: `token`, `registrant`, `email` or `name`.
    matched_by: Option<&'static str>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct UnmatchedView {
    name: String,
    email: Option<String>,
    minutes: u32,
}

/// A class's report; of a series, the current class unless `occurrence` names another.
#[utoipa::path(get, path = "/api/v1/events/{external_id}/report", tag = "events",
    params(
        super::openapi::EventId,
        ("occurrence" = Option<u32>, Query, description = "of a series: the class, from 1", minimum = 1, maximum = 50)
    ),
    security(("bearer" = [])),
    responses((status = 200, body = ReportView),
        super::openapi::Refusals,
        (status = 404, description = "no such event, or no such class of it", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "the external_id or the occurrence is malformed", body = super::openapi::Problem, content_type = "application/problem+json")))]
pub async fn get_report(
    State(api): State<Api>,
    Path(external): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let external = event_id(&external)?;
    let occurrence = occurrence(query.as_deref())?;
    let Some(report) = api.platform.report(external, occurrence).await? else {
        return Err(match (api.platform.event(external).await?, occurrence) {
            (Some(_), Some(n)) => ApiError::NotFound { field: "occurrence", what: "class", id: n.to_string() },
            _ => unknown_event(external),
        });
    };
    Ok(axum::Json(view(external, report)).into_response())
}

/// The `occurrence` of the query string, if given; other parameters are ignored.
fn occurrence(query: Option<&str>) -> Result<Option<u32>, ApiError> {
    let Some(value) = query
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find_map(|(key, value)| (key == "occurrence").then_some(value))
    else {
        return Ok(None);
    };
    match value.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => Err(ApiError::invalid("occurrence", "a class's number in its series, from 1")),
    }
}

fn view(external: &str, report: EventReport) -> ReportView {
    let EventReport { event, counted, listeners, strangers, counts } = report;
    let (attendance_source, attendance_unavailable) = match counted {
        Counted::Report => ("report", None),
        Counted::Presses => ("join_presses", None),
        Counted::Waiting => ("waiting", None),
        Counted::Nothing(why) => ("none", Some(why.code())),
        Counted::NoReport => ("none", Some("no_report")),
        Counted::PressesNotCounted => ("none", Some("presses_not_counted")),
    };
    ReportView {
        external_id: external.to_owned(),
        occurrence: event.series.map(|(_, n)| n + 1),
        start: event.starts_at.with_timezone(&event.tz).to_rfc3339_opts(SecondsFormat::Secs, false),
        status: event.status.as_str(),
        attendance_source,
        attendance_unavailable,
        listeners: listeners.into_iter().map(|line| listener(line, event.tz)).collect(),
        unmatched: strangers
            .into_iter()
            .map(|s| UnmatchedView { name: s.name, email: s.email, minutes: s.minutes })
            .collect(),
        delivery: counts.into(),
    }
}

fn listener(line: ReportLine, tz: chrono_tz::Tz) -> ListenerView {
    let ReportLine { platform_user, rsvp, invitation, row } = line;
    let (attendance, presence, pressed_at) = match row.status {
        Status::Attended(presence) => ("attended", Some(presence), None),
        Status::Pressed { at } => ("pressed_join", None, Some(at)),
        Status::Absent => ("absent", None, None),
        Status::Unknown => ("unknown", None, None),
    };
    ListenerView {
        user_id: platform_user,
        name: row.name,
        organisation: row.organisation,
        rsvp: rsvp.map(|answer| match answer {
            Rsvp::Yes => "yes",
            Rsvp::No => "no",
        }),
        invitation: invitation.as_ref().map(|i| match i.state {
            RowState::Pending | RowState::Sending => "pending",
            RowState::Sent => "sent",
            RowState::Failed => "failed",
            RowState::Skipped => "skipped",
        }),
        invitation_error: invitation.and_then(|i| i.reason),
        attendance,
        minutes: presence.map(|p| p.minutes),
        joined_late: presence.map(|p| p.joined_late),
        left_early: presence.map(|p| p.left_early),
        pressed_at: pressed_at.map(|at| at.with_timezone(&tz).to_rfc3339_opts(SecondsFormat::Secs, false)),
        matched_by: row.matched_by.map(|m| m.code()),
    }
}
