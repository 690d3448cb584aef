//! Series of repeating events.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use sqlx::FromRow;
use teloxide::types::UserId;

use super::invites::parse_stamp;
use super::{Db, StoreError, StoreResult, on_db, stamp};
use crate::domain::recurrence::Recurrence;

#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub id: i64,
    pub owner_id: UserId,
    pub rule: Recurrence,
    pub first_date: NaiveDate,
    pub local_time: NaiveTime,
    pub tz: Tz,
    pub active: bool,
    pub cancelled: bool,
    pub attempts: i64,
    pub retry_at: Option<DateTime<Utc>>,
}

impl Series {
    /// The start of every occurrence, in order.
    pub fn starts(&self) -> Vec<DateTime<Utc>> {
        self.rule.occurrences(self.first_date, self.local_time, self.tz)
    }
}

#[derive(FromRow)]
struct SeriesRow {
    id: i64,
    owner_id: i64,
    rule: String,
    first_date: String,
    local_time: String,
    timezone: String,
    status: String,
    attempts: i64,
    retry_at: Option<String>,
}

impl TryFrom<SeriesRow> for Series {
    type Error = StoreError;

    fn try_from(row: SeriesRow) -> StoreResult<Series> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("series {}: {what}", row.id));
        Ok(Series {
            id: row.id,
            owner_id: UserId(row.owner_id as u64),
            rule: serde_json::from_str(&row.rule).map_err(|_| corrupt("rule"))?,
            first_date: NaiveDate::parse_from_str(&row.first_date, "%Y-%m-%d").map_err(|_| corrupt("first date"))?,
            local_time: NaiveTime::parse_from_str(&row.local_time, "%H:%M").map_err(|_| corrupt("time"))?,
            tz: row.timezone.parse().map_err(|_| corrupt("timezone"))?,
            active: row.status == "active",
            cancelled: row.status == "cancelled",
            attempts: row.attempts,
            retry_at: row.retry_at.as_deref().map(parse_stamp).transpose()?,
        })
    }
}

#[derive(Clone)]
pub struct SeriesStore {
    db: Db,
}

impl SeriesStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub async fn create(
        &self,
        owner: UserId,
        rule: &Recurrence,
        first_date: NaiveDate,
        local_time: NaiveTime,
        tz: Tz,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        on_db!(&self.db, |pool| {
            let id = sqlx::query_scalar(
                "INSERT INTO series (owner_id, rule, first_date, local_time, timezone, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            )
            .bind(owner.0 as i64)
            .bind(serde_json::to_string(rule).map_err(|e| StoreError::Corrupt(e.to_string()))?)
            .bind(first_date.format("%Y-%m-%d").to_string())
            .bind(local_time.format("%H:%M").to_string())
            .bind(tz.name())
            .bind(stamp(now))
            .fetch_one(pool)
            .await?;
            Ok(id)
        })
    }

    pub async fn get(&self, id: i64) -> StoreResult<Option<Series>> {
        on_db!(&self.db, |pool| {
            let row: Option<SeriesRow> =
                sqlx::query_as("SELECT * FROM series WHERE id = $1").bind(id).fetch_optional(pool).await?;
            row.map(Series::try_from).transpose()
        })
    }

    pub async fn active(&self) -> StoreResult<Vec<Series>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<SeriesRow> =
                sqlx::query_as("SELECT * FROM series WHERE status = 'active' ORDER BY id").fetch_all(pool).await?;
            rows.into_iter().map(Series::try_from).collect()
        })
    }

    pub async fn set_status(&self, id: i64, status: &str, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("UPDATE series SET status = $1, updated_at = $2 WHERE id = $3")
                .bind(status)
                .bind(stamp(now))
                .bind(id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Records a failed attempt at the next occurrence's meeting and when to try again.
    pub async fn record_failure(&self, id: i64, retry_at: DateTime<Utc>, now: DateTime<Utc>) -> StoreResult<i64> {
        on_db!(&self.db, |pool| {
            let attempts = sqlx::query_scalar(
                "UPDATE series SET attempts = attempts + 1, retry_at = $1, updated_at = $2 WHERE id = $3 RETURNING attempts",
            )
            .bind(stamp(retry_at))
            .bind(stamp(now))
            .bind(id)
            .fetch_one(pool)
            .await?;
            Ok(attempts)
        })
    }

    pub async fn clear_failures(&self, id: i64) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("UPDATE series SET attempts = 0, retry_at = NULL WHERE id = $1").bind(id).execute(pool).await?;
            Ok(())
        })
    }
}
