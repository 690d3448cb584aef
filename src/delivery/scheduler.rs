//! The scheduler: sleeps until the next due row (by the injected clock) or until woken, then
//! sends what is due, each row marked `sending` before its API call and `sent` after.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use teloxide::payloads::{EditMessageTextSetters, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::types::{ChatId, MessageId, UserId};
use tokio_util::sync::CancellationToken;

use super::Inner;
use super::render::{self, Rendered, Viewer};
use super::rules::{self, Decision, EventFacts, Failure};
use crate::store::outbox::{Kind, Row};
use crate::store::{Event, StoreResult};

/// Rows taken per round, at least.
const BATCH: i64 = 256;

pub(super) async fn run(inner: Arc<Inner>, shutdown: CancellationToken) {
    match inner.outbox.recover_sending(inner.clock.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(rows = n, "rows caught mid-send by a stop are sent again"),
        Err(err) => tracing::error!(%err, "could not recover rows left in sending"),
    }
    // Overdue reminders are collapsed once after each wake-up, not before every batch: the
    // collapse reads every pending row that is due.
    let mut woke = true;
    while !shutdown.is_cancelled() {
        // Registered before looking, so a wake between the look and the sleep is not lost.
        let woken = inner.wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let collapse = std::mem::replace(&mut woke, false);
        match round(&inner, collapse).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(err) => {
                tracing::error!(%err, "delivery round failed; trying again shortly");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = shutdown.cancelled() => break,
                }
                continue;
            }
        }
        let next = match inner.outbox.next_send_at().await {
            Ok(next) => next,
            Err(err) => {
                tracing::error!(%err, "could not read the next due time");
                Some(inner.clock.now() + chrono::Duration::seconds(1))
            }
        };
        let sleep = async {
            match next {
                Some(at) => inner.clock.sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = sleep => {}
            _ = &mut woken => {}
            _ = shutdown.cancelled() => break,
        }
        woke = true;
    }
}

/// Sends one batch of due rows; true if there were any.
async fn round(inner: &Arc<Inner>, collapse: bool) -> StoreResult<bool> {
    let now = inner.clock.now();
    if collapse {
        let collapsed = inner.outbox.collapse_overdue_reminders(now, now - rules::LATE_AFTER).await?;
        if collapsed > 0 {
            tracing::info!(rows = collapsed, "overdue reminders collapsed into one per recipient");
        }
    }
    let in_flight = rules::in_flight(inner.config.rate);
    let due = inner.outbox.due(now, BATCH.max(in_flight as i64)).await?;
    if due.is_empty() {
        return Ok(false);
    }
    futures::stream::iter(due)
        .for_each_concurrent(in_flight, |row| async move {
            let id = row.id;
            if let Err(err) = deliver(inner, row).await {
                tracing::error!(row = id, %err, "could not record a delivery");
            }
        })
        .await;
    Ok(true)
}

async fn deliver(inner: &Inner, row: Row) -> StoreResult<()> {
    let now = inner.clock.now();
    let Some(event) = inner.events.get(row.event_id).await? else {
        return inner.outbox.mark_skipped(row.id, "event deleted", now).await;
    };
    let facts = EventFacts { status: event.status, starts_at: event.starts_at, ends_at: event.ends_at() };
    let active = inner.outbox.chat_is_active(row.chat_id).await?;
    let late = match rules::decide(row.kind, row.due_at, facts, active, now) {
        Decision::Skip(reason) => return inner.outbox.mark_skipped(row.id, reason, now).await,
        Decision::Send { late } => late,
    };
    if !inner.outbox.mark_sending(row.id, now).await? {
        return Ok(());
    }
    let result = send(inner, &row, &event, late).await;
    let now = inner.clock.now();
    match result {
        Ok(Sent::Message(message)) => inner.outbox.mark_sent(row.id, Some(message), late, now).await,
        Ok(Sent::Nothing(reason)) => inner.outbox.mark_skipped(row.id, reason, now).await,
        Err(err) => record_failure(inner, &row, &err, now).await,
    }
}

enum Sent {
    Message(MessageId),
    /// Nothing needed sending, for this reason.
    Nothing(&'static str),
}

async fn send(inner: &Inner, row: &Row, event: &Event, late: bool) -> Result<Sent, teloxide::RequestError> {
    let viewer = viewer(inner, row.chat_id, event).await.map_err(store_to_request)?;
    let rendered = match row.kind {
        Kind::Invitation => card(inner, event, &viewer).await.map_err(store_to_request)?,
        Kind::Reminder { offset, .. } => render::reminder(event, offset, late, &viewer, inner.clock.now()),
        Kind::Changed { .. } => render::changed(event, &viewer),
        Kind::Cancelled => render::cancelled(event, &viewer),
        Kind::Nudge { .. } => render::nudge(event, &viewer),
        Kind::Alert { .. } => render::alert(event, &viewer),
        Kind::Card { .. } => return edit_card(inner, row, event, &viewer).await,
    };
    let mut request = inner.bot.send_message(row.chat_id, rendered.text);
    if let Some(keyboard) = rendered.keyboard {
        request = request.reply_markup(keyboard);
    }
    Ok(Sent::Message(request.await?.id))
}

async fn edit_card(inner: &Inner, row: &Row, event: &Event, viewer: &Viewer) -> Result<Sent, teloxide::RequestError> {
    let Some(message) = inner.outbox.invitation_message(event.id, row.chat_id).await.map_err(store_to_request)? else {
        return Ok(Sent::Nothing("no card to edit"));
    };
    let rendered = card(inner, event, viewer).await.map_err(store_to_request)?;
    let mut request = inner.bot.edit_message_text(row.chat_id, message, rendered.text);
    if let Some(keyboard) = rendered.keyboard {
        request = request.reply_markup(keyboard);
    }
    request.await?;
    Ok(Sent::Message(message))
}

/// The card as the chat should see it now.
pub(super) async fn card(inner: &Inner, event: &Event, viewer: &Viewer) -> StoreResult<Rendered> {
    let host = match event.host_id.or(Some(event.owner_id)) {
        Some(id) => inner.users.get(id).await?.map(|u| u.first_name),
        None => None,
    };
    let repeat = match event.series {
        // The time of day as the viewer's clock shows it.
        Some((series, _)) => inner
            .series
            .get(series)
            .await?
            .map(|s| render::repeat_text(viewer.lang, &s.rule, s.tz, event.starts_at, viewer.tz)),
        None => None,
    };
    Ok(render::card(event, host.as_deref(), repeat.as_deref(), viewer))
}

/// A private chat sees the person's language, zone and answer; a group chat sees the defaults
/// and everyone's answers.
pub(super) async fn viewer(inner: &Inner, chat: ChatId, event: &Event) -> StoreResult<Viewer> {
    if chat.is_user() {
        let user = UserId(chat.0 as u64);
        let person = inner.users.get(user).await?;
        let rsvp = inner.events.rsvp_of(event.id, user).await?;
        let (lang, tz) = person.map_or((inner.config.default_lang, inner.config.default_tz), |p| (p.lang, p.tz));
        return Ok(Viewer { lang, tz, rsvp, counts: None });
    }
    let counts = inner.events.rsvp_counts(event.id).await?;
    Ok(Viewer { lang: inner.config.default_lang, tz: event.tz, rsvp: None, counts: Some(counts) })
}

/// A database error while preparing a message is reported like an I/O failure: retried later.
fn store_to_request(err: crate::store::StoreError) -> teloxide::RequestError {
    teloxide::RequestError::Io(Arc::new(std::io::Error::other(err.to_string())))
}

async fn record_failure(inner: &Inner, row: &Row, err: &teloxide::RequestError, now: DateTime<Utc>) -> StoreResult<()> {
    match rules::classify(err, row.attempts + 1) {
        Failure::Unreachable(reason) => {
            tracing::info!(chat = row.chat_id.0, %reason, "recipient unreachable; marked inactive");
            inner.outbox.mark_chat_inactive(row.chat_id).await?;
            inner.outbox.mark_failed(row.id, &reason, now).await
        }
        Failure::Retry(after, reason) => {
            tracing::warn!(row = row.id, %reason, retry_in = after.num_seconds(), "delivery will be retried");
            inner.outbox.retry_at(row.id, now + after, &reason, now).await
        }
        Failure::AlreadyThere => inner.outbox.mark_sent(row.id, row.message_id, false, now).await,
        Failure::Migrated(to) => {
            tracing::info!(from = row.chat_id.0, to, "group chat became a supergroup; following it");
            inner.outbox.move_chat(row.chat_id, ChatId(to)).await?;
            inner.outbox.retry_at(row.id, now, "chat migrated", now).await
        }
        Failure::Failed(reason) => {
            tracing::warn!(row = row.id, %reason, "delivery failed");
            inner.outbox.mark_failed(row.id, &reason, now).await
        }
    }
}
