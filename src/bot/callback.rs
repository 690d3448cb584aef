//! Typed callback data. Telegram's clients send it back as they please, so it is parsed, never
//! trusted, and must fit Telegram's 64 bytes.

use chrono_tz::Tz;
use teloxide::types::CallbackQuery;

use super::providers::ProviderCb;
use super::teachers::TeacherCb;
use crate::i18n::Lang;

#[derive(Clone, Debug, PartialEq)]
pub enum CallbackData {
    Lang(Lang),
    Tz(Tz),
    Provider(ProviderCb),
    Teacher(TeacherCb),
}

impl CallbackData {
    /// Telegram's limit on `callback_data`.
    pub const MAX_BYTES: usize = 64;

    pub fn encode(&self) -> String {
        match self {
            CallbackData::Lang(lang) => format!("lang:{}", lang.code()),
            CallbackData::Tz(tz) => format!("tz:{}", tz.name()),
            CallbackData::Provider(cb) => cb.encode(),
            CallbackData::Teacher(cb) => cb.encode(),
        }
    }

    pub fn parse(data: &str) -> Option<Self> {
        if data.len() > Self::MAX_BYTES {
            return None;
        }
        let (kind, value) = data.split_once(':')?;
        match kind {
            "lang" => Lang::from_code(value).map(CallbackData::Lang),
            "tz" => value.parse().ok().map(CallbackData::Tz),
            ProviderCb::PREFIX => ProviderCb::parse(value).map(CallbackData::Provider),
            TeacherCb::PREFIX => TeacherCb::parse(value).map(CallbackData::Teacher),
            _ => None,
        }
    }

    pub fn from_query(q: CallbackQuery) -> Option<Self> {
        q.data.as_deref().and_then(Self::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_within_the_limit() {
        let samples = [
            CallbackData::Lang(Lang::Ru),
            CallbackData::Lang(Lang::En),
            CallbackData::Tz(chrono_tz::America::Argentina::ComodRivadavia),
            CallbackData::Tz(chrono_tz::Asia::Yekaterinburg),
        ];
        for data in samples {
            let encoded = data.encode();
            assert!(encoded.len() <= CallbackData::MAX_BYTES, "{encoded}");
            assert_eq!(CallbackData::parse(&encoded), Some(data));
        }
    }

    #[test]
    fn foreign_data_is_rejected() {
        for bad in ["", "lang", "lang:fr", "tz:Mars/Base", "admin:1", ":", &"x".repeat(200)] {
            assert_eq!(CallbackData::parse(bad), None, "{bad}");
        }
    }
}
