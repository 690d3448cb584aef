//! The durable outbox: one row per (event, chat, kind); the delivery engine is its only reader.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use teloxide::types::{ChatId, MessageId};

use super::invites::parse_stamp;
use super::{Conn, Db, StoreError, StoreResult, on_conn, on_db, stamp};
use crate::domain::event::EventId;
use crate::domain::reminders::ReminderOffset;

/// What a row delivers. Kinds that depend on the event's schedule carry its sequence, so a
/// reschedule makes new rows instead of colliding with the ones already sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Invitation,
    Reminder {
        offset: ReminderOffset,
        sequence: i64,
    },
    /// The invitation card edited in place to show the event's current state.
    Card {
        sequence: i64,
    },
    Changed {
        sequence: i64,
    },
    Cancelled,
    Nudge {
        round: i64,
    },
    /// To the event's teacher: the next occurrence's meeting keeps failing.
    Alert {
        attempt: i64,
    },
    /// A new copy of the calendar file, for a chat that holds the entry, after the change that
    /// raised the event's sequence to this.
    Calendar {
        sequence: i64,
    },
    /// To the event's teacher: its attendance report came (or the service gives none).
    Attendance,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kind::Invitation => f.write_str("invitation"),
            Kind::Reminder { offset, sequence } => write!(f, "reminder:{offset}:{sequence}"),
            Kind::Card { sequence } => write!(f, "card:{sequence}"),
            Kind::Changed { sequence } => write!(f, "changed:{sequence}"),
            Kind::Cancelled => f.write_str("cancelled"),
            Kind::Nudge { round } => write!(f, "nudge:{round}"),
            Kind::Alert { attempt } => write!(f, "alert:{attempt}"),
            Kind::Calendar { sequence } => write!(f, "calendar:{sequence}"),
            Kind::Attendance => f.write_str("attendance"),
        }
    }
}

impl Kind {
    /// The kind without its parameters (`reminder`, not `reminder:15m:1`): few enough values
    /// for a metric's label.
    pub fn family(&self) -> &'static str {
        match self {
            Kind::Invitation => "invitation",
            Kind::Reminder { .. } => "reminder",
            Kind::Card { .. } => "card",
            Kind::Changed { .. } => "changed",
            Kind::Cancelled => "cancelled",
            Kind::Nudge { .. } => "nudge",
            Kind::Alert { .. } => "alert",
            Kind::Calendar { .. } => "calendar",
            Kind::Attendance => "attendance",
        }
    }
}

impl FromStr for Kind {
    type Err = StoreError;

    fn from_str(s: &str) -> StoreResult<Kind> {
        let corrupt = || StoreError::Corrupt(s.to_owned());
        let number = |n: &str| n.parse::<i64>().map_err(|_| corrupt());
        let mut parts = s.split(':');
        let kind = match (parts.next(), parts.next(), parts.next()) {
            (Some("invitation"), None, None) => Kind::Invitation,
            (Some("cancelled"), None, None) => Kind::Cancelled,
            (Some("attendance"), None, None) => Kind::Attendance,
            (Some("reminder"), Some(offset), Some(sequence)) => {
                Kind::Reminder { offset: offset.parse().map_err(|_| corrupt())?, sequence: number(sequence)? }
            }
            (Some("card"), Some(n), None) => Kind::Card { sequence: number(n)? },
            (Some("changed"), Some(n), None) => Kind::Changed { sequence: number(n)? },
            (Some("nudge"), Some(n), None) => Kind::Nudge { round: number(n)? },
            (Some("alert"), Some(n), None) => Kind::Alert { attempt: number(n)? },
            (Some("calendar"), Some(n), None) => Kind::Calendar { sequence: number(n)? },
            _ => return Err(corrupt()),
        };
        Ok(kind)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowState {
    Pending,
    Sending,
    Sent,
    Failed,
    Skipped,
}

impl RowState {
    pub(super) fn parse(s: &str) -> StoreResult<RowState> {
        Ok(match s {
            "pending" => RowState::Pending,
            "sending" => RowState::Sending,
            "sent" => RowState::Sent,
            "failed" => RowState::Failed,
            "skipped" => RowState::Skipped,
            other => return Err(StoreError::Corrupt(other.to_owned())),
        })
    }
}

/// A row to queue.
#[derive(Clone, Debug)]
pub struct NewRow {
    pub event_id: EventId,
    pub chat_id: ChatId,
    pub kind: Kind,
    pub due_at: DateTime<Utc>,
    pub send_at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct Row {
    pub id: i64,
    pub event_id: EventId,
    pub chat_id: ChatId,
    pub kind: Kind,
    pub due_at: DateTime<Utc>,
    pub send_at: DateTime<Utc>,
    pub state: RowState,
    pub attempts: i64,
    pub message_id: Option<MessageId>,
    pub reason: Option<String>,
    pub late: bool,
    /// To go as a paid broadcast.
    pub paid: bool,
}

#[derive(FromRow)]
struct RawRow {
    id: i64,
    event_id: i64,
    chat_id: i64,
    kind: String,
    due_at: String,
    send_at: String,
    state: String,
    attempts: i64,
    message_id: Option<i32>,
    reason: Option<String>,
    late: bool,
    paid: bool,
}

impl TryFrom<RawRow> for Row {
    type Error = StoreError;

    fn try_from(raw: RawRow) -> StoreResult<Row> {
        Ok(Row {
            id: raw.id,
            event_id: EventId(raw.event_id),
            chat_id: ChatId(raw.chat_id),
            kind: raw.kind.parse()?,
            due_at: parse_stamp(&raw.due_at)?,
            send_at: parse_stamp(&raw.send_at)?,
            state: RowState::parse(&raw.state)?,
            attempts: raw.attempts,
            message_id: raw.message_id.map(MessageId),
            reason: raw.reason,
            late: raw.late,
            paid: raw.paid,
        })
    }
}

/// How long a claimed row is this instance's on PostgreSQL: after it, an instance that takes
/// over from a dead one sends the row again (the dead one may have sent it: at least once).
pub const CLAIM_LEASE: chrono::Duration = chrono::Duration::seconds(15);

const COLUMNS: &str = "id, event_id, chat_id, kind, due_at, send_at, state, attempts, message_id, reason, late, paid";

/// A chat's messages of an event wait for its invitation: rows claimed together are sent side by
/// side, and a reminder due as the class is announced would otherwise come before the card.
const AFTER_INVITATION: &str = "(o.kind = 'invitation' OR NOT EXISTS (
    SELECT 1 FROM outbox first WHERE first.event_id = o.event_id AND first.chat_id = o.chat_id
                                 AND first.kind = 'invitation' AND first.state IN ('pending', 'sending')))";

/// Unstarted reminders of one event due at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unstarted {
    pub due_at: DateTime<Utc>,
    pub event: EventId,
    pub rows: u64,
    pub send_at: DateTime<Utc>,
    pub paid: bool,
}

/// The whole outbox at a glance, for metrics and the readiness check.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    /// Rows by (state, kind family).
    pub rows: Vec<(String, String, i64)>,
    /// The oldest pending row whose time to send has come.
    pub oldest_due: Option<DateTime<Utc>>,
    /// How far the outbox is behind what the send rate explains.
    pub overdue: chrono::Duration,
}

/// Delivery figures of one event, for its teacher.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub sent: i64,
    pub pending: i64,
    pub failed: i64,
    pub skipped: i64,
}

#[derive(Clone)]
pub struct Outbox {
    db: Db,
}

impl Outbox {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Queues rows; a row whose (event, chat, kind) exists already is left as it is.
    pub async fn enqueue(&self, rows: &[NewRow], now: DateTime<Utc>) -> StoreResult<u64> {
        on_db!(&self.db, |pool| {
            let mut tx = super::begin_write(pool).await?;
            let mut added = 0;
            for row in rows {
                let done = sqlx::query(
                    "INSERT INTO outbox (event_id, chat_id, kind, due_at, send_at, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id, chat_id, kind) DO NOTHING",
                )
                .bind(row.event_id.0)
                .bind(row.chat_id.0)
                .bind(row.kind.to_string())
                .bind(stamp(row.due_at))
                .bind(stamp(row.send_at))
                .bind(stamp(now))
                .bind(stamp(now))
                .execute(&mut *tx)
                .await?;
                added += done.rows_affected();
            }
            tx.commit().await?;
            Ok(added)
        })
    }

    /// One row by its id.
    pub async fn row(&self, id: i64) -> StoreResult<Option<Row>> {
        on_db!(&self.db, |pool| {
            let raw: Option<RawRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM outbox WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?;
            raw.map(Row::try_from).transpose()
        })
    }

    /// After a crash, rows caught between "sending" and "sent" are sent again: Telegram has no
    /// idempotency key, so at least once is the best there is, and never lost.
    ///
    /// On PostgreSQL another live instance may hold rows: see `recover_expired_claims`.
    pub async fn recover_sending(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        match &self.db {
            Db::Sqlite(pool) => {
                let done = sqlx::query("UPDATE outbox SET state = 'pending', updated_at = $1 WHERE state = 'sending'")
                    .bind(stamp(now))
                    .execute(pool)
                    .await?;
                Ok(done.rows_affected())
            }
            Db::Postgres(..) => self.recover_expired_claims(now).await,
        }
    }

    /// Rows a dead instance claimed go back in line once their claim lease ran out; rows a live
    /// one holds, and this instance's own (held through a long 429 pause, say), stay. On SQLite
    /// there is one instance and every row in `sending` is its own: nothing to do while it runs.
    pub async fn recover_expired_claims(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let done = match &self.db {
            Db::Sqlite(_) => 0,
            Db::Postgres(pool, me) => sqlx::query(
                "UPDATE outbox SET state = 'pending', claimed_by = NULL, lease_until = NULL, updated_at = $1
                      WHERE state = 'sending' AND (lease_until IS NULL OR lease_until < $1)
                        AND claimed_by IS DISTINCT FROM $2",
            )
            .bind(stamp(now))
            .bind(me.id())
            .execute(pool)
            .await?
            .rows_affected(),
        };
        Ok(done)
    }

    /// Of the reminders of one event to one chat that are all overdue, only the one nearest the
    /// start is still worth sending; the others are skipped.
    pub async fn collapse_overdue_reminders(
        &self,
        now: DateTime<Utc>,
        overdue_before: DateTime<Utc>,
    ) -> StoreResult<u64> {
        on_db!(&self.db, |pool| {
            let done = sqlx::query(
                "UPDATE outbox SET state = 'skipped', reason = 'collapsed into a later reminder', updated_at = $1
                  WHERE state = 'pending' AND send_at <= $1 AND kind LIKE 'reminder:%' AND due_at < $2
                    AND EXISTS (SELECT 1 FROM outbox later
                                 WHERE later.event_id = outbox.event_id AND later.chat_id = outbox.chat_id
                                   AND later.state = 'pending' AND later.kind LIKE 'reminder:%'
                                   AND later.due_at < $2 AND later.due_at > outbox.due_at)",
            )
            .bind(stamp(now))
            .bind(stamp(overdue_before))
            .execute(pool)
            .await?;
            Ok(done.rows_affected())
        })
    }

    /// Takes up to `limit` pending rows whose time to send has come, oldest first and paid
    /// broadcasts before the rest (they are the ones that would be late), marking them `sending`
    /// in the same transaction, so no row is taken twice.
    ///
    /// On PostgreSQL the rows are locked with `SKIP LOCKED`, so two claimers never wait on or
    /// take each other's rows, and each carries a lease: who holds it, and until when.
    pub async fn claim_due(&self, now: DateTime<Utc>, limit: i64) -> StoreResult<Vec<Row>> {
        let mut raw: Vec<RawRow> = Vec::new();
        match &self.db {
            Db::Sqlite(pool) => {
                let mut tx = super::begin_write(pool).await?;
                // `paid = 1` as the partial index `outbox_due_paid` says it, or SQLite does not use
                // the index and reads every due row to find the paid ones.
                for only in [" AND o.paid = 1", ""] {
                    let left = limit - raw.len() as i64;
                    if left <= 0 {
                        break;
                    }
                    let claimed: Vec<RawRow> = sqlx::query_as(&format!(
                        "UPDATE outbox SET state = 'sending', updated_at = $1
                          WHERE id IN (SELECT o.id FROM outbox o
                                        WHERE o.state = 'pending' AND o.send_at <= $1{only} AND {AFTER_INVITATION}
                                        ORDER BY o.send_at, o.id LIMIT $2)
                          RETURNING {COLUMNS}"
                    ))
                    .bind(stamp(now))
                    .bind(left)
                    .fetch_all(&mut *tx)
                    .await?;
                    raw.extend(claimed);
                }
                tx.commit().await?;
            }
            Db::Postgres(pool, me) => {
                for only in [" AND o.paid", ""] {
                    let left = limit - raw.len() as i64;
                    if left <= 0 {
                        break;
                    }
                    // Fencing: nothing is claimed under a lease that ran out or changed hands.
                    let claimed: Vec<RawRow> = sqlx::query_as(&format!(
                        "UPDATE outbox SET state = 'sending', updated_at = $1, claimed_by = $3, lease_until = $4
                          WHERE id IN (SELECT o.id FROM outbox o
                                        WHERE o.state = 'pending' AND o.send_at <= $1{only} AND {AFTER_INVITATION}
                                        ORDER BY o.send_at, o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED)
                            AND EXISTS (SELECT 1 FROM leader_lease WHERE name = 'leader' AND holder = $3 AND epoch = $5
                                                                     AND expires_at > clock_timestamp())
                          RETURNING {COLUMNS}"
                    ))
                    .bind(stamp(now))
                    .bind(left)
                    .bind(me.id())
                    .bind(stamp(now + CLAIM_LEASE))
                    .bind(me.held_epoch())
                    .fetch_all(pool)
                    .await?;
                    raw.extend(claimed);
                }
            }
        }
        let mut rows = raw.into_iter().map(Row::try_from).collect::<StoreResult<Vec<_>>>()?;
        // RETURNING keeps no order.
        rows.sort_by_key(|row| (!row.paid, row.send_at, row.id));
        Ok(rows)
    }

    /// Reminders not yet begun (pending, never tried, their send time still ahead), counted by
    /// due time and event, with the send time planned for them: what the global plan places.
    pub async fn unstarted_reminders(&self, now: DateTime<Utc>) -> StoreResult<Vec<Unstarted>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<(String, i64, i64, String, bool)> = sqlx::query_as(
                "SELECT due_at, event_id, COUNT(*), MIN(send_at), MAX(CASE WHEN paid THEN 1 ELSE 0 END) = 1 FROM outbox
                  WHERE state = 'pending' AND attempts = 0 AND kind LIKE 'reminder:%' AND send_at > $1
                  GROUP BY due_at, event_id",
            )
            .bind(stamp(now))
            .fetch_all(pool)
            .await?;
            rows.into_iter()
                .map(|(due_at, event, rows, send_at, paid)| {
                    Ok(Unstarted {
                        due_at: parse_stamp(&due_at)?,
                        event: EventId(event),
                        rows: rows as u64,
                        send_at: parse_stamp(&send_at)?,
                        paid,
                    })
                })
                .collect()
        })
    }

    /// Rows that go before any planned batch: pending and due now, or being sent.
    pub async fn backlog(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        on_db!(&self.db, |pool| {
            let n: i64 = sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND send_at <= $1)
                      + (SELECT COUNT(*) FROM outbox WHERE state = 'sending')",
            )
            .bind(stamp(now))
            .fetch_one(pool)
            .await?;
            Ok(n as u64)
        })
    }

    /// Moves the unstarted reminders due at `due_at` to begin at `send_at`, as paid broadcasts
    /// or not.
    pub async fn plan_batch(
        &self,
        due_at: DateTime<Utc>,
        send_at: DateTime<Utc>,
        paid: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        on_db!(&self.db, |pool| {
            let done = sqlx::query(
                "UPDATE outbox SET send_at = $1, paid = $4, updated_at = $3
                  WHERE state = 'pending' AND attempts = 0 AND kind LIKE 'reminder:%' AND due_at = $2 AND send_at > $3",
            )
            .bind(stamp(send_at))
            .bind(stamp(due_at))
            .bind(stamp(now))
            .bind(paid)
            .execute(pool)
            .await?;
            Ok(done.rows_affected())
        })
    }

    /// How the reminders due at `due_at` are planned, if any are queued (when they begin, and
    /// whether paid): a listener who joins later goes with their batch.
    pub async fn batch_plan(&self, due_at: DateTime<Utc>) -> StoreResult<Option<(DateTime<Utc>, bool)>> {
        on_db!(&self.db, |pool| {
            let (at, paid): (Option<String>, Option<bool>) = sqlx::query_as(
                "SELECT MIN(send_at), MAX(CASE WHEN paid THEN 1 ELSE 0 END) = 1 FROM outbox WHERE state = 'pending' AND kind LIKE 'reminder:%' AND due_at = $1",
            )
            .bind(stamp(due_at))
            .fetch_one(pool)
            .await?;
            Ok(match at {
                Some(at) => Some((parse_stamp(&at)?, paid.unwrap_or(false))),
                None => None,
            })
        })
    }

    /// Reminders due at `due_at` still waiting or being sent: 0 once a fan-out is done.
    pub async fn reminders_in_line(&self, due_at: DateTime<Utc>) -> StoreResult<i64> {
        on_db!(&self.db, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT COUNT(*) FROM outbox
                  WHERE state IN ('pending', 'sending') AND kind LIKE 'reminder:%' AND due_at = $1",
            )
            .bind(stamp(due_at))
            .fetch_one(pool)
            .await?)
        })
    }

    /// Rows by state and kind, the oldest due row, and how far the outbox is behind.
    ///
    /// A fan-out shares one send time, so its last rows wait behind the first by design: at
    /// 30 a second the 3,000th waits 100 s. Behind means more than that: from the oldest due
    /// row's send time, the rows finished since (and those in hand) at `rate` explain so many
    /// seconds; the rest is the lag. A stuck scheduler or a long pause after a 429 grows it
    /// one second a second, a busy one keeps it near zero.
    pub async fn figures(&self, now: DateTime<Utc>, rate: f64) -> StoreResult<Figures> {
        on_db!(&self.db, |pool| {
            let rows: Vec<(String, String, i64)> = sqlx::query_as(self.db.pick(
                "SELECT state, substr(kind, 1, instr(kind || ':', ':') - 1) AS family, COUNT(*)
                   FROM outbox GROUP BY state, family ORDER BY state, family",
                "SELECT state, split_part(kind, ':', 1) AS family, COUNT(*)
                   FROM outbox GROUP BY state, family ORDER BY state, family",
            ))
            .fetch_all(pool)
            .await?;
            let oldest: Option<String> = sqlx::query_scalar(
                "SELECT send_at FROM outbox WHERE state = 'pending' AND send_at <= $1 ORDER BY send_at, id LIMIT 1",
            )
            .bind(stamp(now))
            .fetch_optional(pool)
            .await?;
            let Some(oldest) = oldest.as_deref().map(parse_stamp).transpose()? else {
                return Ok(Figures { rows, oldest_due: None, overdue: chrono::Duration::zero() });
            };
            let explained: i64 = sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM outbox
                          WHERE state IN ('sent', 'failed', 'skipped') AND updated_at >= $1 AND send_at <= $1)
                      + (SELECT COUNT(*) FROM outbox WHERE state = 'sending')",
            )
            .bind(stamp(oldest))
            .fetch_one(pool)
            .await?;
            let explained = chrono::Duration::milliseconds((explained as f64 / rate.max(1.0) * 1000.0) as i64);
            let overdue = (now - oldest - explained).max(chrono::Duration::zero());
            Ok(Figures { rows, oldest_due: Some(oldest), overdue })
        })
    }

    /// When the next pending row may be sent; reads one entry of the pending-only index.
    pub async fn next_send_at(&self) -> StoreResult<Option<DateTime<Utc>>> {
        on_db!(&self.db, |pool| {
            let next: Option<String> = sqlx::query_scalar(&format!(
                "SELECT o.send_at FROM outbox o WHERE o.state = 'pending' AND {AFTER_INVITATION}
                  ORDER BY o.send_at, o.id LIMIT 1"
            ))
            .fetch_optional(pool)
            .await?;
            next.as_deref().map(parse_stamp).transpose()
        })
    }

    // `attempts` counts the tries Telegram answered: sent, refused, or failed on the way. A 429
    // (Telegram did nothing yet) and a skip (nothing was tried) leave it as it is.

    pub async fn mark_sent(
        &self,
        id: i64,
        message: Option<MessageId>,
        late: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "UPDATE outbox SET state = 'sent', message_id = $1, late = $2, reason = NULL, sent_at = $3, updated_at = $3,
                                   attempts = attempts + 1
                  WHERE id = $4",
            )
            .bind(message.map(|m| m.0))
            .bind(late)
            .bind(stamp(now))
            .bind(id)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    pub async fn mark_failed(&self, id: i64, reason: &str, now: DateTime<Utc>) -> StoreResult<()> {
        self.finish(id, "failed", 1, reason, now).await
    }

    pub async fn mark_skipped(&self, id: i64, reason: &str, now: DateTime<Utc>) -> StoreResult<()> {
        self.finish(id, "skipped", 0, reason, now).await
    }

    async fn finish(&self, id: i64, state: &str, tried: i64, reason: &str, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "UPDATE outbox SET state = $1, attempts = attempts + $2, reason = $3, updated_at = $4 WHERE id = $5",
            )
            .bind(state)
            .bind(tried)
            .bind(reason)
            .bind(stamp(now))
            .bind(id)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// A try failed: the row goes back in the queue for another at `send_at`.
    pub async fn retry_at(&self, id: i64, send_at: DateTime<Utc>, reason: &str, now: DateTime<Utc>) -> StoreResult<()> {
        self.back_in_line(id, send_at, 1, reason, now).await
    }

    /// The row goes back in line now, its try not counted: Telegram asked to wait (the send
    /// budget holds every send meanwhile), or the chat moved.
    pub async fn requeue(&self, id: i64, reason: &str, now: DateTime<Utc>) -> StoreResult<()> {
        self.back_in_line(id, now, 0, reason, now).await
    }

    async fn back_in_line(
        &self,
        id: i64,
        send_at: DateTime<Utc>,
        tried: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "UPDATE outbox SET state = 'pending', send_at = $1, attempts = attempts + $2, reason = $3, updated_at = $4
                  WHERE id = $5",
            )
            .bind(stamp(send_at))
            .bind(tried)
            .bind(reason)
            .bind(stamp(now))
            .bind(id)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Drops the pending reminders of an event (before they are planned anew).
    pub async fn drop_pending_reminders(&self, event: EventId) -> StoreResult<u64> {
        on_db!(&self.db, |pool| {
            let done =
                sqlx::query("DELETE FROM outbox WHERE event_id = $1 AND state = 'pending' AND kind LIKE 'reminder:%'")
                    .bind(event.0)
                    .execute(pool)
                    .await?;
            Ok(done.rows_affected())
        })
    }

    /// Skips every pending row of an event, or of one chat of it.
    pub async fn skip_pending(
        &self,
        event: EventId,
        chat: Option<ChatId>,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        on_db!(&self.db, |pool| {
            let done = sqlx::query(
                "UPDATE outbox SET state = 'skipped', reason = $1, updated_at = $2
                  WHERE event_id = $3 AND state = 'pending' AND ($4 IS NULL OR chat_id = $4)",
            )
            .bind(reason)
            .bind(stamp(now))
            .bind(event.0)
            .bind(chat.map(|c| c.0))
            .execute(pool)
            .await?;
            Ok(done.rows_affected())
        })
    }

    /// The invitation messages of an event that reached their chats: these are edited on changes.
    pub async fn sent_invitations(&self, event: EventId) -> StoreResult<Vec<(ChatId, MessageId)>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<(i64, i32)> = sqlx::query_as(
                "SELECT chat_id, message_id FROM outbox
                  WHERE event_id = $1 AND kind = 'invitation' AND state = 'sent' AND message_id IS NOT NULL",
            )
            .bind(event.0)
            .fetch_all(pool)
            .await?;
            Ok(rows.into_iter().map(|(chat, message)| (ChatId(chat), MessageId(message))).collect())
        })
    }

    pub async fn invitation_message(&self, event: EventId, chat: ChatId) -> StoreResult<Option<MessageId>> {
        on_db!(&self.db, |pool| {
            let id: Option<Option<i32>> = sqlx::query_scalar(
                "SELECT message_id FROM outbox WHERE event_id = $1 AND chat_id = $2 AND kind = 'invitation' AND state = 'sent'",
            )
            .bind(event.0)
            .bind(chat.0)
            .fetch_optional(pool)
            .await?;
            Ok(id.flatten().map(MessageId))
        })
    }

    pub async fn counts(&self, event: EventId) -> StoreResult<Counts> {
        on_db!(&self.db, |pool| {
            let (sent, pending, failed, skipped): (i64, i64, i64, i64) = sqlx::query_as(
                "SELECT COUNT(*) FILTER (WHERE state = 'sent'), COUNT(*) FILTER (WHERE state IN ('pending', 'sending')),
                        COUNT(*) FILTER (WHERE state = 'failed'), COUNT(*) FILTER (WHERE state = 'skipped')
                   FROM outbox WHERE event_id = $1 AND kind NOT LIKE 'card:%'",
            )
            .bind(event.0)
            .fetch_one(pool)
            .await?;
            Ok(Counts { sent, pending, failed, skipped })
        })
    }

    /// Chats whose invitation failed, with the reason: the "who did not get it" list.
    pub async fn undelivered_invitations(&self, event: EventId) -> StoreResult<Vec<(ChatId, String)>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<(i64, Option<String>)> = sqlx::query_as(
                "SELECT chat_id, reason FROM outbox
                  WHERE event_id = $1 AND kind = 'invitation' AND state IN ('failed', 'skipped') ORDER BY chat_id",
            )
            .bind(event.0)
            .fetch_all(pool)
            .await?;
            Ok(rows.into_iter().map(|(chat, reason)| (ChatId(chat), reason.unwrap_or_default())).collect())
        })
    }

    /// A group became a supergroup: its rows follow it to the new id.
    pub async fn move_chat(&self, from: ChatId, to: ChatId) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            let mut tx = super::begin_write(pool).await?;
            // A row the new chat has already (same event and kind) stays with the old one.
            sqlx::query(
                "UPDATE outbox SET chat_id = $1 WHERE chat_id = $2
                    AND NOT EXISTS (SELECT 1 FROM outbox o
                                     WHERE o.chat_id = $1 AND o.event_id = outbox.event_id AND o.kind = outbox.kind)",
            )
            .bind(to.0)
            .bind(from.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE group_chats SET chat_id = $1 WHERE chat_id = $2")
                .bind(to.0)
                .bind(from.0)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Whether messages can reach a chat: people who blocked the bot and group chats it was
    /// removed from are inactive.
    pub async fn chat_is_active(&self, chat: ChatId) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let sql = if chat.is_user() {
                "SELECT active FROM users WHERE id = $1"
            } else {
                "SELECT active FROM group_chats WHERE chat_id = $1"
            };
            let active: Option<bool> = sqlx::query_scalar(sql).bind(chat.0).fetch_optional(pool).await?;
            Ok(active.unwrap_or(true))
        })
    }

    pub async fn mark_chat_inactive(&self, chat: ChatId) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            let sql = if chat.is_user() {
                "UPDATE users SET active = FALSE WHERE id = $1"
            } else {
                "UPDATE group_chats SET active = FALSE WHERE chat_id = $1"
            };
            sqlx::query(sql).bind(chat.0).execute(pool).await?;
            Ok(())
        })
    }

    /// The reminders of an event that reached `chat` (every chat when None): whom, which, when due.
    pub async fn sent_reminders(
        &self,
        event: EventId,
        chat: Option<ChatId>,
    ) -> StoreResult<Vec<(ChatId, ReminderOffset, DateTime<Utc>)>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT chat_id, kind, due_at FROM outbox
                  WHERE event_id = $1 AND state = 'sent' AND kind LIKE 'reminder:%' AND ($2 IS NULL OR chat_id = $2)",
            )
            .bind(event.0)
            .bind(chat.map(|c| c.0))
            .fetch_all(pool)
            .await?;
            let mut sent = Vec::with_capacity(rows.len());
            for (chat, kind, due_at) in rows {
                if let Kind::Reminder { offset, .. } = kind.parse()? {
                    sent.push((ChatId(chat), offset, parse_stamp(&due_at)?));
                }
            }
            Ok(sent)
        })
    }

    pub async fn rows_of_event(&self, event: EventId) -> StoreResult<Vec<Row>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<RawRow> =
                sqlx::query_as(&format!("SELECT {COLUMNS} FROM outbox WHERE event_id = $1 ORDER BY id"))
                    .bind(event.0)
                    .fetch_all(pool)
                    .await?;
            rows.into_iter().map(Row::try_from).collect()
        })
    }
}

/// Queues the invitation of a chat that joins right now, already `sending` and so taken by
/// whoever joins it: no scheduler can send it before the join is answered. None when the chat
/// has an invitation row already. Recovery at start sends it if the taker stopped mid-way.
pub(super) async fn take_new_invitation(
    conn: Conn<'_>,
    claimer: &str,
    event: EventId,
    chat: ChatId,
    now: DateTime<Utc>,
) -> StoreResult<Option<i64>> {
    let sql = conn.pick(
        "INSERT INTO outbox (event_id, chat_id, kind, due_at, send_at, state, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4, 'sending', $4, $4) ON CONFLICT (event_id, chat_id, kind) DO NOTHING
         RETURNING id",
        "INSERT INTO outbox (event_id, chat_id, kind, due_at, send_at, state, created_at, updated_at, claimed_by, lease_until)
         VALUES ($1, $2, $3, $4, $4, 'sending', $4, $4, $5, $6) ON CONFLICT (event_id, chat_id, kind) DO NOTHING
         RETURNING id",
    );
    let id = on_conn!(conn, |c| {
        sqlx::query_scalar(sql)
            .bind(event.0)
            .bind(chat.0)
            .bind(Kind::Invitation.to_string())
            .bind(stamp(now))
            .bind(claimer)
            .bind(stamp(now + CLAIM_LEASE))
            .fetch_optional(c)
            .await
    })?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_stored_form() {
        let kinds = [
            Kind::Invitation,
            Kind::Cancelled,
            Kind::Reminder { offset: ReminderOffset::Hour1, sequence: 3 },
            Kind::Card { sequence: 4 },
            Kind::Changed { sequence: 5 },
            Kind::Nudge { round: 2 },
            Kind::Alert { attempt: 3 },
            Kind::Calendar { sequence: 6 },
            Kind::Attendance,
        ];
        for kind in kinds {
            assert_eq!(kind.to_string().parse::<Kind>().unwrap(), kind);
        }
        assert!("reminder:9y:1".parse::<Kind>().is_err());
        assert!("invitation:1".parse::<Kind>().is_err());
    }
}
