//! The teacher's card of an event and its keyboards.

use super::EventAction;
use crate::bot::screen::{self, Place, Screen};
use crate::bot::{AppBot, Asker, BotError, HandlerResult, SharedCtx};
use crate::delivery::plan::minutes_late;
use crate::delivery::render;
use crate::domain::event::{EventId, EventStatus};
use crate::domain::reminders::missed_reminders;
use crate::i18n::{Lang, num, text, tr, tr_args};
use crate::store::Event;
use chrono::{DateTime, Utc};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};
use teloxide::utils::html;

pub(crate) fn callback(label: String, id: EventId, action: EventAction) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(label, action.encode(id))
}

// ---- the teacher's card ----

/// Sends the teacher's card of an event, under an optional headline.
pub async fn send_card(
    bot: &AppBot,
    chat: ChatId,
    asker: &Asker,
    ctx: &SharedCtx,
    event: &Event,
    headline: Option<&str>,
) -> HandlerResult {
    send_card_with(bot, chat, asker, ctx, event, headline, None).await
}

/// The card with a closing line (an invitation link, say), in one message.
pub async fn send_card_with(
    bot: &AppBot,
    chat: ChatId,
    asker: &Asker,
    ctx: &SharedCtx,
    event: &Event,
    headline: Option<&str>,
    footer: Option<String>,
) -> HandlerResult {
    let card = card_screen(asker, ctx, event, headline, footer).await?;
    screen::show(bot, chat, Place::Below(None), card).await?;
    Ok(())
}

/// Shows the card at `place`: over the menu or prompt it replaces when a button leads back to it.
pub async fn show_card(
    bot: &AppBot,
    chat: ChatId,
    place: Place,
    asker: &Asker,
    ctx: &SharedCtx,
    event: &Event,
    headline: Option<&str>,
) -> HandlerResult {
    let card = card_screen(asker, ctx, event, headline, None).await?;
    screen::show(bot, chat, place, card).await?;
    Ok(())
}

/// The card at `place` under what just happened to it (a cancel, a new link), in one message.
pub async fn show_card_under(
    bot: &AppBot,
    chat: ChatId,
    place: Place,
    asker: &Asker,
    ctx: &SharedCtx,
    event: &Event,
    said: String,
) -> HandlerResult {
    let card = card_screen(asker, ctx, event, None, None).await?;
    screen::show(bot, chat, place, Screen { text: format!("{said}\n\n{}", card.text), ..card }).await?;
    Ok(())
}

async fn card_screen(
    asker: &Asker,
    ctx: &SharedCtx,
    event: &Event,
    headline: Option<&str>,
    footer: Option<String>,
) -> Result<Screen, BotError> {
    let mut body = card_text(asker, ctx, event).await?;
    if let Some(key) = headline {
        body = format!("{}\n\n{body}", tr(asker.lang(), key));
    }
    if let Some(footer) = footer {
        body = format!("{body}\n\n{footer}");
    }
    Ok(Screen::new(body, card_keyboard(asker.lang(), event, ctx.clock.now())))
}

pub(crate) async fn card_text(asker: &Asker, ctx: &SharedCtx, event: &Event) -> Result<String, BotError> {
    let lang = asker.lang();
    let tz = asker.user.tz;
    let provider = match event.provider_id {
        Some(id) => ctx.providers.get(id).await?,
        None => None,
    };
    let mut lines = vec![
        tr_args(lang, "card-title", &[("title", text(html::escape(&event.title)))]),
        tr_args(lang, "card-when", &[("when", text(render::when(event, lang, tz)))]),
        tr_args(lang, "card-duration", &[("duration", text(render::duration(lang, event.duration_min)))]),
    ];
    if let Some(provider) = &provider {
        let kind = tr(lang, provider.kind.i18n_key());
        let service = if provider.name == kind { kind } else { format!("{} ({kind})", html::escape(&provider.name)) };
        lines.push(tr_args(lang, "event-card-provider", &[("provider", text(service))]));
    }
    if let Some((series, number)) = event.series
        && let Some(series) = ctx.series.store().get(series).await?
    {
        lines.push(tr_args(
            lang,
            "event-card-series",
            &[
                ("rule", text(render::repeat_text(lang, &series.rule, series.tz, event.starts_at, tz))),
                ("number", num(number as f64 + 1.0)),
                ("total", num(series.starts().len() as f64)),
            ],
        ));
    }
    lines.push(tr(lang, &format!("event-status-line-{}", event.status.as_str())));
    // A cancelled or finished class's links lead to a meeting that is gone (or must not be used).
    let live = matches!(event.status, EventStatus::Planned | EventStatus::Draft);
    if let Some(meeting) = event.meeting.as_ref().filter(|_| live) {
        lines.push(tr_args(lang, "event-card-join", &[("url", text(html::escape(&meeting.join_url)))]));
        if let Some(host) = &meeting.host_url {
            lines.push(tr_args(lang, "event-card-host-link", &[("url", text(html::escape(host)))]));
        }
    } else if event.is_planned() {
        lines.push(tr(lang, "event-card-no-link"));
    }
    if event.status != EventStatus::Draft {
        let rsvp = ctx.events.rsvp_counts(event.id).await?;
        lines.push(tr_args(
            lang,
            "event-card-listeners",
            &[("count", num(rsvp.audience as f64)), ("yes", num(rsvp.yes as f64)), ("no", num(rsvp.no as f64))],
        ));
        let sent = ctx.delivery.outbox().counts(event.id).await?;
        lines.push(tr_args(
            lang,
            "event-card-delivery",
            &[
                ("sent", num(sent.sent as f64)),
                ("pending", num(sent.pending as f64)),
                ("failed", num(sent.failed as f64)),
            ],
        ));
        if let Some(late) = ctx.delivery.expected_lateness(event.id) {
            lines.push(tr_args(lang, "event-card-reminders-late", &[("minutes", num(minutes_late(late) as f64))]));
        }
    }
    if let Some(kind) = provider.as_ref().map(|p| p.kind).filter(|k| !k.keeps_schedule()) {
        lines.push(tr_args(lang, "event-card-service-keeps-link", &[("service", text(tr(lang, kind.i18n_key())))]));
    }
    if event.status == EventStatus::Draft
        && let Some(error) = &event.last_error
    {
        lines.push(tr_args(lang, "event-card-last-error", &[("error", text(html::escape(error)))]));
    }
    Ok(lines.join("\n"))
}

pub(crate) fn card_keyboard(lang: Lang, event: &Event, now: DateTime<Utc>) -> InlineKeyboardMarkup {
    let id = event.id;
    let b = |key: &str, action| callback(tr(lang, key), id, action);
    let mut rows = match event.status {
        EventStatus::Planned => {
            let mut rows = vec![
                vec![b("event-edit", EventAction::Edit), b("event-new-link", EventAction::NewLink)],
                vec![b("event-remove-link", EventAction::RemoveLink), b("event-cancel", EventAction::Cancel)],
                vec![b("event-copy", EventAction::Copy), b("event-answers", EventAction::Answers)],
                vec![b("event-missed", EventAction::Missed), b("event-invite-link", EventAction::InviteLink)],
                vec![b("event-invite-revoke", EventAction::InviteRevoke)],
            ];
            if event.series.is_some() {
                rows.push(vec![b("event-cancel-series", EventAction::CancelSeries)]);
            }
            rows
        }
        EventStatus::Draft => vec![
            vec![b("event-retry", EventAction::Retry), b("event-edit", EventAction::Edit)],
            vec![b("event-delete-draft", EventAction::DeleteDraft)],
        ],
        EventStatus::Cancelled | EventStatus::Finished => vec![vec![b("event-copy", EventAction::Copy)]],
    };
    // Who came is a question once the class has begun.
    if matches!(event.status, EventStatus::Planned | EventStatus::Finished) && now >= event.starts_at {
        rows.insert(0, vec![super::attendance::card_button(lang, event)]);
    }
    rows.push(vec![crate::bot::keyboards::button(
        tr(lang, "events-back-to-list"),
        crate::bot::CallbackData::EventList(0),
    )]);
    InlineKeyboardMarkup::new(rows)
}

/// The edit menu's buttons; `now` tells the reminders still ahead from the ones already past.
pub(crate) fn edit_keyboard(lang: Lang, event: &Event, now: DateTime<Utc>) -> InlineKeyboardMarkup {
    let id = event.id;
    let missed = missed_reminders(&event.reminders, event.starts_at, now);
    let b = |key: &str, action| callback(tr(lang, key), id, action);
    let mut rows = vec![
        vec![b("event-edit-title", EventAction::EditTitle), b("event-edit-description", EventAction::EditDescription)],
        vec![b("event-edit-when", EventAction::EditWhen), b("event-edit-duration", EventAction::EditDuration)],
    ];
    rows.extend(super::reminder_rows(lang, &event.reminders, &missed, |offset| {
        crate::bot::CallbackData::Event(id, EventAction::Reminder(offset))
    }));
    rows.push(vec![b("event-back-to-card", EventAction::Open)]);
    InlineKeyboardMarkup::new(rows)
}
