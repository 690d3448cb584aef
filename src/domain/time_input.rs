//! Dates and times typed by a teacher, read in the teacher's IANA time zone.
//!
//! Accepted dates: `25.12` (the next 25 December, this year or next), `25.12.2026`, `25.12.26`,
//! `25/12/2026`, `2026-12-25`, and the words `сегодня`/`today`, `завтра`/`tomorrow`,
//! `послезавтра`/`day after tomorrow`.
//!
//! Accepted times: `18:30`, `18.30`, `9:05`, `1830`, `930` (three or four digits are read as
//! HMM/HHMM, the way people type on a phone keypad) and a bare hour `18`.
//!
//! A date and a time combine in either order, optionally joined by `в`/`at`/`on` or a comma:
//! `25.12 18:30`, `завтра в 18:00`, `18:00 tomorrow`, `2026-12-25T18:30`. A time alone with a
//! colon or in compact form (`18:30`, `1830`) means today.
//!
//! Nothing here reads the clock: "today" and "now" are parameters. Input is trimmed,
//! case-insensitive and at most [`MAX_INPUT_CHARS`] characters; no input makes these functions
//! panic.

use chrono::{
    DateTime, Datelike, Days, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta,
    TimeZone, Utc,
};
use chrono_tz::Tz;

use super::I18nArgs;

/// Longer input is rejected before any parsing: nobody types a date in more than this.
pub const MAX_INPUT_CHARS: usize = 64;
/// Earliest year accepted from typed input.
pub const MIN_YEAR: i32 = 2000;
/// Latest year accepted from typed input.
pub const MAX_YEAR: i32 = 2100;
/// How far ahead `29.02` without a year may look for the next leap year.
const YEARS_TO_SEARCH: i32 = 8;
/// Words that only join a date and a time: "завтра в 18:00", "tomorrow at 18:00".
const CONNECTORS: [&str; 4] = ["в", "во", "at", "on"];

/// Why a typed date was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateInputError {
    #[error("the date is empty")]
    Empty,
    #[error("the date is longer than {max} characters")]
    TooLong { max: usize },
    #[error("the date is in no known format")]
    Unrecognised,
    #[error("day {day} is not in 1..=31")]
    DayOutOfRange { day: u32 },
    #[error("month {month} is not in 1..=12")]
    MonthOutOfRange { month: u32 },
    #[error("year {year} is not in {MIN_YEAR}..={MAX_YEAR}")]
    YearOutOfRange { year: i32 },
    #[error("{day:02}.{month:02}.{year} does not exist")]
    NoSuchDate { day: u32, month: u32, year: i32 },
}

impl crate::domain::Localized for DateInputError {
    /// The Fluent message id in `locales/*/domain.ftl`.
    fn i18n_key(&self) -> &'static str {
        match self {
            Self::Empty => "err-date-empty",
            Self::TooLong { .. } => "err-date-too-long",
            Self::Unrecognised => "err-date-unrecognised",
            Self::DayOutOfRange { .. } => "err-date-day-out-of-range",
            Self::MonthOutOfRange { .. } => "err-date-month-out-of-range",
            Self::YearOutOfRange { .. } => "err-date-year-out-of-range",
            Self::NoSuchDate { .. } => "err-date-no-such-date",
        }
    }

    /// The Fluent variables the message uses.
    fn i18n_args(&self) -> I18nArgs {
        match *self {
            Self::Empty | Self::Unrecognised => vec![],
            Self::TooLong { max } => vec![("max", max.into())],
            Self::DayOutOfRange { day } => vec![("day", day.into())],
            Self::MonthOutOfRange { month } => vec![("month", month.into())],
            Self::YearOutOfRange { year } => {
                vec![("year", year.into()), ("min", MIN_YEAR.into()), ("max", MAX_YEAR.into())]
            }
            Self::NoSuchDate { day, month, year } => vec![
                ("date", format!("{day:02}.{month:02}.{year}").into()),
                ("day", day.into()),
                ("month", month.into()),
                ("year", year.into()),
            ],
        }
    }
}

/// Why a typed time of day was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimeInputError {
    #[error("the time is empty")]
    Empty,
    #[error("the time is longer than {max} characters")]
    TooLong { max: usize },
    #[error("the time is in no known format")]
    Unrecognised,
    #[error("hour {hour} is not in 0..=23")]
    HourOutOfRange { hour: u32 },
    #[error("minute {minute} is not in 0..=59")]
    MinuteOutOfRange { minute: u32 },
}

impl crate::domain::Localized for TimeInputError {
    /// The Fluent message id in `locales/*/domain.ftl`.
    fn i18n_key(&self) -> &'static str {
        match self {
            Self::Empty => "err-time-empty",
            Self::TooLong { .. } => "err-time-too-long",
            Self::Unrecognised => "err-time-unrecognised",
            Self::HourOutOfRange { .. } => "err-time-hour-out-of-range",
            Self::MinuteOutOfRange { .. } => "err-time-minute-out-of-range",
        }
    }

    /// The Fluent variables the message uses.
    fn i18n_args(&self) -> I18nArgs {
        match *self {
            Self::Empty | Self::Unrecognised => vec![],
            Self::TooLong { max } => vec![("max", max.into())],
            Self::HourOutOfRange { hour } => vec![("hour", hour.into())],
            Self::MinuteOutOfRange { minute } => vec![("minute", minute.into())],
        }
    }
}

/// Why a typed date with an optional time was not accepted.
///
/// When the input was understood as a date and a time but one of them has an impossible value,
/// the inner error says which, so the user hears about exactly that part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateTimeInputError {
    #[error("the date and time are empty")]
    Empty,
    #[error("the date and time are longer than {max} characters")]
    TooLong { max: usize },
    #[error("the date and time are in no known format")]
    Unrecognised,
    #[error(transparent)]
    Date(#[from] DateInputError),
    #[error(transparent)]
    Time(#[from] TimeInputError),
}

impl crate::domain::Localized for DateTimeInputError {
    /// The Fluent message id in `locales/*/domain.ftl`.
    fn i18n_key(&self) -> &'static str {
        match self {
            Self::Empty => "err-datetime-empty",
            Self::TooLong { .. } => "err-datetime-too-long",
            Self::Unrecognised => "err-datetime-unrecognised",
            Self::Date(inner) => inner.i18n_key(),
            Self::Time(inner) => inner.i18n_key(),
        }
    }

    /// The Fluent variables the message uses.
    fn i18n_args(&self) -> I18nArgs {
        match self {
            Self::Empty | Self::Unrecognised => vec![],
            Self::TooLong { max } => vec![("max", (*max).into())],
            Self::Date(inner) => inner.i18n_args(),
            Self::Time(inner) => inner.i18n_args(),
        }
    }
}

/// A wall-clock reading that does not name exactly one instant in the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LocalTimeError {
    /// The clocks jump forward over this reading (for example 02:30 on a spring-forward night).
    #[error("{local} does not exist in {zone}: the clocks jump from {offset_before} to {offset_after}")]
    Nonexistent {
        local: NaiveDateTime,
        zone: Tz,
        offset_before: FixedOffset,
        offset_after: FixedOffset,
        /// The same reading moved forward by the size of the jump: what calendars usually pick.
        shifted: NaiveDateTime,
    },
    /// The clocks go back over this reading, so it happens twice.
    #[error("{local} happens twice in {zone}: at {earlier_offset} and at {later_offset}")]
    Ambiguous {
        local: NaiveDateTime,
        zone: Tz,
        earlier: DateTime<Utc>,
        earlier_offset: FixedOffset,
        later: DateTime<Utc>,
        later_offset: FixedOffset,
    },
}

impl crate::domain::Localized for LocalTimeError {
    /// The Fluent message id in `locales/*/domain.ftl`.
    fn i18n_key(&self) -> &'static str {
        match self {
            Self::Nonexistent { .. } => "err-local-time-nonexistent",
            Self::Ambiguous { .. } => "err-local-time-ambiguous",
        }
    }

    /// The Fluent variables the message uses.
    fn i18n_args(&self) -> I18nArgs {
        match *self {
            Self::Nonexistent { local, zone, shifted, .. } => vec![
                ("date", format_date(local.date()).into()),
                ("time", format_time(local.time()).into()),
                ("zone", zone.name().to_owned().into()),
                ("shifted_time", format_time(shifted.time()).into()),
            ],
            Self::Ambiguous { local, zone, earlier_offset, later_offset, .. } => vec![
                ("date", format_date(local.date()).into()),
                ("time", format_time(local.time()).into()),
                ("zone", zone.name().to_owned().into()),
                ("earlier_offset", earlier_offset.to_string().into()),
                ("later_offset", later_offset.to_string().into()),
            ],
        }
    }
}

/// The chosen start lies before "now".
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the start {start} is before now ({now})")]
pub struct StartInPast {
    pub start: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

impl crate::domain::Localized for StartInPast {
    /// The Fluent message id in `locales/*/domain.ftl`.
    fn i18n_key(&self) -> &'static str {
        "err-start-in-past"
    }

    /// The Fluent variables the message uses (none: the user knows what they typed).
    fn i18n_args(&self) -> I18nArgs {
        vec![]
    }
}

/// A date alone, or a date with a time of day, both in the user's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrDateTime {
    Date(NaiveDate),
    DateTime { date: NaiveDate, time: NaiveTime },
}

impl DateOrDateTime {
    pub fn date(&self) -> NaiveDate {
        match *self {
            Self::Date(date) | Self::DateTime { date, .. } => date,
        }
    }

    pub fn time(&self) -> Option<NaiveTime> {
        match *self {
            Self::Date(_) => None,
            Self::DateTime { time, .. } => Some(time),
        }
    }
}

/// Reads a date. A day and month without a year mean their next occurrence on or after `today`.
pub fn parse_date(input: &str, today: NaiveDate) -> Result<NaiveDate, DateInputError> {
    let text = normalise(input).map_err(|shape| match shape {
        Shape::Empty => DateInputError::Empty,
        Shape::TooLong => DateInputError::TooLong { max: MAX_INPUT_CHARS },
    })?;
    date_shaped(&text, today).unwrap_or(Err(DateInputError::Unrecognised))
}

/// Reads a time of day.
pub fn parse_time(input: &str) -> Result<NaiveTime, TimeInputError> {
    let text = normalise(input).map_err(|shape| match shape {
        Shape::Empty => TimeInputError::Empty,
        Shape::TooLong => TimeInputError::TooLong { max: MAX_INPUT_CHARS },
    })?;
    let text = text.split(' ').filter(|word| !CONNECTORS.contains(word)).collect::<Vec<_>>().join(" ");
    time_shaped(&text).unwrap_or(Err(TimeInputError::Unrecognised))
}

/// Reads a date with an optional time; "today" is the date of `now` in `tz`.
pub fn parse_date_time(input: &str, tz: Tz, now: DateTime<Utc>) -> Result<DateOrDateTime, DateTimeInputError> {
    let text = normalise(input).map_err(|shape| match shape {
        Shape::Empty => DateTimeInputError::Empty,
        Shape::TooLong => DateTimeInputError::TooLong { max: MAX_INPUT_CHARS },
    })?;
    let today = now.with_timezone(&tz).date_naive();
    let tokens = date_time_tokens(&text);
    if tokens.is_empty() {
        return Err(DateTimeInputError::Unrecognised);
    }
    if let Some(date) = date_shaped(&tokens.join(" "), today) {
        return Ok(DateOrDateTime::Date(date?));
    }
    if let Some(found) = date_then_time(&tokens, today).or_else(|| time_then_date(&tokens, today)) {
        return found;
    }
    if let [single] = tokens.as_slice()
        && clearly_a_time(single)
        && let Some(time) = time_shaped(single)
    {
        return Ok(DateOrDateTime::DateTime { date: today, time: time? });
    }
    Err(DateTimeInputError::Unrecognised)
}

/// The instant a wall-clock reading names in `tz`, refusing readings a clock change skips or
/// repeats: guessing there would put an event an hour off without anyone noticing.
pub fn resolve_local(date: NaiveDate, time: NaiveTime, tz: Tz) -> Result<DateTime<Utc>, LocalTimeError> {
    let local = date.and_time(time);
    match tz.from_local_datetime(&local) {
        LocalResult::Single(instant) => Ok(instant.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, second) => {
            let (earlier, later) = if first <= second { (first, second) } else { (second, first) };
            Err(LocalTimeError::Ambiguous {
                local,
                zone: tz,
                earlier: earlier.with_timezone(&Utc),
                earlier_offset: earlier.offset().fix(),
                later: later.with_timezone(&Utc),
                later_offset: later.offset().fix(),
            })
        }
        LocalResult::None => Err(nonexistent(local, tz)),
    }
}

/// Refuses a start that lies before `now`; a start exactly at `now` is accepted.
pub fn check_not_past(start: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), StartInPast> {
    if start < now { Err(StartInPast { start, now }) } else { Ok(()) }
}

/// Formats a date the way [`parse_date`] reads it back: `25.12.2026`.
pub fn format_date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// Formats a time the way [`parse_time`] reads it back: `09:05`.
pub fn format_time(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

enum Shape {
    Empty,
    TooLong,
}

/// Trims, lower-cases and collapses runs of whitespace to one space.
fn normalise(input: &str) -> Result<String, Shape> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(Shape::Empty);
    }
    if trimmed.chars().count() > MAX_INPUT_CHARS {
        return Err(Shape::TooLong);
    }
    Ok(trimmed.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Splits a date-time phrase into words, dropping commas and joining words, and cutting the
/// ISO `2026-12-25t18:30` form at its `t`.
fn date_time_tokens(text: &str) -> Vec<&str> {
    text.split([' ', ',']).filter(|word| !word.is_empty() && !CONNECTORS.contains(word)).flat_map(split_iso_t).collect()
}

fn split_iso_t(word: &str) -> Vec<&str> {
    match word.split_once('t') {
        Some((date, time)) if iso_parts(date).is_some() && !time.is_empty() => vec![date, time],
        _ => vec![word],
    }
}

fn date_then_time(tokens: &[&str], today: NaiveDate) -> Option<Result<DateOrDateTime, DateTimeInputError>> {
    let (time, date) = tokens.split_last()?;
    combine(&date.join(" "), time, today)
}

fn time_then_date(tokens: &[&str], today: NaiveDate) -> Option<Result<DateOrDateTime, DateTimeInputError>> {
    let (time, date) = tokens.split_first()?;
    combine(&date.join(" "), time, today)
}

/// `None` unless `date` looks like a date and `time` like a time; then their values are checked.
fn combine(date: &str, time: &str, today: NaiveDate) -> Option<Result<DateOrDateTime, DateTimeInputError>> {
    let date = date_shaped(date, today)?;
    let time = time_shaped(time)?;
    Some(match (date, time) {
        (Ok(date), Ok(time)) => Ok(DateOrDateTime::DateTime { date, time }),
        (Err(error), _) => Err(error.into()),
        (_, Err(error)) => Err(error.into()),
    })
}

/// A lone token is read as a time only when it cannot be a date: `18:30` or `1830`, not `18.30`.
fn clearly_a_time(token: &str) -> bool {
    token.contains(':') || (token.len() >= 3 && token.bytes().all(|b| b.is_ascii_digit()))
}

/// `None` when `text` has no date shape at all; otherwise the date or why its values are wrong.
fn date_shaped(text: &str, today: NaiveDate) -> Option<Result<NaiveDate, DateInputError>> {
    if let Some(days) = relative_day(text) {
        return Some(add_days(today, days));
    }
    if let Some((year, month, day)) = iso_parts(text) {
        return Some(checked_date(day, month, year));
    }
    let (day, month, year) = day_first_parts(text)?;
    Some(match year {
        Some(year) => checked_date(day, month, year),
        None => next_occurrence(day, month, today),
    })
}

fn relative_day(text: &str) -> Option<u64> {
    match text {
        "сегодня" | "today" => Some(0),
        "завтра" | "tomorrow" => Some(1),
        "послезавтра" | "day after tomorrow" => Some(2),
        _ => None,
    }
}

fn add_days(today: NaiveDate, days: u64) -> Result<NaiveDate, DateInputError> {
    today.checked_add_days(Days::new(days)).ok_or(DateInputError::YearOutOfRange { year: today.year() })
}

/// `2026-12-25` as (year, month, day).
fn iso_parts(text: &str) -> Option<(i32, u32, u32)> {
    let mut parts = text.split('-');
    let year = digits(parts.next()?, 4..=4)?;
    let month = digits(parts.next()?, 1..=2)?;
    let day = digits(parts.next()?, 1..=2)?;
    if parts.next().is_some() {
        return None;
    }
    Some((i32::try_from(year).ok()?, month, day))
}

/// `25.12`, `25.12.2026`, `25.12.26`, `25/12/2026` (one separator kind) as (day, month, year).
fn day_first_parts(text: &str) -> Option<(u32, u32, Option<i32>)> {
    let separator = if text.contains('.') { '.' } else { '/' };
    // "25.12." is the same as "25.12": people end abbreviations with a dot.
    let text = text.strip_suffix(separator).unwrap_or(text);
    let mut parts = text.split(separator);
    let day = digits(parts.next()?, 1..=2)?;
    let month = digits(parts.next()?, 1..=2)?;
    let year = match parts.next() {
        None => None,
        Some(year) => Some(full_year(year)?),
    };
    if parts.next().is_some() {
        return None;
    }
    Some((day, month, year))
}

/// A two-digit year means 20yy; a four-digit one is taken as written.
fn full_year(text: &str) -> Option<i32> {
    let year = i32::try_from(digits(text, 2..=4)?).ok()?;
    match text.len() {
        2 => Some(2000 + year),
        4 => Some(year),
        _ => None,
    }
}

fn checked_date(day: u32, month: u32, year: i32) -> Result<NaiveDate, DateInputError> {
    check_day_month(day, month)?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(DateInputError::YearOutOfRange { year });
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or(DateInputError::NoSuchDate { day, month, year })
}

fn check_day_month(day: u32, month: u32) -> Result<(), DateInputError> {
    if !(1..=12).contains(&month) {
        return Err(DateInputError::MonthOutOfRange { month });
    }
    if !(1..=31).contains(&day) {
        return Err(DateInputError::DayOutOfRange { day });
    }
    Ok(())
}

/// The first such day on or after `today`; `29.02` waits for the next leap year.
fn next_occurrence(day: u32, month: u32, today: NaiveDate) -> Result<NaiveDate, DateInputError> {
    check_day_month(day, month)?;
    let this_year = today.year();
    (this_year..=this_year.saturating_add(YEARS_TO_SEARCH))
        .filter_map(|year| NaiveDate::from_ymd_opt(year, month, day))
        .find(|date| *date >= today)
        .ok_or(DateInputError::NoSuchDate { day, month, year: this_year })
}

/// `None` when `text` has no time shape at all; otherwise the time or why its values are wrong.
fn time_shaped(text: &str) -> Option<Result<NaiveTime, TimeInputError>> {
    let (hour, minute) = time_parts(text)?;
    Some(checked_time(hour, minute))
}

/// `18:30`, `18.30`, `9:05` / `1830`, `930` / `18` as (hour, minute).
fn time_parts(text: &str) -> Option<(u32, u32)> {
    if let Some((hour, minute)) = text.split_once([':', '.']) {
        return Some((digits(hour, 1..=2)?, digits(minute, 2..=2)?));
    }
    let all = digits(text, 1..=4)?;
    match text.len() {
        1 | 2 => Some((all, 0)),
        _ => Some((all / 100, all % 100)),
    }
}

fn checked_time(hour: u32, minute: u32) -> Result<NaiveTime, TimeInputError> {
    if hour > 23 {
        return Err(TimeInputError::HourOutOfRange { hour });
    }
    if minute > 59 {
        return Err(TimeInputError::MinuteOutOfRange { minute });
    }
    NaiveTime::from_hms_opt(hour, minute, 0).ok_or(TimeInputError::Unrecognised)
}

/// The value of an all-ASCII-digit string whose length is in `len`; short lengths keep it from
/// overflowing.
fn digits(text: &str, len: std::ops::RangeInclusive<usize>) -> Option<u32> {
    if !len.contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn nonexistent(local: NaiveDateTime, tz: Tz) -> LocalTimeError {
    // Transitions are months apart, so a day on either side is safely before and after the gap.
    let day = TimeDelta::days(1);
    let offset_at = |naive: Option<NaiveDateTime>| tz.offset_from_utc_datetime(&naive.unwrap_or(local)).fix();
    let offset_before = offset_at(local.checked_sub_signed(day));
    let offset_after = offset_at(local.checked_add_signed(day));
    let jump = i64::from(offset_after.local_minus_utc() - offset_before.local_minus_utc());
    let shifted = local.checked_add_signed(TimeDelta::seconds(jump)).unwrap_or(local);
    LocalTimeError::Nonexistent { local, zone: tz, offset_before, offset_after, shifted }
}

#[cfg(test)]
mod tests;
