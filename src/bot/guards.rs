//! Rights as steps of the dispatch tree. A handler placed behind a guard receives only what the
//! asker may touch right now (an owned event, a managed group or provider, a usable provider),
//! never a raw id to check by hand; a new handler cannot forget the check. A refused update gets
//! one answer, in the asker's language.

use teloxide::dispatching::DpHandlerDescription;
use teloxide::prelude::*;

use super::{AppBot, Asker, CallbackData, HandlerResult, SharedCtx};
use crate::callback::events::NewAction;
use crate::callback::providers::ProviderCb;
use crate::domain::event::EventId;
use crate::i18n::tr;
use crate::store::groups::Group;
use crate::store::{Event, ProviderSummary};

type Branch = dptree::Handler<'static, HandlerResult, DpHandlerDescription>;

/// An event the asker manages: its owner or host while a teacher, or any administrator.
#[derive(Clone, Debug)]
pub struct Owned<T>(pub T);

/// A group or provider the asker manages: its owner while a teacher, or any administrator.
#[derive(Clone, Debug)]
pub struct Managed<T>(pub T);

/// A provider the asker may create events on right now.
#[derive(Clone, Debug)]
pub struct Usable<T>(pub T);

// ---- who is asking, and where ----

pub fn is_teacher(asker: &Asker) -> bool {
    asker.user.role.can_create_events()
}

pub fn is_admin(asker: &Asker) -> bool {
    asker.user.role.is_admin()
}

/// Whether the asker may manage this event; checked at every press, so a revoked teacher's old
/// buttons stop working.
pub fn manages_event(asker: &Asker, event: &Event) -> bool {
    let user = asker.user.id;
    is_admin(asker) || (is_teacher(asker) && (event.owner_id == user || event.host_id == Some(user)))
}

pub fn manages_group(asker: &Asker, group: &Group) -> bool {
    is_admin(asker) || (is_teacher(asker) && group.owner_id == asker.user.id)
}

pub fn manages_provider(asker: &Asker, provider: &ProviderSummary) -> bool {
    is_admin(asker) || (is_teacher(asker) && provider.owner_id == asker.user.id)
}

/// Passes the update on to `inner` when `pass` holds; otherwise answers with `refusal` (a
/// message for commands, an alert for presses).
fn require(pass: Branch, refusal: &'static str, inner: Branch) -> Branch {
    dptree::entry().branch(pass.chain(inner)).branch(refuse(refusal))
}

/// The one answer of a refused update: an alert under a button, a message for a command.
pub fn refuse(key: &'static str) -> Branch {
    dptree::endpoint(move |bot: AppBot, update: Update, asker: Asker| async move {
        let text = tr(asker.lang(), key);
        match update.kind {
            teloxide::types::UpdateKind::CallbackQuery(q) => {
                bot.answer_callback_query(q.id).text(text).show_alert(true).await?;
            }
            teloxide::types::UpdateKind::Message(msg) => {
                bot.send_message(msg.chat.id, text).await?;
            }
            _ => {}
        }
        Ok(())
    })
}

/// Only in a private chat (a command's personal answers, a dialogue, credentials).
pub fn private(refusal: &'static str, inner: Branch) -> Branch {
    require(dptree::filter(|msg: Message| msg.chat.is_private()), refusal, inner)
}

/// Only for teachers and administrators.
pub fn teacher(refusal: &'static str, inner: Branch) -> Branch {
    require(dptree::filter(|asker: Asker| is_teacher(&asker)), refusal, inner)
}

/// Only for administrators.
pub fn admin(refusal: &'static str, inner: Branch) -> Branch {
    require(dptree::filter(|asker: Asker| is_admin(&asker)), refusal, inner)
}

// ---- ids in callback data turned into checked values ----

/// The event a card button names, if the asker manages it.
pub async fn owned_event(data: CallbackData, asker: Asker, ctx: SharedCtx) -> Option<Owned<Event>> {
    let id = match data {
        CallbackData::Event(id, _) => id,
        _ => return None,
    };
    load_event(&ctx, id).await.filter(|e| manages_event(&asker, e)).map(Owned)
}

async fn load_event(ctx: &SharedCtx, id: EventId) -> Option<Event> {
    match ctx.events.get(id).await {
        Ok(event) => event,
        Err(err) => {
            tracing::error!(event = id.0, %err, "could not load an event for a press");
            None
        }
    }
}

/// The group a groups button names, if the asker manages it.
pub async fn managed_group(data: CallbackData, asker: Asker, ctx: SharedCtx) -> Option<Managed<Group>> {
    let CallbackData::Group(action) = data else { return None };
    let id = action.group()?;
    match ctx.groups.get(id).await {
        Ok(group) => group.filter(|g| manages_group(&asker, g)).map(Managed),
        Err(err) => {
            tracing::error!(group = id.0, %err, "could not load a group for a press");
            None
        }
    }
}

/// Whether a groups button names a group at all (List and New do not).
pub fn names_group(data: CallbackData) -> bool {
    matches!(data, CallbackData::Group(action) if action.group().is_some())
}

/// The saved provider a provider button names, if the asker manages it.
pub async fn managed_provider(data: CallbackData, asker: Asker, ctx: SharedCtx) -> Option<Managed<ProviderSummary>> {
    let id = provider_id(&data)?;
    match ctx.providers.get(id).await {
        Ok(provider) => provider.filter(|p| manages_provider(&asker, p)).map(Managed),
        Err(err) => {
            tracing::error!(provider = id, %err, "could not load a provider for a press");
            None
        }
    }
}

/// The saved provider a provider button names, if any.
pub fn provider_id(data: &CallbackData) -> Option<i64> {
    match data {
        CallbackData::Provider(
            ProviderCb::View(id)
            | ProviderCb::Rename(id)
            | ProviderCb::Replace(id)
            | ProviderCb::Check(id)
            | ProviderCb::Delete(id)
            | ProviderCb::DeleteYes(id),
        ) => Some(*id),
        _ => None,
    }
}

/// The provider chosen in `/new`, if the asker may create events on it right now.
pub async fn usable_provider(data: CallbackData, asker: Asker, ctx: SharedCtx) -> Option<Usable<ProviderSummary>> {
    let CallbackData::New(NewAction::Provider(id)) = data else { return None };
    match ctx.providers.usable_by(&asker.user).await {
        Ok(usable) => usable.into_iter().find(|p| p.id == id).map(Usable),
        Err(err) => {
            tracing::error!(provider = id, %err, "could not list the usable providers");
            None
        }
    }
}
