//! Callback data of a listener's own screens: `/settings` (`pf:`) and `/leave` (`lv:`).

use crate::domain::event::{EventId, GroupId};

/// A button in `/settings` or the first-join questions (callback prefix `pf:`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ProfileAction {
    Language,
    Timezone,
    FullName,
    Organisation,
    Email,
    /// Skips the first-join question being asked.
    Skip,
}

impl ProfileAction {
    pub fn encode(&self) -> String {
        match self {
            Self::Language => "l",
            Self::Timezone => "t",
            Self::FullName => "n",
            Self::Organisation => "o",
            Self::Email => "m",
            Self::Skip => "s",
        }
        .to_owned()
    }

    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "l" => Self::Language,
            "t" => Self::Timezone,
            "n" => Self::FullName,
            "o" => Self::Organisation,
            "m" => Self::Email,
            "s" => Self::Skip,
            _ => return None,
        })
    }
}

/// A button in `/leave` (callback prefix `lv:`): ask first, then the confirmed action.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LeaveAction {
    Group(GroupId),
    GroupConfirmed(GroupId),
    Event(EventId),
    EventConfirmed(EventId),
    /// Changed their mind.
    Stay,
}

impl LeaveAction {
    pub fn encode(&self) -> String {
        match self {
            Self::Group(g) => format!("g:{g}"),
            Self::GroupConfirmed(g) => format!("G:{g}"),
            Self::Event(e) => format!("e:{e}"),
            Self::EventConfirmed(e) => format!("E:{e}"),
            Self::Stay => "s".to_owned(),
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        if value == "s" {
            return Some(Self::Stay);
        }
        let (kind, id) = value.split_once(':')?;
        Some(match kind {
            "g" => Self::Group(id.parse().ok()?),
            "G" => Self::GroupConfirmed(id.parse().ok()?),
            "e" => Self::Event(id.parse().ok()?),
            "E" => Self::EventConfirmed(id.parse().ok()?),
            _ => return None,
        })
    }
}
