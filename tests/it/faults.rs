//! "Nothing lost" when Telegram misbehaves: 5xx and garbled answers, connections reset before and
//! after the call is done, bursts of 429, edits inside the send rate, a slow call next to a retry,
//! and a database that refuses a write for a while.

use crate::support;

use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use support::scenario::{event, invite, people};
use support::{Call, Clock, Fault, TestBot, TgUser, WriteLock};
use webinar_bot::delivery::rules::MAX_ATTEMPTS;
use webinar_bot::domain::event::EventId;
use webinar_bot::store::outbox::{Row, RowState};

async fn planned(bot: &TestBot, title: &str, who: &[TgUser]) -> EventId {
    let id = event(bot, title, Duration::days(2), &[]).await;
    invite(bot, id, who).await;
    bot.ctx().delivery.plan_event(id).await.unwrap();
    id
}

async fn rows(bot: &TestBot, id: EventId) -> Vec<Row> {
    bot.ctx().delivery.outbox().rows_of_event(id).await.unwrap()
}

/// Waits (up to `limit`) until `done` holds for the event's rows.
async fn until_rows(bot: &TestBot, id: EventId, what: &str, limit: StdDuration, done: impl Fn(&[Row]) -> bool) {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done(&rows(bot, id).await) {
            return;
        }
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}: {:#?}", rows(bot, id).await);
}

fn all_sent(rows: &[Row]) -> bool {
    rows.iter().all(|r| r.state == RowState::Sent)
}

fn invitations_to(calls: &[Call], chat: i64) -> usize {
    calls.iter().filter(|c| c.method == "SendMessage" && c.chat_id() == Some(chat) && c.delivered()).count()
}

#[tokio::test]
async fn a_502_a_garbled_answer_or_a_reset_is_retried_and_the_message_arrives() {
    let bot = TestBot::start().await;
    let faults = [
        (901, Fault::BadGateway, "Telegram server error"),
        (902, Fault::BadGatewayHtml, "not JSON"),
        (903, Fault::MalformedJson, "not JSON"),
        (904, Fault::Network, "network error"),
        (905, Fault::ResetAfterHandling, "network error"),
    ];
    let who = people(&bot, faults.iter().map(|(chat, ..)| *chat)).await;
    for (chat, fault, _) in &faults {
        bot.tg.inject(Some("SendMessage"), Some(*chat), fault.clone(), 1);
    }
    let id = planned(&bot, "Сети", &who).await;
    // teloxide waits 10 s after a 5xx before it reads the answer.
    until_rows(&bot, id, "every first attempt", StdDuration::from_secs(20), |rows| {
        rows.iter().all(|r| r.state == RowState::Pending && r.attempts == 1)
    })
    .await;
    for row in rows(&bot, id).await {
        let (_, _, reason) = faults.iter().find(|(chat, ..)| *chat == row.chat_id.0).unwrap();
        let kept = row.reason.as_deref().unwrap_or_default();
        assert!(kept.contains(reason), "chat {}: {kept:?}", row.chat_id);
        assert_eq!(row.send_at, bot.clock.now() + Duration::seconds(2), "the first backoff");
    }
    bot.clock.advance(Duration::seconds(2));
    until_rows(&bot, id, "every row sent", StdDuration::from_secs(20), all_sent).await;
    let calls = bot.tg.calls();
    for (chat, fault, _) in &faults {
        // A call done before its connection broke cannot be told from one that was not: the
        // person gets it twice, the only duplicate Telegram's missing idempotency key allows.
        let expected = if matches!(fault, Fault::ResetAfterHandling) { 2 } else { 1 };
        assert_eq!(invitations_to(&calls, *chat), expected, "chat {chat}");
    }
    bot.finish().await;
}

#[tokio::test]
async fn a_transient_failure_gives_up_only_after_the_attempts_are_spent_and_keeps_the_reason() {
    let bot = TestBot::start().await;
    let who = people(&bot, [911]).await;
    bot.tg.inject(Some("SendMessage"), Some(911), Fault::MalformedJson, MAX_ATTEMPTS as usize);
    let id = planned(&bot, "Упорство", &who).await;
    for attempt in 1..MAX_ATTEMPTS {
        until_rows(&bot, id, "the next attempt", StdDuration::from_secs(10), |rows| {
            rows[0].attempts == attempt && rows[0].state == RowState::Pending
        })
        .await;
        bot.clock.set(rows(&bot, id).await[0].send_at);
    }
    until_rows(&bot, id, "the row to fail", StdDuration::from_secs(10), |rows| rows[0].state == RowState::Failed).await;
    let row = &rows(&bot, id).await[0];
    assert_eq!(row.attempts, MAX_ATTEMPTS);
    assert_eq!(row.reason.as_deref(), Some("Telegram's answer was not JSON; gave up after 30 attempts"));
    bot.finish().await;
}

#[tokio::test]
async fn a_burst_of_429s_pauses_every_send_until_the_window_ends() {
    let bot = TestBot::start().await;
    let who = people(&bot, 1000..1060).await;
    // Each 429 opens a window of a second; the fake answers 429 to whatever arrives inside it.
    bot.tg.inject(Some("SendMessage"), None, Fault::RetryAfter(1), 3);
    let started = Instant::now();
    let id = planned(&bot, "Пауза", &who).await;
    until_rows(&bot, id, "every row sent", StdDuration::from_secs(30), all_sent).await;
    let calls = bot.tg.calls();
    for person in &who {
        assert_eq!(invitations_to(&calls, person.id), 1, "chat {}", person.id);
    }
    assert_eq!(bot.tg.sent_in_retry_window(), 0, "nothing went out while Telegram said to wait");
    // The three windows one after another.
    assert!(started.elapsed() >= StdDuration::from_secs(3), "{:?}", started.elapsed());
    bot.finish().await;
}

#[tokio::test]
async fn card_edits_count_against_the_send_rate() {
    let bot = TestBot::start_with(&[("SEND_RATE", "10")]).await;
    bot.tg.set_limits(Some(support::telegram::RateLimits::new(10.0, 3.0)));
    let who = people(&bot, 1100..1130).await;
    let id = planned(&bot, "Ритм", &who).await;
    until_rows(&bot, id, "the invitations", StdDuration::from_secs(20), all_sent).await;
    let ctx = bot.ctx();
    let mark = bot.tg.mark();
    ctx.events.reschedule(id, bot.clock.now() + Duration::days(3), 60, bot.clock.now()).await.unwrap();
    ctx.delivery.event_changed(id).await.unwrap();
    // 30 card edits and 30 notices.
    until_rows(&bot, id, "the edits and notices", StdDuration::from_secs(30), |rows| {
        rows.len() == 90 && all_sent(rows)
    })
    .await;
    let calls = bot.tg.calls();
    let after: Vec<&Call> = calls[mark..].iter().filter(|c| c.method.starts_with("EditMessage")).collect();
    assert_eq!(after.len(), 30, "every card edited");
    assert_eq!(bot.tg.rate_limited(), 0, "Telegram's limiter never had to step in");
    // In any second, at most the rate and the budget's burst of one.
    let sends: Vec<Instant> = calls[mark..].iter().filter(|c| c.delivered()).map(|c| c.at).collect();
    let busiest =
        sends.iter().map(|t| sends.iter().filter(|u| **u >= *t && **u < *t + StdDuration::from_secs(1)).count()).max();
    assert!(busiest.unwrap_or(0) <= 11, "{busiest:?} messages in one second");
    bot.finish().await;
}

#[tokio::test]
async fn a_retry_does_not_wait_behind_a_slow_send() {
    let bot = TestBot::start().await;
    let (slow, retried) = (1201, 1202);
    let who = people(&bot, [slow, retried]).await;
    bot.tg.slow_chat(slow, StdDuration::from_secs(4));
    bot.tg.inject(Some("SendMessage"), Some(retried), Fault::Network, 1);
    let mark = bot.tg.mark();
    let id = planned(&bot, "Очередь", &who).await;
    until_rows(&bot, id, "the failure recorded", StdDuration::from_secs(5), |rows| {
        rows.iter().any(|r| r.chat_id.0 == retried && r.state == RowState::Pending && r.attempts == 1)
    })
    .await;
    bot.clock.advance(Duration::seconds(2));
    let again = bot.tg.wait_for(mark, "the retry", |c| c.chat_id() == Some(retried) && c.is_ok()).await;
    let first_slow = bot.tg.calls()[mark..].iter().find(|c| c.chat_id() == Some(slow)).map(|c| c.seq);
    assert!(first_slow.is_none(), "the retry went out before the slow send was even answered");
    assert!(again.is_ok());
    bot.tg.wait_for(mark, "the slow send", |c| c.chat_id() == Some(slow)).await;
    bot.finish().await;
}

#[tokio::test]
async fn a_delivery_the_database_refuses_to_record_is_recorded_later_not_left_sending() {
    let bot = TestBot::start().await;
    let who = people(&bot, [1301]).await;
    bot.tg.slow_chat(1301, StdDuration::from_millis(500));
    let mark = bot.tg.mark();
    let id = planned(&bot, "Запись", &who).await;
    until_rows(&bot, id, "the send under way", StdDuration::from_secs(5), |rows| rows[0].state == RowState::Sending)
        .await;
    // While the send is on its way, another process takes the write lock and holds it past the
    // busy timeout, so marking the row sent fails at first.
    let db = bot.db().await;
    let lock = WriteLock::take(&db).await;
    bot.tg.wait_for(mark, "the invitation", |c| c.chat_id() == Some(1301) && c.is_ok()).await;
    tokio::time::sleep(StdDuration::from_secs(6)).await;
    lock.release().await;
    until_rows(&bot, id, "the row recorded", StdDuration::from_secs(15), all_sent).await;
    assert_eq!(invitations_to(&bot.tg.calls(), 1301), 1);
    bot.finish().await;
}
