//! When listeners are reminded of an event, and how much time is left.
//!
//! Offsets are fixed spans before the start instant, not wall-clock readings: "a day before" is
//! 24 hours before, whatever a clock change in between does. A countdown is what a reminder means.

use std::{fmt, str::FromStr};

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::UnknownCode;

/// How long before the start a reminder goes out.
///
/// The platform's forms offer 1 hour and 1 to 4 days; "15 minutes" and "at the start" are the
/// bot's additions. The codes from [`ReminderOffset::as_str`] are stored in the database and in
/// callback data, so they never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum ReminderOffset {
    AtStart,
    Minutes15,
    Hour1,
    Days1,
    Days2,
    Days3,
    Days4,
}

impl ReminderOffset {
    /// Every offset, from the closest to the start to the furthest.
    pub const ALL: [ReminderOffset; 7] =
        [Self::AtStart, Self::Minutes15, Self::Hour1, Self::Days1, Self::Days2, Self::Days3, Self::Days4];

    /// How long before the start.
    pub fn duration(self) -> TimeDelta {
        match self {
            Self::AtStart => TimeDelta::zero(),
            Self::Minutes15 => TimeDelta::minutes(15),
            Self::Hour1 => TimeDelta::hours(1),
            Self::Days1 => TimeDelta::days(1),
            Self::Days2 => TimeDelta::days(2),
            Self::Days3 => TimeDelta::days(3),
            Self::Days4 => TimeDelta::days(4),
        }
    }

    /// The stable code used in the database and in callback data.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AtStart => "0m",
            Self::Minutes15 => "15m",
            Self::Hour1 => "1h",
            Self::Days1 => "1d",
            Self::Days2 => "2d",
            Self::Days3 => "3d",
            Self::Days4 => "4d",
        }
    }

    /// When the reminder for an event starting at `start` is due.
    pub fn due_at(self, start: DateTime<Utc>) -> DateTime<Utc> {
        // Saturating at the earliest instant keeps absurd inputs from panicking.
        start.checked_sub_signed(self.duration()).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

impl fmt::Display for ReminderOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReminderOffset {
    type Err = UnknownCode;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|offset| offset.as_str() == code)
            .ok_or_else(|| UnknownCode::new("reminder offset", code))
    }
}

impl TryFrom<String> for ReminderOffset {
    type Error = UnknownCode;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        code.parse()
    }
}

impl From<ReminderOffset> for &'static str {
    fn from(offset: ReminderOffset) -> Self {
        offset.as_str()
    }
}

/// A reminder still to be sent: which offset, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedReminder {
    pub offset: ReminderOffset,
    pub due_at: DateTime<Utc>,
}

/// The reminders worth planning for an event starting at `start`, earliest first, without
/// duplicates. An offset whose moment has already passed at `now` is dropped: a "4 days before"
/// reminder for an event created 2 days ahead would only arrive late and confuse. One due exactly
/// at `now` is kept.
pub fn upcoming_reminders(
    offsets: impl IntoIterator<Item = ReminderOffset>,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<PlannedReminder> {
    let mut planned: Vec<PlannedReminder> = offsets
        .into_iter()
        .map(|offset| PlannedReminder { offset, due_at: offset.due_at(start) })
        .filter(|reminder| reminder.due_at >= now)
        .collect();
    planned.sort_by_key(|reminder| (reminder.due_at, reminder.offset));
    planned.dedup_by_key(|reminder| reminder.offset);
    planned
}

/// Whether a chosen reminder can still go out for an event starting at `start`. The same
/// boundary as [`upcoming_reminders`]: one due exactly at `now` still goes.
pub fn still_ahead(offset: ReminderOffset, start: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    offset.due_at(start) >= now
}

/// The chosen reminders whose moment has already passed for an event starting at `start`
/// ("15 minutes before" a class that starts in 3). The planner never sends them, so whoever
/// chose them has to be told, not left to wait for them.
pub fn missed_reminders(offsets: &[ReminderOffset], start: DateTime<Utc>, now: DateTime<Utc>) -> Vec<ReminderOffset> {
    offsets.iter().copied().filter(|offset| !still_ahead(*offset, start, now)).collect()
}

/// Time left until a start, split for rendering "через 2 дня 3 часа". Fluent picks the plural
/// forms; this only counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeLeft {
    pub days: u32,
    pub hours: u32,
    pub minutes: u32,
}

impl TimeLeft {
    /// True when nothing is left: the event has started.
    pub fn is_zero(&self) -> bool {
        *self == Self::default()
    }
}

/// Time from `now` to `start`, rounded to the nearest minute (a reminder sent a few seconds late
/// still says "1 hour", not "59 minutes"); zero once the start has passed.
pub fn time_left(start: DateTime<Utc>, now: DateTime<Utc>) -> TimeLeft {
    let seconds = (start - now).num_seconds();
    if seconds <= 0 {
        return TimeLeft::default();
    }
    let total_minutes = (seconds + 30) / 60;
    let as_u32 = |value: i64| u32::try_from(value).unwrap_or(u32::MAX);
    TimeLeft {
        days: as_u32(total_minutes / (24 * 60)),
        hours: as_u32(total_minutes / 60 % 24),
        minutes: as_u32(total_minutes % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn utc(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, day, hour, minute, 0).unwrap()
    }

    #[test]
    fn codes_are_stable() {
        let codes: Vec<&str> = ReminderOffset::ALL.iter().map(|o| o.as_str()).collect();
        assert_eq!(codes, ["0m", "15m", "1h", "1d", "2d", "3d", "4d"]);
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_fail() {
        for offset in ReminderOffset::ALL {
            assert_eq!(offset.as_str().parse(), Ok(offset));
            assert_eq!(offset.to_string(), offset.as_str());
        }
        let error = "5d".parse::<ReminderOffset>().unwrap_err();
        assert_eq!(error.what, "reminder offset");
        assert!("".parse::<ReminderOffset>().is_err());
        assert!("1H".parse::<ReminderOffset>().is_err());
    }

    #[test]
    fn serde_uses_the_codes() {
        let json = serde_json::to_string(&ReminderOffset::Hour1).unwrap();
        assert_eq!(json, "\"1h\"");
        assert_eq!(serde_json::from_str::<ReminderOffset>("\"2d\"").unwrap(), ReminderOffset::Days2);
        assert!(serde_json::from_str::<ReminderOffset>("\"7d\"").is_err());
    }

    #[test]
    fn all_is_ordered_by_duration() {
        let durations: Vec<TimeDelta> = ReminderOffset::ALL.iter().map(|o| o.duration()).collect();
        assert!(durations.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(ReminderOffset::Days3.duration(), TimeDelta::hours(72));
    }

    #[test]
    fn due_at_is_start_minus_duration() {
        let start = utc(20, 15, 0);
        assert_eq!(ReminderOffset::AtStart.due_at(start), start);
        assert_eq!(ReminderOffset::Minutes15.due_at(start), utc(20, 14, 45));
        assert_eq!(ReminderOffset::Days1.due_at(start), utc(19, 15, 0));
        assert_eq!(ReminderOffset::Days4.due_at(DateTime::<Utc>::MIN_UTC), DateTime::<Utc>::MIN_UTC);
    }

    #[test]
    fn past_offsets_are_dropped_and_the_rest_sorted() {
        // Created on the 18th at noon for the 20th at 15:00: 3 and 4 days before are gone.
        let start = utc(20, 15, 0);
        let now = utc(18, 12, 0);
        let planned = upcoming_reminders(
            [
                ReminderOffset::Days4,
                ReminderOffset::AtStart,
                ReminderOffset::Days2,
                ReminderOffset::Hour1,
                ReminderOffset::Days3,
                ReminderOffset::Hour1,
            ],
            start,
            now,
        );
        let offsets: Vec<ReminderOffset> = planned.iter().map(|r| r.offset).collect();
        assert_eq!(offsets, [ReminderOffset::Days2, ReminderOffset::Hour1, ReminderOffset::AtStart]);
        assert_eq!(planned[0].due_at, utc(18, 15, 0));
    }

    #[test]
    fn a_reminder_due_exactly_now_is_kept() {
        let start = utc(20, 15, 0);
        let planned = upcoming_reminders([ReminderOffset::Hour1], start, utc(20, 14, 0));
        assert_eq!(planned.len(), 1);
        assert!(upcoming_reminders([ReminderOffset::Hour1], start, utc(20, 14, 1)).is_empty());
    }

    #[test]
    fn reminders_already_past_for_the_start_are_missed() {
        let now = utc(10, 12, 0);
        let soon = now + TimeDelta::minutes(3);
        let chosen = [ReminderOffset::Days1, ReminderOffset::Minutes15, ReminderOffset::AtStart];
        assert_eq!(missed_reminders(&chosen, soon, now), vec![ReminderOffset::Days1, ReminderOffset::Minutes15]);
        assert!(still_ahead(ReminderOffset::AtStart, soon, now));
        // Due exactly now still goes, as the planner keeps it.
        assert!(still_ahead(ReminderOffset::Minutes15, now + TimeDelta::minutes(15), now));
        assert!(missed_reminders(&chosen, now + TimeDelta::days(2), now).is_empty());
    }

    #[test]
    fn the_missed_and_the_planned_reminders_split_the_choice() {
        let now = utc(10, 12, 0);
        for minutes in [0, 3, 15, 59, 60, 61, 1440, 2000] {
            let start = now + TimeDelta::minutes(minutes);
            let missed = missed_reminders(&ReminderOffset::ALL, start, now);
            let planned = upcoming_reminders(ReminderOffset::ALL, start, now);
            assert_eq!(missed.len() + planned.len(), ReminderOffset::ALL.len(), "{minutes} min");
            assert!(planned.iter().all(|p| !missed.contains(&p.offset)), "{minutes} min");
        }
    }

    #[test]
    fn time_left_splits_and_rounds() {
        let start = utc(20, 15, 0);
        assert_eq!(time_left(start, utc(18, 12, 0)), TimeLeft { days: 2, hours: 3, minutes: 0 });
        // 59 min 50 s reads as an hour.
        let nearly_hour = start - TimeDelta::seconds(3590);
        assert_eq!(time_left(start, nearly_hour), TimeLeft { days: 0, hours: 1, minutes: 0 });
        assert_eq!(time_left(start, start - TimeDelta::seconds(29)), TimeLeft::default());
        assert!(time_left(start, start + TimeDelta::hours(1)).is_zero());
        assert!(time_left(start, start).is_zero());
    }

    proptest! {
        #[test]
        fn planned_reminders_are_future_sorted_and_unique(
            picks in proptest::collection::vec(0usize..7, 0..12),
            start_offset in -10_000i64..10_000,
        ) {
            let now = utc(10, 0, 0);
            let start = now + TimeDelta::minutes(start_offset);
            let offsets = picks.into_iter().map(|i| ReminderOffset::ALL[i]);
            let planned = upcoming_reminders(offsets, start, now);
            prop_assert!(planned.iter().all(|r| r.due_at >= now && r.due_at == r.offset.due_at(start)));
            prop_assert!(planned.windows(2).all(|w| w[0].due_at < w[1].due_at));
        }

        #[test]
        fn time_left_adds_back_up(seconds in 0i64..100_000_000) {
            let now = utc(10, 0, 0);
            let left = time_left(now + TimeDelta::seconds(seconds), now);
            let minutes = i64::from(left.days) * 1440 + i64::from(left.hours) * 60 + i64::from(left.minutes);
            prop_assert!((minutes * 60 - seconds).abs() <= 30);
            prop_assert!(left.hours < 24 && left.minutes < 60);
        }
    }
}
