//! Provider failures a user can act on, and their Fluent keys.
//!
//! No variant carries a secret or a raw response body: texts come from our
//! own words plus short codes and e-mails the user already knows.

use super::ProviderKind;
use chrono::{DateTime, Utc};

/// Input the bot should have caught, or settings the administrator must fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputProblem {
    /// Telemost accepts at most 30 co-hosts.
    TooManyCohosts { max: usize, given: usize },
    /// Not an e-mail address.
    BadEmail(String),
    /// The service needs the host's e-mail (Zoom creates meetings for a user).
    HostEmailRequired,
    /// The pasted meeting link is not a valid https URL.
    BadMeetingUrl,
    /// The base-URL override is not an https URL (http is allowed on loopback only).
    BadBaseUrl,
    /// The service URL leads into a private, loopback, link-local or unique-local network.
    InternalAddress,
    /// The Kontur.Talk space address is not like `uchi` or `uchi.ktalk.ru`.
    BadSpace,
    /// The Jitsi domain is not a host name.
    BadDomain,
    /// A required credential is empty.
    MissingCredential,
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    // Telemost.
    #[error("Telemost rejected the OAuth token (expired or revoked)")]
    TelemostTokenInvalid,
    #[error("the Telemost plan does not include live streams")]
    LiveStreamNeedsPayment,
    #[error("the Telemost API needs a Yandex 360 for Business account")]
    OrganizationRequired,
    #[error("Telemost does not know these co-host e-mails: {0:?}")]
    UnknownCohosts(Vec<String>),
    #[error("the Telemost token lacks a permission this action needs")]
    TelemostForbidden,

    // Zoom.
    #[error("Zoom rejected the app credentials or the access token")]
    ZoomCredentialsInvalid,
    #[error("the Zoom app lacks the scopes this action needs")]
    ZoomMissingScopes,
    #[error("the host {0} is not a user of this Zoom account")]
    ZoomHostNotInAccount(String),
    #[error("the Zoom account has no webinar plan")]
    ZoomWebinarPlanMissing,
    #[error("the daily limit of meeting creations and updates for this host is reached")]
    DailyLimit,

    // Kontur.Talk.
    #[error("Kontur.Talk rejected the API key (expired or deleted)")]
    KonturKeyInvalid,
    #[error("the Kontur.Talk API key lacks the Rooms or Calendar permission")]
    KonturForbidden,
    #[error("the Kontur.Talk API key expired at {0}")]
    KonturKeyExpired(DateTime<Utc>),
    #[error("the Kontur.Talk API key lacks the read-and-write permission for {0}")]
    KonturMissingScope(String),

    // MTS Link.
    #[error("MTS Link rejected the API key (missing, unknown or inactive)")]
    MtsKeyInvalid,
    #[error("MTS Link refused: a session already exists or the e-mail is already registered")]
    Conflict,

    // Shared.
    #[error("the meeting no longer exists at the service")]
    MeetingGone,
    #[error("too many requests to {service}; retry after {retry_after:?} s")]
    RateLimited { service: ProviderKind, retry_after: Option<u64> },
    #[error("{0} did not answer in time")]
    Timeout(ProviderKind),
    #[error("{service} failed on its side (HTTP {status})")]
    ServerError { service: ProviderKind, status: u16 },
    #[error("{0} answered with another meeting than the one asked for")]
    WrongMeeting(ProviderKind),
    #[error("{0} gave an answer we could not read")]
    Malformed(ProviderKind),
    #[error("{0} could not be reached")]
    Network(ProviderKind),
    #[error("{service} refused the request (HTTP {status}, code {code})")]
    Rejected { service: ProviderKind, status: u16, code: String },
    #[error("invalid input: {0:?}")]
    InvalidInput(InputProblem),
}

type Args = Vec<(&'static str, String)>;

/// What the refused request was for: the words point at the event's details or at the settings.
#[derive(Clone, Copy)]
enum Request {
    ForEvent,
    Check,
}

/// A refusal with the service's error code, or without one: many services send none, and an
/// empty code in quotes reads as a fault of the bot.
fn rejected(service: ProviderKind, status: u16, code: &str, request: Request) -> (&'static str, Args) {
    let mut args = with_status(service, status);
    let has_code = !code.trim().is_empty();
    if has_code {
        args.push(("code", code.to_owned()));
    }
    let key = match (request, has_code) {
        (Request::ForEvent, true) => "provider-error-rejected",
        (Request::ForEvent, false) => "provider-error-rejected-no-code",
        (Request::Check, true) => "provider-check-rejected",
        (Request::Check, false) => "provider-check-rejected-no-code",
    };
    (key, args)
}

impl ProviderError {
    /// The Fluent message key (in `locales/*/providers.ftl`) and its arguments.
    pub fn i18n(&self) -> (&'static str, Args) {
        use ProviderError as E;
        match self {
            E::TelemostTokenInvalid => ("provider-error-telemost-token", vec![]),
            E::LiveStreamNeedsPayment => ("provider-error-telemost-live-stream-payment", vec![]),
            E::OrganizationRequired => ("provider-error-telemost-organization", vec![]),
            E::UnknownCohosts(emails) => {
                ("provider-error-telemost-unknown-cohosts", vec![("emails", emails.join(", "))])
            }
            E::TelemostForbidden => ("provider-error-telemost-forbidden", vec![]),
            E::ZoomCredentialsInvalid => ("provider-error-zoom-credentials", vec![]),
            E::ZoomMissingScopes => ("provider-error-zoom-scopes", vec![]),
            E::ZoomHostNotInAccount(email) => {
                ("provider-error-zoom-host-not-in-account", vec![("email", email.clone())])
            }
            E::ZoomWebinarPlanMissing => ("provider-error-zoom-webinar-plan", vec![]),
            E::DailyLimit => ("provider-error-zoom-daily-limit", vec![]),
            E::KonturKeyInvalid => ("provider-error-kontur-key-invalid", vec![]),
            E::KonturForbidden => ("provider-error-kontur-forbidden", vec![]),
            E::KonturKeyExpired(at) => {
                ("provider-error-kontur-key-expired", vec![("date", at.format("%Y-%m-%d").to_string())])
            }
            E::KonturMissingScope(scope) => ("provider-error-kontur-missing-scope", vec![("scope", scope.clone())]),
            E::MtsKeyInvalid => ("provider-error-mts-key-invalid", vec![]),
            E::Conflict => ("provider-error-mts-conflict", vec![]),
            E::MeetingGone => ("provider-error-meeting-gone", vec![]),
            E::RateLimited { service, retry_after } => (
                "provider-error-rate-limited",
                vec![("service", service.as_str().to_owned()), ("seconds", retry_after.unwrap_or(60).to_string())],
            ),
            E::Timeout(s) => ("provider-error-timeout", service_arg(*s)),
            E::ServerError { service, status } => ("provider-error-server", with_status(*service, *status)),
            E::Malformed(s) => ("provider-error-malformed", service_arg(*s)),
            E::WrongMeeting(s) => ("provider-error-wrong-meeting", service_arg(*s)),
            E::Network(s) => ("provider-error-network", service_arg(*s)),
            E::Rejected { service, status, code } => rejected(*service, *status, code, Request::ForEvent),
            E::InvalidInput(problem) => problem.i18n(),
        }
    }

    /// Like [`ProviderError::i18n`], for the check of a provider's settings: no event is
    /// involved yet, so a refusal points at the settings alone.
    pub fn i18n_for_check(&self) -> (&'static str, Args) {
        match self {
            ProviderError::Rejected { service, status, code } => rejected(*service, *status, code, Request::Check),
            other => other.i18n(),
        }
    }

    /// Whether the same idempotent call may succeed if sent again.
    pub(crate) fn is_transient(&self) -> bool {
        matches!(self, Self::Timeout(_) | Self::Network(_) | Self::ServerError { .. })
    }
}

impl InputProblem {
    fn i18n(&self) -> (&'static str, Args) {
        use InputProblem as P;
        match self {
            P::TooManyCohosts { max, given } => {
                ("provider-input-too-many-cohosts", vec![("max", max.to_string()), ("given", given.to_string())])
            }
            P::BadEmail(e) => ("provider-input-bad-email", vec![("email", e.clone())]),
            P::HostEmailRequired => ("provider-input-host-email-required", vec![]),
            P::BadMeetingUrl => ("provider-input-bad-meeting-url", vec![]),
            P::BadBaseUrl => ("provider-input-bad-base-url", vec![]),
            P::InternalAddress => ("provider-input-internal-address", vec![]),
            P::BadSpace => ("provider-input-bad-space", vec![]),
            P::BadDomain => ("provider-input-bad-domain", vec![]),
            P::MissingCredential => ("provider-input-missing-credential", vec![]),
        }
    }
}

/// The service argument is the kind's stable name; the bot renders it with
/// the `provider-kind-*` key.
fn service_arg(service: ProviderKind) -> Args {
    vec![("service", service.as_str().to_owned())]
}

fn with_status(service: ProviderKind, status: u16) -> Args {
    vec![("service", service.as_str().to_owned()), ("status", status.to_string())]
}

impl From<InputProblem> for ProviderError {
    fn from(problem: InputProblem) -> Self {
        Self::InvalidInput(problem)
    }
}
