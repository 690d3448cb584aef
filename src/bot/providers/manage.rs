//! The list of providers and what can be done to a saved one: view, rename, replace the
//! credentials, check again, delete.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId};
use teloxide::utils::html;

use super::register::start_replace;
use super::{ProviderCb, ProviderStep, button, may_register, refuse_press};
use crate::bot::guards::{Managed, manages_provider};
use crate::bot::screen::{self, Place, Screen};
use crate::bot::{AppBot, Asker, BotDialogue, HandlerResult, SharedCtx, State};
use crate::i18n::provider_check_error;
use crate::i18n::{num, text, tr, tr_args};
use crate::store::ProviderSummary;

const MAX_NAME_CHARS: usize = 64;
/// Planned events named in the delete question; the rest are counted.
const LISTED_EVENTS: usize = 10;

/// `/providers`.
pub async fn command(bot: AppBot, msg: Message, asker: Asker, ctx: SharedCtx, dialogue: BotDialogue) -> HandlerResult {
    let mut place = Place::Below(None);
    if let Some(state @ State::Provider(_)) = dialogue.get().await? {
        dialogue.reset().await?;
        place = Place::Below(state.question());
    }
    send_list(&bot, msg.chat.id, place, &asker, &ctx).await
}

async fn send_list(bot: &AppBot, chat: ChatId, place: Place, asker: &Asker, ctx: &SharedCtx) -> HandlerResult {
    let lang = asker.lang();
    let providers = ctx.providers.managed_by(&asker.user).await?;
    let mut said = tr_args(lang, "pv-list-title", &[("n", num(providers.len() as f64))]);
    let mut rows: Vec<Vec<InlineKeyboardButton>> = Vec::new();
    for p in &providers {
        let label = crate::keyboards::provider_label(lang, &p.name, p.kind);
        rows.push(vec![button(label, ProviderCb::View(p.id))]);
    }
    if may_register(asker, ctx).await? {
        rows.push(vec![button(tr(lang, "pv-button-add"), ProviderCb::Add)]);
    } else {
        said = format!("{said}\n\n{}", tr(lang, "pv-registration-off"));
    }
    screen::show(bot, chat, place, Screen::new(said, InlineKeyboardMarkup::new(rows))).await?;
    Ok(())
}

pub async fn on_list(bot: AppBot, q: CallbackQuery, asker: Asker, ctx: SharedCtx) -> HandlerResult {
    let Some(message) = q.regular_message() else {
        return refuse_press(&bot, &q, &asker).await;
    };
    bot.answer_callback_query(q.id.clone()).await?;
    send_list(&bot, message.chat.id, Place::Over(message.id), &asker, &ctx).await
}

/// The chat of a press on a saved provider's button (the guard checked the provider), and the
/// message the answer replaces.
async fn pressed(bot: &AppBot, q: &CallbackQuery, asker: &Asker) -> HandlerResult<Option<(ChatId, Place)>> {
    match q.regular_message() {
        Some(message) => Ok(Some((message.chat.id, Place::Over(message.id)))),
        None => {
            refuse_press(bot, q, asker).await?;
            Ok(None)
        }
    }
}

pub async fn on_view(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    id: i64,
    Managed(_): Managed<ProviderSummary>,
) -> HandlerResult {
    let Some((chat, here)) = pressed(&bot, &q, &asker).await? else { return Ok(()) };
    bot.answer_callback_query(q.id.clone()).await?;
    super::card::send_card(&bot, chat, here, &asker, &ctx, id, None).await
}

pub async fn on_rename(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    dialogue: BotDialogue,
    id: i64,
    Managed(_): Managed<ProviderSummary>,
) -> HandlerResult {
    let Some((chat, here)) = pressed(&bot, &q, &asker).await? else { return Ok(()) };
    bot.answer_callback_query(q.id.clone()).await?;
    let lang = asker.lang();
    let back = InlineKeyboardMarkup::new([[button(tr(lang, "pv-button-back"), ProviderCb::View(id))]]);
    let prompt = screen::show(&bot, chat, here, Screen::new(tr(lang, "pv-ask-rename"), back)).await?;
    dialogue.update(State::Provider(ProviderStep::Rename { id, prompt: Some(prompt) })).await?;
    Ok(())
}

pub async fn receive_name(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    (id, prompt): (i64, Option<MessageId>),
) -> HandlerResult {
    let lang = asker.lang();
    let chat = msg.chat.id;
    let allowed = ctx.providers.get(id).await?.is_some_and(|p| manages_provider(&asker, &p));
    if !allowed {
        dialogue.reset().await?;
        if let Some(prompt) = prompt {
            screen::strip(&bot, chat, prompt).await;
        }
        bot.send_message(chat, tr(lang, "pv-not-allowed")).await?;
        return Ok(());
    }
    let name = msg.text().map(str::trim).unwrap_or("");
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS || name.contains('\n') {
        bot.send_message(chat, tr(lang, "pv-invalid-name")).await?;
        return Ok(());
    }
    ctx.providers.rename(id, name, ctx.clock.now()).await?;
    dialogue.reset().await?;
    super::card::send_card(&bot, chat, Place::Below(prompt), &asker, &ctx, id, Some(tr(lang, "pv-renamed"))).await
}

pub async fn on_replace(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    id: i64,
    Managed(_): Managed<ProviderSummary>,
) -> HandlerResult {
    let Some((chat, here)) = pressed(&bot, &q, &asker).await? else { return Ok(()) };
    let Some(settings) = ctx.providers.settings(id).await? else {
        return refuse_press(&bot, &q, &asker).await;
    };
    bot.answer_callback_query(q.id.clone()).await?;
    start_replace(&bot, chat, here, &asker, &ctx, &dialogue, id, &settings).await
}

/// "Check again": the card says it is checking, then shows itself again under the result, all
/// on the one message (a check can take seconds, so the press shows at once that it was heard).
pub async fn on_check(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    id: i64,
    Managed(_): Managed<ProviderSummary>,
) -> HandlerResult {
    let Some((chat, here)) = pressed(&bot, &q, &asker).await? else { return Ok(()) };
    let Some(settings) = ctx.providers.settings(id).await? else {
        return refuse_press(&bot, &q, &asker).await;
    };
    bot.answer_callback_query(q.id.clone()).await?;
    let lang = asker.lang();
    // A refused edit falls back to a new message: the result then goes over that one.
    let shown = screen::show(&bot, chat, here, Screen::plain(tr(lang, "pv-checking"))).await?;
    let checked = ctx.meetings.check(settings).await;
    let said = match checked {
        Ok(_) => {
            ctx.providers.mark_checked(id, ctx.clock.now()).await?;
            tr(lang, "pv-recheck-ok")
        }
        Err(err) => format!("{}\n\n{}", tr(lang, "pv-recheck-failed"), provider_check_error(lang, &err)),
    };
    super::card::send_card(&bot, chat, Place::Over(shown), &asker, &ctx, id, Some(said)).await
}

pub async fn on_delete(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    id: i64,
    Managed(p): Managed<ProviderSummary>,
) -> HandlerResult {
    let Some((chat, here)) = pressed(&bot, &q, &asker).await? else { return Ok(()) };
    bot.answer_callback_query(q.id.clone()).await?;
    let lang = asker.lang();
    let planned = ctx.providers.planned_events(id).await?;
    let name = text(html::escape(&p.name));
    let mut said = if planned.is_empty() {
        tr_args(lang, "pv-delete-ask", &[("name", name)])
    } else {
        tr_args(lang, "pv-delete-ask-used", &[("name", name), ("n", num(planned.len() as f64))])
    };
    for event in planned.iter().take(LISTED_EVENTS) {
        let when = event.starts_at.with_timezone(&asker.user.tz).format("%Y-%m-%d %H:%M");
        said.push_str(&format!("\n• {} — {when}", html::escape(&event.title)));
    }
    if planned.len() > LISTED_EVENTS {
        said.push('\n');
        said.push_str(&tr_args(lang, "pv-delete-more", &[("n", num((planned.len() - LISTED_EVENTS) as f64))]));
    }
    let rows = vec![vec![
        button(tr(lang, "pv-button-delete-yes"), ProviderCb::DeleteYes(id)),
        button(tr(lang, "pv-button-delete-no"), ProviderCb::View(id)),
    ]];
    screen::show(&bot, chat, here, Screen::new(said, InlineKeyboardMarkup::new(rows))).await?;
    Ok(())
}

pub async fn on_delete_yes(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    id: i64,
    Managed(p): Managed<ProviderSummary>,
) -> HandlerResult {
    let Some((chat, here)) = pressed(&bot, &q, &asker).await? else { return Ok(()) };
    bot.answer_callback_query(q.id.clone()).await?;
    ctx.providers.delete(id, ctx.clock.now()).await?;
    tracing::info!(provider = id, by = asker.user.id.0, "provider deleted");
    let said = tr_args(asker.lang(), "pv-deleted", &[("name", text(html::escape(&p.name)))]);
    screen::show(&bot, chat, here, Screen::plain(said)).await?;
    Ok(())
}
