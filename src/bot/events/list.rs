//! `/events`: a teacher's events to manage, page by page; a listener's upcoming events with
//! their Join buttons.

use super::EventAction;
use super::card::callback;
use crate::bot::{AppBot, Asker, BotError, HandlerResult, SharedCtx};
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
    // A forged page past the end shows the last one; no arithmetic on it can overflow.
    let last = u32::try_from((total.max(1) - 1) / PAGE).unwrap_or(u32::MAX);
    let page = page.min(last);
    let (events, total) = ctx.events.managed(by, ctx.clock.now(), PAGE, i64::from(page) * PAGE).await?;
    if events.is_empty() {
        return Ok((tr(lang, "events-none"), InlineKeyboardMarkup::new(Vec::<Vec<InlineKeyboardButton>>::new())));
    }
    let mut rows: Vec<Vec<InlineKeyboardButton>> = events
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
        .collect();
    let mut pager = Vec::new();
    if page > 0 {
        pager.push(crate::bot::keyboards::button("◀", crate::bot::CallbackData::EventList(page - 1)));
    }
    if (i64::from(page) + 1) * PAGE < total {
        pager.push(crate::bot::keyboards::button("▶", crate::bot::CallbackData::EventList(page + 1)));
    }
    if !pager.is_empty() {
        rows.push(pager);
    }
    let pages = (total + PAGE - 1) / PAGE;
    let heading = tr_args(
        lang,
        "events-heading",
        &[("count", num(total as f64)), ("page", num(f64::from(page) + 1.0)), ("pages", num(pages as f64))],
    );
    Ok((heading, InlineKeyboardMarkup::new(rows)))
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
        if let Some(url) = event.join_url().and_then(|u| u.parse().ok()) {
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
