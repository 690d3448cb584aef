//! Where each chat is in a dialogue. Stored as JSON: add variants, never rename them.

use serde::{Deserialize, Serialize};

// One state per chat, cloned once per update: boxing the large `/new` draft would buy nothing
// and would keep dptree's `case!` from reaching into the steps.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum State {
    #[default]
    Idle,
    /// `/tz` asked for a zone; a button or a typed IANA name answers it.
    AwaitingTimezone,
    /// Making an event (`/new`) or editing one.
    Event(crate::bot::events::EventStep),
    /// `/providers`: registering a provider or changing a saved one.
    Provider(super::providers::ProviderStep),
    /// Listener groups and profiles: a group's name, a listener's full name or organisation.
    Listener(super::listeners::ListenerStep),
    /// `/api`: making a platform API token.
    ApiToken(super::api::ApiStep),
}

impl State {
    /// The message showing the question this state waits on, if the state remembers it: a
    /// typed answer or `/cancel` takes its buttons away.
    pub fn question(&self) -> Option<teloxide::types::MessageId> {
        match self {
            State::Event(step) => step.question(),
            State::Provider(step) => step.question(),
            State::Listener(step) => step.question(),
            State::ApiToken(step) => step.question(),
            _ => None,
        }
    }
}
