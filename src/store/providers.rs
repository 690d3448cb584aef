//! Registered providers. Their settings (credentials included) are sealed with the AEAD before
//! they touch the database and opened only here; nothing in this module logs them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sqlx::FromRow;
use teloxide::types::{ChatId, UserId};

use super::invites::parse_stamp;
use super::users::User;
use super::{Db, StoreError, StoreResult, on_db, stamp};
use crate::crypto::SecretBox;
use crate::domain::roles::Role;
use crate::providers::jitsi::JitsiSettings;
use crate::providers::{ProviderKind, ProviderSettings, Secret, ServiceSettings};

/// Who may use a provider for events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Visibility {
    /// Every teacher.
    Shared,
    /// Its owner only.
    Private,
    /// The one host it is assigned to (and administrators).
    Host,
}

impl Visibility {
    fn as_str(self) -> &'static str {
        match self {
            Self::Shared => "shared",
            Self::Private => "private",
            Self::Host => "host",
        }
    }

    fn parse(text: &str) -> StoreResult<Self> {
        match text {
            "shared" => Ok(Self::Shared),
            "private" => Ok(Self::Private),
            "host" => Ok(Self::Host),
            other => Err(StoreError::Corrupt(other.to_owned())),
        }
    }
}

/// A provider as lists and cards show it: never its settings.
#[derive(Clone, Debug, PartialEq)]
pub struct ProviderSummary {
    pub id: i64,
    pub kind: ProviderKind,
    pub name: String,
    pub owner_id: UserId,
    pub visibility: Visibility,
    pub host_id: Option<UserId>,
    /// The last four characters of the main secret, if it has one long enough to hint at.
    pub secret_hint: Option<String>,
    pub checked_at: Option<DateTime<Utc>>,
}

/// What registering a provider stores.
pub struct NewProvider<'a> {
    pub name: &'a str,
    pub owner: UserId,
    pub visibility: Visibility,
    pub host: Option<UserId>,
    pub settings: &'a ProviderSettings,
    /// When the credentials were last proven to work.
    pub checked_at: Option<DateTime<Utc>>,
}

/// A planned event that uses a provider.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedUse {
    pub id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct SummaryRow {
    id: i64,
    kind: String,
    name: String,
    owner_id: i64,
    visibility: String,
    host_id: Option<i64>,
    secret_hint: Option<String>,
    checked_at: Option<String>,
}

impl TryFrom<SummaryRow> for ProviderSummary {
    type Error = StoreError;

    fn try_from(row: SummaryRow) -> Result<Self, Self::Error> {
        Ok(ProviderSummary {
            id: row.id,
            kind: row.kind.parse().map_err(|_| StoreError::Corrupt(row.kind.clone()))?,
            name: row.name,
            owner_id: UserId(row.owner_id as u64),
            visibility: Visibility::parse(&row.visibility)?,
            host_id: row.host_id.map(|id| UserId(id as u64)),
            secret_hint: row.secret_hint,
            checked_at: row.checked_at.as_deref().map(parse_stamp).transpose()?,
        })
    }
}

const SUMMARY: &str = "SELECT id, kind, name, owner_id, visibility, host_id, secret_hint, checked_at FROM providers WHERE deleted_at IS NULL";

/// The credential that identifies the account, whose last four characters may be shown.
pub fn main_secret(settings: &ProviderSettings) -> Option<&Secret> {
    match &settings.service {
        ServiceSettings::Telemost(s) => Some(&s.token),
        ServiceSettings::Zoom(s) => Some(&s.client_secret),
        ServiceSettings::Kontur(s) => Some(&s.api_key),
        ServiceSettings::MtsLink(s) => Some(&s.api_key),
        ServiceSettings::Jitsi(_) | ServiceSettings::External => None,
    }
}

fn secret_hint(settings: &ProviderSettings) -> Option<String> {
    main_secret(settings).map(Secret::last4).filter(|hint| !hint.is_empty())
}

/// Binds a sealed value to its row, so it cannot be copied into another provider.
fn provider_aad(id: i64) -> Vec<u8> {
    format!("provider:{id}:settings").into_bytes()
}

fn draft_aad(chat: ChatId) -> Vec<u8> {
    format!("draft:{}", chat.0).into_bytes()
}

#[derive(Clone)]
pub struct Providers {
    db: Db,
    secrets: SecretBox,
}

impl Providers {
    pub fn new(db: Db, secrets: SecretBox) -> Self {
        Self { db, secrets }
    }

    fn seal(&self, settings: &ProviderSettings, aad: &[u8]) -> StoreResult<Vec<u8>> {
        let json = serde_json::to_vec(settings).map_err(|_| StoreError::Corrupt("provider settings".into()))?;
        Ok(self.secrets.seal(&json, aad))
    }

    fn open(&self, sealed: &[u8], aad: &[u8]) -> StoreResult<ProviderSettings> {
        let json = self.secrets.open(sealed, aad).map_err(|err| StoreError::Corrupt(err.to_string()))?;
        serde_json::from_slice(&json).map_err(|_| StoreError::Corrupt("provider settings".into()))
    }

    /// Stores a new provider; its id is known only after the insert, and the sealed settings are
    /// bound to it, so both happen in one transaction.
    pub async fn create(&self, new: &NewProvider<'_>, now: DateTime<Utc>) -> StoreResult<i64> {
        on_db!(&self.db, |pool| {
            let now = stamp(now);
            let mut tx = super::begin_write(pool).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO providers (kind, name, owner_id, visibility, host_id, sealed_settings, secret_hint,
                                        checked_at, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(new.settings.kind().as_str())
            .bind(new.name)
            .bind(new.owner.0 as i64)
            .bind(new.visibility.as_str())
            .bind(new.host.map(|h| h.0 as i64))
            // Sealed below, bound to the id this insert gives.
            .bind(Vec::<u8>::new())
            .bind(secret_hint(new.settings))
            .bind(new.checked_at.map(stamp))
            .bind(&now)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            let sealed = self.seal(new.settings, &provider_aad(id))?;
            sqlx::query("UPDATE providers SET sealed_settings = $1 WHERE id = $2")
                .bind(sealed)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn get(&self, id: i64) -> StoreResult<Option<ProviderSummary>> {
        on_db!(&self.db, |pool| {
            let row: Option<SummaryRow> =
                sqlx::query_as(&format!("{SUMMARY} AND id = $1")).bind(id).fetch_optional(pool).await?;
            row.map(ProviderSummary::try_from).transpose()
        })
    }

    /// Whether the key opens the secrets already stored: the newest sealed settings are tried.
    /// True on a database that holds none yet.
    pub async fn key_opens_stored(&self) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let newest: Option<(i64, Vec<u8>)> = sqlx::query_as(
                "SELECT id, sealed_settings FROM providers WHERE length(sealed_settings) > 0 ORDER BY id DESC LIMIT 1",
            )
            .fetch_optional(pool)
            .await?;
            Ok(newest.is_none_or(|(id, sealed)| self.secrets.open(&sealed, &provider_aad(id)).is_ok()))
        })
    }

    /// The opened settings of a provider that is not deleted.
    pub async fn settings(&self, id: i64) -> StoreResult<Option<ProviderSettings>> {
        on_db!(&self.db, |pool| {
            let sealed: Option<Vec<u8>> =
                sqlx::query_scalar("SELECT sealed_settings FROM providers WHERE id = $1 AND deleted_at IS NULL")
                    .bind(id)
                    .fetch_optional(pool)
                    .await?;
            sealed.map(|sealed| self.open(&sealed, &provider_aad(id))).transpose()
        })
    }

    /// The providers a person may manage: all for an administrator, their own for a teacher.
    pub async fn managed_by(&self, user: &User) -> StoreResult<Vec<ProviderSummary>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<SummaryRow> = match user.role {
                Role::Admin => sqlx::query_as(&format!("{SUMMARY} ORDER BY name, id")).fetch_all(pool).await?,
                Role::Teacher => {
                    sqlx::query_as(&format!("{SUMMARY} AND owner_id = $1 ORDER BY name, id"))
                        .bind(user.id.0 as i64)
                        .fetch_all(pool)
                        .await?
                }
                Role::Listener => Vec::new(),
            };
            rows.into_iter().map(ProviderSummary::try_from).collect()
        })
    }

    /// The providers a person may create events on: administrators all; teachers the shared
    /// ones, their own private ones and those assigned to them as host; listeners none.
    pub async fn usable_by(&self, user: &User) -> StoreResult<Vec<ProviderSummary>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<SummaryRow> = match user.role {
                Role::Admin => sqlx::query_as(&format!("{SUMMARY} ORDER BY name, id")).fetch_all(pool).await?,
                Role::Teacher => {
                    sqlx::query_as(&format!(
                        "{SUMMARY} AND (visibility = 'shared'
                                        OR (visibility = 'private' AND owner_id = $1)
                                        OR (visibility = 'host' AND host_id = $1))
                         ORDER BY name, id"
                    ))
                    .bind(user.id.0 as i64)
                    .fetch_all(pool)
                    .await?
                }
                Role::Listener => Vec::new(),
            };
            rows.into_iter().map(ProviderSummary::try_from).collect()
        })
    }

    /// Whether `user` may create events on provider `id` right now.
    pub async fn is_usable_by(&self, id: i64, user: &User) -> StoreResult<bool> {
        Ok(self.usable_by(user).await?.iter().any(|p| p.id == id))
    }

    pub async fn rename(&self, id: i64, name: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let done =
                sqlx::query("UPDATE providers SET name = $1, updated_at = $2 WHERE id = $3 AND deleted_at IS NULL")
                    .bind(name)
                    .bind(stamp(now))
                    .bind(id)
                    .execute(pool)
                    .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// New credentials (already checked): sealed, with a new hint. A key that gave no reports
    /// may be followed by one that does: the next classes are asked again.
    pub async fn replace_settings(
        &self,
        id: i64,
        settings: &ProviderSettings,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let sealed = self.seal(settings, &provider_aad(id))?;
            let now = stamp(now);
            let done = sqlx::query(
                "UPDATE providers SET sealed_settings = $1, secret_hint = $2, checked_at = $3, updated_at = $4,
                                      reports_unavailable = NULL
                 WHERE id = $5 AND deleted_at IS NULL",
            )
            .bind(sealed)
            .bind(secret_hint(settings))
            .bind(&now)
            .bind(&now)
            .bind(id)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    pub async fn mark_checked(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        on_db!(&self.db, |pool| {
            sqlx::query("UPDATE providers SET checked_at = $1 WHERE id = $2")
                .bind(stamp(now))
                .bind(id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Soft delete: events keep their reference for their history.
    pub async fn delete(&self, id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let done = sqlx::query("UPDATE providers SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL")
                .bind(stamp(now))
                .bind(id)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Planned events on this provider, soonest first.
    pub async fn planned_events(&self, id: i64) -> StoreResult<Vec<PlannedUse>> {
        on_db!(&self.db, |pool| {
            let rows: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT id, title, starts_at FROM events WHERE provider_id = $1 AND status = 'planned' ORDER BY starts_at, id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            rows.into_iter()
                .map(|(id, title, starts_at)| Ok(PlannedUse { id, title, starts_at: parse_stamp(&starts_at)? }))
                .collect()
        })
    }

    /// A fresh install gets one zero-setup provider: a shared Jitsi on meet.jit.si, owned by
    /// `owner`. Only when no provider was ever registered, so deleting it is respected.
    pub async fn ensure_default_jitsi(&self, owner: UserId, name: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        on_db!(&self.db, |pool| {
            let any: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM providers").fetch_one(pool).await?;
            if any > 0 {
                return Ok(false);
            }
            let settings = ProviderSettings::new(ServiceSettings::Jitsi(JitsiSettings::default()));
            let new = NewProvider {
                name,
                owner,
                visibility: Visibility::Shared,
                host: None,
                settings: &settings,
                checked_at: None,
            };
            self.create(&new, now).await?;
            Ok(true)
        })
    }

    /// Seals the settings of a dialogue in progress, so its secrets never sit in the dialogue
    /// table in the clear. Bound to the chat.
    pub fn seal_draft(&self, chat: ChatId, settings: &ProviderSettings) -> StoreResult<String> {
        Ok(URL_SAFE_NO_PAD.encode(self.seal(settings, &draft_aad(chat))?))
    }

    pub fn open_draft(&self, chat: ChatId, sealed: &str) -> StoreResult<ProviderSettings> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed).map_err(|_| StoreError::Corrupt("draft".into()))?;
        self.open(&bytes, &draft_aad(chat))
    }
}
