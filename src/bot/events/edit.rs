//! Typed edits of an event: title, description, start, duration.

use super::Editing;
use super::card::send_card;
use super::press::failure;
use crate::bot::guards::manages_event;
use crate::bot::reply::{explain, typed};
use crate::bot::screen::strip;
use crate::bot::{AppBot, Asker, BotDialogue, BotError, HandlerResult, SharedCtx};
use crate::domain::event::{Description, EventDuration, EventStatus, EventTitle};
use crate::domain::time_input::{DateOrDateTime, check_not_past, parse_date_time, resolve_local};
use crate::i18n::{provider_error, text, tr, tr_args, tr_error};
use crate::store::Event;
use std::str::FromStr;
use teloxide::prelude::*;

// ---- typed edits ----

/// Loads an event the asker may still manage; otherwise says so and leaves the edit.
pub(crate) async fn editable(
    bot: &AppBot,
    msg: &Message,
    asker: &Asker,
    ctx: &SharedCtx,
    dialogue: &BotDialogue,
    editing: Editing,
) -> Result<Option<Event>, BotError> {
    match ctx.events.get(editing.event).await? {
        Some(event) if manages_event(asker, &event) && event.status != EventStatus::Cancelled => Ok(Some(event)),
        _ => {
            dialogue.reset().await?;
            answered(bot, msg.chat.id, editing).await;
            bot.send_message(msg.chat.id, tr(asker.lang(), "event-not-yours")).await?;
            Ok(None)
        }
    }
}

pub async fn receive_title(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    editing: Editing,
) -> HandlerResult {
    let Some(answer) = typed(&bot, &msg, &asker, "event-send-text").await? else { return Ok(()) };
    let Some(event) = editable(&bot, &msg, &asker, &ctx, &dialogue, editing).await? else { return Ok(()) };
    let id = editing.event;
    let title = match EventTitle::parse(answer) {
        Ok(title) => title,
        Err(err) => return explain(&bot, &msg, &asker, &err).await,
    };
    ctx.events.retitle(id, title.as_str(), event.description.as_deref(), ctx.clock.now()).await?;
    saved(&bot, &msg, &asker, &ctx, &dialogue, editing).await
}

pub async fn receive_description(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    editing: Editing,
) -> HandlerResult {
    let Some(answer) = typed(&bot, &msg, &asker, "event-send-text").await? else { return Ok(()) };
    let Some(event) = editable(&bot, &msg, &asker, &ctx, &dialogue, editing).await? else { return Ok(()) };
    let id = editing.event;
    // A lone dash clears the description.
    let description = if answer.trim() == "-" { Ok(None) } else { Description::parse(answer) };
    let description = match description {
        Ok(description) => description.map(Description::into_inner),
        Err(err) => return explain(&bot, &msg, &asker, &err).await,
    };
    ctx.events.retitle(id, &event.title, description.as_deref(), ctx.clock.now()).await?;
    saved(&bot, &msg, &asker, &ctx, &dialogue, editing).await
}

pub async fn receive_when(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    editing: Editing,
) -> HandlerResult {
    let Some(answer) = typed(&bot, &msg, &asker, "event-send-text").await? else { return Ok(()) };
    let Some(event) = editable(&bot, &msg, &asker, &ctx, &dialogue, editing).await? else { return Ok(()) };
    let id = editing.event;
    let start = match typed_start(&asker, &ctx, answer) {
        Ok(start) => start,
        Err(explanation) => {
            bot.send_message(msg.chat.id, explanation).await?;
            return Ok(());
        }
    };
    ctx.events.reschedule(id, start, event.duration_min, ctx.clock.now()).await?;
    saved(&bot, &msg, &asker, &ctx, &dialogue, editing).await
}

pub async fn receive_duration(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    editing: Editing,
) -> HandlerResult {
    let Some(answer) = typed(&bot, &msg, &asker, "event-send-text").await? else { return Ok(()) };
    let Some(event) = editable(&bot, &msg, &asker, &ctx, &dialogue, editing).await? else { return Ok(()) };
    let id = editing.event;
    let duration = match EventDuration::from_str(answer) {
        Ok(duration) => duration,
        Err(err) => return explain(&bot, &msg, &asker, &err).await,
    };
    ctx.events.reschedule(id, event.starts_at, duration.minutes(), ctx.clock.now()).await?;
    saved(&bot, &msg, &asker, &ctx, &dialogue, editing).await
}

/// The prompt of a typed change loses its way back once the change is typed.
pub(crate) async fn answered(bot: &AppBot, chat: ChatId, editing: Editing) {
    if let Some(prompt) = editing.prompt {
        strip(bot, chat, prompt).await;
    }
}

/// A typed new start ("25.12 18:30", "завтра 18:00"), checked, or the explanation.
pub(crate) fn typed_start(
    asker: &Asker,
    ctx: &SharedCtx,
    answer: &str,
) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let lang = asker.lang();
    let now = ctx.clock.now();
    let (date, time) = match parse_date_time(answer, asker.user.tz, now) {
        Ok(DateOrDateTime::DateTime { date, time }) => (date, time),
        Ok(DateOrDateTime::Date(_)) => return Err(tr(lang, "event-when-needs-time")),
        Err(err) => return Err(tr_error(lang, &err)),
    };
    let start = resolve_local(date, time, asker.user.tz).map_err(|err| tr_error(lang, &err))?;
    check_not_past(start, now).map_err(|err| tr_error(lang, &err))?;
    Ok(start)
}

/// After a typed edit: the change goes to the service and the listeners; the teacher sees the card.
pub(crate) async fn saved(
    bot: &AppBot,
    msg: &Message,
    asker: &Asker,
    ctx: &SharedCtx,
    dialogue: &BotDialogue,
    editing: Editing,
) -> HandlerResult {
    dialogue.reset().await?;
    answered(bot, msg.chat.id, editing).await;
    let (id, lang) = (editing.event, asker.lang());
    match ctx.meetings.sync_changes(id).await {
        Ok(None) => {}
        Ok(Some(refusal)) => {
            let reason = provider_error(lang, &refusal);
            bot.send_message(msg.chat.id, tr_args(lang, "event-saved-provider-refused", &[("reason", text(reason))]))
                .await?;
        }
        Err(err) => {
            bot.send_message(msg.chat.id, failure(lang, id, &err)).await?;
        }
    }
    if let Some(event) = ctx.events.get(id).await? {
        let headline = if event.is_planned() { "event-saved-notified" } else { "event-saved" };
        send_card(bot, msg.chat.id, asker, ctx, &event, Some(headline)).await?;
    }
    Ok(())
}
