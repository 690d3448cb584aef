use super::*;
use crate::domain::Localized;
use chrono::Timelike;
use chrono_tz::Europe::{Berlin, Moscow};
use proptest::prelude::*;

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn time(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap()
}

fn utc(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0).unwrap()
}

/// 10 June 2026, 12:00 in Moscow.
fn now() -> DateTime<Utc> {
    utc(2026, 6, 10, 9, 0)
}

fn today() -> NaiveDate {
    date(2026, 6, 10)
}

fn at(d: NaiveDate, t: NaiveTime) -> DateOrDateTime {
    DateOrDateTime::DateTime { date: d, time: t }
}

// ---- parse_date ----

#[test]
fn day_month_later_this_year_stays_in_this_year() {
    assert_eq!(parse_date("25.12", today()), Ok(date(2026, 12, 25)));
}

#[test]
fn day_month_already_passed_moves_to_next_year() {
    assert_eq!(parse_date("01.03", today()), Ok(date(2027, 3, 1)));
}

#[test]
fn day_month_of_today_is_today() {
    assert_eq!(parse_date("10.06", today()), Ok(today()));
}

#[test]
fn day_month_accepts_single_digits_and_a_trailing_dot() {
    assert_eq!(parse_date("5.7", today()), Ok(date(2026, 7, 5)));
    assert_eq!(parse_date("25.12.", today()), Ok(date(2026, 12, 25)));
}

#[test]
fn february_29_without_year_waits_for_a_leap_year() {
    assert_eq!(parse_date("29.02", today()), Ok(date(2028, 2, 29)));
}

#[test]
fn full_and_short_years() {
    assert_eq!(parse_date("25.12.2026", today()), Ok(date(2026, 12, 25)));
    assert_eq!(parse_date("25.12.26", today()), Ok(date(2026, 12, 25)));
    assert_eq!(parse_date("25/12/2026", today()), Ok(date(2026, 12, 25)));
}

#[test]
fn iso_dates() {
    assert_eq!(parse_date("2026-12-25", today()), Ok(date(2026, 12, 25)));
    assert_eq!(parse_date("2026-1-5", today()), Ok(date(2026, 1, 5)));
}

#[test]
fn relative_words_in_both_languages_and_any_case() {
    assert_eq!(parse_date("сегодня", today()), Ok(today()));
    assert_eq!(parse_date("  Завтра ", today()), Ok(date(2026, 6, 11)));
    assert_eq!(parse_date("ПОСЛЕЗАВТРА", today()), Ok(date(2026, 6, 12)));
    assert_eq!(parse_date("Today", today()), Ok(today()));
    assert_eq!(parse_date("tomorrow", today()), Ok(date(2026, 6, 11)));
    assert_eq!(parse_date("day  after tomorrow", today()), Ok(date(2026, 6, 12)));
}

#[test]
fn tomorrow_crosses_the_year() {
    assert_eq!(parse_date("завтра", date(2026, 12, 31)), Ok(date(2027, 1, 1)));
}

#[test]
fn impossible_dates_are_named_precisely() {
    assert_eq!(parse_date("31.02.2026", today()), Err(DateInputError::NoSuchDate { day: 31, month: 2, year: 2026 }));
    assert_eq!(parse_date("29.02.2027", today()), Err(DateInputError::NoSuchDate { day: 29, month: 2, year: 2027 }));
    assert_eq!(parse_date("31.04", today()), Err(DateInputError::NoSuchDate { day: 31, month: 4, year: 2026 }));
    assert_eq!(parse_date("32.12", today()), Err(DateInputError::DayOutOfRange { day: 32 }));
    assert_eq!(parse_date("0.12", today()), Err(DateInputError::DayOutOfRange { day: 0 }));
    assert_eq!(parse_date("25.13", today()), Err(DateInputError::MonthOutOfRange { month: 13 }));
    assert_eq!(parse_date("2026-00-10", today()), Err(DateInputError::MonthOutOfRange { month: 0 }));
    assert_eq!(parse_date("25.12.1999", today()), Err(DateInputError::YearOutOfRange { year: 1999 }));
}

#[test]
fn empty_long_and_garbage_dates() {
    assert_eq!(parse_date("   ", today()), Err(DateInputError::Empty));
    assert_eq!(parse_date(&"1".repeat(65), today()), Err(DateInputError::TooLong { max: 64 }));
    for garbage in ["25", "25.12.2026.1", "25.12/2026", "abc", "25.12.202", "１.１２"] {
        assert_eq!(parse_date(garbage, today()), Err(DateInputError::Unrecognised), "{garbage}");
    }
}

#[test]
fn sixty_four_characters_are_still_read() {
    let padded = format!("{:>64}", "25.12.2026");
    assert_eq!(parse_date(&padded, today()), Ok(date(2026, 12, 25)));
}

// ---- parse_time ----

#[test]
fn time_forms() {
    assert_eq!(parse_time("18:30"), Ok(time(18, 30)));
    assert_eq!(parse_time("18.30"), Ok(time(18, 30)));
    assert_eq!(parse_time("9:05"), Ok(time(9, 5)));
    assert_eq!(parse_time("09:05"), Ok(time(9, 5)));
    assert_eq!(parse_time("1830"), Ok(time(18, 30)));
    assert_eq!(parse_time("930"), Ok(time(9, 30)));
    assert_eq!(parse_time("18"), Ok(time(18, 0)));
    assert_eq!(parse_time(" в 7:00 "), Ok(time(7, 0)));
    assert_eq!(parse_time("at 0:00"), Ok(time(0, 0)));
}

#[test]
fn time_out_of_range_is_named_precisely() {
    assert_eq!(parse_time("24:00"), Err(TimeInputError::HourOutOfRange { hour: 24 }));
    assert_eq!(parse_time("2400"), Err(TimeInputError::HourOutOfRange { hour: 24 }));
    assert_eq!(parse_time("18:60"), Err(TimeInputError::MinuteOutOfRange { minute: 60 }));
    assert_eq!(parse_time("99"), Err(TimeInputError::HourOutOfRange { hour: 99 }));
}

#[test]
fn malformed_times() {
    assert_eq!(parse_time(""), Err(TimeInputError::Empty));
    assert_eq!(parse_time(&"9".repeat(100)), Err(TimeInputError::TooLong { max: 64 }));
    for garbage in ["18:3", "18:300", "18:30:00", "18ч", "-1:00", "12345", "в", "полдень"] {
        assert_eq!(parse_time(garbage), Err(TimeInputError::Unrecognised), "{garbage}");
    }
}

// ---- parse_date_time ----

#[test]
fn date_alone() {
    assert_eq!(parse_date_time("25.12", Moscow, now()), Ok(DateOrDateTime::Date(date(2026, 12, 25))));
    assert_eq!(parse_date_time("послезавтра", Moscow, now()), Ok(DateOrDateTime::Date(date(2026, 6, 12))));
}

#[test]
fn date_with_time_in_every_listed_form() {
    let christmas = date(2026, 12, 25);
    for (input, expected) in [
        ("25.12.2026 18:30", at(christmas, time(18, 30))),
        ("25.12 18:30", at(christmas, time(18, 30))),
        ("25.12 18.30", at(christmas, time(18, 30))),
        ("2026-12-25 18:30", at(christmas, time(18, 30))),
        ("2026-12-25T18:30", at(christmas, time(18, 30))),
        ("25.12.2026, 18:30", at(christmas, time(18, 30))),
        ("25.12 в 9:05", at(christmas, time(9, 5))),
        ("завтра 18:00", at(date(2026, 6, 11), time(18, 0))),
        ("Завтра в 18", at(date(2026, 6, 11), time(18, 0))),
        ("сегодня 9:05", at(today(), time(9, 5))),
        ("tomorrow 18:00", at(date(2026, 6, 11), time(18, 0))),
        ("tomorrow at 1830", at(date(2026, 6, 11), time(18, 30))),
        ("18:00 завтра", at(date(2026, 6, 11), time(18, 0))),
        ("day after tomorrow 10:00", at(date(2026, 6, 12), time(10, 0))),
    ] {
        assert_eq!(parse_date_time(input, Moscow, now()), Ok(expected), "{input}");
    }
}

#[test]
fn time_alone_means_today() {
    assert_eq!(parse_date_time("18:30", Moscow, now()), Ok(at(today(), time(18, 30))));
    assert_eq!(parse_date_time("в 1830", Moscow, now()), Ok(at(today(), time(18, 30))));
}

#[test]
fn today_is_taken_in_the_users_zone() {
    // 22:30 UTC on 10 June is already 11 June in Moscow, still 10 June in New York.
    let late = utc(2026, 6, 10, 22, 30);
    assert_eq!(parse_date_time("today", Moscow, late), Ok(DateOrDateTime::Date(date(2026, 6, 11))));
    assert_eq!(
        parse_date_time("today", chrono_tz::America::New_York, late),
        Ok(DateOrDateTime::Date(date(2026, 6, 10)))
    );
}

#[test]
fn date_time_errors_point_at_the_wrong_part() {
    assert_eq!(
        parse_date_time("25.12.2026 24:00", Moscow, now()),
        Err(DateTimeInputError::Time(TimeInputError::HourOutOfRange { hour: 24 }))
    );
    assert_eq!(
        parse_date_time("31.02 18:00", Moscow, now()),
        Err(DateTimeInputError::Date(DateInputError::NoSuchDate { day: 31, month: 2, year: 2026 }))
    );
    assert_eq!(
        parse_date_time("18.30", Moscow, now()),
        Err(DateTimeInputError::Date(DateInputError::MonthOutOfRange { month: 30 }))
    );
    assert_eq!(parse_date_time("", Moscow, now()), Err(DateTimeInputError::Empty));
    assert_eq!(parse_date_time(&"x".repeat(65), Moscow, now()), Err(DateTimeInputError::TooLong { max: 64 }));
    for garbage in ["в", "когда-нибудь", "18", "завтра вечером", "25.12 18:30 19:00", ","] {
        assert_eq!(parse_date_time(garbage, Moscow, now()), Err(DateTimeInputError::Unrecognised), "{garbage}");
    }
}

#[test]
fn date_or_date_time_accessors() {
    let d = DateOrDateTime::Date(today());
    assert_eq!((d.date(), d.time()), (today(), None));
    let dt = at(today(), time(9, 5));
    assert_eq!((dt.date(), dt.time()), (today(), Some(time(9, 5))));
}

// ---- resolve_local and check_not_past ----

#[test]
fn moscow_is_utc_plus_three_all_year() {
    assert_eq!(resolve_local(date(2026, 12, 25), time(18, 30), Moscow), Ok(utc(2026, 12, 25, 15, 30)));
    assert_eq!(resolve_local(date(2026, 3, 29), time(2, 30), Moscow), Ok(utc(2026, 3, 28, 23, 30)));
}

#[test]
fn spring_forward_gap_is_rejected_with_the_jump() {
    // Berlin skips 02:00-03:00 on 29 March 2026.
    let error = resolve_local(date(2026, 3, 29), time(2, 30), Berlin).unwrap_err();
    let LocalTimeError::Nonexistent { offset_before, offset_after, shifted, zone, .. } = error else {
        panic!("expected a gap, got {error:?}");
    };
    assert_eq!(zone, Berlin);
    assert_eq!(offset_before.local_minus_utc(), 3600);
    assert_eq!(offset_after.local_minus_utc(), 7200);
    assert_eq!(shifted, date(2026, 3, 29).and_time(time(3, 30)));
    assert_eq!(error.i18n_key(), "err-local-time-nonexistent");
}

#[test]
fn fall_back_overlap_is_rejected_with_both_candidates() {
    // Berlin repeats 02:00-03:00 on 25 October 2026.
    let error = resolve_local(date(2026, 10, 25), time(2, 30), Berlin).unwrap_err();
    assert_eq!(
        error,
        LocalTimeError::Ambiguous {
            local: date(2026, 10, 25).and_time(time(2, 30)),
            zone: Berlin,
            earlier: utc(2026, 10, 25, 0, 30),
            earlier_offset: FixedOffset::east_opt(7200).unwrap(),
            later: utc(2026, 10, 25, 1, 30),
            later_offset: FixedOffset::east_opt(3600).unwrap(),
        }
    );
    assert_eq!(error.i18n_key(), "err-local-time-ambiguous");
}

#[test]
fn times_next_to_a_clock_change_resolve() {
    assert_eq!(resolve_local(date(2026, 3, 29), time(3, 0), Berlin), Ok(utc(2026, 3, 29, 1, 0)));
    assert_eq!(resolve_local(date(2026, 10, 25), time(3, 0), Berlin), Ok(utc(2026, 10, 25, 2, 0)));
}

#[test]
fn start_in_the_past_is_refused_but_now_is_fine() {
    let start = now();
    assert_eq!(check_not_past(start, now()), Ok(()));
    assert_eq!(check_not_past(start + TimeDelta::minutes(1), now()), Ok(()));
    let past = start - TimeDelta::seconds(1);
    assert_eq!(check_not_past(past, now()), Err(StartInPast { start: past, now: now() }));
}

#[test]
fn formatting_matches_what_the_parser_reads() {
    assert_eq!(format_date(date(2026, 1, 5)), "05.01.2026");
    assert_eq!(format_time(time(9, 5)), "09:05");
}

#[test]
fn local_time_error_args() {
    let error = resolve_local(date(2026, 3, 29), time(2, 30), Berlin).unwrap_err();
    let args = error.i18n_args();
    assert!(args.contains(&("time", I18nArg::Text("02:30".into()))));
    assert!(args.contains(&("shifted_time", I18nArg::Text("03:30".into()))));
    assert!(args.contains(&("date", I18nArg::Text("29.03.2026".into()))));
}

use super::super::I18nArg;

// ---- properties ----

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (MIN_YEAR..=MAX_YEAR, 1u32..=366)
        .prop_filter_map("day of year exists", |(year, ordinal)| NaiveDate::from_yo_opt(year, ordinal))
}

fn any_time() -> impl Strategy<Value = NaiveTime> {
    (0u32..24, 0u32..60).prop_map(|(hour, minute)| time(hour, minute))
}

fn any_zone() -> impl Strategy<Value = Tz> {
    (0..chrono_tz::TZ_VARIANTS.len()).prop_map(|index| chrono_tz::TZ_VARIANTS[index])
}

fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
    // 2000-01-01 .. 2100-01-01
    (946_684_800i64..4_102_444_800).prop_map(|secs| DateTime::from_timestamp(secs, 0).unwrap())
}

/// Strings made of the characters the parsers care about, so the interesting paths are hit.
fn date_like_text() -> impl Strategy<Value = String> {
    "[0-9.:/ ,tT-]{0,20}|(сегодня|завтра|today|в|at) ?[0-9.: ]{0,8}"
}

proptest! {
    #[test]
    fn no_string_makes_the_parsers_panic(input in any::<String>(), zone in any_zone(), now in any_instant()) {
        let today = now.date_naive();
        let _ = parse_date(&input, today);
        let _ = parse_time(&input);
        let _ = parse_date_time(&input, zone, now);
    }

    #[test]
    fn no_date_like_string_makes_the_parsers_panic(input in date_like_text(), zone in any_zone(), now in any_instant()) {
        let _ = parse_date(&input, now.date_naive());
        let _ = parse_time(&input);
        if let Ok(found) = parse_date_time(&input, zone, now) {
            let _ = resolve_local(found.date(), found.time().unwrap_or_default(), zone);
        }
    }

    #[test]
    fn extreme_today_does_not_panic(input in "(сегодня|завтра|послезавтра|[0-9]{1,2}\\.[0-9]{1,2})") {
        let _ = parse_date(&input, NaiveDate::MAX);
        let _ = parse_date(&input, NaiveDate::MIN);
    }

    #[test]
    fn formatted_dates_read_back(d in any_date(), today in any_date()) {
        prop_assert_eq!(parse_date(&format_date(d), today), Ok(d));
    }

    #[test]
    fn formatted_times_read_back(t in any_time()) {
        prop_assert_eq!(parse_time(&format_time(t)), Ok(t));
    }

    #[test]
    fn formatted_date_and_time_read_back(d in any_date(), t in any_time(), now in any_instant()) {
        let input = format!("{} {}", format_date(d), format_time(t));
        prop_assert_eq!(parse_date_time(&input, Moscow, now), Ok(at(d, t)));
    }

    #[test]
    fn day_month_is_never_before_today(d in any_date(), today in any_date()) {
        let input = d.format("%d.%m").to_string();
        if let Ok(found) = parse_date(&input, today) {
            prop_assert!(found >= today);
            prop_assert_eq!((found.day(), found.month()), (d.day(), d.month()));
        }
    }

    #[test]
    fn resolved_instants_show_the_same_wall_clock(d in any_date(), t in any_time(), zone in any_zone()) {
        if let Ok(instant) = resolve_local(d, t, zone) {
            let local = instant.with_timezone(&zone);
            prop_assert_eq!(local.date_naive(), d);
            prop_assert_eq!((local.hour(), local.minute()), (t.hour(), t.minute()));
        }
    }
}

#[test]
fn resolving_the_first_and_last_representable_days_does_not_panic() {
    for d in [NaiveDate::MIN, NaiveDate::MAX] {
        for t in [time(0, 0), time(23, 59)] {
            for zone in [Moscow, Berlin, chrono_tz::Pacific::Kiritimati, chrono_tz::Etc::GMTPlus12] {
                let _ = resolve_local(d, t, zone);
            }
        }
    }
}
