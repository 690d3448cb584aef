//! Attendance (migration 0015): whose personal link a token is, Join presses, the services'
//! matched reports, and when to ask a service for a class's report again.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use teloxide::types::UserId;

use super::invites::parse_stamp;
use super::{Db, StoreError, StoreResult, begin_write, on_db, stamp};
use crate::domain::attendance::{MatchedBy, Presence, Unavailable};
use crate::domain::event::EventId;
use crate::providers::ProviderKind;

#[derive(Clone)]
pub struct AttendanceStore {
    db: Db,
}

/// One row of a class's report: a listener found in it, or a participant nobody matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttendanceRow {
    pub user: Option<UserId>,
    pub matched_by: Option<MatchedBy>,
    /// The name the service reported.
    pub name: String,
    pub email: Option<String>,
    pub presence: Presence,
    pub first_joined: DateTime<Utc>,
    pub last_left: DateTime<Utc>,
    pub stays: u32,
}

/// A listener's presses of the Join redirect for one class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Press {
    pub user: UserId,
    pub first_at: DateTime<Utc>,
    pub presses: u32,
}

/// Where asking a service for a class's report stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FetchState {
    /// Not asked yet, or the report was not ready: asked again at `next_at`.
    Waiting,
    /// A report is stored; it may still be asked for once more while it can grow.
    Ready,
    /// The service will give none (the reason says why).
    Unavailable(Unavailable),
    /// Every attempt failed or found no report: nothing more is asked.
    Failed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fetch {
    pub event: EventId,
    pub state: FetchState,
    pub attempts: u32,
    pub next_at: Option<DateTime<Utc>>,
}

/// A service's kind and whether it has said it gives no reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProviderReports {
    pub kind: ProviderKind,
    pub unavailable: Option<Unavailable>,
}

#[derive(FromRow)]
struct AttendanceRecord {
    user_id: Option<i64>,
    matched_by: Option<String>,
    name: String,
    email: Option<String>,
    minutes: i64,
    first_joined: String,
    last_left: String,
    joined_late: bool,
    left_early: bool,
    stays: i64,
}

impl TryFrom<AttendanceRecord> for AttendanceRow {
    type Error = StoreError;

    fn try_from(r: AttendanceRecord) -> StoreResult<Self> {
        let matched_by = match r.matched_by.as_deref() {
            Some(code) => Some(MatchedBy::from_code(code).ok_or_else(|| StoreError::Corrupt(code.to_owned()))?),
            None => None,
        };
        Ok(AttendanceRow {
            user: r.user_id.map(|id| UserId(id as u64)),
            matched_by,
            name: r.name,
            email: r.email,
            presence: Presence {
                minutes: u32::try_from(r.minutes).unwrap_or(0),
                joined_late: r.joined_late,
                left_early: r.left_early,
            },
            first_joined: parse_stamp(&r.first_joined)?,
            last_left: parse_stamp(&r.last_left)?,
            stays: u32::try_from(r.stays).unwrap_or(0),
        })
    }
}

#[derive(FromRow)]
struct FetchRecord {
    event_id: i64,
    state: String,
    attempts: i64,
    next_at: Option<String>,
    reason: Option<String>,
}

impl TryFrom<FetchRecord> for Fetch {
    type Error = StoreError;

    fn try_from(r: FetchRecord) -> StoreResult<Self> {
        let corrupt = || StoreError::Corrupt(format!("attendance fetch {}: {}", r.event_id, r.state));
        let state = match r.state.as_str() {
            "waiting" => FetchState::Waiting,
            "ready" => FetchState::Ready,
            "failed" => FetchState::Failed,
            "unavailable" => {
                FetchState::Unavailable(r.reason.as_deref().and_then(Unavailable::from_code).ok_or_else(corrupt)?)
            }
            _ => return Err(corrupt()),
        };
        Ok(Fetch {
            event: EventId(r.event_id),
            state,
            attempts: u32::try_from(r.attempts).unwrap_or(0),
            next_at: r.next_at.as_deref().map(parse_stamp).transpose()?,
        })
    }
}

fn state_columns(state: FetchState) -> (&'static str, Option<&'static str>) {
    match state {
        FetchState::Waiting => ("waiting", None),
        FetchState::Ready => ("ready", None),
        FetchState::Failed => ("failed", None),
        FetchState::Unavailable(why) => ("unavailable", Some(why.code())),
    }
}

impl AttendanceStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    // ---- personal links and presses ----

    /// Records whose link a token is (by its hash); a link made before is kept as it was.
    pub async fn remember_link(
        &self,
        token_hash: &str,
        event: EventId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "INSERT INTO join_links (token_hash, event_id, user_id, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
            )
            .bind(token_hash)
            .bind(event.0)
            .bind(user.0 as i64)
            .bind(stamp(now))
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Whose link, for which class, a token's hash names.
    pub async fn link_owner(&self, token_hash: &str) -> StoreResult<Option<(EventId, UserId)>> {
        on_db!(&self.db, |pool| {
            let row: Option<(i64, i64)> =
                sqlx::query_as("SELECT event_id, user_id FROM join_links WHERE token_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(pool)
                    .await?;
            Ok(row.map(|(event, user)| (EventId(event), UserId(user as u64))))
        })
    }

    /// Whether any listener of the class was given the Join redirect: only then do its presses
    /// say anything.
    pub async fn redirect_handed_out(&self, event: EventId) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM join_links WHERE event_id = $1 LIMIT 1")
                .bind(event.0)
                .fetch_optional(pool)
                .await?;
            Ok(found.is_some())
        })
    }

    /// Counts a press of the Join redirect.
    pub async fn record_press(&self, event: EventId, user: UserId, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "INSERT INTO join_presses (event_id, user_id, first_at, last_at, presses) VALUES ($1, $2, $3, $3, 1)
                 ON CONFLICT (event_id, user_id)
                 DO UPDATE SET last_at = excluded.last_at, presses = join_presses.presses + 1",
            )
            .bind(event.0)
            .bind(user.0 as i64)
            .bind(stamp(now))
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    pub async fn presses(&self, event: EventId) -> StoreResult<Vec<Press>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<(i64, String, i64)> = sqlx::query_as(
                "SELECT user_id, first_at, presses FROM join_presses WHERE event_id = $1 ORDER BY user_id",
            )
            .bind(event.0)
            .fetch_all(pool)
            .await?;
            rows.into_iter()
                .map(|(user, first_at, presses)| {
                    Ok(Press {
                        user: UserId(user as u64),
                        first_at: parse_stamp(&first_at)?,
                        presses: u32::try_from(presses).unwrap_or(u32::MAX),
                    })
                })
                .collect()
        })
    }

    // ---- reports ----

    /// Replaces a class's report with what the service said now: a later report is the fuller one.
    pub async fn replace_report(&self, event: EventId, rows: &[AttendanceRow]) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            let mut tx = begin_write(pool).await?;
            sqlx::query("DELETE FROM attendance WHERE event_id = $1").bind(event.0).execute(&mut *tx).await?;
            for row in rows {
                sqlx::query(
                    "INSERT INTO attendance (event_id, user_id, matched_by, name, email, minutes, first_joined,
                                             last_left, joined_late, left_early, stays)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(event.0)
                .bind(row.user.map(|u| u.0 as i64))
                .bind(row.matched_by.map(MatchedBy::code))
                .bind(&row.name)
                .bind(&row.email)
                .bind(i64::from(row.presence.minutes))
                .bind(stamp(row.first_joined))
                .bind(stamp(row.last_left))
                .bind(row.presence.joined_late)
                .bind(row.presence.left_early)
                .bind(i64::from(row.stays))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// A class's report, listeners first, then by name.
    pub async fn report(&self, event: EventId) -> StoreResult<Vec<AttendanceRow>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<AttendanceRecord> = sqlx::query_as(
                "SELECT user_id, matched_by, name, email, minutes, first_joined, last_left, joined_late, left_early, stays
                 FROM attendance WHERE event_id = $1 ORDER BY user_id IS NULL, name, id",
            )
            .bind(event.0)
            .fetch_all(pool)
            .await?;
            rows.into_iter().map(AttendanceRow::try_from).collect()
        })
    }

    // ---- asking the services ----

    /// Starts asking for a class's report at `first_at`, unless that was arranged before.
    pub async fn plan_fetch(
        &self,
        event: EventId,
        state: FetchState,
        first_at: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            let (state, reason) = state_columns(state);
            sqlx::query(
                "INSERT INTO attendance_fetches (event_id, state, attempts, next_at, reason) VALUES ($1, $2, 0, $3, $4)
                 ON CONFLICT DO NOTHING",
            )
            .bind(event.0)
            .bind(state)
            .bind(first_at.map(stamp))
            .bind(reason)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Records what one attempt found and when to ask next (None: never again).
    pub async fn record_fetch(
        &self,
        event: EventId,
        state: FetchState,
        next_at: Option<DateTime<Utc>>,
        error: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            let (state_code, reason) = state_columns(state);
            let fetched = matches!(state, FetchState::Ready).then(|| stamp(now));
            sqlx::query(
                "UPDATE attendance_fetches
                 SET state = $2, attempts = attempts + 1, next_at = $3, reason = COALESCE($4, $5),
                     fetched_at = COALESCE($6, fetched_at)
                 WHERE event_id = $1",
            )
            .bind(event.0)
            .bind(state_code)
            .bind(next_at.map(stamp))
            .bind(reason)
            .bind(error)
            .bind(fetched)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    pub async fn fetch(&self, event: EventId) -> StoreResult<Option<Fetch>> {
        on_db!(&self.db, |pool| {
            let row: Option<FetchRecord> = sqlx::query_as(
                "SELECT event_id, state, attempts, next_at, reason FROM attendance_fetches WHERE event_id = $1",
            )
            .bind(event.0)
            .fetch_optional(pool)
            .await?;
            row.map(Fetch::try_from).transpose()
        })
    }

    /// The fetches due by `now`, oldest first, and when the next one after them is due.
    pub async fn due_fetches(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Fetch>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<FetchRecord> = sqlx::query_as(
                "SELECT event_id, state, attempts, next_at, reason FROM attendance_fetches
                 WHERE next_at IS NOT NULL AND next_at <= $1 ORDER BY next_at LIMIT $2",
            )
            .bind(stamp(now))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            rows.into_iter().map(Fetch::try_from).collect()
        })
    }

    pub async fn next_fetch_at(&self) -> StoreResult<Option<DateTime<Utc>>> {
        on_db!(&self.db, |pool| {
            let next: Option<String> =
                sqlx::query_scalar("SELECT MIN(next_at) FROM attendance_fetches WHERE next_at IS NOT NULL")
                    .fetch_one(pool)
                    .await?;
            next.as_deref().map(parse_stamp).transpose()
        })
    }

    /// Planned classes that started in `since..=now` and have no fetch arranged yet.
    pub async fn started_without_fetch(&self, since: DateTime<Utc>, now: DateTime<Utc>) -> StoreResult<Vec<EventId>> {
        on_db!(&self.db, |pool| {
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT e.id FROM events e
                 WHERE e.status = 'planned' AND e.starts_at >= $1 AND e.starts_at <= $2 AND e.provider_id IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM attendance_fetches f WHERE f.event_id = e.id)
                 ORDER BY e.starts_at",
            )
            .bind(stamp(since))
            .bind(stamp(now))
            .fetch_all(pool)
            .await?;
            Ok(ids.into_iter().map(EventId).collect())
        })
    }

    // ---- what a service can report ----

    pub async fn provider_reports(&self, provider: i64) -> StoreResult<Option<ProviderReports>> {
        on_db!(&self.db, |pool| {
            let row: Option<(String, Option<String>)> =
                sqlx::query_as("SELECT kind, reports_unavailable FROM providers WHERE id = $1")
                    .bind(provider)
                    .fetch_optional(pool)
                    .await?;
            let Some((kind, unavailable)) = row else { return Ok(None) };
            Ok(Some(ProviderReports {
                kind: kind.parse().map_err(|_| StoreError::Corrupt(kind.clone()))?,
                unavailable: unavailable.as_deref().and_then(Unavailable::from_code),
            }))
        })
    }

    /// Marks a service as giving no reports; true the first time, so it is explained once.
    pub async fn mark_reports_unavailable(&self, provider: i64, why: Unavailable) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let done = sqlx::query(
                "UPDATE providers SET reports_unavailable = $2 WHERE id = $1 AND reports_unavailable IS NULL",
            )
            .bind(provider)
            .bind(why.code())
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }
}
