//! An event's validated fields, its status and the ids that tie records together.

use std::{fmt, num::ParseIntError, str::FromStr};

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

use super::{I18nArgs, UnknownCode};

/// Declares an id newtype: plain `i64` inside, printed and parsed as the bare number, and
/// serialized transparently, so a `GroupId` can never be passed where an `EventId` is meant.
macro_rules! id_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = ParseIntError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.parse().map(Self)
            }
        }

        impl From<i64> for $name {
            fn from(raw: i64) -> Self {
                Self(raw)
            }
        }
    };
}

id_newtype!(
    /// An event's row id.
    EventId
);
id_newtype!(
    /// A listener group's row id.
    GroupId
);

/// Why a title was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TitleError {
    #[error("the title is empty")]
    Empty,
    #[error("the title has {actual} characters, more than {max}")]
    TooLong { max: usize, actual: usize },
    #[error("the title contains a control character or a line break")]
    ControlCharacter,
}

impl crate::domain::Localized for TitleError {
    /// The Fluent message id in `locales/*/domain.ftl`.
    fn i18n_key(&self) -> &'static str {
        match self {
            Self::Empty => "err-title-empty",
            Self::TooLong { .. } => "err-title-too-long",
            Self::ControlCharacter => "err-title-control-character",
        }
    }

    /// The Fluent variables the message uses.
    fn i18n_args(&self) -> I18nArgs {
        match *self {
            Self::Empty | Self::ControlCharacter => vec![],
            Self::TooLong { max, actual } => vec![("max", max.into()), ("actual", actual.into())],
        }
    }
}

/// An event title: trimmed, 1 to 255 characters, one line without control characters (it goes
/// into button labels, calendar files and provider APIs).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EventTitle(String);

impl EventTitle {
    pub const MAX_CHARS: usize = 255;

    pub fn parse(input: &str) -> Result<Self, TitleError> {
        let title = input.trim();
        if title.is_empty() {
            return Err(TitleError::Empty);
        }
        let actual = title.chars().count();
        if actual > Self::MAX_CHARS {
            return Err(TitleError::TooLong { max: Self::MAX_CHARS, actual });
        }
        if title.chars().any(char::is_control) {
            return Err(TitleError::ControlCharacter);
        }
        Ok(Self(title.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for EventTitle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EventTitle {
    type Error = TitleError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EventTitle> for String {
    fn from(title: EventTitle) -> Self {
        title.0
    }
}

/// Why a description was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DescriptionError {
    /// Only from deserializing: typed blank input is "no description", not an error.
    #[error("the description is blank")]
    Empty,
    #[error("the description has {actual} characters, more than {max}")]
    TooLong { max: usize, actual: usize },
    #[error("the description contains a control character")]
    ControlCharacter,
}

impl crate::domain::Localized for DescriptionError {
    /// The Fluent message id in `locales/*/domain.ftl`.
    fn i18n_key(&self) -> &'static str {
        match self {
            Self::Empty => "err-description-empty",
            Self::TooLong { .. } => "err-description-too-long",
            Self::ControlCharacter => "err-description-control-character",
        }
    }

    /// The Fluent variables the message uses.
    fn i18n_args(&self) -> I18nArgs {
        match *self {
            Self::Empty | Self::ControlCharacter => vec![],
            Self::TooLong { max, actual } => vec![("max", max.into()), ("actual", actual.into())],
        }
    }
}

/// An event description: trimmed, up to 2000 characters, several lines allowed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Description(String);

impl Description {
    pub const MAX_CHARS: usize = 2000;

    /// Blank input means "no description" and gives `Ok(None)`: the field is optional.
    pub fn parse(input: &str) -> Result<Option<Self>, DescriptionError> {
        let text = input.trim();
        if text.is_empty() {
            return Ok(None);
        }
        Self::parse_non_blank(text).map(Some)
    }

    fn parse_non_blank(text: &str) -> Result<Self, DescriptionError> {
        let actual = text.chars().count();
        if actual > Self::MAX_CHARS {
            return Err(DescriptionError::TooLong { max: Self::MAX_CHARS, actual });
        }
        // Line breaks and tabs are ordinary in a description; other control characters are not.
        if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            return Err(DescriptionError::ControlCharacter);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Description {
    type Error = DescriptionError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)?.ok_or(DescriptionError::Empty)
    }
}

impl From<Description> for String {
    fn from(description: Description) -> Self {
        description.0
    }
}

/// Why a duration was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("the duration is in no known format")]
    Unrecognised,
    #[error("the duration is shorter than {min} minutes")]
    TooShort { min: u32 },
    #[error("the duration is longer than {max} minutes")]
    TooLong { max: u32 },
}

impl crate::domain::Localized for DurationError {
    /// The Fluent message id in `locales/*/domain.ftl`.
    fn i18n_key(&self) -> &'static str {
        match self {
            Self::Unrecognised => "err-duration-unrecognised",
            Self::TooShort { .. } => "err-duration-too-short",
            Self::TooLong { .. } => "err-duration-too-long",
        }
    }

    /// The Fluent variables the message uses.
    fn i18n_args(&self) -> I18nArgs {
        match *self {
            Self::Unrecognised => vec![],
            Self::TooShort { min } => vec![("min", min.into())],
            Self::TooLong { max } => vec![("max", max.into())],
        }
    }
}

/// How long an event lasts, in whole minutes, 5 to 720 (12 hours).
///
/// Named `EventDuration` rather than `Duration` so it never shadows `std`'s or chrono's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct EventDuration(u32);

impl EventDuration {
    pub const MIN_MINUTES: u32 = 5;
    pub const MAX_MINUTES: u32 = 720;
    /// What the dialogue offers first.
    pub const DEFAULT: EventDuration = EventDuration(60);
    const MAX_INPUT_CHARS: usize = 16;

    pub fn from_minutes(minutes: u32) -> Result<Self, DurationError> {
        if minutes < Self::MIN_MINUTES {
            return Err(DurationError::TooShort { min: Self::MIN_MINUTES });
        }
        if minutes > Self::MAX_MINUTES {
            return Err(DurationError::TooLong { max: Self::MAX_MINUTES });
        }
        Ok(Self(minutes))
    }

    pub fn minutes(self) -> u32 {
        self.0
    }

    pub fn as_time_delta(self) -> TimeDelta {
        TimeDelta::minutes(i64::from(self.0))
    }
}

/// Reads what a teacher types: minutes (`90`) or hours and minutes (`1:30`).
impl FromStr for EventDuration {
    type Err = DurationError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let text = input.trim();
        if text.is_empty() || text.len() > Self::MAX_INPUT_CHARS {
            return Err(DurationError::Unrecognised);
        }
        Self::from_minutes(typed_minutes(text).ok_or(DurationError::Unrecognised)?)
    }
}

fn typed_minutes(text: &str) -> Option<u32> {
    let number = |part: &str| -> Option<u32> {
        // Six digits: a number too big to be a duration is read, then refused as too long,
        // rather than called unreadable. 999999 hours in minutes still fits a u32.
        if part.is_empty() || part.len() > 6 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    match text.split_once(':') {
        None => number(text),
        Some((hours, minutes)) if minutes.len() == 2 => {
            let minutes = number(minutes).filter(|m| *m < 60)?;
            Some(number(hours)? * 60 + minutes)
        }
        Some(_) => None,
    }
}

impl fmt::Display for EventDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<u32> for EventDuration {
    type Error = DurationError;

    fn try_from(minutes: u32) -> Result<Self, Self::Error> {
        Self::from_minutes(minutes)
    }
}

impl From<EventDuration> for u32 {
    fn from(duration: EventDuration) -> Self {
        duration.0
    }
}

/// Where an event is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum EventStatus {
    /// Being filled in by the teacher; listeners see nothing yet.
    Draft,
    /// Announced; reminders are planned.
    Planned,
    Cancelled,
    Finished,
}

impl EventStatus {
    pub const ALL: [EventStatus; 4] = [Self::Draft, Self::Planned, Self::Cancelled, Self::Finished];

    /// The stable code stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Planned => "planned",
            Self::Cancelled => "cancelled",
            Self::Finished => "finished",
        }
    }
}

impl fmt::Display for EventStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventStatus {
    type Err = UnknownCode;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == code)
            .ok_or_else(|| UnknownCode::new("event status", code))
    }
}

impl TryFrom<String> for EventStatus {
    type Error = UnknownCode;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        code.parse()
    }
}

impl From<EventStatus> for &'static str {
    fn from(status: EventStatus) -> Self {
        status.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ids_print_parse_and_serialize_as_bare_numbers() {
        let id = EventId(42);
        assert_eq!(id.to_string(), "42");
        assert_eq!("42".parse::<EventId>(), Ok(id));
        assert!("x42".parse::<EventId>().is_err());
        assert_eq!(serde_json::to_string(&EventId(-100123)).unwrap(), "-100123");
        assert_eq!(serde_json::from_str::<GroupId>("7").unwrap(), GroupId(7));
        assert_eq!(GroupId::from(3).get(), 3);
    }

    #[test]
    fn title_is_trimmed() {
        let title = EventTitle::parse("  Вебинар по Rust  ").unwrap();
        assert_eq!(title.as_str(), "Вебинар по Rust");
        assert_eq!(title.to_string(), "Вебинар по Rust");
    }

    #[test]
    fn title_length_counts_characters_not_bytes() {
        assert!(EventTitle::parse(&"я".repeat(255)).is_ok());
        assert_eq!(EventTitle::parse(&"я".repeat(256)), Err(TitleError::TooLong { max: 255, actual: 256 }));
    }

    #[test]
    fn bad_titles() {
        assert_eq!(EventTitle::parse(""), Err(TitleError::Empty));
        assert_eq!(EventTitle::parse(" \n\t "), Err(TitleError::Empty));
        assert_eq!(EventTitle::parse("two\nlines"), Err(TitleError::ControlCharacter));
        assert_eq!(EventTitle::parse("bell\u{7}"), Err(TitleError::ControlCharacter));
    }

    #[test]
    fn title_serde_validates() {
        let title = EventTitle::parse("Урок").unwrap();
        assert_eq!(serde_json::to_string(&title).unwrap(), "\"Урок\"");
        assert!(serde_json::from_str::<EventTitle>("\"\"").is_err());
        assert_eq!(serde_json::from_str::<EventTitle>("\"Урок\"").unwrap(), title);
    }

    #[test]
    fn description_is_optional_and_keeps_lines() {
        assert_eq!(Description::parse("   "), Ok(None));
        let text = Description::parse(" Первая строка\nвторая\tс табом ").unwrap().unwrap();
        assert_eq!(text.as_str(), "Первая строка\nвторая\tс табом");
    }

    #[test]
    fn bad_descriptions() {
        assert!(Description::parse(&"ж".repeat(2000)).unwrap().is_some());
        assert_eq!(Description::parse(&"ж".repeat(2001)), Err(DescriptionError::TooLong { max: 2000, actual: 2001 }));
        assert_eq!(Description::parse("nul\u{0}"), Err(DescriptionError::ControlCharacter));
        assert!(serde_json::from_str::<Description>("\"  \"").is_err());
        assert_eq!(serde_json::from_str::<Description>("\"Текст\"").unwrap().as_str(), "Текст");
    }

    #[test]
    fn duration_bounds() {
        assert_eq!(EventDuration::from_minutes(5).map(|d| d.minutes()), Ok(5));
        assert_eq!(EventDuration::from_minutes(720).map(|d| d.minutes()), Ok(720));
        assert_eq!(EventDuration::from_minutes(4), Err(DurationError::TooShort { min: 5 }));
        assert_eq!(EventDuration::from_minutes(721), Err(DurationError::TooLong { max: 720 }));
        assert_eq!(EventDuration::DEFAULT.as_time_delta(), TimeDelta::hours(1));
    }

    #[test]
    fn duration_typed_forms() {
        assert_eq!("90".parse::<EventDuration>().map(u32::from), Ok(90));
        assert_eq!(" 1:30 ".parse::<EventDuration>().map(u32::from), Ok(90));
        assert_eq!("12:00".parse::<EventDuration>().map(u32::from), Ok(720));
        assert_eq!("12:01".parse::<EventDuration>(), Err(DurationError::TooLong { max: 720 }));
        assert_eq!("0".parse::<EventDuration>(), Err(DurationError::TooShort { min: 5 }));
        assert_eq!("100000".parse::<EventDuration>(), Err(DurationError::TooLong { max: 720 }));
        assert_eq!("999999:59".parse::<EventDuration>(), Err(DurationError::TooLong { max: 720 }));
        for garbage in ["", "1:5", "1:60", "час", "-5", "1.5", "99999999999999999999"] {
            assert_eq!(garbage.parse::<EventDuration>(), Err(DurationError::Unrecognised), "{garbage}");
        }
    }

    #[test]
    fn duration_serde_validates() {
        assert_eq!(serde_json::to_string(&EventDuration::DEFAULT).unwrap(), "60");
        assert!(serde_json::from_str::<EventDuration>("1000").is_err());
    }

    #[test]
    fn status_codes_round_trip() {
        for status in EventStatus::ALL {
            assert_eq!(status.as_str().parse(), Ok(status));
            assert_eq!(status.to_string(), status.as_str());
        }
        assert_eq!(EventStatus::Cancelled.as_str(), "cancelled");
        assert!("Planned".parse::<EventStatus>().is_err());
        assert_eq!(serde_json::to_string(&EventStatus::Planned).unwrap(), "\"planned\"");
    }

    proptest! {
        #[test]
        fn validators_never_panic(input in any::<String>()) {
            let _ = EventTitle::parse(&input);
            let _ = Description::parse(&input);
            let _ = input.parse::<EventDuration>();
        }

        #[test]
        fn accepted_titles_are_clean(input in "\\PC{0,300}") {
            if let Ok(title) = EventTitle::parse(&input) {
                let count = title.as_str().chars().count();
                prop_assert!((1..=255).contains(&count));
                prop_assert_eq!(title.as_str(), title.as_str().trim());
            }
        }
    }
}
