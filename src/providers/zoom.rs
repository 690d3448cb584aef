//! Zoom through a Server-to-Server OAuth app: an access token per app, kept
//! in memory and renewed shortly before its hour runs out.

use super::http::{Http, Reply};
use super::{
    CheckReport, DeleteOutcome, InputProblem, Meeting, MeetingExtra, MeetingRequest, ProviderError, ProviderKind,
    Secret, check_email, path_segment, resolve_base, truncate_chars,
};
use crate::domain::attendance::{Participant, ReportFetch, Stay, Unavailable};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

pub const OFFICIAL_BASE: &str = "https://api.zoom.us/v2";
pub const OFFICIAL_OAUTH: &str = "https://zoom.us/oauth/token";
/// `agenda` is limited to 2000 characters in the meeting schema.
pub const MAX_AGENDA: usize = 2000;
/// Zoom's topic limit (the 2023 spec states none; the web form stops at 200).
pub const MAX_TOPIC: usize = 200;
/// Zoom's code for an invalid or expired access token.
const CODE_TOKEN: i64 = 124;
/// A token without the scopes the call needs: 4700 [Z-errors], 4711 (a third-party issue; see
/// `reference/providers.md` §2.5). A new token of the same app has the same scopes.
const CODES_SCOPES: [i64; 2] = [4700, 4711];
/// "Meeting not found or has expired" (404); on a report also what a meeting not yet ended gets.
const CODE_NOT_FOUND: i64 = 3001;
/// On a report, 400 + 200 "No permission." / "Only available for paid account".
const CODE_NO_PERMISSION: i64 = 200;
/// The report's largest page, the spec's maximum: fewer calls to a "Heavy" endpoint.
const REPORT_PAGE_SIZE: &str = "300";
/// A stop for a server that never ends the pages: 300 000 records is more than any class.
const MAX_REPORT_PAGES: usize = 1000;
/// Renew the token this long before Zoom says it expires.
const RENEW_MARGIN: Duration = Duration::from_secs(300);

const KIND: ProviderKind = ProviderKind::Zoom;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZoomSettings {
    pub account_id: String,
    pub client_id: String,
    pub client_secret: Secret,
    #[serde(default)]
    pub meeting_type: ZoomMeetingType,
    /// The host whose Zoom account e-mail the meetings are created for, when
    /// the event names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_email: Option<String>,
    /// Token endpoint override; by default derived from the base-URL override
    /// (`{origin}/oauth/token`), else the official one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_url: Option<String>,
}

/// Meetings work on any plan; webinars need the paid add-on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoomMeetingType {
    #[default]
    Meeting,
    Webinar,
}

impl ZoomMeetingType {
    fn as_str(self) -> &'static str {
        match self {
            Self::Meeting => "meeting",
            Self::Webinar => "webinar",
        }
    }

    /// Scheduled meeting (2) or single webinar (5).
    fn type_code(self) -> i64 {
        match self {
            Self::Meeting => 2,
            Self::Webinar => 5,
        }
    }

    fn collection(self) -> &'static str {
        match self {
            Self::Meeting => "meetings",
            Self::Webinar => "webinars",
        }
    }

    fn from_extra(extra: &MeetingExtra, fallback: Self) -> Self {
        match extra.zoom_kind.as_deref() {
            Some("webinar") => Self::Webinar,
            Some("meeting") => Self::Meeting,
            _ => fallback,
        }
    }
}

#[derive(Debug)]
struct CachedToken {
    token: Secret,
    renew_at: Instant,
}

#[derive(Clone, Debug)]
pub struct Zoom {
    settings: ZoomSettings,
    base: String,
    oauth_url: String,
    http: Http,
    token: Arc<Mutex<Option<CachedToken>>>,
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Serialize)]
struct MeetingBody {
    topic: String,
    #[serde(rename = "type")]
    kind: i64,
    /// UTC with `Z`: conforms to the schema's `date-time`; `timezone` still
    /// sets the zone Zoom shows the meeting in.
    start_time: String,
    timezone: String,
    duration: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    agenda: Option<String>,
}

#[derive(Deserialize)]
struct MeetingReply {
    id: i64,
    join_url: String,
    #[serde(default)]
    start_url: Option<String>,
}

#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Deserialize)]
struct UserReply {
    #[serde(default)]
    email: Option<String>,
}

/// One page of `GET /report/{meetings|webinars}/{id}/participants`. `participants` is not
/// optional here: a 200 without it is not a report, and an empty one would read as "nobody came".
#[derive(Deserialize)]
struct ReportPage {
    participants: Vec<ReportRecord>,
    #[serde(default)]
    next_page_token: Option<String>,
}

/// One join-to-leave record; a person who joined twice has two. The spec marks no field
/// required, so every one is optional and a missing time only costs that record its stay.
#[derive(Deserialize)]
struct ReportRecord {
    #[serde(default)]
    name: Option<String>,
    /// Empty for people outside the host's account and on BAA accounts (the spec).
    #[serde(default)]
    user_email: Option<String>,
    /// Only with `include_fields=registrant_id`, and only for meetings with registration.
    #[serde(default)]
    registrant_id: Option<String>,
    #[serde(default)]
    join_time: Option<String>,
    #[serde(default)]
    leave_time: Option<String>,
    /// `in_meeting` or `in_waiting_room`.
    #[serde(default)]
    status: Option<String>,
}

impl Zoom {
    pub(crate) fn new(settings: ZoomSettings, base: Option<String>, http: Http) -> Result<Self, ProviderError> {
        let blank = |s: &str| s.trim().is_empty();
        if blank(&settings.account_id) || blank(&settings.client_id) || settings.client_secret.is_empty() {
            return Err(InputProblem::MissingCredential.into());
        }
        let oauth_url = match (&settings.oauth_url, &base) {
            (Some(url), _) => resolve_base(Some(url), OFFICIAL_OAUTH)?,
            (None, Some(base)) => format!("{}/oauth/token", origin(base)?),
            (None, None) => OFFICIAL_OAUTH.to_owned(),
        };
        let base = resolve_base(base.as_deref(), OFFICIAL_BASE)?;
        Ok(Self { settings, base, oauth_url, http, token: Arc::new(Mutex::new(None)) })
    }

    pub async fn create(&self, req: &MeetingRequest) -> Result<Meeting, ProviderError> {
        let host = self.host(req)?;
        let kind = self.settings.meeting_type;
        let body = meeting_body(req, kind);
        let url = self.url(&format!("users/{}/{}", path_segment(&host), kind.collection()));
        // Sent once; a 401 means nothing was created, so the authorised
        // retry inside `call` cannot make a duplicate.
        let reply = self.call(false, |token| self.http.client().post(&url).bearer_auth(token).json(&body)).await?;
        if reply.status.as_u16() != 201 {
            return Err(failure(&reply, &host));
        }
        Ok(to_meeting(reply.json(KIND)?, kind))
    }

    /// PATCH answers 204 without a body; the meeting is read back for fresh
    /// links (the host link expires after two hours).
    pub async fn update(&self, meeting: &Meeting, req: &MeetingRequest) -> Result<Meeting, ProviderError> {
        let host = self.host(req).unwrap_or_default();
        let kind = ZoomMeetingType::from_extra(&meeting.extra, self.settings.meeting_type);
        let body = meeting_body(req, kind);
        let url = self.item_url(kind, &meeting.id);
        let reply = self.call(true, |token| self.http.client().patch(&url).bearer_auth(token).json(&body)).await?;
        // The webinar spec lists a 200 carrying "subscription plan is missing".
        if reply.status.as_u16() != 204 {
            return Err(failure(&reply, &host));
        }
        let fresh = self.get(&meeting.id, kind, &host).await?;
        // The links of another meeting would send the listeners to a stranger's room.
        if fresh.id != meeting.id {
            tracing::warn!(asked = %meeting.id, answered = %fresh.id, "Zoom answered a read of one meeting with another");
            return Err(ProviderError::WrongMeeting(KIND));
        }
        Ok(fresh)
    }

    async fn get(&self, id: &str, kind: ZoomMeetingType, host: &str) -> Result<Meeting, ProviderError> {
        let url = self.item_url(kind, id);
        let reply = self.call(true, |token| self.http.client().get(&url).bearer_auth(token)).await?;
        if !reply.is_success() {
            return Err(failure(&reply, host));
        }
        Ok(to_meeting(reply.json(KIND)?, kind))
    }

    /// Deletes without mailing the registrants: the bot notifies them itself.
    pub async fn delete(&self, meeting: &Meeting) -> Result<DeleteOutcome, ProviderError> {
        let kind = ZoomMeetingType::from_extra(&meeting.extra, self.settings.meeting_type);
        let query: &[(&str, &str)] = match kind {
            ZoomMeetingType::Meeting => &[("cancel_meeting_reminder", "false"), ("schedule_for_reminder", "false")],
            ZoomMeetingType::Webinar => &[("cancel_webinar_reminder", "false")],
        };
        let url = self.item_url(kind, &meeting.id);
        let reply = self.call(true, |token| self.http.client().delete(&url).bearer_auth(token).query(query)).await?;
        match failure_or_ok(&reply, "") {
            Ok(()) => Ok(DeleteOutcome::Deleted),
            Err(ProviderError::MeetingGone) => Ok(DeleteOutcome::AlreadyGone),
            Err(err) => Err(err),
        }
    }

    /// The participant report: every record of every page. Reports need a Pro plan or higher
    /// (webinars: the webinar add-on) and the `report:read:admin` scope, and exist only after the
    /// meeting has ended. With the meeting's numeric id Zoom reports its latest instance only
    /// (the spec): a class ended and started again keeps only its last part; getting every part
    /// would take `/past_meetings/{id}/instances` and a report per UUID.
    pub async fn attendance(&self, meeting: &Meeting) -> Result<ReportFetch, ProviderError> {
        let kind = ZoomMeetingType::from_extra(&meeting.extra, self.settings.meeting_type);
        let url = self.url(&format!("report/{}/{}/participants", kind.collection(), path_segment(&meeting.id)));
        let host = self.settings.host_email.clone().unwrap_or_default();
        let mut participants = Vec::new();
        let mut page_token = String::new();
        let mut seen_tokens = HashSet::new();
        for _ in 0..MAX_REPORT_PAGES {
            let reply = self
                .call(true, |token| {
                    let mut query = vec![("page_size", REPORT_PAGE_SIZE), ("include_fields", "registrant_id")];
                    if !page_token.is_empty() {
                        query.push(("next_page_token", page_token.as_str()));
                    }
                    self.http.client().get(&url).bearer_auth(token).query(&query)
                })
                .await?;
            if !reply.is_success() {
                return report_failure(&reply, &host);
            }
            let page: ReportPage = reply.json(KIND)?;
            participants.extend(page.participants.into_iter().filter_map(to_participant));
            match page.next_page_token.filter(|t| !t.is_empty()) {
                None => return Ok(ReportFetch::Ready(participants)),
                // A token seen before would page in a circle and count people twice.
                Some(next) if !seen_tokens.insert(next.clone()) => return Err(ProviderError::Malformed(KIND)),
                Some(next) => page_token = next,
            }
        }
        Err(ProviderError::Malformed(KIND))
    }

    /// Fetches a fresh token (proving the app credentials), then, when a host
    /// is set, reads that user (proving the e-mail belongs to the account).
    pub async fn check(&self) -> Result<CheckReport, ProviderError> {
        *self.token.lock().await = None;
        self.access_token().await?;
        let Some(host) = self.settings.host_email.clone() else {
            return Ok(CheckReport::default());
        };
        let url = self.url(&format!("users/{}", path_segment(&host)));
        let reply = self.call(true, |token| self.http.client().get(&url).bearer_auth(token)).await?;
        if !reply.is_success() {
            return Err(failure(&reply, &host));
        }
        let user: UserReply = reply.json(KIND)?;
        Ok(CheckReport { account: Some(user.email.unwrap_or(host)), expires_at: None })
    }

    /// Sends an authorised request; on 401 or code 124 drops the cached
    /// token, fetches a new one and sends once more.
    async fn call<F>(&self, idempotent: bool, build: F) -> Result<Reply, ProviderError>
    where
        F: Fn(&str) -> reqwest::RequestBuilder,
    {
        let token = self.access_token().await?;
        let reply = self.send(idempotent, &build, &token).await?;
        if !token_rejected(&reply) {
            return Ok(reply);
        }
        tracing::info!(service = %KIND, "access token rejected; fetching a new one");
        *self.token.lock().await = None;
        let token = self.access_token().await?;
        let reply = self.send(idempotent, &build, &token).await?;
        if token_rejected(&reply) {
            return Err(ProviderError::ZoomCredentialsInvalid);
        }
        Ok(reply)
    }

    async fn send<F>(&self, idempotent: bool, build: &F, token: &Secret) -> Result<Reply, ProviderError>
    where
        F: Fn(&str) -> reqwest::RequestBuilder,
    {
        if idempotent {
            self.http.idempotent(|| build(token.expose())).await
        } else {
            self.http.once(build(token.expose())).await
        }
    }

    /// The cached token, or a new one when none is cached or it is due.
    async fn access_token(&self) -> Result<Secret, ProviderError> {
        let mut cache = self.token.lock().await;
        if let Some(cached) = cache.as_ref().filter(|c| Instant::now() < c.renew_at) {
            return Ok(cached.token.clone());
        }
        let fresh = self.fetch_token().await?;
        let token = fresh.token.clone();
        *cache = Some(fresh);
        Ok(token)
    }

    async fn fetch_token(&self) -> Result<CachedToken, ProviderError> {
        let form = [("grant_type", "account_credentials"), ("account_id", self.settings.account_id.trim())];
        let reply = self
            .http
            .idempotent(|| {
                self.http
                    .client()
                    .post(&self.oauth_url)
                    .basic_auth(self.settings.client_id.trim(), Some(self.settings.client_secret.expose()))
                    .form(&form)
            })
            .await?;
        match reply.status.as_u16() {
            200 => {}
            400 | 401 | 403 => return Err(ProviderError::ZoomCredentialsInvalid),
            _ => return Err(reply.common_failure(KIND, None)),
        }
        let token: TokenReply = reply.json(KIND)?;
        let lifetime = Duration::from_secs(token.expires_in.unwrap_or(3600));
        let margin = RENEW_MARGIN.min(lifetime / 2);
        Ok(CachedToken { token: Secret::new(token.access_token), renew_at: Instant::now() + lifetime - margin })
    }

    fn host(&self, req: &MeetingRequest) -> Result<String, ProviderError> {
        let host = req
            .host_email
            .as_deref()
            .or(self.settings.host_email.as_deref())
            .filter(|h| !h.trim().is_empty())
            .ok_or(InputProblem::HostEmailRequired)?;
        check_email(host)
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base)
    }

    fn item_url(&self, kind: ZoomMeetingType, id: &str) -> String {
        self.url(&format!("{}/{}", kind.collection(), path_segment(id)))
    }
}

fn meeting_body(req: &MeetingRequest, kind: ZoomMeetingType) -> MeetingBody {
    MeetingBody {
        topic: truncate_chars(&req.title, MAX_TOPIC),
        kind: kind.type_code(),
        start_time: req.start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        timezone: req.timezone.name().to_owned(),
        duration: req.duration_minutes,
        agenda: req.description.as_deref().filter(|d| !d.trim().is_empty()).map(|d| truncate_chars(d, MAX_AGENDA)),
    }
}

fn to_meeting(reply: MeetingReply, kind: ZoomMeetingType) -> Meeting {
    Meeting {
        id: reply.id.to_string(),
        join_url: reply.join_url,
        host_url: reply.start_url,
        extra: MeetingExtra { zoom_kind: Some(kind.as_str().to_owned()), ..MeetingExtra::default() },
    }
}

/// A token to renew: not one that only lacks scopes, which a new token of the same app lacks too.
fn token_rejected(reply: &Reply) -> bool {
    let body: ErrorBody = reply.json(KIND).unwrap_or_default();
    (reply.status.as_u16() == 401 || body.code == Some(CODE_TOKEN)) && !lacks_scopes(reply, &body)
}

/// The documented codes, or a 401/403 whose message names scopes (the message of 4700 and 4711
/// is "Invalid access token, does not contain scopes…"; the status that comes with 4700 is not
/// documented).
fn lacks_scopes(reply: &Reply, body: &ErrorBody) -> bool {
    let names_scopes = body.message.as_deref().is_some_and(|m| m.to_ascii_lowercase().contains("scope"));
    body.code.is_some_and(|c| CODES_SCOPES.contains(&c)) || (matches!(reply.status.as_u16(), 401 | 403) && names_scopes)
}

/// A report's refusals that say something about the account rather than this call.
fn report_failure(reply: &Reply, host: &str) -> Result<ReportFetch, ProviderError> {
    let body: ErrorBody = reply.json(KIND).unwrap_or_default();
    match (reply.status.as_u16(), body.code) {
        // The report spec says "not found or has expired"; the past-meeting spec gives the same
        // code for "invalid or not end". A meeting we created and did not delete is most likely
        // not ended (or its report not yet made): the caller asks again later, and gives up at
        // its own limit if the meeting was in fact removed at Zoom.
        (404, Some(CODE_NOT_FOUND)) => Ok(ReportFetch::NotReady),
        // The report spec words code 200 "No permission.", the past-meeting spec "Only available
        // for paid account"; both report endpoints need a Pro plan. Read as the plan.
        (400, Some(CODE_NO_PERMISSION)) => Ok(ReportFetch::Unavailable(Unavailable::Plan)),
        _ if lacks_scopes(reply, &body) => Ok(ReportFetch::Unavailable(Unavailable::Permission)),
        _ => Err(failure(reply, host)),
    }
}

/// A record as a participant with one stay. Waiting-room records are left out: the spec's
/// status says the person was in the waiting room, not in the class.
fn to_participant(record: ReportRecord) -> Option<Participant> {
    if record.status.as_deref() == Some("in_waiting_room") {
        return None;
    }
    let joined = record.join_time.as_deref().and_then(instant);
    let left = record.leave_time.as_deref().and_then(instant);
    let stays = match (joined, left) {
        (Some(joined), Some(left)) => vec![Stay { joined, left }],
        // No time to count: the person still appears, so the teacher sees them, with no minutes.
        _ => Vec::new(),
    };
    Some(Participant {
        name: record.name.unwrap_or_default(),
        email: non_empty(record.user_email),
        registrant_id: non_empty(record.registrant_id),
        token: None,
        stays,
    })
}

/// The spec's `date-time`, with or without fractions (`2022-03-23T06:58:09Z`,
/// `2019-02-01T12:34:12.660Z`).
fn instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim()).ok().map(|t| t.with_timezone(&Utc))
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn failure_or_ok(reply: &Reply, host: &str) -> Result<(), ProviderError> {
    if reply.is_success() { Ok(()) } else { Err(failure(reply, host)) }
}

fn failure(reply: &Reply, host: &str) -> ProviderError {
    let body: ErrorBody = reply.json(KIND).unwrap_or_default();
    let message = body.message.as_deref().unwrap_or("").to_ascii_lowercase();
    let status = reply.status.as_u16();
    if lacks_scopes(reply, &body) {
        return ProviderError::ZoomMissingScopes;
    }
    match (status, body.code) {
        (401, _) | (_, Some(CODE_TOKEN)) => ProviderError::ZoomCredentialsInvalid,
        (_, Some(1001 | 1010)) => ProviderError::ZoomHostNotInAccount(host.to_owned()),
        (_, Some(200)) => ProviderError::ZoomWebinarPlanMissing,
        (_, Some(3001)) => ProviderError::MeetingGone,
        // The spec documents HTTP 300 "A maximum of {n} meetings can be
        // created/updated for a single user in one day"; the forum shows 429
        // with "daily rate limit".
        (300, _) if message.contains("maximum") => ProviderError::DailyLimit,
        (429, _) if message.contains("daily") => ProviderError::DailyLimit,
        _ => reply.common_failure(KIND, body.code.map(|c| c.to_string())),
    }
}

/// `scheme://host[:port]` of a base URL, for the token endpoint beside it.
fn origin(base: &str) -> Result<String, ProviderError> {
    let url = url::Url::parse(base).map_err(|_| InputProblem::BadBaseUrl)?;
    Ok(url.origin().ascii_serialization())
}
