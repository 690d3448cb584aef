//! The event being made in `/new`: what is known so far, and the order of the questions.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use teloxide::types::{MessageId, UserId};

use crate::callback::events::Field;
use crate::domain::event::GroupId;
use crate::domain::recurrence::{Ending, Frequency, Recurrence};
use crate::domain::reminders::ReminderOffset;
use crate::domain::time_input::{LocalTimeError, resolve_local};
use crate::meetings::EventOptions;
use crate::providers::ProviderKind;

/// A provider as the draft remembers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChosenProvider {
    pub id: i64,
    pub kind: ProviderKind,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventDraft {
    pub title: Option<String>,
    pub provider: Option<ChosenProvider>,
    pub date: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
    pub duration: Option<u32>,
    /// How the class repeats, if it does; the ending is asked after the frequency.
    pub repeat: Option<(Frequency, Option<Ending>)>,
    pub description: Option<String>,
    /// The host: the teacher themself unless an administrator picks another.
    pub host: Option<(UserId, String)>,
    pub host_email: Option<String>,
    pub options: EventOptions,
    pub reminders: Vec<ReminderOffset>,
    pub groups: Vec<GroupId>,
    /// Make an invitation link for this event alone.
    pub event_link: bool,
    /// The question came from the summary: answer it and go back there.
    pub editing: bool,
    /// The message that shows the current question: a typed answer takes its buttons away.
    /// Kept in the stored state, so this holds across a restart.
    #[serde(default)]
    pub question: Option<MessageId>,
}

impl Default for EventDraft {
    fn default() -> Self {
        Self {
            title: None,
            provider: None,
            date: None,
            time: None,
            duration: None,
            repeat: None,
            description: None,
            host: None,
            host_email: None,
            options: EventOptions::default(),
            // The seeds' most common choice; the teacher changes it in one tap.
            reminders: vec![ReminderOffset::Days1, ReminderOffset::Hour1],
            groups: Vec::new(),
            event_link: true,
            editing: false,
            question: None,
        }
    }
}

impl EventDraft {
    /// Whether a question applies to this draft, for this asker.
    pub fn asks(&self, field: Field, asker_is_admin: bool) -> bool {
        let kind = self.provider.as_ref().map(|p| p.kind);
        match field {
            Field::ExternalUrl => kind == Some(ProviderKind::External),
            Field::RepeatEnd => self.repeat.is_some(),
            Field::Host => asker_is_admin,
            Field::HostEmail => matches!(kind, Some(ProviderKind::Zoom | ProviderKind::Kontur)),
            Field::Options => matches!(kind, Some(ProviderKind::Telemost | ProviderKind::Zoom)),
            _ => true,
        }
    }

    /// The question after `field` (the summary when editing from it).
    pub fn next(&self, field: Field, asker_is_admin: bool) -> Field {
        let follow_up = (field == Field::Provider && self.asks(Field::ExternalUrl, asker_is_admin))
            || (field == Field::Repeat && self.repeat.is_some());
        if self.editing && !follow_up {
            return Field::Summary;
        }
        if field == Field::Date && self.time.is_some() && !self.editing {
            // "25.12 18:30" answered the time as well.
            return self.after(Field::Time, asker_is_admin);
        }
        self.after(field, asker_is_admin)
    }

    fn after(&self, field: Field, asker_is_admin: bool) -> Field {
        let at = Field::ORDER.iter().position(|f| *f == field).unwrap_or(0);
        Field::ORDER[at + 1..].iter().copied().find(|f| self.asks(*f, asker_is_admin)).unwrap_or(Field::Summary)
    }

    /// The question before `field`, for Back.
    pub fn previous(&self, field: Field, asker_is_admin: bool) -> Field {
        let at = Field::ORDER.iter().position(|f| *f == field).unwrap_or(0);
        Field::ORDER[..at].iter().rev().copied().find(|f| self.asks(*f, asker_is_admin)).unwrap_or(Field::Title)
    }

    /// The repetition rule, once both its frequency and its ending are known.
    pub fn recurrence(&self) -> Option<Recurrence> {
        let (frequency, ending) = self.repeat.clone()?;
        Some(Recurrence { frequency, ending: ending? })
    }

    /// The start in UTC, from the date and time in the teacher's zone.
    pub fn start(&self, tz: Tz) -> Option<Result<DateTime<Utc>, LocalTimeError>> {
        Some(resolve_local(self.date?, self.time?, tz))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(kind: ProviderKind) -> EventDraft {
        EventDraft { provider: Some(ChosenProvider { id: 1, kind, name: "x".into() }), ..EventDraft::default() }
    }

    #[test]
    fn questions_follow_the_service_and_the_role() {
        let jitsi = with(ProviderKind::Jitsi);
        assert_eq!(jitsi.next(Field::Provider, false), Field::Date);
        assert_eq!(jitsi.next(Field::Duration, false), Field::Repeat);
        assert_eq!(jitsi.next(Field::Repeat, false), Field::Description, "no ending to ask without a repeat");
        assert_eq!(jitsi.next(Field::Description, false), Field::Reminders);
        assert_eq!(jitsi.next(Field::Description, true), Field::Host);
        let zoom = with(ProviderKind::Zoom);
        assert_eq!(zoom.next(Field::Description, false), Field::HostEmail);
        assert_eq!(zoom.next(Field::HostEmail, false), Field::Options);
        let external = with(ProviderKind::External);
        assert_eq!(external.next(Field::Provider, false), Field::ExternalUrl);
        assert_eq!(external.previous(Field::Date, false), Field::ExternalUrl);
        assert_eq!(jitsi.previous(Field::Date, false), Field::Provider);
        assert_eq!(jitsi.previous(Field::Reminders, false), Field::Description);
    }

    #[test]
    fn a_date_with_a_time_skips_the_time_question() {
        let mut draft = with(ProviderKind::Jitsi);
        draft.time = NaiveTime::from_hms_opt(18, 30, 0);
        assert_eq!(draft.next(Field::Date, false), Field::Duration);
        draft.repeat = Some((Frequency::Daily { interval: 1 }, None));
        assert_eq!(draft.next(Field::Repeat, false), Field::RepeatEnd);
    }

    #[test]
    fn editing_from_the_summary_returns_to_it() {
        let mut draft = with(ProviderKind::Jitsi);
        draft.editing = true;
        assert_eq!(draft.next(Field::Title, false), Field::Summary);
        let mut external = with(ProviderKind::External);
        external.editing = true;
        assert_eq!(external.next(Field::Provider, false), Field::ExternalUrl, "a new service asks its link");
    }

    #[test]
    fn field_codes_round_trip() {
        for field in Field::ORDER {
            assert_eq!(Field::from_code(field.code()), Some(field));
        }
    }
}
