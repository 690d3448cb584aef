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

impl RecurrenceError {
    pub fn i18n_key(&self) -> &'static str {
        match self {
            Self::NoWeekday => "err-repeat-no-weekday",
            Self::BadCount => "err-repeat-count",
            Self::UntilBeforeStart => "err-repeat-until",
        }
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
    /// change skips moves to the first minute after it; a repeated time takes the earlier one.
    pub fn occurrences(&self, first: NaiveDate, time: NaiveTime, tz: Tz) -> Vec<DateTime<Utc>> {
        self.dates(first).into_iter().map(|date| local_instant(date, time, tz)).collect()
    }

    /// The RFC 5545 RRULE value of the series.
    pub fn rrule(&self) -> String {
        let (freq, interval, by_day) = match &self.frequency {
            Frequency::Daily { interval } => ("DAILY", *interval, String::new()),
            Frequency::Weekly { weekdays, interval } => {
                let days: Vec<&str> = weekdays.iter().map(|d| ical_day(*d)).collect();
                ("WEEKLY", *interval, format!(";BYDAY={}", days.join(",")))
            }
        };
        let end = match self.ending {
            Ending::Count(n) => format!(";COUNT={n}"),
            Ending::Until(until) => format!(";UNTIL={}T235959Z", until.format("%Y%m%d")),
        };
        format!("FREQ={freq};INTERVAL={}{by_day}{end}", interval.max(1))
    }
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

fn ical_day(day: Weekday) -> &'static str {
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
        let rule = weekly(&[Weekday::Tue, Weekday::Thu], 2, Ending::Count(10));
        assert_eq!(rule.rrule(), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=10");
        let rule = Recurrence { frequency: Frequency::Daily { interval: 1 }, ending: Ending::Until(date(2027, 1, 31)) };
        assert_eq!(rule.rrule(), "FREQ=DAILY;INTERVAL=1;UNTIL=20270131T235959Z");
    }
}
