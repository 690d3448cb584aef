//! Teachers' events: `/new` (the guided dialogue) and `/events` (the life after creation).
//! Listeners' `/events` lists what they are invited to.

pub mod calendar;
pub mod create;
pub mod draft;
pub mod manage;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use teloxide::dispatching::{DpHandlerDescription, UpdateHandler};
use teloxide::prelude::*;
use teloxide::types::UserId;

pub use draft::{EventDraft, Field};

use super::{Asker, BotError, CallbackData, HandlerResult, State};
use crate::domain::event::{EventId, GroupId};
use crate::domain::reminders::ReminderOffset;
use crate::store::Event;

/// Where a chat is in `/new` or in editing an event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum EventStep {
    Title(EventDraft),
    Provider(EventDraft),
    ExternalUrl(EventDraft),
    Date(EventDraft),
    Time(EventDraft),
    Duration(EventDraft),
    Repeat(EventDraft),
    RepeatEnd(EventDraft),
    Description(EventDraft),
    Host(EventDraft),
    HostEmail(EventDraft),
    Options(EventDraft),
    Reminders(EventDraft),
    Audience(EventDraft),
    Summary(EventDraft),
    EditTitle(EventId),
    EditDescription(EventId),
    EditWhen(EventId),
    EditDuration(EventId),
    CopyTo(EventId),
}

impl EventStep {
    pub fn at(field: Field, draft: EventDraft) -> EventStep {
        match field {
            Field::Title => EventStep::Title(draft),
            Field::Provider => EventStep::Provider(draft),
            Field::ExternalUrl => EventStep::ExternalUrl(draft),
            Field::Date => EventStep::Date(draft),
            Field::Time => EventStep::Time(draft),
            Field::Duration => EventStep::Duration(draft),
            Field::Repeat => EventStep::Repeat(draft),
            Field::RepeatEnd => EventStep::RepeatEnd(draft),
            Field::Description => EventStep::Description(draft),
            Field::Host => EventStep::Host(draft),
            Field::HostEmail => EventStep::HostEmail(draft),
            Field::Options => EventStep::Options(draft),
            Field::Reminders => EventStep::Reminders(draft),
            Field::Audience => EventStep::Audience(draft),
            Field::Summary => EventStep::Summary(draft),
        }
    }

    /// The question and the draft of a `/new` step; none for the editing steps.
    pub fn field(&self) -> Option<(Field, &EventDraft)> {
        Some(match self {
            EventStep::Title(d) => (Field::Title, d),
            EventStep::Provider(d) => (Field::Provider, d),
            EventStep::ExternalUrl(d) => (Field::ExternalUrl, d),
            EventStep::Date(d) => (Field::Date, d),
            EventStep::Time(d) => (Field::Time, d),
            EventStep::Duration(d) => (Field::Duration, d),
            EventStep::Repeat(d) => (Field::Repeat, d),
            EventStep::RepeatEnd(d) => (Field::RepeatEnd, d),
            EventStep::Description(d) => (Field::Description, d),
            EventStep::Host(d) => (Field::Host, d),
            EventStep::HostEmail(d) => (Field::HostEmail, d),
            EventStep::Options(d) => (Field::Options, d),
            EventStep::Reminders(d) => (Field::Reminders, d),
            EventStep::Audience(d) => (Field::Audience, d),
            EventStep::Summary(d) => (Field::Summary, d),
            _ => return None,
        })
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
            other if other.starts_with("in") => EventAction::InviteNew(
                other[2..].parse().ok().filter(|d| manage::LINK_EXPIRY_DAYS.contains(d))?,
            ),
            other => EventAction::Reminder(other.strip_prefix('r')?.parse().ok()?),
        };
        Some((id.parse().ok()?, action))
    }
}

/// Adds an item that is missing, removes one that is there.
pub(crate) fn toggle<T: PartialEq>(items: &mut Vec<T>, item: T) {
    match items.iter().position(|i| *i == item) {
        Some(at) => {
            items.remove(at);
        }
        None => items.push(item),
    }
}

/// Switches one reminder, keeping the list earliest first.
pub(crate) fn toggle_reminder(reminders: &mut Vec<ReminderOffset>, offset: ReminderOffset) {
    toggle(reminders, offset);
    reminders.sort_by_key(|o| std::cmp::Reverse(o.duration()));
}

/// A label with a tick when its choice is on.
pub(crate) fn ticked(on: bool, label: String) -> String {
    if on { format!("✅ {label}") } else { label }
}

/// The reminder choices as ticked buttons, two a row, the earliest first.
pub(crate) fn reminder_rows(
    lang: crate::i18n::Lang,
    chosen: &[ReminderOffset],
    data: impl Fn(ReminderOffset) -> CallbackData,
) -> Vec<Vec<teloxide::types::InlineKeyboardButton>> {
    let buttons: Vec<_> = ReminderOffset::ALL
        .iter()
        .rev()
        .map(|offset| {
            let label = ticked(chosen.contains(offset), crate::i18n::tr(lang, &format!("reminder-label-{offset}")));
            crate::bot::keyboards::button(label, data(*offset))
        })
        .collect();
    buttons.chunks(2).map(<[_]>::to_vec).collect()
}

/// Whether the asker may manage an event: its teacher, its host, or an administrator — checked
/// at every press, so a revoked teacher's old buttons stop working.
pub fn may_manage(asker: &Asker, event: &Event) -> bool {
    let user = asker.user.id;
    asker.user.role.is_admin()
        || (asker.user.role.can_create_events() && (event.owner_id == user || event.host_id == Some(user)))
}

/// The message branches of `/new` and of editing, one `case!` per step.
pub fn message_steps() -> dptree::Handler<'static, HandlerResult, DpHandlerDescription> {
    use dptree::case;
    case![State::Event(step)]
        .branch(case![EventStep::Title(draft)].endpoint(create::receive_title))
        .branch(case![EventStep::ExternalUrl(draft)].endpoint(create::receive_external_url))
        .branch(case![EventStep::Date(draft)].endpoint(create::receive_date))
        .branch(case![EventStep::Time(draft)].endpoint(create::receive_time))
        .branch(case![EventStep::Duration(draft)].endpoint(create::receive_duration))
        .branch(case![EventStep::RepeatEnd(draft)].endpoint(create::receive_repeat_end))
        .branch(case![EventStep::Description(draft)].endpoint(create::receive_description))
        .branch(case![EventStep::HostEmail(draft)].endpoint(create::receive_host_email))
        .branch(case![EventStep::EditTitle(id)].endpoint(manage::receive_title))
        .branch(case![EventStep::EditDescription(id)].endpoint(manage::receive_description))
        .branch(case![EventStep::EditWhen(id)].endpoint(manage::receive_when))
        .branch(case![EventStep::EditDuration(id)].endpoint(manage::receive_duration))
        .branch(case![EventStep::CopyTo(id)].endpoint(manage::receive_copy_date))
        .endpoint(create::use_the_buttons)
}

/// The callback branches: presses in `/new`, on teachers' event cards and on the event list.
pub fn callbacks() -> UpdateHandler<BotError> {
    use dptree::case;
    dptree::entry()
        .branch(case![CallbackData::New(action)].endpoint(create::press))
        .branch(case![CallbackData::Event(event, action)].endpoint(manage::press))
        .branch(case![CallbackData::EventList(page)].endpoint(manage::list_page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_within_telegrams_limit() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        let news = [
            NewAction::Noop,
            NewAction::Back,
            NewAction::Provider(i64::MAX),
            NewAction::Month(2026, 12),
            NewAction::Day(day),
            NewAction::Duration(90),
            NewAction::Repeat(RepeatChoice::Fortnightly),
            NewAction::Weekday(chrono::Weekday::Sun),
            NewAction::Skip,
            NewAction::Host(UserId(u64::MAX)),
            NewAction::Toggle(OptionToggle::ZoomType),
            NewAction::Reminder(ReminderOffset::Days4),
            NewAction::Group(GroupId(i64::MAX)),
            NewAction::EventLink,
            NewAction::Done,
            NewAction::Edit(Field::Audience),
            NewAction::Confirm,
            NewAction::Abort,
        ];
        for action in news {
            let encoded = action.encode();
            assert!(encoded.len() <= 64, "{encoded}");
            assert_eq!(NewAction::parse(encoded.strip_prefix("nw:").unwrap()), Some(action), "{encoded}");
        }
        let id = EventId(i64::MAX);
        for action in [EventAction::Open, EventAction::Reminder(ReminderOffset::Minutes15), EventAction::InviteLink] {
            let encoded = action.encode(id);
            assert!(encoded.len() <= 64);
            assert_eq!(EventAction::parse(encoded.strip_prefix("ev:").unwrap()), Some((id, action)));
        }
    }

    #[test]
    fn forged_actions_are_rejected() {
        for bad in ["", "zz", "p:x", "m:2026", "d:20261332", "e:q", "r:9y", "h:-1"] {
            assert_eq!(NewAction::parse(bad), None, "{bad}");
        }
        for bad in ["", "1", "x:o", "1:zz", "1:r9y"] {
            assert_eq!(EventAction::parse(bad), None, "{bad}");
        }
    }
}
