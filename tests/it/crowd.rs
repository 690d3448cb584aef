//! A crowd opening one event's link at once: nobody lost, nobody answered or carded twice, and
//! the link's use count equal to the listeners it let in.

use crate::support;

use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use support::scenario::event;
use support::{Call, Clock, TestBot, TgUser};
use webinar_bot::domain::invite::InviteKind;

const JOINERS: i64 = 1_000;
const AT_ONCE: i64 = 50;
const FIRST: i64 = 20_000;

fn count(calls: &[Call], chat: i64, needle: &str) -> usize {
    calls
        .iter()
        .filter(|c| c.method == "SendMessage" && c.is_ok() && c.chat_id() == Some(chat) && c.text().contains(needle))
        .count()
}

async fn wait_until(bot: &TestBot, what: &str, limit: StdDuration, done: impl Fn(&[Call]) -> bool) {
    let deadline = Instant::now() + limit;
    while !done(&bot.tg.calls()) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(StdDuration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_joins_fifty_at_a_time_lose_nobody_and_repeat_nothing() {
    // Telegram's limits are not the subject here: the fake does not enforce them.
    let bot = TestBot::start_with(&[("SEND_RATE", "1000")]).await;
    let id = event(&bot, "Открытая лекция", Duration::days(1), &[]).await;
    let ctx = bot.ctx();
    let admin = teloxide::types::UserId(support::ADMIN_ID as u64);
    let code = ctx.invites.create(InviteKind::Event, Some(id.0), admin, None, None, bot.clock.now()).await.unwrap();

    let joiners: Vec<TgUser> = (FIRST..FIRST + JOINERS).map(TgUser::ru).collect();
    let started = Instant::now();
    for wave in joiners.chunks(AT_ONCE as usize) {
        for person in wave {
            bot.tg.send_text(person, &format!("/start {code}"));
        }
        wait_until(&bot, "a wave's answers", StdDuration::from_secs(60), |calls| {
            wave.iter().all(|p| count(calls, p.id, "Вы записаны") > 0)
        })
        .await;
    }
    wait_until(&bot, "every card", StdDuration::from_secs(60), |calls| {
        joiners.iter().all(|p| count(calls, p.id, "🗓") > 0)
    })
    .await;
    eprintln!(
        "crowd: {JOINERS} joins, {AT_ONCE} at a time, answered and carded in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Let anything late arrive before counting.
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    let calls = bot.tg.calls();
    for person in &joiners {
        assert_eq!(count(&calls, person.id, "Вы записаны"), 1, "answered once: {}", person.id);
        assert_eq!(count(&calls, person.id, "🗓"), 1, "carded once: {}", person.id);
    }
    let db = bot.db().await;
    let listeners: i64 = webinar_bot::on_db!(&db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM event_listeners WHERE event_id = $1 AND direct = TRUE"
    )
    .bind(id.0)
    .fetch_one(pool)
    .await)
    .unwrap();
    let uses: i64 = webinar_bot::on_db!(&db, |pool| sqlx::query_scalar(
        "SELECT uses FROM invites WHERE kind = 'event' AND target_id = $1"
    )
    .bind(id.0)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(listeners, JOINERS);
    assert_eq!(uses, JOINERS, "one use per listener let in");
    let stuck: i64 =
        webinar_bot::on_db!(&db, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state <> 'sent'")
            .fetch_one(pool)
            .await)
        .unwrap();
    assert_eq!(stuck, 0, "every invitation recorded as sent");
    bot.finish().await;
}
