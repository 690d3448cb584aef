//! Typed callback data. Telegram's clients send it back as they please, so it is parsed, never
//! trusted, and must fit Telegram's 64 bytes.

use chrono_tz::Tz;
use teloxide::types::CallbackQuery;

use super::groups::GroupAction;
use super::profile::{LeaveAction, ProfileAction};
use super::providers::ProviderCb;
use super::teachers::TeacherCb;
use crate::bot::events::{EventAction, NewAction};
use crate::domain::event::EventId;
use crate::i18n::Lang;
use crate::store::Rsvp;

#[derive(Clone, Debug, PartialEq)]
pub enum CallbackData {
    Lang(Lang),
    Tz(Tz),
    Provider(ProviderCb),
    Teacher(TeacherCb),
    /// `gr:` a teacher managing listener groups.
    Group(GroupAction),
    /// `pf:` a listener's own settings and profile.
    Profile(ProfileAction),
    /// `lv:` a listener leaving a group or an event.
    Leave(LeaveAction),
    /// A listener's answer on an event card.
    Rsvp(EventId, Rsvp),
    /// "Add to calendar" on an event card.
    Calendar(EventId),
    /// A press inside `/new`.
    New(NewAction),
    /// A press on a teacher's event card.
    Event(EventId, EventAction),
    /// A page of the teacher's event list.
    EventList(u32),
}

impl CallbackData {
    /// Telegram's limit on `callback_data`.
    pub const MAX_BYTES: usize = 64;

    pub fn encode(&self) -> String {
        match self {
            CallbackData::Lang(lang) => format!("lang:{}", lang.code()),
            CallbackData::Tz(tz) => format!("tz:{}", tz.name()),
            CallbackData::Provider(cb) => cb.encode(),
            CallbackData::Teacher(cb) => cb.encode(),
            CallbackData::Group(action) => format!("gr:{}", action.encode()),
            CallbackData::Profile(action) => format!("pf:{}", action.encode()),
            CallbackData::Leave(action) => format!("lv:{}", action.encode()),
            CallbackData::Rsvp(event, Rsvp::Yes) => format!("rsvp:{event}:y"),
            CallbackData::Rsvp(event, Rsvp::No) => format!("rsvp:{event}:n"),
            CallbackData::Calendar(event) => format!("ics:{event}"),
            CallbackData::New(action) => action.encode(),
            CallbackData::Event(event, action) => action.encode(*event),
            CallbackData::EventList(page) => format!("evl:{page}"),
        }
    }

    pub fn parse(data: &str) -> Option<Self> {
        if data.len() > Self::MAX_BYTES {
            return None;
        }
        let (kind, value) = data.split_once(':')?;
        match kind {
            "lang" => Lang::from_code(value).map(CallbackData::Lang),
            "tz" => value.parse().ok().map(CallbackData::Tz),
            ProviderCb::PREFIX => ProviderCb::parse(value).map(CallbackData::Provider),
            TeacherCb::PREFIX => TeacherCb::parse(value).map(CallbackData::Teacher),
            "gr" => GroupAction::parse(value).map(CallbackData::Group),
            "pf" => ProfileAction::parse(value).map(CallbackData::Profile),
            "lv" => LeaveAction::parse(value).map(CallbackData::Leave),
            "rsvp" => {
                let (event, answer) = value.split_once(':')?;
                let answer = match answer {
                    "y" => Rsvp::Yes,
                    "n" => Rsvp::No,
                    _ => return None,
                };
                Some(CallbackData::Rsvp(event.parse().ok()?, answer))
            }
            "ics" => value.parse().ok().map(CallbackData::Calendar),
            "nw" => NewAction::parse(value).map(CallbackData::New),
            "ev" => EventAction::parse(value).map(|(event, action)| CallbackData::Event(event, action)),
            "evl" => value.parse().ok().map(CallbackData::EventList),
            _ => None,
        }
    }

    pub fn from_query(q: CallbackQuery) -> Option<Self> {
        q.data.as_deref().and_then(Self::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_within_the_limit() {
        let samples = [
            CallbackData::Lang(Lang::Ru),
            CallbackData::Lang(Lang::En),
            CallbackData::Tz(chrono_tz::America::Argentina::ComodRivadavia),
            CallbackData::Tz(chrono_tz::Asia::Yekaterinburg),
            CallbackData::Rsvp(EventId(i64::MAX), Rsvp::Yes),
            CallbackData::Rsvp(EventId(1), Rsvp::No),
            CallbackData::Calendar(EventId(42)),
        ];
        for data in samples {
            let encoded = data.encode();
            assert!(encoded.len() <= CallbackData::MAX_BYTES, "{encoded}");
            assert_eq!(CallbackData::parse(&encoded), Some(data));
        }
    }

    #[test]
    fn foreign_data_is_rejected() {
        for bad in [
            "",
            "lang",
            "lang:fr",
            "tz:Mars/Base",
            "admin:1",
            ":",
            "rsvp:1:maybe",
            "rsvp:x:y",
            "ics:",
            &"x".repeat(200),
        ] {
            assert_eq!(CallbackData::parse(bad), None, "{bad}");
        }
    }
}
