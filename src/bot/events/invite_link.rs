//! An event's own invitation links: made with an expiry (revoking the older ones), revoked,
//! and renewed once when a draft is published. Only their hashes are kept, so each is shown once.

use super::EventAction;
use super::card::callback;
use crate::bot::{AppBot, Asker, BotError, HandlerResult, SharedCtx};
use crate::domain::event::EventId;
use crate::domain::invite::InviteKind;
use crate::i18n::{Lang, num, text, tr, tr_args};
use teloxide::payloads::SendMessageSetters;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, Me};
use teloxide::utils::html;

/// "New invitation link": how long the new one should work.
pub(crate) async fn ask_link_expiry(bot: &AppBot, chat: ChatId, lang: Lang, id: EventId) -> HandlerResult {
    let buttons: Vec<InlineKeyboardButton> = super::LINK_EXPIRY_DAYS
        .iter()
        .map(|days| {
            let label = tr_args(lang, "event-invite-expiry", &[("days", num(f64::from(*days)))]);
            callback(label, id, EventAction::InviteNew(*days))
        })
        .collect();
    let mut rows: Vec<Vec<InlineKeyboardButton>> = buttons.chunks(2).map(<[_]>::to_vec).collect();
    rows.push(vec![callback(tr(lang, "event-back-to-card"), id, EventAction::Open)]);
    bot.send_message(chat, tr(lang, "event-invite-expiry-ask")).reply_markup(InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

/// A new invitation link for the event; every older one stops working in the same step.
pub(crate) async fn new_invite_link(
    asker: &Asker,
    ctx: &SharedCtx,
    me: &Me,
    id: EventId,
    days: u16,
) -> Result<String, BotError> {
    let now = ctx.clock.now();
    let expires = (days > 0).then(|| now + chrono::Duration::days(i64::from(days)));
    let code = ctx.invites.replace(InviteKind::Event, id.get(), asker.user.id, expires, now).await?;
    Ok(invite_link_line(asker, me, &code.to_string(), expires))
}

pub(crate) fn invite_link_line(
    asker: &Asker,
    me: &Me,
    code: &str,
    expires: Option<chrono::DateTime<chrono::Utc>>,
) -> String {
    let lang = asker.lang();
    let link = format!("https://t.me/{}?start={code}", me.username());
    let until = match expires {
        Some(at) => at.with_timezone(&asker.user.tz).format("%d.%m.%Y %H:%M").to_string(),
        None => "none".to_owned(),
    };
    tr_args(lang, "event-invite-link-text", &[("link", text(html::escape(&link))), ("until", text(until))])
}

/// After a draft is published: the link asked for in `/new` was made then, but only its hash
/// is kept, so it is renewed now (nobody has seen it) and shown once.
pub async fn link_after_publish(
    asker: &Asker,
    ctx: &SharedCtx,
    me: &Me,
    id: EventId,
) -> Result<Option<String>, BotError> {
    let active = ctx.invites.active(InviteKind::Event, Some(id.get()), ctx.clock.now()).await?;
    let Some(current) = active.first() else { return Ok(None) };
    let now = ctx.clock.now();
    let code = ctx.invites.replace(InviteKind::Event, id.get(), asker.user.id, current.expires_at, now).await?;
    Ok(Some(invite_link_line(asker, me, &code.to_string(), current.expires_at)))
}
