//! Meeting providers: the video services a meeting is created on.
//!
//! The bot holds a [`Provider`] built from stored [`ProviderSettings`] and the
//! shared client from [`http_client`]. Every call returns a typed
//! [`ProviderError`]; [`ProviderError::i18n`] gives the Fluent key in
//! `locales/*/providers.ftl` that tells the user what to do.

pub mod address;
mod error;
pub mod external;
mod http;
pub mod jitsi;
pub mod kontur;
pub mod mts_link;
mod secret;
pub mod telemost;
pub mod zoom;

pub use address::{AddressPolicy, guarded_client, vet_settings, vet_url};
pub use error::{InputProblem, ProviderError};
pub use http::RetryPolicy;
pub use secret::Secret;

use crate::domain::attendance::{ReportFetch, Unavailable};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The services, stored in the database by their [`ProviderKind::as_str`] name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    Telemost,
    Zoom,
    Kontur,
    MtsLink,
    Jitsi,
    External,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 6] =
        [Self::Telemost, Self::Zoom, Self::Kontur, Self::MtsLink, Self::Jitsi, Self::External];

    /// Stable name: stored in the database and used as a Fluent argument.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Telemost => "telemost",
            Self::Zoom => "zoom",
            Self::Kontur => "kontur",
            Self::MtsLink => "mts_link",
            Self::Jitsi => "jitsi",
            Self::External => "external",
        }
    }

    /// Whether the service stores the title and time of a meeting. Telemost, Jitsi and an
    /// external link do not: they live in our messages only.
    pub fn keeps_schedule(self) -> bool {
        matches!(self, Self::Zoom | Self::Kontur | Self::MtsLink)
    }

    /// Whether [`Provider::attendance`] can ever give a report. MTS Link has statistics, but our
    /// sources do not document their shape (see `mts_link.rs`); the bot counts Join presses for
    /// it and for the services without a report API.
    pub fn reports_attendance(self) -> bool {
        matches!(self, Self::Zoom | Self::Kontur)
    }

    /// Fluent key of the service's display name.
    pub fn i18n_key(self) -> &'static str {
        match self {
            Self::Telemost => "provider-kind-telemost",
            Self::Zoom => "provider-kind-zoom",
            Self::Kontur => "provider-kind-kontur",
            Self::MtsLink => "provider-kind-mts_link",
            Self::Jitsi => "provider-kind-jitsi",
            Self::External => "provider-kind-external",
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider kind")]
pub struct UnknownProviderKind;

impl FromStr for ProviderKind {
    type Err = UnknownProviderKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or(UnknownProviderKind)
    }
}

/// What an administrator registers: the service, its credentials and
/// defaults, and an optional base-URL override (the seeds' "service URL";
/// `None` or empty means the official one). Sealed as JSON before storage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(flatten)]
    pub service: ServiceSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ServiceSettings {
    Telemost(telemost::TelemostSettings),
    Zoom(zoom::ZoomSettings),
    Kontur(kontur::KonturSettings),
    MtsLink(mts_link::MtsLinkSettings),
    Jitsi(jitsi::JitsiSettings),
    External,
}

impl ProviderSettings {
    pub fn new(service: ServiceSettings) -> Self {
        Self { base_url: None, service }
    }

    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    pub fn kind(&self) -> ProviderKind {
        match self.service {
            ServiceSettings::Telemost(_) => ProviderKind::Telemost,
            ServiceSettings::Zoom(_) => ProviderKind::Zoom,
            ServiceSettings::Kontur(_) => ProviderKind::Kontur,
            ServiceSettings::MtsLink(_) => ProviderKind::MtsLink,
            ServiceSettings::Jitsi(_) => ProviderKind::Jitsi,
            ServiceSettings::External => ProviderKind::External,
        }
    }

    /// The override, trimmed; `None` when empty.
    fn base_override(&self) -> Option<&str> {
        self.base_url.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
}

/// A meeting to create or update, in provider-neutral terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingRequest {
    pub title: String,
    pub description: Option<String>,
    pub start: DateTime<Utc>,
    pub duration_minutes: u32,
    pub timezone: chrono_tz::Tz,
    /// The teacher who hosts; falls back to the provider's default host.
    pub host_email: Option<String>,
    /// Telemost co-hosts (at most 30).
    #[serde(default)]
    pub cohosts: Vec<String>,
    /// Telemost: add a live stream ("webinar" mode).
    #[serde(default)]
    pub live_stream: bool,
    /// The link the teacher pasted, for the external provider.
    #[serde(default)]
    pub external_url: Option<String>,
}

impl MeetingRequest {
    pub fn end(&self) -> DateTime<Utc> {
        self.start + chrono::Duration::minutes(i64::from(self.duration_minutes))
    }
}

/// A meeting as the service created it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// The service's id (Zoom's int64 as text, MTS Link's session id, the
    /// Kontur.Talk or Jitsi room name, the external URL).
    pub id: String,
    /// The link for listeners.
    pub join_url: String,
    /// The link that opens the meeting as its host, where the service has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_url: Option<String>,
    /// What update and delete need besides the id.
    #[serde(default)]
    pub extra: MeetingExtra,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingExtra {
    /// Telemost live stream: the viewers' link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch_url: Option<String>,
    /// MTS Link: the event that holds the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// Zoom: "meeting" or "webinar", the endpoint family it was created on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoom_kind: Option<String>,
    /// Kontur.Talk: the organiser's e-mail of the calendar event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar_email: Option<String>,
    /// Kontur.Talk: the calendar event id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar_event_id: Option<String>,
}

/// What happened to a meeting on delete. The bot tells the teacher honestly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteOutcome {
    Deleted,
    /// The service no longer knows the meeting (deleted by hand, expired).
    AlreadyGone,
    /// The service cannot delete it through its API; the link may still work.
    NotSupported,
    /// The service keeps nothing to delete: a Jitsi Meet room exists only while people are in it.
    NothingToDelete,
}

impl DeleteOutcome {
    /// Fluent key explaining the outcome for this service.
    pub fn i18n(self, kind: ProviderKind) -> (&'static str, Vec<(&'static str, String)>) {
        let key = match self {
            Self::Deleted => "provider-delete-deleted",
            Self::AlreadyGone => "provider-delete-already-gone",
            Self::NothingToDelete => "provider-delete-nothing-to-delete",
            Self::NotSupported => match kind {
                ProviderKind::Kontur => "provider-delete-not-supported-kontur",
                ProviderKind::External => "provider-delete-not-supported-external",
                _ => "provider-delete-not-supported",
            },
        };
        (key, Vec::new())
    }
}

/// What a credentials check learnt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// The account the credentials belong to, where the service says (Telemost
    /// e-mail or login, Zoom host).
    pub account: Option<String>,
    /// When the key stops working (Kontur.Talk).
    pub expires_at: Option<DateTime<Utc>>,
}

/// Connect timeout of the shared client.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Total timeout of one request.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(20);

/// The one client for every provider call.
pub fn http_client() -> reqwest::Client {
    http_client_with_timeouts(CONNECT_TIMEOUT, TOTAL_TIMEOUT)
}

/// Same as [`http_client`] with other timeouts (tests use short ones).
pub fn http_client_with_timeouts(connect: Duration, total: Duration) -> reqwest::Client {
    client_builder(connect, total).build().expect("a client with static settings always builds")
}

fn client_builder(connect: Duration, total: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .connect_timeout(connect)
        .timeout(total)
        .user_agent(concat!("webinar-bot/", env!("CARGO_PKG_VERSION")))
        // Credentials travel in custom headers (X-Auth-Token...), which a
        // redirect to another host would carry along: follow none.
        .redirect(reqwest::redirect::Policy::none())
}

/// A configured provider; the bot holds this.
#[derive(Clone, Debug)]
pub enum Provider {
    Telemost(telemost::Telemost),
    Zoom(zoom::Zoom),
    Kontur(kontur::Kontur),
    MtsLink(mts_link::MtsLink),
    Jitsi(jitsi::Jitsi),
    External(external::External),
}

impl Provider {
    /// Builds a provider with the default retry policy. Fails on settings
    /// that can never work (bad base URL, empty key, bad space or domain).
    pub fn new(settings: ProviderSettings, client: reqwest::Client) -> Result<Self, ProviderError> {
        Self::with_retry(settings, client, RetryPolicy::default())
    }

    pub fn with_retry(
        settings: ProviderSettings,
        client: reqwest::Client,
        retry: RetryPolicy,
    ) -> Result<Self, ProviderError> {
        let base = settings.base_override().map(str::to_owned);
        let kind = settings.kind();
        let http = http::Http::new(client, retry, kind);
        Ok(match settings.service {
            ServiceSettings::Telemost(s) => Self::Telemost(telemost::Telemost::new(s, base, http)?),
            ServiceSettings::Zoom(s) => Self::Zoom(zoom::Zoom::new(s, base, http)?),
            ServiceSettings::Kontur(s) => Self::Kontur(kontur::Kontur::new(s, base, http)?),
            ServiceSettings::MtsLink(s) => Self::MtsLink(mts_link::MtsLink::new(s, base, http)?),
            ServiceSettings::Jitsi(s) => Self::Jitsi(jitsi::Jitsi::new(s, base)?),
            ServiceSettings::External => Self::External(external::External),
        })
    }

    pub fn kind(&self) -> ProviderKind {
        match self {
            Self::Telemost(_) => ProviderKind::Telemost,
            Self::Zoom(_) => ProviderKind::Zoom,
            Self::Kontur(_) => ProviderKind::Kontur,
            Self::MtsLink(_) => ProviderKind::MtsLink,
            Self::Jitsi(_) => ProviderKind::Jitsi,
            Self::External(_) => ProviderKind::External,
        }
    }

    /// Whether the service stores the title and time. Telemost, Jitsi and an
    /// external link do not: they live in our messages only.
    pub fn supports_schedule(&self) -> bool {
        self.kind().keeps_schedule()
    }

    /// Creates the meeting. Never retried: a lost answer may hide a meeting
    /// that was created, and a second one would be an orphan.
    pub async fn create(&self, req: &MeetingRequest) -> Result<Meeting, ProviderError> {
        match self {
            Self::Telemost(p) => p.create(req).await,
            Self::Zoom(p) => p.create(req).await,
            Self::Kontur(p) => p.create(req).await,
            Self::MtsLink(p) => p.create(req).await,
            Self::Jitsi(p) => p.create(req),
            Self::External(p) => p.create(req),
        }
    }

    /// Brings the meeting in line with `req`; returns it with fresh links.
    pub async fn update(&self, meeting: &Meeting, req: &MeetingRequest) -> Result<Meeting, ProviderError> {
        match self {
            Self::Telemost(p) => p.update(meeting, req).await,
            Self::Zoom(p) => p.update(meeting, req).await,
            Self::Kontur(p) => p.update(meeting, req).await,
            Self::MtsLink(p) => p.update(meeting, req).await,
            Self::Jitsi(p) => Ok(p.update(meeting)),
            Self::External(p) => p.update(meeting, req),
        }
    }

    pub async fn delete(&self, meeting: &Meeting) -> Result<DeleteOutcome, ProviderError> {
        match self {
            Self::Telemost(p) => p.delete(meeting).await,
            Self::Zoom(p) => p.delete(meeting).await,
            Self::Kontur(p) => p.delete(meeting).await,
            Self::MtsLink(p) => p.delete(meeting).await,
            Self::Jitsi(_) => Ok(DeleteOutcome::NothingToDelete),
            Self::External(_) => Ok(DeleteOutcome::NotSupported),
        }
    }

    /// Proves the credentials work, with a call as cheap as the service allows.
    pub async fn check(&self) -> Result<CheckReport, ProviderError> {
        match self {
            Self::Telemost(p) => p.check().await,
            Self::Zoom(p) => p.check().await,
            Self::Kontur(p) => p.check().await,
            Self::MtsLink(p) => p.check().await,
            Self::Jitsi(_) | Self::External(_) => Ok(CheckReport::default()),
        }
    }

    /// Who was in the meeting of a class planned from `start` to `end`. The window matters to
    /// Kontur.Talk, whose report covers a period of a room; Zoom's covers the meeting itself.
    /// A read, retried like every read.
    pub async fn attendance(
        &self,
        meeting: &Meeting,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<ReportFetch, ProviderError> {
        match self {
            Self::Zoom(p) => p.attendance(meeting).await,
            Self::Kontur(p) => p.attendance(meeting, start, end).await,
            Self::MtsLink(p) => Ok(p.attendance()),
            // No report API: Telemost's API creates rooms only, a Jitsi room exists only while
            // people are in it, and an external link is not ours to ask about.
            Self::Telemost(_) | Self::Jitsi(_) | Self::External(_) => Ok(ReportFetch::Unavailable(Unavailable::NoApi)),
        }
    }

    /// A join link that carries `token` back in the service's report, so the listener who used
    /// it is matched for certain. Only Kontur.Talk gives URL parameters back (`urlParams`).
    /// Zoom and MTS Link have personal links too, but only through registration by e-mail, which
    /// the bot does not collect from listeners; the others report nothing to carry a token to.
    pub fn personal_join_url(&self, meeting: &Meeting, token: &str) -> Option<String> {
        match self {
            Self::Kontur(_) => kontur::personal_join_url(&meeting.join_url, token),
            Self::Telemost(_) | Self::Zoom(_) | Self::MtsLink(_) | Self::Jitsi(_) | Self::External(_) => None,
        }
    }
}

/// A lower-case latin-and-digit name from the OS-seeded CSPRNG: 20 characters
/// of 36 give about 103 bits, so nobody guesses a room.
pub(crate) fn random_room_name() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..20).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect()
}

/// Resolves a base URL: the override if given, else the official one. An
/// override must be https, except on loopback (tests and local proxies).
/// Returned without a trailing slash, ready for `format!("{base}/path")`.
pub(crate) fn resolve_base(override_url: Option<&str>, official: &str) -> Result<String, ProviderError> {
    let Some(raw) = override_url else {
        return Ok(official.trim_end_matches('/').to_owned());
    };
    let url = url::Url::parse(raw).map_err(|_| InputProblem::BadBaseUrl)?;
    let loopback = matches!(
        url.host(),
        Some(url::Host::Ipv4(ip)) if ip.is_loopback()
    ) || matches!(url.host(), Some(url::Host::Domain("localhost")));
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    if !scheme_ok || url.host().is_none() || url.query().is_some() {
        return Err(InputProblem::BadBaseUrl.into());
    }
    Ok(raw.trim_end_matches('/').to_owned())
}

/// Cuts to at most `max` characters (not bytes), as the services count them.
pub(crate) fn truncate_chars(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// A light e-mail check, the one the whole bot uses: the services do the real one; this only
/// catches typos early so the user learns which address is wrong.
pub(crate) fn check_email(email: &str) -> Result<String, ProviderError> {
    let email = email.trim();
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && email.len() <= 254
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || matches!(c, '/' | '?' | '#' | '<' | '>'))
        }
        None => false,
    };
    if valid { Ok(email.to_owned()) } else { Err(InputProblem::BadEmail(email.to_owned()).into()) }
}

/// Percent-encodes one path segment (e-mails and ids go into paths). Keeps
/// RFC 3986 `pchar`s such as `@` as they are.
pub(crate) fn path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~@!$&'()*+,;=:".contains(&byte);
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
