//! `migrate-to-postgres`: a school's SQLite database copied into an empty PostgreSQL one, ids
//! and all, in one snapshot of the source and one transaction of the target.
//!
//! Ids are kept because provider secrets are sealed with the provider's id as associated data,
//! and because ids travel in buttons already sent (callback data names events, groups, invites).

use std::collections::HashSet;
use std::str::FromStr;
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgConnection};
use sqlx::query::Query;
use sqlx::sqlite::{SqliteConnection, SqlitePool, SqliteRow};
use sqlx::{Postgres, Row};

use super::{Backend, Conn, Db, SQLITE_MIGRATIONS, StoreError, invites, on_conn};

/// How a column is read from SQLite and bound for PostgreSQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Int,
    /// `outbox.message_id`, the one INTEGER (i32) of the PostgreSQL schema.
    Int32,
    /// SQLite's 0/1 INTEGER flags, PostgreSQL's BOOLEAN.
    Bool,
    Text,
    Blob,
}

impl Kind {
    /// The PostgreSQL type the column has (as `information_schema` names it).
    pub fn postgres_type(self) -> &'static str {
        match self {
            Kind::Int => "bigint",
            Kind::Int32 => "integer",
            Kind::Bool => "boolean",
            Kind::Text => "text",
            Kind::Blob => "bytea",
        }
    }
}

pub struct Table {
    pub name: &'static str,
    /// Every column both schemas share, by name. PostgreSQL's outbox has two more (the claim
    /// lease), which start empty.
    pub columns: &'static [(&'static str, Kind)],
    /// The identity column, moved past the largest copied id so new rows do not collide.
    pub identity: Option<&'static str>,
}

use Kind::{Blob, Bool, Int, Int32, Text};

/// Every application table, parents before children (the foreign keys' order).
pub const TABLES: &[Table] = &[
    Table {
        name: "users",
        columns: &[
            ("id", Int),
            ("first_name", Text),
            ("last_name", Text),
            ("username", Text),
            ("role", Text),
            ("language", Text),
            ("language_chosen", Bool),
            ("timezone", Text),
            ("full_name", Text),
            ("organisation", Text),
            ("active", Bool),
            ("created_at", Text),
            ("updated_at", Text),
            ("profile_asked", Bool),
            ("email", Text),
        ],
        identity: None,
    },
    Table { name: "settings", columns: &[("key", Text), ("value", Text)], identity: None },
    Table {
        name: "providers",
        columns: &[
            ("id", Int),
            ("kind", Text),
            ("name", Text),
            ("owner_id", Int),
            ("visibility", Text),
            ("host_id", Int),
            ("sealed_settings", Blob),
            ("secret_hint", Text),
            ("checked_at", Text),
            ("created_at", Text),
            ("updated_at", Text),
            ("deleted_at", Text),
            ("reports_unavailable", Text),
        ],
        identity: Some("id"),
    },
    Table {
        name: "listener_groups",
        columns: &[("id", Int), ("owner_id", Int), ("name", Text), ("created_at", Text), ("deleted_at", Text)],
        identity: Some("id"),
    },
    Table {
        name: "group_members",
        columns: &[("group_id", Int), ("user_id", Int), ("joined_at", Text)],
        identity: None,
    },
    Table {
        name: "group_chats",
        columns: &[
            ("chat_id", Int),
            ("group_id", Int),
            ("title", Text),
            ("linked_by", Int),
            ("linked_at", Text),
            ("active", Bool),
        ],
        identity: None,
    },
    Table {
        name: "invites",
        // SQLite's implicit rowid is what revoke buttons carry; PostgreSQL has it as a column.
        columns: &[
            ("rowid", Int),
            ("code", Text),
            ("kind", Text),
            ("target_id", Int),
            ("created_by", Int),
            ("created_at", Text),
            ("expires_at", Text),
            ("max_uses", Int),
            ("uses", Int),
            ("revoked_at", Text),
            ("hashed", Bool),
        ],
        identity: Some("rowid"),
    },
    Table {
        name: "series",
        columns: &[
            ("id", Int),
            ("owner_id", Int),
            ("rule", Text),
            ("first_date", Text),
            ("local_time", Text),
            ("timezone", Text),
            ("status", Text),
            ("attempts", Int),
            ("retry_at", Text),
            ("created_at", Text),
            ("updated_at", Text),
        ],
        identity: Some("id"),
    },
    Table {
        name: "events",
        columns: &[
            ("id", Int),
            ("owner_id", Int),
            ("host_id", Int),
            ("host_email", Text),
            ("provider_id", Int),
            ("title", Text),
            ("description", Text),
            ("starts_at", Text),
            ("duration_min", Int),
            ("timezone", Text),
            ("status", Text),
            ("meeting", Text),
            ("options", Text),
            ("reminders", Text),
            ("sequence", Int),
            ("last_error", Text),
            ("created_at", Text),
            ("updated_at", Text),
            ("series_id", Int),
            ("occurrence", Int),
        ],
        identity: Some("id"),
    },
    Table { name: "event_groups", columns: &[("event_id", Int), ("group_id", Int)], identity: None },
    Table {
        name: "event_listeners",
        columns: &[
            ("event_id", Int),
            ("user_id", Int),
            ("direct", Bool),
            ("rsvp", Text),
            ("rsvp_at", Text),
            ("left_at", Text),
        ],
        identity: None,
    },
    Table {
        name: "outbox",
        columns: &[
            ("id", Int),
            ("event_id", Int),
            ("chat_id", Int),
            ("kind", Text),
            ("due_at", Text),
            ("send_at", Text),
            ("state", Text),
            ("attempts", Int),
            ("message_id", Int32),
            ("reason", Text),
            ("late", Bool),
            ("created_at", Text),
            ("updated_at", Text),
            ("sent_at", Text),
            ("paid", Bool),
        ],
        identity: Some("id"),
    },
    Table {
        name: "calendar_copies",
        columns: &[("entry", Text), ("entry_id", Int), ("chat_id", Int), ("sequence", Int), ("sent_at", Text)],
        identity: None,
    },
    Table { name: "dialogues", columns: &[("chat_id", Int), ("state", Text), ("updated_at", Text)], identity: None },
    Table {
        name: "join_links",
        columns: &[("token_hash", Text), ("event_id", Int), ("user_id", Int), ("created_at", Text)],
        identity: None,
    },
    Table {
        name: "join_presses",
        columns: &[("event_id", Int), ("user_id", Int), ("first_at", Text), ("last_at", Text), ("presses", Int)],
        identity: None,
    },
    Table {
        name: "attendance",
        columns: &[
            ("id", Int),
            ("event_id", Int),
            ("user_id", Int),
            ("matched_by", Text),
            ("name", Text),
            ("email", Text),
            ("minutes", Int),
            ("first_joined", Text),
            ("last_left", Text),
            ("joined_late", Bool),
            ("left_early", Bool),
            ("stays", Int),
        ],
        identity: Some("id"),
    },
    Table {
        name: "attendance_fetches",
        columns: &[
            ("event_id", Int),
            ("state", Text),
            ("attempts", Int),
            ("next_at", Text),
            ("reason", Text),
            ("fetched_at", Text),
        ],
        identity: None,
    },
    Table {
        name: "api_tokens",
        columns: &[
            ("id", Int),
            ("name", Text),
            ("scope", Text),
            ("token_hash", Text),
            ("created_by", Int),
            ("created_at", Text),
            ("revoked_at", Text),
            ("last_used_at", Text),
        ],
        identity: Some("id"),
    },
    Table {
        name: "api_groups",
        columns: &[("external_id", Text), ("group_id", Int), ("created_at", Text)],
        identity: None,
    },
    Table {
        name: "platform_users",
        columns: &[
            ("external_id", Text),
            ("user_id", Int),
            ("name", Text),
            ("organisation", Text),
            ("linked_at", Text),
            ("updated_at", Text),
        ],
        identity: None,
    },
    Table { name: "api_roster", columns: &[("group_id", Int), ("external_id", Text)], identity: None },
    Table {
        name: "api_webhooks",
        columns: &[
            ("id", Int),
            ("kind", Text),
            ("body", Text),
            ("state", Text),
            ("attempts", Int),
            ("next_at", Text),
            ("last_error", Text),
            ("created_at", Text),
            ("sent_at", Text),
        ],
        identity: Some("id"),
    },
    Table {
        name: "api_events",
        columns: &[("external_id", Text), ("event_id", Int), ("created_at", Text)],
        identity: None,
    },
];

/// Tables of the PostgreSQL schema that hold no school data: a target with a row in one was
/// still used by a bot, so it counts against emptiness, but nothing is copied into it.
const POSTGRES_ONLY: &[&str] = &["leader_lease"];

/// Rows per INSERT: each column travels as one array, so the statement has a parameter per
/// column whatever the batch size, and a few thousand rows amortise the round trip.
const BATCH_ROWS: usize = 2000;

#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error("--from must name a SQLite database (sqlite://…)")]
    SourceNotSqlite,
    #[error("--to must name a PostgreSQL database (postgres://…)")]
    TargetNotPostgres,
    #[error("the source {0} is not a webinar-bot database: no migrations were ever applied to it")]
    NotABotDatabase(String),
    #[error(
        "the source {path} has migrations this binary does not know ({versions}): run the \
         migrate-to-postgres of the webinar-bot version that wrote it"
    )]
    SourceAhead { path: String, versions: String },
    #[error("the target {target} is not empty ({tables}); migrate-to-postgres copies only into an empty database")]
    TargetNotEmpty { target: String, tables: String },
    #[error("row counts differ between source and target ({0}); nothing was committed")]
    CountMismatch(String),
    #[error("copying {table}: {source}")]
    Table {
        table: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for MoveError {
    fn from(err: sqlx::Error) -> Self {
        MoveError::Store(err.into())
    }
}

/// What a successful move did.
#[derive(Debug)]
pub struct Report {
    /// Migrations the source was behind by, applied to it before the copy.
    pub source_migrated: Vec<i64>,
    /// Invitation codes found in the clear in the source and hashed there first.
    pub codes_hashed: u64,
    /// Every table with its rows in the source and in the target (equal, or it failed).
    pub counts: Vec<(&'static str, i64, i64)>,
    pub elapsed: Duration,
}

/// Copies the SQLite database `from` into the empty PostgreSQL database `to`.
pub async fn sqlite_to_postgres(from: &str, to: &str) -> Result<Report, MoveError> {
    let started = Instant::now();
    if !from.starts_with("sqlite:") {
        return Err(MoveError::SourceNotSqlite);
    }
    if Backend::of_url(to) != Backend::Postgres {
        return Err(MoveError::TargetNotPostgres);
    }
    let source = super::connect_existing_sqlite(from).await?;
    let outcome = copy_from(&source, from, to, started).await;
    source.close().await;
    outcome
}

async fn copy_from(source: &SqlitePool, from: &str, to: &str, started: Instant) -> Result<Report, MoveError> {
    let source_migrated = bring_source_up_to_date(source, from).await?;
    let codes_hashed = hash_codes_in_the_clear(source).await?;
    let target_name = super::postgres_name(&PgConnectOptions::from_str(to).map_err(StoreError::from)?);
    let target = super::connect(to).await?;
    let outcome = async {
        super::migrate(&target).await?;
        let Db::Postgres(pool, _) = &target else { unreachable!("a postgres:// URL") };
        let mut write = super::begin_write(pool).await?;
        ensure_empty(&mut write, &target_name).await?;
        // Deferred on purpose: it only reads, and its snapshot starts at its first SELECT; the
        // write lock stays free, so a bot running on the source goes on meanwhile (WAL).
        let mut read = source.begin_with("BEGIN DEFERRED").await?;
        let counts = copy_all(&mut read, &mut write).await?;
        write.commit().await?;
        read.rollback().await?;
        Ok(Report { source_migrated, codes_hashed, counts, elapsed: started.elapsed() })
    }
    .await;
    target.close().await;
    outcome
}

/// Applies the migrations the source lacks, as this binary's bot would at its start: the
/// columns the copy reads must be there, and an operator moving up already runs this version.
/// A source ahead of the binary is refused instead: its schema is one this code cannot read.
async fn bring_source_up_to_date(source: &SqlitePool, path: &str) -> Result<Vec<i64>, MoveError> {
    let has_table: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(source)
    .await?;
    let applied: HashSet<i64> = match has_table {
        true => {
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations").fetch_all(source).await?.into_iter().collect()
        }
        false => HashSet::new(),
    };
    if applied.is_empty() {
        return Err(MoveError::NotABotDatabase(path.to_owned()));
    }
    let known: HashSet<i64> = SQLITE_MIGRATIONS.iter().map(|m| m.version).collect();
    let mut unknown: Vec<i64> = applied.difference(&known).copied().collect();
    if !unknown.is_empty() {
        unknown.sort_unstable();
        let versions = unknown.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        return Err(MoveError::SourceAhead { path: path.to_owned(), versions });
    }
    let mut missing: Vec<i64> = known.difference(&applied).copied().collect();
    missing.sort_unstable();
    if !missing.is_empty() {
        SQLITE_MIGRATIONS.run(source).await.map_err(StoreError::from)?;
    }
    Ok(missing)
}

/// The target keeps codes only hashed (it has no step to hash them later, as SQLite's start
/// has), so any left in the clear are hashed in the source first, by the bot's own step.
async fn hash_codes_in_the_clear(source: &SqlitePool) -> Result<u64, MoveError> {
    let clear: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM invites WHERE hashed = 0)").fetch_one(source).await?;
    match clear {
        true => Ok(invites::hash_stored_codes(&Db::Sqlite(source.clone())).await?),
        false => Ok(0),
    }
}

/// Refuses a target with any row in any table, naming them.
async fn ensure_empty(write: &mut PgConnection, target: &str) -> Result<(), MoveError> {
    let mut found = Vec::new();
    for table in TABLES.iter().map(|t| t.name).chain(POSTGRES_ONLY.iter().copied()) {
        let rows = count(Conn::Postgres(&mut *write), table).await?;
        if rows > 0 {
            found.push(format!("{table}: {rows} rows"));
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    Err(MoveError::TargetNotEmpty { target: target.to_owned(), tables: found.join(", ") })
}

async fn count(conn: Conn<'_>, table: &str) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    on_conn!(conn, |c| sqlx::query_scalar(&sql).fetch_one(&mut *c).await)
}

/// Every table, then the identities, then the counts compared: all inside both transactions.
async fn copy_all(
    read: &mut SqliteConnection,
    write: &mut PgConnection,
) -> Result<Vec<(&'static str, i64, i64)>, MoveError> {
    for table in TABLES {
        copy_table(read, write, table).await.map_err(|source| MoveError::Table { table: table.name, source })?;
    }
    requeue_in_flight(write).await?;
    move_identities(write).await?;
    compare_counts(read, write).await
}

async fn copy_table(
    read: &mut SqliteConnection,
    write: &mut PgConnection,
    table: &'static Table,
) -> Result<(), sqlx::Error> {
    let names: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    let select = format!("SELECT {} FROM {} ORDER BY rowid", names.join(", "), table.name);
    let mut rows = sqlx::query(&select).fetch(&mut *read);
    let mut batch = Batch::new(table);
    while let Some(row) = rows.try_next().await? {
        batch.push(&row)?;
        if batch.rows == BATCH_ROWS {
            batch.flush(&mut *write).await?;
        }
    }
    batch.flush(write).await
}

/// A row the SQLite bot was sending at the snapshot is one it will never mark sent in the new
/// database, and PostgreSQL's recovery goes by claim leases the copy does not have: as
/// 'pending', the new leader sends it (at least once, as after a crash, never lost).
async fn requeue_in_flight(write: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE outbox SET state = 'pending' WHERE state = 'sending'").execute(write).await.map(drop)
}

/// Identities BY DEFAULT do not move when ids are given: the next generated one would be 1.
async fn move_identities(write: &mut PgConnection) -> Result<(), sqlx::Error> {
    for table in TABLES {
        let Some(column) = table.identity else { continue };
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{t}', '{column}'), COALESCE(MAX({column}), 0) + 1, false) FROM {t}",
            t = table.name
        );
        sqlx::query(&sql).execute(&mut *write).await?;
    }
    Ok(())
}

async fn compare_counts(
    read: &mut SqliteConnection,
    write: &mut PgConnection,
) -> Result<Vec<(&'static str, i64, i64)>, MoveError> {
    let mut counts = Vec::new();
    for table in TABLES {
        let source = count(Conn::Sqlite(&mut *read), table.name).await?;
        let target = count(Conn::Postgres(&mut *write), table.name).await?;
        counts.push((table.name, source, target));
    }
    let differ: Vec<String> = counts
        .iter()
        .filter(|(_, s, t)| s != t)
        .map(|(name, s, t)| format!("{name}: {s} in SQLite, {t} in PostgreSQL"))
        .collect();
    match differ.is_empty() {
        true => Ok(counts),
        false => Err(MoveError::CountMismatch(differ.join(", "))),
    }
}

/// Rows of one table gathered column by column, to be bound as one array per column.
struct Batch {
    table: &'static Table,
    columns: Vec<Values>,
    rows: usize,
}

enum Values {
    Int(Vec<Option<i64>>),
    Int32(Vec<Option<i32>>),
    Bool(Vec<Option<bool>>),
    Text(Vec<Option<String>>),
    Blob(Vec<Option<Vec<u8>>>),
}

impl Values {
    fn new(kind: Kind) -> Self {
        match kind {
            Kind::Int => Values::Int(Vec::with_capacity(BATCH_ROWS)),
            Kind::Int32 => Values::Int32(Vec::with_capacity(BATCH_ROWS)),
            Kind::Bool => Values::Bool(Vec::with_capacity(BATCH_ROWS)),
            Kind::Text => Values::Text(Vec::with_capacity(BATCH_ROWS)),
            Kind::Blob => Values::Blob(Vec::with_capacity(BATCH_ROWS)),
        }
    }

    fn push(&mut self, row: &SqliteRow, column: usize) -> Result<(), sqlx::Error> {
        match self {
            Values::Int(v) => v.push(row.try_get(column)?),
            Values::Int32(v) => v.push(row.try_get(column)?),
            Values::Bool(v) => v.push(row.try_get(column)?),
            Values::Text(v) => v.push(row.try_get(column)?),
            Values::Blob(v) => v.push(row.try_get(column)?),
        }
        Ok(())
    }

    fn bind<'q>(self, query: Query<'q, Postgres, PgArguments>) -> Query<'q, Postgres, PgArguments> {
        match self {
            Values::Int(v) => query.bind(v),
            Values::Int32(v) => query.bind(v),
            Values::Bool(v) => query.bind(v),
            Values::Text(v) => query.bind(v),
            Values::Blob(v) => query.bind(v),
        }
    }
}

impl Batch {
    fn new(table: &'static Table) -> Self {
        Self { table, columns: table.columns.iter().map(|(_, kind)| Values::new(*kind)).collect(), rows: 0 }
    }

    fn push(&mut self, row: &SqliteRow) -> Result<(), sqlx::Error> {
        for (i, values) in self.columns.iter_mut().enumerate() {
            values.push(row, i)?;
        }
        self.rows += 1;
        Ok(())
    }

    /// One `INSERT … SELECT FROM UNNEST(…)` of the rows gathered so far.
    async fn flush(&mut self, write: &mut PgConnection) -> Result<(), sqlx::Error> {
        if self.rows == 0 {
            return Ok(());
        }
        let sql = insert_sql(self.table);
        let table = self.table;
        let full = std::mem::replace(self, Batch::new(table));
        let mut query = sqlx::query(&sql);
        for values in full.columns {
            query = values.bind(query);
        }
        query.execute(write).await.map(drop)
    }
}

fn insert_sql(table: &Table) -> String {
    let names: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    let arrays: Vec<String> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| format!("${}::{}[]", i + 1, kind.postgres_type()))
        .collect();
    format!("INSERT INTO {} ({}) SELECT * FROM UNNEST({})", table.name, names.join(", "), arrays.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The column lists are the SQLite schema's, every table and every column: a migration that
    /// adds one fails here until the copy knows it.
    #[tokio::test]
    async fn the_tables_are_every_table_of_the_sqlite_schema_with_every_column() {
        let dir = tempfile::tempdir().unwrap();
        let db = super::super::connect(&format!("sqlite://{}", dir.path().join("db.sqlite").display())).await.unwrap();
        super::super::migrate(&db).await.unwrap();
        let Db::Sqlite(pool) = &db else { unreachable!("a sqlite:// URL") };
        let mut schema: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        schema.sort();
        let mut listed: Vec<String> = TABLES.iter().map(|t| t.name.to_owned()).collect();
        listed.sort();
        assert_eq!(listed, schema);
        for table in TABLES {
            let columns: Vec<(String, String)> =
                sqlx::query_as(&format!("SELECT name, type FROM pragma_table_info('{}') ORDER BY cid", table.name))
                    .fetch_all(pool)
                    .await
                    .unwrap();
            let listed: Vec<(&str, Kind)> =
                table.columns.iter().copied().filter(|(name, _)| *name != "rowid").collect();
            assert_eq!(listed.len(), columns.len(), "{}: {columns:?}", table.name);
            for ((name, kind), (column, declared)) in listed.iter().zip(&columns) {
                assert_eq!(name, column, "{}", table.name);
                let fits = match kind {
                    Kind::Int | Kind::Int32 | Kind::Bool => declared == "INTEGER",
                    Kind::Text => declared == "TEXT",
                    Kind::Blob => declared == "BLOB",
                };
                assert!(fits, "{}.{name} is {declared}, listed as {kind:?}", table.name);
            }
        }
        db.close().await;
    }

    #[test]
    fn a_batch_is_one_insert_of_an_array_per_column() {
        let table = TABLES.iter().find(|t| t.name == "group_members").unwrap();
        assert_eq!(
            insert_sql(table),
            "INSERT INTO group_members (group_id, user_id, joined_at) \
             SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[])"
        );
    }
}
