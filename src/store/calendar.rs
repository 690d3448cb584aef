//! The calendar copies each chat holds (see migration 0013): who gets a new `.ics` when a class
//! changes, and the SEQUENCE their last copy carried.

use chrono::{DateTime, Utc};
use teloxide::types::ChatId;

use super::{Db, StoreResult, on_db, stamp};
use crate::domain::calendar::CalendarEntry;

#[derive(Clone)]
pub struct CalendarCopies {
    db: Db,
}

fn columns(entry: CalendarEntry) -> (&'static str, i64) {
    match entry {
        CalendarEntry::Event(id) => ("event", id.get()),
        CalendarEntry::Series(id) => ("series", id),
    }
}

impl CalendarCopies {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Records that `chat` got a copy with this sequence; a lower one never replaces a higher.
    pub async fn record(
        &self,
        entry: CalendarEntry,
        chat: ChatId,
        sequence: u32,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            let (kind, id) = columns(entry);
            sqlx::query(
                "INSERT INTO calendar_copies (entry, entry_id, chat_id, sequence, sent_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (entry, entry_id, chat_id)
                 DO UPDATE SET sequence = CASE WHEN excluded.sequence > calendar_copies.sequence
                                          THEN excluded.sequence ELSE calendar_copies.sequence END, sent_at = excluded.sent_at",
            )
            .bind(kind)
            .bind(id)
            .bind(chat.0)
            .bind(i64::from(sequence))
            .bind(stamp(now))
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// The sequence of the last copy `chat` got, if it got one.
    pub async fn last_sequence(&self, entry: CalendarEntry, chat: ChatId) -> StoreResult<Option<u32>> {
        on_db!(&self.db, |pool| {
            let (kind, id) = columns(entry);
            let sequence: Option<i64> = sqlx::query_scalar(
                "SELECT sequence FROM calendar_copies WHERE entry = $1 AND entry_id = $2 AND chat_id = $3",
            )
            .bind(kind)
            .bind(id)
            .bind(chat.0)
            .fetch_optional(pool)
            .await?;
            Ok(sequence.map(|s| u32::try_from(s).unwrap_or(u32::MAX)))
        })
    }

    /// Every chat that holds a copy of the entry.
    pub async fn holders(&self, entry: CalendarEntry) -> StoreResult<Vec<ChatId>> {
        on_db!(&self.db, |pool| {
            let (kind, id) = columns(entry);
            let chats: Vec<i64> = sqlx::query_scalar(
                "SELECT chat_id FROM calendar_copies WHERE entry = $1 AND entry_id = $2 ORDER BY chat_id",
            )
            .bind(kind)
            .bind(id)
            .fetch_all(pool)
            .await?;
            Ok(chats.into_iter().map(ChatId).collect())
        })
    }
}
