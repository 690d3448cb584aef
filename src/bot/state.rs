//! Where each chat is in a dialogue. Stored as JSON: add variants, never rename them.

use serde::{Deserialize, Serialize};

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
}
