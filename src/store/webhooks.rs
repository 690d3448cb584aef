//! The webhook queue (migration 0016): notices to the learning platform, until it took them.

use chrono::{DateTime, Utc};

use super::invites::parse_stamp;
use super::{Db, StoreResult, on_db, stamp};

#[derive(Clone)]
pub struct WebhookStore {
    db: Db,
}

/// A notice due to be sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub id: i64,
    pub topic: String,
    pub body: String,
    pub attempts: u32,
}

impl WebhookStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Queues a notice, due now.
    pub async fn enqueue(&self, topic: &str, body: &str, now: DateTime<Utc>) -> StoreResult<i64> {
        on_db!(&self.db, |pool| {
            let id = sqlx::query_scalar(
                "INSERT INTO webhook_deliveries (topic, body, created_at, next_at) VALUES ($1, $2, $3, $3) RETURNING id",
            )
            .bind(topic)
            .bind(body)
            .bind(stamp(now))
            .fetch_one(pool)
            .await?;
            Ok(id)
        })
    }

    /// The pending notices due by `now`, oldest first: the platform hears of things in order.
    pub async fn due(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Due>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
                "SELECT id, topic, body, attempts FROM webhook_deliveries
                 WHERE state = 'pending' AND next_at <= $1 ORDER BY next_at, id LIMIT $2",
            )
            .bind(stamp(now))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(id, topic, body, attempts)| Due {
                    id,
                    topic,
                    body,
                    attempts: u32::try_from(attempts).unwrap_or(0),
                })
                .collect())
        })
    }

    pub async fn next_due_at(&self) -> StoreResult<Option<DateTime<Utc>>> {
        on_db!(&self.db, |pool| {
            let next: Option<String> =
                sqlx::query_scalar("SELECT MIN(next_at) FROM webhook_deliveries WHERE state = 'pending'")
                    .fetch_one(pool)
                    .await?;
            next.as_deref().map(parse_stamp).transpose()
        })
    }

    pub async fn delivered(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, next_at = NULL,
                        delivered_at = $2, last_error = NULL WHERE id = $1",
            )
            .bind(id)
            .bind(stamp(now))
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// One more failed attempt: tried again at `next_at`, or given up when None.
    pub async fn failed(&self, id: i64, next_at: Option<DateTime<Utc>>, error: &str) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            let state = if next_at.is_some() { "pending" } else { "failed" };
            sqlx::query(
                "UPDATE webhook_deliveries SET state = $2, attempts = attempts + 1, next_at = $3, last_error = $4
                 WHERE id = $1",
            )
            .bind(id)
            .bind(state)
            .bind(next_at.map(stamp))
            .bind(error)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// (pending, delivered, failed), for a look at the queue.
    pub async fn counts(&self) -> StoreResult<(u64, u64, u64)> {
        on_db!(&self.db, |pool| {
            let (pending, delivered, failed): (i64, i64, i64) = sqlx::query_as(
                "SELECT COUNT(*) FILTER (WHERE state = 'pending'), COUNT(*) FILTER (WHERE state = 'delivered'),
                        COUNT(*) FILTER (WHERE state = 'failed') FROM webhook_deliveries",
            )
            .fetch_one(pool)
            .await?;
            let n = |v: i64| u64::try_from(v).unwrap_or(0);
            Ok((n(pending), n(delivered), n(failed)))
        })
    }
}
