//! Who may do what.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use super::UnknownCode;

/// A person's role in the bot. Each role can do everything the ones below it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Role {
    /// Registers providers, invites teachers, and teaches too.
    Admin,
    /// Creates and runs events.
    Teacher,
    /// Joins events.
    Listener,
}

impl Role {
    pub const ALL: [Role; 3] = [Self::Admin, Self::Teacher, Self::Listener];

    /// The stable code stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Teacher => "teacher",
            Self::Listener => "listener",
        }
    }

    /// Higher means more rights. Kept private so nobody compares raw numbers.
    fn rank(self) -> u8 {
        match self {
            Self::Listener => 0,
            Self::Teacher => 1,
            Self::Admin => 2,
        }
    }

    /// True when this role has at least the rights of `other`.
    pub fn at_least(self, other: Role) -> bool {
        self.rank() >= other.rank()
    }

    pub fn can_create_events(self) -> bool {
        self.at_least(Self::Teacher)
    }

    pub fn is_admin(self) -> bool {
        self == Self::Admin
    }
}

/// Which groups of an event a copy of it may invite: only an audience the copier could have
/// chosen in `/new` themself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyAudience {
    /// An administrator may invite any group.
    All,
    /// The owner takes the groups they own; one an administrator added stays behind.
    OwnOnly,
    /// A host who is not the owner copies the class, not its audience.
    Nothing,
}

impl CopyAudience {
    pub fn for_copier(role: Role, is_owner: bool) -> Self {
        match (role, is_owner) {
            (Role::Admin, _) => Self::All,
            (Role::Teacher, true) => Self::OwnOnly,
            _ => Self::Nothing,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownCode;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|role| role.as_str() == code).ok_or_else(|| UnknownCode::new("role", code))
    }
}

impl TryFrom<String> for Role {
    type Error = UnknownCode;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        code.parse()
    }
}

impl From<Role> for &'static str {
    fn from(role: Role) -> Self {
        role.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse(), Ok(role));
            assert_eq!(role.to_string(), role.as_str());
        }
        assert!("root".parse::<Role>().is_err());
        assert!("Admin".parse::<Role>().is_err());
        assert_eq!(serde_json::to_string(&Role::Teacher).unwrap(), "\"teacher\"");
        assert!(serde_json::from_str::<Role>("\"owner\"").is_err());
    }

    #[test]
    fn rights() {
        assert!(Role::Admin.can_create_events());
        assert!(Role::Teacher.can_create_events());
        assert!(!Role::Listener.can_create_events());

        assert_eq!(CopyAudience::for_copier(Role::Admin, false), CopyAudience::All);
        assert_eq!(CopyAudience::for_copier(Role::Teacher, true), CopyAudience::OwnOnly);
        assert_eq!(CopyAudience::for_copier(Role::Teacher, false), CopyAudience::Nothing);
        assert_eq!(CopyAudience::for_copier(Role::Listener, true), CopyAudience::Nothing);

        assert!(Role::Admin.is_admin());
        assert!(!Role::Teacher.is_admin());
    }

    #[test]
    fn at_least_is_a_total_order() {
        assert!(Role::Admin.at_least(Role::Teacher));
        assert!(Role::Teacher.at_least(Role::Teacher));
        assert!(!Role::Listener.at_least(Role::Teacher));
        for a in Role::ALL {
            for b in Role::ALL {
                assert!(a.at_least(b) || b.at_least(a));
            }
        }
    }
}
