//! Texts people type about listener groups and themselves: a group's name, a listener's full name
//! and organisation. Each is trimmed, one line, and bounded, because it is shown in member lists,
//! button labels and messages with Telegram's 4096-character limit.

use super::I18nArgs;

/// Why a typed line was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("the text is empty")]
    Empty,
    #[error("the text has {actual} characters, more than {max}")]
    TooLong { max: usize, actual: usize },
    #[error("the text contains a control character or a line break")]
    ControlCharacter,
    #[error("the text is not an e-mail address")]
    NotAnEmail,
}

impl crate::domain::Localized for LineError {
    /// The Fluent message id in `locales/*/listeners.ftl`.
    fn i18n_key(&self) -> &'static str {
        match self {
            Self::Empty => "listeners-err-empty",
            Self::TooLong { .. } => "listeners-err-too-long",
            Self::ControlCharacter => "listeners-err-control",
            Self::NotAnEmail => "listeners-err-email",
        }
    }

    /// The Fluent variables the message uses.
    fn i18n_args(&self) -> I18nArgs {
        match *self {
            Self::Empty | Self::ControlCharacter | Self::NotAnEmail => vec![],
            Self::TooLong { max, actual } => vec![("max", max.into()), ("actual", actual.into())],
        }
    }
}

/// Trims `input` and checks it is one line of 1..=`max` characters. Emoji and markup characters
/// are allowed: people name things as they like, and every rendering escapes the text.
fn one_line(input: &str, max: usize) -> Result<String, LineError> {
    let line = input.trim();
    if line.is_empty() {
        return Err(LineError::Empty);
    }
    let actual = line.chars().count();
    if actual > max {
        return Err(LineError::TooLong { max, actual });
    }
    if line.chars().any(char::is_control) {
        return Err(LineError::ControlCharacter);
    }
    Ok(line.to_owned())
}

macro_rules! line_type {
    ($(#[$meta:meta])* $name:ident, $max:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(input: &str) -> Result<Self, LineError> {
                one_line(input, Self::MAX_CHARS).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

line_type!(
    /// A listener group's name, such as «Группа №15-ПБ».
    GroupName,
    100
);
line_type!(
    /// A listener's full name as the teacher's lists should show it.
    FullName,
    150
);
line_type!(
    /// The organisation a listener belongs to.
    Organisation,
    200
);

/// An e-mail address as a listener gives it, for matching the services' reports: one `@`
/// between a local part and a domain with a dot, no spaces. Mail is never sent to it, so this is
/// a check for typos, not RFC 5322.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// RFC 5321's limit on a path.
    pub const MAX_CHARS: usize = 254;

    pub fn parse(input: &str) -> Result<Self, LineError> {
        let line = one_line(input, Self::MAX_CHARS)?;
        let (local, domain) = line.split_once('@').ok_or(LineError::NotAnEmail)?;
        let domain_ok = domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.');
        if local.is_empty() || !domain_ok || domain.contains('@') || line.chars().any(char::is_whitespace) {
            return Err(LineError::NotAnEmail);
        }
        Ok(Self(line))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Localized;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(GroupName::parse("  Группа №15-ПБ ").unwrap().as_str(), "Группа №15-ПБ");
        assert_eq!(GroupName::parse(&"я".repeat(100)).unwrap().as_str().chars().count(), 100);
        assert_eq!(GroupName::parse(&"я".repeat(101)), Err(LineError::TooLong { max: 100, actual: 101 }));
        assert_eq!(GroupName::parse(" \n "), Err(LineError::Empty));
        assert_eq!(GroupName::parse("a\nb"), Err(LineError::ControlCharacter));
        assert_eq!(FullName::parse(&"x".repeat(4097)), Err(LineError::TooLong { max: 150, actual: 4097 }));
    }

    #[test]
    fn emoji_and_markup_characters_are_kept_for_escaping_later() {
        assert_eq!(GroupName::parse("<b>Группа</b> 🚀 & Co").unwrap().as_str(), "<b>Группа</b> 🚀 & Co");
        assert_eq!(Organisation::parse("ООО «Ромашка»").unwrap().as_str(), "ООО «Ромашка»");
    }

    #[test]
    fn an_email_needs_one_at_and_a_dotted_domain() {
        assert_eq!(Email::parse(" ivan.petrov@school.ru ").unwrap().as_str(), "ivan.petrov@school.ru");
        for bad in ["ivan", "ivan@", "@school.ru", "ivan@school", "ivan@@school.ru", "ivan petrov@school.ru", "i@.ru"] {
            assert_eq!(Email::parse(bad), Err(LineError::NotAnEmail), "{bad}");
        }
        assert_eq!(Email::parse(""), Err(LineError::Empty));
    }

    #[test]
    fn every_error_names_its_message() {
        for err in [
            LineError::Empty,
            LineError::ControlCharacter,
            LineError::TooLong { max: 1, actual: 2 },
            LineError::NotAnEmail,
        ] {
            assert!(err.i18n_key().starts_with("listeners-err-"));
        }
    }
}
