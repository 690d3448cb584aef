//! Buttons on an event card: RSVP and "Add to calendar". Each press is checked against the
//! event's audience at the moment it arrives.

use teloxide::payloads::{EditMessageTextSetters, SendDocumentSetters};
use teloxide::prelude::*;
use teloxide::types::InputFile;
use teloxide::utils::html;

use super::{AppBot, Asker, HandlerResult, SharedCtx};
use crate::domain::event::EventId;
use crate::i18n::{text, tr, tr_args};
use crate::ics::{self, IcsEvent};
use crate::store::{Event, Rsvp};

pub async fn rsvp(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    (id, answer): (EventId, Rsvp),
) -> HandlerResult {
    let lang = asker.lang();
    let Some(event) = ctx.events.get(id).await? else {
        return super::refusals::stale_button(bot, q, asker).await;
    };
    if !ctx.events.is_listener(id, asker.user.id).await? {
        bot.answer_callback_query(q.id).text(tr(lang, "rsvp-not-listener")).show_alert(true).await?;
        return Ok(());
    }
    if !event.is_planned() {
        bot.answer_callback_query(q.id).text(tr(lang, "rsvp-closed")).await?;
        return Ok(());
    }
    ctx.events.set_rsvp(id, asker.user.id, answer, ctx.clock.now()).await?;
    let key = if answer == Rsvp::Yes { "rsvp-saved-yes" } else { "rsvp-saved-no" };
    bot.answer_callback_query(q.id.clone()).text(tr(lang, key)).await?;
    refresh_card(&bot, &q, &ctx, id).await
}

/// Shows the new answer on the card that was pressed.
async fn refresh_card(bot: &AppBot, q: &CallbackQuery, ctx: &SharedCtx, id: EventId) -> HandlerResult {
    let Some(message) = q.regular_message() else { return Ok(()) };
    let Some(card) = ctx.delivery.card_for(id, message.chat.id).await? else { return Ok(()) };
    let mut edit = bot.edit_message_text(message.chat.id, message.id, card.text);
    if let Some(keyboard) = card.keyboard {
        edit = edit.reply_markup(keyboard);
    }
    if let Err(err) = edit.await {
        // "message is not modified" when the same answer is pressed twice: nothing to show.
        tracing::debug!(%err, "card not edited");
    }
    Ok(())
}

pub async fn calendar(bot: AppBot, q: CallbackQuery, asker: Asker, ctx: SharedCtx, id: EventId) -> HandlerResult {
    let lang = asker.lang();
    let Some(event) = ctx.events.get(id).await? else {
        return super::refusals::stale_button(bot, q, asker).await;
    };
    let user = asker.user.id;
    let allowed = event.owner_id == user
        || event.host_id == Some(user)
        || asker.user.role.is_admin()
        || ctx.events.is_listener(id, user).await?;
    if !allowed {
        bot.answer_callback_query(q.id).text(tr(lang, "rsvp-not-listener")).show_alert(true).await?;
        return Ok(());
    }
    let host = match event.host_id {
        Some(host) => ctx.users.get(host).await?.map(|u| u.first_name),
        None => None,
    };
    let mut calendar = calendar_file(&event, host, ctx.clock.now());
    if let Some((series, occurrence)) = event.series
        && let Some(series) = ctx.series.store().get(series).await?
    {
        let made = ctx.events.occurrences(series.id).await?;
        calendar = repeat_in_calendar(calendar, &series, occurrence, &made);
    }
    let file = InputFile::memory(calendar.render().into_bytes()).file_name(ics::file_name(id));
    let caption = tr_args(lang, "calendar-caption", &[("title", text(html::escape(&event.title)))]);
    // A press in a group chat is answered privately, so the group is not flooded with files.
    let private = ChatId(user.0 as i64);
    let in_private = q.regular_message().is_some_and(|m| m.chat.id == private);
    match bot.send_document(private, file).caption(caption).await {
        Ok(_) if in_private => {
            bot.answer_callback_query(q.id).await?;
        }
        Ok(_) => {
            bot.answer_callback_query(q.id).text(tr(lang, "calendar-sent")).await?;
        }
        Err(err) => {
            tracing::info!(user = user.0, %err, "could not send the calendar file");
            bot.answer_callback_query(q.id).text(tr(lang, "calendar-write-first")).show_alert(true).await?;
        }
    }
    Ok(())
}

/// A series is one calendar entry with its rule, its cancelled dates as exceptions and its moved
/// occurrences as overrides, under the series' own UID, so each week's file updates the same
/// entry.
fn repeat_in_calendar(calendar: IcsEvent, series: &crate::store::Series, occurrence: i64, made: &[Event]) -> IcsEvent {
    let made: Vec<ics::MadeOccurrence> = made.iter().filter_map(made_occurrence).collect();
    let rule =
        ics::SeriesRule { rule: &series.rule, first: series.first_date.and_time(series.local_time), tz: series.tz };
    let mut calendar = calendar.repeating(rule, &made);
    calendar.uid = format!("series-{}@webinar-bot", series.id);
    // Each occurrence is its own event row whose sequence starts again; the series' entry must
    // only ever move forward, so the occurrence number leads.
    let occurrence = u32::try_from(occurrence).unwrap_or(0);
    calendar.sequence = occurrence.saturating_mul(1000).saturating_add(calendar.sequence);
    // One occurrence cancelled is an exception of a series that goes on; only a cancelled series
    // cancels the calendar entry.
    calendar.cancelled = series.cancelled;
    calendar
}

fn made_occurrence(event: &Event) -> Option<ics::MadeOccurrence> {
    let (_, number) = event.series?;
    Some(ics::MadeOccurrence {
        number: usize::try_from(number).ok()?,
        start: event.starts_at,
        end: event.ends_at(),
        cancelled: event.status == crate::domain::event::EventStatus::Cancelled,
    })
}

/// The `.ics` of an event: the same UID for its whole life, SEQUENCE raised on each change.
pub fn calendar_file(event: &Event, host: Option<String>, now: chrono::DateTime<chrono::Utc>) -> IcsEvent {
    IcsEvent {
        uid: ics::event_uid(event.id),
        sequence: u32::try_from(event.sequence).unwrap_or(0),
        title: event.title.clone(),
        description: event.description.clone(),
        start: event.starts_at,
        end: event.ends_at(),
        url: event.join_url().map(str::to_owned),
        organizer_name: host,
        cancelled: event.status == crate::domain::event::EventStatus::Cancelled,
        repeat: None,
        dtstamp: now,
    }
}
