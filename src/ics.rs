//! Calendar files (RFC 5545) for events, sent to listeners as `.ics` documents.
//!
//! Calendar clients match updates by `UID` and apply them only when `SEQUENCE` grows, so every
//! change of an event must render with the same UID and a higher sequence; a cancellation is
//! `METHOD:CANCEL` with `STATUS:CANCELLED`.
//!
//! A single event is written in UTC (`...Z`): clients show it in the reader's own zone and need
//! no `VTIMEZONE`. A series is not: an RRULE expands on the wall clock of its DTSTART, so a
//! Tuesday 09:00 class in Vladivostok written in UTC (Monday 23:00) would repeat on Mondays
//! (Wednesdays for some clients), and a Berlin class would move by an hour at each clock change.
//! A series is written in its own zone (`TZID=<IANA name>`) with a `VTIMEZONE` derived from
//! chrono-tz for the span it covers (see `zone`).

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::domain::event::EventId;
use crate::domain::recurrence::Recurrence;

/// RFC 5545 §3.1: content lines should not exceed 75 octets, line break excluded.
const MAX_LINE_OCTETS: usize = 75;
const CRLF: &str = "\r\n";
const PRODID: &str = "-//webinar-bot//webinar-bot 1.0//RU";
/// RFC 5545 wants ORGANIZER to be an address; the bot has none to offer, so it names the
/// organiser with a reserved, never-deliverable one (RFC 2606 `.invalid`).
const ORGANIZER_ADDRESS: &str = "mailto:noreply@webinar-bot.invalid";

/// One event as a calendar entry. Text fields are plain text: escaping and folding happen when
/// rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsEvent {
    /// Stable across every update of the event; see [`event_uid`].
    pub uid: String,
    /// Raised on every change, or clients ignore the update.
    pub sequence: u32,
    pub title: String,
    pub description: Option<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The join link, written as `URL` and as `LOCATION` (many clients show only the latter).
    pub url: Option<String>,
    pub organizer_name: Option<String>,
    pub cancelled: bool,
    /// Set when the entry is a series; `start` and `end` are then its first occurrence's.
    pub repeat: Option<IcsRepeat>,
    /// When this file was made.
    pub dtstamp: DateTime<Utc>,
}

/// The repeating part of a series' entry, built by [`IcsEvent::repeating`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsRepeat {
    /// The zone the rule repeats in, written as TZID and VTIMEZONE.
    pub tz: Tz,
    /// The first occurrence as the rule names it on the zone's wall clock. It is written as is
    /// even when a clock change skips or repeats that reading: the time of day drives every later
    /// occurrence, and RFC 5545 §3.3.5 reads such a DTSTART just as the bot does.
    pub first: NaiveDateTime,
    /// The RRULE value, without the `RRULE:` name; UNTIL in UTC.
    pub rule: String,
    /// The end of the last occurrence: the VTIMEZONE covers the series up to there.
    pub last_end: DateTime<Utc>,
    /// The rule's instants of cancelled occurrences.
    pub exdates: Vec<DateTime<Utc>>,
    /// Occurrences that take place at another time, or for another length, than the rule's.
    pub moved: Vec<MovedOccurrence>,
}

/// An occurrence whose start (or length) differs from the rule's: written as an override VEVENT
/// with the series' UID and `RECURRENCE-ID` naming the rule's instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MovedOccurrence {
    pub rule_start: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// An occurrence of a series as the bot has made it: its number in the rule's order, when it
/// takes place, and whether it was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MadeOccurrence {
    pub number: usize,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub cancelled: bool,
}

/// A series' rule and where it starts: the first date (which counts only when it matches the
/// rule), the time of day and the zone, as stored with the series.
#[derive(Debug, Clone, Copy)]
pub struct SeriesRule<'a> {
    pub rule: &'a Recurrence,
    pub first: NaiveDateTime,
    pub tz: Tz,
}

/// The UID of an event's calendar entry: `event-42@webinar-bot`.
pub fn event_uid(id: EventId) -> String {
    format!("event-{id}@webinar-bot")
}

impl IcsEvent {
    /// The whole calendar file: CRLF line endings, lines folded at 75 octets.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for line in self.content_lines() {
            out.push_str(&fold_line(&line));
            out.push_str(CRLF);
        }
        out
    }

    /// This entry as the entry of a whole series: DTSTART moves to the rule's first occurrence
    /// (the duration is kept), the rule and its exceptions are attached, and the occurrences
    /// in `made` that were cancelled or moved become EXDATEs and overrides. An occurrence is
    /// matched to the rule by its number, so a moved one that is then cancelled still removes
    /// the rule's instant. A rule with no occurrence leaves the entry as it is.
    pub fn repeating(mut self, series: SeriesRule<'_>, made: &[MadeOccurrence]) -> IcsEvent {
        let (date, time) = (series.first.date(), series.first.time());
        let starts = series.rule.occurrences(date, time, series.tz);
        let (Some(first_date), Some(first), Some(last)) =
            (series.rule.dates(date).first().copied(), starts.first().copied(), starts.last().copied())
        else {
            return self;
        };
        let duration = self.end - self.start;
        let exdates = made.iter().filter(|m| m.cancelled).filter_map(|m| starts.get(m.number).copied()).collect();
        let moved = made
            .iter()
            .filter(|m| !m.cancelled)
            .filter_map(|m| starts.get(m.number).map(|rule_start| (*rule_start, m)))
            .filter(|(rule_start, m)| *rule_start != m.start || m.end - m.start != duration)
            .map(|(rule_start, m)| MovedOccurrence { rule_start, start: m.start, end: m.end })
            .collect();
        self.start = first;
        self.end = first + duration;
        self.repeat = Some(IcsRepeat {
            tz: series.tz,
            first: first_date.and_time(time),
            rule: series.rule.rrule(&starts),
            last_end: last + duration,
            exdates,
            moved,
        });
        self
    }

    fn content_lines(&self) -> Vec<String> {
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_owned(),
            "VERSION:2.0".to_owned(),
            format!("PRODID:{PRODID}"),
            "CALSCALE:GREGORIAN".to_owned(),
            format!("METHOD:{}", if self.cancelled { "CANCEL" } else { "PUBLISH" }),
        ];
        match &self.repeat {
            None => {
                let times =
                    vec![format!("DTSTART:{}", utc_stamp(self.start)), format!("DTEND:{}", utc_stamp(self.end))];
                lines.extend(self.vevent(times));
            }
            Some(repeat) => {
                let (from, to) = repeat.span(self.start);
                lines.extend(zone::vtimezone(repeat.tz, from, to));
                lines.extend(self.vevent(repeat.master_times(self.end)));
                for moved in &repeat.moved {
                    lines.extend(self.vevent(repeat.override_times(moved)));
                }
            }
        }
        lines.push("END:VCALENDAR".to_owned());
        lines
    }

    /// One VEVENT with this entry's text and the given time properties.
    fn vevent(&self, times: Vec<String>) -> Vec<String> {
        let mut lines = vec![
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}", strip_controls(&self.uid)),
            format!("SEQUENCE:{}", self.sequence),
            format!("DTSTAMP:{}", utc_stamp(self.dtstamp)),
        ];
        lines.extend(times);
        lines.push(format!("SUMMARY:{}", escape_text(&self.title)));
        if let Some(description) = &self.description {
            lines.push(format!("DESCRIPTION:{}", escape_text(description)));
        }
        if let Some(url) = &self.url {
            lines.push(format!("LOCATION:{}", escape_text(url)));
            lines.push(format!("URL:{}", strip_controls(url)));
        }
        if let Some(name) = &self.organizer_name {
            lines.push(format!("ORGANIZER;CN=\"{}\":{ORGANIZER_ADDRESS}", quoted_param(name)));
        }
        let status = if self.cancelled { "CANCELLED" } else { "CONFIRMED" };
        lines.push(format!("STATUS:{status}"));
        lines.push("END:VEVENT".to_owned());
        lines
    }
}

impl IcsRepeat {
    /// From the earliest to the latest instant any line of the entry names.
    fn span(&self, start: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let from = self.moved.iter().map(|m| m.start.min(m.rule_start)).fold(start, DateTime::min);
        let to = self.moved.iter().map(|m| m.end).fold(self.last_end, DateTime::max);
        (from, to)
    }

    fn master_times(&self, end: DateTime<Utc>) -> Vec<String> {
        let tz = self.tz;
        let mut lines = vec![format!("DTSTART;TZID={}:{}", tz.name(), self.first.format(LOCAL_STAMP))];
        lines.push(zoned("DTEND", tz, end));
        lines.push(format!("RRULE:{}", strip_controls(&self.rule)));
        lines.extend(self.exdates.iter().map(|exdate| zoned("EXDATE", tz, *exdate)));
        lines
    }

    fn override_times(&self, moved: &MovedOccurrence) -> Vec<String> {
        vec![
            zoned("RECURRENCE-ID", self.tz, moved.rule_start),
            zoned("DTSTART", self.tz, moved.start),
            zoned("DTEND", self.tz, moved.end),
        ]
    }
}

/// `NAME;TZID=Europe/Berlin:20270316T180000`, or `NAME:20270316T170000Z` when the wall-clock
/// reading names two instants (an hour the clocks repeat): UTC is never misread.
fn zoned(name: &str, tz: Tz, instant: DateTime<Utc>) -> String {
    let local = instant.with_timezone(&tz).naive_local();
    match tz.from_local_datetime(&local).single() {
        Some(_) => format!("{name};TZID={}:{}", tz.name(), local.format(LOCAL_STAMP)),
        None => format!("{name}:{}", utc_stamp(instant)),
    }
}

/// A local date-time value, read with the TZID beside it.
const LOCAL_STAMP: &str = "%Y%m%dT%H%M%S";

/// `20261225T153000Z`
fn utc_stamp(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks.
/// Other control characters are not allowed in TEXT and are dropped.
fn escape_text(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Values that are not TEXT (UID, URI, RRULE) have no escaping; a line break in them would start
/// a new property, so control characters are removed.
fn strip_controls(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).collect()
}

/// A parameter value inside double quotes may hold anything but controls and `"`.
fn quoted_param(value: &str) -> String {
    value.chars().filter(|c| !c.is_control() && *c != '"').collect()
}

/// Folds one content line into pieces of at most 75 octets, joined by CRLF and a space (which
/// counts toward the next piece). Cuts fall only between characters, never inside a UTF-8
/// sequence, so a folded Cyrillic line is still valid UTF-8 line by line.
fn fold_line(line: &str) -> String {
    if line.len() <= MAX_LINE_OCTETS {
        return line.to_owned();
    }
    let mut out = String::with_capacity(line.len() + line.len() / 32 * 3);
    let mut used = 0;
    let mut limit = MAX_LINE_OCTETS;
    for c in line.chars() {
        if used + c.len_utf8() > limit {
            out.push_str(CRLF);
            out.push(' ');
            used = 0;
            limit = MAX_LINE_OCTETS - 1;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out
}

/// A calendar file name for the event, e.g. `event-42.ics`.
pub fn file_name(id: EventId) -> String {
    format!("event-{id}.ics")
}

mod zone;

#[cfg(test)]
mod crosscheck;
#[cfg(test)]
mod tests;
