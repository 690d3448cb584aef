//! A credential that must never be printed, and that leaves no copy in memory once dropped.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Secrets shorter than this are shown as a bare ellipsis: four characters of a
/// short secret would give away too much of it.
const MIN_LEN_FOR_HINT: usize = 12;

/// A provider credential (token, client secret, API key), held as a `secrecy::SecretString`:
/// zeroed when dropped, and with no `Display`, so it cannot be formatted into a message or a
/// log line by mistake. `Debug` shows only `…` and the last four characters. The HTTP layer
/// reads the value through [`Secret::expose`].
#[derive(Clone, Default)]
pub struct Secret(SecretString);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into().trim()))
    }

    /// The raw value, for HTTP headers only.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The last four characters, for showing a saved secret to its owner.
    pub fn last4(&self) -> String {
        let value = self.expose();
        let count = value.chars().count();
        if count < MIN_LEN_FOR_HINT {
            return String::new();
        }
        value.chars().skip(count - 4).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

// Compared whole, for settings equality; never printed.
impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "…{}", self.last4())
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

// Transparent serde: the settings JSON is sealed by the crypto module before
// storage, so the plain value is what must round-trip here.
impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value() {
        let s = Secret::new("y0_AgAAAAB-very-secret-token-1234");
        assert_eq!(format!("{s:?}"), "…1234");
        assert_eq!(s.last4(), "1234");
        assert_eq!(s.expose(), "y0_AgAAAAB-very-secret-token-1234");
    }

    #[test]
    fn short_secrets_show_nothing() {
        let s = Secret::new("abc12345");
        assert_eq!(format!("{s:?}"), "…");
    }

    #[test]
    fn serde_is_transparent() {
        let s = Secret::new("value-of-the-secret-xyz");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, "\"value-of-the-secret-xyz\"");
        let back: Secret = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
}
