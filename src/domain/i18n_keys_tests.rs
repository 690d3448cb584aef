//! Keeps the `i18n_key()`s of the domain errors and `locales/*/domain.ftl` in step: every key
//! exists in both languages, formats without errors with the variables `i18n_args()` supplies,
//! and the files hold no key that no error uses.

use std::collections::BTreeSet;

use super::Localized;

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use fluent_templates::fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use unic_langid::langid;

use super::{
    I18nArg, I18nArgs,
    event::{DescriptionError, DurationError, TitleError},
    invite::InviteError,
    time_input::{DateInputError, DateTimeInputError, TimeInputError, check_not_past, resolve_local},
};

/// One sample of every user-facing error variant, as (key, args).
fn every_message() -> Vec<(&'static str, I18nArgs)> {
    let mut all = Vec::new();
    let mut add = |key: &'static str, args: I18nArgs| all.push((key, args));

    for error in [
        DateInputError::Empty,
        DateInputError::TooLong { max: 64 },
        DateInputError::Unrecognised,
        DateInputError::DayOutOfRange { day: 32 },
        DateInputError::MonthOutOfRange { month: 13 },
        DateInputError::YearOutOfRange { year: 1999 },
        DateInputError::NoSuchDate { day: 31, month: 2, year: 2026 },
    ] {
        add(error.i18n_key(), error.i18n_args());
    }
    for error in [
        TimeInputError::Empty,
        TimeInputError::TooLong { max: 64 },
        TimeInputError::Unrecognised,
        TimeInputError::HourOutOfRange { hour: 24 },
        TimeInputError::MinuteOutOfRange { minute: 60 },
    ] {
        add(error.i18n_key(), error.i18n_args());
    }
    for error in [DateTimeInputError::Empty, DateTimeInputError::TooLong { max: 64 }, DateTimeInputError::Unrecognised]
    {
        add(error.i18n_key(), error.i18n_args());
    }
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let half_past_two = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
    let berlin = chrono_tz::Europe::Berlin;
    for error in [
        resolve_local(day(3, 29), half_past_two, berlin).unwrap_err(),
        resolve_local(day(10, 25), half_past_two, berlin).unwrap_err(),
    ] {
        add(error.i18n_key(), error.i18n_args());
    }
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    let past = check_not_past(now - chrono::TimeDelta::hours(1), now).unwrap_err();
    add(past.i18n_key(), past.i18n_args());

    for error in [TitleError::Empty, TitleError::TooLong { max: 255, actual: 300 }, TitleError::ControlCharacter] {
        add(error.i18n_key(), error.i18n_args());
    }
    for error in [
        DescriptionError::Empty,
        DescriptionError::TooLong { max: 2000, actual: 2001 },
        DescriptionError::ControlCharacter,
    ] {
        add(error.i18n_key(), error.i18n_args());
    }
    for error in [DurationError::Unrecognised, DurationError::TooShort { min: 5 }, DurationError::TooLong { max: 720 }]
    {
        add(error.i18n_key(), error.i18n_args());
    }
    for error in [InviteError::Empty, InviteError::TooLong, InviteError::UnknownKind, InviteError::MalformedToken] {
        add(error.i18n_key(), error.i18n_args());
    }
    all
}

fn ftl_source(lang: &str) -> String {
    let path = format!("{}/locales/{lang}/domain.ftl", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Message ids defined at the start of a line (`key = ...`).
fn defined_keys(source: &str) -> BTreeSet<String> {
    source
        .lines()
        .filter_map(|line| line.split_once(" ="))
        .map(|(key, _)| key)
        .filter(|key| {
            key.starts_with(|c: char| c.is_ascii_lowercase()) && key.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        })
        .map(str::to_owned)
        .collect()
}

fn bundle(lang: &str) -> FluentBundle<FluentResource> {
    let resource = FluentResource::try_new(ftl_source(lang))
        .unwrap_or_else(|(_, errors)| panic!("{lang}/domain.ftl does not parse: {errors:?}"));
    let id = match lang {
        "ru" => langid!("ru"),
        _ => langid!("en"),
    };
    let mut bundle = FluentBundle::new(vec![id]);
    bundle.set_use_isolating(false);
    bundle.add_resource(resource).expect("no duplicate message ids");
    bundle
}

fn fluent_args(args: &I18nArgs) -> FluentArgs<'static> {
    let mut fluent = FluentArgs::new();
    for (name, value) in args {
        let value = match value {
            I18nArg::Number(number) => FluentValue::from(*number),
            I18nArg::Text(text) => FluentValue::from(text.clone()),
        };
        fluent.set(*name, value);
    }
    fluent
}

#[test]
fn every_key_formats_in_both_languages() {
    for lang in ["ru", "en"] {
        let bundle = bundle(lang);
        for (key, args) in every_message() {
            let message = bundle.get_message(key).unwrap_or_else(|| panic!("{lang}: missing {key}"));
            let pattern = message.value().expect("message has a value");
            let mut errors = vec![];
            let text = bundle.format_pattern(pattern, Some(&fluent_args(&args)), &mut errors);
            assert!(errors.is_empty(), "{lang} {key}: {errors:?}");
            assert!(!text.trim().is_empty(), "{lang} {key} is blank");
        }
    }
}

#[test]
fn files_hold_exactly_the_used_keys() {
    let used: BTreeSet<String> = every_message().into_iter().map(|(key, _)| key.to_owned()).collect();
    for lang in ["ru", "en"] {
        assert_eq!(defined_keys(&ftl_source(lang)), used, "{lang}/domain.ftl");
    }
}

#[test]
fn russian_plurals_are_chosen_by_number() {
    let bundle = bundle("ru");
    let message = bundle.get_message("err-title-too-long").unwrap();
    let mut errors = vec![];
    let args = fluent_args(&vec![("max", 255i64.into()), ("actual", 301i64.into())]);
    let text = bundle.format_pattern(message.value().unwrap(), Some(&args), &mut errors);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(text.contains("255 символов"), "{text}");
    assert!(text.contains("301 символ,"), "{text}");
}

#[test]
fn years_print_without_grouping() {
    let bundle = bundle("ru");
    let error = DateInputError::NoSuchDate { day: 31, month: 2, year: 2026 };
    let message = bundle.get_message(error.i18n_key()).unwrap();
    let mut errors = vec![];
    let args = fluent_args(&error.i18n_args());
    let text = bundle.format_pattern(message.value().unwrap(), Some(&args), &mut errors);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(text.contains("31.02.2026"), "{text}");
    assert!(text.contains("28.02.2026"), "{text}");
}
