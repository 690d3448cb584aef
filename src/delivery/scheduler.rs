//! The scheduler: keeps up to a second's worth of rows in flight, claiming due rows (by the
//! injected clock) whenever places free up, so a row that becomes due never waits behind a slow
//! batch. Each row is `sending` from its claim until its outcome is recorded.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use teloxide::payloads::{EditMessageTextSetters, SendDocumentSetters, SendMessageSetters};
use teloxide::types::{ChatId, InputFile, MessageId, UserId};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use std::sync::atomic::Ordering;

use super::render::{self, Rendered, Viewer};
use super::rules::{self, Decision, EventFacts, Failure};
use super::{Inner, calendar, planner};
use crate::metrics::FailReason;
use crate::store::outbox::{Kind, Row};
use crate::store::{Event, StoreResult};

const HEARTBEAT: chrono::Duration = chrono::Duration::seconds(crate::health::HEARTBEAT_EVERY.as_secs() as i64);

/// How long a stop waits for the rows in hand.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// The plan is made again at least this often (real time): the rate replies leave moves it.
const PLAN_EVERY: Duration = Duration::from_secs(10);

pub(super) async fn run(inner: Arc<Inner>, shutdown: CancellationToken) {
    match inner.outbox.recover_sending(inner.clock.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(rows = n, "rows caught mid-send by a stop are sent again"),
        Err(err) => tracing::error!(%err, "could not recover rows left in sending"),
    }
    let places = rules::in_flight(inner.config.rate + inner.config.paid_rate.unwrap_or(0.0));
    // Each delivery is a task of its own: a future parked here while the loop awaits a query
    // could hold a pooled connection that query is waiting for.
    let mut in_flight = JoinSet::new();
    let mut skipped = Skipped::default();
    // Overdue reminders are collapsed once after each wake-up, not at every claim: the collapse
    // reads every pending row that is due.
    let mut woke = true;
    let mut planned_at = tokio::time::Instant::now();
    while !shutdown.is_cancelled() {
        // Registered before looking, so a wake between the look and the sleep is not lost.
        let woken = inner.wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        if std::mem::replace(&mut woke, false) {
            collapse_overdue(&inner).await;
        }
        // The plan follows what was queued or dropped, and how busy people keep the bot.
        if inner.replan.swap(false, Ordering::AcqRel) || planned_at.elapsed() >= PLAN_EVERY {
            if let Err(err) = planner::replan(&inner).await {
                tracing::error!(%err, "could not plan the reminders; the current plan stands");
            }
            recover_expired_claims(&inner).await;
            planned_at = tokio::time::Instant::now();
        }
        // Claiming one row per freed place would cost a query per send: wait for a few.
        let free = places - in_flight.len();
        let claiming = free >= (places / 8).max(1) || in_flight.is_empty();
        if claiming {
            match inner.outbox.claim_due(inner.clock.now(), free as i64).await {
                Ok(rows) => {
                    // A pass that read the outbox: the scheduler is alive and not stuck on it.
                    inner.health.scheduler_beat(inner.clock.now());
                    let claimed = rows.len();
                    for row in rows {
                        in_flight.spawn(deliver(inner.clone(), row, shutdown.clone()));
                    }
                    if claimed == free {
                        continue;
                    }
                }
                Err(err) => {
                    tracing::error!(%err, "could not claim due rows; trying again shortly");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = shutdown.cancelled() => break,
                    }
                    continue;
                }
            }
        }
        if !claiming {
            // Every place is taken by a send in hand: busy, not stalled.
            inner.health.scheduler_beat(inner.clock.now());
        }
        if in_flight.is_empty() {
            skipped.report();
        }
        // Not claiming, a due row could not be taken anyway: wait for a place instead.
        let next = if claiming { next_send_at(&inner).await } else { None };
        let sleep = async {
            match next {
                Some(at) => inner.clock.sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            Some(done) = in_flight.join_next() => {
                skipped.count(finished(done));
                continue;
            }
            _ = sleep => {}
            _ = &mut woken => {}
            // An idle scheduler still says it is alive; by the injected clock, so a test that
            // moves time finds a fresh heartbeat unless the scheduler is really stuck.
            _ = inner.clock.sleep_until(inner.clock.now() + HEARTBEAT) => {}
            _ = tokio::time::sleep_until(planned_at + PLAN_EVERY) => {}
            _ = shutdown.cancelled() => break,
        }
        woke = true;
    }
    // Stopping: nothing new is claimed, and the rows in hand get a moment to finish. What still
    // waits for its slot of the budget then was never sent: it stays `sending` and goes out at
    // the next start, like a row caught by a crash.
    let grace = tokio::time::sleep(STOP_GRACE);
    tokio::pin!(grace);
    loop {
        tokio::select! {
            done = in_flight.join_next() => match done {
                Some(done) => skipped.count(finished(done)),
                None => break,
            },
            _ = &mut grace => {
                tracing::info!(rows = in_flight.len(), "stopping with rows still waiting for their turn; sent at the next start");
                in_flight.abort_all();
                break;
            }
        }
    }
    skipped.report();
}

/// Rows a dead instance claimed come back once their claim lease runs out (PostgreSQL; on
/// SQLite this instance is the only one).
async fn recover_expired_claims(inner: &Inner) {
    match inner.outbox.recover_expired_claims(inner.clock.now()).await {
        Ok(0) => {}
        Ok(n) => {
            tracing::warn!(rows = n, "rows another instance claimed and never finished are sent again");
            inner.wake.notify_one();
        }
        Err(err) => tracing::error!(%err, "could not look for rows whose claim ran out"),
    }
}

async fn collapse_overdue(inner: &Inner) {
    let now = inner.clock.now();
    match inner.outbox.collapse_overdue_reminders(now, now - rules::LATE_AFTER).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(rows = n, "overdue reminders collapsed into one per recipient"),
        Err(err) => tracing::error!(%err, "could not collapse overdue reminders"),
    }
}

async fn next_send_at(inner: &Inner) -> Option<DateTime<Utc>> {
    match inner.outbox.next_send_at().await {
        Ok(next) => next,
        Err(err) => {
            tracing::error!(%err, "could not read the next due time");
            Some(inner.clock.now() + chrono::Duration::seconds(1))
        }
    }
}

/// The skip reason of a finished delivery; a delivery that panicked left its row `sending`, to go
/// out again at the next start.
fn finished(done: Result<Option<&'static str>, tokio::task::JoinError>) -> Option<&'static str> {
    done.unwrap_or_else(|err| {
        tracing::error!(%err, "a delivery task failed");
        None
    })
}

/// Rows skipped since the queue last ran dry, by reason: after an outage, reminders of classes
/// that already started are skipped by the hundred, and one line says so.
#[derive(Default)]
struct Skipped(BTreeMap<&'static str, u64>);

impl Skipped {
    fn count(&mut self, outcome: Option<&'static str>) {
        if let Some(reason) = outcome {
            *self.0.entry(reason).or_default() += 1;
        }
    }

    fn report(&mut self) {
        for (reason, rows) in std::mem::take(&mut self.0) {
            tracing::info!(rows, reason, "rows skipped, not sent");
        }
    }
}

/// What became of one row.
enum Outcome {
    Sent {
        message: Option<MessageId>,
        late: bool,
    },
    Skipped(&'static str),
    Retry {
        after: chrono::Duration,
        reason: String,
    },
    /// Back in line, the try not counted: Telegram asked the bot to wait.
    RateLimited,
    /// The recipient cannot be reached any more.
    Unreachable(String),
    Migrated(ChatId),
    Failed(String),
}

/// Sends one claimed row and records what became of it; the skip reason, if it was skipped.
pub(super) async fn deliver(inner: Arc<Inner>, row: Row, shutdown: CancellationToken) -> Option<&'static str> {
    let outcome = match attempt(&inner, &row).await {
        Ok(outcome) => outcome,
        // The row is already `sending`: a database error while preparing it puts it back.
        Err(err) => Outcome::Retry { after: chrono::Duration::seconds(1), reason: format!("database: {err}") },
    };
    let skipped = match outcome {
        Outcome::Skipped(reason) => Some(reason),
        _ => None,
    };
    record(&inner, &row, outcome, &shutdown).await;
    skipped
}

async fn attempt(inner: &Inner, row: &Row) -> StoreResult<Outcome> {
    let now = inner.clock.now();
    let Some(event) = inner.events.get(row.event_id).await? else { return Ok(Outcome::Skipped("event deleted")) };
    let facts = EventFacts { status: event.status, starts_at: event.starts_at, ends_at: event.ends_at() };
    let active = inner.outbox.chat_is_active(row.chat_id).await?;
    let late = match rules::decide(row.kind, row.due_at, facts, active, now) {
        Decision::Skip(reason) => return Ok(Outcome::Skipped(reason)),
        Decision::Send { late } => late,
    };
    let outcome = match send(inner, row, &event, late).await {
        Ok(Sent::Message(message)) => Outcome::Sent { message: Some(message), late },
        Ok(Sent::Nothing(reason)) => Outcome::Skipped(reason),
        Err(err) => match rules::classify(&err, row.attempts + 1) {
            Failure::Unreachable(reason) => Outcome::Unreachable(reason),
            Failure::Retry(after, reason) => Outcome::Retry { after, reason },
            Failure::RateLimited => Outcome::RateLimited,
            Failure::AlreadyThere => Outcome::Sent { message: row.message_id, late: false },
            Failure::Migrated(to) => Outcome::Migrated(ChatId(to)),
            Failure::Failed(reason) => Outcome::Failed(reason),
        },
    };
    Ok(outcome)
}

/// Writes the outcome, trying again while the database refuses: a row sent but not marked would
/// stay `sending` and go out a second time at the next start. Only a stop ends the tries.
async fn record(inner: &Inner, row: &Row, outcome: Outcome, shutdown: &CancellationToken) {
    let mut wait = Duration::from_millis(50);
    loop {
        let err = match write_outcome(inner, row, &outcome).await {
            Ok(()) => return,
            Err(err) => err,
        };
        if shutdown.is_cancelled() {
            tracing::error!(row = row.id, %err, "could not record a delivery; the row is sent again at the next start");
            return;
        }
        tracing::warn!(row = row.id, %err, retry_in_ms = wait.as_millis() as u64, "could not record a delivery");
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.cancelled() => {}
        }
        wait = (wait * 2).min(Duration::from_secs(5));
    }
}

async fn write_outcome(inner: &Inner, row: &Row, outcome: &Outcome) -> StoreResult<()> {
    let outbox = &inner.outbox;
    let now = inner.clock.now();
    let metrics = &inner.metrics;
    let kind = row.kind.family();
    match outcome {
        Outcome::Sent { message, late } => {
            outbox.mark_sent(row.id, *message, *late, now).await?;
            metrics.message_sent(kind);
            if matches!(row.kind, Kind::Reminder { .. }) && metrics.is_enabled() {
                report_finished_fanout(inner, row, now).await?;
            }
            Ok(())
        }
        Outcome::Skipped(reason) => outbox.mark_skipped(row.id, reason, now).await,
        Outcome::Retry { after, reason } => {
            tracing::warn!(row = row.id, %reason, retry_in = after.num_seconds(), "delivery will be retried");
            outbox.retry_at(row.id, now + *after, reason, now).await?;
            metrics.message_failed(kind, FailReason::transient);
            Ok(())
        }
        Outcome::RateLimited => outbox.requeue(row.id, "rate limited", now).await,
        Outcome::Unreachable(reason) => {
            tracing::info!(chat = row.chat_id.0, %reason, "recipient unreachable; marked inactive");
            outbox.mark_chat_inactive(row.chat_id).await?;
            outbox.mark_failed(row.id, reason, now).await?;
            metrics.message_failed(kind, FailReason::unreachable);
            inner.tell_platform_failed(row, reason, now).await;
            Ok(())
        }
        Outcome::Migrated(to) => {
            tracing::info!(from = row.chat_id.0, to = to.0, "group chat became a supergroup; following it");
            outbox.move_chat(row.chat_id, *to).await?;
            outbox.requeue(row.id, "chat migrated", now).await
        }
        Outcome::Failed(reason) => {
            tracing::warn!(row = row.id, %reason, "delivery failed");
            outbox.mark_failed(row.id, reason, now).await?;
            metrics.message_failed(kind, FailReason::rejected);
            inner.tell_platform_failed(row, reason, now).await;
            Ok(())
        }
    }
}

/// When this was the last reminder of its batch (no row due at the same time left in line),
/// reports how late its recipient got it: the fan-out's lateness.
async fn report_finished_fanout(inner: &Inner, row: &Row, now: DateTime<Utc>) -> StoreResult<()> {
    if inner.outbox.reminders_in_line(row.due_at).await? == 0 {
        let late_by = (now - row.due_at).to_std().unwrap_or_default();
        inner.metrics.fanout_finished(late_by);
    }
    Ok(())
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
        Kind::Attendance => {
            let unavailable = match event.provider_id {
                Some(id) => inner.attendance.provider_reports(id).await.map_err(store_to_request)?,
                None => None,
            };
            render::attendance(event, unavailable.and_then(|r| r.unavailable), &viewer)
        }
        Kind::Card { .. } => return edit_card(inner, row, event, &viewer).await,
        Kind::Calendar { .. } => return send_calendar(inner, row, event, &viewer).await,
    };
    // A paid broadcast has its own lane of the budget, at the paid rate.
    let bot = if row.paid { inner.bot.paid() } else { inner.bot.clone() };
    let mut request = bot.send_message(row.chat_id, rendered.text).allow_paid_broadcast(row.paid);
    if let Some(keyboard) = rendered.keyboard {
        request = request.reply_markup(keyboard);
    }
    Ok(Sent::Message(request.await?.id))
}

async fn send_calendar(
    inner: &Inner,
    row: &Row,
    event: &Event,
    viewer: &Viewer,
) -> Result<Sent, teloxide::RequestError> {
    let file = calendar::copy_for(inner, event, row.chat_id).await.map_err(store_to_request)?;
    // Recorded before the send: a copy that arrived unrecorded would give the next one the same
    // SEQUENCE, and the client would ignore it.
    let now = inner.clock.now();
    inner.calendars.record(file.entry, row.chat_id, file.sequence, now).await.map_err(store_to_request)?;
    let caption = render::calendar_caption(event, file.removes, viewer);
    let document = InputFile::memory(file.text.into_bytes()).file_name(file.file_name);
    let sent = inner.bot.send_document(row.chat_id, document).caption(caption).await?;
    Ok(Sent::Message(sent.id))
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
        let holds_calendar = inner.calendars.last_sequence(calendar::entry_of(event), chat).await?.is_some();
        let join =
            super::join::target_for(inner.join.as_ref(), &inner.attendance, event, user, inner.clock.now()).await?;
        return Ok(Viewer { lang, tz, rsvp, counts: None, holds_calendar, join });
    }
    let counts = inner.events.rsvp_counts(event.id).await?;
    // Members may have added the class from the group's card: the press answers them privately.
    Ok(Viewer {
        lang: inner.config.default_lang,
        tz: event.tz,
        rsvp: None,
        counts: Some(counts),
        holds_calendar: true,
        join: event.join_url().map(str::to_owned),
    })
}

/// A database error while preparing a message is reported like an I/O failure: retried later.
fn store_to_request(err: crate::store::StoreError) -> teloxide::RequestError {
    teloxide::RequestError::Io(Arc::new(std::io::Error::other(err.to_string())))
}
