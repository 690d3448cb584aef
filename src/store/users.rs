//! The users table: who people are, their role, language and time zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::FromRow;
use teloxide::types::UserId;

use super::{Conn, Db, StoreError, StoreResult, on_conn, on_db, stamp};
use crate::domain::group::{Email, FullName, Organisation};
use crate::domain::roles::Role;
use crate::i18n::Lang;

#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub id: UserId,
    pub first_name: String,
    pub username: Option<String>,
    pub role: Role,
    pub lang: Lang,
    pub tz: Tz,
    pub active: bool,
}

#[derive(FromRow)]
struct UserRow {
    id: i64,
    first_name: String,
    username: Option<String>,
    role: String,
    language: String,
    timezone: String,
    active: bool,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        Ok(User {
            id: UserId(row.id as u64),
            first_name: row.first_name,
            username: row.username,
            role: row.role.parse().map_err(|_| StoreError::Corrupt(row.role.clone()))?,
            lang: Lang::from_code(&row.language).ok_or_else(|| StoreError::Corrupt(row.language.clone()))?,
            tz: row.timezone.parse().map_err(|_| StoreError::Corrupt(row.timezone.clone()))?,
            active: row.active,
        })
    }
}

/// What a listener told about themselves, beyond their Telegram name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    pub full_name: Option<String>,
    pub organisation: Option<String>,
    pub email: Option<String>,
}

/// What Telegram tells about a person on every update.
pub struct Seen<'a> {
    pub id: UserId,
    pub first_name: &'a str,
    pub last_name: Option<&'a str>,
    pub username: Option<&'a str>,
    pub lang: Lang,
}

const SELECT: &str = "SELECT id, first_name, username, role, language, timezone, active FROM users";

pub(super) async fn change_role(
    conn: Conn<'_>,
    id: UserId,
    from: Role,
    to: Role,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let done = on_conn!(conn, |c| {
        sqlx::query("UPDATE users SET role = $1, updated_at = $2 WHERE id = $3 AND role = $4")
            .bind(to.as_str())
            .bind(stamp(now))
            .bind(id.0 as i64)
            .bind(from.as_str())
            .execute(c)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(done == 1)
}

#[derive(Clone)]
pub struct Users {
    db: Db,
}

impl Users {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Records that a person wrote to the bot: creates them as a listener on first contact, keeps
    /// their name current, follows Telegram's language until they choose one, and marks them active.
    pub async fn touch(&self, seen: &Seen<'_>, default_tz: Tz, now: DateTime<Utc>) -> StoreResult<User> {
        on_db!(&self.db, |pool| {
            let now = stamp(now);
            sqlx::query(
                "INSERT INTO users (id, first_name, last_name, username, language, timezone, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
                 ON CONFLICT (id) DO UPDATE SET
                     first_name = excluded.first_name,
                     last_name = excluded.last_name,
                     username = excluded.username,
                     language = CASE WHEN users.language_chosen THEN users.language ELSE excluded.language END,
                     active = TRUE,
                     updated_at = excluded.updated_at",
            )
            .bind(seen.id.0 as i64)
            .bind(seen.first_name)
            .bind(seen.last_name)
            .bind(seen.username)
            .bind(seen.lang.code())
            .bind(default_tz.name())
            .bind(&now)
            .execute(pool)
            .await?;
            self.get(seen.id).await?.ok_or_else(|| StoreError::Corrupt(format!("user {} vanished", seen.id)))
        })
    }

    pub async fn get(&self, id: UserId) -> StoreResult<Option<User>> {
        on_db!(&self.db, |pool| {
            let row: Option<UserRow> =
                sqlx::query_as(&format!("{SELECT} WHERE id = $1")).bind(id.0 as i64).fetch_optional(pool).await?;
            row.map(User::try_from).transpose()
        })
    }

    pub async fn set_language(&self, id: UserId, lang: Lang) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("UPDATE users SET language = $1, language_chosen = TRUE WHERE id = $2")
                .bind(lang.code())
                .bind(id.0 as i64)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    pub async fn set_timezone(&self, id: UserId, tz: Tz) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("UPDATE users SET timezone = $1 WHERE id = $2")
                .bind(tz.name())
                .bind(id.0 as i64)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    pub async fn set_active(&self, id: UserId, active: bool) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
                .bind(active)
                .bind(id.0 as i64)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Makes exactly the configured people administrators. Someone dropped from `ADMIN_IDS` keeps
    /// no administrator rights: they become a listener, and an administrator can make them a
    /// teacher again.
    pub async fn sync_admins(&self, admins: &[UserId], lang: Lang, tz: Tz, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            let now = stamp(now);
            let mut tx = super::begin_write(pool).await?;
            let ids: Vec<i64> = admins.iter().map(|id| id.0 as i64).collect();
            let list = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".to_owned());
            sqlx::query(self.db.pick(
                "UPDATE users SET role = 'listener', updated_at = $1
                 WHERE role = 'admin' AND id NOT IN (SELECT value FROM json_each($2))",
                "UPDATE users SET role = 'listener', updated_at = $1
                 WHERE role = 'admin' AND id NOT IN (SELECT jsonb_array_elements_text($2::jsonb)::bigint)",
            ))
            .bind(&now)
            .bind(&list)
            .execute(&mut *tx)
            .await?;
            for id in ids {
                sqlx::query(
                    "INSERT INTO users (id, role, language, timezone, created_at, updated_at)
                     VALUES ($1, 'admin', $2, $3, $4, $4)
                     ON CONFLICT (id) DO UPDATE SET role = 'admin', updated_at = excluded.updated_at",
                )
                .bind(id)
                .bind(lang.code())
                .bind(tz.name())
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The full name and organisation a listener gave, for their settings.
    pub async fn profile(&self, id: UserId) -> StoreResult<Profile> {
        on_db!(&self.db, |pool| {
            let row: Option<(Option<String>, Option<String>, Option<String>)> =
                sqlx::query_as("SELECT full_name, organisation, email FROM users WHERE id = $1")
                    .bind(id.0 as i64)
                    .fetch_optional(pool)
                    .await?;
            let (full_name, organisation, email) = row.unwrap_or_default();
            Ok(Profile { full_name, organisation, email })
        })
    }

    pub async fn set_full_name(&self, id: UserId, full_name: &FullName) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("UPDATE users SET full_name = $1 WHERE id = $2")
                .bind(full_name.as_str())
                .bind(id.0 as i64)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    pub async fn set_organisation(&self, id: UserId, organisation: &Organisation) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("UPDATE users SET organisation = $1 WHERE id = $2")
                .bind(organisation.as_str())
                .bind(id.0 as i64)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    pub async fn set_email(&self, id: UserId, email: &Email) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
                .bind(email.as_str())
                .bind(id.0 as i64)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Records that the profile questions were offered; true only the first time, so a person
    /// who skipped them is not asked again on every join.
    pub async fn mark_profile_asked(&self, id: UserId) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let done = sqlx::query("UPDATE users SET profile_asked = TRUE WHERE id = $1 AND profile_asked = FALSE")
                .bind(id.0 as i64)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Makes a listener a teacher (an accepted invitation). False when they are not a listener
    /// (already a teacher or an administrator), so nobody is demoted by a teacher link.
    pub async fn promote_to_teacher(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<bool> {
        self.change_role(id, Role::Listener, Role::Teacher, now).await
    }

    /// Takes teacher rights away. False when the person is not a teacher (administrators come
    /// from `ADMIN_IDS` only and cannot be revoked here).
    pub async fn revoke_teacher(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<bool> {
        self.change_role(id, Role::Teacher, Role::Listener, now).await
    }

    /// Compare-and-set, so two administrators pressing at once cannot both win.
    async fn change_role(&self, id: UserId, from: Role, to: Role, now: DateTime<Utc>) -> StoreResult<bool> {
        on_db!(&self.db, |pool| { change_role(Conn::from(&mut *pool.acquire().await?), id, from, to, now).await })
    }

    /// Everyone with the teacher role, by name.
    pub async fn teachers(&self) -> StoreResult<Vec<User>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<UserRow> =
                sqlx::query_as(&format!("{SELECT} WHERE role = 'teacher' ORDER BY first_name, id"))
                    .fetch_all(pool)
                    .await?;
            rows.into_iter().map(User::try_from).collect()
        })
    }

    /// The first configured administrator who exists, owner of the default provider.
    pub async fn first_admin(&self) -> StoreResult<Option<UserId>> {
        on_db!(&self.db, |pool| {
            let id: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE role = 'admin' ORDER BY id LIMIT 1")
                .fetch_optional(pool)
                .await?;
            Ok(id.map(|id| UserId(id as u64)))
        })
    }
}
