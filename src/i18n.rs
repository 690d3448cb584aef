//! User-facing texts: Fluent files under `locales/`, Russian first.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};
use serde::{Deserialize, Serialize};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "ru",
        // Isolation marks (U+2068/U+2069) would end up inside Telegram messages.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static RU: LanguageIdentifier = langid!("ru");
static EN: LanguageIdentifier = langid!("en");

/// A language the bot speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ru,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ru, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// Exactly one of our own codes (`ru`, `en`), as stored and configured.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language for Telegram's `language_code` (an IETF tag such as `en-US`).
    /// People whose client speaks a neighbouring language more often read Russian than English.
    pub fn from_telegram(code: Option<&str>, default: Lang) -> Lang {
        let Some(code) = code else { return default };
        let primary = code.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        match primary.as_str() {
            "ru" | "uk" | "be" | "kk" | "ky" | "uz" | "tg" | "hy" | "az" => Lang::Ru,
            "" => default,
            _ => Lang::En,
        }
    }

    fn langid(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Ru => &RU,
            Lang::En => &EN,
        }
    }
}

/// Arguments of a Fluent message.
pub type Args<'a> = &'a [(&'static str, FluentValue<'static>)];

/// The text of `key` in `lang`.
pub fn tr(lang: Lang, key: &str) -> String {
    LOCALES.lookup(lang.langid(), key)
}

/// The text of `key` in `lang` with arguments.
pub fn tr_args(lang: Lang, key: &str, args: Args<'_>) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue<'static>> =
        args.iter().map(|(name, value)| (Cow::Borrowed(*name), value.clone())).collect();
    LOCALES.lookup_with_args(lang.langid(), key, &map)
}

/// Formats `key` in exactly `lang`, reporting any Fluent error instead of hiding it (for tests).
pub fn try_format(lang: Lang, key: &str, args: Args<'_>) -> Result<String, String> {
    let map: HashMap<&str, FluentValue<'static>> = args.iter().map(|(n, v)| (*n, v.clone())).collect();
    LOCALES.lookup_single_language(lang.langid(), key, Some(&map)).map_err(|e| e.to_string())
}

/// The text of a domain error (or any key with domain arguments) in `lang`.
/// The text of a domain error, in `lang`.
pub fn tr_error(lang: Lang, err: &dyn crate::domain::Localized) -> String {
    tr_domain(lang, err.i18n_key(), &err.i18n_args())
}

pub fn tr_domain(lang: Lang, key: &str, args: &crate::domain::I18nArgs) -> String {
    let args: Vec<_> = args
        .iter()
        .map(|(name, value)| {
            let value = match value {
                crate::domain::I18nArg::Number(n) => FluentValue::from(*n),
                crate::domain::I18nArg::Text(s) => FluentValue::from(s.clone()),
            };
            (*name, value)
        })
        .collect();
    tr_args(lang, key, &args)
}

/// A provider error in the person's language, by its own explanation. Those texts are plain (they
/// show URLs with `&` and `<placeholders>`), so the whole text is escaped for HTML.
pub fn provider_error(lang: Lang, err: &crate::providers::ProviderError) -> String {
    provider_words(lang, err.i18n())
}

/// Why the check of a provider's settings failed (registering, replacing, checking again).
pub fn provider_check_error(lang: Lang, err: &crate::providers::ProviderError) -> String {
    provider_words(lang, err.i18n_for_check())
}

fn provider_words(lang: Lang, (key, args): (&'static str, Vec<(&'static str, String)>)) -> String {
    let args: Vec<_> = args
        .into_iter()
        .map(|(name, value)| match value.parse::<f64>() {
            Ok(n) => (name, num(n)),
            Err(_) => (name, text(value)),
        })
        .collect();
    teloxide::utils::html::escape(&tr_args(lang, key, &args))
}

/// A number argument, for plural selection.
pub fn num(n: impl Into<f64>) -> FluentValue<'static> {
    FluentValue::from(n.into())
}

/// A text argument.
pub fn text(s: impl Into<String>) -> FluentValue<'static> {
    FluentValue::from(s.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telegram_codes_map_to_our_languages() {
        assert_eq!(Lang::from_telegram(Some("ru"), Lang::En), Lang::Ru);
        assert_eq!(Lang::from_telegram(Some("en-US"), Lang::Ru), Lang::En);
        assert_eq!(Lang::from_telegram(Some("uk"), Lang::En), Lang::Ru);
        assert_eq!(Lang::from_telegram(Some("de"), Lang::Ru), Lang::En);
        assert_eq!(Lang::from_telegram(None, Lang::Ru), Lang::Ru);
    }

    #[test]
    fn russian_plurals_follow_cldr() {
        let minutes = |n: u32| tr_args(Lang::Ru, "unit-minutes", &[("n", num(n))]);
        assert_eq!(minutes(1), "1 минута");
        assert_eq!(minutes(2), "2 минуты");
        assert_eq!(minutes(5), "5 минут");
        assert_eq!(minutes(11), "11 минут");
        assert_eq!(minutes(21), "21 минута");
        assert_eq!(minutes(22), "22 минуты");
        assert_eq!(minutes(112), "112 минут");
        assert_eq!(tr_args(Lang::En, "unit-minutes", &[("n", num(1))]), "1 minute");
        assert_eq!(tr_args(Lang::En, "unit-minutes", &[("n", num(3))]), "3 minutes");
    }
}
