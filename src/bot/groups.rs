//! `/groups`: a teacher's listener groups — create, rename, delete, members, invite links and
//! linked group chats; and `/link <code>`, sent in a group chat to link it to a group.
//!
//! Every button carries ids only; the role and the group's owner are checked again on each press,
//! because callback data comes from the client and old messages stay pressable.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, Me, MessageId};
use teloxide::utils::html;

use super::guards::{self, Managed};
use super::listeners::{self, ListenerStep, alert, clip, show};
use super::screen::{self, Place};
use super::{AppBot, Asker, BotDialogue, CallbackData, HandlerResult, SharedCtx, State, keyboards::button};
use crate::domain::event::GroupId;
use crate::domain::group::GroupName;
use crate::domain::invite::InviteKind;
use crate::i18n::{Lang, num, text, tr, tr_args};
use crate::store::Invite;
use crate::store::groups::{ChatLink, Group, LinkedChat, Member};

/// Members shown per page: ten lines of clipped names stay far below 4096 characters.
const PAGE: usize = 10;
/// Longest name or organisation shown in a list line.
const CLIP: usize = 60;
pub use crate::callback::groups::{EXPIRY_DAYS, GroupAction};

fn gr(label: String, action: GroupAction) -> InlineKeyboardButton {
    button(label, CallbackData::Group(action))
}

/// The group, if it exists and the asker may manage it (for typed steps, which carry an id).
async fn owned(ctx: &SharedCtx, asker: &Asker, id: GroupId) -> Result<Option<Group>, super::BotError> {
    Ok(ctx.groups.get(id).await?.filter(|g| guards::manages_group(asker, g)))
}

/// `/groups` (a teacher's, in a private chat: the schema's guards). A name that was being
/// asked is left, and its prompt loses its buttons under the new list.
pub async fn command(bot: AppBot, msg: Message, asker: Asker, ctx: SharedCtx, dialogue: BotDialogue) -> HandlerResult {
    let mut place = Place::Below(None);
    if let Some(state @ State::Listener(ListenerStep::GroupName { .. })) = dialogue.get().await? {
        dialogue.reset().await?;
        place = Place::Below(state.question());
    }
    let (text, markup) = list_screen(&ctx, &asker).await?;
    screen::show(&bot, msg.chat.id, place, screen::Screen::new(text, markup)).await?;
    Ok(())
}

/// Any other press on the groups' screens leaves a name that was being typed; a prompt other
/// than the message pressed loses its Back button (the pressed one is about to change anyway).
async fn leave_typed_name(bot: &AppBot, q: &CallbackQuery, dialogue: &BotDialogue) -> HandlerResult {
    let Some(state @ State::Listener(ListenerStep::GroupName { .. })) = dialogue.get().await? else { return Ok(()) };
    dialogue.reset().await?;
    if let (Some(prompt), Some(message)) = (state.question(), q.regular_message())
        && prompt != message.id
    {
        screen::strip(bot, message.chat.id, prompt).await;
    }
    Ok(())
}

/// List and New: the presses that name no group.
pub async fn on_list_button(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    action: GroupAction,
) -> HandlerResult {
    leave_typed_name(&bot, &q, &dialogue).await?;
    match action {
        GroupAction::New => ask_name(&bot, &q, &asker, &dialogue, None).await,
        _ => {
            let (text, markup) = list_screen(&ctx, &asker).await?;
            show(&bot, &q, text, markup).await
        }
    }
}

/// A press on one group's screens, with the group the guard checked.
// dptree injects each value by type: the guard's checked value comes on top of the usual ones.
#[allow(clippy::too_many_arguments)]
pub async fn on_group_button(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    me: Me,
    action: GroupAction,
    Managed(group): Managed<Group>,
) -> HandlerResult {
    leave_typed_name(&bot, &q, &dialogue).await?;
    let screens = Screens { bot: &bot, q: &q, asker: &asker, ctx: &ctx, group: &group };
    match action {
        GroupAction::Open(_) => screens.menu().await,
        GroupAction::Rename(_) => ask_name(&bot, &q, &asker, &dialogue, Some(&group)).await,
        GroupAction::Delete(_) => screens.confirm_delete().await,
        GroupAction::DeleteConfirmed(_) => screens.delete().await,
        GroupAction::Members(_, page) => screens.members(page as usize, None).await,
        GroupAction::Remove(_, user) => screens.confirm_remove(user).await,
        GroupAction::RemoveConfirmed(_, user) => screens.remove(user).await,
        GroupAction::Links(_) => screens.links(None).await,
        GroupAction::NewLink(_, days) => screens.new_link(&me, days).await,
        GroupAction::Revoke(_) => screens.revoke().await,
        GroupAction::Chats(_) => screens.chats(None).await,
        GroupAction::ChatCode(_) => screens.chat_code().await,
        GroupAction::Unlink(_, chat) => screens.unlink(chat).await,
        GroupAction::List | GroupAction::New => Ok(()),
    }
}

/// Asks for a group's name in place of the screen pressed, with a way back (as `/cancel` does);
/// the state remembers the prompt so the typed name takes its button away.
async fn ask_name(
    bot: &AppBot,
    q: &CallbackQuery,
    asker: &Asker,
    dialogue: &BotDialogue,
    group: Option<&Group>,
) -> HandlerResult {
    let lang = asker.lang();
    bot.answer_callback_query(q.id.clone()).await?;
    let (prompt, back) = match group {
        None => (tr(lang, "groups-ask-name"), gr(tr(lang, "groups-btn-back-list"), GroupAction::List)),
        Some(g) => (
            tr_args(lang, "groups-ask-rename", &[("name", text(html::escape(&g.name)))]),
            gr(tr(lang, "groups-btn-back"), GroupAction::Open(g.id)),
        ),
    };
    let (chat, place) = match q.regular_message() {
        Some(message) => (message.chat.id, Place::Over(message.id)),
        None => (ChatId(asker.user.id.0 as i64), Place::Below(None)),
    };
    let shown =
        screen::show(bot, chat, place, screen::Screen::new(prompt, InlineKeyboardMarkup::new([vec![back]]))).await?;
    let step = ListenerStep::GroupName { group: group.map(|g| g.id), prompt: Some(shown) };
    dialogue.update(State::Listener(step)).await?;
    Ok(())
}

/// The answer to "send the group's name": creates or renames, then the group's menu comes as a
/// new message and the prompt loses its Back button.
pub async fn receive_name(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    (group, prompt): (Option<GroupId>, Option<MessageId>),
) -> HandlerResult {
    let lang = asker.lang();
    let chat = msg.chat.id;
    if !guards::is_teacher(&asker) {
        return give_up(&bot, chat, &dialogue, prompt, tr(lang, "groups-teachers-only")).await;
    }
    let Some(line) = listeners::typed_line(&bot, &msg, &asker).await? else { return Ok(()) };
    let name = match GroupName::parse(line) {
        Ok(name) => name,
        Err(err) => return listeners::explain(&bot, &msg, lang, err).await,
    };
    let (id, key) = match group {
        None => (ctx.groups.create(asker.user.id, &name, ctx.clock.now()).await?, "groups-created"),
        Some(id) => {
            if owned(&ctx, &asker, id).await?.is_none() || !ctx.groups.rename(id, &name).await? {
                return give_up(&bot, chat, &dialogue, prompt, tr(lang, "groups-not-found")).await;
            }
            (id, "groups-renamed")
        }
    };
    dialogue.reset().await?;
    let Some(group) = ctx.groups.get(id).await? else { return Ok(()) };
    // The menu below names the group: the headline does not say it twice.
    let done = tr(lang, key);
    let (menu, markup) = menu_screen(&ctx, lang, &group).await?;
    screen::show(&bot, chat, Place::Below(prompt), screen::Screen::new(format!("{done}\n\n{menu}"), markup)).await?;
    Ok(())
}

/// Leaves the name step for a reason that is said; the prompt's way back goes with it.
async fn give_up(
    bot: &AppBot,
    chat: ChatId,
    dialogue: &BotDialogue,
    prompt: Option<MessageId>,
    said: String,
) -> HandlerResult {
    dialogue.reset().await?;
    screen::show(bot, chat, Place::Below(prompt), screen::Screen::plain(said)).await?;
    Ok(())
}

async fn list_screen(ctx: &SharedCtx, asker: &Asker) -> Result<(String, InlineKeyboardMarkup), super::BotError> {
    let lang = asker.lang();
    let admin = asker.user.role.is_admin();
    let groups = ctx.groups.list(if admin { None } else { Some(asker.user.id) }).await?;
    let title = if admin { "groups-list-all" } else { "groups-list" };
    let mut body = tr_args(lang, title, &[("count", num(groups.len() as u32))]);
    if groups.is_empty() {
        body = format!("{body}\n\n{}", tr(lang, "groups-list-empty"));
    }
    let mut rows: Vec<Vec<InlineKeyboardButton>> = groups
        .iter()
        .map(|g| {
            let label = tr_args(
                lang,
                "groups-btn-group",
                &[("name", text(clip(&g.name, 40))), ("count", num(g.members as u32))],
            );
            vec![gr(label, GroupAction::Open(g.id))]
        })
        .collect();
    rows.push(vec![gr(tr(lang, "groups-btn-new"), GroupAction::New)]);
    Ok((body, InlineKeyboardMarkup::new(rows)))
}

async fn menu_screen(
    ctx: &SharedCtx,
    lang: Lang,
    group: &Group,
) -> Result<(String, InlineKeyboardMarkup), super::BotError> {
    let now = ctx.clock.now();
    let links = ctx.invites.active(InviteKind::Group, Some(group.id.get()), now).await?.len();
    let chats = ctx.groups.chats(group.id).await?.len();
    let body = tr_args(
        lang,
        "groups-menu",
        &[
            ("name", text(html::escape(&group.name))),
            ("members", num(group.members as u32)),
            ("links", num(links as u32)),
            ("chats", num(chats as u32)),
        ],
    );
    let g = group.id;
    let rows = vec![
        vec![gr(tr(lang, "groups-btn-members"), GroupAction::Members(g, 0))],
        vec![
            gr(tr(lang, "groups-btn-links"), GroupAction::Links(g)),
            gr(tr(lang, "groups-btn-chats"), GroupAction::Chats(g)),
        ],
        vec![
            gr(tr(lang, "groups-btn-rename"), GroupAction::Rename(g)),
            gr(tr(lang, "groups-btn-delete"), GroupAction::Delete(g)),
        ],
        vec![gr(tr(lang, "groups-btn-back-list"), GroupAction::List)],
    ];
    Ok((body, InlineKeyboardMarkup::new(rows)))
}

/// One group's screens, for a button pressed by someone allowed to manage it.
struct Screens<'a> {
    bot: &'a AppBot,
    q: &'a CallbackQuery,
    asker: &'a Asker,
    ctx: &'a SharedCtx,
    group: &'a Group,
}

impl Screens<'_> {
    fn lang(&self) -> Lang {
        self.asker.lang()
    }

    fn back(&self) -> Vec<InlineKeyboardButton> {
        vec![gr(tr(self.lang(), "groups-btn-back"), GroupAction::Open(self.group.id))]
    }

    fn name(&self) -> String {
        html::escape(&self.group.name)
    }

    async fn menu(&self) -> HandlerResult {
        let (body, markup) = menu_screen(self.ctx, self.lang(), self.group).await?;
        show(self.bot, self.q, body, markup).await
    }

    async fn confirm_delete(&self) -> HandlerResult {
        let lang = self.lang();
        let body = tr_args(
            lang,
            "groups-delete-confirm",
            &[("name", text(self.name())), ("members", num(self.group.members as u32))],
        );
        let yes = gr(tr(lang, "groups-btn-delete-yes"), GroupAction::DeleteConfirmed(self.group.id));
        show(self.bot, self.q, body, InlineKeyboardMarkup::new([vec![yes], self.back()])).await
    }

    async fn delete(&self) -> HandlerResult {
        let (ctx, id, now) = (self.ctx, self.group.id, self.ctx.clock.now());
        let events = ctx.events.upcoming_for_group(id, now).await?;
        let chats = ctx.groups.chats(id).await?;
        let members = ctx.groups.delete(id, now).await?;
        ctx.invites.revoke_for_target(InviteKind::Group, id.get(), now).await?;
        for member in members {
            listeners::drop_unreached(ctx, member, &events).await?;
        }
        for chat in chats {
            listeners::notify_delivery_of_leave(ctx, &events, chat.chat_id).await?;
        }
        let lang = self.lang();
        let body = tr_args(lang, "groups-deleted", &[("name", text(self.name()))]);
        let back = vec![vec![gr(tr(lang, "groups-btn-back-list"), GroupAction::List)]];
        show(self.bot, self.q, body, InlineKeyboardMarkup::new(back)).await
    }

    async fn members(&self, page: usize, notice: Option<String>) -> HandlerResult {
        let lang = self.lang();
        let members = self.ctx.groups.members(self.group.id).await?;
        let pages = members.len().div_ceil(PAGE).max(1);
        let page = page.min(pages - 1);
        let mut lines = vec![tr_args(
            lang,
            "groups-members-title",
            &[("name", text(self.name())), ("count", num(members.len() as u32))],
        )];
        if members.is_empty() {
            lines.push(tr(lang, "groups-members-empty"));
        }
        let shown: Vec<(usize, &Member)> = members.iter().enumerate().skip(page * PAGE).take(PAGE).collect();
        lines.extend(shown.iter().map(|(i, m)| member_line(lang, self.asker.user.tz, i + 1, m)));
        if let Some(notice) = notice {
            lines.insert(0, notice);
        }
        let mut rows: Vec<Vec<InlineKeyboardButton>> = shown
            .chunks(5)
            .map(|chunk| {
                chunk
                    .iter()
                    .map(|(i, m)| {
                        let label = tr_args(lang, "groups-btn-remove", &[("n", num((i + 1) as u32))]);
                        gr(label, GroupAction::Remove(self.group.id, m.user_id))
                    })
                    .collect()
            })
            .collect();
        let pager = self.pager(page, pages);
        if !pager.is_empty() {
            rows.push(pager);
        }
        rows.push(self.back());
        show(self.bot, self.q, lines.join("\n\n"), InlineKeyboardMarkup::new(rows)).await
    }

    fn pager(&self, page: usize, pages: usize) -> Vec<InlineKeyboardButton> {
        let lang = self.lang();
        let mut row = Vec::new();
        if page > 0 {
            row.push(gr(tr(lang, "groups-btn-prev"), GroupAction::Members(self.group.id, (page - 1) as u32)));
        }
        if page + 1 < pages {
            row.push(gr(tr(lang, "groups-btn-next"), GroupAction::Members(self.group.id, (page + 1) as u32)));
        }
        row
    }

    async fn confirm_remove(&self, user: UserId) -> HandlerResult {
        let lang = self.lang();
        let members = self.ctx.groups.members(self.group.id).await?;
        let Some(member) = members.iter().find(|m| m.user_id == user) else {
            return alert(self.bot, self.q, lang, "groups-member-gone").await;
        };
        let body = tr_args(
            lang,
            "groups-remove-confirm",
            &[("member", text(html::escape(&clip(&display_name(member), CLIP)))), ("name", text(self.name()))],
        );
        let yes = gr(tr(lang, "groups-btn-remove-yes"), GroupAction::RemoveConfirmed(self.group.id, user));
        let no = gr(tr(lang, "groups-btn-back"), GroupAction::Members(self.group.id, 0));
        show(self.bot, self.q, body, InlineKeyboardMarkup::new([vec![yes], vec![no]])).await
    }

    async fn remove(&self, user: UserId) -> HandlerResult {
        let ctx = self.ctx;
        let events = ctx.events.upcoming_for_group(self.group.id, ctx.clock.now()).await?;
        if !ctx.groups.remove_member(self.group.id, user).await? {
            return alert(self.bot, self.q, self.lang(), "groups-member-gone").await;
        }
        listeners::drop_unreached(ctx, user, &events).await?;
        self.members(0, Some(tr(self.lang(), "groups-member-removed"))).await
    }

    async fn links(&self, notice: Option<String>) -> HandlerResult {
        let lang = self.lang();
        let now = self.ctx.clock.now();
        let links = self.ctx.invites.active(InviteKind::Group, Some(self.group.id.get()), now).await?;
        let mut lines = vec![tr_args(
            lang,
            "groups-links-title",
            &[("name", text(self.name())), ("count", num(links.len() as u32))],
        )];
        lines.extend(links.iter().map(|l| link_line(lang, self.asker.user.tz, l)));
        lines.push(tr(lang, "groups-links-hint"));
        if let Some(notice) = notice {
            lines.insert(0, notice);
        }
        let g = self.group.id;
        let expiries: Vec<_> = EXPIRY_DAYS
            .iter()
            .map(|days| {
                gr(tr_args(lang, "groups-btn-link-expiry", &[("days", num(*days))]), GroupAction::NewLink(g, *days))
            })
            .collect();
        let mut rows: Vec<Vec<InlineKeyboardButton>> = expiries.chunks(2).map(<[_]>::to_vec).collect();
        if !links.is_empty() {
            rows.push(vec![gr(tr(lang, "groups-btn-revoke"), GroupAction::Revoke(g))]);
        }
        rows.push(self.back());
        show(self.bot, self.q, lines.join("\n\n"), InlineKeyboardMarkup::new(rows)).await
    }

    async fn new_link(&self, me: &Me, days: u16) -> HandlerResult {
        let now = self.ctx.clock.now();
        let expires = (days > 0).then(|| now + Duration::days(i64::from(days)));
        let id = Some(self.group.id.get());
        let code = self.ctx.invites.create(InviteKind::Group, id, self.asker.user.id, expires, None, now).await?;
        // Only a hash is kept: the link is shown now, once.
        let url = format!("https://t.me/{}?start={code}", me.username());
        let notice = tr_args(self.lang(), "groups-link-created-url", &[("url", text(url))]);
        self.links(Some(notice)).await
    }

    async fn revoke(&self) -> HandlerResult {
        let now = self.ctx.clock.now();
        let revoked = self.ctx.invites.revoke_for_target(InviteKind::Group, self.group.id.get(), now).await?;
        let notice = tr_args(self.lang(), "groups-links-revoked", &[("count", num(revoked as u32))]);
        self.links(Some(notice)).await
    }

    async fn chats(&self, notice: Option<String>) -> HandlerResult {
        let lang = self.lang();
        let chats = self.ctx.groups.chats(self.group.id).await?;
        let mut lines = vec![tr_args(
            lang,
            "groups-chats-title",
            &[("name", text(self.name())), ("count", num(chats.len() as u32))],
        )];
        lines.extend(chats.iter().map(|c| tr_args(lang, "groups-chat-line", &[("title", text(chat_title(lang, c)))])));
        lines.push(tr(lang, "groups-chats-hint"));
        if let Some(notice) = notice {
            lines.insert(0, notice);
        }
        let g = self.group.id;
        let mut rows: Vec<Vec<InlineKeyboardButton>> = chats
            .iter()
            .map(|c| {
                let label = tr_args(lang, "groups-btn-unlink", &[("title", text(clip(&chat_title(lang, c), 40)))]);
                vec![gr(label, GroupAction::Unlink(g, c.chat_id))]
            })
            .collect();
        rows.push(vec![gr(tr(lang, "groups-btn-chat-code"), GroupAction::ChatCode(g))]);
        rows.push(self.back());
        show(self.bot, self.q, lines.join("\n\n"), InlineKeyboardMarkup::new(rows)).await
    }

    /// Sends the `/link` command as its own message, so the teacher can copy it into the chat.
    async fn chat_code(&self) -> HandlerResult {
        let now = self.ctx.clock.now();
        let code = self.ctx.groups.create_chat_code(self.group.id, self.asker.user.id, now).await?;
        self.bot.answer_callback_query(self.q.id.clone()).await?;
        let body = tr_args(self.lang(), "groups-chat-code", &[("name", text(self.name())), ("code", text(code))]);
        self.bot.send_message(self.asker.user.id, body).await?;
        Ok(())
    }

    async fn unlink(&self, chat: ChatId) -> HandlerResult {
        if !self.ctx.groups.unlink_chat(self.group.id, chat).await? {
            return alert(self.bot, self.q, self.lang(), "groups-chat-gone").await;
        }
        // The chat hears no more; the members are invited one by one again.
        let events = self.ctx.events.upcoming_for_group(self.group.id, self.ctx.clock.now()).await?;
        listeners::notify_delivery_of_leave(self.ctx, &events, chat).await?;
        listeners::notify_delivery_of_audience(self.ctx, &events).await?;
        self.chats(Some(tr(self.lang(), "groups-chat-unlinked"))).await
    }
}

/// The name a teacher knows a member by: the full name they gave, else their Telegram name.
fn display_name(member: &Member) -> String {
    member.full_name.clone().unwrap_or_else(|| member.first_name.clone())
}

fn member_line(lang: Lang, tz: Tz, n: usize, member: &Member) -> String {
    let mut line = tr_args(
        lang,
        "groups-member",
        &[
            ("n", num(n as u32)),
            ("name", text(html::escape(&clip(&display_name(member), CLIP)))),
            ("joined", text(local_time(member.joined_at, tz))),
        ],
    );
    if let Some(organisation) = &member.organisation {
        let org = text(html::escape(&clip(organisation, CLIP)));
        line.push_str(&tr_args(lang, "groups-member-organisation", &[("organisation", org)]));
    }
    if let Some(username) = &member.username {
        line.push_str(&tr_args(lang, "groups-member-username", &[("username", text(html::escape(username)))]));
    }
    if member.full_name.is_some() {
        let telegram = text(html::escape(&clip(&member.first_name, CLIP)));
        line.push_str(&tr_args(lang, "groups-member-telegram-name", &[("telegram", telegram)]));
    }
    if !member.active {
        line.push_str(&tr(lang, "groups-member-blocked"));
    }
    line
}

/// A working link as the list shows it: its code is not kept, so only its terms.
fn link_line(lang: Lang, tz: Tz, invite: &Invite) -> String {
    let uses = num(invite.uses as u32);
    match invite.expires_at {
        Some(at) => tr_args(lang, "groups-link-until", &[("until", text(local_time(at, tz))), ("uses", uses)]),
        None => tr_args(lang, "groups-link-forever", &[("uses", uses)]),
    }
}

fn chat_title(lang: Lang, chat: &LinkedChat) -> String {
    match &chat.title {
        Some(title) => html::escape(title),
        None => tr(lang, "groups-chat-untitled"),
    }
}

fn local_time(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%d.%m.%Y %H:%M").to_string()
}

/// `/link <code>` in a group chat: links the chat to the group the code was made for. Only the
/// group's owner or an administrator may, and the code works once.
pub async fn link_chat(bot: AppBot, msg: Message, asker: Asker, ctx: SharedCtx, code: String) -> HandlerResult {
    let lang = asker.lang();
    let reply = |key: &str| tr(lang, key);
    if msg.chat.is_private() || msg.chat.is_channel() {
        bot.send_message(msg.chat.id, reply("link-in-group-only")).await?;
        return Ok(());
    }
    let code = code.trim();
    if code.is_empty() {
        bot.send_message(msg.chat.id, reply("link-usage")).await?;
        return Ok(());
    }
    let now = ctx.clock.now();
    let group = match ctx.groups.open_chat_code(code, now).await? {
        crate::store::groups::ChatCode::Valid { group_id, .. } => ctx.groups.get(group_id).await?,
        crate::store::groups::ChatCode::Invalid => None,
    };
    let Some(group) = group else {
        bot.send_message(msg.chat.id, reply("link-invalid")).await?;
        return Ok(());
    };
    if !guards::manages_group(&asker, &group) {
        bot.send_message(msg.chat.id, reply("link-not-allowed")).await?;
        return Ok(());
    }
    let title = msg.chat.title();
    match ctx.groups.link_chat(code, msg.chat.id, title, asker.user.id, now).await? {
        ChatLink::Linked(_) => {}
        ChatLink::CodeInvalid => {
            bot.send_message(msg.chat.id, reply("link-invalid")).await?;
            return Ok(());
        }
        ChatLink::TakenBy { owner } => {
            let owner = text(html::escape(&person_label(&ctx, owner).await?));
            bot.send_message(msg.chat.id, tr_args(lang, "link-taken", &[("owner", owner)])).await?;
            return Ok(());
        }
    }
    let done = tr_args(lang, "link-done", &[("name", text(html::escape(&group.name)))]);
    bot.send_message(msg.chat.id, done).await?;
    // Invitations to the group's coming classes go to the chat from now on.
    let events = ctx.events.upcoming_for_group(group.id, now).await?;
    listeners::notify_delivery_of_join(&ctx, &events, msg.chat.id).await
}

/// "Иван (@ivan)": how a person is named to someone who must find them.
async fn person_label(ctx: &SharedCtx, user: UserId) -> Result<String, super::BotError> {
    Ok(match ctx.users.get(user).await? {
        Some(person) => match person.username {
            Some(username) => format!("{} (@{username})", person.first_name),
            None => person.first_name,
        },
        None => user.0.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::profile::{LeaveAction, ProfileAction};

    #[test]
    fn every_action_round_trips_within_telegrams_limit_even_with_the_largest_ids() {
        let (g, u, chat) = (GroupId(i64::MAX), UserId(u64::MAX), ChatId(-1_009_999_999_999));
        let samples = [
            CallbackData::Group(GroupAction::List),
            CallbackData::Group(GroupAction::New),
            CallbackData::Group(GroupAction::Open(g)),
            CallbackData::Group(GroupAction::DeleteConfirmed(g)),
            CallbackData::Group(GroupAction::Members(g, u32::MAX)),
            CallbackData::Group(GroupAction::RemoveConfirmed(g, u)),
            CallbackData::Group(GroupAction::NewLink(g, 30)),
            CallbackData::Group(GroupAction::Unlink(g, chat)),
            CallbackData::Profile(ProfileAction::Skip),
            CallbackData::Leave(LeaveAction::GroupConfirmed(g)),
            CallbackData::Leave(LeaveAction::EventConfirmed(crate::domain::event::EventId(i64::MAX))),
            CallbackData::Leave(LeaveAction::Stay),
        ];
        for data in samples {
            let encoded = data.encode();
            assert!(encoded.len() <= CallbackData::MAX_BYTES, "{encoded}");
            assert_eq!(CallbackData::parse(&encoded), Some(data), "{encoded}");
        }
    }

    #[test]
    fn forged_actions_are_rejected() {
        for bad in
            ["gr:", "gr:o", "gr:o:x", "gr:o:1:2", "gr:e:1:3", "gr:x:1", "gr:l:1", "gr:z:1", "pf:q", "lv:g", "lv:G:x"]
        {
            assert_eq!(CallbackData::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn member_counts_use_russian_plurals() {
        let title = |n: u32| tr_args(Lang::Ru, "groups-members-title", &[("name", text("Г")), ("count", num(n))]);
        assert!(title(1).ends_with("1 участник"), "{}", title(1));
        assert!(title(2).ends_with("2 участника"), "{}", title(2));
        assert!(title(5).ends_with("5 участников"), "{}", title(5));
        assert!(title(21).ends_with("21 участник"), "{}", title(21));
        assert!(title(0).ends_with("0 участников"), "{}", title(0));
        let en = tr_args(Lang::En, "groups-members-title", &[("name", text("G")), ("count", num(1))]);
        assert!(en.ends_with("1 member"), "{en}");
    }

    #[test]
    fn nothing_is_counted_as_zero_where_words_say_it_better() {
        let confirm =
            |lang, n: u32| tr_args(lang, "groups-delete-confirm", &[("name", text("Г")), ("members", num(n))]);
        assert!(confirm(Lang::Ru, 0).contains("В ней никого нет."), "{}", confirm(Lang::Ru, 0));
        assert!(confirm(Lang::Ru, 3).contains("В ней 3 участника."), "{}", confirm(Lang::Ru, 3));
        assert!(confirm(Lang::En, 0).contains("It has no members."), "{}", confirm(Lang::En, 0));
        let link = |lang, n: u32| tr_args(lang, "groups-link-forever", &[("uses", num(n))]);
        assert!(link(Lang::Ru, 0).ends_with("пока никто не вступил"), "{}", link(Lang::Ru, 0));
        assert!(link(Lang::Ru, 22).ends_with("22 вступления"), "{}", link(Lang::Ru, 22));
        assert!(link(Lang::En, 0).ends_with("nobody joined yet"), "{}", link(Lang::En, 0));
    }

    #[test]
    fn a_page_of_the_longest_members_fits_one_message() {
        let long = "Ж".repeat(crate::domain::group::Organisation::MAX_CHARS);
        let member = Member {
            user_id: UserId(1),
            first_name: long.clone(),
            username: Some("u".repeat(32)),
            full_name: Some(long.clone()),
            organisation: Some(long),
            joined_at: chrono::Utc::now(),
            active: false,
        };
        let page: Vec<String> =
            (1..=PAGE).map(|n| member_line(Lang::Ru, chrono_tz::Europe::Moscow, n, &member)).collect();
        let length = page.join("\n\n").chars().count();
        assert!(length < 3500, "{length}");
    }
}
