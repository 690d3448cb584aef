//! An external link: the teacher made the meeting elsewhere and pastes its
//! https link. Nothing is called; the link is only validated.

use super::{InputProblem, Meeting, MeetingExtra, MeetingRequest, ProviderError};

/// Longer links are not meeting links, and would not fit a button.
pub const MAX_URL_LEN: usize = 2048;

#[derive(Clone, Debug, Default)]
pub struct External;

impl External {
    pub fn create(&self, req: &MeetingRequest) -> Result<Meeting, ProviderError> {
        let url = validate_url(req.external_url.as_deref().unwrap_or(""))?;
        Ok(Meeting { id: url.clone(), join_url: url, host_url: None, extra: MeetingExtra::default() })
    }

    /// A new pasted link replaces the old one; without one the link stays.
    pub fn update(&self, meeting: &Meeting, req: &MeetingRequest) -> Result<Meeting, ProviderError> {
        match req.external_url.as_deref().filter(|u| !u.trim().is_empty()) {
            Some(_) => self.create(req),
            None => Ok(meeting.clone()),
        }
    }
}

/// An absolute https URL with a host, no user name or password in it.
pub fn validate_url(raw: &str) -> Result<String, ProviderError> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_URL_LEN {
        return Err(InputProblem::BadMeetingUrl.into());
    }
    let url = url::Url::parse(raw).map_err(|_| InputProblem::BadMeetingUrl)?;
    let has_domain = matches!(url.host(), Some(url::Host::Domain(d)) if d.contains('.'));
    let no_credentials = url.username().is_empty() && url.password().is_none();
    if url.scheme() == "https" && has_domain && no_credentials {
        Ok(url.to_string())
    } else {
        Err(InputProblem::BadMeetingUrl.into())
    }
}
