//! Keeps the global plan current: reads what is queued, places every unstarted batch of reminders
//! (`plan::place`) at the rate that replies leave, moves the batches whose start changed, and
//! says which events will be late.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use super::Inner;
use super::plan::{self, Batch, Placed};
use super::rules;
use crate::domain::event::EventId;
use crate::store::StoreResult;
use crate::store::outbox::Unstarted;

/// Telegram's price of one paid broadcast message.
const STARS_PER_PAID_MESSAGE: f64 = 0.1;

/// A batch as it is planned now.
struct Current {
    rows: u64,
    send_at: DateTime<Utc>,
    paid: bool,
}

/// An event the plan cannot serve on time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Late {
    pub by: Duration,
    pub due_at: DateTime<Utc>,
}

pub(super) async fn replan(inner: &Inner) -> StoreResult<()> {
    let now = inner.clock.now();
    let unstarted = inner.outbox.unstarted_reminders(now).await?;
    let backlog = inner.outbox.backlog(now).await?;
    let per_sec = rules::bulk_rate(inner.config.rate, inner.bot.budget().replies_per_sec());
    let batches = batches_of(&unstarted);
    let wanted: Vec<Batch> = batches.iter().map(|(due_at, c)| Batch { due_at: *due_at, rows: c.rows }).collect();
    let placed = plan::place_with_paid(&wanted, backlog, per_sec, inner.config.paid_rate, now);
    move_batches(inner, &batches, &placed, now).await?;
    let placed_events: HashSet<EventId> = unstarted.iter().map(|row| row.event).collect();
    remember(inner, late_events(&unstarted, &placed), &placed_events, now, per_sec);
    Ok(())
}

/// Reminders due at one instant are one batch, whatever their events.
fn batches_of(unstarted: &[Unstarted]) -> BTreeMap<DateTime<Utc>, Current> {
    let mut batches: BTreeMap<DateTime<Utc>, Current> = BTreeMap::new();
    for row in unstarted {
        let current = batches.entry(row.due_at).or_insert(Current { rows: 0, send_at: row.send_at, paid: row.paid });
        current.rows += row.rows;
        current.send_at = current.send_at.min(row.send_at);
        current.paid |= row.paid;
    }
    batches
}

/// Writes the batches whose start (or payment) the plan changed.
async fn move_batches(
    inner: &Inner,
    batches: &BTreeMap<DateTime<Utc>, Current>,
    placed: &[Placed],
    now: DateTime<Utc>,
) -> StoreResult<()> {
    for batch in placed {
        let Some(current) = batches.get(&batch.due_at) else { continue };
        if (current.send_at, current.paid) == (batch.send_at, batch.paid) {
            continue;
        }
        inner.outbox.plan_batch(batch.due_at, batch.send_at, batch.paid, now).await?;
        if batch.paid && !current.paid {
            tracing::warn!(
                rows = current.rows,
                due = %batch.due_at,
                stars = current.rows as f64 * STARS_PER_PAID_MESSAGE,
                "reminders go as paid broadcasts: at the free rate they would be late"
            );
        }
    }
    Ok(())
}

/// The events with a batch the plan expects late, each by its latest batch's lateness.
fn late_events(unstarted: &[Unstarted], placed: &[Placed]) -> HashMap<EventId, Late> {
    let late_by: HashMap<DateTime<Utc>, Duration> = placed.iter().map(|p| (p.due_at, p.late_by)).collect();
    let mut late: HashMap<EventId, Late> = HashMap::new();
    for row in unstarted {
        let by = late_by.get(&row.due_at).copied().unwrap_or_default();
        if by > Duration::zero() {
            let entry = late.entry(row.event).or_insert(Late { by, due_at: row.due_at });
            entry.by = entry.by.max(by);
            entry.due_at = entry.due_at.max(row.due_at);
        }
    }
    late
}

/// Keeps what the plan found, and says so when an event turns late (or later by a minute). The
/// batches already under way are no longer placed, so what was found for their events stays
/// until they are due.
fn remember(inner: &Inner, found: HashMap<EventId, Late>, placed: &HashSet<EventId>, now: DateTime<Utc>, per_sec: f64) {
    let mut late = inner.late.lock().unwrap_or_else(|e| e.into_inner());
    for (event, now_late) in &found {
        let before = late.get(event).map(|l| l.by);
        if before.is_none_or(|b| (now_late.by - b).num_minutes().abs() >= 1) {
            tracing::warn!(
                event = event.get(),
                minutes = plan::minutes_late(now_late.by),
                bulk_per_sec = per_sec,
                "the send rate cannot fit this event's reminders before their time: the last listeners get them late"
            );
        }
    }
    late.retain(|event, l| l.due_at > now && !placed.contains(event));
    late.extend(found);
}
