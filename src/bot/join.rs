//! Opening a group's or an event's invite link, and the profile questions of a first join.

use teloxide::prelude::*;
use teloxide::utils::html;

use super::listeners::{self, ListenerStep};
use super::profile::ProfileAction;
use super::{AppBot, Asker, CallbackData, HandlerResult, SharedCtx, State, keyboards::button, refusals};
use crate::domain::event::{EventId, GroupId};
use crate::i18n::{text, tr, tr_args};
use crate::store::Invite;
use crate::store::invites::Redeemed;

// A join is answered before the delivery engine hears of it, so "you are signed up" comes before
// the card; the join is planned even when that answer fails, since the person is in. The cards
// are taken with the join itself (`redeem_event`, `redeem_group`) and sent here after the
// answer: planning the events meanwhile (an edit, a group added) cannot queue one that
// overtakes it.

/// A group link: adds the person to the group once; opening it again only says so.
pub async fn open_group(bot: AppBot, msg: Message, asker: Asker, ctx: SharedCtx, invite: Invite) -> HandlerResult {
    let lang = asker.lang();
    let user = asker.user.id;
    if !msg.chat.is_private() {
        return refusals::refuse(&bot, &msg, &asker).await;
    }
    let group = match invite.target_id {
        Some(id) => ctx.groups.get(GroupId(id)).await?,
        None => None,
    };
    let Some(group) = group else { return refusals::refuse(&bot, &msg, &asker).await };
    let name = text(html::escape(&group.name));
    let now = ctx.clock.now();
    // Counted only for a real join, so reopening a link never uses it up.
    let (events, cards) = match ctx.invites.redeem_group(&invite, group.id, user, now).await? {
        (Redeemed::AlreadyIn, ..) => {
            bot.send_message(msg.chat.id, tr_args(lang, "join-group-already", &[("name", name)])).await?;
            return Ok(());
        }
        (Redeemed::Refused, ..) => return refusals::refuse(&bot, &msg, &asker).await,
        (Redeemed::Done, events, cards) => (events, cards),
    };
    tracing::info!(group = group.id.get(), user = user.0, "joined a listener group");
    let said = bot.send_message(msg.chat.id, tr_args(lang, "join-group-done", &[("name", name)])).await;
    for card in cards {
        ctx.delivery.send_taken_invitation(card).await?;
    }
    listeners::notify_delivery_of_join(&ctx, &events, msg.chat.id).await?;
    said?;
    ask_profile_once(&bot, &msg, &asker, &ctx).await
}

/// An event's own link: makes the person a direct listener of that one event.
pub async fn open_event(bot: AppBot, msg: Message, asker: Asker, ctx: SharedCtx, invite: Invite) -> HandlerResult {
    let lang = asker.lang();
    let user = asker.user.id;
    let now = ctx.clock.now();
    if !msg.chat.is_private() {
        return refusals::refuse(&bot, &msg, &asker).await;
    }
    let event = match invite.target_id {
        Some(id) => ctx.groups.joinable_event(EventId(id), now).await?,
        None => None,
    };
    let Some(event) = event else { return refusals::refuse(&bot, &msg, &asker).await };
    let title = text(html::escape(&event.title));
    let card = match ctx.invites.redeem_event(&invite, event.id, user, event.upcoming, now).await? {
        (Redeemed::AlreadyIn, _) => {
            bot.send_message(msg.chat.id, tr_args(lang, "join-event-already", &[("title", title)])).await?;
            return Ok(());
        }
        (Redeemed::Refused, _) => return refusals::refuse(&bot, &msg, &asker).await,
        (Redeemed::Done, card) => card,
    };
    let said = bot.send_message(msg.chat.id, tr_args(lang, "join-event-done", &[("title", title)])).await;
    if let Some(card) = card {
        ctx.delivery.send_taken_invitation(card).await?;
    }
    if event.upcoming {
        listeners::notify_delivery_of_join(&ctx, &[event.id], msg.chat.id).await?;
    }
    said?;
    ask_profile_once(&bot, &msg, &asker, &ctx).await
}

/// On the first join only, offers to give a full name (then an organisation); both skippable.
async fn ask_profile_once(bot: &AppBot, msg: &Message, asker: &Asker, ctx: &SharedCtx) -> HandlerResult {
    let profile = ctx.users.profile(asker.user.id).await?;
    if profile.full_name.is_some() || !ctx.users.mark_profile_asked(asker.user.id).await? {
        return Ok(());
    }
    let lang = asker.lang();
    let skip = button(tr(lang, "profile-btn-skip"), CallbackData::Profile(ProfileAction::Skip));
    let asked = bot
        .send_message(msg.chat.id, tr(lang, "profile-ask-full-name-first"))
        .reply_markup(teloxide::types::InlineKeyboardMarkup::new([vec![skip]]))
        .await?;
    let dialogue = listeners::dialogue_for(ctx, msg.chat.id);
    let step = ListenerStep::FullName { first_join: true, question: Some(asked.id) };
    dialogue.update(State::Listener(step)).await?;
    Ok(())
}
