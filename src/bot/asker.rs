//! Who is asking: every update is tied to a known person before any handler runs.

use teloxide::prelude::*;
use teloxide::types::{ChatMemberUpdated, User as TgUser};

use super::{HandlerResult, SharedCtx};
use crate::i18n::Lang;
use crate::store::User;
use crate::store::users::Seen;

/// The person behind the update, as the database knows them right now.
#[derive(Clone, Debug)]
pub struct Asker {
    pub user: User,
}

impl Asker {
    pub fn lang(&self) -> Lang {
        self.user.lang
    }
}

pub async fn from_message(msg: Message, ctx: SharedCtx) -> Option<Asker> {
    // Channel posts and anonymous group admins carry no person; the bot has nobody to answer.
    let from = msg.from.as_ref().filter(|u| !u.is_bot)?;
    load(from, &ctx).await
}

pub async fn from_callback(q: CallbackQuery, ctx: SharedCtx) -> Option<Asker> {
    load(&q.from, &ctx).await
}

async fn load(from: &TgUser, ctx: &SharedCtx) -> Option<Asker> {
    let seen = Seen {
        id: from.id,
        first_name: &from.first_name,
        last_name: from.last_name.as_deref(),
        username: from.username.as_deref(),
        lang: Lang::from_telegram(from.language_code.as_deref(), ctx.config.default_language),
    };
    match ctx.users.touch(&seen, ctx.config.default_timezone, ctx.clock.now()).await {
        Ok(user) => Some(Asker { user }),
        Err(err) => {
            tracing::error!(user = from.id.0, %err, "could not load the user");
            None
        }
    }
}

/// Telegram tells a bot when a person blocks or unblocks it in a private chat.
pub async fn track_membership(update: ChatMemberUpdated, ctx: SharedCtx) -> HandlerResult {
    if !update.chat.is_private() {
        return Ok(());
    }
    let active = !update.new_chat_member.kind.is_banned() && !update.new_chat_member.kind.is_left();
    ctx.users.set_active(update.from.id, active).await?;
    tracing::info!(user = update.from.id.0, active, "private chat membership changed");
    Ok(())
}
