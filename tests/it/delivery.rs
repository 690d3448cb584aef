//! The delivery engine against the fake Bot API, with the clock moved instead of slept.

use crate::support;

use chrono::Duration;
use support::scenario::{event, group, invite, people};
use support::{Call, Clock, Fault, TestBot, TgUser, calendar};
use webinar_bot::domain::event::{EventId, EventStatus};
use webinar_bot::domain::reminders::ReminderOffset::{self, *};
use webinar_bot::store::outbox::RowState;

fn sent_to(calls: &[Call], chat: i64, needle: &str) -> usize {
    calls
        .iter()
        .filter(|c| c.method == "SendMessage" && c.is_ok() && c.chat_id() == Some(chat) && c.text().contains(needle))
        .count()
}

async fn planned(
    bot: &TestBot,
    title: &str,
    starts_in: Duration,
    reminders: &[ReminderOffset],
    who: &[TgUser],
) -> EventId {
    let id = event(bot, title, starts_in, reminders).await;
    invite(bot, id, who).await;
    bot.ctx().delivery.plan_event(id).await.unwrap();
    id
}

/// Waits until the scheduler has nothing due (every row sent, failed or skipped, or in the future).
async fn settle(bot: &TestBot, id: EventId) {
    for _ in 0..500 {
        let rows = bot.ctx().delivery.outbox().rows_of_event(id).await.unwrap();
        let now = bot.clock.now();
        if rows.iter().all(|r| r.state != RowState::Sending && !(r.state == RowState::Pending && r.send_at <= now)) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the outbox did not settle");
}

#[tokio::test]
async fn the_invitation_arrives_with_join_rsvp_and_calendar_buttons() {
    let bot = TestBot::start().await;
    let who = people(&bot, [501]).await;
    let mark = bot.tg.mark();
    planned(&bot, "Алгебра <8 класс>", Duration::days(2), &[Hour1], &who).await;
    let card = bot.tg.reply_after(mark, 501).await;
    assert!(card.text().contains("Алгебра &lt;8 класс&gt;"), "{}", card.text());
    assert!(card.text().contains("10:00–11:30 (Москва, UTC+3)"), "{}", card.text());
    assert!(card.text().contains("1 час 30 минут"), "{}", card.text());
    assert!(card.text().contains("&lt;дроби&gt; &amp; проценты"), "{}", card.text());
    let buttons = card.buttons();
    assert_eq!(buttons[0].1, "https://meet.jit.si/room123abc");
    assert!(buttons.iter().any(|(label, data)| label.contains("Приду") && data.starts_with("rsvp:")));
    assert!(buttons.iter().any(|(label, data)| label.contains("календарь") && data.starts_with("ics:")));
    bot.finish().await;
}

#[tokio::test]
async fn each_reminder_fires_at_its_time_and_not_before() {
    let bot = TestBot::start().await;
    let who = people(&bot, [511, 512]).await;
    let id = planned(&bot, "Физика", Duration::days(2), &[Days1, Hour1, Minutes15, AtStart], &who).await;
    settle(&bot, id).await;
    let start = bot.clock.now() + Duration::days(2);
    for (offset, needle) in
        [(Days1, "Через 1 день"), (Hour1, "Через 1 час"), (Minutes15, "Через 15 минут"), (AtStart, "начинается")]
    {
        let due = start - offset.duration();
        bot.clock.set(due - Duration::seconds(1));
        settle(&bot, id).await;
        let before = bot.tg.calls();
        assert_eq!(sent_to(&before, 511, needle), 0, "{needle} came early");
        let mark = bot.tg.mark();
        bot.clock.set(due);
        let reminder = bot.tg.wait_for(mark, needle, |c| c.chat_id() == Some(512) && c.text().contains(needle)).await;
        assert!(reminder.buttons()[0].1.starts_with("https://meet.jit.si/"), "Join button: {:?}", reminder.buttons());
        settle(&bot, id).await;
    }
    let calls = bot.tg.calls();
    for chat in [511, 512] {
        assert_eq!(sent_to(&calls, chat, "Физика"), 5, "an invitation and four reminders, once each");
    }
    bot.finish().await;
}

#[tokio::test]
async fn a_429_storm_still_delivers_everything_once() {
    let bot = TestBot::start().await;
    let ids: Vec<i64> = (600..620).collect();
    let who = people(&bot, ids.clone()).await;
    bot.tg.inject(Some("SendMessage"), None, Fault::RetryAfter(1), 4);
    let id = planned(&bot, "Химия", Duration::days(1), &[], &who).await;
    settle(&bot, id).await;
    let calls = bot.tg.calls();
    for chat in ids {
        assert_eq!(sent_to(&calls, chat, "Химия"), 1, "chat {chat}");
    }
    assert!(calls.iter().any(|c| matches!(c.fault, Some(Fault::RetryAfter(_)))), "the storm happened");
    bot.finish().await;
}

#[tokio::test]
async fn a_reminder_due_as_the_class_is_announced_waits_for_the_invitation() {
    let bot = TestBot::start().await;
    let who = people(&bot, [721]).await;
    let id = event(&bot, "Геометрия", Duration::days(1), &[Days1]).await;
    invite(&bot, id, &who).await;
    let mark = bot.tg.mark();
    // The card meets a dropped connection and is tried again later; the day-before reminder is
    // due now.
    bot.tg.inject(Some("SendMessage"), Some(721), Fault::Network, 1);
    bot.ctx().delivery.plan_event(id).await.unwrap();
    bot.tg.wait_for(mark, "the card meeting the fault", |c| c.fault.is_some()).await;
    // Time for the scheduler to claim whatever it may (without the rule, the reminder with the
    // card): nothing here moves the clock.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sent_to(&bot.tg.calls(), 721, "⏰"), 0, "no reminder before the card");

    bot.clock.advance(Duration::minutes(1));
    let reminder = bot.tg.wait_for(mark, "the reminder", |c| c.is_ok() && c.text().contains("⏰")).await;
    let card = bot.tg.calls().into_iter().find(|c| c.is_ok() && c.text().contains("📚")).expect("the card");
    assert!(card.seq < reminder.seq, "the card, then the reminder");
    bot.finish().await;
}

#[tokio::test]
async fn a_blocked_recipient_is_marked_and_not_retried() {
    let bot = TestBot::start().await;
    let who = people(&bot, [701, 702]).await;
    bot.tg.inject(Some("SendMessage"), Some(701), Fault::Blocked, 100);
    let id = planned(&bot, "История", Duration::hours(3), &[Hour1], &who).await;
    settle(&bot, id).await;
    bot.clock.advance(Duration::hours(2));
    settle(&bot, id).await;
    let attempts = bot.tg.calls().iter().filter(|c| c.method == "SendMessage" && c.chat_id() == Some(701)).count();
    assert_eq!(attempts, 1, "one try, then the reminder is skipped without a call");
    let rows = bot.ctx().delivery.outbox().rows_of_event(id).await.unwrap();
    let of_701: Vec<_> = rows.iter().filter(|r| r.chat_id.0 == 701).map(|r| (r.state, r.reason.clone())).collect();
    assert_eq!(of_701[0].0, RowState::Failed);
    assert_eq!(of_701[1], (RowState::Skipped, Some("recipient blocked the bot".to_owned())));
    let user = bot.ctx().users.get(teloxide::types::UserId(701)).await.unwrap().unwrap();
    assert!(!user.active);
    assert_eq!(sent_to(&bot.tg.calls(), 702, "История"), 2);
    bot.finish().await;
}

#[tokio::test]
async fn rows_caught_in_sending_by_a_crash_are_sent_after_restart() {
    let mut bot = TestBot::start().await;
    let who = people(&bot, [801]).await;
    let id = event(&bot, "Биология", Duration::days(1), &[Hour1]).await;
    invite(&bot, id, &who).await;
    bot.shutdown().await;
    let db = bot.db().await;
    let now = webinar_bot::store::stamp(bot.clock.now());
    webinar_bot::on_db!(&db, |pool| sqlx::query(
        "INSERT INTO outbox (event_id, chat_id, kind, due_at, send_at, state, attempts, created_at, updated_at)
         VALUES ($1, 801, 'invitation', $2, $2, 'sending', 1, $2, $2)",
    )
    .bind(id.0)
    .bind(&now)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))
    .unwrap();
    db.close().await;
    let mark = bot.tg.mark();
    bot.restart().await;
    let card = bot.tg.reply_after(mark, 801).await;
    assert!(card.text().contains("Биология"));
    bot.finish().await;
}

#[tokio::test]
async fn after_an_outage_overdue_reminders_collapse_into_one_late_message() {
    let mut bot = TestBot::start().await;
    let who = people(&bot, [901, 902]).await;
    let later = planned(&bot, "Геометрия", Duration::minutes(150), &[Hour1, Minutes15, Days1], &who).await;
    // The hour-before reminder is due in 90 minutes; add one due in 30 minutes as well.
    bot.ctx().events.set_reminders(later, &[Hour1, Minutes15, ReminderOffset::AtStart], bot.clock.now()).await.unwrap();
    let sooner = planned(&bot, "Черчение", Duration::minutes(90), &[Hour1], &who).await;
    settle(&bot, later).await;
    settle(&bot, sooner).await;
    bot.shutdown().await;
    // Two hours down: "Черчение" has started, both of "Геометрия"'s early reminders are overdue.
    bot.clock.advance(Duration::minutes(125));
    let mark = bot.tg.mark();
    bot.restart().await;
    settle(&bot, later).await;
    settle(&bot, sooner).await;
    let calls = bot.tg.calls()[mark..].to_vec();
    for chat in [901, 902] {
        assert_eq!(sent_to(&calls, chat, "Геометрия"), 1, "one message for the overdue reminders");
        assert_eq!(sent_to(&calls, chat, "запоздало"), 1, "marked as late");
        assert_eq!(sent_to(&calls, chat, "Черчение"), 0, "nothing for an event already started");
    }
    bot.finish().await;
}

#[tokio::test]
async fn a_reschedule_edits_the_card_sends_one_notice_and_replans_reminders() {
    let bot = TestBot::start().await;
    let who = people(&bot, [1001]).await;
    let mark = bot.tg.mark();
    let id = planned(&bot, "Литература", Duration::hours(5), &[Hour1], &who).await;
    let card = bot.tg.reply_after(mark, 1001).await;
    settle(&bot, id).await;
    let ctx = bot.ctx();
    let old_start = bot.clock.now() + Duration::hours(5);
    let new_start = old_start + Duration::hours(24);
    ctx.events.reschedule(id, new_start, 60, bot.clock.now()).await.unwrap();
    let mark = bot.tg.mark();
    ctx.delivery.event_changed(id).await.unwrap();
    let edit = bot.tg.wait_for(mark, "the card edit", |c| c.method == "EditMessageText").await;
    assert_eq!(edit.message_id(), card.message_id());
    let new_local = new_start.with_timezone(&chrono_tz::Europe::Moscow).format("%d.%m.%Y, %H:%M").to_string();
    assert!(edit.text().contains(&new_local), "{} / {new_local}", edit.text());
    let notice = bot.tg.wait_for(mark, "the notice", |c| c.text().contains("изменилось")).await;
    assert!(notice.text().contains(&new_local));
    settle(&bot, id).await;
    // The old reminder time passes in silence; the new one brings the reminder.
    bot.clock.set(old_start - Duration::hours(1));
    settle(&bot, id).await;
    assert_eq!(sent_to(&bot.tg.calls(), 1001, "Через 1 час"), 0);
    let mark = bot.tg.mark();
    bot.clock.set(new_start - Duration::hours(1));
    bot.tg.wait_for(mark, "the new reminder", |c| c.text().contains("Через 1 час")).await;
    bot.finish().await;
}

#[tokio::test]
async fn a_cancel_leaves_nothing_pending_and_marks_the_card() {
    let bot = TestBot::start().await;
    let who = people(&bot, [1101, 1102]).await;
    let id = planned(&bot, "Музыка", Duration::days(3), &[Days1, Hour1], &who).await;
    settle(&bot, id).await;
    let ctx = bot.ctx();
    ctx.events.set_status(id, EventStatus::Cancelled, None, bot.clock.now()).await.unwrap();
    let mark = bot.tg.mark();
    ctx.delivery.event_cancelled(id).await.unwrap();
    let edit = bot.tg.wait_for(mark, "the card edit", |c| c.method == "EditMessageText").await;
    assert!(edit.text().contains("Занятие отменено"), "{}", edit.text());
    assert!(edit.buttons().is_empty(), "no Join or RSVP on a cancelled card");
    bot.tg.wait_for(mark, "the notice", |c| c.text().contains("отменено") && c.method == "SendMessage").await;
    settle(&bot, id).await;
    let counts = ctx.delivery.outbox().counts(id).await.unwrap();
    assert_eq!(counts.pending, 0, "{counts:?}");
    bot.clock.advance(Duration::days(3));
    settle(&bot, id).await;
    assert_eq!(sent_to(&bot.tg.calls(), 1101, "Через"), 0, "no reminder after a cancel");
    bot.finish().await;
}

#[tokio::test]
async fn a_linked_group_chat_gets_one_message_per_notice() {
    let bot = TestBot::start().await;
    let members = people(&bot, [1201, 1202, 1203]).await;
    let chat = -100_500;
    let group_id = group(&bot, &members, Some(chat)).await;
    let id = event(&bot, "Семинар", Duration::hours(3), &[Hour1]).await;
    bot.ctx().events.set_groups(id, &[group_id]).await.unwrap();
    bot.ctx().delivery.plan_event(id).await.unwrap();
    settle(&bot, id).await;
    bot.clock.advance(Duration::hours(2));
    settle(&bot, id).await;
    let calls = bot.tg.calls();
    assert_eq!(sent_to(&calls, chat, "Семинар"), 2, "the card and the reminder, once each, in the chat");
    for member in members {
        assert_eq!(sent_to(&calls, member.id, "Семинар"), 0, "members are not written one by one");
    }
    bot.finish().await;
}

#[tokio::test]
async fn rsvp_changes_the_card_and_the_counts_and_strangers_are_refused() {
    let bot = TestBot::start().await;
    let who = people(&bot, [1301]).await;
    let mark = bot.tg.mark();
    let id = planned(&bot, "Информатика", Duration::days(1), &[], &who).await;
    let card = bot.tg.reply_after(mark, 1301).await;
    let data = card.button_data("Приду");
    let mark = bot.tg.mark();
    let answer = bot.tg.click(&who[0], card.message_id().unwrap(), &data).await;
    assert!(answer.text().contains("вы придёте"), "{}", answer.text());
    let edited = bot.tg.wait_for(mark, "the card edit", |c| c.method == "EditMessageText").await;
    assert!(edited.text().contains("Ваш ответ: приду"), "{}", edited.text());
    let counts = bot.ctx().events.rsvp_counts(id).await.unwrap();
    assert_eq!((counts.yes, counts.no, counts.audience), (1, 0, 1));

    // Someone outside the audience presses a forged button in their own chat.
    let stranger = TgUser::ru(1399);
    let their = bot.tg.ask(&stranger, "/help").await;
    let refusal = bot.tg.click(&stranger, their.message_id().unwrap(), &data).await;
    assert!(refusal.text().contains("не для вас"), "{}", refusal.text());
    assert_eq!(bot.ctx().events.rsvp_counts(id).await.unwrap().yes, 1);
    bot.finish().await;
}

#[tokio::test]
async fn the_calendar_file_keeps_its_uid_raises_its_sequence_and_cancels() {
    let bot = TestBot::start().await;
    let who = people(&bot, [1401]).await;
    let mark = bot.tg.mark();
    let id = planned(&bot, "Астрономия", Duration::days(1), &[], &who).await;
    let card = bot.tg.reply_after(mark, 1401).await;
    let press = |bot: &TestBot| {
        let data = card.button_data("календарь");
        let message = card.message_id().unwrap();
        let user = who[0].clone();
        let tg = bot.tg.clone();
        async move {
            let mark = tg.mark();
            tg.press(&user, message, &data);
            let sent = tg.wait_for(mark, "the .ics", |c| c.method == "SendDocument").await;
            let ics = sent.body["document"].as_str().expect("the file's text").to_owned();
            assert_eq!(sent.body["document_file_name"], format!("event-{}.ics", id.0), "{}", sent.body);
            ics
        }
    };
    let first = parse(&press(&bot).await);
    assert_eq!(first.uid, format!("event-{}@webinar-bot", id.0));
    assert_eq!(first.start, (bot.clock.now() + Duration::days(1)).format("%Y%m%dT%H%M%SZ").to_string());
    let ctx = bot.ctx();
    ctx.events.reschedule(id, bot.clock.now() + Duration::days(2), 90, bot.clock.now()).await.unwrap();
    let second = parse(&press(&bot).await);
    assert_eq!(second.uid, first.uid);
    assert!(second.sequence > first.sequence, "{} > {}", second.sequence, first.sequence);
    ctx.events.set_status(id, EventStatus::Cancelled, None, bot.clock.now()).await.unwrap();
    let third = parse(&press(&bot).await);
    assert_eq!(third.method, "CANCEL");
    assert!(third.sequence > second.sequence);
    bot.finish().await;
}

/// Presses "Add to calendar" under `card` and returns the file that came back.
async fn add_to_calendar(bot: &TestBot, who: &TgUser, card: &Call) -> calendar::Ics {
    let mark = bot.tg.mark();
    bot.tg.press(who, card.message_id().unwrap(), &card.button_data("календарь"));
    calendar::of(&bot.tg.wait_for(mark, "the .ics", |c| calendar::is_file_to(c, who.id)).await)
}

#[tokio::test]
async fn those_who_added_the_class_to_a_calendar_get_the_change_and_the_cancellation() {
    let bot = TestBot::start().await;
    let who = people(&bot, [1451, 1452]).await;
    let (holder, other) = (&who[0], &who[1]);
    let mark = bot.tg.mark();
    let id = planned(&bot, "Геометрия", Duration::days(1), &[], &who).await;
    let card = bot.tg.wait_for(mark, "the card", |c| c.chat_id() == Some(holder.id) && c.text().contains("🗓")).await;
    bot.tg.wait_for(mark, "the other card", |c| c.chat_id() == Some(other.id) && c.text().contains("🗓")).await;
    let added = add_to_calendar(&bot, holder, &card).await;
    settle(&bot, id).await;

    // The teacher moves the class by a day: the holder's calendar gets the new time.
    let ctx = bot.ctx();
    let mark = bot.tg.mark();
    let moved = bot.clock.now() + Duration::days(2);
    ctx.events.reschedule(id, moved, 90, bot.clock.now()).await.unwrap();
    ctx.delivery.event_changed(id).await.unwrap();
    let file = bot.tg.wait_for(mark, "the updated .ics", |c| calendar::is_file_to(c, holder.id)).await;
    assert!(file.text().contains("изменилось"), "{}", file.text());
    let update = calendar::of(&file);
    assert_eq!(update.uid, added.uid);
    assert!(update.sequence > added.sequence, "{} > {}", update.sequence, added.sequence);
    assert_eq!((update.method.as_str(), update.status.as_str()), ("PUBLISH", "CONFIRMED"));
    assert_eq!(update.start, moved.format("%Y%m%dT%H%M%SZ").to_string());
    // Planning the same change again sends nothing more: the row is keyed by the change.
    ctx.delivery.event_changed(id).await.unwrap();
    settle(&bot, id).await;
    let files = |chat| bot.tg.calls()[mark..].iter().filter(|c| calendar::is_file_to(c, chat)).count();
    assert_eq!(files(holder.id), 1);
    assert_eq!(files(other.id), 0, "only those who added it get files");

    // Cancelled: the file that removes the entry, and a card that can send it again.
    let mark = bot.tg.mark();
    ctx.events.set_status(id, EventStatus::Cancelled, None, bot.clock.now()).await.unwrap();
    ctx.delivery.event_cancelled(id).await.unwrap();
    let file = bot.tg.wait_for(mark, "the cancelling .ics", |c| calendar::is_file_to(c, holder.id)).await;
    assert!(file.text().contains("отменено"), "{}", file.text());
    let cancel = calendar::of(&file);
    assert_eq!(cancel.uid, added.uid);
    assert!(cancel.sequence > update.sequence, "{} > {}", cancel.sequence, update.sequence);
    assert_eq!((cancel.method.as_str(), cancel.status.as_str()), ("CANCEL", "CANCELLED"));
    assert!(!cancel.text.contains("meet.jit.si"), "a dead link stays out: {}", cancel.text);
    let edited = |chat| {
        bot.tg.wait_for(mark, "the cancelled card", move |c| {
            c.method == "EditMessageText" && c.chat_id() == Some(chat) && c.text().contains("отменено")
        })
    };
    let holders_card = edited(holder.id).await;
    assert_eq!(holders_card.buttons().len(), 1, "{:?}", holders_card.buttons());
    assert!(edited(other.id).await.buttons().is_empty());
    let mark = bot.tg.mark();
    bot.tg.press(holder, card.message_id().unwrap(), &holders_card.button_data("Убрать из календаря"));
    let again = bot.tg.wait_for(mark, "the .ics again", |c| calendar::is_file_to(c, holder.id)).await;
    let again = calendar::of(&again);
    assert_eq!(again.method, "CANCEL");
    assert!(again.sequence > cancel.sequence, "every copy goes up: {} > {}", again.sequence, cancel.sequence);
    bot.finish().await;
}

struct Ics {
    uid: String,
    start: String,
    sequence: u32,
    method: String,
}

fn parse(text: &str) -> Ics {
    use icalendar::{Calendar, Component};
    let calendar: Calendar = text.parse().expect("a valid calendar");
    let method = calendar.property_value("METHOD").unwrap_or_default().to_owned();
    let event = calendar.components.iter().find_map(|c| c.as_event()).expect("one VEVENT");
    Ics {
        uid: event.get_uid().unwrap().to_owned(),
        start: event.property_value("DTSTART").unwrap().to_owned(),
        sequence: event.get_sequence().unwrap_or(0),
        method,
    }
}
