//! MTS Link (formerly Webinar.ru): an event (the landing page listeners
//! open) and its session (the webinar or meeting itself), created in two
//! steps. Bodies are form-encoded with PHP-style bracket keys.

use super::http::{Http, Reply};
use super::{
    CheckReport, DeleteOutcome, InputProblem, Meeting, MeetingExtra, MeetingRequest, ProviderError, ProviderKind,
    Secret, check_email, path_segment, resolve_base,
};
use crate::domain::attendance::{ReportFetch, Unavailable};
use chrono::{Datelike, Timelike};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const OFFICIAL_BASE: &str = "https://userapi.mts-link.ru/v3";

const KIND: ProviderKind = ProviderKind::MtsLink;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MtsLinkSettings {
    pub api_key: Secret,
    #[serde(default)]
    pub event_type: MtsEventType,
    /// The default host, registered as LECTURER to get a host link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_email: Option<String>,
    /// MTS Link's numeric zone id (from its `GET /timezones`). Without it the
    /// organisation's zone applies, which must then be the events' zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone_id: Option<u32>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MtsEventType {
    #[default]
    Webinar,
    Meeting,
}

impl MtsEventType {
    fn as_str(self) -> &'static str {
        match self {
            Self::Webinar => "webinar",
            Self::Meeting => "meeting",
        }
    }
}

type Form = Vec<(String, String)>;

#[derive(Clone, Debug)]
pub struct MtsLink {
    settings: MtsLinkSettings,
    base: String,
    http: Http,
}

#[derive(Deserialize)]
struct Created {
    #[serde(rename = "eventId", default)]
    event_id: Option<Value>,
    #[serde(rename = "eventsessionId", alias = "eventSessionId", default)]
    session_id: Option<Value>,
    #[serde(default)]
    link: Option<String>,
}

impl MtsLink {
    pub(crate) fn new(settings: MtsLinkSettings, base: Option<String>, http: Http) -> Result<Self, ProviderError> {
        if settings.api_key.is_empty() {
            return Err(InputProblem::MissingCredential.into());
        }
        let base = resolve_base(base.as_deref(), OFFICIAL_BASE)?;
        Ok(Self { settings, base, http })
    }

    /// Event, then session, then (with a host e-mail) the host's LECTURER
    /// registration for a host link. A failed session removes the event so
    /// no empty shell is left behind.
    pub async fn create(&self, req: &MeetingRequest) -> Result<Meeting, ProviderError> {
        let host = self.host(req)?;
        let event = self.post_once("events", self.event_form(req)).await?;
        let event_id = id_text(event.event_id.as_ref()).ok_or(ProviderError::Malformed(KIND))?;
        let join_url = event.link.ok_or(ProviderError::Malformed(KIND))?;
        let session_path = format!("events/{}/sessions", path_segment(&event_id));
        let session = match self.post_once(&session_path, self.session_form(req)).await {
            Ok(session) => session,
            Err(err) => {
                self.remove_event(&event_id).await;
                return Err(err);
            }
        };
        let session_id = id_text(session.session_id.as_ref()).ok_or(ProviderError::Malformed(KIND))?;
        let host_url = match host {
            Some(email) => self.register_host(&session_id, &email).await,
            None => None,
        };
        Ok(Meeting {
            id: session_id,
            join_url,
            host_url,
            extra: MeetingExtra { event_id: Some(event_id), ..MeetingExtra::default() },
        })
    }

    /// Updates the event (its landing page shows the name and time) and the
    /// session; both answer 204.
    pub async fn update(&self, meeting: &Meeting, req: &MeetingRequest) -> Result<Meeting, ProviderError> {
        if let Some(event_id) = &meeting.extra.event_id {
            let path = format!("events/{}", path_segment(event_id));
            self.put(&path, self.event_form(req)).await?;
        }
        let path = format!("eventsessions/{}", path_segment(&meeting.id));
        self.put(&path, self.session_form(req)).await?;
        Ok(meeting.clone())
    }

    /// `sendEmail=false`: the bot tells the listeners itself.
    pub async fn delete(&self, meeting: &Meeting) -> Result<DeleteOutcome, ProviderError> {
        let url = self.url(&format!("eventsessions/{}", path_segment(&meeting.id)));
        let reply = self
            .http
            .idempotent(|| self.authorized(self.http.client().delete(&url)).query(&[("sendEmail", "false")]))
            .await?;
        match reply.status.as_u16() {
            200..=299 => Ok(DeleteOutcome::Deleted),
            404 => Ok(DeleteOutcome::AlreadyGone),
            _ => Err(failure(&reply)),
        }
    }

    /// No check call is documented; listing one page of the organisation's
    /// members is the cheapest read that needs a valid key.
    pub async fn check(&self) -> Result<CheckReport, ProviderError> {
        let url = self.url("organization/members");
        let reply =
            self.http.idempotent(|| self.authorized(self.http.client().get(&url)).query(&[("perPage", "10")])).await?;
        if !reply.is_success() {
            return Err(failure(&reply));
        }
        Ok(CheckReport::default())
    }

    /// No report, on purpose. Our sources document registration (`POST
    /// /eventsessions/{id}/register` → `participationId`, `link`) but not the answer of any
    /// attendance or statistics call: third-party code reads `GET
    /// /eventsessions/{id}/participations?page&perPage` and `/stats/users` with field names of
    /// its own guessing, and nothing says which field holds the join and leave times, their
    /// zone, or how pages end. Until that is documented the bot counts Join presses instead.
    pub fn attendance(&self) -> ReportFetch {
        ReportFetch::Unavailable(Unavailable::NoApi)
    }

    /// Registers the host as LECTURER; the answer's `link` is their own
    /// entry. Failure leaves the meeting usable, only without a host link.
    async fn register_host(&self, session_id: &str, email: &str) -> Option<String> {
        let form: Form = vec![
            ("email".into(), email.to_owned()),
            ("role".into(), "LECTURER".into()),
            ("sendEmail".into(), "false".into()),
        ];
        let path = format!("eventsessions/{}/register", path_segment(session_id));
        match self.post_once(&path, form).await {
            Ok(created) => created.link,
            Err(err) => {
                tracing::warn!(service = %KIND, error = %err, "host registration failed; no host link");
                None
            }
        }
    }

    async fn remove_event(&self, event_id: &str) {
        let url = self.url(&format!("organization/events/{}", path_segment(event_id)));
        let result = self.http.idempotent(|| self.authorized(self.http.client().delete(&url))).await;
        if !matches!(&result, Ok(reply) if reply.is_success()) {
            tracing::warn!(service = %KIND, "could not remove the event left without a session");
        }
    }

    async fn post_once(&self, path: &str, form: Form) -> Result<Created, ProviderError> {
        let request = self.authorized(self.http.client().post(self.url(path))).form(&form);
        let reply = self.http.once(request).await?;
        if !reply.is_success() {
            return Err(failure(&reply));
        }
        reply.json(KIND)
    }

    async fn put(&self, path: &str, form: Form) -> Result<(), ProviderError> {
        let url = self.url(path);
        let reply = self.http.idempotent(|| self.authorized(self.http.client().put(&url)).form(&form)).await?;
        if !reply.is_success() {
            return Err(failure(&reply));
        }
        Ok(())
    }

    fn event_form(&self, req: &MeetingRequest) -> Form {
        let mut form = self.common_form(req);
        form.push(("type".into(), self.settings.event_type.as_str().into()));
        form.push(("duration".into(), iso_duration(req.duration_minutes)));
        // Free access: the event's landing link is what listeners open.
        for key in ["isPasswordRequired", "isRegistrationRequired", "isModerationRequired"] {
            form.push((format!("accessSettings[{key}]"), "0".into()));
        }
        form
    }

    fn session_form(&self, req: &MeetingRequest) -> Form {
        self.common_form(req)
    }

    /// Name, description, and the start as wall-clock time in the event's zone.
    fn common_form(&self, req: &MeetingRequest) -> Form {
        let local = req.start.with_timezone(&req.timezone);
        let mut form: Form = vec![
            ("name".into(), req.title.clone()),
            ("startsAt[date][year]".into(), local.year().to_string()),
            ("startsAt[date][month]".into(), local.month().to_string()),
            ("startsAt[date][day]".into(), local.day().to_string()),
            ("startsAt[time][hour]".into(), local.hour().to_string()),
            ("startsAt[time][minute]".into(), local.minute().to_string()),
        ];
        if let Some(id) = self.settings.timezone_id {
            form.push(("timezone".into(), id.to_string()));
        }
        if let Some(description) = req.description.as_deref().filter(|d| !d.trim().is_empty()) {
            form.push(("description".into(), description.to_owned()));
        }
        form
    }

    fn host(&self, req: &MeetingRequest) -> Result<Option<String>, ProviderError> {
        req.host_email
            .as_deref()
            .or(self.settings.host_email.as_deref())
            .filter(|h| !h.trim().is_empty())
            .map(check_email)
            .transpose()
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base)
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request.header("x-auth-token", self.settings.api_key.expose())
    }
}

/// Ids come as numbers (or strings in some answers).
fn id_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// `PT1H30M0S`, the form the API's examples use.
fn iso_duration(minutes: u32) -> String {
    format!("PT{}H{}M0S", minutes / 60, minutes % 60)
}

fn failure(reply: &Reply) -> ProviderError {
    match reply.status.as_u16() {
        401 | 403 => ProviderError::MtsKeyInvalid,
        404 => ProviderError::MeetingGone,
        409 => ProviderError::Conflict,
        _ => reply.common_failure(KIND, error_code(reply)),
    }
}

/// The `error` code of a refusal's body (`{"error": "ERROR_BLANK"}`), so the explanation can
/// quote it instead of an empty code.
fn error_code(reply: &Reply) -> Option<String> {
    let body: serde_json::Value = serde_json::from_slice(&reply.body).ok()?;
    body.get("error")?.as_str().map(str::to_owned)
}
