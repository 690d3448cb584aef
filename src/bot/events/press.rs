//! Presses on a teacher's event card: one arm per action, each handing off to its feature.

use super::attendance;
use super::card::{callback, edit_keyboard, show_card, show_card_under};
use super::invite_link::{ask_link_expiry, new_invite_link};
use super::publish::publish;
use super::reports::{answers, missed};
use super::{Editing, EventAction, EventStep};
use crate::bot::guards::Owned;
use crate::bot::screen::{self, Place, Screen};
use crate::bot::{AppBot, Asker, BotDialogue, HandlerResult, SharedCtx, State};
use crate::domain::event::{EventId, EventStatus};
use crate::domain::invite::InviteKind;
use crate::domain::reminders::missed_reminders;
use crate::i18n::{Lang, num, provider_error, text, tr, tr_args};
use crate::meetings::{MeetingError, Removal};
use crate::store::Event;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, Me};
use teloxide::utils::html;

// ---- presses on the card ----

// dptree injects each value by type: the guard's checked value comes on top of the usual ones.
#[allow(clippy::too_many_arguments)]
pub async fn press(
    bot: AppBot,
    q: CallbackQuery,
    asker: Asker,
    ctx: SharedCtx,
    dialogue: BotDialogue,
    me: Me,
    (id, action): (EventId, EventAction),
    Owned(event): Owned<Event>,
) -> HandlerResult {
    let lang = asker.lang();
    let Some(message) = q.regular_message() else { return Ok(()) };
    let chat = message.chat.id;
    bot.answer_callback_query(q.id.clone()).await?;
    // The card, its menu and the edit prompts take turns on one message.
    let here = Place::Over(message.id);
    if matches!(action, EventAction::Open | EventAction::Edit) {
        leave_typed_edit(&dialogue, id).await?;
    }
    let ask = |key, back, step| Prompt { key, back, step };
    match action {
        EventAction::Open => show_card(&bot, chat, here, &asker, &ctx, &event, None).await?,
        EventAction::Edit => {
            let menu = edit_menu(lang, &event, ctx.clock.now());
            screen::show(&bot, chat, here, menu).await?;
        }
        EventAction::EditTitle => {
            prompt(
                &bot,
                chat,
                here,
                lang,
                &dialogue,
                id,
                ask("event-ask-title", EventAction::Edit, EventStep::EditTitle),
            )
            .await?
        }
        EventAction::EditDescription => {
            let step = ask("event-ask-description", EventAction::Edit, EventStep::EditDescription);
            prompt(&bot, chat, here, lang, &dialogue, id, step).await?
        }
        EventAction::EditWhen => {
            prompt(&bot, chat, here, lang, &dialogue, id, ask("event-ask-when", EventAction::Edit, EventStep::EditWhen))
                .await?
        }
        EventAction::EditDuration => {
            let step = ask("event-ask-duration", EventAction::Edit, EventStep::EditDuration);
            prompt(&bot, chat, here, lang, &dialogue, id, step).await?
        }
        EventAction::Copy => {
            prompt(&bot, chat, here, lang, &dialogue, id, ask("event-ask-copy", EventAction::Open, EventStep::CopyTo))
                .await?
        }
        EventAction::Reminder(offset) => {
            let mut reminders = event.reminders.clone();
            super::toggle_reminder(&mut reminders, offset);
            ctx.events.set_reminders(id, &reminders, ctx.clock.now()).await?;
            ctx.delivery.replan_reminders(id).await?;
            let event = Event { reminders, ..event };
            // The legend may come or go with the hourglass, so the text is shown again too.
            screen::show(&bot, chat, here, edit_menu(lang, &event, ctx.clock.now())).await?;
        }
        EventAction::NewLink => {
            let outcome = ctx.meetings.new_link(id, &asker.user).await;
            report(&bot, chat, here, &asker, &ctx, id, "event-new-link-done", outcome).await?;
        }
        EventAction::RemoveLink => {
            let outcome = ctx.meetings.remove_link(id).await;
            report(&bot, chat, here, &asker, &ctx, id, "event-link-removed", outcome).await?;
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
                &[
                    ("title", text(html::escape(&event.title))),
                    ("count", num(count as f64)),
                    ("service", text(meeting_service(&ctx, &event).await?)),
                ],
            );
            screen::show(&bot, chat, here, Screen::new(question, keyboard)).await?;
        }
        EventAction::CancelConfirmed if event.status == EventStatus::Planned => {
            let outcome = ctx.meetings.cancel(id).await;
            // A cancelled occurrence of a series makes way for the next one now.
            ctx.series.wake();
            report(&bot, chat, here, &asker, &ctx, id, "event-cancelled", outcome).await?;
        }
        EventAction::CancelSeries if event.series.is_some() => {
            let keyboard = InlineKeyboardMarkup::new([[
                callback(tr(lang, "event-cancel-yes"), id, EventAction::CancelSeriesConfirmed),
                callback(tr(lang, "event-cancel-no"), id, EventAction::Open),
            ]]);
            let service = text(meeting_service(&ctx, &event).await?);
            let title = text(html::escape(&event.title));
            let question = tr_args(lang, "event-cancel-series-ask", &[("title", title), ("service", service)]);
            screen::show(&bot, chat, here, Screen::new(question, keyboard)).await?;
        }
        EventAction::CancelSeriesConfirmed => {
            let Some((series, _)) = event.series else { return Ok(()) };
            let outcome = ctx.series.cancel(series).await.map(|()| None);
            report(&bot, chat, here, &asker, &ctx, id, "event-series-cancelled", outcome).await?;
        }
        EventAction::DeleteDraft if event.status == EventStatus::Draft => {
            ctx.events.delete_draft(id).await?;
            bot.send_message(chat, tr(lang, "event-draft-deleted")).await?;
        }
        EventAction::Retry if event.status == EventStatus::Draft => {
            publish(&bot, chat, &asker, &ctx, &me, id).await?;
        }
        EventAction::Answers => answers(&bot, chat, &asker, &ctx, &event).await?,
        EventAction::Attendance => attendance::show(&bot, chat, &asker, &ctx, &event).await?,
        EventAction::AttendanceFile(format) => attendance::send_file(&bot, chat, &asker, &ctx, &event, format).await?,
        EventAction::SeriesAttendance => attendance::show_series(&bot, chat, &asker, &ctx, &event).await?,
        EventAction::SeriesAttendanceFile(format) => {
            attendance::send_series_file(&bot, chat, &asker, &ctx, &event, format).await?
        }
        EventAction::Nudge => {
            let silent = ctx.events.without_rsvp(id).await?;
            let chats: Vec<ChatId> = silent.iter().map(|u| ChatId(u.0 as i64)).collect();
            // At most one nudge an hour reaches a listener, however often the button is pressed.
            let round = ctx.clock.now().timestamp() / 3600;
            let queued = ctx.delivery.nudge(id, round, &chats).await?;
            bot.send_message(chat, tr_args(lang, "event-nudged", &[("count", num(queued as f64))])).await?;
        }
        EventAction::Missed => missed(&bot, chat, &asker, &ctx, &event).await?,
        EventAction::InviteLink if event.is_planned() => ask_link_expiry(&bot, chat, lang, id).await?,
        EventAction::InviteNew(days) if event.is_planned() => {
            let link = new_invite_link(&asker, &ctx, &me, id, days).await?;
            bot.send_message(chat, link).await?;
        }
        EventAction::InviteRevoke => {
            let revoked = ctx.invites.revoke_for_target(InviteKind::Event, id.get(), ctx.clock.now()).await?;
            bot.send_message(chat, tr_args(lang, "event-invite-revoked", &[("count", num(revoked as f64))])).await?;
        }
        // A press that no longer fits the event's status (cancel twice, retry a planned one): the
        // card as it is now takes the place of the stale buttons.
        _ => show_card(&bot, chat, here, &asker, &ctx, &event, Some("event-action-outdated")).await?,
    }
    Ok(())
}

/// What a cancel does to the meeting depends on the service: the asks name it by its kind, or
/// `none` when there is no meeting to speak of.
async fn meeting_service(ctx: &SharedCtx, event: &Event) -> Result<String, crate::bot::BotError> {
    let provider = match (event.meeting.is_some(), event.provider_id) {
        (true, Some(id)) => ctx.providers.get(id).await?,
        _ => None,
    };
    Ok(provider.map_or("none", |p| p.kind.as_str()).to_owned())
}

/// The edit menu: what to change, and the reminders switched right here.
fn edit_menu(lang: Lang, event: &Event, now: chrono::DateTime<chrono::Utc>) -> Screen {
    let mut what = tr_args(lang, "event-edit-what", &[("title", text(html::escape(&event.title)))]);
    if !missed_reminders(&event.reminders, event.starts_at, now).is_empty() {
        what = format!("{what}\n\n{}", tr(lang, "reminders-missed-legend"));
    }
    Screen::new(what, edit_keyboard(lang, event, now))
}

/// A typed change's question: its text, where its way back leads, and the step it waits in.
pub(crate) struct Prompt {
    key: &'static str,
    back: EventAction,
    step: fn(Editing) -> EventStep,
}

/// Asks for a typed change in place, with a button back (as `/cancel` does) so no prompt is a
/// dead end; the state remembers the prompt so the typed answer takes its button away.
pub(crate) async fn prompt(
    bot: &AppBot,
    chat: ChatId,
    place: Place,
    lang: Lang,
    dialogue: &BotDialogue,
    id: EventId,
    prompt: Prompt,
) -> HandlerResult {
    let back = InlineKeyboardMarkup::new([[callback(tr(lang, "event-prompt-back"), id, prompt.back)]]);
    let shown = screen::show(bot, chat, place, Screen::new(tr(lang, prompt.key), back)).await?;
    dialogue.update(State::Event((prompt.step)(Editing { event: id, prompt: Some(shown) }))).await?;
    Ok(())
}

/// Leaves a typed change of this event that was waiting: its way back was pressed.
async fn leave_typed_edit(dialogue: &BotDialogue, id: EventId) -> HandlerResult {
    if let Some(State::Event(step)) = dialogue.get().await?
        && step.editing() == Some(id)
    {
        dialogue.reset().await?;
    }
    Ok(())
}

/// After a provider action: what happened there, honestly, over the fresh card at `place` (the
/// message whose button asked for it), so the question asked before leaves no buttons behind.
// The place comes beside the usual handler values: one more than clippy's count.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn report(
    bot: &AppBot,
    chat: ChatId,
    place: Place,
    asker: &Asker,
    ctx: &SharedCtx,
    id: EventId,
    done: &str,
    outcome: Result<Option<Removal>, MeetingError>,
) -> HandlerResult {
    let lang = asker.lang();
    let said = match outcome {
        Ok(removal) => {
            let mut lines = vec![tr(lang, done)];
            if let Some(removal) = removal {
                let (key, _) = removal.outcome.i18n(removal.kind);
                lines.push(tr_args(lang, key, &[("service", text(tr(lang, removal.kind.i18n_key())))]));
            }
            lines.join("\n")
        }
        Err(err) => failure(lang, id, &err),
    };
    match ctx.events.get(id).await? {
        Some(event) => show_card_under(bot, chat, place, asker, ctx, &event, said).await,
        None => {
            screen::show(bot, chat, place, Screen::plain(said)).await?;
            Ok(())
        }
    }
}

pub(crate) fn failure(lang: Lang, id: EventId, err: &MeetingError) -> String {
    let reason = match err {
        MeetingError::Provider(err) => provider_error(lang, err),
        MeetingError::NotUsable => tr(lang, "event-provider-not-usable"),
        other => {
            tracing::error!(event = id.0, %other, "an event action failed");
            tr(lang, "new-failed-internal")
        }
    };
    tr_args(lang, "event-provider-refused", &[("reason", text(reason))])
}
