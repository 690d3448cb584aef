//! Invitation codes behind `/start <code>` links: for teachers, listener groups and single events.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, SqliteExecutor, SqlitePool};
use teloxide::types::UserId;

use super::{StoreError, StoreResult, stamp};
use crate::domain::event::{EventId, GroupId};
use crate::domain::invite::{InviteCode, InviteKind, generate};
use crate::domain::roles::Role;

#[derive(Clone, Debug)]
pub struct Invite {
    pub token: String,
    pub kind: InviteKind,
    /// The group or event it opens; none for teacher invites.
    pub target_id: Option<i64>,
    pub created_by: UserId,
    pub expires_at: Option<DateTime<Utc>>,
    pub max_uses: Option<i64>,
    pub uses: i64,
}

/// What opening a code finds.
#[derive(Clone, Debug)]
pub enum InviteLookup {
    Valid(Invite),
    /// Unknown, revoked, expired or used up: the person is told only that it does not work.
    Invalid,
}

#[derive(FromRow)]
struct InviteRow {
    code: String,
    kind: String,
    target_id: Option<i64>,
    created_by: i64,
    expires_at: Option<String>,
    max_uses: Option<i64>,
    uses: i64,
    revoked_at: Option<String>,
}

fn kind_str(kind: InviteKind) -> &'static str {
    match kind {
        InviteKind::Teacher => "teacher",
        InviteKind::Group => "group",
        InviteKind::Event => "event",
    }
}

fn parse_kind(kind: &str) -> StoreResult<InviteKind> {
    match kind {
        "teacher" => Ok(InviteKind::Teacher),
        "group" => Ok(InviteKind::Group),
        "event" => Ok(InviteKind::Event),
        other => Err(StoreError::Corrupt(other.to_owned())),
    }
}

pub(crate) fn parse_stamp(text: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).map_err(|_| StoreError::Corrupt(text.to_owned()))
}

impl InviteRow {
    fn usable(&self, now: DateTime<Utc>) -> StoreResult<bool> {
        let expired = match &self.expires_at {
            Some(at) => parse_stamp(at)? <= now,
            None => false,
        };
        let used_up = self.max_uses.is_some_and(|max| self.uses >= max);
        Ok(self.revoked_at.is_none() && !expired && !used_up)
    }

    fn into_invite(self) -> StoreResult<Invite> {
        Ok(Invite {
            kind: parse_kind(&self.kind)?,
            expires_at: self.expires_at.as_deref().map(parse_stamp).transpose()?,
            token: self.code,
            target_id: self.target_id,
            created_by: UserId(self.created_by as u64),
            max_uses: self.max_uses,
            uses: self.uses,
        })
    }
}

/// What a used code gives the person who opened it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Redemption {
    Group(GroupId),
    Event(EventId),
    /// A listener becomes a teacher.
    Teacher,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Redeemed {
    Done,
    /// Nothing to do: already a member, a listener, or no longer a listener to promote.
    AlreadyIn,
    /// The code stopped working (revoked, expired, used up) in the meantime.
    Refused,
}

/// Counts one use, atomically: false when the code stopped working in the meantime.
async fn use_once<'e>(db: impl SqliteExecutor<'e>, token: &str, now: DateTime<Utc>) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE invites SET uses = uses + 1
         WHERE code = ?1 AND revoked_at IS NULL
           AND (expires_at IS NULL OR expires_at > ?2)
           AND (max_uses IS NULL OR uses < max_uses)",
    )
    .bind(token)
    .bind(stamp(now))
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Clone)]
pub struct Invites {
    pool: SqlitePool,
}

impl Invites {
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }

    /// Makes a new random code. `max_uses: Some(1)` is a one-time link.
    pub async fn create(
        &self,
        kind: InviteKind,
        target_id: Option<i64>,
        created_by: UserId,
        expires_at: Option<DateTime<Utc>>,
        max_uses: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<InviteCode> {
        let code = generate(kind, &mut rand::rngs::OsRng);
        sqlx::query(
            "INSERT INTO invites (code, kind, target_id, created_by, created_at, expires_at, max_uses)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(code.token())
        .bind(kind_str(kind))
        .bind(target_id)
        .bind(created_by.0 as i64)
        .bind(stamp(now))
        .bind(expires_at.map(stamp))
        .bind(max_uses)
        .execute(&self.pool)
        .await?;
        Ok(code)
    }

    /// Looks a code up without using it.
    pub async fn open(&self, code: &InviteCode, now: DateTime<Utc>) -> StoreResult<InviteLookup> {
        let row: Option<InviteRow> = sqlx::query_as("SELECT * FROM invites WHERE code = ? AND kind = ?")
            .bind(code.token())
            .bind(kind_str(code.kind()))
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) if row.usable(now)? => Ok(InviteLookup::Valid(row.into_invite()?)),
            _ => Ok(InviteLookup::Invalid),
        }
    }

    /// Uses the code and gives what it opens in one transaction, so a use is never counted for
    /// someone who was not let in. Someone already in uses nothing.
    pub async fn redeem(
        &self,
        token: &str,
        what: Redemption,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Redeemed> {
        let mut tx = super::begin_write(&self.pool).await?;
        let already = match what {
            Redemption::Group(group) => super::groups::member_exists(&mut *tx, group, user).await?,
            Redemption::Event(event) => super::events::is_direct_listener(&mut *tx, event, user).await?,
            Redemption::Teacher => false,
        };
        if already {
            return Ok(Redeemed::AlreadyIn);
        }
        if !use_once(&mut *tx, token, now).await? {
            return Ok(Redeemed::Refused);
        }
        let done = match what {
            Redemption::Group(group) => super::groups::insert_member(&mut *tx, group, user, now).await?,
            Redemption::Event(event) => {
                super::events::insert_direct_listener(&mut *tx, event, user).await?;
                true
            }
            Redemption::Teacher => {
                super::users::change_role(&mut *tx, user, Role::Listener, Role::Teacher, now).await?
            }
        };
        if !done {
            // Someone else made it happen in between (a second press): the use is not counted.
            return Ok(Redeemed::AlreadyIn);
        }
        tx.commit().await?;
        Ok(Redeemed::Done)
    }

    pub async fn revoke(&self, token: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE invites SET revoked_at = ? WHERE code = ? AND revoked_at IS NULL")
            .bind(stamp(now))
            .bind(token)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Revokes every working code of a group or event.
    pub async fn revoke_for_target(&self, kind: InviteKind, target_id: i64, now: DateTime<Utc>) -> StoreResult<u64> {
        let done =
            sqlx::query("UPDATE invites SET revoked_at = ? WHERE kind = ? AND target_id = ? AND revoked_at IS NULL")
                .bind(stamp(now))
                .bind(kind_str(kind))
                .bind(target_id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected())
    }

    /// Working codes of a group or event (teacher invites: `target_id` None), newest first.
    pub async fn active(
        &self,
        kind: InviteKind,
        target_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Invite>> {
        let rows: Vec<InviteRow> = sqlx::query_as(
            "SELECT * FROM invites WHERE kind = ? AND target_id IS ? AND revoked_at IS NULL ORDER BY created_at DESC",
        )
        .bind(kind_str(kind))
        .bind(target_id)
        .fetch_all(&self.pool)
        .await?;
        let mut invites = Vec::new();
        for row in rows {
            if row.usable(now)? {
                invites.push(row.into_invite()?);
            }
        }
        Ok(invites)
    }
}
