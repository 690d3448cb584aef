//! `/teachers` through the fake Bot API: one-time invitation links, the teacher list and
//! revoking, the switch for teachers' own providers, and presses that are no longer allowed.

use crate::support;

use support::telegram::Call;
use support::{ADMIN_ID, Fault, TestBot, TgUser};
use webinar_bot::crypto::{Key, SecretBox};
use webinar_bot::store::{Providers, Users};

fn admin() -> TgUser {
    TgUser::ru(ADMIN_ID)
}

/// A message the bot sent, or edited in place (the provider setup answers presses so).
fn shown(call: &Call) -> bool {
    matches!(call.method.as_str(), "SendMessage" | "EditMessageText")
}

fn has_buttons(call: &Call, prefix: &str) -> bool {
    shown(call) && call.buttons().iter().any(|(_, data)| data.starts_with(prefix))
}

async fn screen_after(bot: &TestBot, mark: usize, chat: i64, prefix: &str) -> Call {
    bot.tg.wait_for(mark, prefix, |c| has_buttons(c, prefix) && c.chat_id() == Some(chat)).await
}

async fn overview(bot: &TestBot) -> Call {
    let mark = bot.tg.mark();
    bot.tg.send_text(&admin(), "/teachers");
    screen_after(bot, mark, ADMIN_ID, "tc:").await
}

/// Presses a button and returns the next message shown in the chat, new or edited in place.
async fn press(bot: &TestBot, user: &TgUser, screen: &Call, label: &str) -> Call {
    let mark = bot.tg.mark();
    bot.tg.press(user, screen.message_id().unwrap(), &screen.button_data(label));
    bot.tg.wait_for(mark, "a message", |c| shown(c) && c.chat_id() == Some(user.id)).await
}

/// The `start` payload of the invitation link in the bot's message.
fn invite_code(call: &Call) -> String {
    let text = call.text();
    let at = text.find("https://t.me/webinar_test_bot?start=").expect("an invitation link") + 36;
    text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect()
}

async fn invite(bot: &TestBot) -> (Call, String) {
    let screen = overview(bot).await;
    let created = press(bot, &admin(), &screen, "Пригласить").await;
    let code = invite_code(&created);
    (created, code)
}

async fn make_teacher(bot: &TestBot, user: &TgUser) {
    let (_, code) = invite(bot).await;
    let reply = bot.tg.ask(user, &format!("/start {code}")).await;
    assert!(reply.text().contains("Теперь вы преподаватель"), "{}", reply.text());
}

async fn role(bot: &TestBot, id: i64) -> String {
    let pool = bot.db().await;
    webinar_bot::on_db!(&pool, |pool| sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await)
    .unwrap()
}

async fn refusal_after(bot: &TestBot, mark: usize) -> Call {
    let answer = bot.tg.wait_for(mark, "the callback answer", |c| c.method == "AnswerCallbackQuery").await;
    assert_eq!(answer.body["show_alert"], true, "{}", answer.body);
    answer
}

#[tokio::test]
async fn a_teacher_invitation_works_once_and_then_no_more() {
    let bot = TestBot::start().await;
    let (created, code) = invite(&bot).await;
    assert_eq!(code.len(), 23, "{code}");
    assert!(created.text().contains("Одноразовая ссылка") && created.text().contains("7 дней"), "{}", created.text());

    let teacher = TgUser::new(201, "Мария", Some("ru"));
    let reply = bot.tg.ask(&teacher, &format!("/start {code}")).await;
    assert!(reply.text().contains("Теперь вы преподаватель"), "{}", reply.text());
    assert!(reply.text().contains("/providers"), "the teacher's help follows: {}", reply.text());
    assert_eq!(role(&bot, 201).await, "teacher");

    let other = TgUser::ru(202);
    let reply = bot.tg.ask(&other, &format!("/start {code}")).await;
    assert!(reply.text().contains("недействительна"), "{}", reply.text());
    assert_eq!(role(&bot, 202).await, "listener");

    // The list shows her, by name.
    let screen = overview(&bot).await;
    assert!(screen.text().contains("Мария (@user201)"), "{}", screen.text());
    assert!(screen.text().contains("1 человек"), "{}", screen.text());
    bot.finish().await;
}

#[tokio::test]
async fn a_revoked_or_expired_invitation_does_not_work() {
    let bot = TestBot::start().await;
    let (created, code) = invite(&bot).await;
    let revoked = press(&bot, &admin(), &created, "Отозвать эту ссылку").await;
    assert!(revoked.text().contains("Ссылка отозвана"), "{}", revoked.text());
    let reply = bot.tg.ask(&TgUser::ru(210), &format!("/start {code}")).await;
    assert!(reply.text().contains("недействительна"), "{}", reply.text());

    let (_, code) = invite(&bot).await;
    bot.clock.advance(chrono::Duration::days(8));
    let reply = bot.tg.ask(&TgUser::ru(211), &format!("/start {code}")).await;
    assert!(reply.text().contains("недействительна"), "{}", reply.text());
    assert_eq!(role(&bot, 211).await, "listener");

    // An administrator opening a teacher link keeps their role and leaves the link unused.
    let (_, code) = invite(&bot).await;
    let reply = bot.tg.ask(&admin(), &format!("/start {code}")).await;
    assert!(reply.text().contains("осталась неиспользованной"), "{}", reply.text());
    assert_eq!(role(&bot, ADMIN_ID).await, "admin");
    let reply = bot.tg.ask(&TgUser::ru(212), &format!("/start {code}")).await;
    assert!(reply.text().contains("Теперь вы преподаватель"), "{}", reply.text());
    bot.finish().await;
}

#[tokio::test]
async fn a_revoked_teacher_keeps_nothing_privileged() {
    let bot = TestBot::start().await;
    let teacher = TgUser::new(220, "Пётр", Some("ru"));
    make_teacher(&bot, &teacher).await;

    // The teacher registers a private provider of their own.
    let mark = bot.tg.mark();
    bot.tg.send_text(&teacher, "/providers");
    let list = screen_after(&bot, mark, teacher.id, "pv:").await;
    let kinds = press(&bot, &teacher, &list, "Подключить").await;
    press(&bot, &teacher, &kinds, "Внешняя ссылка").await;
    let mark = bot.tg.mark();
    bot.tg.send_text(&teacher, "Моя ссылка");
    let card = bot
        .tg
        .wait_for(mark, "the card", |c| c.text().contains("Проверка прошла") && c.chat_id() == Some(teacher.id))
        .await;
    assert!(card.text().contains("Личный провайдер: Пётр"), "{}", card.text());

    // Visibility: the owner and administrators see it, another teacher does not.
    let other = TgUser::ru(221);
    make_teacher(&bot, &other).await;
    let pool = bot.db().await;
    let users = Users::new(pool.clone());
    let providers = Providers::new(pool.clone(), SecretBox::new(&Key::generate()));
    let names = |list: Vec<webinar_bot::store::ProviderSummary>| list.into_iter().map(|p| p.name).collect::<Vec<_>>();
    let owner = users.get(teloxide::types::UserId(220)).await.unwrap().unwrap();
    let stranger = users.get(teloxide::types::UserId(221)).await.unwrap().unwrap();
    let boss = users.get(teloxide::types::UserId(ADMIN_ID as u64)).await.unwrap().unwrap();
    assert_eq!(names(providers.usable_by(&owner).await.unwrap()), ["Jitsi Meet", "Моя ссылка"]);
    assert_eq!(names(providers.usable_by(&stranger).await.unwrap()), ["Jitsi Meet"]);
    assert_eq!(names(providers.usable_by(&boss).await.unwrap()), ["Jitsi Meet", "Моя ссылка"]);

    // The administrator revokes the teacher.
    let screen = overview(&bot).await;
    let ask = press(&bot, &admin(), &screen, "Снять права: Пётр").await;
    assert!(ask.text().contains("Запланированные мероприятия останутся"), "{}", ask.text());
    let done = press(&bot, &admin(), &ask, "Да, снять права").await;
    assert!(done.text().contains("Пётр больше не преподаватель"), "{}", done.text());
    assert_eq!(role(&bot, 220).await, "listener");
    let revoked = users.get(teloxide::types::UserId(220)).await.unwrap().unwrap();
    assert!(providers.usable_by(&revoked).await.unwrap().is_empty());

    // Old buttons of the card are refused and change nothing.
    for label in ["Удалить", "Переименовать", "Проверить"] {
        let mark = bot.tg.mark();
        bot.tg.press(&teacher, card.message_id().unwrap(), &card.button_data(label));
        let answer = refusal_after(&bot, mark).await;
        assert!(answer.body["text"].as_str().unwrap().contains("недоступно"), "{}", answer.body);
    }
    let id = card.button_data("Удалить").trim_start_matches("pv:dl:").to_owned();
    let mark = bot.tg.mark();
    bot.tg.press(&teacher, card.message_id().unwrap(), &format!("pv:dy:{id}"));
    refusal_after(&bot, mark).await;
    let left: i64 = webinar_bot::on_db!(&pool, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM providers WHERE deleted_at IS NULL AND name = 'Моя ссылка'"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(left, 1);
    let reply = bot.tg.ask(&teacher, "/providers").await;
    assert!(reply.text().contains("недоступно"), "{}", reply.text());
    bot.finish().await;
}

#[tokio::test]
async fn a_listener_pressing_an_administrators_button_or_forged_data_changes_nothing() {
    let bot = TestBot::start().await;
    let teacher = TgUser::ru(230);
    make_teacher(&bot, &teacher).await;
    let screen = overview(&bot).await;
    let listener = TgUser::ru(231);
    let greeting = bot.tg.ask(&listener, "/start").await;
    let under = greeting.message_id().unwrap();

    // The administrator's own buttons, replayed by the listener, and data the bot never made.
    let mut forged: Vec<String> = screen.buttons().into_iter().map(|(_, data)| data).collect();
    let jitsi: i64 = webinar_bot::on_db!(&bot.db().await, |pool| sqlx::query_scalar("SELECT id FROM providers")
        .fetch_one(pool)
        .await)
    .unwrap();
    forged.extend(
        ["pv:add", "pv:k:zoom", "pv:ls", "tc:ap:0", "tc:inv", "tc:ry:230", "pv:f:tm-token", "pv:re"].map(str::to_owned),
    );
    forged.extend([
        format!("pv:dy:{jitsi}"),
        format!("pv:rn:{jitsi}"),
        format!("pv:rc:{jitsi}"),
        format!("pv:v:{jitsi}"),
    ]);
    forged.extend(["tc:ry:1;DROP TABLE users", "pv:dy:99999999999999999999", "pv:a:h:230"].map(str::to_owned));
    let before = bot.tg.mark();
    for data in &forged {
        let mark = bot.tg.mark();
        bot.tg.press(&listener, under, data);
        let answer = refusal_after(&bot, mark).await;
        assert!(!answer.body["text"].as_str().unwrap_or("").is_empty(), "{data}: {}", answer.body);
    }
    bot.tg.assert_silent_after(before, listener.id).await;
    assert_eq!(role(&bot, 230).await, "teacher");
    assert_eq!(role(&bot, 231).await, "listener");
    let pool = bot.db().await;
    let invites: i64 =
        webinar_bot::on_db!(&pool, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM invites").fetch_one(pool).await)
            .unwrap();
    assert_eq!(invites, 1, "only the one the administrator made");
    let settings: i64 =
        webinar_bot::on_db!(&pool, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM settings").fetch_one(pool).await)
            .unwrap();
    assert_eq!(settings, 0);
    let providers: i64 = webinar_bot::on_db!(&pool, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM providers WHERE deleted_at IS NULL"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(providers, 1);
    // Commands too.
    let reply = bot.tg.ask(&listener, "/teachers").await;
    assert!(reply.text().contains("только администраторам"), "{}", reply.text());
    let reply = bot.tg.ask(&listener, "/providers").await;
    assert!(reply.text().contains("недоступно"), "{}", reply.text());
    bot.finish().await;
}

#[tokio::test]
async fn an_administrator_can_forbid_teachers_their_own_providers() {
    let bot = TestBot::start().await;
    let teacher = TgUser::ru(240);
    make_teacher(&bot, &teacher).await;
    let mark = bot.tg.mark();
    bot.tg.send_text(&teacher, "/providers");
    let list = screen_after(&bot, mark, teacher.id, "pv:").await;
    assert!(list.buttons().iter().any(|(label, _)| label.contains("Подключить")));

    let screen = overview(&bot).await;
    assert!(screen.text().contains("могут подключать"), "{}", screen.text());
    let done = press(&bot, &admin(), &screen, "Запретить").await;
    assert!(done.text().contains("не могут подключать"), "{}", done.text());

    // The teacher's old "connect" button is refused; the list no longer offers it.
    let mark = bot.tg.mark();
    bot.tg.press(&teacher, list.message_id().unwrap(), &list.button_data("Подключить"));
    refusal_after(&bot, mark).await;
    let reply = bot.tg.ask(&teacher, "/providers").await;
    assert!(reply.text().contains("отключил"), "{}", reply.text());
    assert!(reply.buttons().iter().all(|(label, _)| !label.contains("Подключить")), "{:?}", reply.buttons());

    // Administrators still can, and can turn it back on.
    let screen = overview(&bot).await;
    let done = press(&bot, &admin(), &screen, "Разрешить").await;
    assert!(done.text().contains("могут подключать"), "{}", done.text());
    bot.finish().await;
}

#[tokio::test]
async fn a_failed_answer_to_telegram_does_not_lose_the_invitation() {
    let bot = TestBot::start().await;
    let screen = overview(&bot).await;
    // The first attempt to show the link fails on Telegram's side; the next press works.
    bot.tg.inject(Some("SendMessage"), Some(ADMIN_ID), Fault::BadRequest("Bad Request: test".into()), 1);
    let mark = bot.tg.mark();
    bot.tg.press(&admin(), screen.message_id().unwrap(), &screen.button_data("Пригласить"));
    bot.tg.wait_for(mark, "the failed send", |c| c.method == "SendMessage" && c.fault.is_some()).await;
    let created = press(&bot, &admin(), &screen, "Пригласить").await;
    let code = invite_code(&created);
    let reply = bot.tg.ask(&TgUser::ru(250), &format!("/start {code}")).await;
    assert!(reply.text().contains("Теперь вы преподаватель"), "{}", reply.text());
    bot.finish_with_handler_errors(1).await;
}

#[tokio::test]
async fn an_administrators_provider_can_be_assigned_to_one_host() {
    let bot = TestBot::start().await;
    let host = TgUser::new(260, "Анна", Some("ru"));
    let other = TgUser::new(261, "Олег", Some("ru"));
    make_teacher(&bot, &host).await;
    make_teacher(&bot, &other).await;

    let mark = bot.tg.mark();
    bot.tg.send_text(&admin(), "/providers");
    let list = screen_after(&bot, mark, ADMIN_ID, "pv:").await;
    let kinds = press(&bot, &admin(), &list, "Подключить").await;
    press(&bot, &admin(), &kinds, "Внешняя ссылка").await;
    let mark = bot.tg.mark();
    bot.tg.send_text(&admin(), "Ссылка Анны");
    let placement = screen_after(&bot, mark, ADMIN_ID, "pv:a:").await;
    assert!(placement.text().contains("Кому будет доступен"), "{}", placement.text());
    let mark = bot.tg.mark();
    bot.tg.press(&admin(), placement.message_id().unwrap(), &placement.button_data("Только ведущему: Анна"));
    let card = bot
        .tg
        .wait_for(mark, "the card", |c| c.text().contains("Проверка прошла") && c.chat_id() == Some(ADMIN_ID))
        .await;
    assert!(card.text().contains("Закреплён за ведущим: Анна"), "{}", card.text());

    let pool = bot.db().await;
    let users = Users::new(pool.clone());
    let providers = Providers::new(pool, SecretBox::new(&Key::generate()));
    let usable = |id: u64| {
        let users = users.clone();
        let providers = providers.clone();
        async move {
            let user = users.get(teloxide::types::UserId(id)).await.unwrap().unwrap();
            providers.usable_by(&user).await.unwrap().into_iter().map(|p| p.name).collect::<Vec<_>>()
        }
    };
    assert_eq!(usable(260).await, ["Jitsi Meet", "Ссылка Анны"]);
    assert_eq!(usable(261).await, ["Jitsi Meet"]);
    // A teacher cannot manage an administrator's provider, even the one assigned to them.
    let reply = bot.tg.ask(&host, "/providers").await;
    assert!(reply.buttons().iter().all(|(label, _)| !label.contains("Ссылка Анны")), "{:?}", reply.buttons());
    bot.finish().await;
}
