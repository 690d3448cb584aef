//! Who answered an event's invitation, and who did not get it.

use super::EventAction;
use super::card::callback;
use crate::bot::{AppBot, Asker, BotError, HandlerResult, SharedCtx};
use crate::i18n::{num, text, tr, tr_args};
use crate::store::{Event, Recipient};
use teloxide::payloads::SendMessageSetters;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, UserId};
use teloxide::utils::html;

pub(crate) async fn answers(
    bot: &AppBot,
    chat: ChatId,
    asker: &Asker,
    ctx: &SharedCtx,
    event: &Event,
) -> HandlerResult {
    let lang = asker.lang();
    let mut coming = Vec::new();
    let mut not_coming = Vec::new();
    let mut silent = Vec::new();
    for recipient in ctx.events.audience(event.id).await? {
        let Recipient::Person(user) = recipient else { continue };
        let name = person_name(ctx, user).await?;
        match ctx.events.rsvp_of(event.id, user).await? {
            Some(crate::store::Rsvp::Yes) => coming.push(name),
            Some(crate::store::Rsvp::No) => not_coming.push(name),
            None => silent.push(name),
        }
    }
    let list = |names: &[String]| if names.is_empty() { "—".to_owned() } else { names_list(names) };
    let body = tr_args(
        lang,
        "event-answers-text",
        &[
            ("title", text(html::escape(&event.title))),
            ("yes", num(coming.len() as f64)),
            ("yes_names", text(list(&coming))),
            ("no", num(not_coming.len() as f64)),
            ("no_names", text(list(&not_coming))),
            ("silent", num(silent.len() as f64)),
            ("silent_names", text(list(&silent))),
        ],
    );
    let mut request = bot.send_message(chat, body);
    if !silent.is_empty() && event.is_planned() {
        request = request.reply_markup(InlineKeyboardMarkup::new([[callback(
            tr(lang, "event-nudge"),
            event.id,
            EventAction::Nudge,
        )]]));
    }
    request.await?;
    Ok(())
}

pub(crate) async fn missed(bot: &AppBot, chat: ChatId, asker: &Asker, ctx: &SharedCtx, event: &Event) -> HandlerResult {
    let lang = asker.lang();
    let undelivered = ctx.delivery.outbox().undelivered_invitations(event.id).await?;
    if undelivered.is_empty() {
        bot.send_message(chat, tr(lang, "event-missed-none")).await?;
        return Ok(());
    }
    let mut lines = vec![tr_args(lang, "event-missed-heading", &[("count", num(undelivered.len() as f64))])];
    for (recipient, reason) in undelivered.iter().take(50) {
        let who = if recipient.is_user() {
            person_name(ctx, UserId(recipient.0 as u64)).await?
        } else {
            tr(lang, "event-missed-group-chat")
        };
        let why = if reason.contains("blocked") || reason.starts_with("Forbidden") {
            tr(lang, "event-missed-blocked")
        } else {
            html::escape(reason)
        };
        lines.push(format!("• {who} — {why}"));
    }
    bot.send_message(chat, lines.join("\n")).await?;
    Ok(())
}

pub(crate) async fn person_name(ctx: &SharedCtx, user: UserId) -> Result<String, BotError> {
    Ok(match ctx.users.get(user).await? {
        Some(person) => match &person.username {
            Some(username) => format!("{} (@{})", html::escape(&person.first_name), html::escape(username)),
            None => html::escape(&person.first_name),
        },
        None => user.0.to_string(),
    })
}

/// At most 30 names, then how many more.
pub(crate) fn names_list(names: &[String]) -> String {
    let shown = names.iter().take(30).cloned().collect::<Vec<_>>().join(", ");
    match names.len().saturating_sub(30) {
        0 => shown,
        more => format!("{shown} +{more}"),
    }
}
