//! Jitsi Meet: no credentials, no API. A room exists once someone opens its
//! link, so "creating" one is choosing a name nobody can guess.

use super::{InputProblem, Meeting, MeetingExtra, MeetingRequest, ProviderError, random_room_name};
use serde::{Deserialize, Serialize};

pub const DEFAULT_DOMAIN: &str = "meet.jit.si";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JitsiSettings {
    #[serde(default = "default_domain")]
    pub domain: String,
}

impl Default for JitsiSettings {
    fn default() -> Self {
        Self { domain: default_domain() }
    }
}

fn default_domain() -> String {
    DEFAULT_DOMAIN.to_owned()
}

#[derive(Clone, Debug)]
pub struct Jitsi {
    /// `https://meet.jit.si` or the override, without a trailing slash.
    origin: String,
}

impl Jitsi {
    /// The base-URL override wins over the domain; either must be https.
    pub(crate) fn new(settings: JitsiSettings, base: Option<String>) -> Result<Self, ProviderError> {
        let origin = match base {
            Some(base) => super::resolve_base(Some(&base), "")?,
            None => format!("https://{}", domain(&settings.domain)?),
        };
        Ok(Self { origin })
    }

    pub fn create(&self, _req: &MeetingRequest) -> Result<Meeting, ProviderError> {
        let room = random_room_name();
        Ok(Meeting {
            join_url: format!("{}/{room}", self.origin),
            id: room,
            host_url: None,
            extra: MeetingExtra::default(),
        })
    }

    /// The room has no title or time to change: the link stays.
    pub fn update(&self, meeting: &Meeting) -> Meeting {
        meeting.clone()
    }
}

/// A bare host name such as `meet.jit.si` or `jitsi.example.org`: the one check of a Jitsi
/// domain, for the dialogue and for building the provider alike.
pub(crate) fn domain(raw: &str) -> Result<String, ProviderError> {
    let domain = raw.trim().trim_start_matches("https://").trim_end_matches('/');
    let domain = if domain.is_empty() { DEFAULT_DOMAIN } else { domain };
    let valid = domain.len() <= 253
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty() && !label.starts_with('-') && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if valid { Ok(domain.to_ascii_lowercase()) } else { Err(InputProblem::BadDomain.into()) }
}
