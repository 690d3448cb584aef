//! Callback data of the `/api` screens (prefix `api:`).

use crate::domain::platform::Scope;

/// Callback data of the API token screens, prefix `api:`. Tokens are named by their row id; the
/// token itself never travels.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiCb {
    List,
    New,
    /// The scope of the token being made (its name is in the dialogue state).
    Scope(Scope),
    /// Ask before revoking.
    Revoke(i64),
    RevokeYes(i64),
}

impl ApiCb {
    pub const PREFIX: &'static str = "api";

    pub fn encode(&self) -> String {
        let body = match self {
            Self::List => "ls".to_owned(),
            Self::New => "new".to_owned(),
            Self::Scope(scope) => format!("sc:{}", scope.code()),
            Self::Revoke(id) => format!("rv:{id}"),
            Self::RevokeYes(id) => format!("ry:{id}"),
        };
        format!("{}:{body}", Self::PREFIX)
    }

    /// Parses what follows `api:`.
    pub fn parse(body: &str) -> Option<Self> {
        let (verb, arg) = body.split_once(':').unwrap_or((body, ""));
        let id = || arg.parse::<i64>().ok().filter(|id| *id > 0);
        Some(match (verb, arg) {
            ("ls", "") => Self::List,
            ("new", "") => Self::New,
            ("sc", _) => Self::Scope(Scope::from_code(arg).ok()?),
            ("rv", _) => Self::Revoke(id()?),
            ("ry", _) => Self::RevokeYes(id()?),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_junk() {
        let all = [
            ApiCb::List,
            ApiCb::New,
            ApiCb::Scope(Scope::Events),
            ApiCb::Scope(Scope::Read),
            ApiCb::Revoke(i64::MAX),
            ApiCb::RevokeYes(3),
        ];
        for cb in all {
            let encoded = cb.encode();
            assert!(encoded.len() <= 64);
            assert_eq!(ApiCb::parse(encoded.strip_prefix("api:").unwrap()), Some(cb));
        }
        for junk in ["", "sc:admin", "rv:0", "rv:-1", "ls:1", "ry:x"] {
            assert_eq!(ApiCb::parse(junk), None, "{junk}");
        }
    }
}
