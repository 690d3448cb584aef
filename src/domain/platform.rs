//! Rules of the learning platform's API: token scopes and format, the platform's ids, and the
//! signed `/start` links that tie a Telegram account to a platform user. Pure: the key and "now"
//! are passed in.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::{CryptoRng, RngCore};
use sha2::Sha256;

use super::UnknownCode;

/// What a token may do. `read` only reads; `groups` also writes groups, rosters and links;
/// `events` may do everything (an event's audience is groups, so it needs them too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    Events,
    Groups,
    Read,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Events, Scope::Groups, Scope::Read];

    pub fn code(self) -> &'static str {
        match self {
            Scope::Events => "events",
            Scope::Groups => "groups",
            Scope::Read => "read",
        }
    }

    pub fn from_code(code: &str) -> Result<Scope, UnknownCode> {
        Scope::ALL.into_iter().find(|s| s.code() == code).ok_or_else(|| UnknownCode::new("api scope", code))
    }

    /// Whether a token of this scope may do what `needed` names.
    pub fn permits(self, needed: Scope) -> bool {
        match self {
            Scope::Events => true,
            Scope::Groups => needed != Scope::Events,
            Scope::Read => needed == Scope::Read,
        }
    }
}

/// What every token starts with, so a leaked one is recognisable (and secret scanners can match it).
pub const TOKEN_PREFIX: &str = "wbt_";
/// Random bytes in a token: 192 bits, 32 base64url characters.
const TOKEN_BYTES: usize = 24;

/// A new token from a cryptographic random source.
pub fn generate_token<R: RngCore + CryptoRng>(rng: &mut R) -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    rng.fill_bytes(&mut bytes);
    format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `token` has the shape of one this bot makes: anything else is refused without a
/// database look-up.
pub fn token_well_formed(token: &str) -> bool {
    token
        .strip_prefix(TOKEN_PREFIX)
        .is_some_and(|rest| URL_SAFE_NO_PAD.decode(rest).is_ok_and(|b| b.len() == TOKEN_BYTES))
}

/// The longest platform user id a signed link can carry (see `sign_link`).
pub const MAX_USER_ID_BYTES: usize = 31;
/// The longest platform id of a group or an event.
pub const MAX_EXTERNAL_ID_CHARS: usize = 64;

/// Why a platform id was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ExternalIdError {
    #[error("the id is empty")]
    Empty,
    #[error("the id is longer than {0} characters")]
    TooLong(usize),
    #[error("the id may hold only letters A-Z a-z, digits and . _ - @")]
    BadCharacter,
}

/// Checks a platform id: 1..=`max` characters of `A-Za-z0-9._-@`, so it is safe in a path, a
/// log line and a `/start` payload.
pub fn external_id(id: &str, max: usize) -> Result<&str, ExternalIdError> {
    if id.is_empty() {
        return Err(ExternalIdError::Empty);
    }
    if id.len() > max {
        return Err(ExternalIdError::TooLong(max));
    }
    if !id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@')) {
        return Err(ExternalIdError::BadCharacter);
    }
    Ok(id)
}

/// The first character of a signed link's payload; invitation codes start with g, e or t.
pub const LINK_PREFIX: char = 'l';
/// Bytes of the HMAC kept in a link: 96 bits, as much as fits beside the id in 64 characters.
const LINK_MAC_BYTES: usize = 12;
/// Telegram's limit on a `/start` payload.
pub const MAX_START_PAYLOAD: usize = 64;

/// Why a signed link was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the link is not one this bot signed")]
    Forged,
    #[error("the link has expired")]
    Expired,
}

/// Whether a `/start` payload is meant as a signed link (rather than an invitation code).
pub fn is_link_payload(payload: &str) -> bool {
    payload.starts_with(LINK_PREFIX)
}

fn link_mac(key: &[u8; 32], expires: u32, user: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(b"webinar-bot link v1\0");
    mac.update(&expires.to_be_bytes());
    mac.update(user.as_bytes());
    mac
}

/// The `/start` payload for platform user `user` (already checked by `external_id` with
/// `MAX_USER_ID_BYTES`), working until `expires`:
/// `l` + base64url(expiry as big-endian u32 unix seconds ‖ first 12 bytes of
/// HMAC-SHA256(key, "webinar-bot link v1\0" ‖ expiry ‖ user) ‖ user). At most 64 characters.
pub fn sign_link(key: &[u8; 32], user: &str, expires: DateTime<Utc>) -> String {
    let expires = u32::try_from(expires.timestamp().max(0)).unwrap_or(u32::MAX);
    let tag = link_mac(key, expires, user).finalize().into_bytes();
    let mut bytes = expires.to_be_bytes().to_vec();
    bytes.extend_from_slice(&tag[..LINK_MAC_BYTES]);
    bytes.extend_from_slice(user.as_bytes());
    format!("{LINK_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The platform user a payload names, if this key signed it and it has not expired.
pub fn verify_link(key: &[u8; 32], payload: &str, now: DateTime<Utc>) -> Result<String, LinkError> {
    let body = payload.strip_prefix(LINK_PREFIX).ok_or(LinkError::Forged)?;
    if payload.len() > MAX_START_PAYLOAD {
        return Err(LinkError::Forged);
    }
    let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| LinkError::Forged)?;
    if bytes.len() <= 4 + LINK_MAC_BYTES {
        return Err(LinkError::Forged);
    }
    let (head, user) = bytes.split_at(4 + LINK_MAC_BYTES);
    let expires = u32::from_be_bytes(head[..4].try_into().expect("four bytes"));
    let user = std::str::from_utf8(user).map_err(|_| LinkError::Forged)?;
    external_id(user, MAX_USER_ID_BYTES).map_err(|_| LinkError::Forged)?;
    // Constant time: a forger learns nothing from how fast the refusal comes.
    link_mac(key, expires, user).verify_truncated_left(&head[4..]).map_err(|_| LinkError::Forged)?;
    if i64::from(expires) <= now.timestamp() {
        return Err(LinkError::Expired);
    }
    Ok(user.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap()
    }

    #[test]
    fn tokens_have_the_documented_shape() {
        let token = generate_token(&mut rand::rngs::OsRng);
        assert_eq!(token.len(), 36, "{token}");
        assert!(token_well_formed(&token));
        assert!(!token_well_formed("wbt_short"));
        assert!(!token_well_formed(&token.replace("wbt_", "xyz_")));
    }

    #[test]
    fn scopes_nest() {
        assert!(Scope::Events.permits(Scope::Groups));
        assert!(Scope::Groups.permits(Scope::Read));
        assert!(!Scope::Groups.permits(Scope::Events));
        assert!(!Scope::Read.permits(Scope::Groups));
        for scope in Scope::ALL {
            assert_eq!(Scope::from_code(scope.code()), Ok(scope));
        }
    }

    #[test]
    fn a_link_round_trips_within_telegrams_limit() {
        let key = [7u8; 32];
        let user = "u".repeat(MAX_USER_ID_BYTES);
        let payload = sign_link(&key, &user, now() + Duration::days(3));
        assert!(payload.len() <= MAX_START_PAYLOAD, "{}", payload.len());
        assert!(payload.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
        assert_eq!(verify_link(&key, &payload, now()), Ok(user));
    }

    #[test]
    fn forged_and_expired_links_are_refused() {
        let key = [7u8; 32];
        let payload = sign_link(&key, "student-42", now() + Duration::hours(1));
        assert_eq!(verify_link(&[8u8; 32], &payload, now()), Err(LinkError::Forged));
        assert_eq!(verify_link(&key, &payload, now() + Duration::hours(2)), Err(LinkError::Expired));
        let mut tampered = payload.clone().into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(verify_link(&key, std::str::from_utf8(&tampered).unwrap(), now()), Err(LinkError::Forged));
        assert_eq!(verify_link(&key, "lAAAA", now()), Err(LinkError::Forged));
    }

    #[test]
    fn external_ids_are_path_safe() {
        assert_eq!(external_id("grp-15.PB", 64), Ok("grp-15.PB"));
        assert_eq!(external_id("", 64), Err(ExternalIdError::Empty));
        assert_eq!(external_id("a/b", 64), Err(ExternalIdError::BadCharacter));
        assert_eq!(external_id(&"a".repeat(65), 64), Err(ExternalIdError::TooLong(64)));
    }
}
