//! A listener's own side: `/settings` (language, time zone, full name, organisation) and
//! `/leave` (a group or an event joined by its own link).

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId};
use teloxide::utils::html;

use super::listeners::{self, ListenerStep, alert, clip, show};
use super::screen::{self, Place, Screen};
use super::{AppBot, Asker, BotDialogue, CallbackData, HandlerResult, SharedCtx, State, keyboards, settings};
use crate::domain::group::{Email, FullName, Organisation};
use crate::i18n::{Lang, text, tr, tr_args};

pub use crate::callback::profile::{LeaveAction, ProfileAction};

fn pf(label: String, action: ProfileAction) -> InlineKeyboardButton {
    keyboards::button(label, CallbackData::Profile(action))
}

fn lv(label: String, action: LeaveAction) -> InlineKeyboardButton {
    keyboards::button(label, CallbackData::Leave(action))
}

/// `/settings`
pub async fn settings(bot: AppBot, msg: Message, asker: Asker, ctx: SharedCtx) -> HandlerResult {
    let lang = asker.lang();
    let profile = ctx.users.profile(asker.user.id).await?;
    // "Not set" agrees with what is not set: in Russian the full name is plural, the organisation feminine.
    let shown = |value: Option<String>, unset: &str| value.map(|v| html::escape(&v)).unwrap_or_else(|| tr(lang, unset));
    let body = tr_args(
        lang,
        "profile-settings",
        &[
            ("language", text(tr(lang, &format!("lang-name-{}", lang.code())))),
            ("zone", text(html::escape(&keyboards::zone_label(lang, asker.user.tz, ctx.clock.now())))),
            ("full_name", text(shown(profile.full_name, "profile-unset-full-name"))),
            ("organisation", text(shown(profile.organisation, "profile-unset-organisation"))),
            ("email", text(shown(profile.email, "profile-unset-email"))),
        ],
    );
    let rows = vec![
        vec![
            pf(tr(lang, "profile-btn-language"), ProfileAction::Language),
            pf(tr(lang, "profile-btn-timezone"), ProfileAction::Timezone),
        ],
        vec![pf(tr(lang, "profile-btn-full-name"), ProfileAction::FullName)],
        vec![pf(tr(lang, "profile-btn-organisation"), ProfileAction::Organisation)],
        vec![pf(tr(lang, "profile-btn-email"), ProfileAction::Email)],
    ];
    bot.send_message(msg.chat.id, body).reply_markup(InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

pub async fn on_button(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    action: ProfileAction,
) -> HandlerResult {
    let lang = asker.lang();
    // The settings of /lang and /tz are reused as they are; they answer in the chat.
    let Some(message) = q.regular_message().cloned() else {
        return alert(&bot, &q, lang, "button-stale").await;
    };
    match action {
        ProfileAction::Language => {
            bot.answer_callback_query(q.id.clone()).await?;
            settings::ask_language(bot, message, asker).await
        }
        ProfileAction::Timezone => {
            bot.answer_callback_query(q.id.clone()).await?;
            settings::ask_timezone(bot, message, asker, ctx, dialogue).await
        }
        ProfileAction::FullName => {
            ask(&bot, &q, &dialogue, lang, ListenerStep::FullName { first_join: false, question: None }).await
        }
        ProfileAction::Organisation => {
            ask(&bot, &q, &dialogue, lang, ListenerStep::Organisation { first_join: false, question: None }).await
        }
        ProfileAction::Email => ask(&bot, &q, &dialogue, lang, ListenerStep::Email).await,
        ProfileAction::Skip => skip(&bot, &q, &dialogue, lang, message.id).await,
    }
}

async fn ask(bot: &AppBot, q: &CallbackQuery, dialogue: &BotDialogue, lang: Lang, step: ListenerStep) -> HandlerResult {
    bot.answer_callback_query(q.id.clone()).await?;
    let key = match step {
        ListenerStep::Organisation { .. } => "profile-ask-organisation",
        ListenerStep::Email => "profile-ask-email",
        _ => "profile-ask-full-name",
    };
    bot.send_message(q.from.id, tr(lang, key)).await?;
    dialogue.update(State::Listener(step)).await?;
    Ok(())
}

/// "Skip" under a first-join question: the next one, or the thanks, takes its place. Only the
/// question now asked can be skipped: an older one's button is stale.
async fn skip(
    bot: &AppBot,
    q: &CallbackQuery,
    dialogue: &BotDialogue,
    lang: Lang,
    pressed: MessageId,
) -> HandlerResult {
    let chat = ChatId::from(q.from.id);
    let asked_here = |question: Option<MessageId>| question.is_none_or(|id| id == pressed);
    match dialogue.get().await? {
        Some(State::Listener(ListenerStep::FullName { first_join: true, question })) if asked_here(question) => {
            bot.answer_callback_query(q.id.clone()).await?;
            ask_organisation_first(bot, chat, dialogue, lang, Place::Over(pressed)).await
        }
        Some(State::Listener(ListenerStep::Organisation { first_join: true, question })) if asked_here(question) => {
            bot.answer_callback_query(q.id.clone()).await?;
            dialogue.reset().await?;
            screen::show(bot, chat, Place::Over(pressed), Screen::plain(tr(lang, "profile-thanks"))).await?;
            Ok(())
        }
        _ => alert(bot, q, lang, "button-stale").await,
    }
}

async fn ask_organisation_first(
    bot: &AppBot,
    chat: ChatId,
    dialogue: &BotDialogue,
    lang: Lang,
    place: Place,
) -> HandlerResult {
    let skip = pf(tr(lang, "profile-btn-skip"), ProfileAction::Skip);
    let question = Screen::new(tr(lang, "profile-ask-organisation-first"), InlineKeyboardMarkup::new([vec![skip]]));
    let shown = screen::show(bot, chat, place, question).await?;
    let step = ListenerStep::Organisation { first_join: true, question: Some(shown) };
    dialogue.update(State::Listener(step)).await?;
    Ok(())
}

pub async fn receive_full_name(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    (first_join, question): (bool, Option<MessageId>),
) -> HandlerResult {
    let lang = asker.lang();
    let Some(line) = listeners::typed_line(&bot, &msg, &asker).await? else { return Ok(()) };
    let name = match FullName::parse(line) {
        Ok(name) => name,
        Err(err) => return listeners::explain(&bot, &msg, lang, err).await,
    };
    ctx.users.set_full_name(asker.user.id, &name).await?;
    if first_join {
        return ask_organisation_first(&bot, msg.chat.id, &dialogue, lang, Place::Below(question)).await;
    }
    dialogue.reset().await?;
    let done = tr_args(lang, "profile-full-name-saved", &[("value", text(html::escape(name.as_str())))]);
    bot.send_message(msg.chat.id, done).await?;
    Ok(())
}

pub async fn receive_organisation(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    (first_join, question): (bool, Option<MessageId>),
) -> HandlerResult {
    let lang = asker.lang();
    let Some(line) = listeners::typed_line(&bot, &msg, &asker).await? else { return Ok(()) };
    let organisation = match Organisation::parse(line) {
        Ok(organisation) => organisation,
        Err(err) => return listeners::explain(&bot, &msg, lang, err).await,
    };
    ctx.users.set_organisation(asker.user.id, &organisation).await?;
    dialogue.reset().await?;
    let reply = if first_join {
        tr(lang, "profile-thanks")
    } else {
        tr_args(lang, "profile-organisation-saved", &[("value", text(html::escape(organisation.as_str())))])
    };
    // The first-join question loses its Skip button under the answer.
    screen::show(&bot, msg.chat.id, Place::Below(question), Screen::plain(reply)).await?;
    Ok(())
}

pub async fn receive_email(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
) -> HandlerResult {
    let lang = asker.lang();
    let Some(line) = listeners::typed_line(&bot, &msg, &asker).await? else { return Ok(()) };
    let email = match Email::parse(line) {
        Ok(email) => email,
        Err(err) => return listeners::explain(&bot, &msg, lang, err).await,
    };
    ctx.users.set_email(asker.user.id, &email).await?;
    dialogue.reset().await?;
    let done = tr_args(lang, "profile-email-saved", &[("value", text(html::escape(email.as_str())))]);
    bot.send_message(msg.chat.id, done).await?;
    Ok(())
}

/// `/leave`: the person's groups and the events they joined by link, one button each.
pub async fn leave(bot: AppBot, msg: Message, asker: Asker, ctx: SharedCtx) -> HandlerResult {
    let lang = asker.lang();
    let user = asker.user.id;
    let groups = ctx.groups.groups_of(user).await?;
    let events = ctx.groups.direct_events(user, ctx.clock.now()).await?;
    if groups.is_empty() && events.is_empty() {
        bot.send_message(msg.chat.id, tr(lang, "leave-nothing")).await?;
        return Ok(());
    }
    let group_rows = groups.iter().map(|g| {
        vec![lv(tr_args(lang, "leave-btn-group", &[("name", text(clip(&g.name, 50)))]), LeaveAction::Group(g.id))]
    });
    let event_rows = events.iter().map(|e| {
        vec![lv(tr_args(lang, "leave-btn-event", &[("title", text(clip(&e.title, 50)))]), LeaveAction::Event(e.id))]
    });
    let mut rows: Vec<Vec<InlineKeyboardButton>> = group_rows.chain(event_rows).collect();
    rows.push(vec![lv(tr(lang, "leave-btn-stay"), LeaveAction::Stay)]);
    bot.send_message(msg.chat.id, tr(lang, "leave-ask")).reply_markup(InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

pub async fn on_leave_button(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    action: LeaveAction,
) -> HandlerResult {
    let lang = asker.lang();
    let user = asker.user.id;
    let now = ctx.clock.now();
    let stay = || lv(tr(lang, "leave-btn-stay"), LeaveAction::Stay);
    match action {
        LeaveAction::Stay => show(&bot, &q, tr(lang, "leave-stayed"), InlineKeyboardMarkup::default()).await,
        LeaveAction::Group(id) | LeaveAction::GroupConfirmed(id) => {
            // Membership is checked on every press: the button may be old, or forged.
            let Some(group) = ctx.groups.get(id).await? else {
                return alert(&bot, &q, lang, "leave-not-member").await;
            };
            if !ctx.groups.is_member(id, user).await? {
                return alert(&bot, &q, lang, "leave-not-member").await;
            }
            let name = text(html::escape(&group.name));
            if let LeaveAction::Group(_) = action {
                let yes = lv(tr(lang, "leave-btn-yes"), LeaveAction::GroupConfirmed(id));
                let body = tr_args(lang, "leave-group-confirm", &[("name", name)]);
                return show(&bot, &q, body, InlineKeyboardMarkup::new([vec![yes], vec![stay()]])).await;
            }
            let events = ctx.events.upcoming_for_group(id, now).await?;
            ctx.groups.remove_member(id, user).await?;
            listeners::drop_unreached(&ctx, user, &events).await?;
            show(&bot, &q, tr_args(lang, "leave-group-done", &[("name", name)]), InlineKeyboardMarkup::default()).await
        }
        LeaveAction::Event(id) | LeaveAction::EventConfirmed(id) => {
            let events = ctx.groups.direct_events(user, now).await?;
            let Some(event) = events.into_iter().find(|e| e.id == id) else {
                return alert(&bot, &q, lang, "leave-not-member").await;
            };
            let title = text(html::escape(&event.title));
            if let LeaveAction::Event(_) = action {
                let yes = lv(tr(lang, "leave-btn-yes"), LeaveAction::EventConfirmed(id));
                let body = tr_args(lang, "leave-event-confirm", &[("title", title)]);
                return show(&bot, &q, body, InlineKeyboardMarkup::new([vec![yes], vec![stay()]])).await;
            }
            ctx.groups.leave_event(id, user, now).await?;
            // Leaving an event is explicit: its messages stop even if a group still lists it.
            listeners::notify_delivery_of_leave(&ctx, &[id], ChatId(user.0 as i64)).await?;
            show(&bot, &q, tr_args(lang, "leave-event-done", &[("title", title)]), InlineKeyboardMarkup::default())
                .await
        }
    }
}
