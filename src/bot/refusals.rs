//! The one answer each kind of refusal gets, in the asker's language: a link that does not work,
//! a button that is stale or not the asker's, a dialogue button pressed in a group.

use teloxide::prelude::*;

use super::{AppBot, Asker, HandlerResult};
use crate::i18n::tr;

/// Unknown, revoked, expired and used-up codes all get the same answer, so codes cannot be probed.
pub async fn refuse(bot: &AppBot, msg: &Message, asker: &Asker) -> HandlerResult {
    bot.send_message(msg.chat.id, tr(asker.lang(), "start-link-invalid")).await?;
    Ok(())
}

/// Buttons on old messages, or data the bot never made.
pub async fn stale_button(bot: AppBot, q: CallbackQuery, asker: Asker) -> HandlerResult {
    bot.answer_callback_query(q.id).text(tr(asker.lang(), "button-stale")).show_alert(true).await?;
    Ok(())
}

/// A dialogue button pressed in a group chat.
pub async fn private_only_button(bot: AppBot, q: CallbackQuery, asker: Asker) -> HandlerResult {
    bot.answer_callback_query(q.id).text(tr(asker.lang(), "button-private-only")).show_alert(true).await?;
    Ok(())
}

/// A press the guards refused: the object is gone, or not the asker's to touch.
pub async fn not_yours(bot: AppBot, q: CallbackQuery, asker: Asker) -> HandlerResult {
    bot.answer_callback_query(q.id).text(tr(asker.lang(), "button-not-yours")).show_alert(true).await?;
    Ok(())
}
