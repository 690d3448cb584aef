//! Teachers' events: `/new` (the guided dialogue) and `/events` (the life after creation).
//! Listeners' `/events` lists what they are invited to.

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
use teloxide::dispatching::{DpHandlerDescription, UpdateHandler};
use teloxide::prelude::*;

pub use crate::callback::events::{EventAction, Field, LINK_EXPIRY_DAYS, NewAction, OptionToggle, RepeatChoice};
pub use draft::EventDraft;

use super::{Asker, BotError, CallbackData, HandlerResult, State};
use crate::domain::event::EventId;
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
        .branch(case![EventStep::EditTitle(id)].endpoint(edit::receive_title))
        .branch(case![EventStep::EditDescription(id)].endpoint(edit::receive_description))
        .branch(case![EventStep::EditWhen(id)].endpoint(edit::receive_when))
        .branch(case![EventStep::EditDuration(id)].endpoint(edit::receive_duration))
        .branch(case![EventStep::CopyTo(id)].endpoint(copy::receive_copy_date))
        .endpoint(create::use_the_buttons)
}

/// The callback branches: presses in `/new`, on teachers' event cards and on the event list.
pub fn callbacks() -> UpdateHandler<BotError> {
    use dptree::case;
    dptree::entry()
        .branch(case![CallbackData::New(action)].endpoint(create::press))
        .branch(case![CallbackData::Event(event, action)].endpoint(press::press))
        .branch(case![CallbackData::EventList(page)].endpoint(list::list_page))
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
