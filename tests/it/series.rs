//! Repeating classes: a weekly class set up once keeps its local time, has one meeting at a time,
//! survives a cancelled occurrence and can be cancelled whole.

use crate::support;

use crate::support::fake_provider;

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc, Weekday};
use fake_provider::{FakeServer, Reply};
use serde_json::json;
use support::scenario::{choose, group, people, register_provider};
use support::{ADMIN_ID, Call, Clock, TestBot, TgUser, calendar};
use teloxide::types::UserId;
use webinar_bot::domain::event::{EventId, EventStatus};
use webinar_bot::domain::recurrence::{Ending, Frequency, Recurrence};
use webinar_bot::domain::reminders::ReminderOffset;
use webinar_bot::providers::telemost::{LiveStreamAccess, TelemostSettings, WaitingRoomLevel};
use webinar_bot::providers::{ProviderSettings, Secret, ServiceSettings};
use webinar_bot::store::NewEvent;
use webinar_bot::store::outbox::RowState;

const CONF: &str = "/v1/telemost-api/conferences";
const BERLIN: chrono_tz::Tz = chrono_tz::Europe::Berlin;

/// A Telemost fake that makes meetings m1, m2, … and deletes any of them.
async fn telemost(bot: &TestBot) -> (FakeServer, i64) {
    let server = FakeServer::start().await;
    for n in 1..=6 {
        let id = format!("m{n}");
        server.on(
            "POST",
            CONF,
            Reply::json(201, json!({"id": id, "join_url": format!("https://telemost.yandex.ru/j/{id}")})),
        );
        server.on("DELETE", &format!("{CONF}/{id}"), Reply::empty(204));
    }
    let settings = ProviderSettings::new(ServiceSettings::Telemost(TelemostSettings {
        token: Secret::new("y0_AgAAAAB-series-test-token-9876"),
        waiting_room_level: WaitingRoomLevel::Public,
        live_stream_access: LiveStreamAccess::Public,
        login_info_url: None,
    }))
    .with_base_url(format!("{}/v1/telemost-api", server.origin));
    let id = register_provider(bot, "Телемост", &settings).await;
    (server, id)
}

/// Meetings alive at the provider: made minus deleted.
fn live_meetings(server: &FakeServer) -> usize {
    let requests = server.requests();
    let made = requests.iter().filter(|r| r.method == "POST" && r.path == CONF).count();
    let gone = requests.iter().filter(|r| r.method == "DELETE").count();
    made - gone
}

/// A weekly Tuesday 18:00 class in Berlin from 16.03.2027, four times, with its first meeting made.
async fn weekly_series(bot: &TestBot, provider: i64) -> (EventId, i64) {
    let ctx = bot.ctx();
    people(bot, [ADMIN_ID]).await;
    let first = BERLIN.with_ymd_and_hms(2027, 3, 16, 18, 0, 0).unwrap().with_timezone(&Utc);
    let new = NewEvent {
        owner_id: UserId(ADMIN_ID as u64),
        host_id: None,
        host_email: None,
        provider_id: Some(provider),
        title: "Английский".into(),
        description: None,
        starts_at: first,
        duration_min: 90,
        tz: BERLIN,
        status: EventStatus::Draft,
        meeting: None,
        options: json!({}),
        reminders: vec![ReminderOffset::Hour1],
    };
    let id = ctx.events.insert(&new, bot.clock.now()).await.unwrap();
    let rule = Recurrence {
        frequency: Frequency::Weekly { weekdays: vec![Weekday::Tue], interval: 1 },
        ending: Ending::Count(4),
    };
    let event = ctx.events.get(id).await.unwrap().unwrap();
    let series = ctx.series.start(&event, &rule).await.unwrap();
    ctx.meetings.publish_as_owner(id).await.unwrap();
    ctx.series.wake();
    (id, series)
}

/// The occurrence the series has made last, once it has made the `number`th.
async fn occurrence(bot: &TestBot, series: i64, number: i64) -> webinar_bot::store::Event {
    for _ in 0..500 {
        if let Some(event) = bot.ctx().events.latest_occurrence(series).await.unwrap()
            && event.series == Some((series, number))
            && event.status == EventStatus::Planned
        {
            return event;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("occurrence {number} of series {series} was not made");
}

#[tokio::test]
async fn a_weekly_series_keeps_its_local_time_across_a_clock_change_with_one_meeting_at_a_time() {
    let bot = TestBot::start().await;
    let (server, provider) = telemost(&bot).await;
    let listeners = people(&bot, [3001]).await;
    let group_id = group(&bot, &listeners, None).await;
    let (first, series) = weekly_series(&bot, provider).await;
    bot.ctx().events.set_groups(first, &[group_id]).await.unwrap();
    bot.ctx().delivery.plan_event(first).await.unwrap();
    assert_eq!(live_meetings(&server), 1);
    bot.tg.wait_for(0, "the first invitation", |c| c.chat_id() == Some(3001) && c.text().contains("16.03.2027")).await;

    let mut utc_hours = vec![17];
    for number in 1..4 {
        let current = bot.ctx().events.latest_occurrence(series).await.unwrap().unwrap();
        bot.clock.set(current.ends_at() + Duration::minutes(1));
        let next = occurrence(&bot, series, number).await;
        assert_eq!(next.starts_at.with_timezone(&BERLIN).hour(), 18, "18:00 on the class's own clock");
        assert_eq!(next.starts_at.with_timezone(&BERLIN).date_naive().weekday(), Weekday::Tue);
        utc_hours.push(next.starts_at.hour());
        assert_eq!(live_meetings(&server), 1, "only the next occurrence has a meeting");
        // A week passes in a moment here: let the occurrence's invitation go out first.
        let date = next.starts_at.with_timezone(&chrono_tz::Europe::Moscow).format("%d.%m.%Y").to_string();
        bot.tg
            .wait_for(0, "the occurrence's invitation", |c| c.chat_id() == Some(3001) && c.text().contains(&date))
            .await;
    }
    assert_eq!(utc_hours, [17, 17, 16, 16], "Berlin moved its clocks on 28 March");

    // Each occurrence invites the group with its own link, and the card names the rhythm.
    let invitations = || -> Vec<Call> {
        bot.tg
            .calls()
            .into_iter()
            .filter(|c| c.method == "SendMessage" && c.chat_id() == Some(3001) && c.text().contains("Английский"))
            .filter(|c| c.text().contains("каждый вторник"))
            .collect()
    };
    for _ in 0..300 {
        if invitations().len() >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let invitations = invitations();
    assert_eq!(invitations.len(), 4, "{invitations:#?}");
    assert!(invitations[3].buttons()[0].1.ends_with("/j/m4"));

    // After the last one the series ends and its meeting is removed.
    let last = bot.ctx().events.latest_occurrence(series).await.unwrap().unwrap();
    bot.clock.set(last.ends_at() + Duration::minutes(1));
    for _ in 0..300 {
        if live_meetings(&server) == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(live_meetings(&server), 0);
    bot.finish().await;
}

#[tokio::test]
async fn cancelling_one_occurrence_skips_it_and_the_next_still_comes() {
    let bot = TestBot::start().await;
    let (server, provider) = telemost(&bot).await;
    let (first, series) = weekly_series(&bot, provider).await;
    bot.ctx().meetings.cancel(first).await.unwrap();
    bot.ctx().series.wake();
    let next = occurrence(&bot, series, 1).await;
    assert_eq!(next.starts_at.with_timezone(&BERLIN).date_naive(), NaiveDate::from_ymd_opt(2027, 3, 23).unwrap());
    assert_eq!(live_meetings(&server), 1);
    let exceptions = bot.ctx().events.cancelled_occurrences(series).await.unwrap();
    assert_eq!(exceptions.len(), 1);
    bot.finish().await;
}

#[tokio::test]
async fn cancelling_the_series_deletes_the_live_meeting_and_leaves_nothing_pending() {
    let bot = TestBot::start().await;
    let (server, provider) = telemost(&bot).await;
    let listeners = people(&bot, [3101]).await;
    let (first, series) = weekly_series(&bot, provider).await;
    webinar_bot_invite(&bot, first, &listeners).await;
    bot.ctx().series.cancel(series).await.unwrap();
    assert_eq!(live_meetings(&server), 0);
    bot.clock.advance(Duration::days(200));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let rows = bot.ctx().delivery.outbox().rows_of_event(first).await.unwrap();
    assert!(rows.iter().all(|r| r.state != RowState::Pending), "{rows:#?}");
    assert_eq!(bot.ctx().events.latest_occurrence(series).await.unwrap().unwrap().id, first, "no new occurrence");
    assert_eq!(live_meetings(&server), 0);
    bot.finish().await;
}

#[tokio::test]
async fn the_calendar_file_carries_the_rule_and_its_exceptions() {
    let bot = TestBot::start().await;
    let (_server, provider) = telemost(&bot).await;
    let listeners = people(&bot, [3201]).await;
    let (first, series) = weekly_series(&bot, provider).await;
    bot.ctx().meetings.cancel(first).await.unwrap();
    bot.ctx().series.wake();
    let next = occurrence(&bot, series, 1).await;
    let mark = bot.tg.mark();
    webinar_bot_invite(&bot, next.id, &listeners).await;
    let card = bot.tg.reply_after(mark, 3201).await;
    let mark = bot.tg.mark();
    bot.tg.press(&listeners[0], card.message_id().unwrap(), &card.button_data("календарь"));
    let file = bot.tg.wait_for(mark, "the .ics", |c| c.method == "SendDocument").await;
    let ics = file.body["document"].as_str().unwrap();
    assert!(ics.contains("RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;COUNT=4"), "{ics}");
    // In the class's own zone, so the rule repeats on Berlin's Tuesdays at 18:00 across the
    // clock change of 28 March.
    assert!(ics.contains("\r\nEXDATE;TZID=Europe/Berlin:20270316T180000\r\n"), "{ics}");
    assert!(ics.contains(&format!("UID:series-{series}@webinar-bot")), "{ics}");
    assert!(ics.contains("\r\nDTSTART;TZID=Europe/Berlin:20270316T180000\r\n"), "{ics}");
    assert!(ics.contains("\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"), "{ics}");
    bot.finish().await;
}

#[tokio::test]
async fn a_moved_occurrence_reaches_the_calendar_as_an_override() {
    let bot = TestBot::start().await;
    let (_server, provider) = telemost(&bot).await;
    let listeners = people(&bot, [3301]).await;
    let (first, series) = weekly_series(&bot, provider).await;
    // The teacher moves the first class from Tuesday 18:00 to Wednesday 10:00.
    let moved = BERLIN.with_ymd_and_hms(2027, 3, 17, 10, 0, 0).unwrap().with_timezone(&Utc);
    bot.ctx().events.reschedule(first, moved, 90, bot.clock.now()).await.unwrap();
    let mark = bot.tg.mark();
    webinar_bot_invite(&bot, first, &listeners).await;
    let card = bot.tg.reply_after(mark, 3301).await;
    let mark = bot.tg.mark();
    bot.tg.press(&listeners[0], card.message_id().unwrap(), &card.button_data("календарь"));
    let file = bot.tg.wait_for(mark, "the .ics", |c| c.method == "SendDocument").await;
    let ics = file.body["document"].as_str().unwrap();
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2, "the series and its moved class: {ics}");
    assert!(
        ics.contains("\r\nDTSTART;TZID=Europe/Berlin:20270316T180000\r\n"),
        "the rule still starts on Tuesday: {ics}"
    );
    assert!(ics.contains("\r\nRECURRENCE-ID;TZID=Europe/Berlin:20270316T180000\r\n"), "{ics}");
    assert!(ics.contains("\r\nDTSTART;TZID=Europe/Berlin:20270317T100000\r\n"), "{ics}");
    assert_eq!(ics.matches(&format!("UID:series-{series}@webinar-bot")).count(), 2, "{ics}");
    bot.finish().await;
}

/// A series is one calendar entry: a moved class, a cancelled class and the cancelled series each
/// reach whoever added it, as the right change of that one entry.
#[tokio::test]
async fn whoever_added_a_series_gets_each_change_of_it_as_its_calendar_needs_it() {
    let bot = TestBot::start().await;
    let (_server, provider) = telemost(&bot).await;
    let listeners = people(&bot, [3501]).await;
    let holder = &listeners[0];
    let (first, series) = weekly_series(&bot, provider).await;
    let mark = bot.tg.mark();
    webinar_bot_invite(&bot, first, &listeners).await;
    let card = bot.tg.reply_after(mark, holder.id).await;
    let mark = bot.tg.mark();
    bot.tg.press(holder, card.message_id().unwrap(), &card.button_data("календарь"));
    let added = calendar::of(&bot.tg.wait_for(mark, "the .ics", |c| calendar::is_file_to(c, holder.id)).await);
    assert_eq!(added.uid, format!("series-{series}@webinar-bot"));
    let ctx = bot.ctx();

    // One class moves from Tuesday 18:00 to Wednesday 10:00: an override of that date.
    let mark = bot.tg.mark();
    let moved = BERLIN.with_ymd_and_hms(2027, 3, 17, 10, 0, 0).unwrap().with_timezone(&Utc);
    ctx.events.reschedule(first, moved, 90, bot.clock.now()).await.unwrap();
    ctx.meetings.sync_changes(first).await.unwrap();
    let update = calendar::of(&bot.tg.wait_for(mark, "the moved class", |c| calendar::is_file_to(c, holder.id)).await);
    assert_eq!((update.uid.as_str(), update.method.as_str()), (added.uid.as_str(), "PUBLISH"));
    assert!(update.sequence > added.sequence, "{} > {}", update.sequence, added.sequence);
    assert_eq!(update.vevents, 2, "the series and its moved class: {}", update.text);
    assert!(update.text.contains("\r\nRECURRENCE-ID;TZID=Europe/Berlin:20270316T180000\r\n"), "{}", update.text);
    assert!(update.text.contains("\r\nDTSTART;TZID=Europe/Berlin:20270317T100000\r\n"), "{}", update.text);

    // That class is cancelled: the series goes on without its date.
    let mark = bot.tg.mark();
    ctx.meetings.cancel(first).await.unwrap();
    let file = bot.tg.wait_for(mark, "the cancelled class", |c| calendar::is_file_to(c, holder.id)).await;
    assert!(file.text().contains("изменилось"), "the entry stays: {}", file.text());
    let skipped = calendar::of(&file);
    assert_eq!((skipped.uid.as_str(), skipped.method.as_str()), (added.uid.as_str(), "PUBLISH"));
    assert_eq!(skipped.status, "CONFIRMED");
    assert!(skipped.sequence > update.sequence, "{} > {}", skipped.sequence, update.sequence);
    assert!(skipped.text.contains("\r\nEXDATE;TZID=Europe/Berlin:20270316T180000\r\n"), "{}", skipped.text);
    assert_eq!(skipped.vevents, 1, "no override of a date that is gone: {}", skipped.text);

    // The whole series is cancelled from its next class: the entry goes.
    ctx.series.wake();
    occurrence(&bot, series, 1).await;
    let mark = bot.tg.mark();
    ctx.series.cancel(series).await.unwrap();
    let file = bot.tg.wait_for(mark, "the cancelled series", |c| calendar::is_file_to(c, holder.id)).await;
    assert!(file.text().contains("отменено"), "{}", file.text());
    let gone = calendar::of(&file);
    assert_eq!(
        (gone.uid.as_str(), gone.method.as_str(), gone.status.as_str()),
        (added.uid.as_str(), "CANCEL", "CANCELLED")
    );
    assert!(gone.sequence > skipped.sequence, "{} > {}", gone.sequence, skipped.sequence);
    bot.finish().await;
}

#[tokio::test]
async fn a_listener_far_east_reads_the_rule_on_their_own_calendar() {
    let bot = TestBot::start().await;
    let (_server, provider) = telemost(&bot).await;
    let listeners = people(&bot, [3401]).await;
    let vladivostok = chrono_tz::Asia::Vladivostok;
    bot.ctx().users.set_timezone(UserId(3401), vladivostok).await.unwrap();
    let (first, _series) = weekly_series(&bot, provider).await;
    let mark = bot.tg.mark();
    webinar_bot_invite(&bot, first, &listeners).await;
    let card = bot.tg.reply_after(mark, 3401).await;
    // Tuesday 18:00 in Berlin is Wednesday 03:00 in Vladivostok.
    assert!(card.text().contains("каждую среду в 03:00"), "{}", card.text());
    assert!(card.text().contains("ср, 17.03.2027, 03:00"), "{}", card.text());
    bot.finish().await;
}

async fn webinar_bot_invite(bot: &TestBot, event: EventId, who: &[TgUser]) {
    support::scenario::invite(bot, event, who).await;
    bot.ctx().delivery.plan_event(event).await.unwrap();
}

#[tokio::test]
async fn a_teacher_sets_up_a_weekly_class_once_in_the_dialogue() {
    let bot = TestBot::start().await;
    let user = TgUser::ru(ADMIN_ID);
    let q = bot.tg.ask(&user, "/new").await;
    assert!(q.text().contains("Как называется"));
    let q = bot.tg.ask(&user, "Еженедельный семинар").await;
    choose(&bot, &user, &q, "Jitsi").await;
    let q = bot.tg.ask(&user, "01.12.2026 18:00").await;
    let q = choose(&bot, &user, &q, "1 час 30 минут").await;
    assert!(q.text().contains("повторяется"), "{}", q.text());
    // Weekly: the weekday of the first date is ticked; Thursday is added on the same message.
    let mark = bot.tg.mark();
    bot.tg.press(&user, q.message_id().unwrap(), &q.button_data("Каждую неделю"));
    let days = bot.tg.wait_for(mark, "the weekdays", |c| c.method == "EditMessageText").await;
    assert!(days.buttons().iter().any(|(label, _)| label == "✅ вт"), "{:?}", days.buttons());
    let mark = bot.tg.mark();
    bot.tg.press(&user, q.message_id().unwrap(), &days.button_data("чт"));
    bot.tg.wait_for(mark, "Thursday ticked", |c| c.method == "EditMessageReplyMarkup").await;
    let q = choose(&bot, &user, &days, "Готово").await;
    assert!(q.text().contains("Сколько всего занятий"), "{}", q.text());
    let refusal = bot.tg.ask(&user, "60").await;
    assert!(refusal.text().contains("от 2 до 50"), "{}", refusal.text());
    let q = bot.tg.ask(&user, "6").await;
    let q = choose(&bot, &user, &q, "Пропустить").await;
    let q = choose(&bot, &user, &q, "Я").await;
    let q = choose(&bot, &user, &q, "Готово").await;
    let summary = choose(&bot, &user, &q, "Готово").await;
    assert!(summary.text().contains("Повтор: по вторникам, четвергам в 18:00, 6 занятий"), "{}", summary.text());
    let mark = bot.tg.mark();
    bot.tg.press(&user, summary.message_id().unwrap(), &summary.button_data("Создать"));
    let card = bot.tg.wait_for(mark, "the card", |c| c.text().contains("Занятие создано")).await;
    assert!(card.text().contains("занятие 1 из 6"), "{}", card.text());
    assert!(card.buttons().iter().any(|(label, _)| label.contains("всю серию")));
    bot.finish().await;
}

/// Cancelling the whole series asks on the card and answers there: "No" brings the card back,
/// "Yes" leaves the cancelled card with no question pressable, and no message is added.
#[tokio::test]
async fn the_series_is_cancelled_on_its_card_without_new_messages() {
    let bot = TestBot::start().await;
    let (_server, provider) = telemost(&bot).await;
    weekly_series(&bot, provider).await;
    let user = TgUser::ru(ADMIN_ID);
    let list = bot.tg.ask(&user, "/events").await;
    let card = choose(&bot, &user, &list, "Английский").await;
    let mark = bot.tg.mark();
    let ask = choose(&bot, &user, &card, "всю серию").await;
    assert!(ask.text().contains("Отменить всю серию «Английский»"), "{}", ask.text());
    let back = choose(&bot, &user, &ask, "Нет").await;
    assert!(back.buttons().iter().any(|(label, _)| label.contains("всю серию")), "{:?}", back.buttons());
    let ask = choose(&bot, &user, &back, "всю серию").await;
    let done = choose(&bot, &user, &ask, "Да, отменить").await;
    assert!(done.text().contains("Серия отменена"), "{}", done.text());
    assert!(!done.buttons().iter().any(|(label, _)| label.contains("Да, отменить")), "{:?}", done.buttons());
    bot.tg.assert_silent_after(mark, ADMIN_ID).await;
    let screens: Vec<_> = [&ask, &back, &done].iter().map(|c| (c.method.clone(), c.message_id())).collect();
    let here = ("EditMessageText".to_owned(), card.message_id());
    assert!(screens.iter().all(|s| *s == here), "{screens:?}");
    bot.finish().await;
}
