//! A class's or a series' attendance as the teacher reads it: in the chat, in a spreadsheet, in
//! a chart. Built by the service from stored rows; every output renders this one model, so the
//! chat and the files cannot disagree.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::attendance::{MatchedBy, Presence, Unavailable};

/// What the numbers of a class come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// The service's participant report.
    Report,
    /// Presses of the bot's Join button (the service has no report).
    Presses,
    /// Nothing: the report has not come yet.
    Waiting,
    /// Nothing, and nothing will come, for this reason.
    Nothing(Unavailable),
    /// Nothing: the service was asked for a day and a half after the class and gave no report.
    NoReport,
    /// Nothing: the service has no report and the Join button cannot count (no `PUBLIC_URL`).
    PressesNotCounted,
}

/// One listener's line in a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Attended(Presence),
    /// Pressed Join; whether they stayed, nobody can say.
    Pressed {
        at: DateTime<Utc>,
    },
    Absent,
    /// Not known: the class has no numbers (see [`Counted`]).
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    pub organisation: Option<String>,
    pub status: Status,
    pub matched_by: Option<MatchedBy>,
}

/// A participant of the report who matched no listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stranger {
    pub name: String,
    pub email: Option<String>,
    pub minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassReport {
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The teacher's zone: times in the files are written on their clock.
    pub tz: Tz,
    pub counted: Counted,
    /// Listeners by name.
    pub rows: Vec<Row>,
    pub strangers: Vec<Stranger>,
}

/// One class of a series, as a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesClass {
    pub starts_at: DateTime<Utc>,
    pub counted: Counted,
    /// Listeners who attended (or pressed Join, where presses are what is counted).
    pub present: usize,
    pub invited: usize,
}

/// A listener across a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesRow {
    pub name: String,
    pub organisation: Option<String>,
    /// One per class of [`SeriesReport::classes`]; `None` where the listener was not invited.
    pub marks: Vec<Option<Status>>,
    /// Classes attended, of those counted that the listener was invited to.
    pub present: usize,
    pub counted: usize,
    /// `present` of `counted`, in whole per cent.
    pub share: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesReport {
    pub title: String,
    pub tz: Tz,
    /// Oldest first.
    pub classes: Vec<SeriesClass>,
    pub rows: Vec<SeriesRow>,
}
