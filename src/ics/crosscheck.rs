//! The series the bot keeps and the calendar file it writes name the same instants, in every
//! zone: the bot's expansion (`domain::recurrence`) against the `rrule` crate's expansion of the
//! RRULE, EXDATEs and overrides read back from the rendered file, with the file's own VTIMEZONE
//! checked against chrono-tz at every occurrence.
//!
//! The `rrule` crate expands the rule on a floating wall clock (DTSTART given as if it were UTC,
//! so its calendar arithmetic meets no clock change) and the wall-clock readings are turned into
//! instants here, once through chrono-tz and once through the file's VTIMEZONE, both by RFC 5545
//! §3.3.5: a repeated reading is the first, a skipped one takes the offset before the gap. The
//! crate's own zone handling is not used because it refuses such a DTSTART and drops an
//! occurrence whose time and midnight both fall in a gap (Havana), both of which are legal.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use icalendar::parser::{Component, Property, read_calendar, unfold};
use proptest::prelude::*;

use super::*;
use crate::domain::recurrence::{Ending, Frequency, MAX_OCCURRENCES, Recurrence};

/// Random cases of the property test; the deterministic sweep below adds one case per zone.
const CASES: u32 = 1500;

/// Every Russian zone (tzdata's zone1970.tab, Simferopol included), then both hemispheres from
/// UTC−11 to UTC+14 with the odd ones: half and quarter hours, half-hour DST (Lord Howe), clock
/// changes at midnight (Havana, Santiago), negative DST (Dublin), Ramadan breaks (Casablanca,
/// Gaza), DST ended for good (São Paulo, Tehran, Mexico City, Asunción).
const ZONES: &[&str] = &[
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Simferopol",
    "Europe/Kirov",
    "Europe/Volgograd",
    "Europe/Astrakhan",
    "Europe/Saratov",
    "Europe/Ulyanovsk",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Barnaul",
    "Asia/Tomsk",
    "Asia/Novokuznetsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Chita",
    "Asia/Yakutsk",
    "Asia/Khandyga",
    "Asia/Vladivostok",
    "Asia/Ust-Nera",
    "Asia/Magadan",
    "Asia/Sakhalin",
    "Asia/Srednekolymsk",
    "Asia/Kamchatka",
    "Asia/Anadyr",
    "Pacific/Pago_Pago",
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Mexico_City",
    "America/New_York",
    "America/Havana",
    "America/Santiago",
    "America/Asuncion",
    "America/Sao_Paulo",
    "America/St_Johns",
    "Atlantic/Azores",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "Europe/Chisinau",
    "Africa/Casablanca",
    "Africa/Cairo",
    "Asia/Jerusalem",
    "Asia/Gaza",
    "Asia/Tehran",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Almaty",
    "Asia/Tokyo",
    "Australia/Adelaide",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Norfolk",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Pacific/Apia",
    "Pacific/Tongatapu",
    "Pacific/Kiritimati",
];

const LOCAL: &str = "%Y%m%dT%H%M%S";

fn zone(name: &str) -> Tz {
    name.parse().unwrap_or_else(|_| panic!("{name} is a chrono-tz zone"))
}

// ---- reading the file back ----

fn local_value(value: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(value, LOCAL).unwrap_or_else(|e| panic!("{value}: {e}"))
}

fn param<'a>(prop: &'a Property<'_>, key: &str) -> Option<&'a str> {
    prop.params.iter().find(|p| p.key.as_str() == key).and_then(|p| p.val.as_ref()).map(|v| v.as_str())
}

/// A DATE-TIME property as an instant: UTC, or a local reading with the series' TZID that names
/// one instant (the bot writes ambiguous readings in UTC).
fn instant(prop: &Property<'_>, tz: Tz) -> DateTime<Utc> {
    let value = prop.val.as_str();
    if let Some(utc) = value.strip_suffix('Z') {
        assert_eq!(param(prop, "TZID"), None, "{value}");
        return local_value(utc).and_utc();
    }
    assert_eq!(param(prop, "TZID"), Some(tz.name()), "{}:{value}", prop.name.as_str());
    let local = local_value(value);
    tz.from_local_datetime(&local).single().unwrap_or_else(|| panic!("{value} names one instant in {tz}")).to_utc()
}

fn property<'a>(component: &'a Component<'a>, name: &str) -> &'a Property<'a> {
    component.find_prop(name).unwrap_or_else(|| panic!("{} has {name}", component.name.as_str()))
}

/// `UNTIL=…Z` taken out of a rule, as an instant.
fn without_until(rule: &str) -> (String, Option<DateTime<Utc>>) {
    let mut until = None;
    let parts: Vec<&str> = rule
        .split(';')
        .filter(|part| match part.strip_prefix("UNTIL=") {
            Some(value) => {
                let utc = value.strip_suffix('Z').unwrap_or_else(|| panic!("UNTIL in UTC: {rule}"));
                until = Some(local_value(utc).and_utc());
                false
            }
            None => true,
        })
        .collect();
    (parts.join(";"), until)
}

/// The wall-clock readings a rule names from `start`, by the `rrule` crate, on a floating clock.
fn floating(start: NaiveDateTime, rule: &str, limit: u16) -> Vec<NaiveDateTime> {
    let text = format!("DTSTART:{}Z\nRRULE:{rule}", start.format(LOCAL));
    let set: rrule::RRuleSet = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
    set.all(limit).dates.iter().map(|d| d.naive_utc()).collect()
}

// ---- two readings of a wall clock ----

/// RFC 5545 §3.3.5 by chrono-tz: the first of a repeated reading, the offset before a gap.
fn rfc_instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.to_utc(),
        chrono::LocalResult::Ambiguous(a, b) => a.to_utc().min(b.to_utc()),
        chrono::LocalResult::None => {
            let before = (1..=24 * 60)
                .find_map(|m| tz.from_local_datetime(&(local - Duration::minutes(m))).latest())
                .expect("a gap shorter than a day");
            (local - Duration::seconds(i64::from(before.offset().fix().local_minus_utc()))).and_utc()
        }
    }
}

/// One onset of a VTIMEZONE observance.
#[derive(Debug, Clone, Copy)]
struct Onset {
    at: DateTime<Utc>,
    from: i32,
    to: i32,
}

fn offset_value(text: &str) -> i32 {
    let sign = if text.starts_with('-') { -1 } else { 1 };
    let digits = &text[1..];
    let part = |range: std::ops::Range<usize>| digits.get(range).map_or(0, |d| d.parse::<i32>().expect("digits"));
    sign * (part(0..2) * 3600 + part(2..4) * 60 + part(4..6))
}

/// Every onset the file's VTIMEZONE names, in time order: DTSTART, RDATEs and RRULE instances.
fn onsets(vtimezone: &Component<'_>) -> Vec<Onset> {
    let mut all = Vec::new();
    for observance in &vtimezone.components {
        let from = offset_value(property(observance, "TZOFFSETFROM").val.as_str());
        let to = offset_value(property(observance, "TZOFFSETTO").val.as_str());
        let start = local_value(property(observance, "DTSTART").val.as_str());
        let mut locals = vec![start];
        for rdate in observance.properties.iter().filter(|p| p.name.as_str() == "RDATE") {
            locals.extend(rdate.val.as_str().split(',').map(local_value));
        }
        let mut until = None;
        if let Some(rule) = observance.find_prop("RRULE") {
            let (rule, end) = without_until(rule.val.as_str());
            until = end;
            locals.extend(floating(start, &rule, 40).into_iter().skip(1));
        }
        let at = |local: NaiveDateTime| (local - Duration::seconds(i64::from(from))).and_utc();
        all.extend(locals.into_iter().map(at).filter(|t| until.is_none_or(|u| *t <= u)).map(|at| Onset {
            at,
            from,
            to,
        }));
    }
    all.sort_by_key(|o| o.at);
    all
}

/// The offset the VTIMEZONE gives at an instant.
fn vtz_offset(onsets: &[Onset], at: DateTime<Utc>) -> Option<i32> {
    onsets.iter().rev().find(|o| o.at <= at).map(|o| o.to)
}

/// RFC 5545 §3.3.5 by the file's VTIMEZONE.
fn vtz_instant(onsets: &[Onset], local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let utc = |offset: i32| (local - Duration::seconds(i64::from(offset))).and_utc();
    let valid = onsets.iter().map(|o| o.to).filter(|o| vtz_offset(onsets, utc(*o)) == Some(*o)).map(utc).min();
    valid.or_else(|| {
        onsets
            .iter()
            .find(|o| {
                let (from, to) = (i64::from(o.from), i64::from(o.to));
                let before = o.at.naive_utc() + Duration::seconds(from);
                from < to && before <= local && local < o.at.naive_utc() + Duration::seconds(to)
            })
            .map(|o| utc(o.from))
    })
}

// ---- one case ----

/// What the teacher did to one occurrence.
#[derive(Debug, Clone, Copy)]
enum Change {
    /// Cancelled, after its start was moved by minutes (often 0).
    Cancel(i64),
    /// Start moved by minutes, length kept.
    Move(i64),
    /// Length changed by minutes.
    Stretch(i64),
}

#[derive(Debug, Clone)]
struct Case {
    tz: Tz,
    first: NaiveDate,
    time: NaiveTime,
    rule: Recurrence,
    minutes: i64,
    changes: Vec<(usize, Change)>,
}

impl Case {
    /// The occurrences as the bot made them, at most one change each.
    fn made(&self, starts: &[DateTime<Utc>]) -> Vec<MadeOccurrence> {
        let length = Duration::minutes(self.minutes);
        let mut made: Vec<MadeOccurrence> = Vec::new();
        for (number, change) in &self.changes {
            let Some(start) = starts.get(*number).copied() else { continue };
            if made.iter().any(|m| m.number == *number) {
                continue;
            }
            let (start, end, cancelled) = match change {
                Change::Cancel(by) => (start + Duration::minutes(*by), start + Duration::minutes(*by) + length, true),
                Change::Move(by) => (start + Duration::minutes(*by), start + Duration::minutes(*by) + length, false),
                Change::Stretch(by) => (start, start + length + Duration::minutes(*by), false),
            };
            made.push(MadeOccurrence { number: *number, start, end, cancelled });
        }
        made
    }

    fn entry(&self, starts: &[DateTime<Utc>], made: &[MadeOccurrence]) -> IcsEvent {
        let start = starts[0];
        let event = IcsEvent {
            uid: "series-1@webinar-bot".to_owned(),
            sequence: 1,
            title: "Занятие".to_owned(),
            description: None,
            start,
            end: start + Duration::minutes(self.minutes),
            url: None,
            organizer_name: None,
            cancelled: false,
            repeat: None,
            dtstamp: start,
        };
        event.repeating(SeriesRule { rule: &self.rule, first: self.first.and_time(self.time), tz: self.tz }, made)
    }
}

/// When one class starts and ends.
type Class = (DateTime<Utc>, DateTime<Utc>);

/// (start, end) of every class as the bot holds them: cancelled ones gone, changed ones changed.
fn bot_classes(starts: &[DateTime<Utc>], made: &[MadeOccurrence], length: Duration) -> Vec<Class> {
    let mut classes: Vec<_> = starts
        .iter()
        .enumerate()
        .filter_map(|(number, start)| match made.iter().find(|m| m.number == number) {
            Some(m) if m.cancelled => None,
            Some(m) => Some((m.start, m.end)),
            None => Some((*start, *start + length)),
        })
        .collect();
    classes.sort();
    classes
}

/// Renders the case, reads the file back and compares; the reason on the first mismatch.
fn check(case: &Case) -> Result<(), TestCaseError> {
    let tz = case.tz;
    let starts = case.rule.occurrences(case.first, case.time, tz);
    prop_assume!(!starts.is_empty());
    let length = Duration::minutes(case.minutes);
    let made = case.made(&starts);
    let text = unfold(&case.entry(&starts, &made).render());
    typed_parse(&text, tz)?;
    let calendar = read_calendar(&text).map_err(|e| TestCaseError::fail(format!("parse: {e}\n{text}")))?;
    let named = |name: &'static str| calendar.components.iter().filter(move |c| c.name.as_str() == name);
    let vtimezone = named("VTIMEZONE").next().expect("a VTIMEZONE");
    prop_assert_eq!(property(vtimezone, "TZID").val.as_str(), tz.name());
    let zone = onsets(vtimezone);
    let master = named("VEVENT").find(|c| c.find_prop("RRULE").is_some()).expect("the series' VEVENT");
    let overrides: Vec<&Component> = named("VEVENT").filter(|c| c.find_prop("RECURRENCE-ID").is_some()).collect();

    let instances = rule_instances(master, &zone, tz, &text)?;
    prop_assert_eq!(&instances, &starts, "the rule's instants\n{}", text);
    prop_assert_eq!(instant(property(master, "DTEND"), tz), starts[0] + length);
    let classes = client_classes(master, &overrides, &instances, length, tz, &text)?;
    prop_assert_eq!(&classes, &bot_classes(&starts, &made, length), "the classes\n{}", text);
    let rule_classes = starts.iter().map(|s| (*s, *s + length));
    for at in classes.iter().copied().chain(rule_classes).flat_map(|(start, end)| [start, end]) {
        let expected = tz.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc();
        prop_assert_eq!(vtz_offset(&zone, at), Some(expected), "the file's offset at {}\n{}", at, text);
    }
    Ok(())
}

/// The icalendar crate's typed model takes the file and reads DTSTART in the series' zone.
fn typed_parse(text: &str, tz: Tz) -> Result<(), TestCaseError> {
    use icalendar::{CalendarDateTime, Component as _, DatePerhapsTime};
    let typed: icalendar::Calendar =
        text.parse().map_err(|e| TestCaseError::fail(format!("typed parse: {e}\n{text}")))?;
    let master = typed.components.iter().filter_map(|c| c.as_event()).next().expect("a VEVENT");
    let zoned = matches!(
        master.get_start(),
        Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { tzid, .. })) if tzid == tz.name()
    );
    prop_assert!(zoned, "DTSTART in {}\n{}", tz, text);
    Ok(())
}

/// The master's rule as a client expands it: `rrule` on the wall clock, each reading turned into
/// an instant by chrono-tz and, identically, by the file's VTIMEZONE; UNTIL applied to instants.
fn rule_instances(
    master: &Component<'_>,
    zone: &[Onset],
    tz: Tz,
    text: &str,
) -> Result<Vec<DateTime<Utc>>, TestCaseError> {
    let dtstart = property(master, "DTSTART");
    prop_assert_eq!(param(dtstart, "TZID"), Some(tz.name()));
    let (rule, until) = without_until(property(master, "RRULE").val.as_str());
    let limit = u16::try_from(MAX_OCCURRENCES * 10).unwrap_or(u16::MAX);
    let mut instances = Vec::new();
    for local in floating(local_value(dtstart.val.as_str()), &rule, limit) {
        let by_chrono = rfc_instant(tz, local);
        if until.is_some_and(|u| by_chrono > u) {
            break;
        }
        prop_assert_eq!(vtz_instant(zone, local), Some(by_chrono), "{} read through the VTIMEZONE\n{}", local, text);
        instances.push(by_chrono);
    }
    Ok(instances)
}

/// (start, end) of every class a client shows: EXDATEs removed, overrides in their instance's
/// place. Every EXDATE and RECURRENCE-ID must name an instance.
fn client_classes(
    master: &Component<'_>,
    overrides: &[&Component<'_>],
    instances: &[DateTime<Utc>],
    length: Duration,
    tz: Tz,
    text: &str,
) -> Result<Vec<Class>, TestCaseError> {
    let exdates: Vec<DateTime<Utc>> =
        master.properties.iter().filter(|p| p.name.as_str() == "EXDATE").map(|p| instant(p, tz)).collect();
    for exdate in &exdates {
        prop_assert!(instances.contains(exdate), "EXDATE {} is no instance\n{}", exdate, text);
    }
    for o in overrides {
        let id = instant(property(o, "RECURRENCE-ID"), tz);
        prop_assert!(instances.contains(&id) && !exdates.contains(&id), "RECURRENCE-ID {}\n{}", id, text);
        prop_assert_eq!(property(o, "UID").val.as_str(), property(master, "UID").val.as_str());
    }
    let mut classes: Vec<_> = instances
        .iter()
        .filter(|start| !exdates.contains(start))
        .map(|start| match overrides.iter().find(|o| instant(property(o, "RECURRENCE-ID"), tz) == *start) {
            Some(o) => (instant(property(o, "DTSTART"), tz), instant(property(o, "DTEND"), tz)),
            None => (*start, *start + length),
        })
        .collect();
    classes.sort();
    Ok(classes)
}

// ---- inputs ----

/// Clock changes of a zone in a year, each as its day and the wall-clock time just before it.
fn changes_in(tz: Tz, year: i32) -> Vec<NaiveDateTime> {
    let offset = |t: DateTime<Utc>| tz.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc();
    let mut t = Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0).unwrap();
    let end = Utc.with_ymd_and_hms(year + 1, 1, 1, 0, 0, 0).unwrap();
    let mut found = Vec::new();
    while t < end {
        let next = t + Duration::minutes(15);
        if offset(next) != offset(t) {
            found.push(t.naive_utc() + Duration::seconds(i64::from(offset(t))));
        }
        t = next;
    }
    found
}

fn frequency() -> impl Strategy<Value = Frequency> {
    prop_oneof![
        3 => (1u8..128, 1u32..=4).prop_map(|(mask, interval)| Frequency::Weekly {
            weekdays: (0..7).filter(|i| mask & (1 << i) != 0).map(|i| Weekday::try_from(i).unwrap()).collect(),
            interval,
        }),
        1 => (1u32..=3).prop_map(|interval| Frequency::Daily { interval }),
    ]
}

/// Where a series starts: any day from 2026 to 2031 at a round time, or a few days before one
/// of its zone's clock changes (up to the day after), near the hour of the change.
#[derive(Debug, Clone)]
enum Start {
    Any { day: u32, hour: u32, quarter: u32 },
    NearChange { year: i32, which: usize, days_before: i64, minutes: i64 },
}

fn start() -> impl Strategy<Value = Start> {
    prop_oneof![
        1 => (0u32..6 * 365, 0u32..24, 0u32..4).prop_map(|(day, hour, quarter)| Start::Any { day, hour, quarter }),
        2 => (2026i32..=2031, 0usize..4, -1i64..=8, -6i64..=6).prop_map(|(year, which, days_before, quarters)| {
            Start::NearChange { year, which, days_before, minutes: quarters * 15 }
        }),
    ]
}

fn resolve_start(tz: Tz, start: &Start) -> (NaiveDate, NaiveTime) {
    let any = |day: u32, hour: u32, quarter: u32| {
        let date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(i64::from(day));
        (date, NaiveTime::from_hms_opt(hour, quarter * 15, 0).unwrap())
    };
    match *start {
        Start::Any { day, hour, quarter } => any(day, hour, quarter),
        Start::NearChange { year, which, days_before, minutes } => {
            let changes = changes_in(tz, year);
            match changes.get(which % changes.len().max(1)) {
                Some(change) => {
                    let at = *change + Duration::minutes(minutes) - Duration::days(days_before);
                    (at.date(), NaiveTime::from_hms_opt(at.hour(), at.minute(), 0).unwrap())
                }
                // A zone without clock changes: any day of that year.
                None => any(u32::try_from(year - 2026).unwrap_or(0) * 365 + 40, 9, 0),
            }
        }
    }
}

fn change() -> impl Strategy<Value = (usize, Change)> {
    let change = prop_oneof![
        prop_oneof![Just(0i64), -96i64..=96].prop_map(|q| Change::Cancel(q * 15)),
        (-2 * 24 * 4i64..=2 * 24 * 4).prop_map(|q| Change::Move(q * 15)),
        (-1i64..=4).prop_map(|q| Change::Stretch(q * 15 + 15)),
    ];
    (0usize..60, change)
}

/// A COUNT, or an end date this many days after the first.
fn ending(first: NaiveDate, draw: Result<u32, i64>) -> Ending {
    match draw {
        Ok(count) => Ending::Count(count),
        Err(days) => Ending::Until(first + Duration::days(days)),
    }
}

fn case() -> impl Strategy<Value = Case> {
    // At least 35 days, so even a rule every 4 weeks has an occurrence before its end.
    let end = prop_oneof![(2u32..=MAX_OCCURRENCES).prop_map(Ok), (35i64..=500).prop_map(Err)];
    let changes = prop::collection::vec(change(), 0..6);
    (prop::sample::select(ZONES), start(), frequency(), end, 1i64..=16, changes).prop_map(
        |(name, start, frequency, end, quarters, changes)| {
            let tz = zone(name);
            let (first, time) = resolve_start(tz, &start);
            let rule = Recurrence { frequency, ending: ending(first, end) };
            Case { tz, first, time, rule, minutes: quarters * 15, changes }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, ..ProptestConfig::default() })]

    #[test]
    fn the_file_names_the_instants_the_bot_keeps(case in case()) {
        check(&case)?;
    }
}

/// Every zone at least once, whatever the random cases drew: Tuesdays and Thursdays at the
/// wall-clock time of the zone's first change in 2027 (or 09:00), from a week before it, for
/// 50 classes, with one cancelled and one moved.
#[test]
fn every_zone_agrees_across_a_year_of_classes() {
    for name in ZONES {
        let tz = zone(name);
        let (first, time) = match changes_in(tz, 2027).first() {
            Some(change) => (
                (*change - Duration::days(7)).date(),
                NaiveTime::from_hms_opt(change.hour(), change.minute(), 0).unwrap(),
            ),
            None => (NaiveDate::from_ymd_opt(2027, 1, 5).unwrap(), NaiveTime::from_hms_opt(9, 0, 0).unwrap()),
        };
        let rule = Recurrence {
            frequency: Frequency::Weekly { weekdays: vec![Weekday::Tue, Weekday::Thu], interval: 1 },
            ending: Ending::Count(50),
        };
        let case = Case {
            tz,
            first,
            time,
            rule,
            minutes: 90,
            changes: vec![(3, Change::Cancel(0)), (4, Change::Cancel(60)), (5, Change::Move(-24 * 60))],
        };
        if let Err(err) = check(&case) {
            panic!("{name}: {err}");
        }
    }
}

/// The evaluator itself: Berlin's file reads 02:30 on the spring change as 03:30 summer time,
/// and 02:30 on the autumn change as the first (summer) pass.
#[test]
fn the_vtimezone_reader_follows_rfc_5545() {
    let berlin = chrono_tz::Europe::Berlin;
    let lines = zone::vtimezone(
        berlin,
        Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2027, 12, 1, 0, 0, 0).unwrap(),
    );
    let text = format!("BEGIN:VCALENDAR\r\n{}\r\nEND:VCALENDAR\r\n", lines.join("\r\n"));
    let calendar = read_calendar(&text).expect("parses");
    let zone = onsets(&calendar.components[0]);
    let at = |m, d, h, min| NaiveDate::from_ymd_opt(2027, m, d).unwrap().and_hms_opt(h, min, 0).unwrap();
    assert_eq!(vtz_instant(&zone, at(3, 28, 2, 30)), Some(Utc.with_ymd_and_hms(2027, 3, 28, 1, 30, 0).unwrap()));
    assert_eq!(vtz_instant(&zone, at(10, 31, 2, 30)), Some(Utc.with_ymd_and_hms(2027, 10, 31, 0, 30, 0).unwrap()));
    assert_eq!(rfc_instant(berlin, at(3, 28, 2, 30)), Utc.with_ymd_and_hms(2027, 3, 28, 1, 30, 0).unwrap());
    assert_eq!(rfc_instant(berlin, at(10, 31, 2, 30)), Utc.with_ymd_and_hms(2027, 10, 31, 0, 30, 0).unwrap());
    assert_eq!(vtz_offset(&zone, Utc.with_ymd_and_hms(2027, 7, 1, 0, 0, 0).unwrap()), Some(7200));
}
