//! Kontur.Talk: a room per event (the join link is `{space}/{roomName}`), and
//! where the host's e-mail is known, a calendar event with start and end.
//! The API has no room delete.

use super::http::{Http, Reply};
use super::{
    CheckReport, DeleteOutcome, InputProblem, Meeting, MeetingExtra, MeetingRequest, ProviderError, ProviderKind,
    Secret, check_email, path_segment, random_room_name, resolve_base, truncate_chars,
};
use chrono::{DateTime, Offset, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// Room and calendar titles are limited to 128 characters, room descriptions
/// to 2000 (the public OpenAPI spec).
pub const MAX_TITLE: usize = 128;
pub const MAX_DESCRIPTION: usize = 2000;

const KIND: ProviderKind = ProviderKind::Kontur;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KonturSettings {
    /// The space: `uchi`, `uchi.ktalk.ru` or `https://uchi.ktalk.ru`.
    pub space: String,
    pub api_key: Secret,
    /// Let people without an account join (`allowAnonymous`); `None` keeps the
    /// space's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymous_access: Option<bool>,
    /// The default host (organiser of the calendar event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_email: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Kontur {
    settings: KonturSettings,
    /// `https://{space}.ktalk.ru` or the override, without `/api`.
    origin: String,
    http: Http,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoomBody {
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_anonymous: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CalendarBody {
    subject: String,
    room_name: String,
    start: String,
    end: String,
    /// `GMT+X`, the only zone format the API takes.
    timezone: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_anonymous: Option<bool>,
    /// Required by the create schema; the listeners come through our bot.
    #[serde(skip_serializing_if = "Option::is_none")]
    required_user_keys: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoomReply {
    room_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CalendarReply {
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccessInfo {
    #[serde(default)]
    expired_at: Option<DateTime<Utc>>,
    #[serde(default)]
    scopes: Vec<Scope>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Scope {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    restriction_type: Option<String>,
}

impl Kontur {
    pub(crate) fn new(settings: KonturSettings, base: Option<String>, http: Http) -> Result<Self, ProviderError> {
        if settings.api_key.is_empty() {
            return Err(InputProblem::MissingCredential.into());
        }
        let official = format!("https://{}.ktalk.ru", space_name(&settings.space)?);
        let origin = resolve_base(base.as_deref(), &official)?;
        // The seeds' service URL may be given with or without `/api`.
        let origin = origin.strip_suffix("/api").unwrap_or(&origin).to_owned();
        Ok(Self { settings, origin, http })
    }

    pub async fn create(&self, req: &MeetingRequest) -> Result<Meeting, ProviderError> {
        let host = self.host(req)?;
        let room = random_room_name();
        // PUT on a fresh random name creates the room; safe to repeat.
        let room = self.put_room(&room, req).await?;
        let mut meeting = self.room_meeting(&room);
        if let Some(email) = host {
            let event = self.create_event(&email, &room, req).await?;
            meeting.extra.calendar_email = Some(email);
            meeting.extra.calendar_event_id = Some(event.id);
        }
        Ok(meeting)
    }

    pub async fn update(&self, meeting: &Meeting, req: &MeetingRequest) -> Result<Meeting, ProviderError> {
        let room = &self.put_room(&meeting.id, req).await?;
        let mut updated = self.room_meeting(room);
        let extra = &meeting.extra;
        match (&extra.calendar_email, &extra.calendar_event_id) {
            (Some(email), Some(id)) => {
                self.update_event(email, id, room, req).await?;
                updated.extra.calendar_email = Some(email.clone());
                updated.extra.calendar_event_id = Some(id.clone());
            }
            _ => {
                if let Some(email) = self.host(req)? {
                    let event = self.create_event(&email, room, req).await?;
                    updated.extra.calendar_email = Some(email);
                    updated.extra.calendar_event_id = Some(event.id);
                }
            }
        }
        Ok(updated)
    }

    /// Cancels the calendar event; the room itself cannot be deleted through
    /// the API, so the outcome is always "not supported".
    pub async fn delete(&self, meeting: &Meeting) -> Result<DeleteOutcome, ProviderError> {
        let extra = &meeting.extra;
        if let (Some(email), Some(id)) = (&extra.calendar_email, &extra.calendar_event_id) {
            let url = self.api(&format!("EmailCalendar/{}/{}", path_segment(email), path_segment(id)));
            let reply = self.http.idempotent(|| self.authorized(self.http.client().delete(&url))).await?;
            if !reply.is_success() && reply.status.as_u16() != 404 {
                return Err(failure(&reply));
            }
        }
        Ok(DeleteOutcome::NotSupported)
    }

    /// `access-info` answers even for an expired key, with its expiry date
    /// and scopes: an expired key or a missing write scope is reported.
    pub async fn check(&self) -> Result<CheckReport, ProviderError> {
        let url = self.api("domain/applications/access-info");
        let reply = self.http.idempotent(|| self.authorized(self.http.client().get(&url))).await?;
        if !reply.is_success() {
            return Err(failure(&reply));
        }
        let info: AccessInfo = reply.json(KIND)?;
        if let Some(at) = info.expired_at.filter(|at| *at <= Utc::now()) {
            return Err(ProviderError::KonturKeyExpired(at));
        }
        let mut needed = vec!["rooms"];
        if self.settings.host_email.is_some() {
            needed.push("calendar");
        }
        for scope in needed {
            if !info.scopes.iter().any(|s| writes(s, scope)) {
                return Err(ProviderError::KonturMissingScope(scope.to_owned()));
            }
        }
        Ok(CheckReport { account: None, expires_at: info.expired_at })
    }

    /// Creates or edits the room; returns its name as the service spells it.
    async fn put_room(&self, room: &str, req: &MeetingRequest) -> Result<String, ProviderError> {
        let body = RoomBody {
            title: truncate_chars(&req.title, MAX_TITLE),
            description: description(req).map(|d| truncate_chars(&d, MAX_DESCRIPTION)),
            allow_anonymous: self.settings.anonymous_access,
        };
        let url = self.api(&format!("Rooms/{}", path_segment(room)));
        let reply = self.http.idempotent(|| self.authorized(self.http.client().put(&url)).json(&body)).await?;
        if !reply.is_success() {
            return Err(failure(&reply));
        }
        let answer: RoomReply = reply.json(KIND)?;
        Ok(answer.room_name)
    }

    async fn create_event(
        &self,
        email: &str,
        room: &str,
        req: &MeetingRequest,
    ) -> Result<CalendarReply, ProviderError> {
        let body = self.calendar_body(room, req, true);
        let url = self.api(&format!("EmailCalendar/{}", path_segment(email)));
        let request = self.authorized(self.http.client().post(&url)).json(&body);
        let reply = self.http.once(request).await?;
        if !reply.is_success() {
            return Err(failure(&reply));
        }
        reply.json(KIND)
    }

    async fn update_event(&self, email: &str, id: &str, room: &str, req: &MeetingRequest) -> Result<(), ProviderError> {
        let body = self.calendar_body(room, req, false);
        let url = self.api(&format!("EmailCalendar/{}/{}", path_segment(email), path_segment(id)));
        let reply = self.http.idempotent(|| self.authorized(self.http.client().put(&url)).json(&body)).await?;
        if !reply.is_success() {
            return Err(failure(&reply));
        }
        let _: CalendarReply = reply.json(KIND)?;
        Ok(())
    }

    fn calendar_body(&self, room: &str, req: &MeetingRequest, create: bool) -> CalendarBody {
        CalendarBody {
            subject: truncate_chars(&req.title, MAX_TITLE),
            room_name: room.to_owned(),
            start: utc_text(req.start),
            end: utc_text(req.end()),
            timezone: gmt_offset(req.timezone, req.start),
            description: description(req),
            allow_anonymous: self.settings.anonymous_access,
            required_user_keys: create.then(Vec::new),
        }
    }

    fn room_meeting(&self, room: &str) -> Meeting {
        Meeting {
            id: room.to_owned(),
            join_url: format!("{}/{room}", self.origin),
            host_url: None,
            extra: MeetingExtra::default(),
        }
    }

    fn host(&self, req: &MeetingRequest) -> Result<Option<String>, ProviderError> {
        req.host_email
            .as_deref()
            .or(self.settings.host_email.as_deref())
            .filter(|h| !h.trim().is_empty())
            .map(check_email)
            .transpose()
    }

    fn api(&self, path: &str) -> String {
        format!("{}/api/{path}", self.origin)
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request.header("X-Auth-Token", self.settings.api_key.expose())
    }
}

fn description(req: &MeetingRequest) -> Option<String> {
    req.description.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(str::to_owned)
}

fn writes(scope: &Scope, wanted: &str) -> bool {
    scope.kind == wanted && scope.restriction_type.as_deref() == Some("readWrite")
}

/// `uchi`, `uchi.ktalk.ru` or `https://uchi.ktalk.ru/` → `uchi`.
fn space_name(space: &str) -> Result<String, ProviderError> {
    let space = space.trim().to_ascii_lowercase();
    let space = space.trim_start_matches("https://").trim_start_matches("http://").trim_end_matches('/');
    let name = space.strip_suffix(".ktalk.ru").unwrap_or(space);
    let valid = !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-');
    if valid { Ok(name.to_owned()) } else { Err(InputProblem::BadSpace.into()) }
}

fn utc_text(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The zone's offset at the event's start as `GMT+3`, `GMT-5`, `GMT+5:30`.
pub(crate) fn gmt_offset(zone: chrono_tz::Tz, at: DateTime<Utc>) -> String {
    let seconds = zone.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    match minutes % 60 {
        0 => format!("GMT{sign}{}", minutes / 60),
        rest => format!("GMT{sign}{}:{rest:02}", minutes / 60),
    }
}

fn failure(reply: &Reply) -> ProviderError {
    match reply.status.as_u16() {
        401 => ProviderError::KonturKeyInvalid,
        403 => ProviderError::KonturForbidden,
        404 => ProviderError::MeetingGone,
        _ => reply.common_failure(KIND, None),
    }
}
