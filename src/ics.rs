//! Calendar files (RFC 5545) for events, sent to listeners as `.ics` documents.
//!
//! Calendar clients match updates by `UID` and apply them only when `SEQUENCE` grows, so every
//! change of an event must render with the same UID and a higher sequence; a cancellation is
//! `METHOD:CANCEL` with `STATUS:CANCELLED`. All times are written in UTC (`...Z`), so no
//! `VTIMEZONE` block is needed and clients show them in the reader's own zone.

use chrono::{DateTime, Utc};

use crate::domain::event::EventId;

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
    /// An RRULE value such as `FREQ=WEEKLY;COUNT=10`, without the `RRULE:` name.
    pub recurrence: Option<String>,
    /// Occurrences removed from the recurrence.
    pub exdates: Vec<DateTime<Utc>>,
    /// When this file was made.
    pub dtstamp: DateTime<Utc>,
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

    fn content_lines(&self) -> Vec<String> {
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_owned(),
            "VERSION:2.0".to_owned(),
            format!("PRODID:{PRODID}"),
            "CALSCALE:GREGORIAN".to_owned(),
            format!("METHOD:{}", if self.cancelled { "CANCEL" } else { "PUBLISH" }),
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}", strip_controls(&self.uid)),
            format!("SEQUENCE:{}", self.sequence),
            format!("DTSTAMP:{}", utc_stamp(self.dtstamp)),
            format!("DTSTART:{}", utc_stamp(self.start)),
            format!("DTEND:{}", utc_stamp(self.end)),
        ];
        lines.extend(self.recurrence_lines());
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
        lines.push("END:VCALENDAR".to_owned());
        lines
    }

    fn recurrence_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(rule) = &self.recurrence {
            let rule = rule.trim();
            let rule = rule.strip_prefix("RRULE:").unwrap_or(rule);
            lines.push(format!("RRULE:{}", strip_controls(rule)));
        }
        for exdate in &self.exdates {
            lines.push(format!("EXDATE:{}", utc_stamp(*exdate)));
        }
        lines
    }
}

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

#[cfg(test)]
mod tests;
