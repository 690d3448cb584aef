//! The bot process is killed (SIGKILL) in the middle of a fan-out to 1,000 recipients and started
//! again: every recipient ends with exactly one reminder, or two for the few in flight at the kill.

use crate::support;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use chrono::Utc;
use support::scenario::jitsi_meeting;
use support::{FakeTelegram, Fault};
use teloxide::types::{ChatId, UserId};
use webinar_bot::domain::event::EventStatus;
use webinar_bot::domain::reminders::ReminderOffset;
use webinar_bot::store::outbox::{Kind, NewRow, Outbox};
use webinar_bot::store::{Events, NewEvent, stamp};

pub(crate) const RECIPIENTS: i64 = 1_000;
const FIRST: i64 = 10_000;

pub(crate) async fn seed(database_url: &str) {
    let pool = webinar_bot::store::connect(database_url).await.unwrap();
    webinar_bot::store::migrate(&pool).await.unwrap();
    let now = Utc::now();
    webinar_bot::on_db!(&pool, |pool| {
        let mut tx = webinar_bot::store::begin_write(pool).await.unwrap();
        for id in FIRST..FIRST + RECIPIENTS {
            sqlx::query(
                "INSERT INTO users (id, first_name, language, timezone, created_at, updated_at)
                 VALUES ($1, 'Слушатель', 'ru', 'Europe/Moscow', $2, $2)",
            )
            .bind(id)
            .bind(stamp(now))
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    });
    let event = Events::new(pool.clone())
        .insert(
            &NewEvent {
                owner_id: UserId(FIRST as u64),
                host_id: None,
                host_email: None,
                provider_id: None,
                title: "Общая лекция".into(),
                description: None,
                starts_at: now + chrono::Duration::hours(1),
                duration_min: 60,
                tz: chrono_tz::Europe::Moscow,
                status: EventStatus::Planned,
                meeting: Some(jitsi_meeting("bigroom")),
                options: serde_json::json!({}),
                reminders: vec![ReminderOffset::Hour1],
            },
            now,
        )
        .await
        .unwrap();
    let rows: Vec<NewRow> = (FIRST..FIRST + RECIPIENTS)
        .map(|chat| NewRow {
            event_id: event,
            chat_id: ChatId(chat),
            kind: Kind::Reminder { offset: ReminderOffset::Hour1, sequence: 0 },
            due_at: now,
            send_at: now,
        })
        .collect();
    Outbox::new(pool.clone()).enqueue(&rows, now).await.unwrap();
    pool.close().await;
}

/// The bot process; killed if the test ends before it stopped, so a failed run leaves no orphan.
pub(crate) struct BotProcess(pub(crate) Child);

impl Drop for BotProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_bot(dir: &Path, tg: &FakeTelegram, database_url: &str) -> BotProcess {
    start_bot_at(dir, &tg.url(), database_url)
}

/// The bot binary sending at 100/s to the Bot API at `api_url`, with its data in `dir`.
pub(crate) fn start_bot_at(dir: &Path, api_url: &str, database_url: &str) -> BotProcess {
    let child = Command::new(env!("CARGO_BIN_EXE_webinar-bot"))
        .env_clear()
        .current_dir(dir)
        .env("TELOXIDE_TOKEN", "123456:crash-test")
        .env("TELOXIDE_API_URL", api_url)
        .env("DATABASE_URL", database_url)
        .env("DATA_DIR", dir)
        .env("SEND_RATE", "100")
        .env("HTTP_ADDR", "off")
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("start the bot binary");
    BotProcess(child)
}

/// Successful reminders per recipient so far.
pub(crate) fn reminders(tg: &FakeTelegram) -> HashMap<i64, usize> {
    let mut per_chat = HashMap::new();
    for call in tg.calls() {
        if call.method == "SendMessage" && call.is_ok() && call.text().contains("Общая лекция") {
            *per_chat.entry(call.chat_id().unwrap_or_default()).or_insert(0) += 1;
        }
    }
    per_chat
}

pub(crate) async fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    for _ in 0..limit.as_millis() / 10 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}");
}

/// What a run with a kill in the middle came to.
struct Report {
    served_before_kill: usize,
    in_flight_at_kill: i64,
    once: usize,
    twice: usize,
    more: usize,
    recipients: usize,
    not_sent: i64,
}

/// Starts the bot, SIGKILLs it after a third of the fan-out, starts it again and lets it finish.
async fn kill_in_the_middle(tg: &FakeTelegram) -> Report {
    tg.set_latency(Duration::from_millis(2));
    let dir = tempfile::tempdir().unwrap();
    let database_url = support::fresh_database_url(dir.path()).await;
    seed(&database_url).await;

    let mut first = start_bot(dir.path(), tg, &database_url);
    // Under faults every 429 pauses all sends; a busy machine stretches that further.
    wait_until("a third of the fan-out", Duration::from_secs(120), || reminders(tg).len() >= 300).await;
    first.0.kill().expect("SIGKILL");
    first.0.wait().unwrap();
    let served_before_kill = reminders(tg).len();
    let pool = webinar_bot::store::connect(&database_url).await.unwrap();
    let in_flight_at_kill: i64 =
        webinar_bot::on_db!(&pool, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state = 'sending'")
            .fetch_one(pool)
            .await)
        .unwrap();
    pool.close().await;

    let mut second = start_bot(dir.path(), tg, &database_url);
    // Under faults the retries back off (and every 429 pauses all sends): give it time.
    wait_until("every recipient", Duration::from_secs(120), || reminders(tg).len() == RECIPIENTS as usize).await;
    // Let the last marks reach the database, then stop gracefully.
    tokio::time::sleep(Duration::from_millis(300)).await;
    Command::new("kill").args(["-TERM", &second.0.id().to_string()]).status().unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    tg.release_polls();
    assert!(second.0.wait().unwrap().success(), "a graceful stop after SIGTERM");

    let counts = reminders(tg);
    let pool = webinar_bot::store::connect(&database_url).await.unwrap();
    let not_sent: i64 =
        webinar_bot::on_db!(&pool, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state <> 'sent'")
            .fetch_one(pool)
            .await)
        .unwrap();
    Report {
        served_before_kill,
        in_flight_at_kill,
        once: counts.values().filter(|n| **n == 1).count(),
        twice: counts.values().filter(|n| **n == 2).count(),
        more: counts.values().filter(|n| **n > 2).count(),
        recipients: counts.len(),
        not_sent,
    }
}

fn check(what: &str, report: &Report) {
    let Report { served_before_kill, in_flight_at_kill, once, twice, more, recipients, not_sent } = report;
    eprintln!(
        "crash test ({what}): {RECIPIENTS} recipients, {served_before_kill} served before the kill, \
         {in_flight_at_kill} in flight at the kill; {once} once, {twice} twice, {more} more"
    );
    assert_eq!(*recipients, RECIPIENTS as usize, "nobody is lost");
    assert_eq!(*more, 0, "nobody gets it three times");
    assert!(*twice as i64 <= *in_flight_at_kill, "only the messages in flight at the kill repeat: {twice}");
    assert_eq!(*not_sent, 0, "every row ends sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_in_the_middle_of_a_fan_out_loses_nothing_and_repeats_only_the_messages_in_flight() {
    let tg = FakeTelegram::start().await;
    let report = kill_in_the_middle(&tg).await;
    check("no faults", &report);
    // A second's worth of sends is in flight at once (SEND_RATE 100).
    assert!(report.in_flight_at_kill <= 100, "{}", report.in_flight_at_kill);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_while_telegram_answers_429s_and_502s_loses_nothing_either() {
    let tg = FakeTelegram::start().await;
    // Every second a 502 (JSON, then nginx's HTML) lands on whatever is sent next, and every
    // third second a 429 that stops the whole bot for a second. teloxide holds a 5xx for 10 s
    // before it reads it, so each 502 keeps a place busy that long. The faults stop near the end:
    // with nothing else left to send, "whatever is sent next" would be the same few retries
    // every time.
    let injector = tokio::spawn({
        let tg = tg.clone();
        async move {
            for round in 0.. {
                if reminders(&tg).len() >= 900 {
                    break;
                }
                let bad_gateway = if round % 2 == 0 { Fault::BadGateway } else { Fault::BadGatewayHtml };
                tg.inject(Some("SendMessage"), None, bad_gateway, 1);
                if round % 3 == 0 {
                    tg.inject(Some("SendMessage"), None, Fault::RetryAfter(1), 1);
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    });
    let report = kill_in_the_middle(&tg).await;
    injector.abort();
    let faults = tg.calls().iter().filter(|c| c.fault.is_some()).count();
    eprintln!("crash test (faults): {faults} calls answered with a fault");
    assert!(faults > 0);
    check("429s and 502s", &report);
}
