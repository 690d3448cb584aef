//! Teachers create and manage events in the dialogue, against the fake Bot API and fake services.

use crate::support;

use crate::support::fake_provider;

use fake_provider::{FakeServer, Reply};
use serde_json::json;
use support::scenario::{choose, group, people, press_for, register_provider};
use support::{ADMIN_ID, Call, Clock, TestBot, TgUser};
use teloxide::types::UserId;
use webinar_bot::domain::event::EventStatus;
use webinar_bot::providers::telemost::{LiveStreamAccess, TelemostSettings, WaitingRoomLevel};
use webinar_bot::providers::{ProviderSettings, Secret, ServiceSettings};

const CONF: &str = "/v1/telemost-api/conferences";

fn admin() -> TgUser {
    TgUser::ru(ADMIN_ID)
}

/// A Telemost provider of the administrator's, pointed at a fake server.
async fn telemost(bot: &TestBot, server: &FakeServer) -> i64 {
    let settings = ProviderSettings::new(ServiceSettings::Telemost(TelemostSettings {
        token: Secret::new("y0_AgAAAAB-events-test-token-1234"),
        waiting_room_level: WaitingRoomLevel::Public,
        live_stream_access: LiveStreamAccess::Public,
        login_info_url: Some(format!("{}/info", server.origin)),
    }))
    .with_base_url(format!("{}/v1/telemost-api", server.origin));
    register_provider(bot, "Телемост школы", &settings).await
}

/// Walks `/new` to the summary: title, the provider labelled `service`, the typed start, 90
/// minutes, no repeat, no description, the administrator as host, the default reminders and `audience`.
async fn up_to_summary(bot: &TestBot, user: &TgUser, title: &str, service: &str, start: &str, audience: &str) -> Call {
    let q = bot.tg.ask(user, "/new").await;
    assert!(q.text().contains("Как называется занятие"), "{}", q.text());
    let q = bot.tg.ask(user, title).await;
    assert!(q.text().contains("Где провести встречу"), "{}", q.text());
    let q = choose(bot, user, &q, service).await;
    assert!(q.text().contains("Какого числа"), "{}", q.text());
    let q = bot.tg.ask(user, start).await;
    assert!(q.text().contains("Сколько длится"), "{}", q.text());
    let q = choose(bot, user, &q, "1 час 30 минут").await;
    assert!(q.text().contains("повторяется"), "{}", q.text());
    let q = choose(bot, user, &q, "Не повторять").await;
    let q = choose(bot, user, &q, "Пропустить").await;
    let q = if q.text().contains("Кто ведёт") { choose(bot, user, &q, "Я").await } else { q };
    let q = if q.text().contains("Настройки встречи") {
        choose(bot, user, &q, "Готово").await
    } else {
        q
    };
    assert!(q.text().contains("Когда напомнить"), "{}", q.text());
    let q = choose(bot, user, &q, "Готово").await;
    assert!(q.text().contains("Кого пригласить"), "{}", q.text());
    let q = if audience.is_empty() {
        q
    } else {
        let mark = bot.tg.mark();
        bot.tg.press(user, q.message_id().unwrap(), &q.button_data(audience));
        bot.tg.wait_for(mark, "the ticked keyboard", |c| c.method == "EditMessageReplyMarkup").await;
        q
    };
    let summary = choose(bot, user, &q, "Готово").await;
    assert!(summary.text().contains("Проверьте занятие"), "{}", summary.text());
    summary
}

#[tokio::test]
async fn a_teacher_creates_an_event_and_every_listener_of_its_group_is_invited() {
    let bot = TestBot::start().await;
    let listeners = people(&bot, [2001, 2002]).await;
    group(&bot, &listeners, None).await;
    let summary = up_to_summary(&bot, &admin(), "Вебинар: <налоги>", "Jitsi", "01.12.2026 18:30", "Группа").await;
    assert!(summary.text().contains("Вебинар: &lt;налоги&gt;"), "{}", summary.text());
    assert!(summary.text().contains("01.12.2026 18:30"), "{}", summary.text());
    let mark = bot.tg.mark();
    bot.tg.press(&admin(), summary.message_id().unwrap(), &summary.button_data("Создать"));
    let card = bot.tg.wait_for(mark, "the teacher's card", |c| c.text().contains("Занятие создано")).await;
    assert!(card.text().contains("https://meet.jit.si/"), "{}", card.text());
    assert!(card.text().contains("Jitsi Meet хранит только ссылку"), "{}", card.text());
    assert!(card.text().contains("https://t.me/webinar_test_bot?start=e"), "{}", card.text());
    for listener in &listeners {
        let invitation = bot.tg.wait_for(mark, "the invitation", |c| c.chat_id() == Some(listener.id)).await;
        assert!(invitation.text().contains("вт, 01.12.2026, 18:30–20:00"), "{}", invitation.text());
    }
    bot.finish().await;
}

#[tokio::test]
async fn each_typed_date_form_is_understood_and_bad_ones_are_explained() {
    // Eleven dialogues in one chat within seconds: each typed answer also takes the buttons off
    // the question it answers, which would put this chat over Telegram's 60 a minute.
    let bot = TestBot::start_unthrottled(&[]).await;
    let user = admin();
    // Monday 30.11.2026, 10:00 in Moscow.
    for (input, next) in [
        ("25.12", "Во сколько начало 25.12.2026"),
        ("25.12.2026 18:30", "Сколько длится"),
        ("завтра 18:00", "Сколько длится"),
        ("2026-12-25 18:30", "Сколько длится"),
        ("31.02", "31"),
        ("29.11.2026", "уже прошёл"),
        ("понедельник", "Не удалось распознать"),
    ] {
        bot.tg.ask(&user, "/new").await;
        let q = bot.tg.ask(&user, "Проверка дат").await;
        choose(&bot, &user, &q, "Jitsi").await;
        let answer = bot.tg.ask(&user, input).await;
        assert!(answer.text().contains(next), "{input}: {}", answer.text());
        bot.tg.ask(&user, "/cancel").await;
    }
    // A time that falls into a clock change is explained, for a teacher in Berlin.
    bot.tg.ask(&user, "/tz").await;
    bot.tg.ask(&user, "Europe/Berlin").await;
    for (input, word) in [("28.03.2027 02:30", "02:30"), ("31.10.2027 02:30", "02:30")] {
        bot.tg.ask(&user, "/new").await;
        let q = bot.tg.ask(&user, "Переход на летнее время").await;
        choose(&bot, &user, &q, "Jitsi").await;
        let answer = bot.tg.ask(&user, input).await;
        assert!(
            answer.text().contains(word) && !answer.text().contains("Сколько длится"),
            "{input}: {}",
            answer.text()
        );
        bot.tg.ask(&user, "/cancel").await;
    }
    bot.finish().await;
}

#[tokio::test]
async fn back_and_the_summary_let_any_answer_be_changed() {
    let bot = TestBot::start().await;
    let user = admin();
    let summary = up_to_summary(&bot, &user, "Черновое название", "Jitsi", "02.12.2026 10:00", "").await;
    let q = choose(&bot, &user, &summary, "Название").await;
    assert!(q.text().contains("Как называется"));
    let summary = bot.tg.ask(&user, "Окончательное название").await;
    assert!(summary.text().contains("Окончательное название"), "{}", summary.text());
    choose(&bot, &user, &summary, "Время").await;
    let summary = bot.tg.ask(&user, "11:45").await;
    assert!(summary.text().contains("02.12.2026 11:45"), "{}", summary.text());
    bot.finish().await;
}

#[tokio::test]
async fn a_provider_failure_leaves_a_draft_with_a_working_retry() {
    let bot = TestBot::start().await;
    let server = FakeServer::start().await;
    // The first create is refused; the one after Retry succeeds.
    server.on("POST", CONF, Reply::json(401, json!({"error": "UnauthorizedError", "description": "Unauthorized"})));
    server.on("POST", CONF, Reply::json(201, json!({"id": "777", "join_url": "https://telemost.yandex.ru/j/777"})));
    telemost(&bot, &server).await;
    let user = admin();
    let summary = up_to_summary(&bot, &user, "Занятие в Телемосте", "Телемост школы", "03.12.2026 12:00", "").await;
    let failed = choose(&bot, &user, &summary, "Создать").await;
    let failed =
        if failed.text().contains("Создаю") { bot.tg.reply_after(failed.seq + 1, user.id).await } else { failed };
    assert!(failed.text().contains("черновик"), "{}", failed.text());
    let (event, _) = bot.ctx().events.managed(None, bot.clock.now(), 10, 0).await.unwrap();
    assert_eq!(event[0].status, EventStatus::Draft);

    let mark = bot.tg.mark();
    bot.tg.press(&user, failed.message_id().unwrap(), &failed.button_data("Повторить"));
    let card = bot.tg.wait_for(mark, "the card", |c| c.text().contains("Занятие создано")).await;
    assert!(card.text().contains("https://telemost.yandex.ru/j/777"), "{}", card.text());
    bot.finish().await;
}

#[tokio::test]
async fn a_save_failure_after_create_deletes_the_meeting() {
    let bot = TestBot::start().await;
    let server = FakeServer::start().await;
    server.on("POST", CONF, Reply::json(201, json!({"id": "888", "join_url": "https://telemost.yandex.ru/j/888"})));
    server.on("DELETE", &format!("{CONF}/888"), Reply::empty(204));
    telemost(&bot, &server).await;
    let db = bot.db().await;
    // Saving the meeting fails, as a full disk would make it.
    let trigger: &[&str] = match &db {
        webinar_bot::store::Db::Sqlite(_) => &["CREATE TRIGGER disk_full BEFORE UPDATE OF meeting ON events
              WHEN NEW.meeting IS NOT NULL BEGIN SELECT RAISE(ABORT, 'disk full'); END"],
        webinar_bot::store::Db::Postgres(..) => &[
            "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN RAISE EXCEPTION 'disk full'; END $$",
            "CREATE TRIGGER disk_full BEFORE UPDATE OF meeting ON events FOR EACH ROW
              WHEN (NEW.meeting IS NOT NULL) EXECUTE FUNCTION disk_full()",
        ],
    };
    for statement in trigger {
        webinar_bot::on_db!(&db, |pool| sqlx::query(statement).execute(pool).await.map(drop)).unwrap();
    }
    let user = admin();
    let summary = up_to_summary(&bot, &user, "Не сохранится", "Телемост школы", "03.12.2026 12:00", "").await;
    let mark = bot.tg.mark();
    bot.tg.press(&user, summary.message_id().unwrap(), &summary.button_data("Создать"));
    let failed = bot.tg.wait_for(mark, "the failure", |c| c.text().contains("черновик")).await;
    assert!(failed.text().contains("внутренняя ошибка"), "{}", failed.text());
    assert_eq!(server.requests_to("DELETE", &format!("{CONF}/888")).len(), 1, "the orphan is deleted");
    bot.finish().await;
}

#[tokio::test]
async fn edit_new_link_remove_link_and_cancel_call_the_service_and_tell_listeners() {
    let bot = TestBot::start().await;
    let server = FakeServer::start().await;
    server.on("POST", CONF, Reply::json(201, json!({"id": "100", "join_url": "https://telemost.yandex.ru/j/100"})));
    server.on("POST", CONF, Reply::json(201, json!({"id": "200", "join_url": "https://telemost.yandex.ru/j/200"})));
    server.on("DELETE", &format!("{CONF}/100"), Reply::empty(204));
    server.on("DELETE", &format!("{CONF}/200"), Reply::empty(204));
    telemost(&bot, &server).await;
    let listeners = people(&bot, [2101]).await;
    group(&bot, &listeners, None).await;
    let user = admin();
    let summary = up_to_summary(&bot, &user, "Жизненный цикл", "Телемост школы", "04.12.2026 15:00", "Группа").await;
    let mark = bot.tg.mark();
    bot.tg.press(&user, summary.message_id().unwrap(), &summary.button_data("Создать"));
    let card = bot.tg.wait_for(mark, "the card", |c| c.text().contains("Занятие создано")).await;
    bot.tg.wait_for(mark, "the invitation", |c| c.chat_id() == Some(2101)).await;

    // Reschedule through the card.
    let menu = press_for(&bot, &user, &card, "Изменить", "что изменить").await;
    let q = press_for(&bot, &user, &menu, "Дата и время", "Новые дата и время").await;
    assert!(q.text().contains("Новые дата и время"));
    let mark = bot.tg.mark();
    let saved = bot.tg.ask(&user, "05.12.2026 16:00").await;
    assert!(saved.text().contains("Слушатели получили уведомление"), "{}", saved.text());
    let notice =
        bot.tg.wait_for(mark, "the notice", |c| c.chat_id() == Some(2101) && c.text().contains("изменилось")).await;
    assert!(notice.text().contains("05.12.2026, 16:00"), "{}", notice.text());

    // A new link: a new meeting, the old one deleted, listeners told.
    let mark = bot.tg.mark();
    press_for(&bot, &user, &card, "Новая ссылка", "Новая ссылка создана").await;
    assert_eq!(server.requests_to("DELETE", &format!("{CONF}/100")).len(), 1);
    bot.tg
        .wait_for(mark, "the card edited with the new link", |c| {
            c.chat_id() == Some(2101) && c.method == "EditMessageText" && c.buttons()[0].1.ends_with("/j/200")
        })
        .await;

    // Remove the link: deleted at the service.
    press_for(&bot, &user, &card, "Убрать ссылку", "Ссылка убрана").await;
    assert_eq!(server.requests_to("DELETE", &format!("{CONF}/200")).len(), 1);

    // Cancel: asked first, then listeners told.
    let ask = press_for(&bot, &user, &card, "Отменить занятие", "Отменить «Жизненный цикл»").await;
    assert!(ask.text().contains("1 получатель получит"), "{}", ask.text());
    let mark = bot.tg.mark();
    press_for(&bot, &user, &ask, "Да, отменить", "Занятие отменено").await;
    bot.tg.wait_for(mark, "the cancel notice", |c| c.chat_id() == Some(2101) && c.text().contains("отменено")).await;
    bot.finish().await;
}

/// A Jitsi room cannot be deleted, so cancelling one says so instead of claiming a deletion, and
/// the cancelled card no longer shows the dead room's links.
#[tokio::test]
async fn cancelling_a_jitsi_class_says_what_really_happens_and_hides_its_link() {
    let bot = TestBot::start().await;
    let user = admin();
    let summary = up_to_summary(&bot, &user, "Комната Jitsi", "Jitsi", "07.12.2026 09:00", "").await;
    let mark = bot.tg.mark();
    bot.tg.press(&user, summary.message_id().unwrap(), &summary.button_data("Создать"));
    let card = bot.tg.wait_for(mark, "the card", |c| c.text().contains("Занятие создано")).await;
    assert!(card.text().contains("meet.jit.si"), "{}", card.text());
    let ask = press_for(&bot, &user, &card, "Отменить занятие", "Отменить «Комната Jitsi»").await;
    assert!(ask.text().contains("Комнату Jitsi Meet удалять не нужно"), "{}", ask.text());
    assert!(!ask.text().contains("будет удалена в сервисе"), "{}", ask.text());
    let done = press_for(&bot, &user, &ask, "Да, отменить", "Занятие отменено").await;
    assert!(done.text().contains("она существует, только пока в ней кто-то есть"), "{}", done.text());
    assert!(!done.text().contains("Встреча удалена в сервисе"), "{}", done.text());
    // What happened heads the cancelled card, in the one message.
    assert!(done.text().contains("📚"), "{}", done.text());
    assert!(!done.text().contains("meet.jit.si"), "no dead link: {}", done.text());
    bot.finish().await;
}

/// The cancel question and its answer take turns on the card's message, as the edit menu does:
/// no new message, and no Yes/No left pressable once the class is cancelled.
#[tokio::test]
async fn cancelling_asks_and_answers_on_the_card_itself() {
    let bot = TestBot::start().await;
    let user = admin();
    let summary = up_to_summary(&bot, &user, "На месте", "Jitsi", "08.12.2026 09:00", "").await;
    let mark = bot.tg.mark();
    bot.tg.press(&user, summary.message_id().unwrap(), &summary.button_data("Создать"));
    let card = bot.tg.wait_for(mark, "the card", |c| c.text().contains("Занятие создано")).await;
    let mark = bot.tg.mark();
    let ask = press_for(&bot, &user, &card, "Отменить занятие", "Отменить «На месте»").await;
    assert_eq!((ask.method.as_str(), ask.message_id()), ("EditMessageText", card.message_id()));
    let done = press_for(&bot, &user, &ask, "Да, отменить", "Занятие отменено").await;
    assert_eq!((done.method.as_str(), done.message_id()), ("EditMessageText", card.message_id()));
    assert!(done.text().contains("📚") && done.text().contains("отменено"), "{}", done.text());
    let left: Vec<String> = done.buttons().into_iter().map(|(label, _)| label).collect();
    assert!(!left.iter().any(|l| l.contains("Да, отменить") || l == "Нет"), "stale answers: {left:?}");
    // A "yes" pressed again (a second tap, an old copy) shows the card as it is, in place.
    let again = bot.tg.mark();
    bot.tg.press(&user, card.message_id().unwrap(), &ask.button_data("Да, отменить"));
    let outdated = bot.tg.reply_after(again, ADMIN_ID).await;
    assert_eq!((outdated.method.as_str(), outdated.message_id()), ("EditMessageText", card.message_id()));
    assert!(outdated.text().contains("уже не подходит"), "{}", outdated.text());
    bot.tg.assert_silent_after(mark, ADMIN_ID).await;
    let calls = bot.tg.calls();
    let to_teacher =
        |method: &str| calls[mark..].iter().filter(|c| c.method == method && c.chat_id() == Some(ADMIN_ID)).count();
    assert_eq!((to_teacher("SendMessage"), to_teacher("EditMessageText")), (0, 3));
    bot.finish().await;
}

#[tokio::test]
async fn a_teacher_cannot_see_or_touch_another_teachers_event() {
    let bot = TestBot::start().await;
    let user = admin();
    let summary = up_to_summary(&bot, &user, "Чужое занятие", "Jitsi", "06.12.2026 09:00", "").await;
    let mark = bot.tg.mark();
    bot.tg.press(&user, summary.message_id().unwrap(), &summary.button_data("Создать"));
    let card = bot.tg.wait_for(mark, "the card", |c| c.text().contains("Занятие создано")).await;
    let cancel = card.button_data("Отменить занятие");

    let other = TgUser::ru(2201);
    people(&bot, [2201]).await;
    bot.ctx().users.promote_to_teacher(UserId(2201), bot.clock.now()).await.unwrap();
    let list = bot.tg.ask(&other, "/events").await;
    assert!(list.text().contains("нет предстоящих"), "{}", list.text());
    let refusal = bot.tg.click(&other, list.message_id().unwrap(), &cancel.replace(":c", ":cy")).await;
    assert!(refusal.text().contains("недоступно"), "{}", refusal.text());
    let (events, _) = bot.ctx().events.managed(None, bot.clock.now(), 10, 0).await.unwrap();
    assert_eq!(events[0].status, EventStatus::Planned, "nothing changed");
    bot.finish().await;
}

#[tokio::test]
async fn listeners_cannot_create_events_and_see_their_own_list() {
    let bot = TestBot::start().await;
    let listener = TgUser::ru(2301);
    let refusal = bot.tg.ask(&listener, "/new").await;
    assert!(refusal.text().contains("могут преподаватели"), "{}", refusal.text());
    let list = bot.tg.ask(&listener, "/events").await;
    assert!(list.text().contains("нет предстоящих занятий"), "{}", list.text());
    bot.finish().await;
}

/// A Zoom provider of the administrator's on a fake server, with its host set.
async fn zoom(bot: &TestBot, server: &FakeServer) {
    use webinar_bot::providers::zoom::{ZoomMeetingType, ZoomSettings};
    let settings = ProviderSettings::new(ServiceSettings::Zoom(ZoomSettings {
        account_id: "mEm7n8r5QzAccount".into(),
        client_id: "jKmEGM3KSbClient".into(),
        client_secret: Secret::new("zoom-client-secret-for-events"),
        meeting_type: ZoomMeetingType::Meeting,
        host_email: Some("host@school.ru".into()),
        oauth_url: None,
    }))
    .with_base_url(format!("{}/v2", server.origin));
    register_provider(bot, "Zoom школы", &settings).await;
}

#[tokio::test]
async fn a_zoom_class_is_created_for_the_hosts_email_and_a_move_patches_the_meeting() {
    let bot = TestBot::start().await;
    let server = FakeServer::start().await;
    server.on(
        "POST",
        "/oauth/token",
        Reply::json(200, json!({"access_token": "zoom-access", "token_type": "bearer", "expires_in": 3600})),
    );
    server.on(
        "POST",
        "/v2/users/teacher@school.ru/meetings",
        Reply::json(
            201,
            json!({"id": 85746065432_i64, "join_url": "https://us05web.zoom.us/j/85746065432",
                   "start_url": "https://us05web.zoom.us/s/85746065432?zak=host", "topic": "t", "type": 2}),
        ),
    );
    server.on("PATCH", "/v2/meetings/85746065432", Reply::empty(204));
    // After a PATCH the meeting is read back for fresh links.
    server.on(
        "GET",
        "/v2/meetings/85746065432",
        Reply::json(
            200,
            json!({"id": 85746065432_i64, "join_url": "https://us05web.zoom.us/j/85746065432",
                   "start_url": "https://us05web.zoom.us/s/85746065432?zak=fresh", "topic": "t", "type": 2}),
        ),
    );
    zoom(&bot, &server).await;
    let user = admin();
    bot.tg.ask(&user, "/new").await;
    let q = bot.tg.ask(&user, "Вебинар в Zoom").await;
    assert!(q.text().contains("Где провести"), "{}", q.text());
    choose(&bot, &user, &q, "Zoom школы").await;
    let q = bot.tg.ask(&user, "07.12.2026 15:00").await;
    let q = choose(&bot, &user, &q, "1 час").await;
    let q = choose(&bot, &user, &q, "Не повторять").await;
    let q = choose(&bot, &user, &q, "Пропустить").await;
    let q = choose(&bot, &user, &q, "Я").await;
    assert!(q.text().contains("e-mail ведущего"), "{}", q.text());
    let q = bot.tg.ask(&user, "teacher@school.ru").await;
    assert!(q.text().contains("Настройки встречи"), "{}", q.text());
    let q = choose(&bot, &user, &q, "Готово").await;
    let q = choose(&bot, &user, &q, "Готово").await;
    let summary = choose(&bot, &user, &q, "Готово").await;
    let card = press_for(&bot, &user, &summary, "Создать", "Занятие создано").await;
    assert!(card.text().contains("Ссылка ведущего: https://us05web.zoom.us/s/"), "{}", card.text());
    let created = server.only("POST", "/v2/users/teacher@school.ru/meetings").json();
    assert_eq!(created["topic"], "Вебинар в Zoom");
    assert_eq!(created["duration"], 60);

    let menu = press_for(&bot, &user, &card, "Изменить", "что изменить").await;
    press_for(&bot, &user, &menu, "Дата и время", "Новые дата и время").await;
    let saved = bot.tg.ask(&user, "08.12.2026 16:30").await;
    assert!(saved.text().contains("Сохранено"), "{}", saved.text());
    let patch = server.only("PATCH", "/v2/meetings/85746065432").json();
    assert_eq!(patch["start_time"], "2026-12-08T13:30:00Z", "{patch}");
    bot.finish().await;
}

#[tokio::test]
async fn an_external_link_class_keeps_the_pasted_link() {
    let bot = TestBot::start().await;
    use webinar_bot::providers::ServiceSettings;
    let settings = ProviderSettings::new(ServiceSettings::External);
    register_provider(&bot, "Своя ссылка", &settings).await;
    let user = admin();
    bot.tg.ask(&user, "/new").await;
    let q = bot.tg.ask(&user, "Встреча по ссылке").await;
    let q = choose(&bot, &user, &q, "Своя ссылка").await;
    assert!(q.text().contains("Пришлите ссылку"), "{}", q.text());
    let refused = bot.tg.ask(&user, "javascript:alert(1)").await;
    assert!(refused.text().contains("не похоже на ссылку"), "{}", refused.text());
    let q = bot.tg.ask(&user, "https://bbb.school.ru/rooms/abc-123").await;
    assert!(q.text().contains("Какого числа"), "{}", q.text());
    let q = bot.tg.ask(&user, "09.12.2026 10:00").await;
    let q = choose(&bot, &user, &q, "45 минут").await;
    let q = choose(&bot, &user, &q, "Не повторять").await;
    let q = choose(&bot, &user, &q, "Пропустить").await;
    let q = choose(&bot, &user, &q, "Я").await;
    let q = choose(&bot, &user, &q, "Готово").await;
    let summary = choose(&bot, &user, &q, "Готово").await;
    let card = press_for(&bot, &user, &summary, "Создать", "Занятие создано").await;
    assert!(card.text().contains("https://bbb.school.ru/rooms/abc-123"), "{}", card.text());
    bot.finish().await;
}

#[tokio::test]
async fn a_teacher_revoked_half_way_through_new_creates_nothing() {
    let bot = TestBot::start().await;
    let teacher = TgUser::ru(2401);
    people(&bot, [2401]).await;
    bot.ctx().users.promote_to_teacher(UserId(2401), bot.clock.now()).await.unwrap();
    bot.tg.ask(&teacher, "/new").await;
    let q = bot.tg.ask(&teacher, "Последнее занятие").await;
    assert!(q.text().contains("Где провести"), "{}", q.text());
    bot.ctx().users.revoke_teacher(UserId(2401), bot.clock.now()).await.unwrap();
    let refusal = bot.tg.click(&teacher, q.message_id().unwrap(), &q.button_data("Jitsi")).await;
    assert!(refusal.text().contains("могут преподаватели"), "{}", refusal.text());
    let (events, _) = bot.ctx().events.managed(None, bot.clock.now(), 10, 0).await.unwrap();
    assert!(events.is_empty());
    bot.finish().await;
}
