//! `/lang` and `/tz`: each person's language and time zone.

use chrono_tz::Tz;
use teloxide::prelude::*;
use teloxide::utils::html;

use super::{AppBot, Asker, BotDialogue, HandlerResult, SharedCtx, State, keyboards};
use crate::i18n::{Lang, text, tr, tr_args};

pub async fn ask_language(bot: AppBot, msg: Message, asker: Asker) -> HandlerResult {
    let lang = asker.lang();
    bot.send_message(msg.chat.id, tr(lang, "lang-ask")).reply_markup(keyboards::languages(lang)).await?;
    Ok(())
}

pub async fn set_language(bot: AppBot, q: CallbackQuery, asker: Asker, ctx: SharedCtx, lang: Lang) -> HandlerResult {
    ctx.users.set_language(asker.user.id, lang).await?;
    let done = tr(lang, "lang-set");
    bot.answer_callback_query(q.id.clone()).text(done.clone()).await?;
    if let Some(message) = q.regular_message() {
        bot.edit_message_text(message.chat.id, message.id, done).await?;
    }
    Ok(())
}

pub async fn ask_timezone(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
) -> HandlerResult {
    let lang = asker.lang();
    let now = ctx.clock.now();
    let current = keyboards::zone_label(lang, asker.user.tz, now);
    bot.send_message(msg.chat.id, tr_args(lang, "tz-ask", &[("current", text(html::escape(&current)))]))
        .reply_markup(keyboards::timezones(lang, now))
        .await?;
    dialogue.update(State::AwaitingTimezone).await?;
    Ok(())
}

pub async fn receive_timezone(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
) -> HandlerResult {
    let lang = asker.lang();
    let Some(tz) = msg.text().and_then(|t| Tz::from_str_insensitive(t.trim()).ok()) else {
        bot.send_message(msg.chat.id, tr(lang, "tz-invalid")).await?;
        return Ok(());
    };
    ctx.users.set_timezone(asker.user.id, tz).await?;
    dialogue.reset().await?;
    bot.send_message(msg.chat.id, timezone_confirmation(lang, tz, &ctx)).await?;
    Ok(())
}

pub async fn set_timezone_button(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    tz: Tz,
) -> HandlerResult {
    let lang = asker.lang();
    ctx.users.set_timezone(asker.user.id, tz).await?;
    if dialogue.get().await? == Some(State::AwaitingTimezone) {
        dialogue.reset().await?;
    }
    let done = timezone_confirmation(lang, tz, &ctx);
    bot.answer_callback_query(q.id.clone()).await?;
    if let Some(message) = q.regular_message() {
        bot.edit_message_text(message.chat.id, message.id, done).await?;
    }
    Ok(())
}

fn timezone_confirmation(lang: Lang, tz: Tz, ctx: &SharedCtx) -> String {
    let now = ctx.clock.now();
    let local = now.with_timezone(&tz).format("%H:%M").to_string();
    tr_args(
        lang,
        "tz-set",
        &[("zone", text(html::escape(&keyboards::zone_label(lang, tz, now)))), ("time", text(local))],
    )
}
