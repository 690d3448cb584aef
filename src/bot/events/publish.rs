//! Publishing a draft: the meeting is created through the meetings service, and the teacher
//! sees the card or the reason with Retry.

use teloxide::payloads::SendMessageSetters;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, Me};

use super::card::send_card_with;
use super::invite_link::link_after_publish;
use crate::bot::{AppBot, Asker, HandlerResult, SharedCtx};
use crate::i18n::{provider_error, text, tr, tr_args};
use crate::meetings::MeetingError;

/// Creates the meeting and shows the outcome: the teacher's card, or the reason with Retry.
pub async fn publish(
    bot: &AppBot,
    chat: ChatId,
    asker: &Asker,
    ctx: &SharedCtx,
    me: &Me,
    id: crate::domain::event::EventId,
) -> HandlerResult {
    let lang = asker.lang();
    match ctx.meetings.publish(id, &asker.user).await {
        Ok(event) => {
            // If it is an occurrence of a series, the series task now knows when it ends.
            ctx.series.wake();
            let link = link_after_publish(asker, ctx, me, id).await?;
            send_card_with(bot, chat, asker, ctx, &event, Some("new-created"), link).await
        }
        Err(err) => {
            let reason = match &err {
                MeetingError::Provider(err) => provider_error(lang, err),
                MeetingError::NotUsable => tr(lang, "event-provider-not-usable"),
                other => {
                    tracing::error!(event = id.0, %other, "publishing an event failed");
                    tr(lang, "new-failed-internal")
                }
            };
            let retry = InlineKeyboardMarkup::new([[InlineKeyboardButton::callback(
                tr(lang, "event-retry"),
                super::EventAction::Retry.encode(id),
            )]]);
            bot.send_message(chat, tr_args(lang, "new-provider-failed", &[("reason", text(reason))]))
                .reply_markup(retry)
                .await?;
            Ok(())
        }
    }
}
