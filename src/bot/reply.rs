//! Answers to typed input: the text of a message, or a polite word why it is not taken.

use teloxide::prelude::*;

use super::{AppBot, Asker, HandlerResult};
use crate::domain::Localized;
use crate::i18n::{tr, tr_domain, tr_error};

// ---- small helpers ----

/// The text of a message, or a polite word (`expected`, which says the way out of this
/// dialogue) that text was expected.
pub async fn typed<'a>(
    bot: &AppBot,
    msg: &'a Message,
    asker: &Asker,
    expected: &str,
) -> Result<Option<&'a str>, crate::bot::BotError> {
    match msg.text() {
        Some(text) if !text.starts_with('/') => Ok(Some(text)),
        _ => {
            bot.send_message(msg.chat.id, tr(asker.lang(), expected)).await?;
            Ok(None)
        }
    }
}

pub async fn say(bot: &AppBot, msg: &Message, asker: &Asker, key: &str) -> HandlerResult {
    bot.send_message(msg.chat.id, tr(asker.lang(), key)).await?;
    Ok(())
}

/// Explains why a typed answer was refused; the step stays open.
pub async fn explain(bot: &AppBot, msg: &Message, asker: &Asker, err: &dyn Localized) -> HandlerResult {
    bot.send_message(msg.chat.id, tr_error(asker.lang(), err)).await?;
    Ok(())
}

/// Like `explain`, for a reason already turned into its key and arguments.
pub async fn explain_key(
    bot: &AppBot,
    msg: &Message,
    asker: &Asker,
    key: &str,
    args: &crate::domain::I18nArgs,
) -> HandlerResult {
    bot.send_message(msg.chat.id, tr_domain(asker.lang(), key, args)).await?;
    Ok(())
}
