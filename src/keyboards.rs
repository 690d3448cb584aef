//! Inline keyboards and the labels on them: a leaf module, used by the bot and by the delivery
//! engine's cards alike.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use crate::callback::CallbackData;
use crate::i18n::{Lang, tr};
use crate::providers::ProviderKind;

pub fn button(label: impl Into<String>, data: CallbackData) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(label, data.encode())
}

/// A provider on a button: its name and its service, or the name alone where it is the
/// service's own ("Jitsi Meet", not "Jitsi Meet · Jitsi Meet").
pub fn provider_label(lang: Lang, name: &str, kind: ProviderKind) -> String {
    match service_beside(lang, name, kind) {
        Some(service) => format!("{name} · {service}"),
        None => name.to_owned(),
    }
}

/// The service's name to show beside a provider's own name, unless they are the same.
pub fn service_beside(lang: Lang, name: &str, kind: ProviderKind) -> Option<String> {
    let service = tr(lang, kind.i18n_key());
    (name.trim() != service).then_some(service)
}

pub fn languages(lang: Lang) -> InlineKeyboardMarkup {
    let row = Lang::ALL.iter().map(|l| button(tr(lang, &format!("lang-name-{}", l.code())), CallbackData::Lang(*l)));
    InlineKeyboardMarkup::new([row.collect::<Vec<_>>()])
}

/// Russia's zones from west to east, which is how people look for theirs.
pub const RUSSIAN_ZONES: [Tz; 11] = [
    chrono_tz::Europe::Kaliningrad,
    chrono_tz::Europe::Moscow,
    chrono_tz::Europe::Samara,
    chrono_tz::Asia::Yekaterinburg,
    chrono_tz::Asia::Omsk,
    chrono_tz::Asia::Krasnoyarsk,
    chrono_tz::Asia::Irkutsk,
    chrono_tz::Asia::Yakutsk,
    chrono_tz::Asia::Vladivostok,
    chrono_tz::Asia::Magadan,
    chrono_tz::Asia::Kamchatka,
];

pub fn timezones(lang: Lang, now: DateTime<Utc>) -> InlineKeyboardMarkup {
    let buttons: Vec<_> =
        RUSSIAN_ZONES.iter().map(|tz| button(zone_label(lang, *tz, now), CallbackData::Tz(*tz))).collect();
    InlineKeyboardMarkup::new(buttons.chunks(2).map(<[_]>::to_vec))
}

/// "Москва (UTC+3)" for the zones we name, the IANA name with its offset for the rest.
pub fn zone_label(lang: Lang, tz: Tz, now: DateTime<Utc>) -> String {
    format!("{} ({})", zone_name(lang, tz), utc_offset(tz, now))
}

pub fn zone_name(lang: Lang, tz: Tz) -> String {
    if RUSSIAN_ZONES.contains(&tz) { tr(lang, &zone_key(tz)) } else { tz.name().to_owned() }
}

fn zone_key(tz: Tz) -> String {
    format!("tz-{}", tz.name().to_ascii_lowercase().replace(['/', '_'], "-"))
}

pub fn utc_offset(tz: Tz, now: DateTime<Utc>) -> String {
    use chrono::Offset;
    let seconds = now.with_timezone(&tz).offset().fix().local_minus_utc();
    let (sign, seconds) = if seconds < 0 { ('−', -seconds) } else { ('+', seconds) };
    match (seconds / 3600, seconds % 3600 / 60) {
        (h, 0) => format!("UTC{sign}{h}"),
        (h, m) => format!("UTC{sign}{h}:{m:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn offsets_are_written_as_people_read_them() {
        let now = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
        assert_eq!(utc_offset(chrono_tz::Europe::Moscow, now), "UTC+3");
        assert_eq!(utc_offset(chrono_tz::Asia::Kolkata, now), "UTC+5:30");
        assert_eq!(utc_offset(chrono_tz::America::New_York, now), "UTC−4");
    }

    #[test]
    fn a_provider_named_as_its_service_is_named_once() {
        assert_eq!(provider_label(Lang::Ru, "Jitsi Meet", ProviderKind::Jitsi), "Jitsi Meet");
        assert_eq!(provider_label(Lang::En, "School Zoom", ProviderKind::Zoom), "School Zoom · Zoom");
        assert_eq!(service_beside(Lang::Ru, "Zoom", ProviderKind::Zoom), None);
    }

    #[test]
    fn every_russian_zone_has_a_name_in_both_languages() {
        for lang in Lang::ALL {
            for tz in RUSSIAN_ZONES {
                let name = zone_name(lang, tz);
                assert!(!name.contains("Unknown localization key"), "{tz}: {name}");
            }
        }
    }
}
