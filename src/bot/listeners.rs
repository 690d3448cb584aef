//! What listener groups, joining and profiles share: the dialogue steps, the hooks into the
//! delivery engine, and small helpers for answering buttons and reading typed lines.

use serde::{Deserialize, Serialize};
use teloxide::dispatching::dialogue::{Dialogue, Storage};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, MessageId};

use super::screen::{self, Place, Screen};
use super::{AppBot, Asker, BotDialogue, Ctx, HandlerResult, State};
use crate::domain::event::{EventId, GroupId};
use crate::domain::group::LineError;
use crate::i18n::{Lang, tr, tr_error};

/// The steps of the listener-group dialogues, inside `State::Listener`. Stored as JSON: add
/// variants, never rename them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ListenerStep {
    /// A teacher types a group's name: a new group when `group` is None, else a new name for it.
    GroupName {
        group: Option<GroupId>,
        /// The prompt, whose Back button goes once the name is typed.
        #[serde(default)]
        prompt: Option<MessageId>,
    },
    /// A listener types their full name; `first_join` continues with the organisation.
    FullName {
        first_join: bool,
        /// The first-join question, whose Skip button goes once the answer is typed.
        #[serde(default)]
        question: Option<MessageId>,
    },
    /// A listener types their organisation.
    Organisation {
        first_join: bool,
        #[serde(default)]
        question: Option<MessageId>,
    },
    /// A listener types their e-mail, from `/settings`.
    Email,
}

impl ListenerStep {
    /// The message showing this step's question, if the state remembers it.
    pub fn question(&self) -> Option<MessageId> {
        match self {
            ListenerStep::GroupName { prompt, .. } => *prompt,
            ListenerStep::FullName { question, .. } | ListenerStep::Organisation { question, .. } => *question,
            ListenerStep::Email => None,
        }
    }
}

/// A person (or a linked group chat) joined: the delivery engine sends them, and only them, the
/// invitations of these upcoming events.
pub async fn notify_delivery_of_join(ctx: &Ctx, events: &[EventId], chat: ChatId) -> HandlerResult {
    for event in events {
        let queued = ctx.delivery.plan_listener(*event, chat).await?;
        tracing::info!(event = event.get(), chat = chat.0, queued, "a new listener is planned in");
    }
    Ok(())
}

/// Who an event reaches changed for many at once (a group chat unlinked: its members are now
/// reached one by one): everyone who lacks the invitation gets it.
pub async fn notify_delivery_of_audience(ctx: &Ctx, events: &[EventId]) -> HandlerResult {
    for event in events {
        let queued = ctx.delivery.plan_event(*event).await?;
        tracing::info!(event = event.get(), queued, "the audience changed; planned anew");
    }
    Ok(())
}

/// A person (or a chat) no longer listens to these events: the delivery engine drops what it had
/// queued for them.
pub async fn notify_delivery_of_leave(ctx: &Ctx, events: &[EventId], chat: ChatId) -> HandlerResult {
    for event in events {
        let dropped = ctx.delivery.drop_recipient(*event, chat).await?;
        tracing::info!(event = event.get(), chat = chat.0, dropped, "a listener left");
    }
    Ok(())
}

/// After a person left a group: of that group's upcoming events, drops those they no longer
/// reach through another group or the event's own link.
pub async fn drop_unreached(ctx: &Ctx, user: UserId, events: &[EventId]) -> HandlerResult {
    let mut gone = Vec::new();
    for event in events {
        if !ctx.groups.reaches_event(user, *event).await? {
            gone.push(*event);
        }
    }
    notify_delivery_of_leave(ctx, &gone, ChatId(user.0 as i64)).await
}

/// The dialogue of a private chat, for flows entered from `/start`, whose handler has none.
pub fn dialogue_for(ctx: &Ctx, chat: ChatId) -> BotDialogue {
    Dialogue::new(Storage::<State>::erase(ctx.dialogues.clone()), chat)
}

/// Answers the button and shows `text` in place of the message it sits under (or as a new
/// message when that one is gone).
pub async fn show(bot: &AppBot, q: &CallbackQuery, text: String, markup: InlineKeyboardMarkup) -> HandlerResult {
    bot.answer_callback_query(q.id.clone()).await?;
    replace(bot, q, text, markup).await
}

/// Like `show` for a callback already answered. A message Telegram will not edit (too old, or
/// gone) gets the screen as a new message instead (`screen::show`).
pub async fn replace(bot: &AppBot, q: &CallbackQuery, text: String, markup: InlineKeyboardMarkup) -> HandlerResult {
    let (chat, place) = match q.regular_message() {
        Some(message) => (message.chat.id, Place::Over(message.id)),
        None => (ChatId(q.from.id.0 as i64), Place::Below(None)),
    };
    screen::show(bot, chat, place, Screen::new(text, markup)).await?;
    Ok(())
}

/// Answers a button with a short alert and changes nothing.
pub async fn alert(bot: &AppBot, q: &CallbackQuery, lang: Lang, key: &str) -> HandlerResult {
    bot.answer_callback_query(q.id.clone()).text(tr(lang, key)).show_alert(true).await?;
    Ok(())
}

/// The typed line of a dialogue step, or a polite reason why there is none (a photo, a command).
pub async fn typed_line<'m>(bot: &AppBot, msg: &'m Message, asker: &Asker) -> Result<Option<&'m str>, super::BotError> {
    let lang = asker.lang();
    let key = match msg.text() {
        None => "listeners-need-text",
        Some(text) if text.trim_start().starts_with('/') => "listeners-not-a-command",
        Some(text) => return Ok(Some(text)),
    };
    bot.send_message(msg.chat.id, tr(lang, key)).await?;
    Ok(None)
}

/// Explains why a typed line was refused; the step stays open.
pub async fn explain(bot: &AppBot, msg: &Message, lang: Lang, err: LineError) -> HandlerResult {
    bot.send_message(msg.chat.id, tr_error(lang, &err)).await?;
    Ok(())
}

/// Cuts a stored text for a list line, so a page of long names stays under Telegram's limit.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max { text.to_owned() } else { text.chars().take(max - 1).chain(['…']).collect() }
}
