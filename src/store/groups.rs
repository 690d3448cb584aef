//! Listener groups, their members and linked group chats; and the listener side of events
//! (joining one event by its own link, leaving it).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sqlx::FromRow;
use teloxide::types::{ChatId, UserId};

use super::invites::parse_stamp;
use super::{Conn, Db, StoreResult, on_conn, on_db, stamp};
use crate::domain::event::{EventId, GroupId};
use crate::domain::group::GroupName;

pub(super) async fn insert_member(conn: Conn<'_>, id: GroupId, user: UserId, now: DateTime<Utc>) -> StoreResult<bool> {
    let done = on_conn!(conn, |c| {
        sqlx::query(
            "INSERT INTO group_members (group_id, user_id, joined_at) VALUES ($1, $2, $3)
             ON CONFLICT (group_id, user_id) DO NOTHING",
        )
        .bind(id.get())
        .bind(user.0 as i64)
        .bind(stamp(now))
        .execute(c)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(done == 1)
}

pub(super) async fn member_exists(conn: Conn<'_>, id: GroupId, user: UserId) -> StoreResult<bool> {
    super::pair_exists(
        conn,
        "SELECT 1 FROM group_members WHERE group_id = $1 AND user_id = $2",
        (id.get(), user.0 as i64),
    )
    .await
}

/// A listener group that has not been deleted.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub id: GroupId,
    pub owner_id: UserId,
    pub name: String,
    pub members: i64,
}

/// One member as the teacher's list shows them.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub user_id: UserId,
    pub first_name: String,
    pub username: Option<String>,
    pub full_name: Option<String>,
    pub organisation: Option<String>,
    pub joined_at: DateTime<Utc>,
    /// False once the person blocked the bot.
    pub active: bool,
}

/// A Telegram group chat linked to a listener group.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkedChat {
    pub chat_id: ChatId,
    pub title: Option<String>,
}

/// An event a person can be a listener of, as far as joining and leaving need it.
#[derive(Clone, Debug, PartialEq)]
pub struct EventBrief {
    pub id: EventId,
    pub title: String,
    /// Planned and not started yet: the delivery engine has invitations to send.
    pub upcoming: bool,
}

/// What `/link` did.
#[derive(Clone, Debug, PartialEq)]
pub enum ChatLink {
    Linked(GroupId),
    /// The code stopped working (used, expired, revoked) in the meantime.
    CodeInvalid,
    /// The chat already belongs to a group of someone else: only they (or an administrator,
    /// from `/groups`) unlink it; the code stays unused.
    TakenBy {
        owner: UserId,
    },
}

/// What opening a one-time chat link code finds.
#[derive(Clone, Debug, PartialEq)]
pub enum ChatCode {
    Valid { group_id: GroupId, created_by: UserId },
    Invalid,
}

#[derive(FromRow)]
struct GroupRow {
    id: i64,
    owner_id: i64,
    name: String,
    members: i64,
}

impl From<GroupRow> for Group {
    fn from(row: GroupRow) -> Self {
        Group { id: GroupId(row.id), owner_id: UserId(row.owner_id as u64), name: row.name, members: row.members }
    }
}

#[derive(FromRow)]
struct MemberRow {
    user_id: i64,
    first_name: String,
    username: Option<String>,
    full_name: Option<String>,
    organisation: Option<String>,
    joined_at: String,
    active: bool,
}

#[derive(FromRow)]
struct EventRow {
    id: i64,
    title: String,
    upcoming: bool,
}

impl From<EventRow> for EventBrief {
    fn from(row: EventRow) -> Self {
        EventBrief { id: EventId(row.id), title: row.title, upcoming: row.upcoming }
    }
}

const GROUP_SELECT: &str = "SELECT g.id, g.owner_id, g.name,
        (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id) AS members
     FROM listener_groups g";

/// How long a code for linking a group chat works: long enough to add the bot to the chat.
pub const CHAT_CODE_LIFETIME: Duration = Duration::hours(24);

#[derive(Clone)]
pub struct Groups {
    db: Db,
}

impl Groups {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub async fn create(&self, owner: UserId, name: &GroupName, now: DateTime<Utc>) -> StoreResult<GroupId> {
        on_db!(&self.db, |pool| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO listener_groups (owner_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(owner.0 as i64)
            .bind(name.as_str())
            .bind(stamp(now))
            .fetch_one(pool)
            .await?;
            Ok(GroupId(id))
        })
    }

    /// The group, unless it was deleted.
    pub async fn get(&self, id: GroupId) -> StoreResult<Option<Group>> {
        on_db!(&self.db, |pool| {
            let row: Option<GroupRow> =
                sqlx::query_as(&format!("{GROUP_SELECT} WHERE g.id = $1 AND g.deleted_at IS NULL"))
                    .bind(id.get())
                    .fetch_optional(pool)
                    .await?;
            Ok(row.map(Group::from))
        })
    }

    /// The groups of `owner`, or every group when `owner` is None (administrators).
    pub async fn list(&self, owner: Option<UserId>) -> StoreResult<Vec<Group>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<GroupRow> = sqlx::query_as(&format!(
                "{GROUP_SELECT} WHERE g.deleted_at IS NULL AND ($1 IS NULL OR g.owner_id = $1) ORDER BY g.name, g.id"
            ))
            .bind(owner.map(|o| o.0 as i64))
            .fetch_all(pool)
            .await?;
            Ok(rows.into_iter().map(Group::from).collect())
        })
    }

    pub async fn rename(&self, id: GroupId, name: &GroupName) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let done = sqlx::query("UPDATE listener_groups SET name = $1 WHERE id = $2 AND deleted_at IS NULL")
                .bind(name.as_str())
                .bind(id.get())
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Deletes softly (events still name the group), and drops its members and chats. Returns the members
    /// it had, whose upcoming invitations the caller may have to withdraw.
    pub async fn delete(&self, id: GroupId, now: DateTime<Utc>) -> StoreResult<Vec<UserId>> {
        on_db!(&self.db, |pool| {
            let mut tx = super::begin_write(pool).await?;
            let members: Vec<i64> = sqlx::query_scalar("SELECT user_id FROM group_members WHERE group_id = $1")
                .bind(id.get())
                .fetch_all(&mut *tx)
                .await?;
            sqlx::query("UPDATE listener_groups SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL")
                .bind(stamp(now))
                .bind(id.get())
                .execute(&mut *tx)
                .await?;
            // A deleted group has no members and no chats, so no event reaches anyone through it.
            sqlx::query("DELETE FROM group_members WHERE group_id = $1").bind(id.get()).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM group_chats WHERE group_id = $1").bind(id.get()).execute(&mut *tx).await?;
            sqlx::query(
                "UPDATE invites SET revoked_at = $1 WHERE kind = 'chat' AND target_id = $2 AND revoked_at IS NULL",
            )
            .bind(stamp(now))
            .bind(id.get())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(members.into_iter().map(|m| UserId(m as u64)).collect())
        })
    }

    /// Adds a member; false when they already were one.
    pub async fn add_member(&self, id: GroupId, user: UserId, now: DateTime<Utc>) -> StoreResult<bool> {
        on_db!(&self.db, |pool| { insert_member(Conn::from(&mut *pool.acquire().await?), id, user, now).await })
    }

    pub async fn remove_member(&self, id: GroupId, user: UserId) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let done = sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
                .bind(id.get())
                .bind(user.0 as i64)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    pub async fn is_member(&self, id: GroupId, user: UserId) -> StoreResult<bool> {
        on_db!(&self.db, |pool| { member_exists(Conn::from(&mut *pool.acquire().await?), id, user).await })
    }

    /// Members in the order they joined.
    pub async fn members(&self, id: GroupId) -> StoreResult<Vec<Member>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<MemberRow> = sqlx::query_as(
                "SELECT u.id AS user_id, u.first_name, u.username, u.full_name, u.organisation, m.joined_at, u.active
                 FROM group_members m JOIN users u ON u.id = m.user_id
                 WHERE m.group_id = $1 ORDER BY m.joined_at, u.id",
            )
            .bind(id.get())
            .fetch_all(pool)
            .await?;
            rows.into_iter()
                .map(|row| {
                    Ok(Member {
                        user_id: UserId(row.user_id as u64),
                        joined_at: parse_stamp(&row.joined_at)?,
                        first_name: row.first_name,
                        username: row.username,
                        full_name: row.full_name,
                        organisation: row.organisation,
                        active: row.active,
                    })
                })
                .collect()
        })
    }

    /// The groups `user` is in, by name.
    pub async fn groups_of(&self, user: UserId) -> StoreResult<Vec<Group>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<GroupRow> = sqlx::query_as(&format!(
                "{GROUP_SELECT} JOIN group_members me ON me.group_id = g.id
                 WHERE me.user_id = $1 AND g.deleted_at IS NULL ORDER BY g.name, g.id"
            ))
            .bind(user.0 as i64)
            .fetch_all(pool)
            .await?;
            Ok(rows.into_iter().map(Group::from).collect())
        })
    }

    /// Whether `user` still reaches `event` through a group of it or by its own link.
    pub async fn reaches_event(&self, user: UserId, event: EventId) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let found = sqlx::query(
                "SELECT 1 FROM event_groups eg
                     JOIN group_members m ON m.group_id = eg.group_id
                     JOIN listener_groups g ON g.id = eg.group_id AND g.deleted_at IS NULL
                 WHERE eg.event_id = $1 AND m.user_id = $2
                 UNION ALL
                 SELECT 1 FROM event_listeners
                 WHERE event_id = $1 AND user_id = $2 AND direct = TRUE AND left_at IS NULL
                 LIMIT 1",
            )
            .bind(event.get())
            .bind(user.0 as i64)
            .fetch_optional(pool)
            .await?;
            Ok(found.is_some())
        })
    }

    // ---- one event by its own link ----

    /// An event that can be joined: a planned one. A draft is not: its teacher has not
    /// published it, and its link must not work before they do.
    pub async fn joinable_event(&self, id: EventId, now: DateTime<Utc>) -> StoreResult<Option<EventBrief>> {
        on_db!(&self.db, |pool| {
            let row: Option<EventRow> = sqlx::query_as(
                "SELECT id, title, (status = 'planned' AND starts_at > $1) AS upcoming
                 FROM events WHERE id = $2 AND status = 'planned'",
            )
            .bind(stamp(now))
            .bind(id.get())
            .fetch_optional(pool)
            .await?;
            Ok(row.map(EventBrief::from))
        })
    }

    /// Events `user` joined by their own links and has not left, still draft or planned.
    pub async fn direct_events(&self, user: UserId, now: DateTime<Utc>) -> StoreResult<Vec<EventBrief>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<EventRow> = sqlx::query_as(
                "SELECT e.id, e.title, (e.status = 'planned' AND e.starts_at > $1) AS upcoming
                 FROM event_listeners l JOIN events e ON e.id = l.event_id
                 WHERE l.user_id = $2 AND l.direct = TRUE AND l.left_at IS NULL AND e.status IN ('draft', 'planned')
                 ORDER BY e.starts_at, e.id",
            )
            .bind(stamp(now))
            .bind(user.0 as i64)
            .fetch_all(pool)
            .await?;
            Ok(rows.into_iter().map(EventBrief::from).collect())
        })
    }

    /// Records that `user` left `event`; false when they were not its direct listener.
    pub async fn leave_event(&self, event: EventId, user: UserId, now: DateTime<Utc>) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let done = sqlx::query(
                "UPDATE event_listeners SET left_at = $1 WHERE event_id = $2 AND user_id = $3 AND direct = TRUE AND left_at IS NULL",
            )
            .bind(stamp(now))
            .bind(event.get())
            .bind(user.0 as i64)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    // ---- group chats ----

    /// A one-time code, valid for a day, that links the chat it is sent in to the group. Kept in
    /// the invites table (kind `chat`) so it is random, expiring and counted like every code.
    pub async fn create_chat_code(&self, id: GroupId, by: UserId, now: DateTime<Utc>) -> StoreResult<String> {
        on_db!(&self.db, |pool| {
            let mut bytes = [0u8; 16];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let code = URL_SAFE_NO_PAD.encode(bytes);
            sqlx::query(
                "INSERT INTO invites (code, kind, target_id, created_by, created_at, expires_at, max_uses, hashed)
                 VALUES ($1, 'chat', $2, $3, $4, $5, 1, TRUE)",
            )
            .bind(super::invites::hash_token(&code))
            .bind(id.get())
            .bind(by.0 as i64)
            .bind(stamp(now))
            .bind(stamp(now + CHAT_CODE_LIFETIME))
            .execute(pool)
            .await?;
            Ok(code)
        })
    }

    /// Looks a chat code up without using it.
    pub async fn open_chat_code(&self, code: &str, now: DateTime<Utc>) -> StoreResult<ChatCode> {
        on_db!(&self.db, |pool| {
            let row: Option<(i64, i64)> = sqlx::query_as(
                "SELECT target_id, created_by FROM invites
                 WHERE code = $1 AND kind = 'chat' AND target_id IS NOT NULL AND revoked_at IS NULL
                   AND (expires_at IS NULL OR expires_at > $2) AND (max_uses IS NULL OR uses < max_uses)",
            )
            .bind(super::invites::hash_token(code))
            .bind(stamp(now))
            .fetch_optional(pool)
            .await?;
            Ok(match row {
                Some((group, by)) => ChatCode::Valid { group_id: GroupId(group), created_by: UserId(by as u64) },
                None => ChatCode::Invalid,
            })
        })
    }

    /// Uses the code and links the chat in one transaction. A chat linked to a group of another
    /// owner is not moved: the code is not used and the owner is named.
    pub async fn link_chat(
        &self,
        code: &str,
        chat: ChatId,
        title: Option<&str>,
        by: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<ChatLink> {
        on_db!(&self.db, |pool| {
            let mut tx = super::begin_write(pool).await?;
            let current: Option<i64> = sqlx::query_scalar(
                "SELECT g.owner_id FROM group_chats c JOIN listener_groups g ON g.id = c.group_id
                 WHERE c.chat_id = $1 AND g.deleted_at IS NULL",
            )
            .bind(chat.0)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(owner) = current.map(|o| UserId(o as u64)).filter(|o| *o != by) {
                return Ok(ChatLink::TakenBy { owner });
            }
            let group: Option<i64> = sqlx::query_scalar(
                "UPDATE invites SET uses = uses + 1
                 WHERE code = $1 AND kind = 'chat' AND revoked_at IS NULL
                   AND (expires_at IS NULL OR expires_at > $2) AND (max_uses IS NULL OR uses < max_uses)
                 RETURNING target_id",
            )
            .bind(super::invites::hash_token(code))
            .bind(stamp(now))
            .fetch_optional(&mut *tx)
            .await?;
            let Some(group) = group else { return Ok(ChatLink::CodeInvalid) };
            sqlx::query(
                "INSERT INTO group_chats (chat_id, group_id, title, linked_by, linked_at, active) VALUES ($1, $2, $3, $4, $5, TRUE)
                 ON CONFLICT (chat_id) DO UPDATE SET group_id = excluded.group_id, title = excluded.title,
                     linked_by = excluded.linked_by, linked_at = excluded.linked_at, active = TRUE",
            )
            .bind(chat.0)
            .bind(group)
            .bind(title)
            .bind(by.0 as i64)
            .bind(stamp(now))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(ChatLink::Linked(GroupId(group)))
        })
    }

    pub async fn chats(&self, id: GroupId) -> StoreResult<Vec<LinkedChat>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<(i64, Option<String>)> = sqlx::query_as(
                "SELECT chat_id, title FROM group_chats WHERE group_id = $1 ORDER BY linked_at, chat_id",
            )
            .bind(id.get())
            .fetch_all(pool)
            .await?;
            Ok(rows.into_iter().map(|(chat, title)| LinkedChat { chat_id: ChatId(chat), title }).collect())
        })
    }

    pub async fn unlink_chat(&self, id: GroupId, chat: ChatId) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let done = sqlx::query("DELETE FROM group_chats WHERE group_id = $1 AND chat_id = $2")
                .bind(id.get())
                .bind(chat.0)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }
}
