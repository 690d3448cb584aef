//! Teachers' events: `/new` (the guided dialogue) and `/events` (the life after creation).
//! Listeners' `/events` lists what they are invited to.

pub mod attendance;
pub mod calendar;
pub mod card;
pub mod copy;
pub mod create;
pub mod draft;
pub mod edit;
pub mod invite_link;
pub mod list;
pub mod press;
pub mod publish;
pub mod reports;

use serde::{Deserialize, Serialize};

pub use crate::callback::events::{
    EventAction, Field, FileFormat, LINK_EXPIRY_DAYS, NewAction, OptionToggle, RepeatChoice,
};
pub use draft::EventDraft;

use super::CallbackData;
use crate::domain::event::EventId;
use crate::domain::reminders::ReminderOffset;
use teloxide::types::MessageId;

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
    EditTitle(Editing),
    EditDescription(Editing),
    EditWhen(Editing),
    EditDuration(Editing),
    CopyTo(Editing),
}

/// A typed change to a saved event: which event, and the prompt that asked for it (whose
/// buttons go once the answer is typed).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "EditingStored")]
pub struct Editing {
    pub event: EventId,
    pub prompt: Option<MessageId>,
}

/// States stored before prompts were remembered hold the bare event id; they still read.
#[derive(Deserialize)]
#[serde(untagged)]
enum EditingStored {
    Now { event: EventId, prompt: Option<MessageId> },
    Before(EventId),
}

impl From<EditingStored> for Editing {
    fn from(stored: EditingStored) -> Self {
        match stored {
            EditingStored::Now { event, prompt } => Editing { event, prompt },
            EditingStored::Before(event) => Editing { event, prompt: None },
        }
    }
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

    /// The message showing this step's question or prompt, if the state knows it.
    pub fn question(&self) -> Option<MessageId> {
        match self {
            EventStep::EditTitle(e)
            | EventStep::EditDescription(e)
            | EventStep::EditWhen(e)
            | EventStep::EditDuration(e)
            | EventStep::CopyTo(e) => e.prompt,
            step => step.field().and_then(|(_, draft)| draft.question),
        }
    }

    /// The saved event this step changes, if it is a typed edit.
    pub fn editing(&self) -> Option<EventId> {
        match self {
            EventStep::EditTitle(e)
            | EventStep::EditDescription(e)
            | EventStep::EditWhen(e)
            | EventStep::EditDuration(e)
            | EventStep::CopyTo(e) => Some(e.event),
            _ => None,
        }
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

/// The reminder choices as ticked buttons, two a row, the earliest first. A chosen one whose
/// moment has passed (`missed`) shows an hourglass, not a tick: it will not be sent.
pub(crate) fn reminder_rows(
    lang: crate::i18n::Lang,
    chosen: &[ReminderOffset],
    missed: &[ReminderOffset],
    data: impl Fn(ReminderOffset) -> CallbackData,
) -> Vec<Vec<teloxide::types::InlineKeyboardButton>> {
    let buttons: Vec<_> = ReminderOffset::ALL
        .iter()
        .rev()
        .map(|offset| {
            let name = crate::i18n::tr(lang, &format!("reminder-label-{offset}"));
            let label = if missed.contains(offset) && chosen.contains(offset) {
                format!("⌛ {name}")
            } else {
                ticked(chosen.contains(offset), name)
            };
            crate::bot::keyboards::button(label, data(*offset))
        })
        .collect();
    buttons.chunks(2).map(<[_]>::to_vec).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use teloxide::types::UserId;

    use crate::domain::event::GroupId;

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
            NewAction::DropMissed,
            NewAction::Confirm,
            NewAction::Abort,
        ];
        for action in news {
            let encoded = action.encode();
            assert!(encoded.len() <= 64, "{encoded}");
            assert_eq!(NewAction::parse(encoded.strip_prefix("nw:").unwrap()), Some(action), "{encoded}");
        }
        let id = EventId(i64::MAX);
        for action in [
            EventAction::Open,
            EventAction::Reminder(ReminderOffset::Minutes15),
            EventAction::InviteLink,
            EventAction::Attendance,
            EventAction::AttendanceFile(FileFormat::Xlsx),
            EventAction::AttendanceFile(FileFormat::Csv),
            EventAction::SeriesAttendance,
            EventAction::SeriesAttendanceFile(FileFormat::Xlsx),
            EventAction::SeriesAttendanceFile(FileFormat::Csv),
        ] {
            let encoded = action.encode(id);
            assert!(encoded.len() <= 64);
            assert_eq!(EventAction::parse(encoded.strip_prefix("ev:").unwrap()), Some((id, action)));
        }
    }

    #[test]
    fn an_edit_stored_before_prompts_were_kept_still_reads() {
        let old: EventStep = serde_json::from_str(r#"{"EditWhen":7}"#).unwrap();
        assert_eq!(old, EventStep::EditWhen(Editing { event: EventId(7), prompt: None }));
        let now = EventStep::EditWhen(Editing { event: EventId(7), prompt: Some(MessageId(12)) });
        let json = serde_json::to_string(&now).unwrap();
        assert_eq!(serde_json::from_str::<EventStep>(&json).unwrap(), now);
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
