//! The database as a whole: is it answering, a consistent copy of it, and is a copy sound.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};

use super::{Db, StoreError, StoreResult, on_db};

/// Answers a trivial query within `limit`.
pub async fn ping(db: &Db, limit: Duration) -> Result<(), String> {
    let answer = on_db!(db, |pool| tokio::time::timeout(limit, sqlx::query("SELECT 1").execute(pool))
        .await
        .map(|r| r.map(drop)));
    match answer {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(err)) => Err(err.to_string()),
        Err(_) => Err(format!("no answer within {} ms", limit.as_millis())),
    }
}

/// Why a backup or a restore was refused.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(
        "DATABASE_URL is a PostgreSQL database: back it up with the server's own tools (pg_dump, or \
         base backups with WAL archiving) and keep the key beside it; this command copies SQLite files"
    )]
    NotSqlite,
    #[error("{0} already exists; a backup never overwrites a file")]
    Exists(String),
    #[error("{0} is not a database: {1}")]
    Unreadable(String, String),
    #[error("{path} failed the integrity check: {report}")]
    Damaged { path: String, report: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Opens an existing database file without creating it or touching it.
async fn open_existing(url: &str, read_only: bool) -> StoreResult<SqliteConnection> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(false)
        .read_only(read_only)
        .busy_timeout(Duration::from_secs(5));
    let path = options.get_filename().display().to_string();
    SqliteConnection::connect_with(&options).await.map_err(|source| StoreError::Open { path, source })
}

/// Writes a consistent copy of the database at `url` to `target` while the bot may be writing
/// to it: `VACUUM INTO` reads one snapshot (WAL lets the bot go on meanwhile). Refuses when
/// `target` exists.
pub async fn backup(url: &str, target: &Path) -> Result<(), CopyError> {
    let shown = target.display().to_string();
    if target.exists() {
        return Err(CopyError::Exists(shown));
    }
    let mut conn = open_existing(url, false).await?;
    sqlx::query("VACUUM INTO $1").bind(target.to_string_lossy().into_owned()).execute(&mut conn).await.map_err(
        |err| match target.exists() {
            true => CopyError::Exists(shown.clone()),
            false => CopyError::Store(err.into()),
        },
    )?;
    conn.close().await.map_err(StoreError::from)?;
    Ok(())
}

/// `PRAGMA integrity_check` on a database file: Ok when it says "ok".
pub async fn check_integrity(path: &Path) -> Result<(), CopyError> {
    let shown = path.display().to_string();
    let url = format!("sqlite://{}", path.display());
    let mut conn = open_existing(&url, true).await.map_err(|e| CopyError::Unreadable(shown.clone(), e.to_string()))?;
    let report: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| CopyError::Unreadable(shown.clone(), e.to_string()))?;
    let _ = conn.close().await;
    match report.as_slice() {
        [ok] if ok == "ok" => Ok(()),
        _ => Err(CopyError::Damaged { path: shown, report: report.join("; ") }),
    }
}

/// Held by the one instance serving a SQLite database: a second one on the same file would send
/// every reminder twice. An advisory lock on the database file itself, apart from SQLite's own
/// (POSIX record) locks, so it leaves no file behind and dies with the process.
pub struct SingleInstance {
    _locked: std::fs::File,
}

#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    #[error(
        "another instance of the bot serves {0}: one SQLite database takes one instance (stop the other \
         first; for a standby, use PostgreSQL)"
    )]
    Taken(String),
    #[error("cannot open {0} to hold it: {1}")]
    Io(String, std::io::Error),
}

/// Takes the database file at `url` for this process.
pub fn hold_single_instance(url: &str) -> Result<SingleInstance, InstanceError> {
    let path = SqliteConnectOptions::from_str(url)
        .map(|o| o.get_filename().to_owned())
        .map_err(|e| InstanceError::Io(url.to_owned(), std::io::Error::other(e.to_string())))?;
    let shown = path.display().to_string();
    let file = std::fs::File::open(&path).map_err(|e| InstanceError::Io(shown.clone(), e))?;
    match file.try_lock() {
        Ok(()) => Ok(SingleInstance { _locked: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(InstanceError::Taken(shown)),
        Err(std::fs::TryLockError::Error(e)) => Err(InstanceError::Io(shown, e)),
    }
}
