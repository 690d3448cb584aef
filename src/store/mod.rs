//! All SQL lives here.

pub mod attendance;
pub mod calendar;
pub mod copy;
pub mod dialogue;
pub mod events;
pub mod groups;
pub mod invites;
pub mod leader;
pub mod maintenance;
pub mod outbox;
pub mod platform;
pub mod providers;
pub mod series;
pub mod settings;
pub mod users;
pub mod webhooks;

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

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
    #[error("the database {0} does not exist")]
    Missing(String),
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: String,
        #[source]
        source: sqlx::Error,
    },
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The database, whichever backend `DATABASE_URL` chose. Cloning shares the pool.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    /// With the instance this handle speaks for: clones (every store of one bot) share it.
    Postgres(PgPool, Arc<Instance>),
}

/// One bot among those sharing a PostgreSQL database: the holder named on the outbox rows it
/// claims and on the leader lease, and the epoch of the lease it holds. Host, process and a
/// random part, so a restarted process, or a second bot in one process, is another instance.
#[derive(Debug)]
pub struct Instance {
    id: String,
    /// 0 while it holds no lease. The outbox claims rows only under it (see
    /// `Outbox::claim_due`), so a leader that lost the lease claims nothing more even before
    /// it notices.
    epoch: AtomicI64,
}

impl Instance {
    fn new() -> Instance {
        let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "host".to_owned());
        let id = format!("{host}-{}-{:08x}", std::process::id(), rand::random::<u32>());
        Instance { id, epoch: AtomicI64::new(0) }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn held_epoch(&self) -> i64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Records the epoch of the lease now held; 0 gives it up.
    pub fn hold(&self, epoch: i64) {
        self.epoch.store(epoch, Ordering::Release);
    }
}

/// One connection (or transaction) of either backend, for a query that joins its caller's work.
pub enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl<'c> From<&'c mut SqliteConnection> for Conn<'c> {
    fn from(conn: &'c mut SqliteConnection) -> Self {
        Conn::Sqlite(conn)
    }
}

impl<'c> From<&'c mut PgConnection> for Conn<'c> {
    fn from(conn: &'c mut PgConnection) -> Self {
        Conn::Postgres(conn)
    }
}

/// Runs the same sqlx code on whichever backend a `Db` is. The body is compiled once per
/// backend, so each copy is type-checked against that backend's driver; SQL that differs
/// between the two is picked with `Db::pick` before.
#[doc(hidden)]
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool, _) => $body,
        }
    };
}

/// `on_db!` for a `Conn`.
macro_rules! on_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::store::Conn::Sqlite($c) => $body,
            $crate::store::Conn::Postgres($c) => $body,
        }
    };
}

pub(crate) use on_conn;
pub use on_db;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a `DATABASE_URL` names; SQLite for anything that is not PostgreSQL's.
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

impl Db {
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(..) => Backend::Postgres,
        }
    }

    /// The text of a query whose SQL differs between the backends.
    pub(crate) fn pick(&self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        match self {
            Db::Sqlite(_) => sqlite,
            Db::Postgres(..) => postgres,
        }
    }

    /// Who this handle claims outbox rows as; SQLite has one instance and names none.
    pub(crate) fn claimer(&self) -> &str {
        match self {
            Db::Sqlite(_) => "",
            Db::Postgres(_, instance) => instance.id(),
        }
    }

    pub async fn close(&self) {
        on_db!(self, |pool| pool.close().await)
    }
}

impl Conn<'_> {
    /// The same connection for one more call, leaving this one usable after it.
    pub(crate) fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Conn::Sqlite(c) => Conn::Sqlite(c),
            Conn::Postgres(c) => Conn::Postgres(c),
        }
    }

    pub(crate) fn pick(&self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        match self {
            Conn::Sqlite(_) => sqlite,
            Conn::Postgres(_) => postgres,
        }
    }
}

/// Whether `sql`, a `SELECT 1 …` over the two ids it binds as `$1` and `$2`, finds a row.
async fn pair_exists(conn: Conn<'_>, sql: &str, (first, second): (i64, i64)) -> StoreResult<bool> {
    let found = on_conn!(conn, |c| {
        sqlx::query(sql).bind(first).bind(second).fetch_optional(c).await.map(|row| row.is_some())
    })?;
    Ok(found)
}

/// Opens the database `url` names: PostgreSQL for `postgres://…`, otherwise SQLite (created if
/// missing).
pub async fn connect(url: &str) -> StoreResult<Db> {
    match Backend::of_url(url) {
        Backend::Sqlite => Ok(Db::Sqlite(connect_sqlite(url).await?)),
        Backend::Postgres => Ok(Db::Postgres(connect_postgres(url).await?, Arc::new(Instance::new()))),
    }
}

/// SQLite with WAL, a busy timeout and foreign keys.
async fn connect_sqlite(url: &str) -> StoreResult<SqlitePool> {
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

/// PostgreSQL. The error names the server and database, never the password.
async fn connect_postgres(url: &str) -> StoreResult<PgPool> {
    // A writer waits for the write lock as long as SQLite's busy timeout, then fails and retries.
    let options = PgConnectOptions::from_str(url)?.application_name("webinar-bot").options([("lock_timeout", "5s")]);
    let path = postgres_name(&options);
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
        .map_err(|source| StoreError::Open { path, source })
}

/// Server and database of a PostgreSQL URL, never its password: for messages.
pub(crate) fn postgres_name(options: &PgConnectOptions) -> String {
    format!("postgres://{}:{}/{}", options.get_host(), options.get_port(), options.get_database().unwrap_or_default())
}

/// An SQLite database that must already exist: never created, and a missing file named as such
/// rather than as SQLite's "unable to open database file".
pub(crate) async fn connect_existing_sqlite(url: &str) -> StoreResult<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    let path = options.get_filename().display().to_string();
    if !options.get_filename().is_file() {
        return Err(StoreError::Missing(path));
    }
    SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .map_err(|source| StoreError::Open { path, source })
}

/// A pool whose write transactions keep SQLite's rule: one writer at a time, taken at `BEGIN`.
pub trait WritePool {
    type Database: sqlx::Database;

    fn begin_write(&self) -> impl Future<Output = StoreResult<sqlx::Transaction<'static, Self::Database>>> + Send;
}

impl WritePool for SqlitePool {
    type Database = sqlx::Sqlite;

    /// `BEGIN IMMEDIATE` takes the write lock at once, waiting for it under the busy timeout; a
    /// deferred transaction that reads first and writes later fails at once with "database is
    /// locked" when another writer got in between.
    async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.begin_with("BEGIN IMMEDIATE").await?)
    }
}

/// The advisory lock every PostgreSQL write transaction holds: the store's read-then-write
/// transactions were written for SQLite's single writer, and this keeps them exactly as safe
/// across connections and instances. The outbox claims rows outside it, with `SKIP LOCKED`.
pub const WRITE_LOCK: i64 = 0x7765_6269_6e61; // "webina"

impl WritePool for PgPool {
    type Database = sqlx::Postgres;

    async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
        let mut tx = self.begin_with("BEGIN").await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(WRITE_LOCK).execute(&mut *tx).await?;
        Ok(tx)
    }
}

/// Starts a transaction that writes (see `WritePool`).
pub async fn begin_write<P: WritePool>(pool: &P) -> StoreResult<sqlx::Transaction<'static, P::Database>> {
    pool.begin_write().await
}

/// The migrations embedded in the binary, one folder per backend.
pub(crate) static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Applies the embedded migrations of the backend.
pub async fn migrate(db: &Db) -> StoreResult<()> {
    match db {
        Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
        Db::Postgres(pool, _) => POSTGRES_MIGRATIONS.run(pool).await?,
    }
    // SQLite has no SHA-256 of its own: the codes of older releases are hashed here.
    let hashed = invites::hash_stored_codes(db).await?;
    if hashed > 0 {
        tracing::info!(hashed, "invitation codes stored in the clear were hashed");
    }
    Ok(())
}

/// Timestamps are stored as RFC 3339 text in UTC, which sorts correctly.
pub fn stamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
