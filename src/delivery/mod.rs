//! The delivery engine: the durable outbox and the scheduler that drains it. It is the only code
//! that sends messages to listeners; handlers only answer the person who wrote.

pub mod calendar;
pub mod join;
pub mod plan;
mod planner;
pub mod render;
pub mod rules;
mod scheduler;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::store::Db;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use teloxide::types::ChatId;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::clock::SharedClock;
use crate::domain::event::EventId;
use crate::domain::reminders::{ReminderOffset, upcoming_reminders};
use crate::health::Health;
use crate::i18n::Lang;
use crate::metrics::Metrics;
use crate::store::attendance::AttendanceStore;
use crate::store::outbox::{Figures, Kind, NewRow, Outbox};
use crate::store::{CalendarCopies, Event, Events, SeriesStore, StoreResult, Users};
use crate::telegram::Tg;
pub use join::JoinLinks;

/// Settings of the engine.
#[derive(Clone, Copy, Debug)]
pub struct DeliveryConfig {
    /// Messages a second the bot may send overall (Telegram's free limit is about 30).
    pub rate: f64,
    /// Paid broadcasts a second on top of `rate`, for reminders that would be late; None: off.
    pub paid_rate: Option<f64>,
    /// Language and zone of group chats, which have no person behind them.
    pub default_lang: Lang,
    pub default_tz: Tz,
}

/// A cheap handle; clones share one engine.
#[derive(Clone)]
pub struct Delivery {
    inner: Arc<Inner>,
}

impl Inner {
    /// Tells the platform that a message of one of its events will not reach its chat, so it can
    /// reach the person another way.
    async fn tell_platform_failed(
        &self,
        row: &crate::store::outbox::Row,
        reason: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) {
        let event = match self.events.get(row.event_id).await {
            Ok(Some(event)) => event,
            Ok(None) => return,
            Err(err) => {
                tracing::warn!(%err, event = row.event_id.0, "the platform's webhook call was not queued");
                return;
            }
        };
        let extra = serde_json::json!({ "chat_id": row.chat_id.0, "message": row.kind.family(), "reason": reason });
        let extra = extra.as_object().cloned().unwrap_or_default();
        if let Err(err) = self.webhooks.event_with("delivery.failed", &event, extra, now).await {
            tracing::warn!(%err, event = event.id.0, "the platform's webhook call was not queued");
        }
    }

    /// Queues the platform's webhook call for one of its events. Its failure costs the platform
    /// a notice, never the listeners theirs: it is logged and the delivery goes on.
    async fn tell_platform(&self, kind: &str, event: &crate::store::Event, now: chrono::DateTime<chrono::Utc>) {
        if let Err(err) = self.webhooks.event(kind, event, now).await {
            tracing::warn!(%err, event = event.id.0, kind, "the platform's webhook call was not queued");
        }
    }
}

struct Inner {
    bot: Tg,
    clock: SharedClock,
    events: Events,
    outbox: Outbox,
    /// The learning platform hears of changes to its events through this queue.
    webhooks: crate::store::webhooks::WebhookQueue,
    users: Users,
    series: SeriesStore,
    calendars: CalendarCopies,
    attendance: AttendanceStore,
    /// Personal Join links; None: every button is the meeting's own link.
    join: Option<JoinLinks>,
    config: DeliveryConfig,
    wake: Notify,
    /// The global plan is to be made again before the next claim.
    replan: AtomicBool,
    /// Events whose reminders the last plan expects late: by how much, and when they are due.
    late: Mutex<HashMap<EventId, planner::Late>>,
    /// The scheduler's heartbeat goes here, for the readiness check.
    health: Arc<Health>,
    metrics: Metrics,
}

impl Delivery {
    pub fn new(
        pool: Db,
        bot: Tg,
        clock: SharedClock,
        config: DeliveryConfig,
        join: Option<JoinLinks>,
        health: Arc<Health>,
        metrics: Metrics,
    ) -> Self {
        let inner = Inner {
            bot,
            clock,
            events: Events::new(pool.clone()),
            outbox: Outbox::new(pool.clone()),
            webhooks: crate::store::webhooks::WebhookQueue::new(pool.clone()),
            series: SeriesStore::new(pool.clone()),
            calendars: CalendarCopies::new(pool.clone()),
            attendance: AttendanceStore::new(pool.clone()),
            join,
            users: Users::new(pool),
            config,
            wake: Notify::new(),
            replan: AtomicBool::new(true),
            late: Mutex::default(),
            health,
            metrics,
        };
        Self { inner: Arc::new(inner) }
    }

    pub fn outbox(&self) -> &Outbox {
        &self.inner.outbox
    }

    /// The outbox at a glance, its lag measured against the rate this engine sends at.
    pub async fn figures(&self, now: DateTime<Utc>) -> StoreResult<Figures> {
        let config = &self.inner.config;
        self.inner.outbox.figures(now, config.rate + config.paid_rate.unwrap_or(0.0)).await
    }

    /// Starts the scheduler; it stops when `shutdown` is cancelled.
    pub fn spawn(&self, shutdown: CancellationToken) -> tokio::task::JoinHandle<()> {
        tokio::spawn(scheduler::run(self.inner.clone(), shutdown))
    }

    /// Queues the invitation and the reminders still ahead for everyone now in the event's
    /// audience who does not have them yet, and has the plan made again. Safe to call again at
    /// any time.
    pub async fn plan_event(&self, id: EventId) -> StoreResult<u64> {
        let inner = &self.inner;
        let now = inner.clock.now();
        let Some(event) = inner.events.get(id).await? else { return Ok(0) };
        if !event.is_planned() || now >= event.ends_at() {
            return Ok(0);
        }
        let audience: Vec<ChatId> = inner.events.audience(id).await?.iter().map(|r| r.chat_id()).collect();
        let rows = plan_rows(&event, &audience, now);
        let added = self.enqueue_unsent(&event, rows, None).await?;
        self.replan();
        Ok(added)
    }

    /// One chat joined the event's audience: queues what it is owed, the invitation now and the
    /// reminders still ahead, each going with the batch already planned for its time. Costs a
    /// few rows, whatever the audience's size.
    pub async fn plan_listener(&self, id: EventId, chat: ChatId) -> StoreResult<u64> {
        let inner = &self.inner;
        let now = inner.clock.now();
        let Some(event) = inner.events.get(id).await? else { return Ok(0) };
        if !event.is_planned() || now >= event.ends_at() {
            return Ok(0);
        }
        let mut rows = plan_rows(&event, &[chat], now);
        let mut first_of_batch = false;
        for row in rows.iter_mut().filter(|r| matches!(r.kind, Kind::Reminder { .. })) {
            match inner.outbox.batch_plan(row.due_at).await? {
                Some((planned, _)) => row.send_at = planned,
                None => first_of_batch = true,
            }
        }
        let added = self.enqueue_unsent(&event, rows, Some(chat)).await?;
        if first_of_batch {
            self.replan();
        }
        Ok(added)
    }

    /// Sends an invitation the joiner's handler took with the join (see
    /// `Invites::redeem_event`), after it answered the join: the card then always comes second.
    /// A failure leaves the row to the scheduler, as for any row.
    pub async fn send_taken_invitation(&self, row: i64) -> StoreResult<()> {
        let Some(row) = self.inner.outbox.row(row).await? else { return Ok(()) };
        scheduler::deliver(self.inner.clone(), row, CancellationToken::new()).await;
        self.wake();
        Ok(())
    }

    async fn enqueue_unsent(&self, event: &Event, rows: Vec<NewRow>, chat: Option<ChatId>) -> StoreResult<u64> {
        let now = self.inner.clock.now();
        let rows = self.without_reminders_already_sent(event, rows, chat).await?;
        let added = self.inner.outbox.enqueue(&rows, now).await?;
        self.wake();
        Ok(added)
    }

    /// How late the last plan expects the event's last listeners to get their reminder, if late.
    pub fn expected_lateness(&self, id: EventId) -> Option<chrono::Duration> {
        let late = self.inner.late.lock().unwrap_or_else(|e| e.into_inner());
        late.get(&id).filter(|l| l.due_at > self.inner.clock.now()).map(|l| l.by)
    }

    /// Has the global plan made again (by the scheduler, before its next claim).
    fn replan(&self) {
        self.inner.replan.store(true, Ordering::Release);
        self.wake();
    }

    /// A class's attendance report is in: the platform hears of it if the class is its own,
    /// with how many took part and how many of them are the bot's listeners.
    pub async fn attendance_ready(&self, event: &crate::store::Event, participants: usize, listeners: usize) {
        let extra = serde_json::Map::from_iter([
            ("participants".to_owned(), serde_json::Value::from(participants)),
            ("listeners_present".to_owned(), serde_json::Value::from(listeners)),
        ]);
        let now = self.inner.clock.now();
        if let Err(err) = self.inner.webhooks.event_with("attendance.ready", event, extra, now).await {
            tracing::warn!(%err, event = event.id.0, "the platform's attendance webhook call was not queued");
        }
    }

    /// A series made its next occurrence: to the platform that is its event changing (a new
    /// start and join link, and the occurrence's number).
    pub async fn occurrence_published(&self, event: &crate::store::Event) {
        self.inner.tell_platform("event.changed", event, self.inner.clock.now()).await;
    }

    /// The event moved or was edited (its sequence already raised): reminders are planned anew,
    /// cards already sent are edited, and those who had the invitation get one short notice.
    pub async fn event_changed(&self, id: EventId) -> StoreResult<()> {
        let inner = &self.inner;
        let now = inner.clock.now();
        let Some(event) = inner.events.get(id).await? else { return Ok(()) };
        inner.tell_platform("event.changed", &event, now).await;
        inner.outbox.drop_pending_reminders(id).await?;
        self.plan_event(id).await?;
        let notices =
            inner.outbox.sent_invitations(id).await?.into_iter().flat_map(|(chat, _)| {
                [Kind::Card { sequence: event.sequence }, Kind::Changed { sequence: event.sequence }]
                    .map(|kind| NewRow { event_id: id, chat_id: chat, kind, due_at: now, send_at: now })
            });
        let mut rows: Vec<NewRow> = notices.collect();
        rows.extend(self.calendar_rows(&event, now).await?);
        inner.outbox.enqueue(&rows, now).await?;
        self.replan();
        Ok(())
    }

    /// A new calendar copy for every chat that holds the event's entry (a series' entry is held
    /// through any of its occurrences), keyed by the change, so planning it again adds nothing.
    async fn calendar_rows(&self, event: &Event, now: DateTime<Utc>) -> StoreResult<Vec<NewRow>> {
        let holders = self.inner.calendars.holders(calendar::entry_of(event)).await?;
        Ok(holders
            .into_iter()
            .map(|chat| NewRow {
                event_id: event.id,
                chat_id: chat,
                kind: Kind::Calendar { sequence: event.sequence },
                due_at: now,
                send_at: now,
            })
            .collect())
    }

    /// The calendar file `chat` should get for the event now ("Add to calendar"). Record it with
    /// [`Delivery::calendar_sent`] once it reached the chat, so later changes reach it too.
    pub async fn calendar_copy(&self, id: EventId, chat: ChatId) -> StoreResult<Option<calendar::CalendarFile>> {
        let Some(event) = self.inner.events.get(id).await? else { return Ok(None) };
        Ok(Some(calendar::copy_for(&self.inner, &event, chat).await?))
    }

    /// `chat` holds this copy of the entry now.
    pub async fn calendar_sent(&self, file: &calendar::CalendarFile, chat: ChatId) -> StoreResult<()> {
        self.inner.calendars.record(file.entry, chat, file.sequence, self.inner.clock.now()).await
    }

    /// The reminder offsets changed: pending reminders are planned anew; nothing is announced.
    pub async fn replan_reminders(&self, id: EventId) -> StoreResult<()> {
        self.inner.outbox.drop_pending_reminders(id).await?;
        self.plan_event(id).await?;
        Ok(())
    }

    /// The event was cancelled (status already set): nothing pending goes out; those who had the
    /// invitation see their card marked cancelled and get one notice.
    pub async fn event_cancelled(&self, id: EventId) -> StoreResult<()> {
        let inner = &self.inner;
        let now = inner.clock.now();
        let Some(event) = inner.events.get(id).await? else { return Ok(()) };
        inner.tell_platform("event.cancelled", &event, now).await;
        inner.outbox.skip_pending(id, None, "event cancelled", now).await?;
        let notices = inner.outbox.sent_invitations(id).await?.into_iter().flat_map(|(chat, _)| {
            [Kind::Card { sequence: event.sequence }, Kind::Cancelled].map(|kind| NewRow {
                event_id: id,
                chat_id: chat,
                kind,
                due_at: now,
                send_at: now,
            })
        });
        // Holders get the file that takes the class out of their calendars.
        let mut rows: Vec<NewRow> = notices.collect();
        rows.extend(self.calendar_rows(&event, now).await?);
        inner.outbox.enqueue(&rows, now).await?;
        // What the event held of the budget is free for the others.
        self.replan();
        Ok(())
    }

    /// A listener left the event (or its group): nothing more is sent to them about it.
    pub async fn drop_recipient(&self, id: EventId, chat: ChatId) -> StoreResult<u64> {
        self.inner.outbox.skip_pending(id, Some(chat), "left the event", self.inner.clock.now()).await
    }

    /// Asks the given chats, once per `round`, to answer the invitation.
    pub async fn nudge(&self, id: EventId, round: i64, chats: &[ChatId]) -> StoreResult<u64> {
        let now = self.inner.clock.now();
        let rows: Vec<NewRow> = chats
            .iter()
            .map(|chat| NewRow { event_id: id, chat_id: *chat, kind: Kind::Nudge { round }, due_at: now, send_at: now })
            .collect();
        let added = self.inner.outbox.enqueue(&rows, now).await?;
        self.wake();
        Ok(added)
    }

    /// The card of an event as `chat` should see it now (after an RSVP, say).
    pub async fn card_for(&self, id: EventId, chat: ChatId) -> StoreResult<Option<render::Rendered>> {
        let Some(event) = self.inner.events.get(id).await? else { return Ok(None) };
        let viewer = scheduler::viewer(&self.inner, chat, &event).await?;
        Ok(Some(scheduler::card(&self.inner, &event, &viewer).await?))
    }

    /// Where `user`'s Join button for the event leads (see `join`).
    pub async fn join_target(&self, event: &Event, user: teloxide::types::UserId) -> StoreResult<Option<String>> {
        let inner = &self.inner;
        join::target_for(inner.join.as_ref(), &inner.attendance, event, user, inner.clock.now()).await
    }

    /// Tells an event's teacher that its meeting keeps failing to be created.
    pub async fn alert_owner(&self, id: EventId, attempt: i64) -> StoreResult<u64> {
        let now = self.inner.clock.now();
        let Some(event) = self.inner.events.get(id).await? else { return Ok(0) };
        let row = NewRow {
            event_id: id,
            chat_id: ChatId(event.owner_id.0 as i64),
            kind: Kind::Alert { attempt },
            due_at: now,
            send_at: now,
        };
        let added = self.inner.outbox.enqueue(&[row], now).await?;
        self.wake();
        Ok(added)
    }

    /// Tells an event's teacher that its attendance report came, or that its service gives none
    /// (said once a service, by the caller). Once an event: the outbox key holds it.
    pub async fn tell_owner_attendance(&self, id: EventId) -> StoreResult<u64> {
        let now = self.inner.clock.now();
        let Some(event) = self.inner.events.get(id).await? else { return Ok(0) };
        let chat = ChatId(event.owner_id.0 as i64);
        let row = NewRow { event_id: id, chat_id: chat, kind: Kind::Attendance, due_at: now, send_at: now };
        let added = self.inner.outbox.enqueue(&[row], now).await?;
        self.wake();
        Ok(added)
    }

    /// Tells the scheduler that rows changed.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// A reminder sent early (a large fan-out starts ahead of time) must not be sent again when an
    /// edit that did not move the event re-plans the reminders. Reads the reminders sent to
    /// `chat`, or to everyone when None.
    async fn without_reminders_already_sent(
        &self,
        event: &Event,
        rows: Vec<NewRow>,
        chat: Option<ChatId>,
    ) -> StoreResult<Vec<NewRow>> {
        let sent: HashSet<(ChatId, ReminderOffset, DateTime<Utc>)> =
            self.inner.outbox.sent_reminders(event.id, chat).await?.into_iter().collect();
        Ok(rows
            .into_iter()
            .filter(|row| match row.kind {
                Kind::Reminder { offset, .. } => !sent.contains(&(row.chat_id, offset, row.due_at)),
                _ => true,
            })
            .collect())
    }
}

/// The rows an event needs for the given chats: the invitation now, each reminder still ahead at
/// its time. A reminder's send time is its due time until the global plan moves it earlier.
fn plan_rows(event: &Event, chats: &[ChatId], now: DateTime<Utc>) -> Vec<NewRow> {
    let reminders = upcoming_reminders(event.reminders.iter().copied(), event.starts_at, now);
    let mut rows = Vec::with_capacity(chats.len() * (1 + reminders.len()));
    for &chat in chats {
        rows.push(NewRow { event_id: event.id, chat_id: chat, kind: Kind::Invitation, due_at: now, send_at: now });
        for reminder in &reminders {
            rows.push(NewRow {
                event_id: event.id,
                chat_id: chat,
                kind: Kind::Reminder { offset: reminder.offset, sequence: event.sequence },
                due_at: reminder.due_at,
                send_at: reminder.due_at,
            });
        }
    }
    rows
}
