//! Invite codes carried in `/start` deep links.
//!
//! A code is one letter for its kind followed by 16 random bytes in unpadded base64url
//! (22 characters): 23 characters from `[A-Za-z0-9_-]`, well inside Telegram's 64-character
//! payload limit, and 128 bits that cannot be guessed or enumerated. The code only names a row on
//! the server; what it grants, its expiry and its revocation live there.

use std::{fmt, str::FromStr};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::{CryptoRng, RngCore};

use super::I18nArgs;

/// Random bytes per token: 128 bits, above the 96 the design asks for.
const TOKEN_BYTES: usize = 16;
/// Telegram's limit for a deep-link payload.
pub const MAX_PAYLOAD_CHARS: usize = 64;

/// What an invite lets its holder join.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InviteKind {
    /// Join a listener group.
    Group,
    /// Join one event.
    Event,
    /// Become a teacher.
    Teacher,
}

impl InviteKind {
    pub const ALL: [InviteKind; 3] = [Self::Group, Self::Event, Self::Teacher];

    /// The letter in front of the token.
    pub fn prefix(self) -> char {
        match self {
            Self::Group => 'g',
            Self::Event => 'e',
            Self::Teacher => 't',
        }
    }

    fn from_prefix(letter: char) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.prefix() == letter)
    }
}

/// Why a `/start` payload is not an invite code. Every variant means "this link is broken" to
/// the user; the variants are there for logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InviteError {
    #[error("the payload is empty")]
    Empty,
    #[error("the payload is longer than {MAX_PAYLOAD_CHARS} characters")]
    TooLong,
    #[error("the payload starts with no known invite kind")]
    UnknownKind,
    #[error("the invite token is malformed")]
    MalformedToken,
}

impl crate::domain::Localized for InviteError {
    /// The Fluent message id in `locales/*/domain.ftl`.
    fn i18n_key(&self) -> &'static str {
        "err-invite-invalid"
    }

    /// The Fluent variables the message uses (none).
    fn i18n_args(&self) -> I18nArgs {
        vec![]
    }
}

/// A parsed or freshly generated invite code.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct InviteCode {
    kind: InviteKind,
    token: String,
}

impl InviteCode {
    pub fn kind(&self) -> InviteKind {
        self.kind
    }

    /// The random part, without the kind letter: the lookup key on the server.
    pub fn token(&self) -> &str {
        &self.token
    }
}

/// A new code of `kind` from a cryptographic random source (e.g. `rand::rngs::OsRng`).
pub fn generate<R: RngCore + CryptoRng>(kind: InviteKind, rng: &mut R) -> InviteCode {
    let mut bytes = [0u8; TOKEN_BYTES];
    rng.fill_bytes(&mut bytes);
    InviteCode { kind, token: URL_SAFE_NO_PAD.encode(bytes) }
}

/// Reads a `/start` payload. Only canonical codes pass, so each code has exactly one spelling.
pub fn parse(payload: &str) -> Result<InviteCode, InviteError> {
    let payload = payload.trim();
    if payload.is_empty() {
        return Err(InviteError::Empty);
    }
    if payload.chars().count() > MAX_PAYLOAD_CHARS {
        return Err(InviteError::TooLong);
    }
    let mut chars = payload.chars();
    let kind = chars.next().and_then(InviteKind::from_prefix).ok_or(InviteError::UnknownKind)?;
    let token = chars.as_str();
    if !is_canonical_token(token) {
        return Err(InviteError::MalformedToken);
    }
    Ok(InviteCode { kind, token: token.to_owned() })
}

/// Exactly the encoding of 16 bytes; the decoder also refuses stray bits in the last character.
fn is_canonical_token(token: &str) -> bool {
    URL_SAFE_NO_PAD.decode(token).is_ok_and(|bytes| bytes.len() == TOKEN_BYTES)
}

impl fmt::Display for InviteCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.kind.prefix(), self.token)
    }
}

/// Shows only the start of the token: a code in a log line must not be usable.
impl fmt::Debug for InviteCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let visible: String = self.token.chars().take(4).collect();
        f.debug_struct("InviteCode").field("kind", &self.kind).field("token", &format_args!("{visible}…")).finish()
    }
}

impl FromStr for InviteCode {
    type Err = InviteError;

    fn from_str(payload: &str) -> Result<Self, Self::Err> {
        parse(payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Localized;
    use proptest::prelude::*;
    use rand::{SeedableRng, rngs::StdRng};

    fn rng() -> StdRng {
        StdRng::seed_from_u64(7)
    }

    #[test]
    fn generated_codes_fit_a_deep_link() {
        let code = generate(InviteKind::Group, &mut rng());
        let text = code.to_string();
        assert_eq!(text.len(), 23);
        assert!(text.starts_with('g'));
        assert!(text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
    }

    #[test]
    fn every_kind_round_trips() {
        let mut rng = rng();
        for kind in InviteKind::ALL {
            let code = generate(kind, &mut rng);
            assert_eq!(parse(&code.to_string()), Ok(code.clone()));
            assert_eq!(code.to_string().parse::<InviteCode>(), Ok(code));
        }
    }

    #[test]
    fn codes_differ() {
        let mut rng = rng();
        let first = generate(InviteKind::Event, &mut rng);
        let second = generate(InviteKind::Event, &mut rng);
        assert_ne!(first, second);
    }

    #[test]
    fn known_code_parses() {
        // 16 zero bytes encode as 21 'A's and a final 'A'.
        let code = parse(" tAAAAAAAAAAAAAAAAAAAAAA ").unwrap();
        assert_eq!(code.kind(), InviteKind::Teacher);
        assert_eq!(code.token(), "AAAAAAAAAAAAAAAAAAAAAA");
    }

    #[test]
    fn bad_payloads() {
        assert_eq!(parse(""), Err(InviteError::Empty));
        assert_eq!(parse(&"g".repeat(65)), Err(InviteError::TooLong));
        assert_eq!(parse("xAAAAAAAAAAAAAAAAAAAAAA"), Err(InviteError::UnknownKind));
        assert_eq!(parse("ЖAAAAAAAAAAAAAAAAAAAAAA"), Err(InviteError::UnknownKind));
        for token in [
            "",
            "AAAA",
            "AAAAAAAAAAAAAAAAAAAAAAA",
            "AAAAAAAAAAAAAAAAAAAAA=",
            "AAAAAAAAAAAAAAAAAAAA+/",
            // Non-zero trailing bits: decodes, but not the canonical spelling.
            "AAAAAAAAAAAAAAAAAAAAAB",
        ] {
            assert_eq!(parse(&format!("g{token}")), Err(InviteError::MalformedToken), "{token}");
        }
        assert_eq!(parse("g").unwrap_err().i18n_key(), "err-invite-invalid");
    }

    #[test]
    fn debug_hides_the_token() {
        let code = generate(InviteKind::Group, &mut rng());
        let shown = format!("{code:?}");
        assert!(!shown.contains(code.token()));
        assert!(shown.contains(&code.token()[..4]));
    }

    proptest! {
        #[test]
        fn any_payload_parses_or_fails_without_panic(payload in any::<String>()) {
            let _ = parse(&payload);
        }

        #[test]
        fn link_like_payloads_never_panic(payload in "[a-zA-Z0-9_-]{0,70}") {
            if let Ok(code) = parse(&payload) {
                prop_assert_eq!(code.to_string(), payload);
            }
        }

        #[test]
        fn generated_codes_round_trip(seed in any::<u64>(), kind in 0usize..3) {
            let code = generate(InviteKind::ALL[kind], &mut StdRng::seed_from_u64(seed));
            prop_assert_eq!(parse(&code.to_string()), Ok(code));
        }
    }
}
