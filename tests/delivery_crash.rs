//! The bot process is killed (SIGKILL) in the middle of a fan-out to 1,000 recipients and started
//! again: every recipient ends with exactly one reminder, or two for the few in flight at the kill.

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use chrono::Utc;
use support::FakeTelegram;
use support::scenario::jitsi_meeting;
use teloxide::types::{ChatId, UserId};
use webinar_bot::domain::event::EventStatus;
use webinar_bot::domain::reminders::ReminderOffset;
use webinar_bot::store::outbox::{Kind, NewRow, Outbox};
use webinar_bot::store::{Events, NewEvent, stamp};

const RECIPIENTS: i64 = 1_000;
const FIRST: i64 = 10_000;

async fn seed(database_url: &str) {
    let pool = webinar_bot::store::connect(database_url).await.unwrap();
    webinar_bot::store::migrate(&pool).await.unwrap();
    let now = Utc::now();
    let mut tx = pool.begin().await.unwrap();
    for id in FIRST..FIRST + RECIPIENTS {
        sqlx::query(
            "INSERT INTO users (id, first_name, language, timezone, created_at, updated_at)
             VALUES (?, 'Слушатель', 'ru', 'Europe/Moscow', ?2, ?2)",
        )
        .bind(id)
        .bind(stamp(now))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
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

fn start_bot(dir: &Path, tg: &FakeTelegram, database_url: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_webinar-bot"))
        .env_clear()
        .current_dir(dir)
        .env("TELOXIDE_TOKEN", "123456:crash-test")
        .env("TELOXIDE_API_URL", tg.url())
        .env("DATABASE_URL", database_url)
        .env("DATA_DIR", dir)
        .env("SEND_RATE", "100")
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("start the bot binary")
}

/// Successful reminders per recipient so far.
fn reminders(tg: &FakeTelegram) -> HashMap<i64, usize> {
    let mut per_chat = HashMap::new();
    for call in tg.calls() {
        if call.method == "SendMessage" && call.is_ok() && call.text().contains("Общая лекция") {
            *per_chat.entry(call.chat_id().unwrap_or_default()).or_insert(0) += 1;
        }
    }
    per_chat
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..3_000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_in_the_middle_of_a_fan_out_loses_nothing_and_repeats_only_the_messages_in_flight() {
    let tg = FakeTelegram::start().await;
    tg.set_latency(Duration::from_millis(2));
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("bot.sqlite").display());
    seed(&database_url).await;

    let mut first = start_bot(dir.path(), &tg, &database_url);
    wait_until("a third of the fan-out", || reminders(&tg).len() >= 300).await;
    first.kill().expect("SIGKILL");
    first.wait().unwrap();
    let at_kill = reminders(&tg).len();

    let mut second = start_bot(dir.path(), &tg, &database_url);
    wait_until("every recipient", || reminders(&tg).len() == RECIPIENTS as usize).await;
    // Let the last marks reach the database, then stop gracefully.
    tokio::time::sleep(Duration::from_millis(300)).await;
    Command::new("kill").args(["-TERM", &second.id().to_string()]).status().unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    tg.release_polls();
    assert!(second.wait().unwrap().success(), "a graceful stop after SIGTERM");

    let counts = reminders(&tg);
    let twice = counts.values().filter(|n| **n == 2).count();
    let more = counts.values().filter(|n| **n > 2).count();
    eprintln!(
        "crash test: {RECIPIENTS} recipients, {at_kill} served before the kill, {} once, {twice} twice, {more} more",
        counts.values().filter(|n| **n == 1).count()
    );
    assert_eq!(counts.len(), RECIPIENTS as usize, "nobody is lost");
    assert_eq!(more, 0, "nobody gets it three times");
    // A second's worth of sends is in flight at once (SEND_RATE 100): only those can repeat.
    assert!(twice <= 100, "only the messages in flight at the kill repeat: {twice}");

    let pool = webinar_bot::store::connect(&database_url).await.unwrap();
    let left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state <> 'sent'").fetch_one(&pool).await.unwrap();
    assert_eq!(left, 0, "every row ends sent");
}
