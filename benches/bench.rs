//! The bench program (issue 8): the real bot wiring against the fake Telegram Bot API that the
//! tests use, everything on 127.0.0.1. One table per scenario, each figure next to its target.
//!
//! ```text
//! cargo bench --bench bench -- fan-out   [--n 10000] [--rate 30] [--runs 5]
//! cargo bench --bench bench -- dialogue  [--teachers 200] [--flow settings|buttons] [--rounds 1]
//!                                         [--think-ms 0] [--limits production|open] [--runs 5]
//! cargo bench --bench bench -- footprint [--events 10000] [--listeners 100000] [--queued 300000] [--runs 5]
//! cargo bench --bench bench -- scale     [--sizes 10000,1000000] [--calls 1000] [--runs 5]
//! cargo bench --bench bench -- joins     [--n 1000] [--rates 20,100,300] [--limits open|production] [--runs 3]
//! cargo bench --bench bench -- timetable [--events 10] [--n 1000] [--rate 300] [--runs 3]
//! cargo bench --bench bench -- busy      [--n 10000] [--rate 30] [--teachers 20] [--think-ms 1000] [--warmup-s 35]
//! cargo bench --bench bench -- drain     [--rows 50000] [--teachers 20] [--presses 30] [--think-ms 1000] [--runs 3]
//! ```

#[path = "../tests/it/support/telegram.rs"]
mod telegram;

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use chrono::{DateTime, Utc};
use rand::{Rng, SeedableRng};
use telegram::{Call, FakeTelegram, TgUser};
use tempfile::TempDir;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use webinar_bot::app::{self, Stats, Tuning};
use webinar_bot::bot::SharedCtx;
use webinar_bot::clock::SystemClock;
use webinar_bot::config::Config;
use webinar_bot::delivery::plan::{MARGIN, sending_time};
use webinar_bot::delivery::rules::bulk_rate;
use webinar_bot::domain::event::EventStatus;
use webinar_bot::domain::reminders::ReminderOffset;
use webinar_bot::on_db;
use webinar_bot::providers::{Meeting, MeetingExtra};
use webinar_bot::store::Db;
use webinar_bot::store::outbox::Outbox;
use webinar_bot::store::{NewEvent, stamp};
use webinar_bot::telegram::Limits;

const USAGE: &str = "usage: cargo bench --bench bench -- <fan-out | dialogue | footprint | scale> [--option value]...
  (on SQLite; with BENCH_DATABASE_URL=postgres://…/postgres, each run gets a database of its own there)
  fan-out    --n 10000 --rate 30 --runs 5     one reminder to n listeners at `rate` msg/s (bot and fake)
  dialogue   --teachers 200 --flow settings|buttons --rounds 1 (buttons: 20) --think-ms 0
             --limits production|open --runs 5
  footprint  --events 10000 --listeners 100000 --queued 300000 --runs 5
  scale      --sizes 10000,1000000 --calls 1000 --runs 5 [--cache-mib N: experiment]
  joins      --n 1000 --rates 20,100,300 --limits open|production --runs 3
  timetable  --events 10 --n 1000 --rate 300 --runs 3   classes whose reminders are due together
  busy       --n 10000 --rate 30 --teachers 20 --think-ms 1000 --warmup-s 35   presses during a fan-out
  drain      --rows 50000 --teachers 20 --presses 30 --think-ms 1000 --runs 3   presses while a backlog drains
  metrics    --updates 2000 --runs 5   the time an update takes with metrics on (HTTP_ADDR set) vs off";

const ADMIN_ID: i64 = 100;
const TOKEN: &str = "123456:BENCH-token-never-logged";

fn main() -> ExitCode {
    // `cargo bench` adds `--bench`; a bare run (as `cargo test --benches` makes) prints the usage.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let Some(scenario) = args.first().cloned() else {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    };
    let options = match Options::parse(&args[1..]) {
        Ok(options) => options,
        Err(err) => {
            eprintln!("{err}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    println!("load average before: {}", load_average());
    let outcome = runtime.block_on(async {
        match scenario.as_str() {
            "fan-out" => fan_out(&options).await,
            "dialogue" => dialogue(&options).await,
            "footprint" => footprint(&options).await,
            "scale" => scale(&options).await,
            "joins" => joins(&options).await,
            "timetable" => timetable(&options).await,
            "busy" => busy(&options).await,
            "drain" => drain(&options).await,
            "metrics" => metrics_overhead(&options).await,
            other => Err(anyhow!("unknown scenario {other:?}")),
        }
    });
    println!("load average after: {}", load_average());
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench failed: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The machine is shared: how busy it was is part of each result.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map(|l| l.trim().to_owned()).unwrap_or_default()
}

// ---- options and tables ----

struct Options(HashMap<String, String>);

impl Options {
    fn parse(args: &[String]) -> anyhow::Result<Self> {
        let mut map = HashMap::new();
        let mut args = args.iter();
        while let Some(key) = args.next() {
            let key = key.strip_prefix("--").ok_or_else(|| anyhow!("expected --option, got {key:?}"))?;
            let value = args.next().ok_or_else(|| anyhow!("--{key} needs a value"))?;
            map.insert(key.to_owned(), value.clone());
        }
        Ok(Self(map))
    }

    fn get<T: std::str::FromStr>(&self, key: &str, default: T) -> anyhow::Result<T> {
        match self.0.get(key) {
            Some(v) => v.parse().map_err(|_| anyhow!("--{key} {v:?} does not parse")),
            None => Ok(default),
        }
    }

    fn text(&self, key: &str, default: &str) -> String {
        self.0.get(key).cloned().unwrap_or_else(|| default.to_owned())
    }
}

#[derive(Clone, Copy)]
enum Target {
    AtLeast(f64),
    AtMost(f64),
    None,
}

/// One row of a table: a figure measured once per run.
struct Figure {
    name: String,
    unit: &'static str,
    values: Vec<f64>,
    target: Target,
}

impl Figure {
    fn new(name: impl Into<String>, unit: &'static str, target: Target) -> Self {
        Self { name: name.into(), unit, values: Vec::new(), target }
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64) * q).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn number(v: f64) -> String {
    if v.is_nan() {
        "–".to_owned()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

fn print_table(title: &str, figures: &[Figure]) {
    let runs = figures.iter().map(|f| f.values.len()).max().unwrap_or(0);
    println!("\n### {title}\n");
    let run_heads: String = (1..=runs).map(|r| format!(" run {r} |")).collect();
    println!("| figure |{run_heads} median | target | met |");
    println!("|---|{}---:|---|---|", "---:|".repeat(runs));
    for f in figures {
        let cells: String = f.values.iter().map(|v| format!(" {} |", number(*v))).collect();
        let m = median(&f.values);
        let (target, met) = match f.target {
            Target::AtLeast(t) => (format!("≥ {} {}", number(t), f.unit), if m >= t { "yes" } else { "NO" }),
            Target::AtMost(t) => (format!("≤ {} {}", number(t), f.unit), if m <= t { "yes" } else { "NO" }),
            Target::None => ("–".to_owned(), ""),
        };
        println!("| {} ({}) |{cells} **{}** | {target} | {met} |", f.name, f.unit, number(m));
    }
    println!();
}

// ---- the bot in-process ----

/// A running bot (the same wiring as `main`) against a fake, with its own database.
struct Harness {
    tg: FakeTelegram,
    ctx: SharedCtx,
    stats: Arc<Stats>,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    _dir: TempDir,
}

/// Metrics are kept only while the HTTP server is on: `off` is the bot without them.
fn config_with_metrics(
    tg_url: &str,
    dir: &std::path::Path,
    database_url: String,
    send_rate: u32,
    metrics: bool,
) -> anyhow::Result<Config> {
    let http_addr = if metrics { "127.0.0.1:0" } else { "off" };
    let env: HashMap<&str, String> = HashMap::from([
        ("TELOXIDE_TOKEN", TOKEN.to_owned()),
        ("TELOXIDE_API_URL", tg_url.to_owned()),
        ("DATA_DIR", dir.display().to_string()),
        ("DATABASE_URL", database_url),
        ("ADMIN_IDS", ADMIN_ID.to_string()),
        ("SEND_RATE", send_rate.min(1000).to_string()),
        // Metrics on, as in production, on a port of its own; or off.
        ("HTTP_ADDR", http_addr.to_owned()),
    ]);
    Ok(Config::from_lookup(|name| env.get(name).cloned())?)
}

impl Harness {
    async fn start(tg: FakeTelegram, tuning: Tuning) -> anyhow::Result<Self> {
        Self::start_in(tempfile::tempdir()?, tg, tuning).await
    }

    /// Starts on a data folder prepared beforehand (`database_in`).
    async fn start_in(dir: TempDir, tg: FakeTelegram, tuning: Tuning) -> anyhow::Result<Self> {
        Self::start_configured(dir, tg, tuning, true).await
    }

    async fn start_configured(dir: TempDir, tg: FakeTelegram, tuning: Tuning, metrics: bool) -> anyhow::Result<Self> {
        let database_url = database_in(dir.path()).await?;
        let config =
            config_with_metrics(&tg.url(), dir.path(), database_url, tuning.limits.overall_per_sec as u32, metrics)?;
        let shutdown = CancellationToken::new();
        let running = app::start(config, Arc::new(SystemClock), tuning, shutdown.clone()).await?;
        let harness = Self { tg, ctx: running.ctx, stats: running.stats, shutdown, task: running.task, _dir: dir };
        for _ in 0..2000 {
            if harness.tg.polls_in_flight() > 0 {
                return Ok(harness);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        bail!("the bot never started polling")
    }

    async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        tokio::time::sleep(Duration::from_millis(20)).await;
        self.tg.release_polls();
        tokio::time::timeout(Duration::from_secs(30), self.task).await.context("the bot did not stop in 30 s")???;
        Ok(())
    }
}

/// The database a harness started in `dir` will open: a file in it, or with
/// `BENCH_DATABASE_URL=postgres://…/postgres` a database named after it on that server (created
/// at the first call), so the same scenario measures either backend.
async fn database_in(dir: &std::path::Path) -> anyhow::Result<String> {
    let Some(server) = std::env::var("BENCH_DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        return Ok(format!("sqlite://{}", dir.join("bot.sqlite").display()));
    };
    use sqlx::Connection;
    let folder = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let name: String = format!("bench_{folder}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect();
    let mut admin = sqlx::PgConnection::connect(&server).await.context("BENCH_DATABASE_URL")?;
    let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&name)
        .fetch_optional(&mut admin)
        .await?;
    if exists.is_none() {
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await?;
    }
    admin.close().await?;
    let base = server.split_once('?').map_or(server.as_str(), |(base, _)| base);
    let (server_part, _) = base.rsplit_once('/').context("BENCH_DATABASE_URL names a database")?;
    Ok(format!("{server_part}/{name}"))
}

/// Which backend the scenarios run on, for their titles.
fn backend_name() -> &'static str {
    match std::env::var("BENCH_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        Some(_) => "PostgreSQL",
        None => "SQLite",
    }
}

/// A time `seconds` (an SQL expression) after the stamp `base` (an SQL expression), as the
/// store's RFC 3339 text, in the backend's own date functions: seeding a million rows is done
/// by the database, not row by row.
fn shifted(db: &Db, base: &str, seconds: &str) -> String {
    match db {
        Db::Sqlite(_) => format!("strftime('%Y-%m-%dT%H:%M:%fZ', {base}, printf('%+d seconds', {seconds}))"),
        Db::Postgres(..) => format!(
            "to_char((({base})::timestamptz + ({seconds}) * INTERVAL '1 second') AT TIME ZONE 'UTC', \
             'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        ),
    }
}

/// Converts the fake's `Instant`s to wall-clock time.
#[derive(Clone, Copy)]
struct WallClock {
    instant: Instant,
    utc: DateTime<Utc>,
}

impl WallClock {
    fn now() -> Self {
        Self { instant: Instant::now(), utc: Utc::now() }
    }

    fn utc(&self, at: Instant) -> DateTime<Utc> {
        match at.checked_duration_since(self.instant) {
            Some(after) => self.utc + chrono::Duration::from_std(after).unwrap_or_default(),
            None => self.utc - chrono::Duration::from_std(self.instant - at).unwrap_or_default(),
        }
    }
}

fn seconds(d: chrono::Duration) -> f64 {
    d.num_microseconds().map_or(f64::NAN, |us| us as f64 / 1e6)
}

fn parse_utc(text: &str) -> anyhow::Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(text)?.with_timezone(&Utc))
}

fn jitsi(room: &str) -> Meeting {
    Meeting {
        id: room.to_owned(),
        join_url: format!("https://meet.jit.si/{room}"),
        host_url: None,
        extra: MeetingExtra::default(),
    }
}

fn new_event(title: &str, starts_at: DateTime<Utc>, reminders: Vec<ReminderOffset>) -> NewEvent {
    NewEvent {
        owner_id: teloxide::types::UserId(ADMIN_ID as u64),
        host_id: None,
        host_email: None,
        provider_id: None,
        title: title.to_owned(),
        description: Some("Тема: дроби и проценты".to_owned()),
        starts_at,
        duration_min: 90,
        tz: chrono_tz::Europe::Moscow,
        status: EventStatus::Planned,
        meeting: Some(jitsi("benchroom123")),
        options: serde_json::json!({}),
        reminders,
    }
}

/// Inserts people `first..first + count` as Russian-speaking listeners, in one statement.
async fn seed_people(pool: &Db, first: i64, count: i64, now: DateTime<Utc>) -> anyhow::Result<()> {
    on_db!(pool, |pool| {
        sqlx::query(
            "WITH RECURSIVE seq(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < $2)
             INSERT INTO users (id, first_name, username, language, timezone, created_at, updated_at)
             SELECT $1 + i, 'Слушатель', 'user' || ($1 + i), 'ru', 'Europe/Moscow', $3, $3 FROM seq",
        )
        .bind(first)
        .bind(count)
        .bind(stamp(now))
        .execute(pool)
        .await?;
        Ok(())
    })
}

/// People `first..first + n` listen to the event and already have its invitation, so only a
/// reminder fans out.
async fn seed_audience(pool: &Db, event: i64, first: i64, n: i64, now: DateTime<Utc>) -> anyhow::Result<()> {
    on_db!(pool, |pool| {
        let mut tx = webinar_bot::store::begin_write(pool).await?;
        sqlx::query(
            "WITH RECURSIVE seq(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < $3)
             INSERT INTO event_listeners (event_id, user_id, direct) SELECT $1, $2 + i, TRUE FROM seq",
        )
        .bind(event)
        .bind(first)
        .bind(n)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "WITH RECURSIVE seq(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < $3)
             INSERT INTO outbox (event_id, chat_id, kind, due_at, send_at, state, attempts, message_id,
                                 created_at, updated_at, sent_at)
             SELECT $1, $2 + i, 'invitation', $4, $4, 'sent', 1, 1 + i, $4, $4, $4 FROM seq",
        )
        .bind(event)
        .bind(first)
        .bind(n)
        .bind(stamp(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    })
}

/// Collects the fake's record of the reminders to `first..first + n` until each has one (or the
/// deadline): per chat, how many and when the first came.
async fn collect_reminders(
    tap: &mut mpsc::UnboundedReceiver<Call>,
    first: i64,
    n: i64,
    deadline: Instant,
) -> anyhow::Result<HashMap<i64, (usize, Instant)>> {
    let mut served: HashMap<i64, (usize, Instant)> = HashMap::new();
    let record = |call: Call, served: &mut HashMap<i64, (usize, Instant)>| {
        if call.method != "SendMessage" || !call.is_ok() || !call.text().contains("Через 1 час") {
            return;
        }
        if let Some(chat) = call.chat_id().filter(|c| (first..first + n).contains(c)) {
            served.entry(chat).or_insert((0, call.at)).0 += 1;
        }
    };
    while (served.len() as i64) < n {
        match tokio::time::timeout_at(deadline.into(), tap.recv()).await {
            Ok(Some(call)) => record(call, &mut served),
            Ok(None) => bail!("the fake stopped"),
            Err(_) => bail!("only {} of {n} recipients served by the deadline", served.len()),
        }
    }
    // A moment for duplicates to show up, had there been any.
    tokio::time::sleep(Duration::from_millis(500)).await;
    while let Ok(call) = tap.try_recv() {
        record(call, &mut served);
    }
    Ok(served)
}

// ---- fan-out ----

async fn fan_out(options: &Options) -> anyhow::Result<()> {
    let n: i64 = options.get("n", 10_000)?;
    let rate: u32 = options.get("rate", 30)?;
    let runs: usize = options.get("runs", 5)?;
    println!("fan-out: one 1-hour reminder to {n} listeners at {rate} msg/s (bot's send budget and fake's limiter)");
    let mut figures = vec![
        Figure::new("achieved rate ÷ configured rate", "ratio", Target::AtLeast(0.95)),
        Figure::new("429s received", "count", Target::AtMost(0.0)),
        Figure::new("first message after its send time (due − lead)", "s", Target::AtMost(1.0)),
        Figure::new("last recipient served, relative to due time", "s", Target::AtMost(0.0)),
        Figure::new("achieved rate", "msg/s", Target::None),
        Figure::new("planned lead (fan-out starts before due)", "s", Target::None),
        Figure::new("first message relative to due time", "s", Target::None),
        Figure::new("recipients served exactly once", "count", Target::AtLeast(n as f64)),
    ];
    for run in 1..=runs {
        let result = fan_out_once(n, rate).await.with_context(|| format!("fan-out run {run}"))?;
        println!(
            "run {run}: {:.1} msg/s, {} 429s, first {:+.3} s after send time, last {:+.3} s vs due, {} served once",
            result.rate, result.too_many, result.first_late, result.last_vs_due, result.served_once
        );
        let values = [
            result.rate / f64::from(rate),
            result.too_many as f64,
            result.first_late,
            result.last_vs_due,
            result.rate,
            result.lead,
            result.first_vs_due,
            result.served_once as f64,
        ];
        for (figure, value) in figures.iter_mut().zip(values) {
            figure.values.push(value);
        }
    }
    print_table(&format!("fan-out on {}: N = {n}, rate = {rate}/s, {runs} runs", backend_name()), &figures);
    Ok(())
}

struct FanOut {
    rate: f64,
    too_many: usize,
    first_late: f64,
    first_vs_due: f64,
    last_vs_due: f64,
    lead: f64,
    served_once: usize,
}

async fn fan_out_once(n: i64, rate: u32) -> anyhow::Result<FanOut> {
    let tg = FakeTelegram::start().await.with_limits(f64::from(rate), 1.0);
    // What `main` builds from SEND_RATE.
    let bot = Harness::start(tg.clone(), Tuning::for_rate(rate)).await?;
    let ctx = bot.ctx.clone();
    let pool = ctx.pool.clone();
    let first_id: i64 = 1_000_000;

    // The audience, and their invitations already sent, so only the reminder fans out.
    let now = Utc::now();
    seed_people(&pool, first_id, n, now).await?;
    // What the bot's plan will need, with nobody else talking to it.
    let lead = sending_time(n as u64, bulk_rate(f64::from(rate), 0.0)) + MARGIN;
    let due = whole_second(now + lead + chrono::Duration::seconds(3));
    let event = ctx
        .events
        .insert(&new_event("Алгебра, 8 класс", due + chrono::Duration::hours(1), vec![ReminderOffset::Hour1]), now)
        .await?;
    seed_audience(&pool, event.0, first_id, n, now).await?;

    let mut tap = tg.tap();
    let clock = WallClock::now();
    let planned = ctx.delivery.plan_event(event).await?;
    if planned != n as u64 {
        bail!("planned {planned} rows, expected {n}");
    }
    // The scheduler makes the plan, a moment after the rows are queued.
    let planned_by = Instant::now() + Duration::from_secs(5);
    let (send_at, due_at) = loop {
        let (send_at, due_at): (String, String) = on_db!(&pool, |pool| sqlx::query_as(
            "SELECT MIN(send_at), MIN(due_at) FROM outbox WHERE event_id = $1 AND kind LIKE 'reminder:%'",
        )
        .bind(event.0)
        .fetch_one(pool)
        .await)?;
        let (send_at, due_at) = (parse_utc(&send_at)?, parse_utc(&due_at)?);
        if send_at < due_at || Instant::now() > planned_by {
            break (send_at, due_at);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };

    let deadline = Instant::now() + (due_at - Utc::now()).to_std().unwrap_or_default() + Duration::from_secs(120);
    let served = collect_reminders(&mut tap, first_id, n, deadline).await?;
    let first = served.values().map(|(_, at)| *at).min();
    let last = served.values().map(|(_, at)| *at).max();
    let (first, last) = (first.context("no message")?, last.context("no message")?);
    let span = last.duration_since(first).as_secs_f64();
    let result = FanOut {
        rate: if span > 0.0 { (n - 1) as f64 / span } else { f64::NAN },
        too_many: tg.rate_limited(),
        first_late: seconds(clock.utc(first) - send_at),
        first_vs_due: seconds(clock.utc(first) - due_at),
        last_vs_due: seconds(clock.utc(last) - due_at),
        lead: seconds(due_at - send_at),
        served_once: served.values().filter(|(count, _)| *count == 1).count(),
    };
    let violations = tg.violations();
    if !violations.is_empty() {
        bail!("calls Telegram would refuse: {violations:?}");
    }
    bot.stop().await?;
    Ok(result)
}

fn whole_second(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp() + 1, 0).unwrap_or(at)
}

// ---- dialogue ----

/// What each teacher does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    /// `/new` with the shared Jitsi: title, service, a typed date, duration, no repeat, no
    /// description, default reminders, the event's own link, summary, create; once per round.
    Wizard,
    /// `/tz` → a typed zone name → `/lang` → a language button, `rounds` times.
    Settings,
    /// `/lang` once, then the language button `rounds` times: answerCallbackQuery (outside the
    /// send budget) and an editMessageText (inside it, as Telegram counts edits too). With
    /// `--limits open` this is the handlers' own speed.
    Buttons,
}

async fn dialogue(options: &Options) -> anyhow::Result<()> {
    let teachers: i64 = options.get("teachers", 200)?;
    let runs: usize = options.get("runs", 5)?;
    let flow = match options.text("flow", "wizard").as_str() {
        "wizard" => Flow::Wizard,
        "settings" => Flow::Settings,
        "buttons" => Flow::Buttons,
        other => bail!("--flow {other:?}: wizard, settings or buttons"),
    };
    let rounds: usize = options.get("rounds", if flow == Flow::Buttons { 20 } else { 1 })?;
    // A pause before each update (uniform in 0.5–1.5 × this, and a first one in 0–1 ×), like a
    // person reading; 0 keeps every teacher's next update waiting: saturation.
    let think: u64 = options.get("think-ms", 0)?;
    let mode = options.text("limits", "production");
    let (tuning, fake_limits) = limits_mode(&mode)?;
    let what = match flow {
        Flow::Wizard => "the /new wizard with Jitsi",
        Flow::Settings => "/tz → typed zone → /lang → language button",
        Flow::Buttons => "the language button (after one /lang)",
    };
    println!(
        "dialogue: {teachers} concurrent teachers, {rounds} round(s) each of {what}; think {think} ms; limits: {mode}"
    );
    let mut figures = vec![
        Figure::new("updates handled per second", "updates/s", Target::AtLeast(2000.0)),
        Figure::new("p50 update handed out → answer, all", "ms", Target::None),
        Figure::new("p99 update handed out → answer, all", "ms", Target::AtMost(10.0)),
        Figure::new("p50 … answered by sendMessage (through the send budget)", "ms", Target::None),
        Figure::new("p99 … answered by sendMessage (through the send budget)", "ms", Target::None),
        Figure::new("p50 … answered by answerCallbackQuery (outside the budget)", "ms", Target::None),
        Figure::new("p99 … answered by answerCallbackQuery (outside the budget)", "ms", Target::None),
        Figure::new("p99 update queued → answer, all", "ms", Target::None),
        Figure::new("p50 … answered by editing the question in place (wizard presses)", "ms", Target::None),
        Figure::new("p99 … answered by editing the question in place (wizard presses)", "ms", Target::None),
        Figure::new("bot messages sent per teacher per round (sendMessage)", "count", Target::None),
        Figure::new("edits per teacher per round (editMessageText/ReplyMarkup)", "count", Target::None),
        Figure::new("p50 press handed out → its edit (through the send budget)", "ms", Target::None),
        Figure::new("p99 press handed out → its edit (through the send budget)", "ms", Target::None),
        Figure::new("429s received", "count", Target::AtMost(0.0)),
    ];
    for run in 1..=runs {
        let r = dialogue_once(teachers, rounds, flow, think, tuning.clone(), fake_limits)
            .await
            .with_context(|| format!("dialogue run {run}"))?;
        // One sample an update (its first answer); a press's edit is counted on its own.
        let all: Vec<Sample> = r.samples.iter().filter(|s| s.kind != "EditMessageText").cloned().collect();
        let edits: Vec<Sample> = r.samples.iter().filter(|s| s.kind == "EditMessageText").cloned().collect();
        let (edits, _) = spread(&edits);
        let of = |kind: &str| -> Vec<Sample> { all.iter().filter(|s| s.kind == kind).cloned().collect() };
        let (handed, queued) = spread(&all);
        let (messages, _) = spread(&of("SendMessage"));
        let (callbacks, _) = spread(&of("AnswerCallbackQuery"));
        let (in_place, _) = spread(&of(IN_PLACE));
        let per_sec = all.len() as f64 / r.wall;
        println!(
            "run {run}: {} updates in {:.2} s = {per_sec:.0}/s; handed out → answer p50 {:.2} ms p99 {:.2} ms; 429s {}",
            all.len(),
            r.wall,
            quantile(&handed, 0.5),
            quantile(&handed, 0.99),
            r.too_many
        );
        let values = [
            per_sec,
            quantile(&handed, 0.5),
            quantile(&handed, 0.99),
            quantile(&messages, 0.5),
            quantile(&messages, 0.99),
            quantile(&callbacks, 0.5),
            quantile(&callbacks, 0.99),
            quantile(&queued, 0.99),
            quantile(&in_place, 0.5),
            quantile(&in_place, 0.99),
            r.sent_per_round,
            r.edited_per_round,
            quantile(&edits, 0.5),
            quantile(&edits, 0.99),
            r.too_many as f64,
        ];
        for (figure, value) in figures.iter_mut().zip(values) {
            figure.values.push(value);
        }
    }
    let title =
        format!("dialogue: K = {teachers}, {rounds} round(s) of {what}, think {think} ms, limits {mode}, {runs} runs");
    print_table(&title, &figures);
    Ok(())
}

/// The bot's tuning and the fake's (overall, per chat) limits for `--limits`.
fn limits_mode(mode: &str) -> anyhow::Result<(Tuning, Option<(f64, f64)>)> {
    Ok(match mode {
        // What `main` runs with, against a fake that enforces Telegram's 30/s and 1/s per chat.
        "production" => (Tuning::default(), Some((30.0, 1.0))),
        // Telegram's limits off on both sides (the send budget still in the path, as it always is).
        "open" => (
            Tuning::with_poll_timeout(
                Duration::from_secs(10),
                Limits {
                    overall_per_sec: 100_000.0,
                    private_per_sec: 10_000.0,
                    private_burst: 10_000.0,
                    group_per_min: 1_000_000,
                    paid_per_sec: None,
                },
            ),
            None,
        ),
        other => bail!("--limits {other:?}: production or open"),
    })
}

/// Sorted latencies, from handed out and from queued.
fn spread(samples: &[Sample]) -> (Vec<f64>, Vec<f64>) {
    let mut handed: Vec<f64> = samples.iter().map(|s| s.handed_ms).collect();
    let mut queued: Vec<f64> = samples.iter().map(|s| s.queued_ms).collect();
    handed.sort_by(f64::total_cmp);
    queued.sort_by(f64::total_cmp);
    (handed, queued)
}

struct DialogueRun {
    samples: Vec<Sample>,
    wall: f64,
    too_many: usize,
    /// What the bot did in the teachers' chats, per teacher and round.
    sent_per_round: f64,
    edited_per_round: f64,
}

/// The kind of a sample whose first answer edited the pressed question in place (the wizard).
const IN_PLACE: &str = "EditInPlace";

/// One answered update: the answer's method and its latency in ms from the moment getUpdates
/// handed the update out, and from the moment the user queued it.
#[derive(Clone)]
struct Sample {
    kind: String,
    handed_ms: f64,
    queued_ms: f64,
    /// The chat, when the update was handed out and when the answer reached the fake: what the
    /// busy scenario needs to tell a chat's own limit from the rest of a wait.
    chat: i64,
    handed: Instant,
    at: Instant,
}

async fn dialogue_once(
    teachers: i64,
    rounds: usize,
    flow: Flow,
    think: u64,
    tuning: Tuning,
    fake_limits: Option<(f64, f64)>,
) -> anyhow::Result<DialogueRun> {
    let mut tg = FakeTelegram::start().await;
    if let Some((overall, per_chat)) = fake_limits {
        tg = tg.with_limits(overall, per_chat);
    }
    let bot = Harness::start(tg.clone(), tuning).await?;
    let crowd = Teachers::start(&tg, &bot.ctx.pool, teachers, flow, rounds, think, None).await?;
    let start = Instant::now();
    let samples = crowd.finish().await?;
    let wall = start.elapsed().as_secs_f64();
    let too_many = tg.rate_limited();
    let violations = tg.violations();
    bot.stop().await?;
    if !violations.is_empty() {
        bail!("calls Telegram would refuse: {violations:?}");
    }
    let (mut sent, mut edited) = (0usize, 0usize);
    for call in tg.calls().iter().filter(|c| c.is_ok() && c.chat_id().is_some_and(|id| id >= 2_000_000)) {
        match call.method.as_str() {
            "SendMessage" | "SendDocument" => sent += 1,
            "EditMessageText" | "EditMessageReplyMarkup" => edited += 1,
            _ => {}
        }
    }
    let per_round = (teachers * rounds as i64).max(1) as f64;
    Ok(DialogueRun {
        samples,
        wall,
        too_many,
        sent_per_round: sent as f64 / per_round,
        edited_per_round: edited as f64 / per_round,
    })
}

/// Teachers driving the bot through the fake, each in a task of its own.
struct Teachers {
    tasks: Vec<tokio::task::JoinHandle<anyhow::Result<Vec<Sample>>>>,
    router: tokio::task::JoinHandle<()>,
}

impl Teachers {
    /// Seeds `count` teachers and starts them together (once the buttons flow has its menus).
    /// With `stop`, each runs until it is set instead of for `rounds`.
    async fn start(
        tg: &FakeTelegram,
        pool: &Db,
        count: i64,
        flow: Flow,
        rounds: usize,
        think: u64,
        stop: Option<Arc<std::sync::atomic::AtomicBool>>,
    ) -> anyhow::Result<Self> {
        // Only teachers may use /new.
        on_db!(pool, |pool| sqlx::query(
            "WITH RECURSIVE seq(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < $1)
             INSERT INTO users (id, first_name, role, language, timezone, created_at, updated_at)
             SELECT 2000000 + i, 'Иван', 'teacher', 'ru', 'Europe/Moscow', $2, $2 FROM seq",
        )
        .bind(count)
        .bind(stamp(Utc::now()))
        .execute(pool)
        .await
        .map(drop))?;

        // One reader of the fake's calls hands each teacher the calls in their chat.
        let mut tap = tg.tap();
        let callbacks: Arc<Mutex<HashMap<String, i64>>> = Arc::default();
        let mut inboxes = HashMap::new();
        let mut receivers = Vec::new();
        for t in 0..count {
            let (tx, rx) = mpsc::unbounded_channel::<Call>();
            inboxes.insert(2_000_000 + t, tx);
            receivers.push((2_000_000 + t, rx));
        }
        let router = tokio::spawn({
            let callbacks = callbacks.clone();
            async move {
                while let Some(call) = tap.recv().await {
                    let chat = call.chat_id().or_else(|| {
                        let id = call.body.get("callback_query_id")?.as_str()?;
                        callbacks.lock().unwrap_or_else(|e| e.into_inner()).get(id).copied()
                    });
                    if let Some(inbox) = chat.and_then(|c| inboxes.get(&c)) {
                        let _ = inbox.send(call);
                    }
                }
            }
        });

        let gate = Arc::new(tokio::sync::Barrier::new(receivers.len() + 1));
        let mut tasks = Vec::new();
        for (id, inbox) in receivers {
            let teacher = Teacher {
                tg: tg.clone(),
                user: TgUser::ru(id),
                inbox,
                callbacks: callbacks.clone(),
                think,
                rng: rand::rngs::StdRng::seed_from_u64(id as u64),
                stop: stop.clone(),
            };
            let gate = gate.clone();
            tasks.push(tokio::spawn(async move { teacher.run(flow, rounds, gate).await }));
        }
        gate.wait().await;
        Ok(Self { tasks, router })
    }

    async fn finish(self) -> anyhow::Result<Vec<Sample>> {
        let mut samples = Vec::new();
        for task in self.tasks {
            samples.extend(task.await??);
        }
        self.router.abort();
        Ok(samples)
    }
}

struct Teacher {
    tg: FakeTelegram,
    user: TgUser,
    inbox: mpsc::UnboundedReceiver<Call>,
    callbacks: Arc<Mutex<HashMap<String, i64>>>,
    think: u64,
    rng: rand::rngs::StdRng,
    /// When set, the buttons flow ends at the next press.
    stop: Option<Arc<std::sync::atomic::AtomicBool>>,
}

impl Teacher {
    /// Waits as a person would before the next update; `first` spreads the starts.
    async fn pause(&mut self, first: bool) {
        if self.think == 0 {
            return;
        }
        let think = self.think as f64;
        let ms = if first { self.rng.gen_range(0.0..think) } else { self.rng.gen_range(0.5 * think..1.5 * think) };
        tokio::time::sleep(Duration::from_secs_f64(ms / 1e3)).await;
    }

    /// Goes through the flow `rounds` times; one sample per timed update.
    async fn run(mut self, flow: Flow, rounds: usize, gate: Arc<tokio::sync::Barrier>) -> anyhow::Result<Vec<Sample>> {
        let mut samples = Vec::new();
        if flow == Flow::Buttons {
            // The menu whose button is pressed; set up before the clock starts.
            let update = self.tg.push_text(&self.user, "/lang");
            let (menu, _) = self.answer(update, "SendMessage").await?;
            gate.wait().await;
            let message = menu.message_id().context("the language menu has no message id")?;
            let buttons = menu.buttons();
            for round in 0..rounds {
                if self.stop.as_ref().is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed)) {
                    break;
                }
                self.pause(round == 0).await;
                let (_, data) = buttons.get(round % buttons.len().max(1)).context("no buttons")?;
                samples.extend(self.press(message, data).await?);
            }
            return Ok(samples);
        }
        gate.wait().await;
        if flow == Flow::Wizard {
            for round in 0..rounds {
                self.wizard(round, &mut samples).await?;
            }
            return Ok(samples);
        }
        let zones = ["Asia/Omsk", "Europe/Samara"];
        for round in 0..rounds {
            for (step, text) in ["/tz", zones[round % 2]].into_iter().enumerate() {
                self.pause(round == 0 && step == 0).await;
                let update = self.tg.push_text(&self.user, text);
                samples.push(self.answer(update, "SendMessage").await?.1);
            }
            self.pause(false).await;
            let update = self.tg.push_text(&self.user, "/lang");
            let (menu, sample) = self.answer(update, "SendMessage").await?;
            samples.push(sample);
            let message = menu.message_id().context("the language menu has no message id")?;
            let buttons = menu.buttons();
            let (_, data) = buttons.get(round % buttons.len().max(1)).context("no buttons")?;
            self.pause(false).await;
            samples.extend(self.press(message, data).await?);
        }
        Ok(samples)
    }

    /// One pass through `/new`, answering each question as the tests do.
    async fn wizard(&mut self, round: usize, samples: &mut Vec<Sample>) -> anyhow::Result<()> {
        let tomorrow = (Utc::now() + chrono::Duration::days(1)).with_timezone(&chrono_tz::Europe::Moscow);
        let start = tomorrow.format("%d.%m.%Y 18:30").to_string();
        let title = format!("Вебинар №{round}: налоговый вычет");
        self.pause(round == 0).await;
        self.say("/new", "Как называется", samples).await?;
        self.pause(false).await;
        let q = self.say(&title, "Где провести", samples).await?;
        self.pause(false).await;
        self.choose(&q, "Jitsi", "Какого числа", samples).await?;
        self.pause(false).await;
        let q = self.say(&start, "Сколько длится", samples).await?;
        self.pause(false).await;
        let mut q = self.choose(&q, "1 час 30 минут", "", samples).await?;
        for (asked, label) in [
            ("повторяется", "Не повторять"),
            ("Добавьте описание", "Пропустить"),
            ("Кто ведёт", "Я"),
            ("Настройки встречи", "Готово"),
            ("Когда напомнить", "Готово"),
            ("Кого пригласить", "Готово"),
        ] {
            if q.text().contains(asked) {
                self.pause(false).await;
                q = self.choose(&q, label, "", samples).await?;
            }
        }
        if !q.text().contains("Проверьте занятие") {
            bail!("expected the summary, got {:?}", q.text());
        }
        self.pause(false).await;
        self.choose(&q, "Создать", "Занятие создано", samples).await?;
        Ok(())
    }

    /// Sends `text`; returns the question the bot asks next (which must contain `expect`).
    async fn say(&mut self, text: &str, expect_text: &str, samples: &mut Vec<Sample>) -> anyhow::Result<Call> {
        let update = self.tg.push_text(&self.user, text);
        let (call, sample) = self.answer(update, "SendMessage").await?;
        samples.push(sample);
        if !call.text().contains(expect_text) {
            bail!("after {text:?} expected {expect_text:?}, got {:?}", call.text());
        }
        Ok(call)
    }

    /// Presses the button labelled `label` under `question`; waits for both the press's answer and
    /// the bot's next message (the first one containing `expect_text`). Timed to whichever came first.
    async fn choose(
        &mut self,
        question: &Call,
        label: &str,
        expect_text: &str,
        samples: &mut Vec<Sample>,
    ) -> anyhow::Result<Call> {
        let message = question.message_id().context("the question has no message id")?;
        let data = question
            .buttons()
            .into_iter()
            .find(|(l, _)| l.contains(label))
            .map(|(_, d)| d)
            .with_context(|| format!("no button {label:?} in {:?}", question.buttons()))?;
        let pushed = Instant::now();
        let update = {
            let mut map = self.callbacks.lock().unwrap_or_else(|e| e.into_inner());
            let update = self.tg.push_press(&self.user, message, &data);
            map.insert(format!("cb{update}"), self.user.id);
            update
        };
        let (mut answered, mut next) = (false, None);
        let mut first: Option<Call> = None;
        while !answered || next.is_none() {
            let call = tokio::time::timeout(Duration::from_secs(180), self.inbox.recv())
                .await
                .with_context(|| format!("no answer to {label:?} within 180 s"))?
                .context("the router stopped")?;
            if !call.is_ok() {
                if call.fault.is_none() {
                    bail!("{} failed: {}", call.method, call.body);
                }
                continue;
            }
            // A typed answer's question loses its buttons after the next one is sent: that
            // edit may arrive here, but it answers the update before this press.
            if call.at < pushed {
                continue;
            }
            if first.is_none() {
                first = Some(call.clone());
            }
            match call.method.as_str() {
                "AnswerCallbackQuery" => answered = true,
                // The wizard shows the next question over the pressed one, or (after the
                // summary) the card as a new message.
                "SendMessage" | "EditMessageText" if call.text().contains(expect_text) => next = Some(call),
                _ => {}
            }
        }
        let first = first.context("no call")?;
        let kind = if first.method == "EditMessageText" { IN_PLACE.to_owned() } else { first.method.clone() };
        let times = self.tg.update_times(update).context("the fake lost the update")?;
        let handed = times.handed_out.context("an answer came to an update never handed out")?;
        let ms = |from: Instant| first.at.saturating_duration_since(from).as_secs_f64() * 1e3;
        samples.push(Sample {
            kind,
            handed_ms: ms(handed),
            queued_ms: ms(times.queued),
            chat: self.user.id,
            handed,
            at: first.at,
        });
        next.context("no next question")
    }

    /// Presses a button: one sample timed to the callback's answer, one (kind `EditMessageText`)
    /// to the edit that shows its effect, which goes through the send budget.
    async fn press(&mut self, message: i64, data: &str) -> anyhow::Result<[Sample; 2]> {
        let update = {
            let mut map = self.callbacks.lock().unwrap_or_else(|e| e.into_inner());
            let update = self.tg.push_press(&self.user, message, data);
            map.insert(format!("cb{update}"), self.user.id);
            update
        };
        let (_, answered) = self.answer(update, "AnswerCallbackQuery").await?;
        let (_, edited) = self.answer(update, "EditMessageText").await?;
        Ok([answered, edited])
    }

    async fn answer(&mut self, update: i64, method: &str) -> anyhow::Result<(Call, Sample)> {
        let call = expect(&mut self.inbox, method).await?;
        let times = self.tg.update_times(update).context("the fake lost the update")?;
        let handed = times.handed_out.context("an answer came to an update never handed out")?;
        let ms = |from: Instant| call.at.saturating_duration_since(from).as_secs_f64() * 1e3;
        let sample = Sample {
            kind: method.to_owned(),
            handed_ms: ms(handed),
            queued_ms: ms(times.queued),
            chat: self.user.id,
            handed,
            at: call.at,
        };
        Ok((call, sample))
    }
}

async fn expect(inbox: &mut mpsc::UnboundedReceiver<Call>, method: &str) -> anyhow::Result<Call> {
    loop {
        let call = tokio::time::timeout(Duration::from_secs(120), inbox.recv())
            .await
            .with_context(|| format!("no {method} within 120 s"))?
            .context("the router stopped")?;
        if call.method == method && call.is_ok() {
            return Ok(call);
        }
        if !call.is_ok() && call.fault.is_none() {
            bail!("{} failed: {}", call.method, call.body);
        }
    }
}

// ---- footprint ----

async fn footprint(options: &Options) -> anyhow::Result<()> {
    let events: i64 = options.get("events", 10_000)?;
    let listeners: i64 = options.get("listeners", 100_000)?;
    let queued: i64 = options.get("queued", 300_000)?;
    let runs: usize = options.get("runs", 5)?;
    let binary = env!("CARGO_BIN_EXE_webinar-bot");
    println!(
        "footprint: the release binary {binary} as a child process, against the fake in this process; \
         RSS read from /proc/<child>/status"
    );

    let empty = tempfile::tempdir()?;
    let loaded = tempfile::tempdir()?;
    let seeded = Instant::now();
    seed_footprint(loaded.path(), events, listeners, queued).await?;
    println!(
        "seeded {events} events, {listeners} listeners, {queued} pending deliveries in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );

    let mut figures = vec![
        Figure::new("RSS, loaded DB, idle after one dialogue (VmRSS)", "MB", Target::AtMost(40.0)),
        Figure::new("peak RSS, loaded DB (VmHWM)", "MB", Target::AtMost(40.0)),
        Figure::new("start → first getUpdates, loaded DB", "ms", Target::AtMost(300.0)),
        Figure::new("RSS, empty DB (VmRSS)", "MB", Target::None),
        Figure::new("start → first getUpdates, empty DB", "ms", Target::None),
    ];
    for run in 1..=runs {
        let full = footprint_once(binary, loaded.path()).await.with_context(|| format!("footprint run {run}"))?;
        let bare = footprint_once(binary, empty.path()).await.with_context(|| format!("footprint run {run}, empty"))?;
        println!(
            "run {run}: loaded RSS {:.1} MB (peak {:.1} MB), first getUpdates {:.0} ms; empty RSS {:.1} MB, {:.0} ms",
            full.rss, full.hwm, full.startup, bare.rss, bare.startup
        );
        for (figure, value) in figures.iter_mut().zip([full.rss, full.hwm, full.startup, bare.rss, bare.startup]) {
            figure.values.push(value);
        }
    }
    print_table(
        &format!("footprint: {events} events, {listeners} listeners, {queued} queued deliveries, {runs} runs"),
        &figures,
    );
    Ok(())
}

async fn seed_footprint(dir: &std::path::Path, events: i64, listeners: i64, queued: i64) -> anyhow::Result<()> {
    let pool = webinar_bot::store::connect(&database_in(dir).await?).await?;
    webinar_bot::store::migrate(&pool).await?;
    let starts = shifted(&pool, "$1", "(1440 + i * 3) * 60");
    let due = shifted(&pool, "$5", "(60 + i % 10000) * 60");
    on_db!(&pool, |pool| {
        let now = Utc::now();
        let mut tx = webinar_bot::store::begin_write(pool).await?;
        sqlx::query(
            "INSERT INTO users (id, first_name, role, language, timezone, created_at, updated_at)
             VALUES ($1, 'Admin', 'admin', 'ru', 'Europe/Moscow', $2, $2)",
        )
        .bind(ADMIN_ID)
        .bind(stamp(now))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "WITH RECURSIVE seq(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < $2)
             INSERT INTO users (id, first_name, username, language, timezone, created_at, updated_at)
             SELECT 1000000 + i, 'Слушатель', 'user' || (1000000 + i), 'ru', 'Europe/Moscow', $1, $1 FROM seq",
        )
        .bind(stamp(now))
        .bind(listeners)
        .execute(&mut *tx)
        .await?;
        // Events start over the next three weeks, each with a Jitsi room and three reminders.
        let meeting = serde_json::to_string(&jitsi("benchroom123"))?;
        sqlx::query(&format!(
            "WITH RECURSIVE seq(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM seq WHERE i + 1 <= $2)
             INSERT INTO events (id, owner_id, title, description, starts_at, duration_min, timezone, status,
                                 meeting, reminders, created_at, updated_at)
             SELECT i, $3, 'Занятие №' || i, 'Тема: дроби и проценты, группа ' || (i % 50),
                    {starts}, 90, 'Europe/Moscow',
                    'planned', $4, '1d,1h,15m', $1, $1
               FROM seq"
        ))
        .bind(stamp(now))
        .bind(events)
        .bind(ADMIN_ID)
        .bind(&meeting)
        .execute(&mut *tx)
        .await?;
        // Every listener belongs to one event (listeners ÷ events each).
        sqlx::query(
            "WITH RECURSIVE seq(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < $1)
             INSERT INTO event_listeners (event_id, user_id, direct) SELECT 1 + i % $2, 1000000 + i, TRUE FROM seq",
        )
        .bind(listeners)
        .bind(events)
        .execute(&mut *tx)
        .await?;
        // The queued deliveries: that event's reminders for each listener, all in the future.
        let kinds = ["reminder:1d:0", "reminder:1h:0", "reminder:15m:0"];
        let per_kind = (queued + kinds.len() as i64 - 1) / kinds.len() as i64;
        for (k, kind) in kinds.iter().enumerate() {
            let count = per_kind.min(queued - per_kind * k as i64).max(0);
            sqlx::query(&format!(
                "WITH RECURSIVE seq(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < $1)
                 INSERT INTO outbox (event_id, chat_id, kind, due_at, send_at, created_at, updated_at)
                 SELECT 1 + (i % $2) % $3, 1000000 + i % $2, $4 || CASE WHEN i >= $2 THEN ':' || (i / $2) ELSE '' END,
                        {due}, {due}, $5, $5
                   FROM seq"
            ))
            .bind(count)
            .bind(listeners)
            .bind(events)
            .bind(kind)
            .bind(stamp(now))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        anyhow::Ok(())
    })?;
    let rows: i64 = on_db!(&pool, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
        .fetch_one(pool)
        .await)?;
    if rows != queued {
        bail!("seeded {rows} pending rows, expected {queued}");
    }
    pool.close().await;
    Ok(())
}

struct Footprint {
    rss: f64,
    hwm: f64,
    startup: f64,
}

async fn footprint_once(binary: &str, dir: &std::path::Path) -> anyhow::Result<Footprint> {
    let tg = FakeTelegram::start().await;
    let mut tap = tg.tap();
    let started = Instant::now();
    let mut child = std::process::Command::new(binary)
        .arg("run")
        .env_clear()
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", tg.url())
        .env("DATA_DIR", dir)
        .env("DATABASE_URL", database_in(dir).await?)
        .env("ADMIN_IDS", ADMIN_ID.to_string())
        .env("RUST_LOG", "warn")
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.join("bot.log"))?)
        .spawn()
        .context("starting the bot binary")?;
    let pid = child.id();
    let outcome = async {
        let first = loop {
            if let Some(first) = tg.first_get_updates() {
                break first;
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!("no getUpdates within 30 s");
            }
            if let Some(status) = child.try_wait()? {
                bail!("the bot exited with {status}");
            }
            tokio::time::sleep(Duration::from_micros(500)).await;
        };
        let startup = first.duration_since(started).as_secs_f64() * 1e3;
        // One person talks to it, so the handler path has run, then it idles.
        let user = TgUser::ru(3_000_000);
        tg.push_text(&user, "/tz");
        expect_chat(&mut tap, user.id, "SendMessage").await?;
        tg.push_text(&user, "Asia/Omsk");
        expect_chat(&mut tap, user.id, "SendMessage").await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let (rss, hwm) = memory_of(pid)?;
        Ok(Footprint { rss, hwm, startup })
    }
    .await;
    let _ = std::process::Command::new("kill").arg("-TERM").arg(pid.to_string()).status();
    tokio::time::sleep(Duration::from_millis(50)).await;
    tg.release_polls();
    let stopped = Instant::now();
    while child.try_wait()?.is_none() {
        if stopped.elapsed() > Duration::from_secs(10) {
            child.kill()?;
            child.wait()?;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    outcome
}

async fn expect_chat(tap: &mut mpsc::UnboundedReceiver<Call>, chat: i64, method: &str) -> anyhow::Result<Call> {
    loop {
        let call = tokio::time::timeout(Duration::from_secs(30), tap.recv())
            .await
            .with_context(|| format!("no {method} within 30 s"))?
            .context("the fake stopped")?;
        if call.method == method && call.chat_id() == Some(chat) {
            return Ok(call);
        }
    }
}

/// VmRSS and VmHWM of a process, in MB.
fn memory_of(pid: u32) -> anyhow::Result<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> anyhow::Result<f64> {
        let line = status.lines().find(|l| l.starts_with(name)).with_context(|| format!("no {name}"))?;
        let kb: f64 = line.split_whitespace().nth(1).context("no value")?.parse()?;
        Ok(kb / 1024.0)
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

// ---- scale ----

/// The scheduler's queries, as in `store/outbox.rs`, for EXPLAIN QUERY PLAN.
const NEXT_SEND_AT: &str = "SELECT o.send_at FROM outbox o WHERE o.state = 'pending' AND (o.kind = 'invitation' \
     OR NOT EXISTS (SELECT 1 FROM outbox first WHERE first.event_id = o.event_id AND first.chat_id = o.chat_id \
                     AND first.kind = 'invitation' AND first.state IN ('pending', 'sending'))) \
     ORDER BY o.send_at, o.id LIMIT 1";
const DUE: &str = "UPDATE outbox SET state = 'sending', updated_at = $1 \
                   WHERE id IN (SELECT o.id FROM outbox o WHERE o.state = 'pending' AND o.send_at <= $1 \
                                 AND (o.kind = 'invitation' OR NOT EXISTS (SELECT 1 FROM outbox first \
                                      WHERE first.event_id = o.event_id AND first.chat_id = o.chat_id \
                                        AND first.kind = 'invitation' AND first.state IN ('pending', 'sending'))) \
                                 ORDER BY o.send_at, o.id LIMIT $2) RETURNING id";
const COLLAPSE: &str =
    "UPDATE outbox SET state = 'skipped', reason = 'collapsed into a later reminder', updated_at = $1
  WHERE state = 'pending' AND send_at <= $1 AND kind LIKE 'reminder:%' AND due_at < $2
    AND EXISTS (SELECT 1 FROM outbox later
                 WHERE later.event_id = outbox.event_id AND later.chat_id = outbox.chat_id
                   AND later.state = 'pending' AND later.kind LIKE 'reminder:%'
                   AND later.due_at < $2 AND later.due_at > outbox.due_at)";

async fn scale(options: &Options) -> anyhow::Result<()> {
    let sizes: Vec<i64> = options
        .text("sizes", "10000,1000000")
        .split(',')
        .map(|s| s.trim().parse().map_err(|_| anyhow!("--sizes {s:?}")))
        .collect::<anyhow::Result<_>>()?;
    let calls: usize = options.get("calls", 1000)?;
    let runs: usize = options.get("runs", 5)?;
    // An experiment, not the bot's setting: SQLite's page cache per connection (its default is 2 MiB).
    let cache_mib: u32 = options.get("cache-mib", 0)?;
    let mut figures = Vec::new();
    for size in &sizes {
        let dir = tempfile::tempdir()?;
        let url = database_in(dir.path()).await?;
        let pool = webinar_bot::store::connect(&url).await?;
        webinar_bot::store::migrate(&pool).await?;
        let seeded = Instant::now();
        let (now, pending) = seed_outbox(&pool, *size).await?;
        println!(
            "\n{size} rows ({pending} pending, half of them due) seeded in {:.1} s; query plans:",
            seeded.elapsed().as_secs_f64()
        );
        let (at, before) = (format!("'{}'", stamp(now)), format!("'{}'", stamp(now - chrono::Duration::seconds(60))));
        for (name, sql, params) in [
            ("next_send_at", NEXT_SEND_AT, vec![]),
            ("claim_due", DUE, vec![at.clone(), "256".to_owned()]),
            ("collapse_overdue_reminders", COLLAPSE, vec![at.clone(), before]),
        ] {
            println!("  {name}:");
            for line in query_plan(&pool, sql, &params).await? {
                println!("    {line}");
            }
        }
        if let Db::Postgres(pg, me) = &pool {
            // The outbox claims only under the leader lease, as the running bot does.
            let epoch = webinar_bot::store::leader::acquire(pg, me, Duration::from_secs(3600)).await?;
            me.hold(epoch.context("the bench's database has another leader")?);
        }
        let pool = if cache_mib > 0 {
            let Db::Sqlite(_) = &pool else { bail!("--cache-mib is an experiment with SQLite's page cache") };
            pool.close().await;
            let options = <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(&url)?
                .pragma("cache_size", format!("-{}", u64::from(cache_mib) * 1024));
            println!("  (experiment: cache_size of {cache_mib} MiB per connection)");
            Db::Sqlite(sqlx::sqlite::SqlitePoolOptions::new().max_connections(8).connect_with(options).await?)
        } else {
            pool
        };
        let outbox = Outbox::new(pool.clone());
        let mut next = Figure::new(format!("next_send_at(), {size} rows, median"), "ms", Target::AtMost(1.0));
        let mut next99 = Figure::new(format!("next_send_at(), {size} rows, p99"), "ms", Target::None);
        // A claim marks its rows `sending`; each timed call puts them back, as a restart would.
        let mut due =
            Figure::new(format!("claim_due(now, 256) + release, {size} rows, median"), "ms", Target::AtMost(1.0));
        let mut due99 = Figure::new(format!("claim_due(now, 256) + release, {size} rows, p99"), "ms", Target::None);
        let mut due1 = Figure::new(format!("claim_due(now, 1) + release, {size} rows, median"), "ms", Target::None);
        let mut collapse =
            Figure::new(format!("collapse_overdue_reminders(), {size} rows, median"), "ms", Target::None);
        let overdue_before = now - chrono::Duration::seconds(60);
        for _ in 1..=runs {
            let (m, p) = time_calls(calls, || async {
                outbox.next_send_at().await?.context("nothing pending")?;
                Ok(())
            })
            .await?;
            next.values.push(m);
            next99.values.push(p);
            let (m, p) = time_calls(calls, || async {
                let rows = outbox.claim_due(now, 256).await?;
                if rows.len() != 256 {
                    bail!("claim_due() returned {} rows", rows.len());
                }
                release(&pool).await
            })
            .await?;
            due.values.push(m);
            due99.values.push(p);
            let (m, _) = time_calls(calls, || async {
                outbox.claim_due(now, 1).await?;
                release(&pool).await
            })
            .await?;
            due1.values.push(m);
            let (m, _) = time_calls(calls / 10, || async {
                outbox.collapse_overdue_reminders(now, overdue_before).await?;
                Ok(())
            })
            .await?;
            collapse.values.push(m);
        }
        figures.extend([next, next99, due, due99, due1, collapse]);
        pool.close().await;
    }
    print_table(
        &format!(
            "scale on {}: {calls} timed calls per run (after 50 warm-up calls), {runs} runs; each run's median/p99",
            backend_name()
        ),
        &figures,
    );
    Ok(())
}

/// Median and p99 of `calls` timed calls, in ms.
async fn time_calls<F, Fut>(calls: usize, mut f: F) -> anyhow::Result<(f64, f64)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    for _ in 0..50 {
        f().await?;
    }
    let mut times = Vec::with_capacity(calls);
    for _ in 0..calls.max(1) {
        let start = Instant::now();
        f().await?;
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Ok((quantile(&times, 0.5), quantile(&times, 0.99)))
}

/// Puts the claimed rows back, as a restart of the only instance would.
async fn release(pool: &Db) -> anyhow::Result<()> {
    let sql = match pool {
        Db::Sqlite(_) => "UPDATE outbox SET state = 'pending' WHERE state = 'sending'",
        Db::Postgres(..) => {
            "UPDATE outbox SET state = 'pending', claimed_by = NULL, lease_until = NULL WHERE state = 'sending'"
        }
    };
    on_db!(pool, |pool| sqlx::query(sql).execute(pool).await.map(drop))?;
    Ok(())
}

/// How the backend runs `sql`, one line per step of its plan. PostgreSQL 15 plans only a query
/// whose parameters have values: `params` are put in as literals there.
async fn query_plan(pool: &Db, sql: &str, params: &[String]) -> anyhow::Result<Vec<String>> {
    Ok(match pool {
        Db::Sqlite(pool) => {
            let plan: Vec<(i64, i64, i64, String)> =
                sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}")).fetch_all(pool).await?;
            plan.into_iter().map(|(_, _, _, detail)| detail).collect()
        }
        // EXPLAIN without ANALYZE: the plan for generic parameters, nothing written.
        Db::Postgres(pool, _) => {
            let literal = params
                .iter()
                .enumerate()
                .rev()
                .fold(sql.to_owned(), |sql, (i, value)| sql.replace(&format!("${}", i + 1), value));
            sqlx::query_scalar(&format!("EXPLAIN {literal}")).fetch_all(pool).await?
        }
    })
}

/// `size` outbox rows over 100 events: most sent in the past, some pending (max(1000, 2 %)) with
/// send times spread over a day around `now`, so half of the pending ones are due.
async fn seed_outbox(db: &Db, size: i64) -> anyhow::Result<(DateTime<Utc>, i64)> {
    on_db!(db, |pool| {
        let now = whole_second(Utc::now());
        let events = 100;
        let mut tx = webinar_bot::store::begin_write(pool).await?;
        sqlx::query(
            "INSERT INTO users (id, first_name, role, language, timezone, created_at, updated_at)
             VALUES ($1, 'Admin', 'admin', 'ru', 'Europe/Moscow', $2, $2)",
        )
        .bind(ADMIN_ID)
        .bind(stamp(now))
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "WITH RECURSIVE seq(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM seq WHERE i + 1 <= $2)
             INSERT INTO events (id, owner_id, title, starts_at, duration_min, timezone, status, reminders, created_at, updated_at)
             SELECT i, $3, 'Занятие №' || i, {}, 90, 'Europe/Moscow', 'planned', '1h', $1, $1 FROM seq",
            shifted(db, "$1", "172800")
        ))
        .bind(stamp(now))
        .bind(events)
        .bind(ADMIN_ID)
        .execute(&mut *tx)
        .await?;
        let every = (size / (size / 50).max(1000)).max(1);
        sqlx::query(&format!(
            "WITH RECURSIVE seq(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < $1)
             INSERT INTO outbox (event_id, chat_id, kind, due_at, send_at, state, attempts, message_id,
                                 created_at, updated_at, sent_at)
             SELECT 1 + i % $2, 1000000 + i / $2,
                    CASE WHEN i % $3 = 0 THEN 'reminder:1h:0' ELSE 'invitation' END,
                    t, t,
                    CASE WHEN i % $3 = 0 THEN 'pending' ELSE 'sent' END,
                    CASE WHEN i % $3 = 0 THEN 0 ELSE 1 END,
                    CASE WHEN i % $3 = 0 THEN NULL ELSE i END,
                    $4, $4, CASE WHEN i % $3 = 0 THEN NULL ELSE t END
               FROM (SELECT i, CASE WHEN i % $3 = 0 THEN {} ELSE {} END AS t FROM seq) AS timed",
            shifted(db, "$4", "(i * 7919) % 86400 - 43200"),
            shifted(db, "$4", "-(i % 2592000 + 1)")
        ))
        .bind(size)
        .bind(events)
        .bind(every)
        .bind(stamp(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let pending: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state = 'pending'").fetch_one(pool).await?;
        Ok((now, pending))
    })
}

// ---- joins ----

/// A crowd opening one event's link: joins offered at a steady rate, each a new person.
async fn joins(options: &Options) -> anyhow::Result<()> {
    let n: i64 = options.get("n", 1000)?;
    let runs: usize = options.get("runs", 3)?;
    let rates: Vec<f64> = options
        .text("rates", "20,100,300")
        .split(',')
        .map(|r| r.trim().parse().map_err(|_| anyhow!("--rates {r:?}")))
        .collect::<anyhow::Result<_>>()?;
    let mode = options.text("limits", "open");
    let (tuning, fake_limits) = limits_mode(&mode)?;
    println!("joins: {n} people open one event's link, at each offered rate; limits: {mode}");
    let mut figures = Vec::new();
    for rate in rates {
        let mut p50 = Figure::new(format!("{rate}/s offered: p50 /start → \"signed up\""), "ms", Target::None);
        let mut p99 = Figure::new(format!("{rate}/s offered: p99 /start → \"signed up\""), "ms", Target::None);
        let mut achieved = Figure::new(format!("{rate}/s offered: joins answered per second"), "joins/s", Target::None);
        let mut errors = Figure::new(format!("{rate}/s offered: handler errors"), "count", Target::AtMost(0.0));
        let mut lost =
            Figure::new(format!("{rate}/s offered: unanswered, uncarded or twice"), "count", Target::AtMost(0.0));
        for run in 1..=runs {
            let r =
                joins_once(n, rate, tuning.clone(), fake_limits).await.with_context(|| format!("joins run {run}"))?;
            println!(
                "run {run} at {rate}/s: p50 {:.1} ms, p99 {:.1} ms, {:.0} joins/s, {} handler errors, {} wrong",
                quantile(&r.answer_ms, 0.5),
                quantile(&r.answer_ms, 0.99),
                r.per_sec,
                r.handler_errors,
                r.wrong
            );
            p50.values.push(quantile(&r.answer_ms, 0.5));
            p99.values.push(quantile(&r.answer_ms, 0.99));
            achieved.values.push(r.per_sec);
            errors.values.push(r.handler_errors as f64);
            lost.values.push(r.wrong as f64);
        }
        figures.extend([p50, p99, achieved, errors, lost]);
    }
    print_table(&format!("joins: {n} joins to one event, limits {mode}, {runs} runs"), &figures);
    Ok(())
}

struct JoinsRun {
    /// Sorted, ms.
    answer_ms: Vec<f64>,
    per_sec: f64,
    handler_errors: u64,
    /// Joiners not answered exactly once, not carded exactly once, or not counted right.
    wrong: usize,
}

async fn joins_once(n: i64, rate: f64, tuning: Tuning, fake_limits: Option<(f64, f64)>) -> anyhow::Result<JoinsRun> {
    let mut tg = FakeTelegram::start().await;
    if let Some((overall, per_chat)) = fake_limits {
        tg = tg.with_limits(overall, per_chat);
    }
    let bot = Harness::start(tg.clone(), tuning).await?;
    let ctx = bot.ctx.clone();
    let now = Utc::now();
    let event = ctx.events.insert(&new_event("Открытая лекция", now + chrono::Duration::days(1), vec![]), now).await?;
    let admin = teloxide::types::UserId(ADMIN_ID as u64);
    let code = ctx
        .invites
        .create(webinar_bot::domain::invite::InviteKind::Event, Some(event.0), admin, None, None, now)
        .await?;
    let first_id: i64 = 2_000_000;
    let mut tap = tg.tap();
    let started = Instant::now();
    let sender = tokio::spawn({
        let tg = tg.clone();
        async move {
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
            let mut queued = HashMap::new();
            for id in first_id..first_id + n {
                tick.tick().await;
                queued.insert(id, Instant::now());
                tg.send_text(&TgUser::ru(id), &format!("/start {code}"));
            }
            queued
        }
    });
    let (mut answered, mut carded): (HashMap<i64, Vec<Instant>>, HashMap<i64, usize>) = Default::default();
    let deadline = Instant::now() + Duration::from_secs_f64(n as f64 / rate) + Duration::from_secs(120);
    while (answered.len() as i64) < n || (carded.len() as i64) < n {
        let call = match tokio::time::timeout_at(deadline.into(), tap.recv()).await {
            Ok(Some(call)) => call,
            Ok(None) => bail!("the fake stopped"),
            Err(_) => break,
        };
        let Some(chat) = call.chat_id().filter(|c| (first_id..first_id + n).contains(c)) else { continue };
        if call.method != "SendMessage" || !call.is_ok() {
            continue;
        }
        if call.text().contains("Вы записаны") {
            answered.entry(chat).or_default().push(call.at);
        } else if call.text().contains("🗓") {
            *carded.entry(chat).or_default() += 1;
        }
    }
    let wall = started.elapsed().as_secs_f64();
    // A moment for duplicates to show up, had there been any.
    tokio::time::sleep(Duration::from_millis(500)).await;
    while let Ok(call) = tap.try_recv() {
        if let Some(chat) = call.chat_id().filter(|c| (first_id..first_id + n).contains(c))
            && call.method == "SendMessage"
            && call.is_ok()
        {
            if call.text().contains("Вы записаны") {
                answered.entry(chat).or_default().push(call.at);
            } else if call.text().contains("🗓") {
                *carded.entry(chat).or_default() += 1;
            }
        }
    }
    let queued = sender.await?;
    let mut answer_ms: Vec<f64> = answered
        .iter()
        .filter_map(|(chat, at)| Some(at.first()?.duration_since(*queued.get(chat)?).as_secs_f64() * 1000.0))
        .collect();
    answer_ms.sort_by(f64::total_cmp);
    let uses: i64 = webinar_bot::on_db!(&ctx.pool, |pool| sqlx::query_scalar(
        "SELECT uses FROM invites WHERE kind = 'event' AND target_id = $1"
    )
    .bind(event.0)
    .fetch_one(pool)
    .await)?;
    let wrong = (first_id..first_id + n)
        .filter(|chat| answered.get(chat).map_or(0, Vec::len) != 1 || carded.get(chat).copied().unwrap_or(0) != 1)
        .count()
        + (uses - n).unsigned_abs() as usize;
    let handler_errors = bot.stats.handler_errors.load(std::sync::atomic::Ordering::Relaxed);
    bot.stop().await?;
    Ok(JoinsRun { answer_ms, per_sec: answered.len() as f64 / wall, handler_errors, wrong })
}

// ---- timetable ----

/// Many classes whose reminders are due at the same instant, as a school's timetable has them.
async fn timetable(options: &Options) -> anyhow::Result<()> {
    let events: i64 = options.get("events", 10)?;
    let n: i64 = options.get("n", 1000)?;
    let rate: u32 = options.get("rate", 300)?;
    let runs: usize = options.get("runs", 3)?;
    println!("timetable: {events} classes × {n} listeners, every 1-hour reminder due at the same instant, {rate}/s");
    let mut figures = vec![
        Figure::new("latest last recipient of any class, relative to due", "s", Target::AtMost(0.0)),
        Figure::new("classes whose last recipient was late", "count", Target::AtMost(0.0)),
        Figure::new("earliest last recipient of any class, relative to due", "s", Target::None),
        Figure::new("achieved rate ÷ configured rate", "ratio", Target::AtLeast(0.95)),
        Figure::new("429s received", "count", Target::AtMost(0.0)),
        Figure::new("recipients served exactly once", "count", Target::AtLeast((events * n) as f64)),
    ];
    for run in 1..=runs {
        let tg = FakeTelegram::start().await.with_limits(f64::from(rate), 1.0);
        let bot = Harness::start(tg.clone(), Tuning::for_rate(rate)).await?;
        let pool = bot.ctx.pool.clone();
        let first_id: i64 = 1_000_000;
        let now = Utc::now();
        seed_people(&pool, first_id, events * n, now).await?;
        let total = (events * n) as u64;
        let due = whole_second(
            now + sending_time(total, bulk_rate(f64::from(rate), 0.0)) + MARGIN + chrono::Duration::seconds(5),
        );
        let mut ids = Vec::new();
        for e in 0..events {
            let new = new_event(&format!("Урок {e}"), due + chrono::Duration::hours(1), vec![ReminderOffset::Hour1]);
            let id = bot.ctx.events.insert(&new, now).await?;
            seed_audience(&pool, id.0, first_id + e * n, n, now).await?;
            ids.push(id);
        }
        let mut tap = tg.tap();
        let clock = WallClock::now();
        for id in &ids {
            bot.ctx.delivery.plan_event(*id).await?;
        }
        let deadline = Instant::now() + (due - Utc::now()).to_std().unwrap_or_default() + Duration::from_secs(120);
        let served = collect_reminders(&mut tap, first_id, events * n, deadline).await?;
        let last_of =
            |e: i64| (first_id + e * n..first_id + (e + 1) * n).filter_map(|c| served.get(&c).map(|(_, at)| *at)).max();
        let lasts: Vec<f64> = (0..events).filter_map(last_of).map(|at| seconds(clock.utc(at) - due)).collect();
        let first = served.values().map(|(_, at)| *at).min().context("no message")?;
        let last = served.values().map(|(_, at)| *at).max().context("no message")?;
        let span = last.duration_since(first).as_secs_f64();
        let values = [
            lasts.iter().copied().fold(f64::MIN, f64::max),
            lasts.iter().filter(|l| **l > 0.0).count() as f64,
            lasts.iter().copied().fold(f64::MAX, f64::min),
            (total - 1) as f64 / span / f64::from(rate),
            tg.rate_limited() as f64,
            served.values().filter(|(count, _)| *count == 1).count() as f64,
        ];
        println!(
            "run {run}: last recipients {:+.2} … {:+.2} s vs due, {:.3} of the rate, {} 429s",
            values[2], values[0], values[3], values[4]
        );
        for (figure, value) in figures.iter_mut().zip(values) {
            figure.values.push(value);
        }
        bot.stop().await?;
    }
    print_table(&format!("timetable: {events} × {n} due together, {rate}/s, {runs} runs"), &figures);
    Ok(())
}

// ---- busy: people pressing buttons during a fan-out ----

async fn busy(options: &Options) -> anyhow::Result<()> {
    let n: i64 = options.get("n", 10_000)?;
    let rate: u32 = options.get("rate", 30)?;
    let teachers: i64 = options.get("teachers", 20)?;
    let think: u64 = options.get("think-ms", 1000)?;
    // Long enough for the bot to see how busy people keep it before it plans.
    let warmup: u64 = options.get("warmup-s", 35)?;
    println!(
        "busy: {teachers} teachers pressing a button about every {think} ms during a fan-out to {n} at {rate}/s \
         (fake limits on); warm-up {warmup} s"
    );
    let tg = FakeTelegram::start().await.with_limits(f64::from(rate), 1.0);
    let bot = Harness::start(tg.clone(), Tuning::for_rate(rate)).await?;
    let pool = bot.ctx.pool.clone();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let crowd = Teachers::start(&tg, &pool, teachers, Flow::Buttons, usize::MAX, think, Some(stop.clone())).await?;
    tokio::time::sleep(Duration::from_secs(warmup)).await;

    let first_id: i64 = 1_000_000;
    let now = Utc::now();
    seed_people(&pool, first_id, n, now).await?;
    let presses_per_sec = teachers as f64 * 1000.0 / think as f64;
    let needs = sending_time(n as u64, bulk_rate(f64::from(rate), presses_per_sec));
    let due = whole_second(now + needs + MARGIN + chrono::Duration::seconds(30));
    let new = new_event("Общая лекция", due + chrono::Duration::hours(1), vec![ReminderOffset::Hour1]);
    let event = bot.ctx.events.insert(&new, now).await?;
    seed_audience(&pool, event.0, first_id, n, now).await?;
    let mut tap = tg.tap();
    let clock = WallClock::now();
    bot.ctx.delivery.plan_event(event).await?;
    println!("planned: due {due}, {:.0} s from now", seconds(due - Utc::now()));
    let deadline = Instant::now() + (due - Utc::now()).to_std().unwrap_or_default() + Duration::from_secs(600);
    let served = collect_reminders(&mut tap, first_id, n, deadline).await?;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let samples = crowd.finish().await?;

    let first = served.values().map(|(_, at)| *at).min().context("no message")?;
    let last = served.values().map(|(_, at)| *at).max().context("no message")?;
    let of = |kind: &str| -> Vec<f64> {
        let mut v: Vec<f64> = samples.iter().filter(|s| s.kind == kind).map(|s| s.handed_ms).collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let (edits, answers) = (of("EditMessageText"), of("AnswerCallbackQuery"));
    let waits = ChatWaits::of(&samples, &tg.rate_limited_calls());
    report_rate_limited(&tg, clock, first_id, n);
    waits.report();
    let mut figures = vec![
        Figure::new("p99 press → its edit (the answer people see)", "ms", Target::AtMost(250.0)),
        Figure::new("p99 of that spent waiting for the teacher's own chat", "ms", Target::None),
        Figure::new("p99 press → its edit, less that own-chat wait", "ms", Target::AtMost(250.0)),
        Figure::new("p50 press → its edit", "ms", Target::None),
        Figure::new("p99 press → callback answered", "ms", Target::None),
        Figure::new("last recipient relative to due", "s", Target::AtMost(0.0)),
        Figure::new("fan-out rate (first to last reminder)", "msg/s", Target::None),
        Figure::new("429s received", "count", Target::AtMost(0.0)),
        Figure::new("recipients served exactly once", "count", Target::AtLeast(n as f64)),
        Figure::new("presses timed", "count", Target::None),
    ];
    let values = [
        quantile(&edits, 0.99),
        quantile(&waits.own, 0.99),
        quantile(&waits.beyond, 0.99),
        quantile(&edits, 0.5),
        quantile(&answers, 0.99),
        seconds(clock.utc(last) - due),
        (n - 1) as f64 / last.duration_since(first).as_secs_f64(),
        tg.rate_limited() as f64,
        served.values().filter(|(count, _)| *count == 1).count() as f64,
        edits.len() as f64,
    ];
    for (figure, value) in figures.iter_mut().zip(values) {
        figure.values.push(value);
    }
    bot.stop().await?;
    print_table(&format!("busy: {teachers} teachers during a fan-out of {n} at {rate}/s, 1 run"), &figures);
    Ok(())
}

/// Every 429 the fake's limiter answered: which limit, whose chat, and by how much the message
/// was early. A bot that keeps the limits and loses a few milliseconds on the way is early by
/// milliseconds; one that ignores a limit, by up to a second.
fn report_rate_limited(tg: &FakeTelegram, clock: WallClock, first_listener: i64, listeners: i64) {
    let whose = |chat: i64| match chat {
        c if c < 0 => "a group",
        c if c >= TEACHER_IDS => "a teacher",
        c if (first_listener..first_listener + listeners).contains(&c) => "a listener",
        _ => "another private chat",
    };
    for hit in tg.rate_limited_calls() {
        let limit = match hit.over.limit {
            telegram::Limit::Overall => "the bot-wide rate".to_owned(),
            telegram::Limit::Chat(chat) => format!("the bucket of {} ({chat})", whose(chat)),
        };
        println!(
            "429 at {}: over {limit}, {:.1} ms early",
            clock.utc(hit.at).format("%H:%M:%S%.3f"),
            hit.over.wait.as_secs_f64() * 1e3
        );
    }
}

/// The first teacher's id (the crowd's are consecutive from here).
const TEACHER_IDS: i64 = 2_000_000;

/// How each press's edit spent its time: waiting for the teacher's own chat (Telegram's bucket of
/// 1 a second with bursts of 3, replayed over that chat's earlier edits as the fake saw them), the
/// rest, and whether a bot-wide 429 pause fell inside it.
struct ChatWaits {
    own: Vec<f64>,
    beyond: Vec<f64>,
    slow_own: usize,
    slow_paused: usize,
    slow_other: usize,
}

impl ChatWaits {
    const SLOW_MS: f64 = 250.0;

    fn of(samples: &[Sample], hits: &[telegram::RateLimited]) -> Self {
        let pauses: Vec<(Instant, Instant)> =
            hits.iter().map(|h| (h.at, h.at + Duration::from_secs(u64::from(h.over.retry_after())))).collect();
        let mut by_chat: HashMap<i64, Vec<&Sample>> = HashMap::new();
        for sample in samples.iter().filter(|s| s.kind == "EditMessageText") {
            by_chat.entry(sample.chat).or_default().push(sample);
        }
        let mut waits = Self { own: Vec::new(), beyond: Vec::new(), slow_own: 0, slow_paused: 0, slow_other: 0 };
        for edits in by_chat.values_mut() {
            edits.sort_by_key(|s| s.handed);
            waits.add_chat(edits, &pauses);
        }
        waits.own.sort_by(f64::total_cmp);
        waits.beyond.sort_by(f64::total_cmp);
        waits
    }

    fn add_chat(&mut self, edits: &[&Sample], pauses: &[(Instant, Instant)]) {
        const RATE: f64 = 1.0;
        const BURST: f64 = 3.0;
        let (mut tokens, mut last) = (BURST, None::<Instant>);
        for edit in edits {
            let refill = |at: Instant, tokens: f64, last: Option<Instant>| {
                let elapsed = last.map_or(BURST, |l| at.saturating_duration_since(l).as_secs_f64());
                (tokens + elapsed * RATE).min(BURST)
            };
            let before = refill(edit.handed, tokens, last);
            let own = if before >= 1.0 { 0.0 } else { (1.0 - before) / RATE * 1e3 };
            let paused = pauses.iter().any(|(from, to)| *from < edit.at && *to > edit.handed);
            self.own.push(own);
            self.beyond.push((edit.handed_ms - own).max(0.0));
            if edit.handed_ms > Self::SLOW_MS {
                match (paused, own > 0.0) {
                    (true, _) => self.slow_paused += 1,
                    (false, true) => self.slow_own += 1,
                    (false, false) => self.slow_other += 1,
                }
            }
            tokens = refill(edit.at, tokens, last) - 1.0;
            last = Some(edit.at);
        }
    }

    fn report(&self) {
        let waited = self.own.iter().filter(|w| **w > 0.0).count();
        println!(
            "edits: {} of {} waited for their own chat; over {} ms: {} in a 429 pause, {} waiting for their own chat, \
             {} neither",
            waited,
            self.own.len(),
            Self::SLOW_MS,
            self.slow_paused,
            self.slow_own,
            self.slow_other
        );
    }
}

// ---- metrics: what keeping them costs an update ----

/// The same stream of `/help` updates, one at a time, to a bot with metrics on and to one with
/// them off (Telegram's limits off on both sides, so only the handling is timed); the runs
/// alternate so a change in the machine's load falls on both.
async fn metrics_overhead(options: &Options) -> anyhow::Result<()> {
    let updates: usize = options.get("updates", 2000)?;
    let runs: usize = options.get("runs", 5)?;
    println!("metrics: {updates} updates one at a time, metrics on vs off, limits open");
    let mut figures = vec![
        Figure::new("median update → answer, metrics off", "ms", Target::None),
        Figure::new("median update → answer, metrics on", "ms", Target::None),
        Figure::new("p99 update → answer, metrics on", "ms", Target::None),
        Figure::new("overhead of metrics (medians)", "%", Target::AtMost(5.0)),
    ];
    for run in 1..=runs {
        let off = update_times(updates, false).await?;
        let on = update_times(updates, true).await?;
        let (off_median, on_median) = (quantile(&off, 0.5), quantile(&on, 0.5));
        let overhead = (on_median - off_median) / off_median * 100.0;
        println!("run {run}: off {off_median:.3} ms, on {on_median:.3} ms, overhead {overhead:+.1} %");
        for (figure, value) in figures.iter_mut().zip([off_median, on_median, quantile(&on, 0.99), overhead]) {
            figure.values.push(value);
        }
    }
    print_table(&format!("metrics: {updates} updates, on vs off, {runs} runs"), &figures);
    Ok(())
}

/// Sorted times (ms) from an update queued to the bot's answer.
async fn update_times(updates: usize, metrics: bool) -> anyhow::Result<Vec<f64>> {
    let tg = FakeTelegram::start().await;
    let (tuning, _) = limits_mode("open")?;
    let bot = Harness::start_configured(tempfile::tempdir()?, tg.clone(), tuning, metrics).await?;
    let mut tap = tg.tap();
    let mut times = Vec::with_capacity(updates);
    for i in 0..updates {
        let user = TgUser::ru(20_000 + (i % 100) as i64);
        let queued = Instant::now();
        tg.send_text(&user, "/help");
        expect_chat(&mut tap, user.id, "SendMessage").await?;
        times.push(queued.elapsed().as_secs_f64() * 1000.0);
    }
    bot.stop().await?;
    times.sort_by(f64::total_cmp);
    Ok(times)
}

// ---- drain: people talking while a backlog drains ----

async fn drain(options: &Options) -> anyhow::Result<()> {
    let rows: i64 = options.get("rows", 50_000)?;
    let teachers: i64 = options.get("teachers", 20)?;
    let presses: usize = options.get("presses", 30)?;
    let think: u64 = options.get("think-ms", 1000)?;
    let runs: usize = options.get("runs", 3)?;
    println!(
        "drain: the bot starts on {rows} overdue invitations (and on an empty outbox); {teachers} teachers press \
         {presses} times each, about every {think} ms; production limits"
    );
    let mut figures = Vec::new();
    for backlog in [0, rows] {
        let mut p50 = Figure::new(format!("{backlog} overdue: p50 press → its edit"), "ms", Target::None);
        let mut p99 = Figure::new(format!("{backlog} overdue: p99 press → its edit"), "ms", Target::AtMost(250.0));
        let mut answered = Figure::new(format!("{backlog} overdue: p99 press → callback answered"), "ms", Target::None);
        let mut drained = Figure::new(format!("{backlog} overdue: rows sent meanwhile"), "count", Target::None);
        for _ in 1..=runs {
            let dir = tempfile::tempdir()?;
            seed_backlog(&database_in(dir.path()).await?, backlog).await?;
            let tg = FakeTelegram::start().await.with_limits(30.0, 1.0);
            let bot = Harness::start_in(dir, tg.clone(), Tuning::default()).await?;
            let crowd = Teachers::start(&tg, &bot.ctx.pool, teachers, Flow::Buttons, presses, think, None).await?;
            let samples = crowd.finish().await?;
            let sent: i64 = webinar_bot::on_db!(&bot.ctx.pool, |pool| sqlx::query_scalar(
                "SELECT COUNT(*) FROM outbox WHERE state = 'sent'"
            )
            .fetch_one(pool)
            .await)?;
            let of = |kind: &str| -> Vec<f64> {
                let mut v: Vec<f64> = samples.iter().filter(|s| s.kind == kind).map(|s| s.handed_ms).collect();
                v.sort_by(f64::total_cmp);
                v
            };
            let edits = of("EditMessageText");
            p50.values.push(quantile(&edits, 0.5));
            p99.values.push(quantile(&edits, 0.99));
            answered.values.push(quantile(&of("AnswerCallbackQuery"), 0.99));
            drained.values.push(sent as f64);
            bot.stop().await?;
        }
        figures.extend([p50, p99, answered, drained]);
    }
    print_table(&format!("drain: {teachers} teachers × {presses} presses, {runs} runs"), &figures);
    Ok(())
}

/// A database with `rows` invitations an hour overdue, each to its own listener.
async fn seed_backlog(url: &str, rows: i64) -> anyhow::Result<()> {
    let pool = webinar_bot::store::connect(url).await?;
    webinar_bot::store::migrate(&pool).await?;
    if rows == 0 {
        // The recursive sequence below always yields its first row.
        pool.close().await;
        return Ok(());
    }
    let now = Utc::now();
    let first_id: i64 = 1_000_000;
    seed_people(&pool, first_id, rows, now).await?;
    // The event's owner, whom the bot would make an administrator at its first start.
    seed_people(&pool, ADMIN_ID, 1, now).await?;
    let event = webinar_bot::store::Events::new(pool.clone())
        .insert(&new_event("Пропущенное", now + chrono::Duration::days(1), vec![]), now)
        .await?;
    on_db!(&pool, |pool| sqlx::query(
        "WITH RECURSIVE seq(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < $3)
         INSERT INTO outbox (event_id, chat_id, kind, due_at, send_at, created_at, updated_at)
         SELECT $1, $2 + i, 'invitation', $4, $4, $4, $4 FROM seq",
    )
    .bind(event.0)
    .bind(first_id)
    .bind(rows)
    .bind(stamp(now - chrono::Duration::hours(1)))
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?;
    pool.close().await;
    Ok(())
}
