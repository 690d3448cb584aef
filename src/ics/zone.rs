//! The VTIMEZONE of a repeating entry (RFC 5545 §3.6.5), read from chrono-tz over the span the
//! series covers. Calendars that trust the file rather than their own zone data (Outlook on the
//! desktop) then move the class at exactly the clock changes the bot knows of.
//!
//! chrono-tz has no transition API, so clock changes are found by probing the offset an hour
//! apart and bisecting each change to the second. Two changes that undo each other within one
//! hour would go unseen; no zone has ever had such a pair.
//!
//! A zone with a daylight-saving cycle gets one STANDARD and one DAYLIGHT sub-component with a
//! yearly RRULE (month and n-th weekday), the only shape Outlook imports (MS-OXCICAL
//! §2.1.3.1.1.19.2.2), whenever the changes in the span follow one; otherwise every change is
//! listed by RDATE. A zone without clock changes gets a single STANDARD.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset as _, TimeZone, Utc, Weekday};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use super::escape_text;
use crate::domain::recurrence::ical_day;

/// How far before the first occurrence the zone is read: a whole year holds both halves of a
/// DST cycle, so even a three-week series in January gets its zone's summer rule, and the
/// observance in force at the first occurrence starts at its real onset.
const LOOKBACK: Duration = Duration::days(366);
/// Distance between two probes of the offset.
const STEP: Duration = Duration::hours(1);
/// The local date-time format of VTIMEZONE values (no `Z`: they are local to the observance).
const LOCAL: &str = "%Y%m%dT%H%M%S";

/// The zone's state at one instant.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Reading {
    /// Seconds east of UTC.
    offset: i32,
    /// Seconds of daylight saving in `offset` (negative in Dublin's winter).
    dst: i64,
    name: Option<String>,
}

fn reading(tz: Tz, at: DateTime<Utc>) -> Reading {
    let offset = tz.offset_from_utc_datetime(&at.naive_utc());
    Reading {
        offset: offset.fix().local_minus_utc(),
        dst: offset.dst_offset().num_seconds(),
        name: offset.abbreviation().map(str::to_owned),
    }
}

/// One change of the zone's offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Transition {
    /// The first second of the new offset.
    pub at: DateTime<Utc>,
    pub from: i32,
    pub to: i32,
    /// Summer time starts here.
    pub daylight: bool,
    pub name: Option<String>,
}

/// Every change of the offset of `tz` after `from` up to `to`.
pub(super) fn transitions(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Transition> {
    let mut found = Vec::new();
    let mut probe = from;
    let mut current = reading(tz, from);
    while probe < to {
        let next = (probe + STEP).min(to);
        if reading(tz, next).offset == current.offset {
            probe = next;
            continue;
        }
        let at = first_change(tz, probe, next, current.offset);
        let after = reading(tz, at);
        found.push(Transition {
            at,
            from: current.offset,
            to: after.offset,
            daylight: starts_summer(&current, &after),
            name: after.name.clone(),
        });
        // Go on from the change itself, so a second change within the same hour is found too.
        probe = at;
        current = after;
    }
    found
}

/// The first second in `(low, high]` whose offset is not `offset`, given that `low` has it and
/// `high` has not.
fn first_change(tz: Tz, mut low: DateTime<Utc>, mut high: DateTime<Utc>, offset: i32) -> DateTime<Utc> {
    while (high - low).num_seconds() > 1 {
        let middle = low + Duration::seconds((high - low).num_seconds() / 2);
        if reading(tz, middle).offset == offset {
            low = middle;
        } else {
            high = middle;
        }
    }
    high
}

/// DAYLIGHT is the summer side of the cycle. Dublin's tzdata calls winter the saving (negative
/// DST), so a change out of a negative saving also starts summer.
fn starts_summer(before: &Reading, after: &Reading) -> bool {
    after.dst > 0 || (after.dst == 0 && before.dst < 0)
}

/// One STANDARD or DAYLIGHT sub-component: one kind of change and every time it happens.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Observance {
    daylight: bool,
    from: i32,
    to: i32,
    name: Option<String>,
    onsets: Vec<DateTime<Utc>>,
}

impl Observance {
    /// The onsets on the wall clock before each change, as §3.6.5 writes DTSTART and RDATE.
    fn local_onsets(&self) -> Vec<NaiveDateTime> {
        self.onsets.iter().map(|at| at.naive_utc() + Duration::seconds(i64::from(self.from))).collect()
    }

    fn lines(&self, yearly: bool, end: DateTime<Utc>) -> Vec<String> {
        let kind = if self.daylight { "DAYLIGHT" } else { "STANDARD" };
        let local = self.local_onsets();
        let mut lines = vec![format!("BEGIN:{kind}")];
        if let Some(first) = local.first() {
            lines.push(format!("DTSTART:{}", first.format(LOCAL)));
        }
        // The observance in force before any change is no change at all: never a yearly one.
        let yearly = yearly && self.from != self.to;
        match yearly.then(|| yearly_rule(&local, self.from, end)).flatten() {
            Some(rule) => lines.push(format!("RRULE:{rule}")),
            None => lines.extend(local.iter().skip(1).map(|l| format!("RDATE:{}", l.format(LOCAL)))),
        }
        lines.push(format!("TZOFFSETFROM:{}", offset_text(self.from)));
        lines.push(format!("TZOFFSETTO:{}", offset_text(self.to)));
        if let Some(name) = &self.name {
            lines.push(format!("TZNAME:{}", escape_text(name)));
        }
        lines.push(format!("END:{kind}"));
        lines
    }
}

/// The VTIMEZONE lines of `tz` for entries between `from` and `to`.
pub(super) fn vtimezone(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
    let start = from - LOOKBACK;
    let changes = transitions(tz, start, to);
    let mut observances = grouped(&changes);
    // With no change before the first occurrence, nothing would say which offset holds there.
    if changes.first().is_none_or(|change| change.at > from) {
        let now = reading(tz, start);
        let daylight = now.dst > 0;
        observances
            .insert(0, Observance { daylight, from: now.offset, to: now.offset, name: now.name, onsets: vec![start] });
    }
    // A yearly rule only describes a summer-time cycle; a one-off change is listed as it is.
    let yearly = changes.iter().any(|change| change.daylight);
    let mut lines = vec!["BEGIN:VTIMEZONE".to_owned(), format!("TZID:{}", tz.name())];
    for observance in &observances {
        lines.extend(observance.lines(yearly, to));
    }
    lines.push("END:VTIMEZONE".to_owned());
    lines
}

/// Changes of the same kind, offsets and name, in order of their first onset.
fn grouped(changes: &[Transition]) -> Vec<Observance> {
    let mut observances: Vec<Observance> = Vec::new();
    for change in changes {
        let same = |o: &&mut Observance| {
            o.daylight == change.daylight && o.from == change.from && o.to == change.to && o.name == change.name
        };
        match observances.iter_mut().find(same) {
            Some(observance) => observance.onsets.push(change.at),
            None => observances.push(Observance {
                daylight: change.daylight,
                from: change.from,
                to: change.to,
                name: change.name.clone(),
                onsets: vec![change.at],
            }),
        }
    }
    observances
}

/// `FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU` when the onsets are that rule's, year after year, at one
/// time of day; `None` when they are not. When the zone stops following the rule before `end`,
/// UNTIL (in UTC, §3.3.10) ends it at the last onset.
fn yearly_rule(local: &[NaiveDateTime], from: i32, end: DateTime<Utc>) -> Option<String> {
    let (first, last) = (local.first()?, local.last()?);
    let ordinal = ordinal(local)?;
    let on = |year: i32| nth_weekday(year, first.month(), first.weekday(), ordinal).map(|d| d.and_time(first.time()));
    let follows = local.iter().zip(first.year()..).all(|(onset, year)| on(year) == Some(*onset));
    if !follows {
        return None;
    }
    let utc = |l: NaiveDateTime| (l - Duration::seconds(i64::from(from))).and_utc();
    let mut rule = format!("FREQ=YEARLY;BYMONTH={};BYDAY={ordinal}{}", first.month(), ical_day(first.weekday()));
    if on(last.year() + 1).is_some_and(|next| utc(next) <= end) {
        rule.push_str(&format!(";UNTIL={}", utc(*last).format("%Y%m%dT%H%M%SZ")));
    }
    Some(rule)
}

/// −1 when every onset is on its month's last such weekday, else the shared n-th (1 to 4).
fn ordinal(local: &[NaiveDateTime]) -> Option<i8> {
    let nth = |l: &NaiveDateTime| (l.day() - 1) / 7 + 1;
    let last_one =
        |l: &NaiveDateTime| l.date().checked_add_days(chrono::Days::new(7)).is_some_and(|d| d.month() != l.month());
    if local.iter().all(last_one) {
        return Some(-1);
    }
    let first = nth(local.first()?);
    let shared = first <= 4 && local.iter().all(|l| nth(l) == first);
    shared.then(|| i8::try_from(first).ok()).flatten()
}

/// The n-th (or, for −1, the last) `weekday` of a month.
fn nth_weekday(year: i32, month: u32, weekday: Weekday, ordinal: i8) -> Option<NaiveDate> {
    if let Ok(n) = u8::try_from(ordinal) {
        return NaiveDate::from_weekday_of_month_opt(year, month, weekday, n);
    }
    let next_month =
        if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, month + 1, 1) };
    let last_day = next_month?.pred_opt()?;
    let back = (last_day.weekday().num_days_from_monday() + 7 - weekday.num_days_from_monday()) % 7;
    last_day.checked_sub_days(chrono::Days::new(u64::from(back)))
}

/// `+0530`, `-1000`, `+0000`; seconds only when there are some (§3.3.14).
fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.unsigned_abs();
    let (hours, minutes, rest) = (abs / 3600, abs % 3600 / 60, abs % 60);
    if rest == 0 { format!("{sign}{hours:02}{minutes:02}") } else { format!("{sign}{hours:02}{minutes:02}{rest:02}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn block(lines: &[String]) -> String {
        lines.join("\n")
    }

    #[test]
    fn berlin_changes_at_one_utc_to_the_second() {
        let found = transitions(chrono_tz::Europe::Berlin, utc(2027, 1, 1, 0, 0), utc(2027, 12, 31, 0, 0));
        let at: Vec<DateTime<Utc>> = found.iter().map(|t| t.at).collect();
        assert_eq!(at, [utc(2027, 3, 28, 1, 0), utc(2027, 10, 31, 1, 0)]);
        assert_eq!((found[0].from, found[0].to, found[0].daylight), (3600, 7200, true));
        assert_eq!((found[1].from, found[1].to, found[1].daylight), (7200, 3600, false));
        assert_eq!(found[0].name.as_deref(), Some("CEST"));
    }

    #[test]
    fn berlin_gets_the_european_rule_even_for_a_short_winter_series() {
        let zone = block(&vtimezone(chrono_tz::Europe::Berlin, utc(2027, 1, 5, 17, 0), utc(2027, 1, 26, 18, 30)));
        assert_eq!(
            zone,
            "BEGIN:VTIMEZONE\nTZID:Europe/Berlin\n\
             BEGIN:DAYLIGHT\nDTSTART:20260329T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\n\
             TZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nTZNAME:CEST\nEND:DAYLIGHT\n\
             BEGIN:STANDARD\nDTSTART:20261025T030000\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\n\
             TZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nTZNAME:CET\nEND:STANDARD\nEND:VTIMEZONE"
        );
    }

    #[test]
    fn new_york_uses_second_and_first_sundays() {
        let zone = block(&vtimezone(chrono_tz::America::New_York, utc(2027, 1, 5, 17, 0), utc(2028, 6, 1, 0, 0)));
        assert!(zone.contains("DTSTART:20260308T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\n"), "{zone}");
        assert!(zone.contains("DTSTART:20261101T020000\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\n"), "{zone}");
        assert!(zone.contains("TZOFFSETFROM:-0500\nTZOFFSETTO:-0400"), "{zone}");
    }

    #[test]
    fn a_zone_without_clock_changes_gets_one_standard() {
        let from = utc(2027, 1, 4, 23, 0);
        let zone = vtimezone(chrono_tz::Asia::Vladivostok, from, utc(2027, 6, 1, 0, 0));
        assert_eq!(zone.iter().filter(|l| l.starts_with("BEGIN:STANDARD")).count(), 1);
        assert!(!zone.iter().any(|l| l.contains("DAYLIGHT") || l.starts_with("RRULE") || l.starts_with("RDATE")));
        assert!(zone.contains(&"TZOFFSETFROM:+1000".to_owned()) && zone.contains(&"TZOFFSETTO:+1000".to_owned()));
        assert!(zone.contains(&"DTSTART:20260104T090000".to_owned()), "a year before, on the local clock: {zone:?}");
    }

    #[test]
    fn half_hour_and_quarter_hour_offsets() {
        let lord_howe =
            block(&vtimezone(chrono_tz::Australia::Lord_Howe, utc(2027, 1, 5, 0, 0), utc(2027, 2, 1, 0, 0)));
        assert!(lord_howe.contains("TZOFFSETFROM:+1030\nTZOFFSETTO:+1100"), "{lord_howe}");
        let chatham = block(&vtimezone(chrono_tz::Pacific::Chatham, utc(2027, 1, 5, 0, 0), utc(2027, 2, 1, 0, 0)));
        assert!(chatham.contains("TZOFFSETFROM:+1245\nTZOFFSETTO:+1345"), "{chatham}");
        assert_eq!(offset_text(-36000), "-1000");
        assert_eq!(offset_text(20700), "+0545");
        assert_eq!(offset_text(0), "+0000");
        assert_eq!(offset_text(-1237), "-002037");
    }

    #[test]
    fn dublin_summer_is_the_daylight_side() {
        let found = transitions(chrono_tz::Europe::Dublin, utc(2027, 1, 1, 0, 0), utc(2027, 12, 31, 0, 0));
        assert_eq!(found.iter().map(|t| (t.to, t.daylight)).collect::<Vec<_>>(), [(3600, true), (0, false)]);
    }

    #[test]
    fn a_rule_the_zone_stops_following_gets_until() {
        // 1 March is the first Monday of March 2027: pretend Berlin's spring change were that rule.
        let local = [NaiveDate::from_ymd_opt(2027, 3, 1).unwrap().and_hms_opt(2, 0, 0).unwrap()];
        assert_eq!(
            yearly_rule(&local, 3600, utc(2027, 12, 1, 0, 0)).as_deref(),
            Some("FREQ=YEARLY;BYMONTH=3;BYDAY=1MO")
        );
        assert_eq!(
            yearly_rule(&local, 3600, utc(2028, 6, 1, 0, 0)).as_deref(),
            Some("FREQ=YEARLY;BYMONTH=3;BYDAY=1MO;UNTIL=20270301T010000Z")
        );
    }

    #[test]
    fn onsets_off_any_weekday_rule_are_listed() {
        let on = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(2, 0, 0).unwrap();
        assert_eq!(yearly_rule(&[on(2027, 3, 7), on(2028, 3, 19)], 3600, utc(2029, 1, 1, 0, 0)), None);
        assert_eq!(
            yearly_rule(&[on(2027, 3, 28), on(2029, 3, 25)], 3600, utc(2030, 1, 1, 0, 0)),
            None,
            "a year missing"
        );
        assert_eq!(ordinal(&[on(2027, 3, 28), on(2028, 3, 26)]), Some(-1));
        assert_eq!(ordinal(&[on(2027, 3, 14), on(2028, 3, 12)]), Some(2));
        assert_eq!(nth_weekday(2027, 12, Weekday::Fri, -1), NaiveDate::from_ymd_opt(2027, 12, 31));
    }

    #[test]
    fn a_one_off_change_is_listed_with_rdate() {
        // Asia/Almaty went from +06 to +05 on 1 March 2024 for good.
        let zone = block(&vtimezone(chrono_tz::Asia::Almaty, utc(2024, 1, 10, 0, 0), utc(2024, 6, 1, 0, 0)));
        assert!(!zone.contains("RRULE"), "{zone}");
        assert!(zone.contains("TZOFFSETFROM:+0600\nTZOFFSETTO:+0600"), "the offset before the change: {zone}");
        assert!(zone.contains("TZOFFSETFROM:+0600\nTZOFFSETTO:+0500"), "{zone}");
    }
}
