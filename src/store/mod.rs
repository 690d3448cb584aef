//! All SQL lives here.

pub mod calendar;
pub mod dialogue;
pub mod events;
pub mod groups;
pub mod invites;
pub mod maintenance;
pub mod outbox;
pub mod providers;
pub mod series;
pub mod settings;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use calendar::CalendarCopies;
pub use dialogue::DbStorage;
pub use events::{Event, Events, NewEvent, Recipient, Rsvp, RsvpCounts};
pub use groups::Groups;
pub use invites::{Invite, InviteLookup, Invites};
pub use providers::{ProviderSummary, Providers, Visibility};
pub use series::{Series, SeriesStore};
pub use settings::Settings;
pub use users::{User, Users};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored value {0:?} is not valid")]
    Corrupt(String),
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: sqlx::Error,
    },
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Opens (creating if missing) the SQLite database with WAL, a busy timeout and foreign keys.
pub async fn connect(url: &str) -> StoreResult<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    let path = options.get_filename().display().to_string();
    let failed = |source| StoreError::Open { path: path.clone(), source };
    if let Some(dir) = options.get_filename().parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| failed(sqlx::Error::Io(e)))?;
    }
    SqlitePoolOptions::new().max_connections(8).connect_with(options).await.map_err(failed)
}

/// Starts a transaction that writes. `BEGIN IMMEDIATE` takes the write lock at once, waiting for
/// it under the busy timeout; a deferred transaction that reads first and writes later fails at
/// once with "database is locked" when another writer got in between.
pub async fn begin_write(pool: &SqlitePool) -> StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

/// Applies the embedded migrations.
pub async fn migrate(pool: &SqlitePool) -> StoreResult<()> {
    sqlx::migrate!("./migrations").run(pool).await?;
    // SQLite has no SHA-256 of its own: the codes of older releases are hashed here.
    let hashed = invites::hash_stored_codes(pool).await?;
    if hashed > 0 {
        tracing::info!(hashed, "invitation codes stored in the clear were hashed");
    }
    Ok(())
}

/// Timestamps are stored as RFC 3339 text in UTC, which sorts correctly.
pub fn stamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
