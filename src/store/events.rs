//! Events, their audience (groups, direct listeners) and RSVP answers.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use teloxide::types::{ChatId, UserId};

use super::invites::parse_stamp;
use super::{Conn, Db, StoreError, StoreResult, on_conn, on_db, stamp};
use crate::domain::event::{EventId, EventStatus, GroupId};
use crate::domain::reminders::ReminderOffset;
use crate::providers::Meeting;

#[derive(Clone, Debug)]
pub struct Event {
    pub id: EventId,
    pub owner_id: UserId,
    pub host_id: Option<UserId>,
    pub host_email: Option<String>,
    pub provider_id: Option<i64>,
    pub title: String,
    pub description: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub duration_min: u32,
    pub tz: Tz,
    pub status: EventStatus,
    pub meeting: Option<Meeting>,
    pub options: serde_json::Value,
    pub reminders: Vec<ReminderOffset>,
    /// The calendar SEQUENCE, raised on every change listeners should see.
    pub sequence: i64,
    pub last_error: Option<String>,
    /// The series this event is an occurrence of, and its number in it.
    pub series: Option<(i64, i64)>,
}

impl Event {
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.starts_at + chrono::Duration::minutes(i64::from(self.duration_min))
    }

    pub fn join_url(&self) -> Option<&str> {
        self.meeting.as_ref().map(|m| m.join_url.as_str()).filter(|u| !u.is_empty())
    }

    pub fn is_planned(&self) -> bool {
        self.status == EventStatus::Planned
    }
}

/// What a new event is made of.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub owner_id: UserId,
    pub host_id: Option<UserId>,
    pub host_email: Option<String>,
    pub provider_id: Option<i64>,
    pub title: String,
    pub description: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub duration_min: u32,
    pub tz: Tz,
    pub status: EventStatus,
    pub meeting: Option<Meeting>,
    pub options: serde_json::Value,
    pub reminders: Vec<ReminderOffset>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rsvp {
    Yes,
    No,
}

impl Rsvp {
    fn as_str(self) -> &'static str {
        match self {
            Rsvp::Yes => "yes",
            Rsvp::No => "no",
        }
    }

    pub(super) fn parse(s: &str) -> Option<Rsvp> {
        match s {
            "yes" => Some(Rsvp::Yes),
            "no" => Some(Rsvp::No),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RsvpCounts {
    pub yes: i64,
    pub no: i64,
    /// Private recipients in the audience (group chats are counted as one each).
    pub audience: i64,
}

/// Where an event's messages go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Recipient {
    /// A listener's private chat (the chat id equals the user id).
    Person(UserId),
    /// A Telegram group chat linked to a listener group: one message for all its members.
    GroupChat(ChatId),
}

impl Recipient {
    pub fn chat_id(self) -> ChatId {
        match self {
            Recipient::Person(user) => ChatId(user.0 as i64),
            Recipient::GroupChat(chat) => chat,
        }
    }
}

#[derive(FromRow)]
struct EventRow {
    id: i64,
    owner_id: i64,
    host_id: Option<i64>,
    host_email: Option<String>,
    provider_id: Option<i64>,
    title: String,
    description: Option<String>,
    starts_at: String,
    duration_min: i64,
    timezone: String,
    status: String,
    meeting: Option<String>,
    options: String,
    reminders: String,
    sequence: i64,
    last_error: Option<String>,
    series_id: Option<i64>,
    occurrence: Option<i64>,
}

impl TryFrom<EventRow> for Event {
    type Error = StoreError;

    fn try_from(row: EventRow) -> StoreResult<Event> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("event {}: {what}", row.id));
        Ok(Event {
            id: EventId(row.id),
            owner_id: UserId(row.owner_id as u64),
            host_id: row.host_id.map(|id| UserId(id as u64)),
            host_email: row.host_email,
            provider_id: row.provider_id,
            title: row.title,
            description: row.description,
            starts_at: parse_stamp(&row.starts_at)?,
            duration_min: u32::try_from(row.duration_min).map_err(|_| corrupt("duration"))?,
            tz: row.timezone.parse().map_err(|_| corrupt("timezone"))?,
            status: row.status.parse().map_err(|_| corrupt("status"))?,
            meeting: row.meeting.as_deref().map(serde_json::from_str).transpose().map_err(|_| corrupt("meeting"))?,
            options: serde_json::from_str(&row.options).map_err(|_| corrupt("options"))?,
            reminders: decode_reminders(&row.reminders).map_err(|_| corrupt("reminders"))?,
            sequence: row.sequence,
            last_error: row.last_error,
            series: row.series_id.zip(row.occurrence),
        })
    }
}

fn encode_reminders(offsets: &[ReminderOffset]) -> String {
    offsets.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(",")
}

fn decode_reminders(text: &str) -> Result<Vec<ReminderOffset>, crate::domain::UnknownCode> {
    text.split(',').filter(|s| !s.is_empty()).map(str::parse).collect()
}

fn meeting_json(meeting: Option<&Meeting>) -> Option<String> {
    meeting.and_then(|m| serde_json::to_string(m).ok())
}

/// An event that has not ended by `$1`, in each backend's date arithmetic.
const SQLITE_NOT_ENDED: &str = "datetime(starts_at, '+' || duration_min || ' minutes') > datetime($1)";
const POSTGRES_NOT_ENDED: &str = "starts_at::timestamptz + duration_min * INTERVAL '1 minute' > $1::timestamptz";
const SQLITE_NOT_ENDED_E: &str = "datetime(e.starts_at, '+' || e.duration_min || ' minutes') > datetime($1)";
const POSTGRES_NOT_ENDED_E: &str = "e.starts_at::timestamptz + e.duration_min * INTERVAL '1 minute' > $1::timestamptz";

const AUDIENCE: &str = "
    SELECT el.user_id AS chat_id, FALSE AS is_group FROM event_listeners el
     WHERE el.event_id = $1 AND el.direct = TRUE AND el.left_at IS NULL
    UNION
    SELECT gm.user_id, FALSE FROM event_groups eg
      JOIN group_members gm ON gm.group_id = eg.group_id
     WHERE eg.event_id = $1
       AND NOT EXISTS (SELECT 1 FROM group_chats gc WHERE gc.group_id = eg.group_id AND gc.active = TRUE)
       AND NOT EXISTS (SELECT 1 FROM event_listeners el
                        WHERE el.event_id = $1 AND el.user_id = gm.user_id AND el.left_at IS NOT NULL)
    UNION
    SELECT gc.chat_id, TRUE FROM event_groups eg
      JOIN group_chats gc ON gc.group_id = eg.group_id AND gc.active = TRUE
     WHERE eg.event_id = $1";

/// The group's classes still ahead that now reach `user` in person (not through a linked chat,
/// not left), inside the caller's transaction: a joiner's invitations to take with the join.
pub(super) async fn upcoming_reaching(
    conn: Conn<'_>,
    group: GroupId,
    user: UserId,
    now: DateTime<Utc>,
) -> StoreResult<Vec<EventId>> {
    on_conn!(conn, |tx| {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT e.id FROM events e JOIN event_groups eg ON eg.event_id = e.id
              WHERE eg.group_id = $1 AND e.status = 'planned' AND e.starts_at > $2 ORDER BY e.starts_at",
        )
        .bind(group.0)
        .bind(stamp(now))
        .fetch_all(&mut *tx)
        .await?;
        let reached = format!("SELECT 1 FROM ({AUDIENCE}) AS audience WHERE chat_id = $2 AND NOT is_group");
        let mut reaching = Vec::with_capacity(ids.len());
        for id in ids {
            let found = sqlx::query(&reached).bind(id).bind(user.0 as i64).fetch_optional(&mut *tx).await?;
            if found.is_some() {
                reaching.push(EventId(id));
            }
        }
        Ok(reaching)
    })
}

pub(super) async fn insert_direct_listener(conn: Conn<'_>, id: EventId, user: UserId) -> StoreResult<()> {
    on_conn!(conn, |c| {
        sqlx::query(
            "INSERT INTO event_listeners (event_id, user_id, direct) VALUES ($1, $2, TRUE)
             ON CONFLICT (event_id, user_id) DO UPDATE SET direct = TRUE, left_at = NULL",
        )
        .bind(id.0)
        .bind(user.0 as i64)
        .execute(c)
        .await
        .map(drop)
    })?;
    Ok(())
}

/// Whether `user` listens to the event by its own link and has not left it.
pub(super) async fn is_direct_listener(conn: Conn<'_>, id: EventId, user: UserId) -> StoreResult<bool> {
    super::pair_exists(
        conn,
        "SELECT 1 FROM event_listeners WHERE event_id = $1 AND user_id = $2 AND direct = TRUE AND left_at IS NULL",
        (id.0, user.0 as i64),
    )
    .await
}

#[derive(Clone)]
pub struct Events {
    db: Db,
}

impl Events {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub async fn insert(&self, new: &NewEvent, now: DateTime<Utc>) -> StoreResult<EventId> {
        on_db!(&self.db, |pool| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO events (owner_id, host_id, host_email, provider_id, title, description, starts_at,
                                     duration_min, timezone, status, meeting, options, reminders, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
            )
            .bind(new.owner_id.0 as i64)
            .bind(new.host_id.map(|h| h.0 as i64))
            .bind(&new.host_email)
            .bind(new.provider_id)
            .bind(&new.title)
            .bind(&new.description)
            .bind(stamp(new.starts_at))
            .bind(i64::from(new.duration_min))
            .bind(new.tz.name())
            .bind(new.status.as_str())
            .bind(meeting_json(new.meeting.as_ref()))
            .bind(new.options.to_string())
            .bind(encode_reminders(&new.reminders))
            .bind(stamp(now))
            .bind(stamp(now))
            .fetch_one(pool)
            .await?;
            Ok(EventId(id))
        })
    }

    /// Makes an event an occurrence of a series.
    pub async fn attach_to_series(&self, id: EventId, series: i64, occurrence: i64) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("UPDATE events SET series_id = $1, occurrence = $2 WHERE id = $3")
                .bind(series)
                .bind(occurrence)
                .bind(id.0)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// The latest occurrence of a series made so far.
    pub async fn latest_occurrence(&self, series: i64) -> StoreResult<Option<Event>> {
        on_db!(&self.db, |pool| {
            let row: Option<EventRow> =
                sqlx::query_as("SELECT * FROM events WHERE series_id = $1 ORDER BY occurrence DESC LIMIT 1")
                    .bind(series)
                    .fetch_optional(pool)
                    .await?;
            row.map(Event::try_from).transpose()
        })
    }

    /// Every occurrence of a series made so far, in the rule's order: the calendar file reads
    /// its exceptions (cancelled) and overrides (moved) from them.
    pub async fn occurrences(&self, series: i64) -> StoreResult<Vec<Event>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<EventRow> = sqlx::query_as("SELECT * FROM events WHERE series_id = $1 ORDER BY occurrence")
                .bind(series)
                .fetch_all(pool)
                .await?;
            rows.into_iter().map(Event::try_from).collect()
        })
    }

    /// Starts of the cancelled occurrences of a series, where they last were.
    pub async fn cancelled_occurrences(&self, series: i64) -> StoreResult<Vec<DateTime<Utc>>> {
        on_db!(&self.db, |pool| {
            let starts: Vec<String> = sqlx::query_scalar(
                "SELECT starts_at FROM events WHERE series_id = $1 AND status = 'cancelled' ORDER BY occurrence",
            )
            .bind(series)
            .fetch_all(pool)
            .await?;
            starts.iter().map(|s| parse_stamp(s)).collect()
        })
    }

    pub async fn get(&self, id: EventId) -> StoreResult<Option<Event>> {
        on_db!(&self.db, |pool| {
            let row: Option<EventRow> =
                sqlx::query_as("SELECT * FROM events WHERE id = $1").bind(id.0).fetch_optional(pool).await?;
            row.map(Event::try_from).transpose()
        })
    }

    /// Moves an event and raises its calendar sequence.
    pub async fn reschedule(
        &self,
        id: EventId,
        starts_at: DateTime<Utc>,
        duration_min: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "UPDATE events SET starts_at = $1, duration_min = $2, sequence = sequence + 1, updated_at = $3 WHERE id = $4",
            )
            .bind(stamp(starts_at))
            .bind(i64::from(duration_min))
            .bind(stamp(now))
            .bind(id.0)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Changes the title and description and raises the calendar sequence.
    pub async fn retitle(
        &self,
        id: EventId,
        title: &str,
        description: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "UPDATE events SET title = $1, description = $2, sequence = sequence + 1, updated_at = $3 WHERE id = $4",
            )
            .bind(title)
            .bind(description)
            .bind(stamp(now))
            .bind(id.0)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    pub async fn set_reminders(
        &self,
        id: EventId,
        reminders: &[ReminderOffset],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("UPDATE events SET reminders = $1, updated_at = $2 WHERE id = $3")
                .bind(encode_reminders(reminders))
                .bind(stamp(now))
                .bind(id.0)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Sets the status (raising the sequence, as a cancellation must) and the last provider error.
    pub async fn set_status(
        &self,
        id: EventId,
        status: EventStatus,
        last_error: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "UPDATE events SET status = $1, last_error = $2, sequence = sequence + 1, updated_at = $3 WHERE id = $4",
            )
            .bind(status.as_str())
            .bind(last_error)
            .bind(stamp(now))
            .bind(id.0)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Records the meeting the service made (or its removal), raising the sequence: the link changed.
    pub async fn set_meeting(&self, id: EventId, meeting: Option<&Meeting>, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("UPDATE events SET meeting = $1, sequence = sequence + 1, updated_at = $2 WHERE id = $3")
                .bind(meeting_json(meeting))
                .bind(stamp(now))
                .bind(id.0)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// The provider made the meeting: the draft becomes planned, in one step.
    pub async fn publish(&self, id: EventId, meeting: &Meeting, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "UPDATE events SET meeting = $1, status = 'planned', last_error = NULL, sequence = sequence + 1,
                                   updated_at = $2 WHERE id = $3",
            )
            .bind(meeting_json(Some(meeting)))
            .bind(stamp(now))
            .bind(id.0)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Deletes a draft that never reached a provider.
    pub async fn delete_draft(&self, id: EventId) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let done =
                sqlx::query("DELETE FROM events WHERE id = $1 AND status = 'draft'").bind(id.0).execute(pool).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    pub async fn groups_of(&self, id: EventId) -> StoreResult<Vec<GroupId>> {
        on_db!(&self.db, |pool| {
            let ids: Vec<i64> =
                sqlx::query_scalar("SELECT group_id FROM event_groups WHERE event_id = $1 ORDER BY group_id")
                    .bind(id.0)
                    .fetch_all(pool)
                    .await?;
            Ok(ids.into_iter().map(GroupId).collect())
        })
    }

    /// Events a teacher manages that have not ended (drafts too), soonest first; all of them for
    /// `None` (administrators).
    pub async fn managed(
        &self,
        by: Option<UserId>,
        now: DateTime<Utc>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<Event>, i64)> {
        on_db!(&self.db, |pool| {
            let filter = format!(
                "status IN ('draft', 'planned') AND {} AND ($2 IS NULL OR owner_id = $2 OR host_id = $2)",
                self.db.pick(SQLITE_NOT_ENDED, POSTGRES_NOT_ENDED)
            );
            let by = by.map(|u| u.0 as i64);
            let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM events WHERE {filter}"))
                .bind(stamp(now))
                .bind(by)
                .fetch_one(pool)
                .await?;
            let rows: Vec<EventRow> = sqlx::query_as(&format!(
                "SELECT * FROM events WHERE {filter} ORDER BY starts_at, id LIMIT $3 OFFSET $4"
            ))
            .bind(stamp(now))
            .bind(by)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let events = rows.into_iter().map(Event::try_from).collect::<StoreResult<Vec<_>>>()?;
            Ok((events, total))
        })
    }

    /// Classes that ended in the last `days`, latest first, for their attendance.
    pub async fn past_managed(
        &self,
        by: Option<UserId>,
        now: DateTime<Utc>,
        days: i64,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<Event>, i64)> {
        on_db!(&self.db, |pool| {
            let filter = format!(
                "status IN ('planned', 'finished') AND NOT ({}) AND starts_at >= $3 AND ($2 IS NULL OR owner_id = $2 OR host_id = $2)",
                self.db.pick(SQLITE_NOT_ENDED, POSTGRES_NOT_ENDED)
            );
            let by = by.map(|u| u.0 as i64);
            let since = stamp(now - chrono::Duration::days(days));
            let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM events WHERE {filter}"))
                .bind(stamp(now))
                .bind(by)
                .bind(&since)
                .fetch_one(pool)
                .await?;
            let rows: Vec<EventRow> = sqlx::query_as(&format!(
                "SELECT * FROM events WHERE {filter} ORDER BY starts_at DESC, id DESC LIMIT $4 OFFSET $5"
            ))
            .bind(stamp(now))
            .bind(by)
            .bind(&since)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let events = rows.into_iter().map(Event::try_from).collect::<StoreResult<Vec<_>>>()?;
            Ok((events, total))
        })
    }

    /// Planned events a listener is invited to that have not ended, soonest first.
    pub async fn upcoming_for_listener(&self, user: UserId, now: DateTime<Utc>) -> StoreResult<Vec<Event>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<EventRow> = sqlx::query_as(&format!(
                "SELECT e.* FROM events e
                  WHERE e.status = 'planned'
                    AND {}
                    AND NOT EXISTS (SELECT 1 FROM event_listeners el
                                     WHERE el.event_id = e.id AND el.user_id = $2 AND el.left_at IS NOT NULL)
                    AND (EXISTS (SELECT 1 FROM event_listeners el WHERE el.event_id = e.id AND el.user_id = $2 AND el.direct = TRUE)
                      OR EXISTS (SELECT 1 FROM event_groups eg JOIN group_members gm ON gm.group_id = eg.group_id
                                  WHERE eg.event_id = e.id AND gm.user_id = $2))
                  ORDER BY e.starts_at LIMIT 20",
                self.db.pick(SQLITE_NOT_ENDED_E, POSTGRES_NOT_ENDED_E)
            ))
            .bind(stamp(now))
            .bind(user.0 as i64)
            .fetch_all(pool)
            .await?;
            rows.into_iter().map(Event::try_from).collect()
        })
    }

    /// Private listeners who have not answered the invitation yet.
    pub async fn without_rsvp(&self, id: EventId) -> StoreResult<Vec<UserId>> {
        let mut silent = Vec::new();
        for recipient in self.audience(id).await? {
            if let Recipient::Person(user) = recipient
                && self.rsvp_of(id, user).await?.is_none()
            {
                silent.push(user);
            }
        }
        Ok(silent)
    }

    pub async fn set_groups(&self, id: EventId, groups: &[GroupId]) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            let mut tx = super::begin_write(pool).await?;
            sqlx::query("DELETE FROM event_groups WHERE event_id = $1").bind(id.0).execute(&mut *tx).await?;
            for group in groups {
                sqlx::query("INSERT INTO event_groups (event_id, group_id) VALUES ($1, $2)")
                    .bind(id.0)
                    .bind(group.0)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Adds a listener by the event's own link (again after leaving, too).
    pub async fn add_direct_listener(&self, id: EventId, user: UserId) -> StoreResult<()> {
        on_db!(&self.db, |pool| { insert_direct_listener(Conn::from(&mut *pool.acquire().await?), id, user).await })
    }

    /// The number of chats an event's messages go to right now.
    pub async fn audience_size(&self, id: EventId) -> StoreResult<usize> {
        on_db!(&self.db, |pool| {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM ({AUDIENCE}) AS audience"))
                .bind(id.0)
                .fetch_one(pool)
                .await?;
            Ok(n as usize)
        })
    }

    /// Listeners who came by an event's own link stay listeners of the next occurrence.
    pub async fn copy_direct_listeners(&self, from: EventId, to: EventId) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "INSERT INTO event_listeners (event_id, user_id, direct)
                 SELECT $1, user_id, TRUE FROM event_listeners WHERE event_id = $2 AND direct = TRUE AND left_at IS NULL
                 ON CONFLICT DO NOTHING",
            )
            .bind(to.0)
            .bind(from.0)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// The chats an event's messages go to right now.
    pub async fn audience(&self, id: EventId) -> StoreResult<Vec<Recipient>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<(i64, bool)> = sqlx::query_as(AUDIENCE).bind(id.0).fetch_all(pool).await?;
            Ok(rows
                .into_iter()
                .map(
                    |(chat, is_group)| {
                        if is_group {
                            Recipient::GroupChat(ChatId(chat))
                        } else {
                            Recipient::Person(UserId(chat as u64))
                        }
                    },
                )
                .collect())
        })
    }

    /// Whether `user` is a listener of the event: by its link or through one of its groups, and not left.
    pub async fn is_listener(&self, id: EventId, user: UserId) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let found = sqlx::query(
                "SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM event_listeners
                                             WHERE event_id = $1 AND user_id = $2 AND left_at IS NOT NULL)
                   AND (EXISTS (SELECT 1 FROM event_listeners WHERE event_id = $1 AND user_id = $2 AND direct = TRUE)
                     OR EXISTS (SELECT 1 FROM event_groups eg JOIN group_members gm ON gm.group_id = eg.group_id
                                 WHERE eg.event_id = $1 AND gm.user_id = $2))",
            )
            .bind(id.0)
            .bind(user.0 as i64)
            .fetch_optional(pool)
            .await?;
            Ok(found.is_some())
        })
    }

    pub async fn set_rsvp(&self, id: EventId, user: UserId, rsvp: Rsvp, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "INSERT INTO event_listeners (event_id, user_id, rsvp, rsvp_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (event_id, user_id) DO UPDATE SET rsvp = excluded.rsvp, rsvp_at = excluded.rsvp_at",
            )
            .bind(id.0)
            .bind(user.0 as i64)
            .bind(rsvp.as_str())
            .bind(stamp(now))
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    pub async fn rsvp_of(&self, id: EventId, user: UserId) -> StoreResult<Option<Rsvp>> {
        on_db!(&self.db, |pool| {
            let answer: Option<Option<String>> =
                sqlx::query_scalar("SELECT rsvp FROM event_listeners WHERE event_id = $1 AND user_id = $2")
                    .bind(id.0)
                    .bind(user.0 as i64)
                    .fetch_optional(pool)
                    .await?;
            Ok(answer.flatten().as_deref().and_then(Rsvp::parse))
        })
    }

    pub async fn rsvp_counts(&self, id: EventId) -> StoreResult<RsvpCounts> {
        on_db!(&self.db, |pool| {
            let (yes, no): (i64, i64) = sqlx::query_as(
                "SELECT COUNT(*) FILTER (WHERE rsvp = 'yes'), COUNT(*) FILTER (WHERE rsvp = 'no')
                   FROM event_listeners WHERE event_id = $1 AND left_at IS NULL",
            )
            .bind(id.0)
            .fetch_one(pool)
            .await?;
            let audience = self.audience(id).await?.len() as i64;
            Ok(RsvpCounts { yes, no, audience })
        })
    }

    /// Planned events of a group that have not started: a new member is invited to these.
    pub async fn upcoming_for_group(&self, group: GroupId, now: DateTime<Utc>) -> StoreResult<Vec<EventId>> {
        on_db!(&self.db, |pool| {
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT e.id FROM events e JOIN event_groups eg ON eg.event_id = e.id
                  WHERE eg.group_id = $1 AND e.status = 'planned' AND e.starts_at > $2 ORDER BY e.starts_at",
            )
            .bind(group.0)
            .bind(stamp(now))
            .fetch_all(pool)
            .await?;
            Ok(ids.into_iter().map(EventId).collect())
        })
    }
}
