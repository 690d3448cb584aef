//! Switches an administrator can turn, kept as key/value text in the `settings` table.

use super::{Db, StoreResult, on_db};

/// Whether teachers may register providers of their own (on unless an administrator turns it off).
const TEACHER_PROVIDERS: &str = "teachers_may_register_providers";

#[derive(Clone)]
pub struct Settings {
    db: Db,
}

impl Settings {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub async fn teachers_may_register_providers(&self) -> StoreResult<bool> {
        Ok(self.get(TEACHER_PROVIDERS).await?.is_none_or(|value| value != "0"))
    }

    pub async fn set_teachers_may_register_providers(&self, allowed: bool) -> StoreResult<()> {
        self.set(TEACHER_PROVIDERS, if allowed { "1" } else { "0" }).await
    }

    async fn get(&self, key: &str) -> StoreResult<Option<String>> {
        on_db!(&self.db, |pool| {
            Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(pool).await?)
        })
    }

    async fn set(&self, key: &str, value: &str) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(pool)
            .await?;
            Ok(())
        })
    }
}
