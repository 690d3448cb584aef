//! Buttons on an event card: RSVP and "Add to calendar". Each press is checked against the
//! event's audience at the moment it arrives.

use teloxide::payloads::{EditMessageTextSetters, SendDocumentSetters};
use teloxide::prelude::*;
use teloxide::types::InputFile;
use teloxide::utils::html;

use super::{AppBot, Asker, HandlerResult, SharedCtx};
use crate::domain::event::EventId;
use crate::i18n::{text, tr, tr_args};
use crate::store::Rsvp;

pub async fn rsvp(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    (id, answer): (EventId, Rsvp),
) -> HandlerResult {
    let lang = asker.lang();
    let Some(event) = ctx.events.get(id).await? else {
        return super::refusals::stale_button(bot, q, asker).await;
    };
    if !ctx.events.is_listener(id, asker.user.id).await? {
        bot.answer_callback_query(q.id).text(tr(lang, "rsvp-not-listener")).show_alert(true).await?;
        return Ok(());
    }
    if !event.is_planned() {
        bot.answer_callback_query(q.id).text(tr(lang, "rsvp-closed")).await?;
        return Ok(());
    }
    ctx.events.set_rsvp(id, asker.user.id, answer, ctx.clock.now()).await?;
    ctx.platform.rsvp(id, asker.user.id, answer).await;
    let key = if answer == Rsvp::Yes { "rsvp-saved-yes" } else { "rsvp-saved-no" };
    bot.answer_callback_query(q.id.clone()).text(tr(lang, key)).await?;
    refresh_card(&bot, &q, &ctx, id).await
}

/// Shows the new answer on the card that was pressed.
async fn refresh_card(bot: &AppBot, q: &CallbackQuery, ctx: &SharedCtx, id: EventId) -> HandlerResult {
    let Some(message) = q.regular_message() else { return Ok(()) };
    let Some(card) = ctx.delivery.card_for(id, message.chat.id).await? else { return Ok(()) };
    let mut edit = bot.edit_message_text(message.chat.id, message.id, card.text);
    if let Some(keyboard) = card.keyboard {
        edit = edit.reply_markup(keyboard);
    }
    if let Err(err) = edit.await {
        // "message is not modified" when the same answer is pressed twice: nothing to show.
        tracing::debug!(%err, "card not edited");
    }
    Ok(())
}

pub async fn calendar(bot: AppBot, q: CallbackQuery, asker: Asker, ctx: SharedCtx, id: EventId) -> HandlerResult {
    let lang = asker.lang();
    let Some(event) = ctx.events.get(id).await? else {
        return super::refusals::stale_button(bot, q, asker).await;
    };
    let user = asker.user.id;
    let allowed = event.owner_id == user
        || event.host_id == Some(user)
        || asker.user.role.is_admin()
        || ctx.events.is_listener(id, user).await?;
    if !allowed {
        bot.answer_callback_query(q.id).text(tr(lang, "rsvp-not-listener")).show_alert(true).await?;
        return Ok(());
    }
    // The file goes to the presser's private chat, which then holds the entry.
    let private = ChatId(user.0 as i64);
    let Some(calendar) = ctx.delivery.calendar_copy(id, private).await? else {
        return super::refusals::stale_button(bot, q, asker).await;
    };
    let file = InputFile::memory(calendar.text.clone().into_bytes()).file_name(calendar.file_name.clone());
    let key = if calendar.removes { "calendar-remove-caption" } else { "calendar-caption" };
    let caption = tr_args(lang, key, &[("title", text(html::escape(&event.title)))]);
    // A press in a group chat is answered privately, so the group is not flooded with files.
    let in_private = q.regular_message().is_some_and(|m| m.chat.id == private);
    match bot.send_document(private, file).caption(caption).await {
        Ok(_) => {
            ctx.delivery.calendar_sent(&calendar, private).await?;
            let answer = bot.answer_callback_query(q.id);
            if in_private {
                answer.await?
            } else {
                answer.text(tr(lang, "calendar-sent")).await?
            };
        }
        Err(err) => {
            tracing::info!(user = user.0, %err, "could not send the calendar file");
            bot.answer_callback_query(q.id).text(tr(lang, "calendar-write-first")).show_alert(true).await?;
        }
    }
    Ok(())
}
