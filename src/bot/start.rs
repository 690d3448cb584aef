//! `/start`, `/help`, `/cancel`, and the answers to anything the bot did not expect.

use teloxide::prelude::*;
use teloxide::utils::html;

use super::{AppBot, Asker, BotDialogue, HandlerResult, SharedCtx, State};
use crate::i18n::{text, tr, tr_args};

pub async fn start(bot: AppBot, msg: Message, asker: Asker, ctx: SharedCtx, payload: String) -> HandlerResult {
    let payload = payload.trim();
    // Invitation codes start with g, e or t; the platform's signed links with l.
    if crate::domain::platform::is_link_payload(payload) {
        return open_platform_link(bot, msg, asker, ctx, payload).await;
    }
    if !payload.is_empty() {
        return super::invites::open(bot, msg, asker, ctx, payload).await;
    }
    let lang = asker.lang();
    let name = html::escape(&asker.user.first_name);
    let greeting = tr_args(lang, "start-greeting", &[("name", text(name))]);
    bot.send_message(msg.chat.id, format!("{greeting}\n\n{}", super::help::help_text(lang, asker.user.role))).await?;
    Ok(())
}

/// A signed link from the learning platform: the account is tied to the platform user it
/// names. A forged or expired one is refused politely, and the log says which without the link.
async fn open_platform_link(bot: AppBot, msg: Message, asker: Asker, ctx: SharedCtx, payload: &str) -> HandlerResult {
    use crate::domain::platform::LinkError;
    use crate::platform::OpenLinkError;

    let key = if !msg.chat.is_private() {
        // A link ties one person's account: opened in a group it would be anybody's press.
        "api-link-invalid"
    } else {
        match ctx.platform.open_link(payload, asker.user.id).await {
            Ok(_) => {
                tracing::info!(user = asker.user.id.0, "a Telegram account was linked to the learning platform");
                "api-link-done"
            }
            Err(OpenLinkError::Link(err)) => {
                tracing::info!(user = asker.user.id.0, %err, "a platform link was refused");
                match err {
                    LinkError::Expired => "api-link-expired",
                    LinkError::Forged => "api-link-invalid",
                }
            }
            Err(OpenLinkError::Store(err)) => return Err(err.into()),
        }
    };
    bot.send_message(msg.chat.id, tr(asker.lang(), key)).await?;
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
