//! One send budget for the whole bot: reminders of many classes due together are planned as one
//! batch, so each class's last listener is on time; what cannot fit is reported; a cancelled
//! class frees what it held.

use crate::support;

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use support::scenario::{event, invite, people};
use support::{Clock, TestBot, TgUser};
use webinar_bot::delivery::plan::{MARGIN, sending_time};
use webinar_bot::delivery::rules::bulk_rate;
use webinar_bot::domain::event::{EventId, EventStatus};
use webinar_bot::domain::reminders::ReminderOffset;
use webinar_bot::store::outbox::{Kind, Row, RowState};

/// Classes starting together in two hours, each with `listeners` people and a 1-hour reminder.
async fn classes(bot: &TestBot, count: i64, listeners: i64) -> Vec<EventId> {
    let mut ids = Vec::new();
    for n in 0..count {
        let first = 10_000 + n * listeners;
        let who: Vec<TgUser> = people(bot, first..first + listeners).await;
        let id = event(bot, &format!("Занятие {n}"), Duration::hours(2), &[ReminderOffset::Hour1]).await;
        invite(bot, id, &who).await;
        bot.ctx().delivery.plan_event(id).await.unwrap();
        ids.push(id);
    }
    ids
}

async fn reminders(bot: &TestBot, id: EventId) -> Vec<Row> {
    let rows = bot.ctx().delivery.outbox().rows_of_event(id).await.unwrap();
    rows.into_iter().filter(|r| matches!(r.kind, Kind::Reminder { .. })).collect()
}

/// Waits until every reminder of these events is planned to begin at `expected`.
async fn planned_at(bot: &TestBot, ids: &[EventId], expected: DateTime<Utc>) {
    let deadline = Instant::now() + StdDuration::from_secs(10);
    loop {
        let mut all = Vec::new();
        for id in ids {
            all.extend(reminders(bot, *id).await);
        }
        if all.iter().all(|r| r.send_at == expected) {
            return;
        }
        assert!(Instant::now() < deadline, "expected {expected}, planned {:?}", all.iter().map(|r| r.send_at).min());
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

/// What the bot plans with at SEND_RATE 30 while nobody talks to it.
fn lead(rows: u64) -> Duration {
    sending_time(rows, bulk_rate(30.0, 0.0)) + MARGIN
}

#[tokio::test]
async fn ten_classes_due_together_begin_early_enough_for_all_of_them() {
    let bot = TestBot::start().await;
    let ids = classes(&bot, 10, 100).await;
    let due = bot.clock.now() + Duration::hours(1);
    // 1,000 reminders at 27 a second: one batch, begun 38 s early, not ten that each think the
    // whole rate is theirs (each of those would begin 4.7 s early).
    planned_at(&bot, &ids, due - lead(1000)).await;
    assert!(ids.iter().all(|id| bot.ctx().delivery.expected_lateness(*id).is_none()));
    bot.finish().await;
}

#[tokio::test]
async fn two_classes_due_together_share_the_batch_and_every_listener_gets_one_reminder() {
    // Fast enough to send the batch for real in the test.
    let bot = TestBot::start_with(&[("SEND_RATE", "1000")]).await;
    let ids = classes(&bot, 2, 600).await;
    let due = bot.clock.now() + Duration::hours(1);
    let start = due - sending_time(1200, bulk_rate(1000.0, 0.0)) - MARGIN;
    planned_at(&bot, &ids, start).await;
    bot.clock.set(start);
    let deadline = Instant::now() + StdDuration::from_secs(20);
    for id in &ids {
        while !reminders(&bot, *id).await.iter().all(|r| r.state == RowState::Sent) {
            assert!(Instant::now() < deadline, "the batch did not go out");
            tokio::time::sleep(StdDuration::from_millis(50)).await;
        }
    }
    let calls = bot.tg.calls();
    for chat in 10_000..11_200 {
        let got = calls.iter().filter(|c| c.chat_id() == Some(chat) && c.is_ok() && c.text().contains("Через 1 час"));
        assert_eq!(got.count(), 1, "chat {chat}");
    }
    bot.finish().await;
}

#[tokio::test]
async fn a_batch_that_cannot_fit_is_reported_late() {
    let bot = TestBot::start().await;
    let who = people(&bot, 30_000..31_000).await;
    // The reminder is due in 20 s, and 1,000 at 27 a second need 37.
    let id = event(&bot, "Срочное", Duration::minutes(60) + Duration::seconds(20), &[ReminderOffset::Hour1]).await;
    invite(&bot, id, &who).await;
    bot.ctx().delivery.plan_event(id).await.unwrap();
    let deadline = Instant::now() + StdDuration::from_secs(10);
    let late = loop {
        if let Some(late) = bot.ctx().delivery.expected_lateness(id) {
            break late;
        }
        assert!(Instant::now() < deadline, "no lateness reported");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    };
    // Behind the 1,000 invitations (37 s) come the 1,000 reminders (37 s): done 53 s after
    // their time, less the second that counts as on time.
    assert!(late > Duration::seconds(45) && late < Duration::seconds(60), "{late}");
    // The teacher sees it on the class's card.
    let admin = TgUser::ru(support::ADMIN_ID);
    let list = bot.tg.ask(&admin, "/events").await;
    let card = support::scenario::choose(&bot, &admin, &list, "Срочное").await;
    assert!(card.text().contains("дойдут до последних слушателей с опозданием на 1 минуту"), "{}", card.text());
    bot.finish().await;
}

#[tokio::test]
async fn a_cancelled_class_frees_the_budget_it_held() {
    let bot = TestBot::start().await;
    let ids = classes(&bot, 2, 500).await;
    let due = bot.clock.now() + Duration::hours(1);
    planned_at(&bot, &ids, due - lead(1000)).await;
    let ctx = bot.ctx();
    ctx.events.set_status(ids[0], EventStatus::Cancelled, None, bot.clock.now()).await.unwrap();
    ctx.delivery.event_cancelled(ids[0]).await.unwrap();
    // The other class's 500 now begin 19.5 s early, not 38.
    planned_at(&bot, &ids[1..], due - lead(500)).await;
    bot.finish().await;
}

#[tokio::test]
async fn with_paid_broadcasts_on_only_the_batch_that_would_be_late_is_paid() {
    let bot = TestBot::start_with(&[("PAID_BROADCAST_RATE", "1000")]).await;
    bot.tg.set_limits(Some(support::telegram::RateLimits::new(30.0, 1.0)));
    let late_ones = people(&bot, 40_000..41_000).await;
    let on_time = people(&bot, 41_000..41_010).await;
    // 1,000 reminders due in 20 s cannot go at 27 a second; 10 due in an hour can.
    let urgent = event(&bot, "Срочное", Duration::minutes(60) + Duration::seconds(20), &[ReminderOffset::Hour1]).await;
    let calm = event(&bot, "Спокойное", Duration::hours(2), &[ReminderOffset::Hour1]).await;
    invite(&bot, urgent, &late_ones).await;
    invite(&bot, calm, &on_time).await;
    for id in [urgent, calm] {
        bot.ctx().delivery.plan_event(id).await.unwrap();
    }
    let deadline = Instant::now() + StdDuration::from_secs(10);
    while !reminders(&bot, urgent).await.iter().all(|r| r.paid) {
        assert!(Instant::now() < deadline, "the urgent reminders were not made paid");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    assert!(bot.ctx().delivery.expected_lateness(urgent).is_none(), "paid, they are on time");
    assert!(reminders(&bot, calm).await.iter().all(|r| !r.paid));

    bot.clock.set(reminders(&bot, urgent).await[0].send_at);
    // The 1,010 invitations queued first go at the free rate meanwhile; on a loaded machine
    // (and on PostgreSQL) the whole takes longer than the paid sends alone.
    let deadline = Instant::now() + StdDuration::from_secs(45);
    while !reminders(&bot, urgent).await.iter().all(|r| r.state == RowState::Sent) {
        assert!(Instant::now() < deadline, "the paid batch did not go out");
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    let paid = bot.tg.calls().into_iter().filter(|c| c.text().contains("Через 1 час") && c.is_ok());
    let paid: Vec<_> = paid.map(|c| c.body.get("allow_paid_broadcast").and_then(|v| v.as_bool())).collect();
    assert_eq!(paid.len(), 1000);
    assert!(paid.iter().all(|p| *p == Some(true)));
    assert_eq!(bot.tg.rate_limited(), 0);
    bot.finish().await;
}

#[tokio::test]
async fn a_listener_of_several_classes_gets_each_reminder_within_the_chat_limit_and_holds_nobody_up() {
    let bot = TestBot::start_with(&[("SEND_RATE", "1000")]).await;
    // A per-chat limit on at the fake, as the bot keeps it: three a second.
    bot.tg.set_limits(Some(support::telegram::RateLimits::new(1000.0, 3.0)));
    let shared = people(&bot, [50_000]).await;
    let mut ids = Vec::new();
    // Ten classes: at three a second the shared listener's tenth reminder is due three seconds
    // after the first, far longer than the other 500 take even on a slow machine.
    for n in 0..10 {
        let first = 51_000 + n * 100;
        let mut who = people(&bot, first..first + 50).await;
        who.extend(shared.iter().cloned());
        let id = event(&bot, &format!("Пара {n}"), Duration::hours(2), &[ReminderOffset::Hour1]).await;
        invite(&bot, id, &who).await;
        bot.ctx().delivery.plan_event(id).await.unwrap();
        ids.push(id);
    }
    // 510 reminders take half a second at 900 a second: they go at their time.
    let start = bot.clock.now() + Duration::hours(1);
    planned_at(&bot, &ids, start).await;
    // Let the invitations (ten to the shared listener too) go first.
    let deadline = Instant::now() + StdDuration::from_secs(20);
    while bot.tg.calls().iter().filter(|c| c.chat_id() == Some(50_000) && c.is_ok()).count() < 10 {
        assert!(Instant::now() < deadline, "the invitations did not arrive");
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    let mark = bot.tg.mark();
    bot.clock.set(start);
    let reminder = |c: &&support::Call| c.is_ok() && c.text().contains("Через 1 час");
    while bot.tg.calls()[mark..].iter().filter(reminder).count() < 510 {
        assert!(Instant::now() < deadline + StdDuration::from_secs(20), "the reminders did not all arrive");
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    let calls = bot.tg.calls();
    let reminders: Vec<&support::Call> = calls[mark..].iter().filter(reminder).collect();
    let to_shared: Vec<_> = reminders.iter().filter(|c| c.chat_id() == Some(50_000)).collect();
    assert_eq!(to_shared.len(), 10);
    assert_eq!(bot.tg.rate_limited(), 0, "the per-chat limit held");
    // The others were not made to wait for the shared listener's last one.
    let others_done = reminders.iter().filter(|c| c.chat_id() != Some(50_000)).map(|c| c.at).max().unwrap();
    assert!(others_done < to_shared.last().unwrap().at, "everyone else was served before the tenth one");
    bot.finish().await;
}
