//! `/events`: a teacher's events to manage, page by page; a listener's upcoming events with
//! their Join buttons.

use super::EventAction;
use super::card::callback;
use crate::bot::{AppBot, Asker, BotError, CallbackData, HandlerResult, SharedCtx};
use crate::delivery::render;
use crate::domain::event::EventStatus;
use crate::i18n::{num, tr, tr_args};
use teloxide::payloads::SendMessageSetters;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};
use teloxide::utils::html;

pub(crate) const PAGE: i64 = 5;

/// `/events`.
pub async fn list(bot: AppBot, msg: Message, asker: Asker, ctx: SharedCtx) -> HandlerResult {
    // A person's list, with its join and management buttons, is not for a group's eyes: the
    // schema lets `/events` through in private chats only.
    if asker.user.role.can_create_events() {
        let (text, keyboard) = managed_page(&asker, &ctx, 0).await?;
        bot.send_message(msg.chat.id, text).reply_markup(keyboard).await?;
    } else {
        listener_list(&bot, msg.chat.id, &asker, &ctx).await?;
    }
    Ok(())
}

pub async fn list_page(bot: AppBot, q: CallbackQuery, asker: Asker, ctx: SharedCtx, page: u32) -> HandlerResult {
    bot.answer_callback_query(q.id.clone()).await?;
    let (text, keyboard) = managed_page(&asker, &ctx, page).await?;
    if let Some(message) = q.regular_message() {
        bot.send_message(message.chat.id, text).reply_markup(keyboard).await?;
    }
    Ok(())
}

pub(crate) async fn managed_page(
    asker: &Asker,
    ctx: &SharedCtx,
    page: u32,
) -> Result<(String, InlineKeyboardMarkup), BotError> {
    let lang = asker.lang();
    let by = if asker.user.role.is_admin() { None } else { Some(asker.user.id) };
    let (_, total) = ctx.events.managed(by, ctx.clock.now(), 0, 0).await?;
    let page = page.min(last_page(total));
    let (events, total) = ctx.events.managed(by, ctx.clock.now(), PAGE, i64::from(page) * PAGE).await?;
    let past = vec![crate::bot::keyboards::button(tr(lang, "events-past"), CallbackData::PastEvents(0))];
    if events.is_empty() {
        return Ok((tr(lang, "events-none"), InlineKeyboardMarkup::new([past])));
    }
    let mut rows = event_rows(asker, &events);
    rows.extend(pager(page, total, CallbackData::EventList));
    rows.push(past);
    let heading = tr_args(
        lang,
        "events-heading",
        &[("count", num(total as f64)), ("page", num(f64::from(page) + 1.0)), ("pages", num(pages(total) as f64))],
    );
    Ok((heading, InlineKeyboardMarkup::new(rows)))
}

/// A page of the classes that ended in the last [`PAST_DAYS`] days, latest first: the way to
/// their cards, and so to who came.
pub async fn past_page(bot: AppBot, q: CallbackQuery, asker: Asker, ctx: SharedCtx, page: u32) -> HandlerResult {
    bot.answer_callback_query(q.id.clone()).await?;
    let Some(message) = q.regular_message() else { return Ok(()) };
    let lang = asker.lang();
    let by = if asker.user.role.is_admin() { None } else { Some(asker.user.id) };
    let now = ctx.clock.now();
    let (_, total) = ctx.events.past_managed(by, now, PAST_DAYS, 0, 0).await?;
    let page = page.min(last_page(total));
    let (events, total) = ctx.events.past_managed(by, now, PAST_DAYS, PAGE, i64::from(page) * PAGE).await?;
    let back = vec![crate::bot::keyboards::button(tr(lang, "events-back-to-list"), CallbackData::EventList(0))];
    let (text, mut rows) = if events.is_empty() {
        (tr_args(lang, "events-past-none", &[("days", num(PAST_DAYS as f64))]), Vec::new())
    } else {
        let heading = tr_args(
            lang,
            "events-past-heading",
            &[("count", num(total as f64)), ("page", num(f64::from(page) + 1.0)), ("pages", num(pages(total) as f64))],
        );
        let mut rows = event_rows(&asker, &events);
        rows.extend(pager(page, total, CallbackData::PastEvents));
        (heading, rows)
    };
    rows.push(back);
    bot.send_message(message.chat.id, text).reply_markup(InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

/// How far back the past classes go.
pub(crate) const PAST_DAYS: i64 = 90;

/// A forged page past the end shows the last one; no arithmetic on it can overflow.
fn last_page(total: i64) -> u32 {
    u32::try_from((total.max(1) - 1) / PAGE).unwrap_or(u32::MAX)
}

fn pages(total: i64) -> i64 {
    (total + PAGE - 1) / PAGE
}

/// One button a class, opening its card.
fn event_rows(asker: &Asker, events: &[crate::store::Event]) -> Vec<Vec<InlineKeyboardButton>> {
    let lang = asker.lang();
    events
        .iter()
        .map(|event| {
            let local = event.starts_at.with_timezone(&asker.user.tz).format("%d.%m %H:%M");
            let draft = if event.status == EventStatus::Draft {
                format!(" · {}", tr(lang, "event-status-draft"))
            } else {
                String::new()
            };
            vec![callback(format!("{local} · {}{draft}", event.title), event.id, EventAction::Open)]
        })
        .collect()
}

/// ◀ ▶ where there is a page to go to.
fn pager(page: u32, total: i64, to: fn(u32) -> CallbackData) -> Option<Vec<InlineKeyboardButton>> {
    let mut buttons = Vec::new();
    if page > 0 {
        buttons.push(crate::bot::keyboards::button("◀", to(page - 1)));
    }
    if (i64::from(page) + 1) * PAGE < total {
        buttons.push(crate::bot::keyboards::button("▶", to(page + 1)));
    }
    (!buttons.is_empty()).then_some(buttons)
}

pub(crate) async fn listener_list(bot: &AppBot, chat: ChatId, asker: &Asker, ctx: &SharedCtx) -> HandlerResult {
    let lang = asker.lang();
    let events = ctx.events.upcoming_for_listener(asker.user.id, ctx.clock.now()).await?;
    if events.is_empty() {
        bot.send_message(chat, tr(lang, "events-listener-none")).await?;
        return Ok(());
    }
    let mut lines = vec![tr(lang, "events-listener-heading")];
    let mut rows = Vec::new();
    for event in &events {
        lines.push(format!("• <b>{}</b>\n  {}", html::escape(&event.title), render::when(event, lang, asker.user.tz)));
        // The listener's own link, as on their card: a press through it is counted.
        let target = ctx.delivery.join_target(event, asker.user.id).await?;
        if let Some(url) = target.and_then(|u| u.parse().ok()) {
            let label = format!("▶️ {}", event.title.chars().take(40).collect::<String>());
            rows.push(vec![InlineKeyboardButton::url(label, url)]);
        }
    }
    bot.send_message(chat, lines.join("\n")).reply_markup(InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::i18n::{Lang, num, tr_args};

    #[test]
    fn the_teachers_event_list_counts_in_russian_plurals() {
        let heading =
            |n: u32| tr_args(Lang::Ru, "events-heading", &[("count", num(n)), ("page", num(1)), ("pages", num(1))]);
        assert!(heading(1).starts_with("1 предстоящее занятие "), "{}", heading(1));
        assert!(heading(3).starts_with("3 предстоящих занятия "), "{}", heading(3));
        assert!(heading(11).starts_with("11 предстоящих занятий "), "{}", heading(11));
        assert!(heading(21).starts_with("21 предстоящее занятие "), "{}", heading(21));
    }
}
