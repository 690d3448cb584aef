//! Dialogue state on the app's own pool, as JSON, so a half-finished dialogue survives a restart.

use std::collections::HashSet;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use teloxide::dispatching::dialogue::Storage;
use teloxide::types::ChatId;

use super::{Db, on_db, stamp};

#[derive(Debug, thiserror::Error)]
pub enum DialogueStoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("state does not serialize: {0}")]
    Serde(#[from] serde_json::Error),
    #[error("no dialogue for this chat")]
    NotFound,
}

pub struct DbStorage<D> {
    db: Db,
    /// Chats whose stored state no longer reads (after an upgrade) and who are owed an apology.
    unreadable: Mutex<HashSet<ChatId>>,
    state: PhantomData<fn() -> D>,
}

impl<D> DbStorage<D> {
    pub fn new(db: Db) -> Arc<Self> {
        Arc::new(Self { db, unreadable: Mutex::default(), state: PhantomData })
    }

    /// True once for a chat whose state was unreadable and has been reset.
    pub fn take_reset_notice(&self, chat: ChatId) -> bool {
        self.unreadable.lock().unwrap_or_else(|e| e.into_inner()).remove(&chat)
    }

    fn note_unreadable(&self, chat: ChatId) {
        self.unreadable.lock().unwrap_or_else(|e| e.into_inner()).insert(chat);
    }
}

/// Chats in the middle of a dialogue, by state: the variant and its step (`Event.Title`),
/// never the values inside. Idle chats are not counted.
pub async fn states_in_use(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let sql = db.pick(SQLITE_STATES, POSTGRES_STATES);
    on_db!(db, |pool| sqlx::query_as(sql).fetch_all(pool).await)
}

const SQLITE_STATES: &str = r#"SELECT CASE json_type(state)
                    WHEN 'text' THEN json_extract(state, '$')
                    ELSE (SELECT outer_.key || COALESCE('.' || CASE json_type(outer_.value)
                              WHEN 'text' THEN outer_.value
                              WHEN 'object' THEN (SELECT inner_.key FROM json_each(outer_.value) AS inner_ LIMIT 1)
                          END, '')
                          FROM json_each(state) AS outer_ LIMIT 1)
                END AS name, COUNT(*)
           FROM dialogues WHERE json_valid(state) AND state != '"Idle"'
          GROUP BY name ORDER BY name"#;

/// The same on `jsonb`. Only serde writes the column, so every state is valid JSON.
const POSTGRES_STATES: &str = r#"SELECT CASE jsonb_typeof(state)
                    WHEN 'string' THEN state #>> '{}'
                    ELSE (SELECT outer_.key || COALESCE('.' || CASE jsonb_typeof(outer_.value)
                              WHEN 'string' THEN outer_.value #>> '{}'
                              WHEN 'object' THEN (SELECT inner_.key FROM jsonb_each(outer_.value) AS inner_ LIMIT 1)
                          END, '')
                          FROM jsonb_each(state) AS outer_ LIMIT 1)
                END AS name, COUNT(*)
           FROM (SELECT state::jsonb AS state FROM dialogues WHERE state != '"Idle"') AS d
          GROUP BY name ORDER BY name"#;

impl<D> Storage<D> for DbStorage<D>
where
    D: Serialize + DeserializeOwned + Send + 'static,
{
    type Error = DialogueStoreError;

    fn remove_dialogue(self: Arc<Self>, chat: ChatId) -> BoxFuture<'static, Result<(), Self::Error>> {
        Box::pin(async move {
            let done = on_db!(&self.db, |pool| {
                sqlx::query("DELETE FROM dialogues WHERE chat_id = $1")
                    .bind(chat.0)
                    .execute(pool)
                    .await
                    .map(|d| d.rows_affected())
            })?;
            if done == 0 {
                return Err(DialogueStoreError::NotFound);
            }
            Ok(())
        })
    }

    fn update_dialogue(self: Arc<Self>, chat: ChatId, dialogue: D) -> BoxFuture<'static, Result<(), Self::Error>> {
        Box::pin(async move {
            let json = serde_json::to_string(&dialogue)?;
            on_db!(&self.db, |pool| {
                sqlx::query(
                    "INSERT INTO dialogues (chat_id, state, updated_at) VALUES ($1, $2, $3)
                     ON CONFLICT (chat_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
                )
                .bind(chat.0)
                .bind(json)
                .bind(stamp(chrono::Utc::now()))
                .execute(pool)
                .await
                .map(drop)
            })?;
            Ok(())
        })
    }

    fn get_dialogue(self: Arc<Self>, chat: ChatId) -> BoxFuture<'static, Result<Option<D>, Self::Error>> {
        Box::pin(async move {
            let stored: Option<String> = on_db!(&self.db, |pool| {
                sqlx::query_scalar("SELECT state FROM dialogues WHERE chat_id = $1")
                    .bind(chat.0)
                    .fetch_optional(pool)
                    .await
            })?;
            let Some(json) = stored else { return Ok(None) };
            match serde_json::from_str(&json) {
                Ok(state) => Ok(Some(state)),
                Err(err) => {
                    // Never a silent dead end: start over and let the bot apologise.
                    tracing::warn!(chat = chat.0, %err, "stored dialogue state no longer reads; resetting it");
                    on_db!(&self.db, |pool| {
                        sqlx::query("DELETE FROM dialogues WHERE chat_id = $1")
                            .bind(chat.0)
                            .execute(pool)
                            .await
                            .map(drop)
                    })?;
                    self.note_unreadable(chat);
                    Ok(None)
                }
            }
        })
    }
}
