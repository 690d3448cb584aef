//! Callback data of the teacher screens (prefix `tc:`).

/// Callback data of the teacher screens, prefix `tc:`.
#[derive(Clone, Debug, PartialEq)]
pub enum TeacherCb {
    List,
    Invite,
    /// Revoke an unused invitation, by its row id (the code itself is never stored nor sent back).
    RevokeInvite(i64),
    /// Ask before taking a teacher's rights.
    Revoke(u64),
    RevokeYes(u64),
    AllowProviders(bool),
}

impl TeacherCb {
    pub const PREFIX: &'static str = "tc";

    pub fn encode(&self) -> String {
        let body = match self {
            Self::List => "ls".to_owned(),
            Self::Invite => "inv".to_owned(),
            Self::RevokeInvite(id) => format!("ri:{id}"),
            Self::Revoke(id) => format!("rv:{id}"),
            Self::RevokeYes(id) => format!("ry:{id}"),
            Self::AllowProviders(on) => format!("ap:{}", u8::from(*on)),
        };
        format!("{}:{body}", Self::PREFIX)
    }

    /// Parses what follows `tc:`.
    pub fn parse(body: &str) -> Option<Self> {
        let (verb, arg) = body.split_once(':').unwrap_or((body, ""));
        let id = || arg.parse::<u64>().ok().filter(|id| *id > 0);
        Some(match (verb, arg) {
            ("ls", "") => Self::List,
            ("inv", "") => Self::Invite,
            ("ri", _) => Self::RevokeInvite(arg.parse().ok().filter(|id: &i64| *id > 0)?),
            ("rv", _) => Self::Revoke(id()?),
            ("ry", _) => Self::RevokeYes(id()?),
            ("ap", "1") => Self::AllowProviders(true),
            ("ap", "0") => Self::AllowProviders(false),
            _ => return None,
        })
    }
}
