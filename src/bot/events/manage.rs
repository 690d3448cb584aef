//! `/events`: a teacher's events and everything done to one after it is made; a listener's
//! upcoming events with their Join buttons.

use std::str::FromStr;

use teloxide::payloads::{EditMessageReplyMarkupSetters, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, Me, UserId};
use teloxide::utils::html;

use super::create::{explain, typed};
use super::{EventAction, EventStep, may_manage};
use crate::bot::{AppBot, Asker, BotDialogue, BotError, HandlerResult, SharedCtx, State};
use crate::delivery::plan::minutes_late;
use crate::delivery::render;
use crate::domain::event::{Description, EventDuration, EventId, EventStatus, EventTitle};
use crate::domain::invite::InviteKind;
use crate::domain::time_input::{DateOrDateTime, check_not_past, parse_date_time, resolve_local};
use crate::i18n::{Lang, num, provider_error, text, tr, tr_args, tr_domain};
use crate::meetings::{MeetingError, Removal};
use crate::store::{Event, NewEvent, Recipient};

const PAGE: i64 = 5;

fn callback(label: String, id: EventId, action: EventAction) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(label, action.encode(id))
}

/// `/events`.
pub async fn list(bot: AppBot, msg: Message, asker: Asker, ctx: SharedCtx) -> HandlerResult {
    // A person's list, with its join and management buttons, is not for a group's eyes.
    if !msg.chat.is_private() {
        bot.send_message(msg.chat.id, tr(asker.lang(), "settings-private-only")).await?;
        return Ok(());
    }
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
    if !asker.user.role.can_create_events() {
        return Ok(());
    }
    let (text, keyboard) = managed_page(&asker, &ctx, page).await?;
    if let Some(message) = q.regular_message() {
        bot.send_message(message.chat.id, text).reply_markup(keyboard).await?;
    }
    Ok(())
}

async fn managed_page(asker: &Asker, ctx: &SharedCtx, page: u32) -> Result<(String, InlineKeyboardMarkup), BotError> {
    let lang = asker.lang();
    let by = if asker.user.role.is_admin() { None } else { Some(asker.user.id) };
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
    if i64::from(page + 1) * PAGE < total {
        pager.push(crate::bot::keyboards::button("▶", crate::bot::CallbackData::EventList(page + 1)));
    }
    if !pager.is_empty() {
        rows.push(pager);
    }
    let pages = (total + PAGE - 1) / PAGE;
    let heading = tr_args(
        lang,
        "events-heading",
        &[("count", num(total as f64)), ("page", num(f64::from(page + 1))), ("pages", num(pages as f64))],
    );
    Ok((heading, InlineKeyboardMarkup::new(rows)))
}

async fn listener_list(bot: &AppBot, chat: ChatId, asker: &Asker, ctx: &SharedCtx) -> HandlerResult {
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
    let mut body = card_text(asker, ctx, event).await?;
    if let Some(key) = headline {
        body = format!("{}\n\n{body}", tr(asker.lang(), key));
    }
    if let Some(footer) = footer {
        body = format!("{body}\n\n{footer}");
    }
    bot.send_message(chat, body).reply_markup(card_keyboard(asker.lang(), event)).await?;
    Ok(())
}

async fn card_text(asker: &Asker, ctx: &SharedCtx, event: &Event) -> Result<String, BotError> {
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
    if let Some(meeting) = &event.meeting {
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

fn card_keyboard(lang: Lang, event: &Event) -> InlineKeyboardMarkup {
    let id = event.id;
    let b = |key: &str, action| callback(tr(lang, key), id, action);
    let mut rows = match event.status {
        EventStatus::Planned => {
            let mut rows = vec![
                vec![b("event-edit", EventAction::Edit), b("event-new-link", EventAction::NewLink)],
                vec![b("event-remove-link", EventAction::RemoveLink), b("event-cancel", EventAction::Cancel)],
                vec![b("event-copy", EventAction::Copy), b("event-answers", EventAction::Answers)],
                vec![b("event-missed", EventAction::Missed), b("event-invite-link", EventAction::InviteLink)],
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
    rows.push(vec![crate::bot::keyboards::button(
        tr(lang, "events-back-to-list"),
        crate::bot::CallbackData::EventList(0),
    )]);
    InlineKeyboardMarkup::new(rows)
}

fn edit_keyboard(lang: Lang, event: &Event) -> InlineKeyboardMarkup {
    let id = event.id;
    let b = |key: &str, action| callback(tr(lang, key), id, action);
    let mut rows = vec![
        vec![b("event-edit-title", EventAction::EditTitle), b("event-edit-description", EventAction::EditDescription)],
        vec![b("event-edit-when", EventAction::EditWhen), b("event-edit-duration", EventAction::EditDuration)],
    ];
    rows.extend(super::reminder_rows(lang, &event.reminders, |offset| {
        crate::bot::CallbackData::Event(id, EventAction::Reminder(offset))
    }));
    rows.push(vec![b("event-back-to-card", EventAction::Open)]);
    InlineKeyboardMarkup::new(rows)
}

// ---- presses on the card ----

pub async fn press(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    me: Me,
    (id, action): (EventId, EventAction),
) -> HandlerResult {
    let lang = asker.lang();
    let event = match ctx.events.get(id).await? {
        Some(event) if may_manage(&asker, &event) => event,
        Some(_) => {
            bot.answer_callback_query(q.id).text(tr(lang, "event-not-yours")).show_alert(true).await?;
            return Ok(());
        }
        None => return crate::bot::start::stale_button(bot, q, asker).await,
    };
    let Some(message) = q.regular_message() else { return Ok(()) };
    let chat = message.chat.id;
    bot.answer_callback_query(q.id.clone()).await?;
    match action {
        EventAction::Open => send_card(&bot, chat, &asker, &ctx, &event, None).await?,
        EventAction::Edit => {
            bot.send_message(chat, tr(lang, "event-edit-what")).reply_markup(edit_keyboard(lang, &event)).await?;
        }
        EventAction::EditTitle => {
            prompt(&bot, chat, lang, &dialogue, "event-ask-title", EventStep::EditTitle(id)).await?
        }
        EventAction::EditDescription => {
            prompt(&bot, chat, lang, &dialogue, "event-ask-description", EventStep::EditDescription(id)).await?
        }
        EventAction::EditWhen => prompt(&bot, chat, lang, &dialogue, "event-ask-when", EventStep::EditWhen(id)).await?,
        EventAction::EditDuration => {
            prompt(&bot, chat, lang, &dialogue, "event-ask-duration", EventStep::EditDuration(id)).await?
        }
        EventAction::Copy => prompt(&bot, chat, lang, &dialogue, "event-ask-copy", EventStep::CopyTo(id)).await?,
        EventAction::Reminder(offset) => {
            let mut reminders = event.reminders.clone();
            super::toggle_reminder(&mut reminders, offset);
            ctx.events.set_reminders(id, &reminders, ctx.clock.now()).await?;
            ctx.delivery.replan_reminders(id).await?;
            let event = Event { reminders, ..event };
            bot.edit_message_reply_markup(chat, message.id).reply_markup(edit_keyboard(lang, &event)).await?;
        }
        EventAction::NewLink => {
            let outcome = ctx.meetings.new_link(id).await;
            report(&bot, chat, &asker, &ctx, id, "event-new-link-done", outcome).await?;
        }
        EventAction::RemoveLink => {
            let outcome = ctx.meetings.remove_link(id).await;
            report(&bot, chat, &asker, &ctx, id, "event-link-removed", outcome).await?;
        }
        EventAction::Cancel => {
            let count = ctx.events.audience(id).await?.len();
            let keyboard = InlineKeyboardMarkup::new([[
                callback(tr(lang, "event-cancel-yes"), id, EventAction::CancelConfirmed),
                callback(tr(lang, "event-cancel-no"), id, EventAction::Open),
            ]]);
            let question = tr_args(
                lang,
                "event-cancel-ask",
                &[("title", text(html::escape(&event.title))), ("count", num(count as f64))],
            );
            bot.send_message(chat, question).reply_markup(keyboard).await?;
        }
        EventAction::CancelConfirmed if event.status == EventStatus::Planned => {
            let outcome = ctx.meetings.cancel(id).await;
            // A cancelled occurrence of a series makes way for the next one now.
            ctx.series.wake();
            report(&bot, chat, &asker, &ctx, id, "event-cancelled", outcome).await?;
        }
        EventAction::CancelSeries if event.series.is_some() => {
            let keyboard = InlineKeyboardMarkup::new([[
                callback(tr(lang, "event-cancel-yes"), id, EventAction::CancelSeriesConfirmed),
                callback(tr(lang, "event-cancel-no"), id, EventAction::Open),
            ]]);
            let question = tr_args(lang, "event-cancel-series-ask", &[("title", text(html::escape(&event.title)))]);
            bot.send_message(chat, question).reply_markup(keyboard).await?;
        }
        EventAction::CancelSeriesConfirmed => {
            let Some((series, _)) = event.series else { return Ok(()) };
            let outcome = ctx.series.cancel(series).await.map(|()| None);
            report(&bot, chat, &asker, &ctx, id, "event-series-cancelled", outcome).await?;
        }
        EventAction::DeleteDraft if event.status == EventStatus::Draft => {
            ctx.events.delete_draft(id).await?;
            bot.send_message(chat, tr(lang, "event-draft-deleted")).await?;
        }
        EventAction::Retry if event.status == EventStatus::Draft => {
            super::create::publish(&bot, chat, &asker, &ctx, &me, id).await?;
        }
        EventAction::Answers => answers(&bot, chat, &asker, &ctx, &event).await?,
        EventAction::Nudge => {
            let silent = ctx.events.without_rsvp(id).await?;
            let chats: Vec<ChatId> = silent.iter().map(|u| ChatId(u.0 as i64)).collect();
            // At most one nudge an hour reaches a listener, however often the button is pressed.
            let round = ctx.clock.now().timestamp() / 3600;
            let queued = ctx.delivery.nudge(id, round, &chats).await?;
            bot.send_message(chat, tr_args(lang, "event-nudged", &[("count", num(queued as f64))])).await?;
        }
        EventAction::Missed => missed(&bot, chat, &asker, &ctx, &event).await?,
        EventAction::InviteLink => {
            if let Some(link) = invite_link_text(&asker, &ctx, &me, id, true).await? {
                bot.send_message(chat, link).await?;
            }
        }
        // A press that no longer fits the event's status (cancel twice, retry a planned one).
        _ => send_card(&bot, chat, &asker, &ctx, &event, Some("event-action-outdated")).await?,
    }
    Ok(())
}

/// The event's own invitation link as a line to send; made when `create` and none is working.
pub async fn invite_link_text(
    asker: &Asker,
    ctx: &SharedCtx,
    me: &Me,
    id: EventId,
    create: bool,
) -> Result<Option<String>, BotError> {
    let now = ctx.clock.now();
    let code = match ctx.invites.active(InviteKind::Event, Some(id.0), now).await?.first() {
        Some(invite) => format!("e{}", invite.token),
        None if create => {
            ctx.invites.create(InviteKind::Event, Some(id.0), asker.user.id, None, None, now).await?.to_string()
        }
        None => return Ok(None),
    };
    let link = format!("https://t.me/{}?start={code}", me.username());
    Ok(Some(tr_args(asker.lang(), "event-invite-link-text", &[("link", text(html::escape(&link)))])))
}

async fn prompt(
    bot: &AppBot,
    chat: ChatId,
    lang: Lang,
    dialogue: &BotDialogue,
    key: &str,
    step: EventStep,
) -> HandlerResult {
    bot.send_message(chat, tr(lang, key)).await?;
    dialogue.update(State::Event(step)).await?;
    Ok(())
}

/// After a provider action: what happened there, honestly, then the fresh card.
async fn report(
    bot: &AppBot,
    chat: ChatId,
    asker: &Asker,
    ctx: &SharedCtx,
    id: EventId,
    done: &str,
    outcome: Result<Option<Removal>, MeetingError>,
) -> HandlerResult {
    let lang = asker.lang();
    match outcome {
        Ok(removal) => {
            let mut lines = vec![tr(lang, done)];
            if let Some(removal) = removal {
                let (key, _) = removal.outcome.i18n(removal.kind);
                lines.push(tr_args(lang, key, &[("service", text(tr(lang, removal.kind.i18n_key())))]));
            }
            bot.send_message(chat, lines.join("\n")).await?;
        }
        Err(err) => {
            bot.send_message(chat, failure(lang, id, &err)).await?;
        }
    }
    if let Some(event) = ctx.events.get(id).await? {
        send_card(bot, chat, asker, ctx, &event, None).await?;
    }
    Ok(())
}

fn failure(lang: Lang, id: EventId, err: &MeetingError) -> String {
    let reason = match err {
        MeetingError::Provider(err) => provider_error(lang, err),
        other => {
            tracing::error!(event = id.0, %other, "an event action failed");
            tr(lang, "new-failed-internal")
        }
    };
    tr_args(lang, "event-provider-refused", &[("reason", text(reason))])
}

async fn answers(bot: &AppBot, chat: ChatId, asker: &Asker, ctx: &SharedCtx, event: &Event) -> HandlerResult {
    let lang = asker.lang();
    let mut coming = Vec::new();
    let mut not_coming = Vec::new();
    let mut silent = Vec::new();
    for recipient in ctx.events.audience(event.id).await? {
        let Recipient::Person(user) = recipient else { continue };
        let name = person_name(ctx, user).await?;
        match ctx.events.rsvp_of(event.id, user).await? {
            Some(crate::store::Rsvp::Yes) => coming.push(name),
            Some(crate::store::Rsvp::No) => not_coming.push(name),
            None => silent.push(name),
        }
    }
    let list = |names: &[String]| if names.is_empty() { "—".to_owned() } else { names_list(names) };
    let body = tr_args(
        lang,
        "event-answers-text",
        &[
            ("title", text(html::escape(&event.title))),
            ("yes", num(coming.len() as f64)),
            ("yes_names", text(list(&coming))),
            ("no", num(not_coming.len() as f64)),
            ("no_names", text(list(&not_coming))),
            ("silent", num(silent.len() as f64)),
            ("silent_names", text(list(&silent))),
        ],
    );
    let mut request = bot.send_message(chat, body);
    if !silent.is_empty() && event.is_planned() {
        request = request.reply_markup(InlineKeyboardMarkup::new([[callback(
            tr(lang, "event-nudge"),
            event.id,
            EventAction::Nudge,
        )]]));
    }
    request.await?;
    Ok(())
}

async fn missed(bot: &AppBot, chat: ChatId, asker: &Asker, ctx: &SharedCtx, event: &Event) -> HandlerResult {
    let lang = asker.lang();
    let undelivered = ctx.delivery.outbox().undelivered_invitations(event.id).await?;
    if undelivered.is_empty() {
        bot.send_message(chat, tr(lang, "event-missed-none")).await?;
        return Ok(());
    }
    let mut lines = vec![tr_args(lang, "event-missed-heading", &[("count", num(undelivered.len() as f64))])];
    for (recipient, reason) in undelivered.iter().take(50) {
        let who = if recipient.is_user() {
            person_name(ctx, UserId(recipient.0 as u64)).await?
        } else {
            tr(lang, "event-missed-group-chat")
        };
        let why = if reason.contains("blocked") || reason.starts_with("Forbidden") {
            tr(lang, "event-missed-blocked")
        } else {
            html::escape(reason)
        };
        lines.push(format!("• {who} — {why}"));
    }
    bot.send_message(chat, lines.join("\n")).await?;
    Ok(())
}

async fn person_name(ctx: &SharedCtx, user: UserId) -> Result<String, BotError> {
    Ok(match ctx.users.get(user).await? {
        Some(person) => match &person.username {
            Some(username) => format!("{} (@{})", html::escape(&person.first_name), html::escape(username)),
            None => html::escape(&person.first_name),
        },
        None => user.0.to_string(),
    })
}

/// At most 30 names, then how many more.
fn names_list(names: &[String]) -> String {
    let shown = names.iter().take(30).cloned().collect::<Vec<_>>().join(", ");
    match names.len().saturating_sub(30) {
        0 => shown,
        more => format!("{shown} +{more}"),
    }
}

// ---- typed edits ----

/// Loads an event the asker may still manage; otherwise says so and leaves the edit.
async fn editable(
    bot: &AppBot,
    msg: &Message,
    asker: &Asker,
    ctx: &SharedCtx,
    dialogue: &BotDialogue,
    id: EventId,
) -> Result<Option<Event>, BotError> {
    match ctx.events.get(id).await? {
        Some(event) if may_manage(asker, &event) && event.status != EventStatus::Cancelled => Ok(Some(event)),
        _ => {
            dialogue.reset().await?;
            bot.send_message(msg.chat.id, tr(asker.lang(), "event-not-yours")).await?;
            Ok(None)
        }
    }
}

pub async fn receive_title(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    id: EventId,
) -> HandlerResult {
    let Some(answer) = typed(&bot, &msg, &asker).await? else { return Ok(()) };
    let Some(event) = editable(&bot, &msg, &asker, &ctx, &dialogue, id).await? else { return Ok(()) };
    let title = match EventTitle::parse(answer) {
        Ok(title) => title,
        Err(err) => return explain(&bot, &msg, &asker, err.i18n_key(), &err.i18n_args()).await,
    };
    ctx.events.retitle(id, title.as_str(), event.description.as_deref(), ctx.clock.now()).await?;
    saved(&bot, &msg, &asker, &ctx, &dialogue, id).await
}

pub async fn receive_description(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    id: EventId,
) -> HandlerResult {
    let Some(answer) = typed(&bot, &msg, &asker).await? else { return Ok(()) };
    let Some(event) = editable(&bot, &msg, &asker, &ctx, &dialogue, id).await? else { return Ok(()) };
    // A lone dash clears the description.
    let description = if answer.trim() == "-" { Ok(None) } else { Description::parse(answer) };
    let description = match description {
        Ok(description) => description.map(Description::into_inner),
        Err(err) => return explain(&bot, &msg, &asker, err.i18n_key(), &err.i18n_args()).await,
    };
    ctx.events.retitle(id, &event.title, description.as_deref(), ctx.clock.now()).await?;
    saved(&bot, &msg, &asker, &ctx, &dialogue, id).await
}

pub async fn receive_when(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    id: EventId,
) -> HandlerResult {
    let Some(answer) = typed(&bot, &msg, &asker).await? else { return Ok(()) };
    let Some(event) = editable(&bot, &msg, &asker, &ctx, &dialogue, id).await? else { return Ok(()) };
    let start = match typed_start(&asker, &ctx, answer) {
        Ok(start) => start,
        Err(explanation) => {
            bot.send_message(msg.chat.id, explanation).await?;
            return Ok(());
        }
    };
    ctx.events.reschedule(id, start, event.duration_min, ctx.clock.now()).await?;
    saved(&bot, &msg, &asker, &ctx, &dialogue, id).await
}

pub async fn receive_duration(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    id: EventId,
) -> HandlerResult {
    let Some(answer) = typed(&bot, &msg, &asker).await? else { return Ok(()) };
    let Some(event) = editable(&bot, &msg, &asker, &ctx, &dialogue, id).await? else { return Ok(()) };
    let duration = match EventDuration::from_str(answer) {
        Ok(duration) => duration,
        Err(err) => return explain(&bot, &msg, &asker, err.i18n_key(), &err.i18n_args()).await,
    };
    ctx.events.reschedule(id, event.starts_at, duration.minutes(), ctx.clock.now()).await?;
    saved(&bot, &msg, &asker, &ctx, &dialogue, id).await
}

/// A copy of an event on a new date: same title, service, length, reminders and groups.
pub async fn receive_copy_date(
    bot: AppBot,
    msg: Message,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    me: Me,
    id: EventId,
) -> HandlerResult {
    let Some(answer) = typed(&bot, &msg, &asker).await? else { return Ok(()) };
    let Some(event) = ctx.events.get(id).await?.filter(|e| may_manage(&asker, e)) else {
        dialogue.reset().await?;
        bot.send_message(msg.chat.id, tr(asker.lang(), "event-not-yours")).await?;
        return Ok(());
    };
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
    let copy_id = ctx.events.insert(&copy, now).await?;
    ctx.events.set_groups(copy_id, &ctx.events.groups_of(id).await?).await?;
    dialogue.reset().await?;
    super::create::publish(&bot, msg.chat.id, &asker, &ctx, &me, copy_id).await
}

/// A typed new start ("25.12 18:30", "завтра 18:00"), checked, or the explanation.
fn typed_start(asker: &Asker, ctx: &SharedCtx, answer: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    let lang = asker.lang();
    let now = ctx.clock.now();
    let (date, time) = match parse_date_time(answer, asker.user.tz, now) {
        Ok(DateOrDateTime::DateTime { date, time }) => (date, time),
        Ok(DateOrDateTime::Date(_)) => return Err(tr(lang, "event-when-needs-time")),
        Err(err) => return Err(tr_domain(lang, err.i18n_key(), &err.i18n_args())),
    };
    let start =
        resolve_local(date, time, asker.user.tz).map_err(|err| tr_domain(lang, err.i18n_key(), &err.i18n_args()))?;
    check_not_past(start, now).map_err(|err| tr_domain(lang, err.i18n_key(), &err.i18n_args()))?;
    Ok(start)
}

/// After a typed edit: the change goes to the service and the listeners; the teacher sees the card.
async fn saved(
    bot: &AppBot,
    msg: &Message,
    asker: &Asker,
    ctx: &SharedCtx,
    dialogue: &BotDialogue,
    id: EventId,
) -> HandlerResult {
    dialogue.reset().await?;
    let lang = asker.lang();
    match ctx.meetings.sync_changes(id).await {
        Ok(None) => {}
        Ok(Some(refusal)) => {
            let reason = provider_error(lang, &refusal);
            bot.send_message(msg.chat.id, tr_args(lang, "event-saved-provider-refused", &[("reason", text(reason))]))
                .await?;
        }
        Err(err) => {
            bot.send_message(msg.chat.id, failure(lang, id, &err)).await?;
        }
    }
    if let Some(event) = ctx.events.get(id).await? {
        let headline = if event.is_planned() { "event-saved-notified" } else { "event-saved" };
        send_card(bot, msg.chat.id, asker, ctx, &event, Some(headline)).await?;
    }
    Ok(())
}
