//! Who may do what.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    Teacher,
    Listener,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Teacher => "teacher",
            Role::Listener => "listener",
        }
    }

    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }

    pub fn can_create_events(self) -> bool {
        matches!(self, Role::Admin | Role::Teacher)
    }

    pub fn can_manage_providers(self) -> bool {
        matches!(self, Role::Admin | Role::Teacher)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown role {0:?}")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(Role::Admin),
            "teacher" => Ok(Role::Teacher),
            "listener" => Ok(Role::Listener),
            other => Err(UnknownRole(other.to_owned())),
        }
    }
}
