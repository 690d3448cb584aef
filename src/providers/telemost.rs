//! Yandex Telemost: a conference is a permanent room link. It has no title,
//! time or description; those live in our messages only.

use super::http::{Http, Reply};
use super::{
    CheckReport, DeleteOutcome, InputProblem, Meeting, MeetingExtra, MeetingRequest, ProviderError, ProviderKind,
    Secret, check_email, path_segment, resolve_base, truncate_chars,
};
use serde::{Deserialize, Serialize};

pub const OFFICIAL_BASE: &str = "https://cloud-api.yandex.net/v1/telemost-api";
/// Yandex ID's user-info endpoint accepts any Yandex OAuth token: the
/// cheapest call that proves a token works without creating a meeting.
pub const OFFICIAL_LOGIN_INFO: &str = "https://login.yandex.ru/info";
/// Documented limits of the create body.
pub const MAX_COHOSTS: usize = 30;
pub const MAX_STREAM_TITLE: usize = 1024;
pub const MAX_STREAM_DESCRIPTION: usize = 2048;

const KIND: ProviderKind = ProviderKind::Telemost;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TelemostSettings {
    pub token: Secret,
    #[serde(default)]
    pub waiting_room_level: WaitingRoomLevel,
    /// Who may watch the live stream, when an event has one.
    #[serde(default)]
    pub live_stream_access: LiveStreamAccess,
    /// Override of the Yandex ID user-info URL used by the check (tests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_info_url: Option<String>,
}

/// Telemost's waiting-room setting, sent as is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WaitingRoomLevel {
    /// No waiting room: everyone joins at once.
    #[default]
    Public,
    /// Outsiders wait; users of the organisation's domain join directly.
    Organization,
    /// Everyone but the organisers and co-hosts waits.
    Admins,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LiveStreamAccess {
    #[default]
    Public,
    Organization,
}

#[derive(Clone, Debug)]
pub struct Telemost {
    settings: TelemostSettings,
    base: String,
    login_info: String,
    http: Http,
}

#[derive(Serialize)]
struct ConferenceBody {
    waiting_room_level: WaitingRoomLevel,
    #[serde(skip_serializing_if = "Option::is_none")]
    live_stream: Option<LiveStreamBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cohosts: Option<Vec<Cohost>>,
}

#[derive(Serialize)]
struct LiveStreamBody {
    access_level: LiveStreamAccess,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

#[derive(Serialize)]
struct Cohost {
    email: String,
}

#[derive(Deserialize)]
struct Conference {
    id: String,
    join_url: String,
    #[serde(default)]
    live_stream: Option<LiveStreamInfo>,
}

#[derive(Deserialize)]
struct LiveStreamInfo {
    #[serde(default)]
    watch_url: Option<String>,
}

#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    details: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct UserInfo {
    #[serde(default)]
    default_email: Option<String>,
    #[serde(default)]
    login: Option<String>,
}

impl Telemost {
    pub(crate) fn new(settings: TelemostSettings, base: Option<String>, http: Http) -> Result<Self, ProviderError> {
        if settings.token.is_empty() {
            return Err(InputProblem::MissingCredential.into());
        }
        let base = resolve_base(base.as_deref(), OFFICIAL_BASE)?;
        let login_info = resolve_base(settings.login_info_url.as_deref(), OFFICIAL_LOGIN_INFO)?;
        Ok(Self { settings, base, login_info, http })
    }

    pub async fn create(&self, req: &MeetingRequest) -> Result<Meeting, ProviderError> {
        let body = self.body(req, false)?;
        let request = self.authorized(self.http.client().post(self.url("conferences")));
        let reply = self.http.once(request.json(&body)).await?;
        if !reply.is_success() {
            return Err(failure(&reply));
        }
        Ok(to_meeting(reply.json(KIND)?))
    }

    /// Reads a conference: its join link and stream link.
    pub async fn get(&self, id: &str) -> Result<Meeting, ProviderError> {
        let url = self.url(&format!("conferences/{}", path_segment(id)));
        let reply = self.http.idempotent(|| self.authorized(self.http.client().get(&url))).await?;
        if !reply.is_success() {
            return Err(failure(&reply));
        }
        Ok(to_meeting(reply.json(KIND)?))
    }

    /// PATCH with the waiting room, stream and co-hosts; the answer's shape is
    /// not documented, so the conference is read back when it lacks a link.
    pub async fn update(&self, meeting: &Meeting, req: &MeetingRequest) -> Result<Meeting, ProviderError> {
        let body = self.body(req, true)?;
        let url = self.url(&format!("conferences/{}", path_segment(&meeting.id)));
        let reply = self.http.idempotent(|| self.authorized(self.http.client().patch(&url)).json(&body)).await?;
        if !reply.is_success() {
            return Err(failure(&reply));
        }
        match reply.json::<Conference>(KIND) {
            Ok(conference) => Ok(to_meeting(conference)),
            Err(_) => self.get(&meeting.id).await,
        }
    }

    /// DELETE is not in the official pages (the seed still asks for the
    /// `conferences.delete` scope): 404 means gone, 405 means not supported.
    pub async fn delete(&self, meeting: &Meeting) -> Result<DeleteOutcome, ProviderError> {
        let url = self.url(&format!("conferences/{}", path_segment(&meeting.id)));
        let reply = self.http.idempotent(|| self.authorized(self.http.client().delete(&url))).await?;
        match reply.status.as_u16() {
            200..=299 => Ok(DeleteOutcome::Deleted),
            404 => Ok(DeleteOutcome::AlreadyGone),
            405 => Ok(DeleteOutcome::NotSupported),
            _ => Err(failure(&reply)),
        }
    }

    pub async fn check(&self) -> Result<CheckReport, ProviderError> {
        let url = format!("{}?format=json", self.login_info);
        let reply = self.http.idempotent(|| self.authorized(self.http.client().get(&url))).await?;
        if !reply.is_success() {
            return Err(failure(&reply));
        }
        let info: UserInfo = reply.json(KIND)?;
        Ok(CheckReport { account: info.default_email.or(info.login), expires_at: None })
    }

    fn body(&self, req: &MeetingRequest, patch: bool) -> Result<ConferenceBody, ProviderError> {
        let cohosts = cohosts(&req.cohosts)?;
        // Create sends co-hosts only when there are some; PATCH always sends
        // the list so that removing the last co-host takes effect.
        let cohosts = (patch || !cohosts.is_empty()).then_some(cohosts);
        let live_stream = req.live_stream.then(|| LiveStreamBody {
            access_level: self.settings.live_stream_access,
            title: truncate_chars(&req.title, MAX_STREAM_TITLE),
            description: req.description.as_deref().map(|d| truncate_chars(d, MAX_STREAM_DESCRIPTION)),
        });
        Ok(ConferenceBody { waiting_room_level: self.settings.waiting_room_level, live_stream, cohosts })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base)
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        // Yandex's scheme word is "OAuth", not "Bearer".
        request.header(reqwest::header::AUTHORIZATION, format!("OAuth {}", self.settings.token.expose()))
    }
}

/// Checked before sending: the count limit and the shape of each address.
fn cohosts(emails: &[String]) -> Result<Vec<Cohost>, ProviderError> {
    if emails.len() > MAX_COHOSTS {
        return Err(InputProblem::TooManyCohosts { max: MAX_COHOSTS, given: emails.len() }.into());
    }
    emails.iter().map(|e| check_email(e).map(|email| Cohost { email })).collect()
}

fn to_meeting(conference: Conference) -> Meeting {
    Meeting {
        id: conference.id,
        join_url: conference.join_url,
        // The token's owner and the co-hosts are the organisers: no host link.
        host_url: None,
        extra: MeetingExtra { watch_url: conference.live_stream.and_then(|s| s.watch_url), ..MeetingExtra::default() },
    }
}

fn failure(reply: &Reply) -> ProviderError {
    let body: ErrorBody = reply.json(KIND).unwrap_or_default();
    let code = body.error.as_deref().unwrap_or("");
    match (reply.status.as_u16(), code) {
        (401, _) => ProviderError::TelemostTokenInvalid,
        (402, _) => ProviderError::LiveStreamNeedsPayment,
        (403, "ApiRestrictedToOrganizations") => ProviderError::OrganizationRequired,
        (403, _) => ProviderError::TelemostForbidden,
        (404, "NoSuchUserPrincipalsFound") => ProviderError::UnknownCohosts(unknown_emails(body.details.as_ref())),
        (404, _) => ProviderError::MeetingGone,
        _ => reply.common_failure(KIND, body.error),
    }
}

/// `details.emails` is a `;`-separated string in the docs; accept a list too.
fn unknown_emails(details: Option<&serde_json::Value>) -> Vec<String> {
    let Some(emails) = details.and_then(|d| d.get("emails")) else {
        return Vec::new();
    };
    let raw: Vec<String> = match emails {
        serde_json::Value::String(s) => s.split(';').map(str::to_owned).collect(),
        serde_json::Value::Array(items) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    };
    raw.into_iter().map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()).collect()
}
