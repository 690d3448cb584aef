//! Callback data of the provider screens (prefix `pv:`) and the dialogue's fields they name.

use serde::{Deserialize, Serialize};

use crate::providers::ProviderKind;
use crate::providers::telemost::WaitingRoomLevel;
use crate::providers::zoom::ZoomMeetingType;

/// One question of the dialogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    TelemostClientId,
    TelemostToken,
    TelemostWaitingRoom,
    ZoomAccountId,
    ZoomClientId,
    ZoomClientSecret,
    ZoomHost,
    ZoomType,
    KonturSpace,
    KonturKey,
    KonturHost,
    KonturAnonymous,
    MtsKey,
    JitsiDomain,
    Name,
    ServiceUrl,
    Placement,
}

/// How a field is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    Text,
    /// Text that may be skipped with a button.
    OptionalText,
    /// A credential: deleted from the chat at once, private chats only.
    Secret,
    Buttons,
}

impl Field {
    pub const ALL: [Field; 17] = [
        Self::TelemostClientId,
        Self::TelemostToken,
        Self::TelemostWaitingRoom,
        Self::ZoomAccountId,
        Self::ZoomClientId,
        Self::ZoomClientSecret,
        Self::ZoomHost,
        Self::ZoomType,
        Self::KonturSpace,
        Self::KonturKey,
        Self::KonturHost,
        Self::KonturAnonymous,
        Self::MtsKey,
        Self::JitsiDomain,
        Self::Name,
        Self::ServiceUrl,
        Self::Placement,
    ];

    /// Short code for callback data and Fluent keys.
    pub fn code(self) -> &'static str {
        match self {
            Self::TelemostClientId => "tm-client",
            Self::TelemostToken => "tm-token",
            Self::TelemostWaitingRoom => "tm-wait",
            Self::ZoomAccountId => "zm-account",
            Self::ZoomClientId => "zm-client",
            Self::ZoomClientSecret => "zm-secret",
            Self::ZoomHost => "zm-host",
            Self::ZoomType => "zm-type",
            Self::KonturSpace => "kt-space",
            Self::KonturKey => "kt-key",
            Self::KonturHost => "kt-host",
            Self::KonturAnonymous => "kt-anon",
            Self::MtsKey => "mts-key",
            Self::JitsiDomain => "jitsi-domain",
            Self::Name => "name",
            Self::ServiceUrl => "url",
            Self::Placement => "place",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    pub fn input(self) -> Input {
        match self {
            Self::TelemostToken | Self::ZoomClientSecret | Self::KonturKey | Self::MtsKey => Input::Secret,
            Self::ZoomHost | Self::KonturHost | Self::ServiceUrl | Self::JitsiDomain => Input::OptionalText,
            Self::TelemostWaitingRoom | Self::ZoomType | Self::KonturAnonymous | Self::Placement => Input::Buttons,
            Self::TelemostClientId | Self::ZoomAccountId | Self::ZoomClientId | Self::KonturSpace | Self::Name => {
                Input::Text
            }
        }
    }

    /// The account fields of a service, asked first and again on "replace credentials".
    pub fn credentials(kind: ProviderKind) -> &'static [Field] {
        match kind {
            ProviderKind::Telemost => &[Self::TelemostClientId, Self::TelemostToken],
            ProviderKind::Zoom => &[Self::ZoomAccountId, Self::ZoomClientId, Self::ZoomClientSecret, Self::ZoomHost],
            ProviderKind::Kontur => &[Self::KonturSpace, Self::KonturKey, Self::KonturHost],
            ProviderKind::MtsLink => &[Self::MtsKey],
            ProviderKind::Jitsi => &[Self::JitsiDomain],
            ProviderKind::External => &[],
        }
    }

    /// The service's defaults for new meetings.
    pub fn defaults(kind: ProviderKind) -> &'static [Field] {
        match kind {
            ProviderKind::Telemost => &[Self::TelemostWaitingRoom],
            ProviderKind::Zoom => &[Self::ZoomType],
            ProviderKind::Kontur => &[Self::KonturAnonymous],
            _ => &[],
        }
    }
}

/// A button answer to a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// Leave an optional field empty (or the default Jitsi server).
    Skip,
    Waiting(WaitingRoomLevel),
    Zoom(ZoomMeetingType),
    Anonymous(Option<bool>),
    Shared,
    Host(u64),
}

impl Choice {
    pub fn encode(self) -> String {
        match self {
            Self::Skip => "s".into(),
            Self::Waiting(WaitingRoomLevel::Public) => "w:p".into(),
            Self::Waiting(WaitingRoomLevel::Organization) => "w:o".into(),
            Self::Waiting(WaitingRoomLevel::Admins) => "w:a".into(),
            Self::Zoom(ZoomMeetingType::Meeting) => "z:m".into(),
            Self::Zoom(ZoomMeetingType::Webinar) => "z:w".into(),
            Self::Anonymous(Some(true)) => "an:y".into(),
            Self::Anonymous(Some(false)) => "an:n".into(),
            Self::Anonymous(None) => "an:d".into(),
            Self::Shared => "sh".into(),
            Self::Host(id) => format!("h:{id}"),
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "s" => Self::Skip,
            "w:p" => Self::Waiting(WaitingRoomLevel::Public),
            "w:o" => Self::Waiting(WaitingRoomLevel::Organization),
            "w:a" => Self::Waiting(WaitingRoomLevel::Admins),
            "z:m" => Self::Zoom(ZoomMeetingType::Meeting),
            "z:w" => Self::Zoom(ZoomMeetingType::Webinar),
            "an:y" => Self::Anonymous(Some(true)),
            "an:n" => Self::Anonymous(Some(false)),
            "an:d" => Self::Anonymous(None),
            "sh" => Self::Shared,
            other => Self::Host(other.strip_prefix("h:")?.parse().ok()?),
        })
    }

    /// Whether this button belongs to `field`: a forged pair is refused.
    pub fn fits(self, field: Field) -> bool {
        match self {
            Self::Skip => field.input() == Input::OptionalText,
            Self::Waiting(_) => field == Field::TelemostWaitingRoom,
            Self::Zoom(_) => field == Field::ZoomType,
            Self::Anonymous(_) => field == Field::KonturAnonymous,
            Self::Shared | Self::Host(_) => field == Field::Placement,
        }
    }
}

/// Callback data of the provider screens, prefix `pv:`.
#[derive(Clone, Debug, PartialEq)]
pub enum ProviderCb {
    List,
    Add,
    Kind(ProviderKind),
    Answer(Choice),
    Back,
    Cancel,
    Fix(Field),
    Recheck,
    View(i64),
    Rename(i64),
    Replace(i64),
    Check(i64),
    Delete(i64),
    DeleteYes(i64),
}

impl ProviderCb {
    pub const PREFIX: &'static str = "pv";

    pub fn encode(&self) -> String {
        let body = match self {
            Self::List => "ls".to_owned(),
            Self::Add => "add".to_owned(),
            Self::Kind(kind) => format!("k:{}", kind.as_str()),
            Self::Answer(choice) => format!("a:{}", choice.encode()),
            Self::Back => "bk".to_owned(),
            Self::Cancel => "x".to_owned(),
            Self::Fix(field) => format!("f:{}", field.code()),
            Self::Recheck => "re".to_owned(),
            Self::View(id) => format!("v:{id}"),
            Self::Rename(id) => format!("rn:{id}"),
            Self::Replace(id) => format!("rc:{id}"),
            Self::Check(id) => format!("ck:{id}"),
            Self::Delete(id) => format!("dl:{id}"),
            Self::DeleteYes(id) => format!("dy:{id}"),
        };
        format!("{}:{body}", Self::PREFIX)
    }

    /// Parses what follows `pv:`.
    pub fn parse(body: &str) -> Option<Self> {
        let (verb, arg) = body.split_once(':').unwrap_or((body, ""));
        let id = || arg.parse::<i64>().ok().filter(|id| *id > 0);
        Some(match (verb, arg) {
            ("ls", "") => Self::List,
            ("add", "") => Self::Add,
            ("bk", "") => Self::Back,
            ("x", "") => Self::Cancel,
            ("re", "") => Self::Recheck,
            ("k", kind) => Self::Kind(kind.parse().ok()?),
            ("a", choice) => Self::Answer(Choice::parse(choice)?),
            ("f", field) => Self::Fix(Field::from_code(field)?),
            ("v", _) => Self::View(id()?),
            ("rn", _) => Self::Rename(id()?),
            ("rc", _) => Self::Replace(id()?),
            ("ck", _) => Self::Check(id()?),
            ("dl", _) => Self::Delete(id()?),
            ("dy", _) => Self::DeleteYes(id()?),
            _ => return None,
        })
    }
}
