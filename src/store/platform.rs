//! The learning platform's API: its tokens (only their SHA-256), the platform's ids of listener
//! groups, the rosters it sent and the people who linked their Telegram account.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use teloxide::types::UserId;

use super::events::Rsvp;
use super::invites::parse_stamp;
use super::outbox::RowState;
use super::{Conn, Db, StoreError, StoreResult, on_conn, on_db, stamp};
use crate::domain::event::{EventId, GroupId};
use crate::domain::group::GroupName;
use crate::domain::platform::Scope;

/// How a listener's invitation to an event fared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    pub state: RowState,
    /// Why it failed or was skipped.
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerFacts {
    pub user: UserId,
    pub platform_user: Option<String>,
    pub rsvp: Option<Rsvp>,
    pub invitation: Option<Invitation>,
}

#[derive(FromRow)]
struct FactsRow {
    user_id: i64,
    external_id: Option<String>,
    rsvp: Option<String>,
    invitation: Option<String>,
    reason: Option<String>,
}

/// A token as the administrators' list shows it; the token itself is never stored.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub scope: Scope,
    /// The administrator who made it: groups the platform creates are theirs.
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(FromRow)]
struct TokenRow {
    id: i64,
    name: String,
    scope: String,
    created_by: i64,
    created_at: String,
    last_used_at: Option<String>,
}

impl TryFrom<TokenRow> for ApiToken {
    type Error = StoreError;

    fn try_from(row: TokenRow) -> StoreResult<ApiToken> {
        Ok(ApiToken {
            id: row.id,
            scope: Scope::from_code(&row.scope).map_err(|_| StoreError::Corrupt(row.scope.clone()))?,
            name: row.name,
            created_by: UserId(row.created_by as u64),
            created_at: parse_stamp(&row.created_at)?,
            last_used_at: row.last_used_at.as_deref().map(parse_stamp).transpose()?,
        })
    }
}

const TOKEN_COLUMNS: &str = "id, name, scope, created_by, created_at, last_used_at";

#[derive(Clone)]
pub struct ApiTokens {
    db: Db,
}

impl ApiTokens {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Saves a token by its hash (`invites::hash_token`); returns its id.
    pub async fn create(
        &self,
        name: &str,
        scope: Scope,
        hash: &str,
        by: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        on_db!(&self.db, |pool| {
            Ok(sqlx::query_scalar(
                "INSERT INTO api_tokens (name, scope, token_hash, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(name)
            .bind(scope.code())
            .bind(hash)
            .bind(by.0 as i64)
            .bind(stamp(now))
            .fetch_one(pool)
            .await?)
        })
    }

    /// The tokens not revoked, newest first.
    pub async fn active(&self) -> StoreResult<Vec<ApiToken>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<TokenRow> = sqlx::query_as(&format!(
                "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE revoked_at IS NULL ORDER BY id DESC"
            ))
            .fetch_all(pool)
            .await?;
            rows.into_iter().map(ApiToken::try_from).collect()
        })
    }

    /// A token not revoked, by id.
    pub async fn get(&self, id: i64) -> StoreResult<Option<ApiToken>> {
        on_db!(&self.db, |pool| {
            let row: Option<TokenRow> =
                sqlx::query_as(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1 AND revoked_at IS NULL"))
                    .bind(id)
                    .fetch_optional(pool)
                    .await?;
            row.map(ApiToken::try_from).transpose()
        })
    }

    /// False when it was already revoked (or never existed).
    pub async fn revoke(&self, id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(stamp(now))
                .bind(id)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// The working token with this hash, its use recorded.
    pub async fn authenticate(&self, hash: &str, now: DateTime<Utc>) -> StoreResult<Option<ApiToken>> {
        on_db!(&self.db, |pool| {
            let row: Option<TokenRow> = sqlx::query_as(&format!(
                "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL
                 RETURNING {TOKEN_COLUMNS}"
            ))
            .bind(stamp(now))
            .bind(hash)
            .fetch_optional(pool)
            .await?;
            row.map(ApiToken::try_from).transpose()
        })
    }
}

/// One person of a roster, as the platform sent them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterEntry {
    pub external_id: String,
    pub name: Option<String>,
    pub organisation: Option<String>,
}

/// A roster entry as it is now: whether the person linked their Telegram account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterMember {
    pub entry: RosterEntry,
    pub user: Option<UserId>,
}

/// Who a change of rosters or links let into a group, and who it dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MembersChanged {
    pub group: Option<GroupId>,
    pub added: Vec<UserId>,
    pub dropped: Vec<UserId>,
}

impl MembersChanged {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.dropped.is_empty()
    }
}

/// What a group PUT did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupPut {
    Created(GroupId),
    Renamed(GroupId),
    Unchanged(GroupId),
}

impl GroupPut {
    pub fn id(self) -> GroupId {
        match self {
            GroupPut::Created(id) | GroupPut::Renamed(id) | GroupPut::Unchanged(id) => id,
        }
    }
}

#[derive(Clone)]
pub struct PlatformStore {
    db: Db,
}

#[derive(FromRow)]
struct MemberRow {
    external_id: String,
    name: Option<String>,
    organisation: Option<String>,
    user_id: Option<i64>,
}

impl PlatformStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// The live group the platform calls `external`, with its name.
    pub async fn group(&self, external: &str) -> StoreResult<Option<(GroupId, String)>> {
        on_db!(&self.db, |pool| {
            let row: Option<(i64, String)> = sqlx::query_as(
                "SELECT g.id, g.name FROM api_groups a JOIN listener_groups g ON g.id = a.group_id
                 WHERE a.external_id = $1 AND g.deleted_at IS NULL",
            )
            .bind(external)
            .fetch_optional(pool)
            .await?;
            Ok(row.map(|(id, name)| (GroupId(id), name)))
        })
    }

    /// Creates the group `external` (owned by `owner`) or renames it. A group deleted in the bot
    /// meanwhile is made anew, since the platform still has it.
    pub async fn put_group(
        &self,
        external: &str,
        name: &GroupName,
        owner: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<GroupPut> {
        on_db!(&self.db, |pool| {
            let mut tx = super::begin_write(pool).await?;
            let found: Option<(i64, String, Option<String>)> = sqlx::query_as(
                "SELECT g.id, g.name, g.deleted_at FROM api_groups a JOIN listener_groups g ON g.id = a.group_id
                 WHERE a.external_id = $1",
            )
            .bind(external)
            .fetch_optional(&mut *tx)
            .await?;
            let put = match found {
                Some((id, current, None)) if current == name.as_str() => GroupPut::Unchanged(GroupId(id)),
                Some((id, _, None)) => {
                    sqlx::query("UPDATE listener_groups SET name = $1 WHERE id = $2")
                        .bind(name.as_str())
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    GroupPut::Renamed(GroupId(id))
                }
                gone => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO listener_groups (owner_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
                    )
                    .bind(owner.0 as i64)
                    .bind(name.as_str())
                    .bind(stamp(now))
                    .fetch_one(&mut *tx)
                    .await?;
                    if gone.is_some() {
                        sqlx::query("DELETE FROM api_roster WHERE group_id IN (SELECT group_id FROM api_groups WHERE external_id = $1)")
                            .bind(external)
                            .execute(&mut *tx)
                            .await?;
                        sqlx::query("DELETE FROM api_groups WHERE external_id = $1")
                            .bind(external)
                            .execute(&mut *tx)
                            .await?;
                    }
                    sqlx::query("INSERT INTO api_groups (external_id, group_id, created_at) VALUES ($1, $2, $3)")
                        .bind(external)
                        .bind(id)
                        .bind(stamp(now))
                        .execute(&mut *tx)
                        .await?;
                    GroupPut::Created(GroupId(id))
                }
            };
            tx.commit().await?;
            Ok(put)
        })
    }

    /// Makes `group`'s roster exactly `roster` and its members the linked people of it: members
    /// not on it are dropped (whoever added them), linked people on it added.
    pub async fn put_roster(
        &self,
        group: GroupId,
        roster: &[RosterEntry],
        now: DateTime<Utc>,
    ) -> StoreResult<MembersChanged> {
        on_db!(&self.db, |pool| {
            let mut tx = super::begin_write(pool).await?;
            for entry in roster {
                sqlx::query(
                    "INSERT INTO platform_users (external_id, name, organisation, updated_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (external_id) DO UPDATE
                     SET name = excluded.name, organisation = excluded.organisation, updated_at = excluded.updated_at
                     WHERE platform_users.name IS DISTINCT FROM excluded.name
                        OR platform_users.organisation IS DISTINCT FROM excluded.organisation",
                )
                .bind(&entry.external_id)
                .bind(&entry.name)
                .bind(&entry.organisation)
                .bind(stamp(now))
                .execute(&mut *tx)
                .await?;
            }
            let listed: Vec<String> = sqlx::query_scalar("SELECT external_id FROM api_roster WHERE group_id = $1")
                .bind(group.get())
                .fetch_all(&mut *tx)
                .await?;
            for gone in listed.iter().filter(|id| !roster.iter().any(|e| &e.external_id == *id)) {
                sqlx::query("DELETE FROM api_roster WHERE group_id = $1 AND external_id = $2")
                    .bind(group.get())
                    .bind(gone)
                    .execute(&mut *tx)
                    .await?;
            }
            for entry in roster.iter().filter(|e| !listed.contains(&e.external_id)) {
                sqlx::query(
                    "INSERT INTO api_roster (group_id, external_id) VALUES ($1, $2) ON CONFLICT (group_id, external_id) DO NOTHING",
                )
                .bind(group.get())
                .bind(&entry.external_id)
                .execute(&mut *tx)
                .await?;
            }
            let changed = follow_roster(Conn::from(&mut *tx), group, now).await?;
            tx.commit().await?;
            Ok(changed)
        })
    }

    /// The groups the platform calls by these ids, in the same order; None for an id it never
    /// PUT (or whose group was deleted).
    pub async fn groups(&self, externals: &[String]) -> StoreResult<Vec<Option<GroupId>>> {
        let mut found = Vec::with_capacity(externals.len());
        for external in externals {
            found.push(self.group(external).await?.map(|(id, _)| id));
        }
        Ok(found)
    }

    /// The event the platform calls `external`.
    pub async fn event(&self, external: &str) -> StoreResult<Option<EventId>> {
        on_db!(&self.db, |pool| {
            let id: Option<i64> = sqlx::query_scalar("SELECT event_id FROM api_events WHERE external_id = $1")
                .bind(external)
                .fetch_optional(pool)
                .await?;
            Ok(id.map(EventId))
        })
    }

    /// What the platform's report says of each listener of event `id` besides attendance: the
    /// platform's id of them, their answer, and how their invitation fared.
    pub async fn listener_facts(&self, id: EventId) -> StoreResult<Vec<ListenerFacts>> {
        let rows: Vec<FactsRow> = on_db!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT people.user_id, pu.external_id, el.rsvp, o.state AS invitation, o.reason
                   FROM (SELECT user_id FROM event_listeners WHERE event_id = $1
                         UNION SELECT chat_id FROM outbox WHERE event_id = $1 AND kind = 'invitation' AND chat_id > 0)
                        AS people
                   LEFT JOIN platform_users pu ON pu.user_id = people.user_id
                   LEFT JOIN event_listeners el ON el.event_id = $1 AND el.user_id = people.user_id
                   LEFT JOIN outbox o ON o.event_id = $1 AND o.chat_id = people.user_id AND o.kind = 'invitation'",
            )
            .bind(id.0)
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter()
            .map(|row| {
                let invitation = match row.invitation.as_deref() {
                    Some(state) => Some(Invitation { state: RowState::parse(state)?, reason: row.reason }),
                    None => None,
                };
                Ok(ListenerFacts {
                    user: UserId(row.user_id as u64),
                    platform_user: row.external_id,
                    rsvp: row.rsvp.as_deref().and_then(Rsvp::parse),
                    invitation,
                })
            })
            .collect()
    }

    /// Records that the platform calls event `id` `external`; false when the id already names
    /// another event (another instance made it a moment ago).
    pub async fn map_event(&self, external: &str, id: EventId, now: DateTime<Utc>) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let done = sqlx::query(
                "INSERT INTO api_events (external_id, event_id, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (external_id) DO NOTHING",
            )
            .bind(external)
            .bind(id.0)
            .bind(stamp(now))
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// The platform's ids of an event's groups (groups it did not make have none).
    pub async fn external_groups_of(&self, id: EventId) -> StoreResult<Vec<String>> {
        on_db!(&self.db, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT a.external_id FROM event_groups eg JOIN api_groups a ON a.group_id = eg.group_id
                 WHERE eg.event_id = $1 ORDER BY a.external_id",
            )
            .bind(id.0)
            .fetch_all(pool)
            .await?)
        })
    }

    /// The roster of `group` in the platform's order of ids, with who linked.
    pub async fn roster(&self, group: GroupId) -> StoreResult<Vec<RosterMember>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<MemberRow> = sqlx::query_as(
                "SELECT p.external_id, p.name, p.organisation, p.user_id
                 FROM api_roster r JOIN platform_users p ON p.external_id = r.external_id
                 WHERE r.group_id = $1 ORDER BY p.external_id",
            )
            .bind(group.get())
            .fetch_all(pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|row| RosterMember {
                    entry: RosterEntry { external_id: row.external_id, name: row.name, organisation: row.organisation },
                    user: row.user_id.map(|id| UserId(id as u64)),
                })
                .collect())
        })
    }

    /// Ties Telegram account `user` to platform user `external` (the latest link wins on both
    /// sides), and brings every group whose roster names either into line. Returns each
    /// group's change.
    pub async fn link(&self, external: &str, user: UserId, now: DateTime<Utc>) -> StoreResult<Vec<MembersChanged>> {
        on_db!(&self.db, |pool| {
            let mut tx = super::begin_write(pool).await?;
            let before: Option<String> =
                sqlx::query_scalar("SELECT external_id FROM platform_users WHERE user_id = $1")
                    .bind(user.0 as i64)
                    .fetch_optional(&mut *tx)
                    .await?;
            sqlx::query(
                "UPDATE platform_users SET user_id = NULL, updated_at = $1 WHERE user_id = $2 AND external_id <> $3",
            )
            .bind(stamp(now))
            .bind(user.0 as i64)
            .bind(external)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO platform_users (external_id, user_id, linked_at, updated_at) VALUES ($1, $2, $3, $3)
                 ON CONFLICT (external_id) DO UPDATE SET user_id = excluded.user_id, linked_at = excluded.linked_at,
                 updated_at = excluded.updated_at",
            )
            .bind(external)
            .bind(user.0 as i64)
            .bind(stamp(now))
            .execute(&mut *tx)
            .await?;
            let groups: Vec<i64> = sqlx::query_scalar(
                "SELECT DISTINCT group_id FROM api_roster WHERE external_id = $1 OR external_id = $2 ORDER BY group_id",
            )
            .bind(external)
            .bind(before.as_deref().unwrap_or(external))
            .fetch_all(&mut *tx)
            .await?;
            let mut changes = Vec::new();
            for group in groups {
                let changed = follow_roster(Conn::from(&mut *tx), GroupId(group), now).await?;
                if !changed.is_empty() {
                    changes.push(changed);
                }
            }
            tx.commit().await?;
            Ok(changes)
        })
    }
}

/// Members of `group` become exactly the linked people of its roster.
async fn follow_roster(mut conn: Conn<'_>, group: GroupId, now: DateTime<Utc>) -> StoreResult<MembersChanged> {
    let wanted: Vec<i64> = on_conn!(conn.reborrow(), |c| {
        sqlx::query_scalar(
            "SELECT p.user_id FROM api_roster r JOIN platform_users p ON p.external_id = r.external_id
             WHERE r.group_id = $1 AND p.user_id IS NOT NULL",
        )
        .bind(group.get())
        .fetch_all(&mut *c)
        .await
    })?;
    let members: Vec<i64> = on_conn!(conn.reborrow(), |c| {
        sqlx::query_scalar("SELECT user_id FROM group_members WHERE group_id = $1")
            .bind(group.get())
            .fetch_all(&mut *c)
            .await
    })?;
    let mut changed = MembersChanged { group: Some(group), ..MembersChanged::default() };
    for gone in members.iter().filter(|m| !wanted.contains(m)) {
        on_conn!(conn.reborrow(), |c| {
            sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
                .bind(group.get())
                .bind(*gone)
                .execute(&mut *c)
                .await
                .map(|done| done.rows_affected())
        })?;
        changed.dropped.push(UserId(*gone as u64));
    }
    for new in wanted.iter().filter(|w| !members.contains(w)) {
        if super::groups::insert_member(conn.reborrow(), group, UserId(*new as u64), now).await? {
            changed.added.push(UserId(*new as u64));
        }
    }
    Ok(changed)
}
