//! `/teachers`: administrators invite teachers with one-time links, list and revoke them, and
//! decide whether teachers may register providers of their own. Also accepting a teacher link.

use chrono::Duration;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, Me};
use teloxide::utils::html;

use super::{AppBot, Asker, CallbackData, HandlerResult, SharedCtx, keyboards};
use crate::domain::invite::InviteKind;
use crate::domain::roles::Role;
use crate::i18n::{Lang, num, text, tr, tr_args};
use crate::store::Invite;
use crate::store::invites::{Redeemed, Redemption};

/// How long a teacher invitation works if nobody uses it.
const INVITE_DAYS: i64 = 7;

pub use crate::callback::teachers::TeacherCb;

fn button(label: impl Into<String>, cb: TeacherCb) -> InlineKeyboardButton {
    keyboards::button(label, CallbackData::Teacher(cb))
}

/// The callback branch of the teacher screens, behind the schema's administrator guard.
pub fn callbacks() -> dptree::Handler<'static, HandlerResult, teloxide::dispatching::DpHandlerDescription> {
    use dptree::case;
    dptree::entry()
        .branch(case![TeacherCb::List].endpoint(on_list))
        .branch(case![TeacherCb::Invite].endpoint(on_invite))
        .branch(case![TeacherCb::RevokeInvite(id)].endpoint(on_revoke_invite))
        .branch(case![TeacherCb::Revoke(id)].endpoint(on_revoke))
        .branch(case![TeacherCb::RevokeYes(id)].endpoint(on_revoke_yes))
        .branch(case![TeacherCb::AllowProviders(on)].endpoint(on_allow_providers))
}

async fn refuse_press(bot: &AppBot, q: &CallbackQuery, asker: &Asker) -> HandlerResult {
    bot.answer_callback_query(q.id.clone()).text(tr(asker.lang(), "tc-not-allowed")).show_alert(true).await?;
    Ok(())
}

/// The chat of the pressed message (the schema lets only administrators press here).
async fn admin_press(bot: &AppBot, q: &CallbackQuery, asker: &Asker) -> HandlerResult<Option<ChatId>> {
    match q.regular_message() {
        Some(message) => Ok(Some(message.chat.id)),
        _ => {
            refuse_press(bot, q, asker).await?;
            Ok(None)
        }
    }
}

/// `/teachers` (an administrator's, in a private chat: the schema's guards).
pub async fn command(bot: AppBot, msg: Message, asker: Asker, ctx: SharedCtx) -> HandlerResult {
    send_overview(&bot, msg.chat.id, asker.lang(), &ctx).await
}

async fn send_overview(bot: &AppBot, chat: ChatId, lang: Lang, ctx: &SharedCtx) -> HandlerResult {
    let teachers = ctx.users.teachers().await?;
    let allowed = ctx.settings.teachers_may_register_providers().await?;
    let invites = ctx.invites.active(InviteKind::Teacher, None, ctx.clock.now()).await?;
    let mut lines = vec![tr_args(lang, "tc-title", &[("n", num(teachers.len() as f64))])];
    for t in &teachers {
        let username = t.username.as_deref().map(|u| format!(" (@{})", html::escape(u))).unwrap_or_default();
        lines.push(format!("• {}{username}", html::escape(&t.first_name)));
    }
    lines.push(String::new());
    lines.push(tr(lang, if allowed { "tc-providers-on" } else { "tc-providers-off" }));
    if !invites.is_empty() {
        lines.push(tr_args(lang, "tc-invites-active", &[("n", num(invites.len() as f64))]));
    }
    let mut rows = vec![vec![button(tr(lang, "tc-button-invite"), TeacherCb::Invite)]];
    for t in &teachers {
        let label = tr_args(lang, "tc-button-revoke", &[("name", text(t.first_name.clone()))]);
        rows.push(vec![button(label, TeacherCb::Revoke(t.id.0))]);
    }
    let toggle = if allowed { "tc-button-providers-off" } else { "tc-button-providers-on" };
    rows.push(vec![button(tr(lang, toggle), TeacherCb::AllowProviders(!allowed))]);
    for invite in &invites {
        rows.push(vec![invite_revoke_button(lang, invite)]);
    }
    bot.send_message(chat, lines.join("\n")).reply_markup(InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

fn invite_revoke_button(lang: Lang, invite: &Invite) -> InlineKeyboardButton {
    let until = invite.expires_at.map(|at| at.format("%Y-%m-%d").to_string()).unwrap_or_default();
    let label = tr_args(lang, "tc-button-revoke-invite", &[("until", text(until))]);
    button(label, TeacherCb::RevokeInvite(invite.id))
}

async fn on_list(bot: AppBot, q: CallbackQuery, asker: Asker, ctx: SharedCtx) -> HandlerResult {
    let Some(chat) = admin_press(&bot, &q, &asker).await? else { return Ok(()) };
    bot.answer_callback_query(q.id.clone()).await?;
    send_overview(&bot, chat, asker.lang(), &ctx).await
}

async fn on_invite(bot: AppBot, q: CallbackQuery, asker: Asker, ctx: SharedCtx, me: Me) -> HandlerResult {
    let Some(chat) = admin_press(&bot, &q, &asker).await? else { return Ok(()) };
    bot.answer_callback_query(q.id.clone()).await?;
    let now = ctx.clock.now();
    let expires = now + Duration::days(INVITE_DAYS);
    let code = ctx.invites.create(InviteKind::Teacher, None, asker.user.id, Some(expires), Some(1), now).await?;
    // The row id for the revoke button: the newest teacher invitation is the one just made.
    let id = ctx.invites.active(InviteKind::Teacher, None, now).await?.first().map(|i| i.id);
    tracing::info!(by = asker.user.id.0, "teacher invitation created");
    let link = format!("https://t.me/{}?start={code}", me.username());
    let lang = asker.lang();
    let said =
        tr_args(lang, "tc-invite-created", &[("link", text(html::escape(&link))), ("days", num(INVITE_DAYS as f64))]);
    let rows: Vec<Vec<InlineKeyboardButton>> =
        id.map(|id| vec![button(tr(lang, "tc-button-revoke-this"), TeacherCb::RevokeInvite(id))]).into_iter().collect();
    bot.send_message(chat, said).reply_markup(InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

async fn on_revoke_invite(bot: AppBot, q: CallbackQuery, asker: Asker, ctx: SharedCtx, id: i64) -> HandlerResult {
    let Some(chat) = admin_press(&bot, &q, &asker).await? else { return Ok(()) };
    bot.answer_callback_query(q.id.clone()).await?;
    let revoked = ctx.invites.revoke(InviteKind::Teacher, id, ctx.clock.now()).await?;
    let key = if revoked { "tc-invite-revoked" } else { "tc-invite-already-gone" };
    bot.send_message(chat, tr(asker.lang(), key)).await?;
    Ok(())
}

async fn on_revoke(bot: AppBot, q: CallbackQuery, asker: Asker, ctx: SharedCtx, id: u64) -> HandlerResult {
    let Some(chat) = admin_press(&bot, &q, &asker).await? else { return Ok(()) };
    let Some(teacher) = ctx.users.get(UserId(id)).await?.filter(|u| u.role == Role::Teacher) else {
        return refuse_press(&bot, &q, &asker).await;
    };
    bot.answer_callback_query(q.id.clone()).await?;
    let lang = asker.lang();
    let said = tr_args(lang, "tc-revoke-ask", &[("name", text(html::escape(&teacher.first_name)))]);
    let rows = vec![vec![
        button(tr(lang, "tc-button-revoke-yes"), TeacherCb::RevokeYes(id)),
        button(tr(lang, "tc-button-revoke-no"), TeacherCb::List),
    ]];
    bot.send_message(chat, said).reply_markup(InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

async fn on_revoke_yes(bot: AppBot, q: CallbackQuery, asker: Asker, ctx: SharedCtx, id: u64) -> HandlerResult {
    let Some(chat) = admin_press(&bot, &q, &asker).await? else { return Ok(()) };
    let Some(teacher) = ctx.users.get(UserId(id)).await? else {
        return refuse_press(&bot, &q, &asker).await;
    };
    bot.answer_callback_query(q.id.clone()).await?;
    let lang = asker.lang();
    let name = text(html::escape(&teacher.first_name));
    // Their events and providers stay as they are; without the role they can touch none of them.
    let key = if ctx.users.revoke_teacher(UserId(id), ctx.clock.now()).await? {
        tracing::info!(teacher = id, by = asker.user.id.0, "teacher rights revoked");
        "tc-revoked"
    } else {
        "tc-not-a-teacher"
    };
    bot.send_message(chat, tr_args(lang, key, &[("name", name)])).await?;
    Ok(())
}

async fn on_allow_providers(bot: AppBot, q: CallbackQuery, asker: Asker, ctx: SharedCtx, on: bool) -> HandlerResult {
    let Some(chat) = admin_press(&bot, &q, &asker).await? else { return Ok(()) };
    bot.answer_callback_query(q.id.clone()).await?;
    ctx.settings.set_teachers_may_register_providers(on).await?;
    bot.send_message(chat, tr(asker.lang(), if on { "tc-providers-on" } else { "tc-providers-off" })).await?;
    Ok(())
}

/// Someone opened a working teacher link: a listener becomes a teacher, and the link is used up.
pub async fn accept(bot: AppBot, msg: Message, asker: Asker, ctx: SharedCtx, invite: Invite) -> HandlerResult {
    let lang = asker.lang();
    if asker.user.role != Role::Listener {
        // The link stays unused: it was meant for somebody else.
        bot.send_message(msg.chat.id, tr(lang, "tc-accept-already")).await?;
        return Ok(());
    }
    let now = ctx.clock.now();
    match ctx.invites.redeem(&invite, Redemption::Teacher, asker.user.id, now).await? {
        Redeemed::Done => {}
        Redeemed::AlreadyIn => {
            bot.send_message(msg.chat.id, tr(lang, "tc-accept-already")).await?;
            return Ok(());
        }
        Redeemed::Refused => return super::refusals::refuse(&bot, &msg, &asker).await,
    }
    tracing::info!(teacher = asker.user.id.0, invited_by = invite.created_by.0, "a teacher joined by invitation");
    let said = format!("{}\n\n{}", tr(lang, "tc-accept-done"), super::help::help_text(lang, Role::Teacher));
    bot.send_message(msg.chat.id, said).await?;
    Ok(())
}
