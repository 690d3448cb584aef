//! The foundation through the fake Bot API: greetings, settings, persistence, the unexpected.

use crate::support;

use support::{ADMIN_ID, Fault, TestBot, TgUser};

#[tokio::test]
async fn start_greets_each_person_in_their_language() {
    let bot = TestBot::start().await;
    let reply = bot.tg.ask(&TgUser::ru(1), "/start").await;
    assert!(reply.text().contains("Здравствуйте, Иван!"), "{}", reply.text());
    assert!(reply.text().contains("/tz"));
    let reply = bot.tg.ask(&TgUser::en(2), "/start").await;
    assert!(reply.text().contains("Hello, John!"), "{}", reply.text());
    bot.finish().await;
}

#[tokio::test]
async fn names_are_escaped_for_html() {
    let bot = TestBot::start().await;
    let reply = bot.tg.ask(&TgUser::new(3, "<b>Bob & Co", Some("en")), "/start").await;
    assert!(reply.text().contains("&lt;b&gt;Bob &amp; Co"), "{}", reply.text());
    assert!(reply.is_ok());
    bot.finish().await;
}

#[tokio::test]
async fn language_choice_is_kept_across_restarts_and_over_telegrams_setting() {
    let mut bot = TestBot::start().await;
    let user = TgUser::ru(10);
    let menu = bot.tg.ask(&user, "/lang").await;
    assert!(menu.text().contains("Выберите язык"));
    let answer = bot.tg.click(&user, menu.message_id().unwrap(), &menu.button_data("English")).await;
    assert!(answer.text().contains("English"));
    bot.restart().await;
    // The client still says "ru", but the person chose English.
    let help = bot.tg.ask(&user, "/help").await;
    assert!(help.text().contains("What I can do"), "{}", help.text());
    bot.finish().await;
}

#[tokio::test]
async fn timezone_is_chosen_by_button_or_by_name_and_persists() {
    let mut bot = TestBot::start().await;
    let user = TgUser::ru(11);
    let ask = bot.tg.ask(&user, "/tz").await;
    assert!(ask.text().contains("Москва (UTC+3)"), "{}", ask.text());
    let labels: Vec<String> = ask.buttons().into_iter().map(|(label, _)| label).collect();
    assert_eq!(labels.len(), 11, "{labels:?}");
    assert!(labels.contains(&"Екатеринбург (UTC+5)".to_owned()), "{labels:?}");

    let mark = bot.tg.mark();
    bot.tg.press(&user, ask.message_id().unwrap(), &ask.button_data("Екатеринбург"));
    let edited = bot.tg.reply_after(mark, user.id).await;
    assert!(edited.text().contains("Екатеринбург (UTC+5)"), "{}", edited.text());
    assert!(edited.text().contains("12:00"), "07:00 UTC is 12:00 there: {}", edited.text());

    bot.tg.ask(&user, "/tz").await;
    let saved = bot.tg.ask(&user, "asia/novosibirsk").await;
    assert!(saved.text().contains("Asia/Novosibirsk"), "{}", saved.text());
    bot.restart().await;
    let ask = bot.tg.ask(&user, "/tz").await;
    assert!(ask.text().contains("Asia/Novosibirsk (UTC+7)"), "{}", ask.text());
    bot.finish().await;
}

#[tokio::test]
async fn a_bad_timezone_is_explained_and_the_question_stays_open() {
    let bot = TestBot::start().await;
    let user = TgUser::en(12);
    bot.tg.ask(&user, "/tz").await;
    let reply = bot.tg.ask(&user, "Mars/Olympus").await;
    assert!(reply.text().contains("I don't know that time zone"), "{}", reply.text());
    let reply = bot.tg.ask(&user, "Europe/Berlin").await;
    assert!(reply.text().contains("Time zone saved: Europe/Berlin"), "{}", reply.text());
    bot.finish().await;
}

#[tokio::test]
async fn a_dialogue_half_way_through_continues_after_a_restart() {
    let mut bot = TestBot::start().await;
    let user = TgUser::ru(13);
    bot.tg.ask(&user, "/tz").await;
    bot.restart().await;
    let reply = bot.tg.ask(&user, "Asia/Yekaterinburg").await;
    assert!(reply.text().contains("Часовой пояс сохранён: Екатеринбург"), "{}", reply.text());
    bot.finish().await;
}

#[tokio::test]
async fn a_state_that_no_longer_reads_is_reset_with_an_apology() {
    let mut bot = TestBot::start().await;
    let user = TgUser::ru(14);
    bot.tg.ask(&user, "/help").await;
    bot.shutdown().await;
    let db = bot.db().await;
    webinar_bot::on_db!(&db, |pool| sqlx::query(
        "INSERT INTO dialogues (chat_id, state) VALUES ($1, '{\"RemovedInV2\":{\"x\":1}}')
         ON CONFLICT (chat_id) DO UPDATE SET state = excluded.state",
    )
    .bind(user.id)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))
    .unwrap();
    db.close().await;
    bot.restart().await;
    let mark = bot.tg.mark();
    bot.tg.send_text(&user, "/help");
    let apology = bot.tg.reply_after(mark, user.id).await;
    assert!(apology.text().contains("Извините"), "{}", apology.text());
    let help = bot.tg.reply_after(apology.seq + 1, user.id).await;
    assert!(help.text().contains("Что я умею"), "the command is still handled: {}", help.text());
    bot.finish().await;
}

#[tokio::test]
async fn unexpected_input_gets_a_helpful_answer() {
    let bot = TestBot::start().await;
    let user = TgUser::ru(15);
    let reply = bot.tg.ask(&user, "привет").await;
    assert!(reply.text().contains("/help"), "{}", reply.text());
    let reply = bot.tg.ask(&user, "/frobnicate").await;
    assert!(reply.text().contains("Такой команды я не знаю"), "{}", reply.text());
    let mark = bot.tg.mark();
    bot.tg.send_photo(&user);
    let reply = bot.tg.reply_after(mark, user.id).await;
    assert!(reply.text().contains("/help"), "{}", reply.text());
    let reply = bot.tg.ask(&user, "/start forged-code-123").await;
    assert!(reply.text().contains("ссылка-приглашение недействительна"), "{}", reply.text());
    bot.finish().await;
}

#[tokio::test]
async fn cancel_leaves_any_step_and_says_when_there_is_nothing_to_cancel() {
    let bot = TestBot::start().await;
    let user = TgUser::ru(16);
    assert!(bot.tg.ask(&user, "/cancel").await.text().contains("нечего отменять"));
    bot.tg.ask(&user, "/tz").await;
    assert!(bot.tg.ask(&user, "/cancel").await.text().contains("Отменено"));
    // Back to idle: a zone name is no longer taken as an answer.
    assert!(bot.tg.ask(&user, "Europe/Moscow").await.text().contains("не понял"));
    bot.finish().await;
}

#[tokio::test]
async fn only_administrators_see_the_administrator_help() {
    let bot = TestBot::start().await;
    let admin = bot.tg.ask(&TgUser::ru(ADMIN_ID), "/help").await;
    assert!(admin.text().contains("Для администраторов"), "{}", admin.text());
    let stranger = bot.tg.ask(&TgUser::ru(17), "/help").await;
    assert!(!stranger.text().contains("Для администраторов"), "{}", stranger.text());
    assert!(!stranger.text().contains("Для преподавателей"), "{}", stranger.text());
    bot.finish().await;
}

#[tokio::test]
async fn forged_and_stale_buttons_change_nothing_and_are_answered() {
    let bot = TestBot::start().await;
    let user = TgUser::ru(18);
    let menu = bot.tg.ask(&user, "/lang").await;
    for forged in ["admin:promote:18", "lang:fr", "tz:Mars/Base", "x".repeat(64).as_str()] {
        let answer = bot.tg.click(&user, menu.message_id().unwrap(), forged).await;
        assert!(answer.text().contains("кнопка устарела"), "{forged}: {}", answer.text());
    }
    let db = bot.db().await;
    let (role, language): (String, String) =
        webinar_bot::on_db!(&db, |pool| sqlx::query_as("SELECT role, language FROM users WHERE id = $1")
            .bind(user.id)
            .fetch_one(pool)
            .await)
        .unwrap();
    assert_eq!((role.as_str(), language.as_str()), ("listener", "ru"));
    bot.finish().await;
}

#[tokio::test]
async fn the_command_menu_is_registered_in_both_languages() {
    let bot = TestBot::start().await;
    let calls = bot.tg.wait_for(0, "three setMyCommands", |_| false);
    let _ = tokio::time::timeout(std::time::Duration::from_millis(500), calls).await;
    let menus: Vec<_> = bot.tg.calls().into_iter().filter(|c| c.method == "SetMyCommands").collect();
    assert_eq!(menus.len(), 3, "default, ru, en");
    let en = menus.iter().find(|c| c.body["language_code"] == "en").expect("an English menu");
    assert_eq!(en.body["commands"][1]["description"], "What I can do");
    bot.finish().await;
}

#[tokio::test]
async fn a_failing_menu_registration_is_not_fatal() {
    let bot = TestBot::start().await;
    bot.tg.inject(Some("SetMyCommands"), None, Fault::BadRequest("Bad Request: nope".into()), 3);
    assert!(bot.tg.ask(&TgUser::ru(19), "/help").await.is_ok());
    bot.finish().await;
}

#[tokio::test]
async fn blocking_and_coming_back_is_tracked() {
    let bot = TestBot::start().await;
    let user = TgUser::ru(20);
    bot.tg.ask(&user, "/start").await;
    bot.tg.set_membership(&user, "kicked");
    let db = bot.db().await;
    let active = || async {
        webinar_bot::on_db!(&db, |pool| sqlx::query_scalar::<_, bool>("SELECT active FROM users WHERE id = $1")
            .bind(user.id)
            .fetch_one(pool)
            .await)
        .unwrap()
    };
    for _ in 0..100 {
        if !active().await {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(!active().await, "blocked people are marked inactive");
    bot.tg.ask(&user, "/help").await;
    assert!(active().await, "writing again makes them active");
    bot.finish().await;
}

#[tokio::test]
async fn a_rate_limited_reply_is_sent_after_the_wait() {
    let bot = TestBot::start().await;
    let user = TgUser::ru(21);
    bot.tg.inject(Some("SendMessage"), Some(user.id), Fault::RetryAfter(1), 1);
    let mark = bot.tg.mark();
    bot.tg.send_text(&user, "/help");
    let delivered = bot.tg.wait_for(mark, "the retried reply", |c| c.method == "SendMessage" && c.is_ok()).await;
    assert!(delivered.text().contains("Что я умею"));
    bot.finish().await;
}
