//! Repeating classes over time: only the next occurrence of a series exists, with its meeting;
//! when it ends or is cancelled, the one after it is made, its meeting created and its listeners
//! invited. A provider failure there is retried, and the teacher is told if it persists.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::{Mutex, Notify};
use tokio_util::sync::CancellationToken;

use crate::clock::SharedClock;
use crate::delivery::Delivery;
use crate::domain::event::{EventId, EventStatus};
use crate::domain::recurrence::Recurrence;
use crate::meetings::{MeetingError, Meetings};
use crate::store::{Event, Events, NewEvent, Series, SeriesStore, StoreResult};

/// Time between attempts at a next occurrence whose meeting could not be created.
const RETRY_AFTER: Duration = Duration::minutes(5);
/// After this many failed attempts the teacher hears about it (and the attempts go on).
const ALERT_AFTER: i64 = 3;

#[derive(Clone)]
pub struct SeriesService {
    inner: Arc<Inner>,
}

struct Inner {
    store: SeriesStore,
    events: Events,
    meetings: Arc<Meetings>,
    delivery: Delivery,
    clock: SharedClock,
    wake: Notify,
    /// One change to series at a time: a cancel must not fall between the worker reading a
    /// series as active and making its next occurrence.
    turn: Mutex<()>,
}

impl SeriesService {
    pub fn new(
        store: SeriesStore,
        events: Events,
        meetings: Arc<Meetings>,
        delivery: Delivery,
        clock: SharedClock,
    ) -> Self {
        let inner = Inner { store, events, meetings, delivery, clock, wake: Notify::new(), turn: Mutex::new(()) };
        Self { inner: Arc::new(inner) }
    }

    pub fn store(&self) -> &SeriesStore {
        &self.inner.store
    }

    /// Makes a saved event the first occurrence of a series following `rule`.
    pub async fn start(&self, event: &Event, rule: &Recurrence) -> StoreResult<i64> {
        let local = event.starts_at.with_timezone(&event.tz);
        let id = self
            .inner
            .store
            .create(event.owner_id, rule, local.date_naive(), local.time(), event.tz, self.inner.clock.now())
            .await?;
        self.inner.events.attach_to_series(event.id, id, 0).await?;
        self.wake();
        Ok(id)
    }

    /// Cancels a whole series: the live occurrence is cancelled (its meeting deleted, listeners
    /// told) and no further occurrence is made.
    pub async fn cancel(&self, id: i64) -> Result<(), MeetingError> {
        let inner = &self.inner;
        let _turn = inner.turn.lock().await;
        inner.store.set_status(id, "cancelled", inner.clock.now()).await?;
        if let Some(current) = inner.events.latest_occurrence(id).await?
            && matches!(current.status, EventStatus::Planned | EventStatus::Draft)
        {
            inner.meetings.cancel(current.id).await?;
        }
        Ok(())
    }

    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    pub fn spawn(&self, shutdown: CancellationToken) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move { this.run(shutdown).await })
    }

    async fn run(&self, shutdown: CancellationToken) {
        crate::clock::run_turns(&self.inner.clock, &self.inner.wake, shutdown, || async {
            match self.advance_all().await {
                Ok(next) => next,
                Err(err) => {
                    tracing::error!(%err, "advancing series failed; trying again shortly");
                    Some(self.inner.clock.now() + Duration::seconds(30))
                }
            }
        })
        .await;
    }

    /// Moves every active series past occurrences that ended or were cancelled; returns when to
    /// look again.
    async fn advance_all(&self) -> StoreResult<Option<DateTime<Utc>>> {
        let now = self.inner.clock.now();
        let mut next_look: Option<DateTime<Utc>> = None;
        for listed in self.inner.store.active().await? {
            let _turn = self.inner.turn.lock().await;
            // Read again under the turn: it may have been cancelled since the list was read.
            let Some(series) = self.inner.store.get(listed.id).await?.filter(|s| s.active) else { continue };
            if let Some(at) = self.advance(&series, now).await? {
                next_look = Some(next_look.map_or(at, |n| n.min(at)));
            }
        }
        Ok(next_look)
    }

    /// One series: returns when it next needs attention.
    async fn advance(&self, series: &Series, now: DateTime<Utc>) -> StoreResult<Option<DateTime<Utc>>> {
        let inner = &self.inner;
        let Some(current) = inner.events.latest_occurrence(series.id).await? else { return Ok(None) };
        if current.status == EventStatus::Draft {
            // An occurrence this task made whose meeting failed is tried again when due; a draft
            // without a failure here is the teacher's own, being published (or retried) by them.
            return match series.retry_at {
                Some(at) if at > now => Ok(Some(at)),
                Some(_) => self.publish(series, current.id).await,
                None => Ok(None),
            };
        }
        let over = current.ends_at() <= now;
        if current.status == EventStatus::Planned && !over {
            return Ok(Some(current.ends_at()));
        }
        if current.status == EventStatus::Planned
            && let Err(err) = inner.meetings.retire(current.id).await
        {
            tracing::warn!(event = current.id.0, %err, "the past occurrence's meeting could not be removed");
        }
        let starts = series.starts();
        let after = usize::try_from(current.series.map_or(0, |(_, n)| n) + 1).unwrap_or(usize::MAX);
        let duration = Duration::minutes(i64::from(current.duration_min));
        // After a long stop, occurrences already over are skipped, not made late.
        let Some((number, start)) = starts.iter().enumerate().skip(after).find(|(_, s)| **s + duration > now) else {
            inner.store.set_status(series.id, "finished", now).await?;
            return Ok(None);
        };
        let id = self.make_occurrence(series, &current, number as i64, *start, now).await?;
        self.publish(series, id).await
    }

    /// The next occurrence, like the last one but for its start.
    async fn make_occurrence(
        &self,
        series: &Series,
        template: &Event,
        number: i64,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<EventId> {
        let inner = &self.inner;
        let new = NewEvent {
            owner_id: template.owner_id,
            host_id: template.host_id,
            host_email: template.host_email.clone(),
            provider_id: template.provider_id,
            title: template.title.clone(),
            description: template.description.clone(),
            starts_at: start,
            duration_min: template.duration_min,
            tz: template.tz,
            status: EventStatus::Draft,
            meeting: None,
            options: template.options.clone(),
            reminders: template.reminders.clone(),
        };
        let id = inner.events.insert(&new, now).await?;
        inner.events.attach_to_series(id, series.id, number).await?;
        inner.events.set_groups(id, &inner.events.groups_of(template.id).await?).await?;
        inner.events.copy_direct_listeners(template.id, id).await?;
        Ok(id)
    }

    /// Creates the occurrence's meeting and invites its listeners; a failure is retried later.
    async fn publish(&self, series: &Series, id: EventId) -> StoreResult<Option<DateTime<Utc>>> {
        let inner = &self.inner;
        let now = inner.clock.now();
        match inner.meetings.publish_as_owner(id).await {
            Ok(event) => {
                inner.store.clear_failures(series.id).await?;
                if event.series.is_some_and(|(_, number)| number > 0) {
                    inner.delivery.occurrence_published(&event).await;
                }
                Ok(Some(event.ends_at()))
            }
            Err(MeetingError::Store(err)) => Err(err),
            Err(err) => {
                let retry = now + RETRY_AFTER;
                let attempts = inner.store.record_failure(series.id, retry, now).await?;
                tracing::warn!(series = series.id, attempts, %err, "the next occurrence's meeting was not created");
                if attempts == ALERT_AFTER {
                    inner.delivery.alert_owner(id, attempts).await?;
                }
                Ok(Some(retry))
            }
        }
    }
}
