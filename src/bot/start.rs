//! `/start`, `/help`, `/cancel`, and the answers to anything the bot did not expect.

use teloxide::prelude::*;
use teloxide::utils::html;

use super::{AppBot, Asker, BotDialogue, HandlerResult, SharedCtx, State};
use crate::i18n::{text, tr, tr_args};

pub async fn start(bot: AppBot, msg: Message, asker: Asker, ctx: SharedCtx, payload: String) -> HandlerResult {
    if !payload.trim().is_empty() {
        return super::invites::open(bot, msg, asker, ctx, payload.trim()).await;
    }
    let lang = asker.lang();
    let name = html::escape(&asker.user.first_name);
    let greeting = tr_args(lang, "start-greeting", &[("name", text(name))]);
    bot.send_message(msg.chat.id, format!("{greeting}\n\n{}", super::help::help_text(lang, asker.user.role))).await?;
    Ok(())
}

pub async fn help(bot: AppBot, msg: Message, asker: Asker) -> HandlerResult {
    bot.send_message(msg.chat.id, super::help::help_text(asker.lang(), asker.user.role)).await?;
    Ok(())
}

pub async fn cancel(bot: AppBot, msg: Message, asker: Asker, dialogue: BotDialogue, state: State) -> HandlerResult {
    let key = if state == State::Idle { "cancel-nothing" } else { "cancel-done" };
    dialogue.reset().await?;
    if let Some(question) = state.question() {
        super::screen::strip(&bot, msg.chat.id, question).await;
    }
    bot.send_message(msg.chat.id, tr(asker.lang(), key)).await?;
    Ok(())
}

pub async fn unknown_input(bot: AppBot, msg: Message, asker: Asker) -> HandlerResult {
    // In a group the bot only speaks when spoken to by command.
    if !msg.chat.is_private() {
        return Ok(());
    }
    let key = if msg.text().is_some_and(|t| t.starts_with('/')) { "unknown-command" } else { "unknown-input" };
    bot.send_message(msg.chat.id, tr(asker.lang(), key)).await?;
    Ok(())
}

/// A state that no longer reads was reset by the storage; say so once, then handle the update.
pub async fn apologise_for_reset_state(bot: AppBot, msg: Message, asker: Asker, ctx: SharedCtx) {
    if ctx.dialogues.take_reset_notice(msg.chat.id)
        && let Err(err) = bot.send_message(msg.chat.id, tr(asker.lang(), "state-reset-apology")).await
    {
        tracing::warn!(%err, "could not send the reset apology");
    }
}
