//! `webinar-bot backup PATH` and `webinar-bot restore PATH`: a consistent copy of the database
//! taken while the bot runs, and putting one back into a stopped bot's empty data folder.
//!
//! The database alone is not a backup: provider secrets in it are sealed with the key
//! (`BOT_SECRET_KEY`, or `secret.key` in the data folder), and without that key they can never
//! be read again. Both commands say so.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;

use crate::config::Config;
use crate::crypto::{self, KEY_FILE_NAME, SecretBox};
use crate::store::maintenance::{self, CopyError};
use crate::store::{self, Providers};

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error(
        "{0} is not empty ({1}); restore only into a stopped bot's empty data folder \
         (move the old files away first)"
    )]
    NotEmpty(String, String),
    #[error(transparent)]
    Copy(#[from] CopyError),
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the key: {0}")]
    Key(#[from] crypto::CryptoError),
    #[error(
        "the key from {0} does not open the provider secrets in this backup: put back the key it was \
         taken with (BOT_SECRET_KEY or secret.key); nothing was restored"
    )]
    WrongKey(String),
    #[error("{0}")]
    Database(String),
}

/// What a restore found about the key.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyStatus {
    /// The configured key opens the restored secrets (or there are none).
    Opens,
    /// No key is configured yet: the bot will not start until the right one is put back.
    Missing,
}

/// Writes the backup and checks it opens and is sound.
pub async fn backup(config: &Config, target: &Path) -> Result<(), CopyError> {
    if store::Backend::of_url(&config.database_url) == store::Backend::Postgres {
        return Err(CopyError::NotSqlite);
    }
    maintenance::backup(&config.database_url, target).await?;
    maintenance::check_integrity(target).await
}

/// The database file `DATABASE_URL` names.
pub fn database_path(config: &Config) -> Result<PathBuf, RestoreError> {
    let options = SqliteConnectOptions::from_str(&config.database_url)
        .map_err(|e| RestoreError::Database(format!("DATABASE_URL: {e}")))?;
    Ok(options.get_filename().to_owned())
}

/// Copies `source` into place as the configured database, once it passes the integrity check,
/// and only when neither the database (with its WAL files) nor anything but the key is in the
/// data folder: a running bot always has its database there, so this never overwrites one.
pub async fn restore(config: &Config, source: &Path) -> Result<KeyStatus, RestoreError> {
    if store::Backend::of_url(&config.database_url) == store::Backend::Postgres {
        return Err(CopyError::NotSqlite.into());
    }
    let target = database_path(config)?;
    ensure_empty(config, &target)?;
    maintenance::check_integrity(source).await?;
    let folder = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let io = |action: &'static str, path: &Path| {
        let path = path.display().to_string();
        move |source| RestoreError::Io { action, path, source }
    };
    std::fs::create_dir_all(folder).map_err(io("create", folder))?;
    // Copied beside the target and renamed: a crash never leaves half a database in place.
    let staging = folder.join(format!(".restore-{}.tmp", std::process::id()));
    std::fs::copy(source, &staging).map_err(io("copy to", &staging))?;
    std::fs::File::open(&staging).and_then(|f| f.sync_all()).map_err(io("sync", &staging))?;
    std::fs::rename(&staging, &target).map_err(io("move into place", &target))?;
    match check_key(config, &target).await {
        Err(err @ RestoreError::WrongKey(_)) => {
            // Nothing the bot could use was restored: leave the folder as it was.
            let _ = std::fs::remove_file(&target);
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(with_suffix(&target, suffix));
            }
            Err(err)
        }
        other => other,
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The database and its WAL files must not exist, and the data folder may hold only the key.
fn ensure_empty(config: &Config, target: &Path) -> Result<(), RestoreError> {
    let present: Vec<String> = ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| with_suffix(target, suffix))
        .filter(|path| path.exists())
        .map(|path| path.display().to_string())
        .collect();
    if !present.is_empty() {
        return Err(RestoreError::NotEmpty(target.display().to_string(), present.join(", ")));
    }
    let entries = match std::fs::read_dir(&config.data_dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(RestoreError::Io { action: "read", path: config.data_dir.display().to_string(), source });
        }
    };
    let others: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name != KEY_FILE_NAME)
        .collect();
    if !others.is_empty() {
        return Err(RestoreError::NotEmpty(config.data_dir.display().to_string(), others.join(", ")));
    }
    Ok(())
}

/// Opens the restored database (applying newer migrations, as the bot's start would) and tries
/// the configured key on its secrets.
async fn check_key(config: &Config, target: &Path) -> Result<KeyStatus, RestoreError> {
    let Some(key) = crypto::load_existing_key(config.secret_key.as_deref(), &config.data_dir)? else {
        return Ok(KeyStatus::Missing);
    };
    let url = format!("sqlite://{}", target.display());
    let pool = store::connect(&url).await.map_err(|e| RestoreError::Database(e.to_string()))?;
    let opens = Providers::new(pool.clone(), SecretBox::new(&key)).key_opens_stored().await;
    pool.close().await;
    match opens.map_err(|e| RestoreError::Database(e.to_string()))? {
        true => Ok(KeyStatus::Opens),
        false => Err(RestoreError::WrongKey(match config.secret_key {
            Some(_) => crypto::KEY_ENV_VAR.to_owned(),
            None => config.data_dir.join(KEY_FILE_NAME).display().to_string(),
        })),
    }
}
