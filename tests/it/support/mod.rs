//! The one harness every scenario uses: the real bot (the same wiring as `main`) against the
//! fake Telegram Bot API, with a fresh temporary database and a clock the test moves.

pub mod calendar;
pub mod fake_provider;
pub mod proxy;
pub mod reports;
pub mod scenario;
pub mod telegram;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use std::sync::atomic::Ordering;
use tempfile::TempDir;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use webinar_bot::app::{self, Stats, Tuning};
use webinar_bot::bot::SharedCtx;
use webinar_bot::clock::ManualClock;
use webinar_bot::config::Config;

pub use telegram::{Call, FakeTelegram, Fault, TgUser};
pub use webinar_bot::clock::Clock;

pub const ADMIN_ID: i64 = 100;
pub const TOKEN: &str = "123456:TEST-token-never-logged";

pub fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 7, 0, 0).unwrap()
}

pub struct TestBot {
    pub tg: FakeTelegram,
    pub clock: ManualClock,
    pub config: Config,
    dir: TempDir,
    running: Option<(CancellationToken, JoinHandle<anyhow::Result<()>>)>,
    ctx: Option<SharedCtx>,
    stats: Option<Arc<Stats>>,
    http_addr: Option<std::net::SocketAddr>,
    /// The send budget's limits; Telegram's unless a scenario that presses hundreds of buttons
    /// in one chat lifts them.
    limits: Option<webinar_bot::telegram::Limits>,
}

/// The PostgreSQL server the suite runs on, when `TEST_DATABASE_URL` names one (`scripts/test`
/// starts a throwaway one); SQLite files otherwise.
pub fn postgres_server() -> Option<String> {
    std::env::var("TEST_DATABASE_URL").ok().filter(|url| !url.is_empty())
}

/// A PostgreSQL server for what only PostgreSQL does (two instances, moving from SQLite), on
/// either run: `scripts/test` starts one for both.
pub fn required_postgres() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .or_else(postgres_server)
        .expect("this test needs PostgreSQL: run it with scripts/test, or set TEST_POSTGRES_URL")
}

/// A database of its own for one bot: a file in `dir` on SQLite, a new database on the
/// PostgreSQL server otherwise (databases, not schemas, so the write lock of one test never
/// waits for another's).
pub async fn fresh_database_url(dir: &std::path::Path) -> String {
    match postgres_server() {
        Some(server) => fresh_postgres_database(&server).await,
        None => format!("sqlite://{}", dir.join("bot.sqlite").display()),
    }
}

/// A new, empty database on the PostgreSQL server `server` names.
pub async fn fresh_postgres_database(server: &str) -> String {
    use sqlx::Connection;
    let name = format!("wb_{:016x}", rand::random::<u64>());
    let mut admin = sqlx::PgConnection::connect(server).await.expect("connect to the PostgreSQL server");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create a test database");
    let _ = admin.close().await;
    let base = server.split_once('?').map_or(server, |(base, _)| base);
    let (server_part, _) = base.rsplit_once('/').expect("TEST_DATABASE_URL names a database");
    format!("{server_part}/{name}")
}

/// Another process holding the database's write lock (a long transaction, a backup tool)
/// until `release`: writers wait for it, then give up after the lock timeout.
pub enum WriteLock {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

impl WriteLock {
    pub async fn take(db: &webinar_bot::store::Db) -> WriteLock {
        match db {
            webinar_bot::store::Db::Sqlite(pool) => {
                let mut conn = pool.acquire().await.unwrap();
                sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await.unwrap();
                WriteLock::Sqlite(conn)
            }
            webinar_bot::store::Db::Postgres(pool, _) => {
                let mut conn = pool.acquire().await.unwrap();
                sqlx::query("BEGIN").execute(&mut *conn).await.unwrap();
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(webinar_bot::store::WRITE_LOCK)
                    .execute(&mut *conn)
                    .await
                    .unwrap();
                sqlx::query("LOCK TABLE outbox IN EXCLUSIVE MODE").execute(&mut *conn).await.unwrap();
                WriteLock::Postgres(conn)
            }
        }
    }

    pub async fn release(self) {
        match self {
            WriteLock::Sqlite(mut conn) => drop(sqlx::query("ROLLBACK").execute(&mut *conn).await.unwrap()),
            WriteLock::Postgres(mut conn) => drop(sqlx::query("ROLLBACK").execute(&mut *conn).await.unwrap()),
        }
    }
}

impl TestBot {
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// Starts with extra environment variables on top of the test defaults. `TEST_LOG=debug`
    /// (any filter) shows the bot's log while a test runs.
    pub async fn start_with(vars: &[(&str, &str)]) -> Self {
        Self::start_in(tempfile::tempdir().expect("temporary directory"), vars).await
    }

    /// Like `start_with`, on a data folder prepared beforehand (a restored backup, say): on
    /// SQLite its database is `bot.sqlite` in it.
    pub async fn start_in(dir: TempDir, vars: &[(&str, &str)]) -> Self {
        let database_url = fresh_database_url(dir.path()).await;
        Self::start_on(dir, &database_url, vars).await
    }

    /// Like `start_in`, on the database `database_url` names, whichever backend the suite runs
    /// on: a school on SQLite moved to PostgreSQL, say.
    pub async fn start_on(dir: TempDir, database_url: &str, vars: &[(&str, &str)]) -> Self {
        if let Ok(filter) = std::env::var("TEST_LOG") {
            let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
        }
        let tg = FakeTelegram::start().await;
        let mut env: HashMap<String, String> = HashMap::from([
            ("TELOXIDE_TOKEN".into(), TOKEN.into()),
            ("TELOXIDE_API_URL".into(), tg.url()),
            ("DATA_DIR".into(), dir.path().display().to_string()),
            ("DATABASE_URL".into(), database_url.to_owned()),
            ("ADMIN_IDS".into(), ADMIN_ID.to_string()),
            // The fake services listen on loopback; a test that wants production's refusal
            // passes ALLOW_LOOPBACK_PROVIDERS=0.
            ("ALLOW_LOOPBACK_PROVIDERS".into(), "1".into()),
            // Every bot serves health and metrics on a port of its own.
            ("HTTP_ADDR".into(), "127.0.0.1:0".into()),
        ]);
        env.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let config = Config::from_lookup(|name| env.get(name).cloned()).expect("test configuration");
        let mut bot = Self {
            tg,
            clock: ManualClock::new(monday_morning()),
            config,
            dir,
            running: None,
            ctx: None,
            stats: None,
            http_addr: None,
            limits: None,
        };
        bot.launch().await;
        bot
    }

    /// Like `start_with`, with a send budget no scenario reaches: for tests that press every
    /// button as every role, where Telegram's 60 a minute per chat would only add waiting.
    pub async fn start_unthrottled(vars: &[(&str, &str)]) -> Self {
        let mut bot = Self::start_with(vars).await;
        bot.shutdown().await;
        bot.limits = Some(webinar_bot::telegram::Limits {
            overall_per_sec: 1000.0,
            private_per_sec: 1000.0,
            private_burst: 1000.0,
            group_per_min: 100_000,
            paid_per_sec: None,
        });
        bot.launch().await;
        bot
    }

    async fn launch(&mut self) {
        self.tg.resume_polls();
        let shutdown = CancellationToken::new();
        let production = Tuning::for_config(&self.config);
        let mut tuning = Tuning::with_poll_timeout(Duration::from_secs(5), production.limits);
        if let Some(limits) = self.limits {
            tuning.limits = limits;
        }
        let running = app::start(self.config.clone(), Arc::new(self.clock.clone()), tuning, shutdown.clone())
            .await
            .expect("the bot starts");
        self.ctx = Some(running.ctx);
        self.stats = Some(running.stats);
        self.http_addr = running.http_addr;
        self.running = Some((shutdown, running.task));
        // Ready once the first long poll is waiting (or Telegram was given the webhook).
        self.wait_serving().await;
    }

    async fn wait_serving(&self) {
        let webhook = self.config.webhook.is_some();
        for _ in 0..2000 {
            if (webhook && self.tg.webhook().is_some()) || (!webhook && self.tg.polls_in_flight() > 0) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("the bot never started polling");
    }

    /// The running bot's shared context: its store, delivery and clock, for setting up a scenario.
    pub fn ctx(&self) -> SharedCtx {
        self.ctx.clone().expect("the bot is running")
    }

    /// The base URL of the bot's HTTP server (health, metrics, webhook).
    pub fn http_url(&self) -> String {
        format!("http://{}", self.http_addr.expect("the HTTP server is on"))
    }

    /// Updates whose handler failed so far.
    pub fn handler_errors(&self) -> u64 {
        self.stats.as_ref().map_or(0, |s| s.handler_errors.load(Ordering::Relaxed))
    }

    /// Stops the bot gracefully, as SIGTERM does.
    pub async fn shutdown(&mut self) {
        let Some((token, handle)) = self.running.take() else { return };
        token.cancel();
        // Let the stop flag be seen, then answer the pending long poll and any that comes later.
        tokio::time::sleep(Duration::from_millis(20)).await;
        self.tg.stop_polls();
        let result = tokio::time::timeout(Duration::from_secs(10), handle).await;
        result.expect("the bot stops within 10 s").expect("the bot task").expect("the bot stops cleanly");
    }

    pub async fn restart(&mut self) {
        self.shutdown().await;
        self.launch().await;
    }

    /// Stops the bot and checks that nothing it sent broke Telegram's rules and that no handler
    /// failed.
    pub async fn finish(self) {
        self.finish_with_handler_errors(0).await;
    }

    /// Like `finish`, for a scenario whose injected faults make handlers fail.
    pub async fn finish_with_handler_errors(mut self, expected: u64) {
        self.shutdown().await;
        let violations = self.tg.violations();
        assert!(violations.is_empty(), "calls Telegram would refuse: {violations:#?}");
        assert_eq!(self.handler_errors(), expected, "handlers that failed");
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("bot.sqlite")
    }

    /// A separate connection to the bot's database, for assertions.
    pub async fn db(&self) -> webinar_bot::store::Db {
        webinar_bot::store::connect(&self.config.database_url).await.expect("open the test database")
    }
}
