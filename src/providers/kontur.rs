//! Kontur.Talk: a room per event (the join link is `{space}/{roomName}`), and
//! where the host's e-mail is known, a calendar event with start and end.
//! The API has no room delete.

use super::http::{Http, Reply};
use super::{
    CheckReport, DeleteOutcome, InputProblem, Meeting, MeetingExtra, MeetingRequest, ProviderError, ProviderKind,
    Secret, check_email, path_segment, random_room_name, resolve_base, truncate_chars,
};
use crate::domain::attendance::{Participant, ReportFetch, Stay, Unavailable};
use chrono::{DateTime, NaiveDateTime, Offset, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// Room and calendar titles are limited to 128 characters, room descriptions
/// to 2000 (the public OpenAPI spec).
pub const MAX_TITLE: usize = 128;
pub const MAX_DESCRIPTION: usize = 2000;

const KIND: ProviderKind = ProviderKind::Kontur;

/// The query parameter of a personal join link that carries the listener's token; the room
/// report gives the link's parameters back in `urlParams`. Short, and unlike anything of Talk's.
pub const TOKEN_PARAM: &str = "wbt";
/// The report covers a period of the room, not a meeting: from this long before the planned
/// start (people come early)...
const REPORT_LEAD: chrono::Duration = chrono::Duration::hours(1);
/// ...to this long after the planned end (classes overrun). Each event has its own room, so a
/// wide window takes in nobody else's class.
const REPORT_TAIL: chrono::Duration = chrono::Duration::hours(3);
/// Longer is not one of our tokens, and would only bloat what we store.
const MAX_TOKEN_LEN: usize = 128;

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

/// `GET /api/RoomReport/{roomName}/statistics/report`, the part the bot reads. The spec
/// (`RoomStatisticsReport`) marks no field required; without `roomParticipants` it is no report.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoomReport {
    room_participants: Vec<RoomParticipant>,
}

/// One entry and exit (`RoomStatisticsParticipantModel`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoomParticipant {
    #[serde(default)]
    participant_name: Option<String>,
    #[serde(default)]
    participant_email: Option<String>,
    #[serde(default)]
    entry_time: Option<String>,
    /// Nullable in the spec: the person had not left when the report was made.
    #[serde(default)]
    exit_time: Option<String>,
    /// "Параметры URL из ссылки, по которой присоединился участник"; nullable.
    #[serde(default)]
    url_params: Option<String>,
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

    /// The room's report for the class's window, widened by [`REPORT_LEAD`] and [`REPORT_TAIL`].
    /// Needs the key's "Отчетность" read permission (`application.reporting.read`).
    pub async fn attendance(
        &self,
        meeting: &Meeting,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<ReportFetch, ProviderError> {
        let url = self.api(&format!("RoomReport/{}/statistics/report", path_segment(&meeting.id)));
        let query = [("from", utc_text(start - REPORT_LEAD)), ("to", utc_text(end + REPORT_TAIL))];
        let reply = self
            .http
            .idempotent(|| {
                // The spec offers JSON as application/json, text/json and text/plain.
                self.authorized(self.http.client().get(&url)).header("accept", "application/json").query(&query)
            })
            .await?;
        match reply.status.as_u16() {
            200..=299 => {}
            // The spec's error table: 403 is a key without the access level the call needs.
            403 => return Ok(ReportFetch::Unavailable(Unavailable::Permission)),
            // The endpoint declares no 404; the spec's error table reads it as "no data with
            // these parameters", not as an unknown room. The room is ours, so no data means no
            // conference was recorded in the window yet: ask again later. Whether the report lags
            // behind the conference at all is not documented.
            404 => return Ok(ReportFetch::NotReady),
            _ => return Err(failure(&reply)),
        }
        let report: RoomReport = reply.json(KIND)?;
        Ok(ReportFetch::Ready(report.room_participants.into_iter().map(|row| to_participant(row, end)).collect()))
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

/// An entry and exit as a participant with one stay. An exit left empty means the person was
/// still in when the report was made: the class counts as theirs until its planned `end`, or
/// not at all if they came after it (the report's time of making is not given, and guessing
/// "now" would count hours after the class).
fn to_participant(row: RoomParticipant, end: DateTime<Utc>) -> Participant {
    let joined = row.entry_time.as_deref().and_then(instant);
    let stays = match joined {
        Some(joined) => {
            let left = row.exit_time.as_deref().and_then(instant).unwrap_or_else(|| end.max(joined));
            vec![Stay { joined, left }]
        }
        // No entry time to count from: the person still appears, with no minutes.
        None => Vec::new(),
    };
    Participant {
        name: row.participant_name.unwrap_or_default(),
        email: row.participant_email.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()),
        registrant_id: None,
        token: row.url_params.as_deref().and_then(token_from_url_params),
        stays,
    }
}

/// The report's `date-time`. The endpoint says it uses ISO UTC like `2022-12-19T19:00:00.000Z`;
/// a time written without an offset is read as that UTC, since the spec does not say whether the
/// answer always carries the `Z`.
fn instant(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|naive| naive.and_utc()))
}

/// The room's join link with the listener's token in [`TOKEN_PARAM`]. The link's own parameters
/// are kept as they are written; an old token parameter is replaced. `None` for an empty token
/// or a link that is no URL. That Talk keeps unknown parameters through its join page (and a
/// sign-in on the way) and reports them is not documented beyond `urlParams` itself.
pub fn personal_join_url(join_url: &str, token: &str) -> Option<String> {
    let token = token.trim();
    if token.is_empty() {
        return None;
    }
    let mut url = url::Url::parse(join_url).ok()?;
    let pair = url::form_urlencoded::Serializer::new(String::new()).append_pair(TOKEN_PARAM, token).finish();
    let kept: Vec<&str> = url
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(TOKEN_PARAM))
        .collect();
    let query = if kept.is_empty() { pair } else { format!("{}&{pair}", kept.join("&")) };
    url.set_query(Some(&query));
    Some(url.into())
}

/// The token in a report's `urlParams`. The spec says only "the URL parameters of the link the
/// participant joined by", not their form: a query with or without the leading `?` is accepted,
/// and so is a whole link (the part after `?`, without a `#fragment`).
pub fn token_from_url_params(params: &str) -> Option<String> {
    let params = params.trim();
    let query = params.split_once('?').map_or(params, |(_, q)| q);
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == TOKEN_PARAM)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= MAX_TOKEN_LEN)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_comes_back_from_url_params_in_either_form() {
        assert_eq!(token_from_url_params("wbt=Ab3_x-9").as_deref(), Some("Ab3_x-9"));
        assert_eq!(token_from_url_params("?wbt=Ab3").as_deref(), Some("Ab3"));
        assert_eq!(token_from_url_params("utm_source=tg&wbt=Ab3&lang=ru").as_deref(), Some("Ab3"));
        assert_eq!(token_from_url_params("https://uchi.ktalk.ru/room?a=1&wbt=Ab3#x").as_deref(), Some("Ab3"));
        assert_eq!(token_from_url_params(" wbt=a%2Bb ").as_deref(), Some("a+b"));
    }

    #[test]
    fn no_token_is_none() {
        for params in ["", "?", "a=1", "wbt=", "xwbt=Ab3", "wbtx=Ab3", &format!("wbt={}", "a".repeat(129))] {
            assert_eq!(token_from_url_params(params), None, "{params:?}");
        }
    }

    #[test]
    fn the_personal_link_adds_the_token_and_keeps_the_rest() {
        let plain = personal_join_url("https://uchi.ktalk.ru/abc123room", "Ab3").unwrap();
        assert_eq!(plain, "https://uchi.ktalk.ru/abc123room?wbt=Ab3");
        let with_query = personal_join_url("https://uchi.ktalk.ru/abc123room?lang=ru&x=a%20b#top", "Ab3").unwrap();
        assert_eq!(with_query, "https://uchi.ktalk.ru/abc123room?lang=ru&x=a%20b&wbt=Ab3#top");
        let replaced = personal_join_url("https://uchi.ktalk.ru/r?wbt=old&lang=ru", "new").unwrap();
        assert_eq!(replaced, "https://uchi.ktalk.ru/r?lang=ru&wbt=new");
        let encoded = personal_join_url("https://uchi.ktalk.ru/r", "a+b/c=d&e").unwrap();
        assert_eq!(encoded, "https://uchi.ktalk.ru/r?wbt=a%2Bb%2Fc%3Dd%26e");
        assert_eq!(personal_join_url("https://uchi.ktalk.ru/r", " "), None);
        assert_eq!(personal_join_url("not a link", "Ab3"), None);
    }

    #[test]
    fn a_personal_link_round_trips_through_url_params() {
        let link = personal_join_url("https://uchi.ktalk.ru/r?lang=ru", "tok en+1").unwrap();
        let query = url::Url::parse(&link).unwrap().query().unwrap().to_owned();
        assert_eq!(token_from_url_params(&query).as_deref(), Some("tok en+1"));
        assert_eq!(token_from_url_params(&format!("?{query}")).as_deref(), Some("tok en+1"));
    }

    #[test]
    fn report_times_with_and_without_an_offset_are_utc() {
        let at = Utc.with_ymd_and_hms(2022, 12, 19, 19, 0, 0).unwrap();
        assert_eq!(instant("2022-12-19T19:00:00.000Z"), Some(at));
        assert_eq!(instant("2022-12-19T22:00:00+03:00"), Some(at));
        assert_eq!(instant("2022-12-19T19:00:00"), Some(at));
        assert_eq!(instant("19.12.2022"), None);
    }

    #[test]
    fn an_open_exit_ends_at_the_planned_end_or_not_at_all() {
        let end = Utc.with_ymd_and_hms(2025, 9, 1, 9, 0, 0).unwrap();
        let row = |entry: &str| RoomParticipant {
            participant_name: Some("Анна".into()),
            participant_email: Some(" ".into()),
            entry_time: Some(entry.into()),
            exit_time: None,
            url_params: None,
        };
        let early = to_participant(row("2025-09-01T07:40:00.000Z"), end);
        assert_eq!(early.stays[0].left, end);
        assert_eq!(early.email, None);
        let late = to_participant(row("2025-09-01T09:10:00.000Z"), end);
        assert_eq!(late.stays[0].left, late.stays[0].joined);
    }
}
