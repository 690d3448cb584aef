//! The learning platform's side of the bot, shared by the HTTP API and `/start`: tokens, groups
//! that follow the platform's rosters, and signed links that tie a Telegram account to a
//! platform user. Membership changes reach the delivery engine here, whichever side made them.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, Utc};
use teloxide::types::{ChatId, UserId};

use crate::clock::SharedClock;
use crate::delivery::Delivery;
use crate::domain::group::GroupName;
use crate::domain::platform::{self, LinkError, Scope};
use crate::store::platform::{ApiToken, ApiTokens, GroupPut, MembersChanged, PlatformStore, RosterEntry};
use crate::store::{Db, Events, Groups, StoreResult, invites};

/// What the key derives the signed links' HMAC key for; changing it voids every link handed out.
pub const LINKS_PURPOSE: &str = "webinar-bot platform links v1";

/// The longest a signed link may work: the platform asks for less.
pub const MAX_LINK_LIFETIME: Duration = Duration::days(30);

#[derive(Clone)]
pub struct PlatformService {
    pub tokens: ApiTokens,
    pub store: PlatformStore,
    groups: Groups,
    events: Events,
    delivery: Delivery,
    clock: SharedClock,
    link_key: Arc<[u8; 32]>,
    /// The bot's @username, known once Telegram answered `getMe`: links need it.
    username: Arc<OnceLock<String>>,
}

impl std::fmt::Debug for PlatformService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The link key is a secret: never in a log line.
        f.debug_struct("PlatformService").finish_non_exhaustive()
    }
}

/// A token just made: the only time its text exists outside the administrator's chat.
pub struct NewToken {
    pub id: i64,
    pub token: String,
}

impl PlatformService {
    pub fn new(db: Db, delivery: Delivery, clock: SharedClock, link_key: [u8; 32]) -> Self {
        Self {
            tokens: ApiTokens::new(db.clone()),
            store: PlatformStore::new(db.clone()),
            groups: Groups::new(db.clone()),
            events: Events::new(db),
            delivery,
            clock,
            link_key: Arc::new(link_key),
            username: Arc::new(OnceLock::new()),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn set_username(&self, username: &str) {
        let _ = self.username.set(username.to_owned());
    }

    pub fn username(&self) -> Option<&str> {
        self.username.get().map(String::as_str)
    }

    /// Makes a token; only its hash is saved.
    pub async fn create_token(&self, name: &str, scope: Scope, by: UserId) -> StoreResult<NewToken> {
        let token = platform::generate_token(&mut rand::rngs::OsRng);
        let id = self.tokens.create(name, scope, &invites::hash_token(&token), by, self.now()).await?;
        Ok(NewToken { id, token })
    }

    /// The working token a request presented, if any.
    pub async fn authenticate(&self, token: &str) -> StoreResult<Option<ApiToken>> {
        if !platform::token_well_formed(token) {
            return Ok(None);
        }
        self.tokens.authenticate(&invites::hash_token(token), self.now()).await
    }

    pub async fn put_group(&self, external: &str, name: &GroupName, owner: UserId) -> StoreResult<GroupPut> {
        self.store.put_group(external, name, owner, self.now()).await
    }

    /// Replaces a group's roster and tells the delivery engine who now listens.
    pub async fn put_roster(
        &self,
        external_group: &str,
        roster: &[RosterEntry],
    ) -> StoreResult<Option<MembersChanged>> {
        let Some((group, _)) = self.store.group(external_group).await? else { return Ok(None) };
        let changed = self.store.put_roster(group, roster, self.now()).await?;
        self.follow(&changed).await?;
        Ok(Some(changed))
    }

    /// The `https://t.me/…?start=…` link for `user`, working for `lifetime`; None while the
    /// bot's username is not known yet (Telegram has not answered since the start).
    pub fn link_for(&self, user: &str, lifetime: Duration) -> Option<(String, DateTime<Utc>)> {
        let username = self.username()?;
        let expires = self.now() + lifetime.min(MAX_LINK_LIFETIME);
        let payload = platform::sign_link(&self.link_key, user, expires);
        Some((format!("https://t.me/{username}?start={payload}"), expires))
    }

    /// Someone opened a signed link: their account is tied to the platform user it names, and
    /// they join the groups whose rosters list them.
    pub async fn open_link(&self, payload: &str, user: UserId) -> Result<String, OpenLinkError> {
        let external = platform::verify_link(&self.link_key, payload, self.now())?;
        let changes = self.store.link(&external, user, self.now()).await?;
        for changed in &changes {
            self.follow(changed).await?;
        }
        Ok(external)
    }

    /// The delivery side of a membership change: the group's upcoming events reach whoever
    /// joined and stop reaching whoever left (unless another group or their own link still
    /// brings them in).
    async fn follow(&self, changed: &MembersChanged) -> StoreResult<()> {
        let Some(group) = changed.group.filter(|_| !changed.is_empty()) else { return Ok(()) };
        let events = self.events.upcoming_for_group(group, self.now()).await?;
        for event in &events {
            for user in &changed.added {
                self.delivery.plan_listener(*event, chat(*user)).await?;
            }
            for user in &changed.dropped {
                if !self.groups.reaches_event(*user, *event).await? {
                    self.delivery.drop_recipient(*event, chat(*user)).await?;
                }
            }
        }
        tracing::info!(
            group = group.get(),
            added = changed.added.len(),
            dropped = changed.dropped.len(),
            "a platform roster changed a group"
        );
        Ok(())
    }
}

fn chat(user: UserId) -> ChatId {
    ChatId(user.0 as i64)
}

#[derive(Debug, thiserror::Error)]
pub enum OpenLinkError {
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}
