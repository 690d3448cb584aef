//! Invitation codes behind `/start <code>` links: for teachers, listener groups and single events.
//!
//! Only a SHA-256 of each code is stored: a copy of the database (a backup, a leaked file) lets
//! nobody in. The code itself is shown once, when it is made.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use teloxide::types::{ChatId, UserId};

use super::{Conn, Db, StoreError, StoreResult, on_conn, on_db, stamp};
use crate::domain::event::{EventId, GroupId};
use crate::domain::invite::{InviteCode, InviteKind, generate};
use crate::domain::roles::Role;

#[derive(Clone, Debug)]
pub struct Invite {
    /// The row's id: what buttons carry to revoke it (never the code).
    pub id: i64,
    /// The stored hash of the code, the key a use is counted under.
    pub key: String,
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
    id: i64,
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
            id: self.id,
            kind: parse_kind(&self.kind)?,
            expires_at: self.expires_at.as_deref().map(parse_stamp).transpose()?,
            key: self.code,
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

/// What is stored for a code: its SHA-256 in lower-case hex.
pub fn hash_token(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The columns of a row, with its rowid as `id` (PostgreSQL's table has a `rowid` column of its
/// own, so one text serves both).
const COLUMNS: &str = "rowid AS id, code, kind, target_id, created_by, expires_at, max_uses, uses, revoked_at";

/// Counts one use, atomically: false when the code stopped working in the meantime.
async fn use_once(conn: Conn<'_>, key: &str, now: DateTime<Utc>) -> StoreResult<bool> {
    let done = on_conn!(conn, |c| {
        sqlx::query(
            "UPDATE invites SET uses = uses + 1
             WHERE code = $1 AND revoked_at IS NULL
               AND (expires_at IS NULL OR expires_at > $2)
               AND (max_uses IS NULL OR uses < max_uses)",
        )
        .bind(key)
        .bind(stamp(now))
        .execute(c)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(done == 1)
}

/// Makes a new random code and stores its hash; `max_uses: Some(1)` is a one-time link.
async fn insert_code(
    conn: Conn<'_>,
    kind: InviteKind,
    target_id: Option<i64>,
    created_by: UserId,
    expires_at: Option<DateTime<Utc>>,
    max_uses: Option<i64>,
    now: DateTime<Utc>,
) -> StoreResult<InviteCode> {
    let code = generate(kind, &mut rand::rngs::OsRng);
    on_conn!(conn, |c| {
        sqlx::query(
            "INSERT INTO invites (code, kind, target_id, created_by, created_at, expires_at, max_uses, hashed)
             VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE)",
        )
        .bind(hash_token(code.token()))
        .bind(kind_str(kind))
        .bind(target_id)
        .bind(created_by.0 as i64)
        .bind(stamp(now))
        .bind(expires_at.map(stamp))
        .bind(max_uses)
        .execute(c)
        .await
        .map(drop)
    })?;
    Ok(code)
}

/// Codes stored in the clear before they were hashed (their rows say `hashed = FALSE`) are hashed
/// in place; run after the SQL migrations, and a no-op once done.
pub(super) async fn hash_stored_codes(db: &Db) -> StoreResult<u64> {
    on_db!(db, |pool| {
        let mut tx = super::begin_write(pool).await?;
        let clear: Vec<(i64, String)> =
            sqlx::query_as("SELECT rowid, code FROM invites WHERE hashed = FALSE").fetch_all(&mut *tx).await?;
        for (rowid, code) in &clear {
            sqlx::query("UPDATE invites SET code = $1, hashed = TRUE WHERE rowid = $2")
                .bind(hash_token(code))
                .bind(rowid)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(clear.len() as u64)
    })
}

#[derive(Clone)]
pub struct Invites {
    db: Db,
}

impl Invites {
    pub fn new(db: Db) -> Self {
        Self { db }
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
        on_db!(&self.db, |pool| {
            let mut conn = pool.acquire().await?;
            insert_code(Conn::from(&mut *conn), kind, target_id, created_by, expires_at, max_uses, now).await
        })
    }

    /// Looks a code up without using it.
    pub async fn open(&self, code: &InviteCode, now: DateTime<Utc>) -> StoreResult<InviteLookup> {
        on_db!(&self.db, |pool| {
            let row: Option<InviteRow> =
                sqlx::query_as(&format!("SELECT {COLUMNS} FROM invites WHERE code = $1 AND kind = $2"))
                    .bind(hash_token(code.token()))
                    .bind(kind_str(code.kind()))
                    .fetch_optional(pool)
                    .await?;
            match row {
                Some(row) if row.usable(now)? => Ok(InviteLookup::Valid(row.into_invite()?)),
                _ => Ok(InviteLookup::Invalid),
            }
        })
    }

    /// Uses the code and gives what it opens in one transaction, so a use is never counted for
    /// someone who was not let in. Someone already in uses nothing.
    pub async fn redeem(
        &self,
        invite: &Invite,
        what: Redemption,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Redeemed> {
        on_db!(&self.db, |pool| {
            let mut tx = super::begin_write(pool).await?;
            let redeemed = redeem_in(Conn::from(&mut *tx), invite, what, user, now).await?;
            if redeemed == Redeemed::Done {
                tx.commit().await?;
            }
            Ok(redeemed)
        })
    }

    /// An event's link, with its invitation card taken for the joiner in the same transaction:
    /// from the moment they are in the audience, no planning of the event can queue a card that
    /// would overtake the answer to the join. The row id is None when no card is owed (`card`
    /// false: the class has begun) or the chat has an invitation row already (a rejoin).
    pub async fn redeem_event(
        &self,
        invite: &Invite,
        event: EventId,
        user: UserId,
        card: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<(Redeemed, Option<i64>)> {
        on_db!(&self.db, |pool| {
            let mut tx = super::begin_write(pool).await?;
            let redeemed = redeem_in(Conn::from(&mut *tx), invite, Redemption::Event(event), user, now).await?;
            if redeemed != Redeemed::Done {
                return Ok((redeemed, None));
            }
            let taken = match card {
                true => {
                    super::outbox::take_new_invitation(
                        Conn::from(&mut *tx),
                        self.db.claimer(),
                        event,
                        ChatId(user.0 as i64),
                        now,
                    )
                    .await?
                }
                false => None,
            };
            tx.commit().await?;
            Ok((redeemed, taken))
        })
    }

    /// A group's link, with the joiner's invitations to the group's coming classes taken in the
    /// same transaction, as `redeem_event` does for one class: each comes after the answer to
    /// the join, whatever plans those classes meanwhile. The events are those that now reach
    /// the joiner in person (a linked chat hears for its group); the row ids are those taken
    /// (none for a class whose invitation the chat has already).
    pub async fn redeem_group(
        &self,
        invite: &Invite,
        group: GroupId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<(Redeemed, Vec<EventId>, Vec<i64>)> {
        on_db!(&self.db, |pool| {
            let mut tx = super::begin_write(pool).await?;
            let redeemed = redeem_in(Conn::from(&mut *tx), invite, Redemption::Group(group), user, now).await?;
            if redeemed != Redeemed::Done {
                return Ok((redeemed, Vec::new(), Vec::new()));
            }
            let events = super::events::upcoming_reaching(Conn::from(&mut *tx), group, user, now).await?;
            let mut taken = Vec::with_capacity(events.len());
            for &event in &events {
                taken.extend(
                    super::outbox::take_new_invitation(
                        Conn::from(&mut *tx),
                        self.db.claimer(),
                        event,
                        ChatId(user.0 as i64),
                        now,
                    )
                    .await?,
                );
            }
            tx.commit().await?;
            Ok((redeemed, events, taken))
        })
    }

    /// Revokes one code of `kind` by its row id.
    pub async fn revoke(&self, kind: InviteKind, id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let done =
                sqlx::query("UPDATE invites SET revoked_at = $1 WHERE rowid = $2 AND kind = $3 AND revoked_at IS NULL")
                    .bind(stamp(now))
                    .bind(id)
                    .bind(kind_str(kind))
                    .execute(pool)
                    .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Revokes every working code of a group or event.
    pub async fn revoke_for_target(&self, kind: InviteKind, target_id: i64, now: DateTime<Utc>) -> StoreResult<u64> {
        on_db!(&self.db, |pool| {
            let done = sqlx::query(
                "UPDATE invites SET revoked_at = $1 WHERE kind = $2 AND target_id = $3 AND revoked_at IS NULL",
            )
            .bind(stamp(now))
            .bind(kind_str(kind))
            .bind(target_id)
            .execute(pool)
            .await?;
            Ok(done.rows_affected())
        })
    }

    /// Revokes every working code of a group or event and makes a new one, in one transaction:
    /// "new link" never leaves two working, nor none after a failure.
    pub async fn replace(
        &self,
        kind: InviteKind,
        target_id: i64,
        created_by: UserId,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<InviteCode> {
        on_db!(&self.db, |pool| {
            let mut tx = super::begin_write(pool).await?;
            sqlx::query("UPDATE invites SET revoked_at = $1 WHERE kind = $2 AND target_id = $3 AND revoked_at IS NULL")
                .bind(stamp(now))
                .bind(kind_str(kind))
                .bind(target_id)
                .execute(&mut *tx)
                .await?;
            let code =
                insert_code(Conn::from(&mut *tx), kind, Some(target_id), created_by, expires_at, None, now).await?;
            tx.commit().await?;
            Ok(code)
        })
    }

    /// Working codes of a group or event (teacher invites: `target_id` None), newest first.
    pub async fn active(
        &self,
        kind: InviteKind,
        target_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Invite>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<InviteRow> = sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM invites WHERE kind = $1 AND target_id IS NOT DISTINCT FROM $2 AND revoked_at IS NULL
                 ORDER BY created_at DESC, rowid DESC"
            ))
            .bind(kind_str(kind))
            .bind(target_id)
            .fetch_all(pool)
            .await?;
            let mut invites = Vec::new();
            for row in rows {
                if row.usable(now)? {
                    invites.push(row.into_invite()?);
                }
            }
            Ok(invites)
        })
    }
}

/// The checks and writes of a redemption, inside the caller's transaction (committed only on
/// `Done`).
async fn redeem_in(
    mut tx: Conn<'_>,
    invite: &Invite,
    what: Redemption,
    user: UserId,
    now: DateTime<Utc>,
) -> StoreResult<Redeemed> {
    let already = match what {
        Redemption::Group(group) => super::groups::member_exists(tx.reborrow(), group, user).await?,
        Redemption::Event(event) => super::events::is_direct_listener(tx.reborrow(), event, user).await?,
        Redemption::Teacher => false,
    };
    if already {
        return Ok(Redeemed::AlreadyIn);
    }
    if !use_once(tx.reborrow(), &invite.key, now).await? {
        return Ok(Redeemed::Refused);
    }
    let done = match what {
        Redemption::Group(group) => super::groups::insert_member(tx.reborrow(), group, user, now).await?,
        Redemption::Event(event) => {
            super::events::insert_direct_listener(tx.reborrow(), event, user).await?;
            true
        }
        Redemption::Teacher => super::users::change_role(tx, user, Role::Listener, Role::Teacher, now).await?,
    };
    // Someone else made it happen in between (a second press): the use is not counted.
    Ok(if done { Redeemed::Done } else { Redeemed::AlreadyIn })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stored_as_their_sha256() {
        // The SHA-256 of "abc", as every implementation gives it.
        assert_eq!(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_ne!(hash_token("AAAAAAAAAAAAAAAAAAAAAA"), "AAAAAAAAAAAAAAAAAAAAAA");
    }

    #[tokio::test]
    async fn codes_stored_in_the_clear_are_hashed_by_the_migration_and_still_open() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::store::connect(&format!("sqlite://{}", dir.path().join("db.sqlite").display())).await.unwrap();
        crate::store::migrate(&db).await.unwrap();
        let Db::Sqlite(pool) = db.clone() else { unreachable!("a sqlite:// URL") };
        let now = Utc::now();
        sqlx::query(
            "INSERT INTO users (id, first_name, language, timezone, role, created_at, updated_at)
             VALUES (1, 'A', 'ru', 'Europe/Moscow', 'admin', $1, $1)",
        )
        .bind(crate::store::stamp(now))
        .execute(&pool)
        .await
        .unwrap();
        let code = generate(InviteKind::Group, &mut rand::rngs::OsRng);
        // As a release before the hashing wrote it.
        sqlx::query("INSERT INTO invites (code, kind, target_id, created_by, created_at, hashed) VALUES ($1, 'group', 7, 1, $2, 0)")
            .bind(code.token())
            .bind(crate::store::stamp(now))
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(hash_stored_codes(&db).await.unwrap(), 1);
        assert_eq!(hash_stored_codes(&db).await.unwrap(), 0, "once is enough");
        let stored: String = sqlx::query_scalar("SELECT code FROM invites").fetch_one(&pool).await.unwrap();
        assert_eq!(stored, hash_token(code.token()));
        let invites = Invites::new(db);
        assert!(matches!(invites.open(&code, now).await.unwrap(), InviteLookup::Valid(i) if i.target_id == Some(7)));
    }
}
