//! The durable queue of calls to the learning platform's webhook. Rows are written beside the
//! change they report (only for events the platform manages, and only while a webhook is
//! configured) and sent by `crate::webhooks`, which claims each row before calling.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::json;
use teloxide::types::UserId;

use super::invites::parse_stamp;
use super::{Db, Event, Rsvp, StoreResult, on_db, stamp};
use crate::domain::event::EventId;

/// The settings key that says a webhook is configured: written at every start, so a bot
/// started without `API_WEBHOOK_URL` queues nothing that would never be sent.
const ENABLED: &str = "api_webhooks_enabled";

/// One call to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub id: i64,
    pub kind: String,
    pub body: String,
    pub attempts: i64,
}

#[derive(Clone)]
pub struct WebhookQueue {
    db: Db,
}

impl WebhookQueue {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Off is no row at all: a bot that never had a webhook keeps its settings as they were.
    pub async fn set_enabled(&self, enabled: bool) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            match enabled {
                true => sqlx::query(
                    "INSERT INTO settings (key, value) VALUES ($1, '1') ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                ),
                false => sqlx::query("DELETE FROM settings WHERE key = $1"),
            }
            .bind(ENABLED)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Queues `kind` with `data` (a random delivery id and the time are added), if a webhook
    /// is configured. Returns whether a row was written.
    pub async fn enqueue(&self, kind: &str, data: serde_json::Value, now: DateTime<Utc>) -> StoreResult<bool> {
        let body = json!({
            "id": format!("{:032x}", rand::random::<u128>()),
            "type": kind,
            "created_at": now.to_rfc3339_opts(SecondsFormat::Secs, true),
            "data": data,
        })
        .to_string();
        on_db!(&self.db, |pool| {
            let done = sqlx::query(
                "INSERT INTO api_webhooks (kind, body, next_at, created_at)
                 SELECT $1, $2, $3, $3 WHERE EXISTS (SELECT 1 FROM settings WHERE key = $4 AND value = '1')",
            )
            .bind(kind)
            .bind(&body)
            .bind(stamp(now))
            .bind(ENABLED)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// The platform's id of an event it manages: its own, or its series' (the platform named the
    /// first occurrence; the ones after it are the same event to the platform).
    async fn external_id(&self, id: EventId) -> StoreResult<Option<String>> {
        on_db!(&self.db, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT a.external_id FROM api_events a JOIN events first ON first.id = a.event_id
                  WHERE a.event_id = $1
                     OR first.series_id = (SELECT series_id FROM events WHERE id = $1)
                  LIMIT 1",
            )
            .bind(id.0)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Queues `event.created`, `event.changed` or `event.cancelled` for an event the platform
    /// manages; any other event is none of its business.
    pub async fn event(&self, kind: &str, event: &Event, now: DateTime<Utc>) -> StoreResult<bool> {
        self.event_with(kind, event, serde_json::Map::new(), now).await
    }

    /// `event`, with more fields in its data (`attendance.ready`'s counts).
    pub async fn event_with(
        &self,
        kind: &str,
        event: &Event,
        extra: serde_json::Map<String, serde_json::Value>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let Some(external) = self.external_id(event.id).await? else { return Ok(false) };
        let mut data = json!({
            "external_id": external,
            "status": event.status.as_str(),
            "title": event.title,
            "start": event.starts_at.with_timezone(&event.tz).to_rfc3339_opts(SecondsFormat::Secs, false),
            "duration_minutes": event.duration_min,
            "join_url": event.join_url(),
        });
        if let (Some((_, number)), Some(fields)) = (event.series, data.as_object_mut()) {
            fields.insert("occurrence".to_owned(), json!(number + 1));
        }
        if let Some(fields) = data.as_object_mut() {
            fields.extend(extra);
        }
        self.enqueue(kind, data, now).await
    }

    /// Queues `rsvp` for a listener's answer on an event the platform manages.
    pub async fn rsvp(&self, event: EventId, user: UserId, answer: Rsvp, now: DateTime<Utc>) -> StoreResult<bool> {
        let Some(external) = self.external_id(event).await? else { return Ok(false) };
        let platform_user: Option<String> = on_db!(&self.db, |pool| {
            sqlx::query_scalar("SELECT external_id FROM platform_users WHERE user_id = $1")
                .bind(user.0 as i64)
                .fetch_optional(pool)
                .await
        })?;
        let answer = match answer {
            Rsvp::Yes => "yes",
            Rsvp::No => "no",
        };
        let data = json!({ "event_id": external, "user_id": platform_user, "answer": answer });
        self.enqueue("rsvp", data, now).await
    }

    /// Takes the next due call, moving its `next_at` ahead by `lease` so no other sender takes it
    /// meanwhile (a crash mid-call sends it again after the lease: at least once).
    pub async fn claim(&self, now: DateTime<Utc>, lease: Duration) -> StoreResult<Option<Call>> {
        on_db!(&self.db, |pool| {
            let row: Option<(i64, String, String, i64)> = sqlx::query_as(
                "UPDATE api_webhooks SET next_at = $1
                 WHERE id = (SELECT id FROM api_webhooks WHERE state = 'pending' AND next_at <= $2
                             ORDER BY next_at, id LIMIT 1)
                   AND state = 'pending' AND next_at <= $2
                 RETURNING id, kind, body, attempts",
            )
            .bind(stamp(now + lease))
            .bind(stamp(now))
            .fetch_optional(pool)
            .await?;
            Ok(row.map(|(id, kind, body, attempts)| Call { id, kind, body, attempts }))
        })
    }

    pub async fn sent(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("UPDATE api_webhooks SET state = 'sent', attempts = attempts + 1, sent_at = $1 WHERE id = $2")
                .bind(stamp(now))
                .bind(id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// A failed call: again at `next_at`, or never (`None`: given up).
    pub async fn failed(&self, id: i64, error: &str, next_at: Option<DateTime<Utc>>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            let state = if next_at.is_some() { "pending" } else { "failed" };
            sqlx::query(
                "UPDATE api_webhooks SET state = $1, attempts = attempts + 1, last_error = $2,
                 next_at = COALESCE($3, next_at) WHERE id = $4",
            )
            .bind(state)
            .bind(error)
            .bind(next_at.map(stamp))
            .bind(id)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// When the next pending call is due, for the sender's sleep.
    pub async fn next_due(&self) -> StoreResult<Option<DateTime<Utc>>> {
        on_db!(&self.db, |pool| {
            let at: Option<String> =
                sqlx::query_scalar("SELECT MIN(next_at) FROM api_webhooks WHERE state = 'pending'")
                    .fetch_one(pool)
                    .await?;
            at.as_deref().map(parse_stamp).transpose()
        })
    }
}
