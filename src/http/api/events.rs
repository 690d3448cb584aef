//! `/api/v1/events/{external_id}`: classes the platform schedules. PUT creates or changes one
//! through the same services as the dialogue (the meeting, delivery, edits and notices), with
//! the dialogue's checks; DELETE cancels; GET shows it with its links and delivery counts.

use std::str::FromStr;

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::json::ApiJson;
use super::{Api, ApiError, Caller};
use crate::domain::event::{Description, EventDuration, EventTitle};
use crate::domain::platform::{self, MAX_EXTERNAL_ID_CHARS};
use crate::domain::recurrence::{Ending, Frequency, Recurrence, RecurrenceError};
use crate::domain::reminders::ReminderOffset;
use crate::i18n::Lang;
use crate::platform::{EventApiError, EventPut, EventSpec, PlatformEvent, ProviderRef};
use crate::store::outbox::Counts;

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({
    "title": "Дроби и проценты",
    "provider": 1,
    "start": "2030-09-02T18:30:00+03:00",
    "timezone": "Europe/Moscow",
    "duration_minutes": 90,
    "reminders": ["1d", "1h"],
    "groups": ["g1"],
    "repeat": { "frequency": "weekly", "weekdays": ["mon"], "count": 10 }
}))]
pub struct EventBody {
    #[schema(min_length = 1, max_length = 255)]
    title: String,
    provider: ProviderRef,
    /// RFC 3339 with an offset: `2026-12-03T18:30:00+03:00`.
    #[schema(format = DateTime)]
    start: String,
    /// IANA: `Europe/Moscow`.
    #[schema(example = "Europe/Moscow")]
    timezone: String,
    #[schema(minimum = 5, maximum = 720)]
    duration_minutes: u32,
    #[serde(default)]
    #[schema(max_length = 2000)]
    description: Option<String>,
    #[serde(default)]
    host_email: Option<String>,
    /// The bot's offset codes (`0m 15m 1h 1d 2d 3d 4d`); the dialogue's default when absent.
    #[serde(default)]
    reminders: Option<Vec<String>>,
    /// External ids of groups PUT before.
    #[serde(default)]
    groups: Vec<String>,
    /// Makes the event a series. It is set when the event is made and cannot change after.
    #[serde(default)]
    repeat: Option<RepeatBody>,
}

/// A series: a class on these days, as often as `interval` says, until a count or a date. Each
/// class gets its own meeting when the one before it ends, so only the next one exists.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RepeatBody {
    frequency: FrequencyCode,
    /// Every how many days (`daily`) or weeks (`weekly`).
    #[serde(default = "one")]
    #[schema(minimum = 1, maximum = 4, default = 1)]
    interval: u32,
    /// For `weekly`: the days of the week. They must include the start's day, which is the
    /// default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    weekdays: Vec<WeekdayCode>,
    /// How many classes in all, the first included. Give `count` or `until`, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 2, maximum = 50)]
    count: Option<u32>,
    /// The last date a class may fall on, on the event's clock. At most 50 classes are made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    until: Option<String>,
}

fn one() -> u32 {
    1
}

/// The longest step between classes, in days or in weeks.
const MAX_INTERVAL: u32 = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
enum FrequencyCode {
    Daily,
    Weekly,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
enum WeekdayCode {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl From<WeekdayCode> for Weekday {
    fn from(code: WeekdayCode) -> Weekday {
        match code {
            WeekdayCode::Mon => Weekday::Mon,
            WeekdayCode::Tue => Weekday::Tue,
            WeekdayCode::Wed => Weekday::Wed,
            WeekdayCode::Thu => Weekday::Thu,
            WeekdayCode::Fri => Weekday::Fri,
            WeekdayCode::Sat => Weekday::Sat,
            WeekdayCode::Sun => Weekday::Sun,
        }
    }
}

impl From<Weekday> for WeekdayCode {
    fn from(day: Weekday) -> WeekdayCode {
        match day {
            Weekday::Mon => WeekdayCode::Mon,
            Weekday::Tue => WeekdayCode::Tue,
            Weekday::Wed => WeekdayCode::Wed,
            Weekday::Thu => WeekdayCode::Thu,
            Weekday::Fri => WeekdayCode::Fri,
            Weekday::Sat => WeekdayCode::Sat,
            Weekday::Sun => WeekdayCode::Sun,
        }
    }
}

impl RepeatBody {
    /// The rule for a series whose first class is on `first`, each mistake naming its field.
    fn rule(&self, first: NaiveDate) -> Result<Recurrence, ApiError> {
        if !(1..=MAX_INTERVAL).contains(&self.interval) {
            return Err(ApiError::invalid("repeat.interval", format!("from 1 to {MAX_INTERVAL}")));
        }
        let frequency = match self.frequency {
            FrequencyCode::Daily if !self.weekdays.is_empty() => {
                return Err(ApiError::invalid("repeat.weekdays", "only a weekly series has weekdays"));
            }
            FrequencyCode::Daily => Frequency::Daily { interval: self.interval },
            FrequencyCode::Weekly => {
                let mut weekdays: Vec<Weekday> = self.weekdays.iter().map(|&d| d.into()).collect();
                if weekdays.is_empty() {
                    weekdays.push(first.weekday());
                }
                if !weekdays.contains(&first.weekday()) {
                    let day = WeekdayCode::from(first.weekday());
                    return Err(ApiError::invalid(
                        "repeat.weekdays",
                        format!("the first class is on {day:?}: the weekdays must include it"),
                    ));
                }
                weekdays.sort_by_key(|d| d.num_days_from_monday());
                weekdays.dedup();
                Frequency::Weekly { weekdays, interval: self.interval }
            }
        };
        let ending = match (self.count, self.until.as_deref()) {
            (Some(count), None) => Ending::Count(count),
            (None, Some(until)) => Ending::Until(
                NaiveDate::parse_from_str(until.trim(), "%Y-%m-%d")
                    .map_err(|_| ApiError::invalid("repeat.until", "a date such as 2027-05-31"))?,
            ),
            _ => return Err(ApiError::invalid("repeat", "give either `count` or `until`")),
        };
        let rule = Recurrence { frequency, ending };
        rule.validate(first).map_err(|err| {
            let field = match err {
                RecurrenceError::NoWeekday => "repeat.weekdays",
                RecurrenceError::BadCount => "repeat.count",
                RecurrenceError::UntilBeforeStart => "repeat.until",
            };
            ApiError::invalid(field, err.to_string())
        })?;
        if rule.dates(first).len() < 2 {
            return Err(ApiError::invalid("repeat.until", "the series would have one class: end it later"));
        }
        Ok(rule)
    }

    /// The rule as the platform wrote it, for reading back.
    fn of(rule: &Recurrence) -> RepeatBody {
        let (frequency, interval, weekdays) = match &rule.frequency {
            Frequency::Daily { interval } => (FrequencyCode::Daily, *interval, Vec::new()),
            Frequency::Weekly { weekdays, interval } => {
                (FrequencyCode::Weekly, *interval, weekdays.iter().map(|&d| d.into()).collect())
            }
        };
        let (count, until) = match rule.ending {
            Ending::Count(n) => (Some(n), None),
            Ending::Until(date) => (None, Some(date.format("%Y-%m-%d").to_string())),
        };
        RepeatBody { frequency, interval, weekdays, count, until }
    }
}

/// Messages of the event to its listeners, by how they fared.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct DeliveryView {
    sent: i64,
    pending: i64,
    failed: i64,
    skipped: i64,
}

impl From<Counts> for DeliveryView {
    fn from(counts: Counts) -> DeliveryView {
        DeliveryView { sent: counts.sent, pending: counts.pending, failed: counts.failed, skipped: counts.skipped }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
struct EventView {
    external_id: String,
    status: &'static str,
    title: String,
    description: Option<String>,
    start: String,
    timezone: String,
    duration_minutes: u32,
    provider: Option<i64>,
    host_email: Option<String>,
    reminders: Vec<&'static str>,
    groups: Vec<String>,
    join_url: Option<String>,
    host_url: Option<String>,
    /// Why the meeting could not be made, while the event is still a draft.
    last_error: Option<String>,
    delivery: DeliveryView,
    /// The series rule, as it was PUT.
    repeat: Option<RepeatBody>,
    /// Of a series: which class this is. The other fields are this class's.
    occurrence: Option<OccurrenceView>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct OccurrenceView {
    /// From 1.
    number: i64,
    /// Classes in the series as planned.
    of: usize,
    /// `active`, `finished` (the last class is over) or `cancelled`.
    series_status: &'static str,
}

pub(super) fn event_id(id: &str) -> Result<&str, ApiError> {
    platform::external_id(id, MAX_EXTERNAL_ID_CHARS).map_err(|err| ApiError::invalid("external_id", err.to_string()))
}

pub(super) fn unknown_event(id: &str) -> ApiError {
    ApiError::NotFound { field: "external_id", what: "event", id: id.to_owned() }
}

impl From<EventApiError> for ApiError {
    fn from(err: EventApiError) -> Self {
        match err {
            EventApiError::Store(err) => ApiError::Unavailable(err),
            EventApiError::Provider(err) if err.is_transient() => ApiError::ProviderUnavailable(provider_words(&err)),
            EventApiError::Provider(err) => {
                use crate::providers::ProviderError as E;
                let field = match &err {
                    E::ZoomHostNotInAccount(_) | E::UnknownCohosts(_) => "host_email",
                    E::InvalidInput(
                        crate::providers::InputProblem::HostEmailRequired | crate::providers::InputProblem::BadEmail(_),
                    ) => "host_email",
                    _ => "provider",
                };
                ApiError::invalid(field, provider_words(&err))
            }
            EventApiError::ProviderNotUsable => ApiError::invalid("provider", err.to_string()),
            EventApiError::StartInPast => ApiError::invalid("start", err.to_string()),
            EventApiError::Immutable { field } => ApiError::Conflict { field, detail: err.to_string() },
            EventApiError::Cancelled => ApiError::Conflict { field: "external_id", detail: err.to_string() },
            EventApiError::NoOwner => ApiError::OwnerGone,
        }
    }
}

/// The service's refusal in the words the teacher would read, in English for the platform.
fn provider_words(err: &crate::providers::ProviderError) -> String {
    crate::i18n::provider_error(Lang::En, err)
}

/// Creates the event (and its meeting) or changes it; the same body again changes nothing.
#[utoipa::path(put, path = "/api/v1/events/{external_id}", tag = "events", params(super::openapi::EventId),
    request_body = EventBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "changed, or unchanged", body = EventView),
        (status = 201, description = "created, its meeting made and its delivery planned", body = EventView),
        super::openapi::Refusals,
        super::openapi::BodyRefusals,
        (status = 422, description = "a field is missing or wrong: invalid-params names it", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "a field that cannot change, or a cancelled event", body = super::openapi::Problem, content_type = "application/problem+json")
    ))]
pub async fn put_event(
    State(api): State<Api>,
    Extension(Caller(caller)): Extension<Caller>,
    Path(external): Path<String>,
    ApiJson(body): ApiJson<EventBody>,
) -> Result<Response, ApiError> {
    let external = event_id(&external)?;
    let spec = spec(&api, caller.created_by, body).await?;
    let put = api.platform.put_event(caller.created_by, external, &spec).await?;
    let found = api.platform.event(external).await?.ok_or_else(|| unknown_event(external))?;
    let view = view(&api, external, found).await?;
    Ok(match put {
        EventPut::Created => {
            (StatusCode::CREATED, [(header::LOCATION, format!("/api/v1/events/{external}"))], axum::Json(view))
                .into_response()
        }
        EventPut::Changed | EventPut::Unchanged => axum::Json(view).into_response(),
    })
}

#[utoipa::path(get, path = "/api/v1/events/{external_id}", tag = "events", params(super::openapi::EventId),
    security(("bearer" = [])),
    responses((status = 200, body = EventView),
        super::openapi::Refusals,
        (status = 404, description = "no such event", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "the external_id is malformed", body = super::openapi::Problem, content_type = "application/problem+json")))]
pub async fn get_event(State(api): State<Api>, Path(external): Path<String>) -> Result<Response, ApiError> {
    let external = event_id(&external)?;
    let found = api.platform.event(external).await?.ok_or_else(|| unknown_event(external))?;
    Ok(axum::Json(view(&api, external, found).await?).into_response())
}

/// Cancels: listeners are told and the meeting is removed.
#[utoipa::path(delete, path = "/api/v1/events/{external_id}", tag = "events", params(super::openapi::EventId),
    security(("bearer" = [])),
    responses((status = 204, description = "cancelled (or already)"),
        super::openapi::Refusals,
        (status = 404, description = "no such event", body = super::openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "the external_id is malformed", body = super::openapi::Problem, content_type = "application/problem+json")))]
pub async fn delete_event(State(api): State<Api>, Path(external): Path<String>) -> Result<Response, ApiError> {
    let external = event_id(&external)?;
    if !api.platform.cancel_event(external).await? {
        return Err(unknown_event(external));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The body checked by the dialogue's own rules, each failure naming its field.
async fn spec(api: &Api, owner: teloxide::types::UserId, body: EventBody) -> Result<EventSpec, ApiError> {
    let title = EventTitle::parse(&body.title).map_err(|err| ApiError::invalid("title", err.to_string()))?;
    let description = match body.description.as_deref() {
        Some(text) => Description::parse(text).map_err(|err| ApiError::invalid("description", err.to_string()))?,
        None => None,
    };
    let tz = Tz::from_str(body.timezone.trim())
        .map_err(|_| ApiError::invalid("timezone", "an IANA time zone name such as Europe/Moscow"))?;
    let starts_at = DateTime::parse_from_rfc3339(body.start.trim())
        .map_err(|err| {
            ApiError::invalid("start", format!("RFC 3339 with an offset, such as 2026-12-03T18:30:00+03:00: {err}"))
        })?
        .with_timezone(&Utc);
    let repeat = body.repeat.as_ref().map(|r| r.rule(starts_at.with_timezone(&tz).date_naive())).transpose()?;
    let duration = EventDuration::from_minutes(body.duration_minutes)
        .map_err(|err| ApiError::invalid("duration_minutes", err.to_string()))?;
    let host_email = body
        .host_email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .map(|e| crate::providers::check_email(e).map_err(|_| ApiError::invalid("host_email", "not an e-mail address")))
        .transpose()?;
    let mut reminders = match body.reminders {
        None => vec![ReminderOffset::Days1, ReminderOffset::Hour1],
        Some(codes) => codes
            .iter()
            .enumerate()
            .map(|(i, code)| {
                ReminderOffset::from_str(code)
                    .map_err(|_| ApiError::invalid(format!("reminders[{i}]"), "one of 0m, 15m, 1h, 1d, 2d, 3d, 4d"))
            })
            .collect::<Result<_, _>>()?,
    };
    reminders.sort_unstable();
    reminders.dedup();
    let mut groups = Vec::new();
    for (i, (external, found)) in body.groups.iter().zip(api.platform.store.groups(&body.groups).await?).enumerate() {
        let id = found.ok_or_else(|| {
            ApiError::invalid(
                format!("groups[{i}]"),
                format!("no group {external:?}: PUT /api/v1/groups/{{external_id}} first"),
            )
        })?;
        groups.push(id);
    }
    let provider_id = api.platform.usable_provider(owner, &body.provider).await?.ok_or_else(|| {
        ApiError::invalid("provider", "no provider with this id or name that the token's owner may use")
    })?;
    Ok(EventSpec {
        title: title.into_inner(),
        description: description.map(Description::into_inner),
        provider_id,
        starts_at,
        tz,
        duration_min: duration.minutes(),
        host_email,
        reminders,
        groups,
        repeat,
    })
}

async fn view(api: &Api, external: &str, found: PlatformEvent) -> Result<EventView, ApiError> {
    let PlatformEvent { event, counts, series } = found;
    let groups = api.platform.store.external_groups_of(event.id).await?;
    let mut offsets = event.reminders.clone();
    offsets.sort_unstable();
    let reminders: Vec<&'static str> = offsets.iter().map(|r| r.as_str()).collect();
    let occurrence = series.as_ref().map(|series| OccurrenceView {
        number: event.series.map_or(1, |(_, n)| n + 1),
        of: series.starts().len(),
        series_status: match (series.active, series.cancelled) {
            (true, _) => "active",
            (false, true) => "cancelled",
            (false, false) => "finished",
        },
    });
    Ok(EventView {
        external_id: external.to_owned(),
        status: event.status.as_str(),
        title: event.title.clone(),
        description: event.description.clone(),
        start: event.starts_at.with_timezone(&event.tz).to_rfc3339_opts(SecondsFormat::Secs, false),
        timezone: event.tz.name().to_owned(),
        duration_minutes: event.duration_min,
        provider: event.provider_id,
        host_email: event.host_email.clone(),
        reminders,
        groups,
        join_url: event.join_url().map(str::to_owned),
        host_url: event.meeting.as_ref().and_then(|m| m.host_url.clone()),
        last_error: event.last_error.clone().filter(|_| event.status == crate::domain::event::EventStatus::Draft),
        delivery: counts.into(),
        repeat: series.as_ref().map(|s| RepeatBody::of(&s.rule)),
        occurrence,
    })
}
