//! Callback data of `/new` (prefix `nw:`) and of a teacher's event card (`ev:`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use teloxide::types::UserId;

use crate::domain::event::{EventId, GroupId};
use crate::domain::reminders::ReminderOffset;

/// Expiry choices for a new event link, in days; 0 is none.
pub const LINK_EXPIRY_DAYS: [u16; 4] = [0, 1, 7, 30];

/// The questions of `/new`, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Title,
    Provider,
    ExternalUrl,
    Date,
    Time,
    Duration,
    Repeat,
    RepeatEnd,
    Description,
    Host,
    HostEmail,
    Options,
    Reminders,
    Audience,
    Summary,
}

impl Field {
    pub const ORDER: [Field; 15] = [
        Field::Title,
        Field::Provider,
        Field::ExternalUrl,
        Field::Date,
        Field::Time,
        Field::Duration,
        Field::Repeat,
        Field::RepeatEnd,
        Field::Description,
        Field::Host,
        Field::HostEmail,
        Field::Options,
        Field::Reminders,
        Field::Audience,
        Field::Summary,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Field::Title => "t",
            Field::Provider => "p",
            Field::ExternalUrl => "x",
            Field::Date => "d",
            Field::Time => "h",
            Field::Duration => "u",
            Field::Repeat => "rp",
            Field::RepeatEnd => "re",
            Field::Description => "s",
            Field::Host => "o",
            Field::HostEmail => "e",
            Field::Options => "c",
            Field::Reminders => "r",
            Field::Audience => "a",
            Field::Summary => "y",
        }
    }

    pub fn from_code(code: &str) -> Option<Field> {
        Field::ORDER.into_iter().find(|f| f.code() == code)
    }
}

/// Presses inside `/new`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NewAction {
    /// A label cell of the calendar.
    Noop,
    Back,
    Provider(i64),
    Month(i32, u32),
    Day(NaiveDate),
    Duration(u32),
    Repeat(RepeatChoice),
    Weekday(chrono::Weekday),
    Skip,
    Host(UserId),
    Toggle(OptionToggle),
    Reminder(ReminderOffset),
    Group(GroupId),
    EventLink,
    Done,
    Edit(Field),
    /// Drop the chosen reminders whose moment has passed for the chosen start.
    DropMissed,
    Confirm,
    /// Leave `/new`, as `/cancel` does.
    Abort,
}

/// The repeat buttons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepeatChoice {
    Once,
    Weekly,
    Fortnightly,
    Daily,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionToggle {
    LiveStream,
    WaitingRoom,
    ZoomType,
}

impl NewAction {
    pub fn encode(&self) -> String {
        match self {
            NewAction::Noop => "nw:_".into(),
            NewAction::Back => "nw:b".into(),
            NewAction::Provider(id) => format!("nw:p:{id}"),
            NewAction::Month(year, month) => format!("nw:m:{year:04}{month:02}"),
            NewAction::Day(day) => format!("nw:d:{}", day.format("%Y%m%d")),
            NewAction::Duration(minutes) => format!("nw:u:{minutes}"),
            NewAction::Repeat(choice) => format!(
                "nw:rp:{}",
                match choice {
                    RepeatChoice::Once => "0",
                    RepeatChoice::Weekly => "w",
                    RepeatChoice::Fortnightly => "w2",
                    RepeatChoice::Daily => "d",
                }
            ),
            NewAction::Weekday(day) => format!("nw:wd:{}", day.num_days_from_monday()),
            NewAction::Skip => "nw:s".into(),
            NewAction::Host(user) => format!("nw:h:{}", user.0),
            NewAction::Toggle(OptionToggle::LiveStream) => "nw:o:ls".into(),
            NewAction::Toggle(OptionToggle::WaitingRoom) => "nw:o:wr".into(),
            NewAction::Toggle(OptionToggle::ZoomType) => "nw:o:zt".into(),
            NewAction::Reminder(offset) => format!("nw:r:{offset}"),
            NewAction::Group(group) => format!("nw:g:{group}"),
            NewAction::EventLink => "nw:l".into(),
            NewAction::Done => "nw:ok".into(),
            NewAction::Edit(field) => format!("nw:e:{}", field.code()),
            NewAction::DropMissed => "nw:dm".into(),
            NewAction::Confirm => "nw:go".into(),
            NewAction::Abort => "nw:x".into(),
        }
    }

    /// Parses what follows `nw:`.
    pub fn parse(rest: &str) -> Option<NewAction> {
        let (kind, value) = rest.split_once(':').unwrap_or((rest, ""));
        Some(match (kind, value) {
            ("_", "") => NewAction::Noop,
            ("b", "") => NewAction::Back,
            ("p", id) => NewAction::Provider(id.parse().ok()?),
            // `get`, not indexing: forged data may put a character across the split.
            ("m", ym) if ym.len() == 6 => NewAction::Month(ym.get(..4)?.parse().ok()?, ym.get(4..)?.parse().ok()?),
            ("d", day) => NewAction::Day(NaiveDate::parse_from_str(day, "%Y%m%d").ok()?),
            ("u", minutes) => NewAction::Duration(minutes.parse().ok()?),
            ("rp", "0") => NewAction::Repeat(RepeatChoice::Once),
            ("rp", "w") => NewAction::Repeat(RepeatChoice::Weekly),
            ("rp", "w2") => NewAction::Repeat(RepeatChoice::Fortnightly),
            ("rp", "d") => NewAction::Repeat(RepeatChoice::Daily),
            ("wd", day) => NewAction::Weekday(chrono::Weekday::try_from(day.parse::<u8>().ok()?).ok()?),
            ("s", "") => NewAction::Skip,
            ("h", user) => NewAction::Host(UserId(user.parse().ok()?)),
            ("o", "ls") => NewAction::Toggle(OptionToggle::LiveStream),
            ("o", "wr") => NewAction::Toggle(OptionToggle::WaitingRoom),
            ("o", "zt") => NewAction::Toggle(OptionToggle::ZoomType),
            ("r", offset) => NewAction::Reminder(offset.parse().ok()?),
            ("g", group) => NewAction::Group(group.parse().ok()?),
            ("l", "") => NewAction::EventLink,
            ("ok", "") => NewAction::Done,
            ("e", field) => NewAction::Edit(Field::from_code(field)?),
            ("dm", "") => NewAction::DropMissed,
            ("go", "") => NewAction::Confirm,
            ("x", "") => NewAction::Abort,
            _ => return None,
        })
    }
}

/// Presses on a teacher's event card.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EventAction {
    Open,
    Edit,
    EditTitle,
    EditDescription,
    EditWhen,
    EditDuration,
    Reminder(ReminderOffset),
    NewLink,
    RemoveLink,
    Cancel,
    CancelConfirmed,
    CancelSeries,
    CancelSeriesConfirmed,
    Copy,
    DeleteDraft,
    Retry,
    Answers,
    Nudge,
    Missed,
    /// "New invitation link": asks for the new link's expiry.
    InviteLink,
    /// Makes the new link, expiring after this many days (0: never), revoking the old ones.
    InviteNew(u16),
    /// Revokes every invitation link of the event.
    InviteRevoke,
    /// The class's attendance report.
    Attendance,
    /// The class's attendance as a file.
    AttendanceFile(FileFormat),
    /// The attendance of the series the class belongs to, with its chart.
    SeriesAttendance,
    SeriesAttendanceFile(FileFormat),
}

/// The spreadsheet formats a report downloads as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Xlsx,
    Csv,
}

impl EventAction {
    pub fn encode(&self, id: EventId) -> String {
        let action = match self {
            EventAction::Open => "o".to_owned(),
            EventAction::Edit => "e".to_owned(),
            EventAction::EditTitle => "et".to_owned(),
            EventAction::EditDescription => "ed".to_owned(),
            EventAction::EditWhen => "ew".to_owned(),
            EventAction::EditDuration => "eu".to_owned(),
            EventAction::Reminder(offset) => format!("r{offset}"),
            EventAction::NewLink => "nl".to_owned(),
            EventAction::RemoveLink => "rl".to_owned(),
            EventAction::Cancel => "c".to_owned(),
            EventAction::CancelConfirmed => "cy".to_owned(),
            EventAction::CancelSeries => "cs".to_owned(),
            EventAction::CancelSeriesConfirmed => "csy".to_owned(),
            EventAction::Copy => "cp".to_owned(),
            EventAction::DeleteDraft => "dd".to_owned(),
            EventAction::Retry => "rt".to_owned(),
            EventAction::Answers => "a".to_owned(),
            EventAction::Nudge => "n".to_owned(),
            EventAction::Missed => "m".to_owned(),
            EventAction::InviteLink => "il".to_owned(),
            EventAction::InviteNew(days) => format!("in{days}"),
            EventAction::InviteRevoke => "ir".to_owned(),
            EventAction::Attendance => "at".to_owned(),
            EventAction::AttendanceFile(FileFormat::Xlsx) => "atx".to_owned(),
            EventAction::AttendanceFile(FileFormat::Csv) => "atc".to_owned(),
            EventAction::SeriesAttendance => "st".to_owned(),
            EventAction::SeriesAttendanceFile(FileFormat::Xlsx) => "stx".to_owned(),
            EventAction::SeriesAttendanceFile(FileFormat::Csv) => "stc".to_owned(),
        };
        format!("ev:{id}:{action}")
    }

    /// Parses what follows `ev:`.
    pub fn parse(rest: &str) -> Option<(EventId, EventAction)> {
        let (id, action) = rest.split_once(':')?;
        let action = match action {
            "o" => EventAction::Open,
            "e" => EventAction::Edit,
            "et" => EventAction::EditTitle,
            "ed" => EventAction::EditDescription,
            "ew" => EventAction::EditWhen,
            "eu" => EventAction::EditDuration,
            "nl" => EventAction::NewLink,
            "rl" => EventAction::RemoveLink,
            "c" => EventAction::Cancel,
            "cy" => EventAction::CancelConfirmed,
            "cs" => EventAction::CancelSeries,
            "csy" => EventAction::CancelSeriesConfirmed,
            "cp" => EventAction::Copy,
            "dd" => EventAction::DeleteDraft,
            "rt" => EventAction::Retry,
            "a" => EventAction::Answers,
            "n" => EventAction::Nudge,
            "m" => EventAction::Missed,
            "il" => EventAction::InviteLink,
            "ir" => EventAction::InviteRevoke,
            "at" => EventAction::Attendance,
            "atx" => EventAction::AttendanceFile(FileFormat::Xlsx),
            "atc" => EventAction::AttendanceFile(FileFormat::Csv),
            "st" => EventAction::SeriesAttendance,
            "stx" => EventAction::SeriesAttendanceFile(FileFormat::Xlsx),
            "stc" => EventAction::SeriesAttendanceFile(FileFormat::Csv),
            other if other.starts_with("in") => {
                EventAction::InviteNew(other[2..].parse().ok().filter(|d| LINK_EXPIRY_DAYS.contains(d))?)
            }
            other => EventAction::Reminder(other.strip_prefix('r')?.parse().ok()?),
        };
        Some((id.parse().ok()?, action))
    }
}
