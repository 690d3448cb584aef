//! Callback data of the groups screens (prefix `gr:`).

use teloxide::types::{ChatId, UserId};

use crate::domain::event::GroupId;

/// Expiry choices for a new invite link, in days; 0 is none.
pub const EXPIRY_DAYS: [u16; 4] = [0, 1, 7, 30];

/// A button press in the groups screens (callback prefix `gr:`).
#[derive(Clone, Debug, PartialEq)]
pub enum GroupAction {
    List,
    New,
    Open(GroupId),
    Rename(GroupId),
    Delete(GroupId),
    DeleteConfirmed(GroupId),
    Members(GroupId, u32),
    Remove(GroupId, UserId),
    RemoveConfirmed(GroupId, UserId),
    Links(GroupId),
    NewLink(GroupId, u16),
    Revoke(GroupId),
    Chats(GroupId),
    ChatCode(GroupId),
    Unlink(GroupId, ChatId),
}

impl GroupAction {
    pub fn encode(&self) -> String {
        match self {
            Self::List => "l".to_owned(),
            Self::New => "n".to_owned(),
            Self::Open(g) => format!("o:{g}"),
            Self::Rename(g) => format!("r:{g}"),
            Self::Delete(g) => format!("d:{g}"),
            Self::DeleteConfirmed(g) => format!("D:{g}"),
            Self::Members(g, page) => format!("m:{g}:{page}"),
            Self::Remove(g, u) => format!("x:{g}:{}", u.0),
            Self::RemoveConfirmed(g, u) => format!("X:{g}:{}", u.0),
            Self::Links(g) => format!("i:{g}"),
            Self::NewLink(g, days) => format!("e:{g}:{days}"),
            Self::Revoke(g) => format!("v:{g}"),
            Self::Chats(g) => format!("c:{g}"),
            Self::ChatCode(g) => format!("k:{g}"),
            Self::Unlink(g, chat) => format!("u:{g}:{}", chat.0),
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        let mut parts = value.split(':');
        let kind = parts.next()?;
        let group = parts.next().map(str::parse::<GroupId>);
        let extra = parts.next();
        if parts.next().is_some() {
            return None;
        }
        let action = match (kind, group, extra) {
            ("l", None, None) => Self::List,
            ("n", None, None) => Self::New,
            (kind, Some(Ok(g)), None) => Self::single(kind, g)?,
            (kind, Some(Ok(g)), Some(extra)) => Self::double(kind, g, extra)?,
            _ => return None,
        };
        Some(action)
    }

    fn single(kind: &str, g: GroupId) -> Option<Self> {
        Some(match kind {
            "o" => Self::Open(g),
            "r" => Self::Rename(g),
            "d" => Self::Delete(g),
            "D" => Self::DeleteConfirmed(g),
            "i" => Self::Links(g),
            "v" => Self::Revoke(g),
            "c" => Self::Chats(g),
            "k" => Self::ChatCode(g),
            _ => return None,
        })
    }

    fn double(kind: &str, g: GroupId, extra: &str) -> Option<Self> {
        Some(match kind {
            "m" => Self::Members(g, extra.parse().ok()?),
            "x" => Self::Remove(g, UserId(extra.parse().ok()?)),
            "X" => Self::RemoveConfirmed(g, UserId(extra.parse().ok()?)),
            "e" => Self::NewLink(g, extra.parse().ok().filter(|d| EXPIRY_DAYS.contains(d))?),
            "u" => Self::Unlink(g, ChatId(extra.parse().ok()?)),
            _ => return None,
        })
    }

    /// The group the action touches, if any: its ownership is checked before anything else.
    pub fn group(&self) -> Option<GroupId> {
        match *self {
            Self::List | Self::New => None,
            Self::Open(g)
            | Self::Rename(g)
            | Self::Delete(g)
            | Self::DeleteConfirmed(g)
            | Self::Members(g, _)
            | Self::Remove(g, _)
            | Self::RemoveConfirmed(g, _)
            | Self::Links(g)
            | Self::NewLink(g, _)
            | Self::Revoke(g)
            | Self::Chats(g)
            | Self::ChatCode(g)
            | Self::Unlink(g, _) => Some(g),
        }
    }
}
