//! A copy of an event on a new date.

use super::Editing;
use super::edit::{answered, typed_start};
use super::publish::publish;
use crate::bot::guards::manages_event;
use crate::bot::reply::typed;
use crate::bot::{AppBot, Asker, BotDialogue, BotError, HandlerResult, SharedCtx};
use crate::domain::event::{EventStatus, GroupId};
use crate::domain::roles::CopyAudience;
use crate::i18n::tr;
use crate::store::{Event, NewEvent};
use teloxide::prelude::*;
use teloxide::types::Me;

/// A copy of an event on a new date: same title, service, length and reminders; the groups and
/// the service only as far as the copier may use them (a host copies no one's audience).
pub async fn receive_copy_date(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    me: Me,
    editing: Editing,
) -> HandlerResult {
    let Some(answer) = typed(&bot, &msg, &asker, "event-send-text").await? else { return Ok(()) };
    let Some(event) = ctx.events.get(editing.event).await?.filter(|e| manages_event(&asker, e)) else {
        dialogue.reset().await?;
        answered(&bot, msg.chat.id, editing).await;
        bot.send_message(msg.chat.id, tr(asker.lang(), "event-not-yours")).await?;
        return Ok(());
    };
    let usable = match event.provider_id {
        Some(provider) => ctx.providers.is_usable_by(provider, &asker.user).await?,
        None => false,
    };
    if !usable {
        dialogue.reset().await?;
        answered(&bot, msg.chat.id, editing).await;
        bot.send_message(msg.chat.id, tr(asker.lang(), "event-copy-provider-not-usable")).await?;
        return Ok(());
    }
    let start = match typed_start(&asker, &ctx, answer) {
        Ok(start) => start,
        Err(explanation) => {
            bot.send_message(msg.chat.id, explanation).await?;
            return Ok(());
        }
    };
    let now = ctx.clock.now();
    let copy = NewEvent {
        owner_id: asker.user.id,
        host_id: event.host_id,
        host_email: event.host_email.clone(),
        provider_id: event.provider_id,
        title: event.title.clone(),
        description: event.description.clone(),
        starts_at: start,
        duration_min: event.duration_min,
        tz: asker.user.tz,
        status: EventStatus::Draft,
        meeting: None,
        options: event.options.clone(),
        reminders: event.reminders.clone(),
    };
    let groups = copied_groups(&ctx, &asker, &event).await?;
    let copy_id = ctx.events.insert(&copy, now).await?;
    ctx.events.set_groups(copy_id, &groups).await?;
    dialogue.reset().await?;
    answered(&bot, msg.chat.id, editing).await;
    publish(&bot, msg.chat.id, &asker, &ctx, &me, copy_id).await
}

/// The groups of `event` a copy made by the asker may invite.
pub(crate) async fn copied_groups(ctx: &SharedCtx, asker: &Asker, event: &Event) -> Result<Vec<GroupId>, BotError> {
    let groups = ctx.events.groups_of(event.id).await?;
    Ok(match CopyAudience::for_copier(asker.user.role, event.owner_id == asker.user.id) {
        CopyAudience::All => groups,
        CopyAudience::OwnOnly => {
            let own: Vec<GroupId> = ctx.groups.list(Some(asker.user.id)).await?.into_iter().map(|g| g.id).collect();
            groups.into_iter().filter(|g| own.contains(g)).collect()
        }
        CopyAudience::Nothing => Vec::new(),
    })
}
