//! Pure rules of the product: events, reminder offsets, time input, roles and invite codes.
//!
//! Nothing in here talks to Telegram, HTTP or SQL, and nothing reads the system clock: "now" is
//! always passed in. That keeps every rule testable with plain unit tests.
//!
//! Errors that can reach a user carry `i18n_key()`, the Fluent message id in
//! `locales/*/domain.ftl`; the bot renders it with the variables named in that file.

pub mod attendance;
pub mod calendar;
pub mod event;
pub mod group;
pub mod invite;
pub mod platform;
pub mod recurrence;
pub mod reminders;
pub mod roles;
pub mod time_input;

#[cfg(test)]
mod i18n_keys_tests;

/// A stored code (database column, callback data) that names no known variant.
///
/// Such codes come from our own storage or from a tampered client, never from a user's typing,
/// so this error has no user message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} code {code:?}")]
pub struct UnknownCode {
    /// What kind of code was expected, for logs: "role", "event status", ...
    pub what: &'static str,
    /// The offending code, cut to a short prefix so a hostile value cannot flood a log line.
    pub code: String,
}

impl UnknownCode {
    const MAX_LOGGED_CHARS: usize = 32;

    pub(crate) fn new(what: &'static str, code: &str) -> Self {
        Self { what, code: code.chars().take(Self::MAX_LOGGED_CHARS).collect() }
    }
}

/// A value for a Fluent variable, kept free of any Fluent type so the domain stays I/O- and
/// framework-free. Numbers stay numbers so Fluent can pick Russian plural forms for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum I18nArg {
    Number(i64),
    Text(String),
}

impl From<i64> for I18nArg {
    fn from(value: i64) -> Self {
        Self::Number(value)
    }
}

impl From<u32> for I18nArg {
    fn from(value: u32) -> Self {
        Self::Number(i64::from(value))
    }
}

impl From<i32> for I18nArg {
    fn from(value: i32) -> Self {
        Self::Number(i64::from(value))
    }
}

impl From<usize> for I18nArg {
    fn from(value: usize) -> Self {
        Self::Number(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<String> for I18nArg {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

/// The Fluent variables a message needs, by name (without the `$`).
/// A reason a person can read: the Fluent message id in `locales/*/domain.ftl` and the
/// variables it uses. Every domain error is turned into text through this one trait
/// (`i18n::tr_error`).
pub trait Localized: Send + Sync {
    fn i18n_key(&self) -> &'static str;
    fn i18n_args(&self) -> I18nArgs;
}

pub type I18nArgs = Vec<(&'static str, I18nArg)>;
