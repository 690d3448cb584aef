//! Repeating classes: the rule, and its occurrences expanded in the event's own wall-clock time,
//! so 18:00 stays 18:00 across clock changes.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::time_input::{LocalTimeError, resolve_local};

/// Zoom caps a series at 50 occurrences; so do we.
pub const MAX_OCCURRENCES: u32 = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Frequency {
    /// On the given weekdays, every `interval` weeks.
    Weekly { weekdays: Vec<Weekday>, interval: u32 },
    /// Every `interval` days.
    Daily { interval: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ending {
    /// This many occurrences in all.
    Count(u32),
    /// The last date an occurrence may fall on.
    Until(NaiveDate),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurrence {
    pub frequency: Frequency,
    pub ending: Ending,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecurrenceError {
    #[error("no weekday chosen")]
    NoWeekday,
    #[error("a series has 2 to {MAX_OCCURRENCES} occurrences")]
    BadCount,
    #[error("the end date is before the first occurrence")]
    UntilBeforeStart,
}

impl crate::domain::Localized for RecurrenceError {
    fn i18n_key(&self) -> &'static str {
        match self {
            Self::NoWeekday => "err-repeat-no-weekday",
            Self::BadCount => "err-repeat-count",
            Self::UntilBeforeStart => "err-repeat-until",
        }
    }

    fn i18n_args(&self) -> crate::domain::I18nArgs {
        Vec::new()
    }
}

impl Recurrence {
    /// Checks the rule against the first date.
    pub fn validate(&self, first: NaiveDate) -> Result<(), RecurrenceError> {
        if let Frequency::Weekly { weekdays, .. } = &self.frequency
            && weekdays.is_empty()
        {
            return Err(RecurrenceError::NoWeekday);
        }
        match self.ending {
            Ending::Count(n) if !(2..=MAX_OCCURRENCES).contains(&n) => Err(RecurrenceError::BadCount),
            Ending::Until(until) if until < first => Err(RecurrenceError::UntilBeforeStart),
            _ => Ok(()),
        }
    }

    /// The dates of the series from `first` on (which counts as the first occurrence when it
    /// matches the rule), at most [`MAX_OCCURRENCES`].
    pub fn dates(&self, first: NaiveDate) -> Vec<NaiveDate> {
        let limit = match self.ending {
            Ending::Count(n) => n.min(MAX_OCCURRENCES),
            Ending::Until(_) => MAX_OCCURRENCES,
        } as usize;
        let until = match self.ending {
            Ending::Until(until) => until,
            Ending::Count(_) => NaiveDate::MAX,
        };
        let mut dates = Vec::new();
        let mut day = first;
        // Long enough for 50 weekly occurrences every 4 weeks on one weekday, bounded either way.
        for _ in 0..(7 * 4 * MAX_OCCURRENCES as usize + 7) {
            if dates.len() >= limit || day > until {
                break;
            }
            if self.matches(first, day) {
                dates.push(day);
            }
            match day.checked_add_days(Days::new(1)) {
                Some(next) => day = next,
                None => break,
            }
        }
        dates
    }

    fn matches(&self, first: NaiveDate, day: NaiveDate) -> bool {
        let days = (day - first).num_days();
        match &self.frequency {
            Frequency::Daily { interval } => days % i64::from((*interval).max(1)) == 0,
            Frequency::Weekly { weekdays, interval } => {
                let week = (day.week(Weekday::Mon).first_day() - first.week(Weekday::Mon).first_day()).num_days() / 7;
                weekdays.contains(&day.weekday()) && week % i64::from((*interval).max(1)) == 0
            }
        }
    }

    /// The instants of the series: each date at `time` on the wall clock of `tz`. A time a clock
    /// change skips is read with the offset before the gap (02:30 becomes 03:30 when 02:00 jumps
    /// to 03:00); a repeated time takes the earlier one. Both are RFC 5545 §3.3.5's readings, so
    /// a calendar expanding the RRULE lands on the same instants.
    pub fn occurrences(&self, first: NaiveDate, time: NaiveTime, tz: Tz) -> Vec<DateTime<Utc>> {
        self.dates(first).into_iter().map(|date| local_instant(date, time, tz)).collect()
    }

    /// The RFC 5545 RRULE value of the series whose instants are `starts` (from
    /// [`Recurrence::occurrences`]), for a DTSTART written with the rule's TZID.
    ///
    /// The end is written as the bot expands it, not as the teacher typed it: COUNT when the
    /// expansion has all of them, otherwise UNTIL at the last instant. UNTIL is in UTC, as
    /// §3.3.10 requires next to a DTSTART with TZID; a date alone would be read in UTC and cut a
    /// Honolulu evening class on its last day, and the cap of [`MAX_OCCURRENCES`] would not reach
    /// the calendar at all.
    pub fn rrule(&self, starts: &[DateTime<Utc>]) -> String {
        let (freq, interval, by_day) = match &self.frequency {
            Frequency::Daily { interval } => ("DAILY", *interval, String::new()),
            Frequency::Weekly { weekdays, interval } => {
                let days: Vec<&str> = weekdays.iter().map(|d| ical_day(*d)).collect();
                ("WEEKLY", *interval, format!(";BYDAY={}", days.join(",")))
            }
        };
        let end = match (self.ending, starts.last()) {
            (Ending::Count(n), _) if usize::try_from(n).is_ok_and(|n| n == starts.len()) => format!(";COUNT={n}"),
            (_, Some(last)) => format!(";UNTIL={}", last.format("%Y%m%dT%H%M%SZ")),
            // No instant at all: a rule that makes none.
            (_, None) => ";COUNT=0".to_owned(),
        };
        format!("FREQ={freq};INTERVAL={}{by_day}{end}", interval.max(1))
    }
}

impl Frequency {
    /// The same rhythm read `days` later on the calendar (earlier when negative): a Tuesday
    /// 09:00 class in Vladivostok is a Monday class in London, so its weekdays move back a day.
    pub fn shifted(&self, days: i64) -> Frequency {
        match self {
            Frequency::Daily { interval } => Frequency::Daily { interval: *interval },
            Frequency::Weekly { weekdays, interval } => {
                let mut moved: Vec<Weekday> = weekdays.iter().map(|d| shift_weekday(*d, days)).collect();
                moved.sort_by_key(|d| d.num_days_from_monday());
                moved.dedup();
                Frequency::Weekly { weekdays: moved, interval: *interval }
            }
        }
    }
}

/// How many days the calendar date of `at` in `to` is ahead of its date in `from` (between −2
/// and 2: zones span 26 hours).
pub fn day_shift(at: DateTime<Utc>, from: Tz, to: Tz) -> i64 {
    (at.with_timezone(&to).date_naive() - at.with_timezone(&from).date_naive()).num_days()
}

fn shift_weekday(day: Weekday, days: i64) -> Weekday {
    (0..days.rem_euclid(7)).fold(day, |d, _| d.succ())
}

/// The instant of a wall-clock reading, resolving clock changes the way calendars do.
pub fn local_instant(date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    match resolve_local(date, time, tz) {
        Ok(instant) => instant,
        Err(LocalTimeError::Ambiguous { earlier, .. }) => earlier,
        Err(LocalTimeError::Nonexistent { shifted, .. }) => tz
            .from_local_datetime(&shifted)
            .earliest()
            .map_or_else(|| Utc.from_utc_datetime(&shifted), |t| t.with_timezone(&Utc)),
    }
}

/// The RFC 5545 two-letter weekday: `MO`, `TU`, …
pub fn ical_day(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn weekly(days: &[Weekday], interval: u32, ending: Ending) -> Recurrence {
        Recurrence { frequency: Frequency::Weekly { weekdays: days.to_vec(), interval }, ending }
    }

    #[test]
    fn weekly_on_two_days_for_a_count() {
        let rule = weekly(&[Weekday::Tue, Weekday::Thu], 1, Ending::Count(4));
        assert_eq!(
            rule.dates(date(2026, 12, 1)),
            [date(2026, 12, 1), date(2026, 12, 3), date(2026, 12, 8), date(2026, 12, 10)]
        );
    }

    #[test]
    fn every_other_week_until_a_date() {
        let rule = weekly(&[Weekday::Tue], 2, Ending::Until(date(2026, 12, 31)));
        assert_eq!(rule.dates(date(2026, 12, 1)), [date(2026, 12, 1), date(2026, 12, 15), date(2026, 12, 29)]);
    }

    #[test]
    fn daily_every_third_day() {
        let rule = Recurrence { frequency: Frequency::Daily { interval: 3 }, ending: Ending::Count(3) };
        assert_eq!(rule.dates(date(2026, 12, 30)), [date(2026, 12, 30), date(2027, 1, 2), date(2027, 1, 5)]);
    }

    #[test]
    fn a_series_never_exceeds_fifty() {
        let rule = Recurrence { frequency: Frequency::Daily { interval: 1 }, ending: Ending::Until(date(2030, 1, 1)) };
        assert_eq!(rule.dates(date(2026, 12, 1)).len(), 50);
        assert_eq!(
            weekly(&[Weekday::Mon], 1, Ending::Count(60)).validate(date(2026, 12, 1)),
            Err(RecurrenceError::BadCount)
        );
    }

    #[test]
    fn the_local_time_holds_across_a_clock_change() {
        let rule = weekly(&[Weekday::Tue], 1, Ending::Count(4));
        let berlin = chrono_tz::Europe::Berlin;
        let starts = rule.occurrences(date(2027, 3, 16), NaiveTime::from_hms_opt(18, 0, 0).unwrap(), berlin);
        let local: Vec<u32> = starts.iter().map(|s| s.with_timezone(&berlin).hour()).collect();
        assert_eq!(local, [18, 18, 18, 18]);
        let utc: Vec<u32> = starts.iter().map(|s| s.hour()).collect();
        assert_eq!(utc, [17, 17, 16, 16], "Berlin moved to summer time on 28 March");
    }

    #[test]
    fn rrule_names_the_rule() {
        let berlin = chrono_tz::Europe::Berlin;
        let six = NaiveTime::from_hms_opt(18, 0, 0).unwrap();
        let rule = weekly(&[Weekday::Tue, Weekday::Thu], 2, Ending::Count(10));
        let starts = rule.occurrences(date(2027, 3, 2), six, berlin);
        assert_eq!(rule.rrule(&starts), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=10");
        let rule = Recurrence { frequency: Frequency::Daily { interval: 1 }, ending: Ending::Until(date(2027, 1, 31)) };
        let starts = rule.occurrences(date(2027, 1, 20), six, berlin);
        assert_eq!(rule.rrule(&starts), "FREQ=DAILY;INTERVAL=1;UNTIL=20270131T170000Z", "the last start, in UTC");
    }

    #[test]
    fn until_is_the_last_start_even_when_it_falls_on_the_next_utc_day() {
        let honolulu = chrono_tz::Pacific::Honolulu;
        let rule = weekly(&[Weekday::Mon], 1, Ending::Until(date(2027, 1, 25)));
        let starts = rule.occurrences(date(2027, 1, 4), NaiveTime::from_hms_opt(18, 0, 0).unwrap(), honolulu);
        assert_eq!(starts.len(), 4);
        assert!(rule.rrule(&starts).ends_with(";UNTIL=20270126T040000Z"), "{}", rule.rrule(&starts));
    }

    #[test]
    fn a_capped_series_ends_by_until_so_calendars_stop_where_the_bot_does() {
        let rule = Recurrence { frequency: Frequency::Daily { interval: 1 }, ending: Ending::Until(date(2030, 1, 1)) };
        let starts = rule.occurrences(date(2026, 12, 1), NaiveTime::from_hms_opt(9, 0, 0).unwrap(), chrono_tz::UTC);
        assert_eq!(starts.len(), 50);
        assert!(rule.rrule(&starts).ends_with(";UNTIL=20270119T090000Z"), "{}", rule.rrule(&starts));
    }

    #[test]
    fn a_gap_time_reads_with_the_offset_before_the_gap() {
        let berlin = chrono_tz::Europe::Berlin;
        let rule = weekly(&[Weekday::Sun], 1, Ending::Count(2));
        let starts = rule.occurrences(date(2027, 3, 28), NaiveTime::from_hms_opt(2, 30, 0).unwrap(), berlin);
        let local: Vec<String> =
            starts.iter().map(|s| s.with_timezone(&berlin).format("%d %H:%M").to_string()).collect();
        assert_eq!(local, ["28 03:30", "04 02:30"]);
    }

    #[test]
    fn weekdays_move_with_the_readers_calendar_date() {
        let rule = Frequency::Weekly { weekdays: vec![Weekday::Tue, Weekday::Sun], interval: 2 };
        assert_eq!(rule.shifted(-1), Frequency::Weekly { weekdays: vec![Weekday::Mon, Weekday::Sat], interval: 2 });
        assert_eq!(rule.shifted(1), Frequency::Weekly { weekdays: vec![Weekday::Mon, Weekday::Wed], interval: 2 });
        assert_eq!(rule.shifted(0), rule);
        assert_eq!(Frequency::Daily { interval: 3 }.shifted(2), Frequency::Daily { interval: 3 });
    }

    #[test]
    fn the_day_shift_between_vladivostok_and_london() {
        let vladivostok = chrono_tz::Asia::Vladivostok;
        let at = local_instant(date(2027, 1, 5), NaiveTime::from_hms_opt(9, 0, 0).unwrap(), vladivostok);
        assert_eq!(day_shift(at, vladivostok, chrono_tz::Europe::London), -1);
        assert_eq!(day_shift(at, chrono_tz::Europe::London, vladivostok), 1);
        assert_eq!(day_shift(at, vladivostok, chrono_tz::Asia::Tokyo), 0);
        let kiritimati = chrono_tz::Pacific::Kiritimati;
        let at = local_instant(date(2027, 1, 5), NaiveTime::from_hms_opt(0, 30, 0).unwrap(), kiritimati);
        assert_eq!(day_shift(at, kiritimati, chrono_tz::Pacific::Pago_Pago), -2, "25 hours apart");
    }
}
