//! `/start <code>`: opening an invitation link. Each kind of invitation is handled by its flow.

use teloxide::prelude::*;

use super::{AppBot, Asker, HandlerResult, SharedCtx};
use crate::domain::invite::{self, InviteKind};
use crate::store::InviteLookup;

pub async fn open(bot: AppBot, msg: Message, asker: Asker, ctx: SharedCtx, payload: &str) -> HandlerResult {
    let lookup = match invite::parse(payload) {
        Ok(code) => ctx.invites.open(&code, ctx.clock.now()).await?,
        Err(_) => InviteLookup::Invalid,
    };
    let InviteLookup::Valid(invite) = lookup else {
        return super::refusals::refuse(&bot, &msg, &asker).await;
    };
    match invite.kind {
        InviteKind::Group => super::join::open_group(bot, msg, asker, ctx, invite).await,
        InviteKind::Event => super::join::open_event(bot, msg, asker, ctx, invite).await,
        InviteKind::Teacher => super::teachers::accept(bot, msg, asker, ctx, invite).await,
    }
}
