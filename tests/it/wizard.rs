//! The `/new` wizard, `/providers` setup and the edit menu answer in place: a press edits its
//! question, a typed answer gets a new question and the old one loses its buttons.

use crate::support;

use support::scenario::{choose, people, press_for};
use support::{Call, Clock, TestBot, TgUser};
use teloxide::types::UserId;

/// A teacher who is not an administrator: `/new` asks no host.
async fn teacher(bot: &TestBot, id: i64) -> TgUser {
    people(bot, [id]).await;
    bot.ctx().users.promote_to_teacher(UserId(id as u64), bot.clock.now()).await.unwrap();
    TgUser::ru(id)
}

/// The bot's messages in `chat` since `mark` that still show buttons now, by their text.
fn live_keyboards(bot: &TestBot, mark: usize, chat: i64) -> Vec<String> {
    let sent = bot.tg.calls()[mark..]
        .iter()
        .filter(|c| c.chat_id() == Some(chat) && c.method == "SendMessage")
        .filter_map(Call::message_id)
        .collect::<Vec<_>>();
    sent.into_iter()
        .filter_map(|id| bot.tg.message(chat, id))
        .filter(|m| {
            m.pointer("/reply_markup/inline_keyboard").and_then(|k| k.as_array()).is_some_and(|k| !k.is_empty())
        })
        .map(|m| m["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// What the bot did in one chat since `mark`: messages sent, and edits.
fn tally(bot: &TestBot, mark: usize, chat: i64) -> (usize, usize) {
    let calls: Vec<Call> = bot.tg.calls()[mark..].iter().filter(|c| c.chat_id() == Some(chat)).cloned().collect();
    let sent = calls.iter().filter(|c| c.method.starts_with("Send")).count();
    let edited = calls.iter().filter(|c| c.method.starts_with("Edit")).count();
    (sent, edited)
}

/// Walks `/new` with every default (Jitsi, 1 h 30 min, once, no description, the default
/// reminders, the event's own link); returns the summary.
async fn summary(bot: &TestBot, user: &TgUser, title: &str, start: &str) -> Call {
    bot.tg.ask(user, "/new").await;
    let q = bot.tg.ask(user, title).await;
    let q = choose(bot, user, &q, "Jitsi").await;
    assert!(q.text().contains("Какого числа"), "{}", q.text());
    let q = bot.tg.ask(user, start).await;
    let q = choose(bot, user, &q, "1 час 30 минут").await;
    let q = choose(bot, user, &q, "Не повторять").await;
    let q = choose(bot, user, &q, "Пропустить").await;
    assert!(q.text().contains("Когда напомнить"), "{}", q.text());
    let q = choose(bot, user, &q, "Готово").await;
    let summary = choose(bot, user, &q, "Готово").await;
    assert!(summary.text().contains("Проверьте занятие"), "{}", summary.text());
    summary
}

#[tokio::test]
async fn new_with_defaults_costs_at_most_six_messages() {
    let bot = TestBot::start().await;
    let user = teacher(&bot, 2501).await;
    let mark = bot.tg.mark();
    let summary = summary(&bot, &user, "Вебинар о налогах", "01.12.2026 18:30").await;
    press_for(&bot, &user, &summary, "Создать", "Занятие создано").await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (sent, edited) = tally(&bot, mark, user.id);
    println!("/new with defaults: {sent} messages sent, {edited} edits");
    // Before the wizard answered in place: 11 messages (a teacher, Jitsi, every default).
    assert!(sent <= 6, "{sent} messages for /new with defaults");
    let live = live_keyboards(&bot, mark, user.id);
    assert_eq!(live.len(), 1, "only the card keeps its buttons: {live:#?}");
    assert!(live[0].contains("Занятие создано"), "{live:#?}");
    bot.finish().await;
}

#[tokio::test]
async fn the_question_to_edit_is_remembered_across_a_restart() {
    let mut bot = TestBot::start().await;
    let user = teacher(&bot, 2502).await;
    let mark = bot.tg.mark();
    bot.tg.ask(&user, "/new").await;
    let provider = bot.tg.ask(&user, "После перезапуска").await;
    bot.restart().await;
    let date = choose(&bot, &user, &provider, "Jitsi").await;
    assert_eq!(date.method, "EditMessageText", "a press edits its question");
    assert_eq!(date.message_id(), provider.message_id());
    let edits = bot.tg.mark();
    let duration = bot.tg.ask(&user, "01.12.2026 18:30").await;
    assert!(duration.text().contains("Сколько длится"), "{}", duration.text());
    bot.tg
        .wait_for(edits, "the answered question losing its buttons", |c| {
            c.method == "EditMessageReplyMarkup" && c.message_id() == date.message_id()
        })
        .await;
    assert_eq!(live_keyboards(&bot, mark, user.id), vec![duration.text().to_owned()]);
    bot.finish().await;
}

#[tokio::test]
async fn a_question_that_cannot_be_edited_is_asked_anew() {
    let bot = TestBot::start().await;
    let user = teacher(&bot, 2503).await;
    bot.tg.ask(&user, "/new").await;
    let provider = bot.tg.ask(&user, "Старое сообщение").await;
    bot.tg.inject(
        Some("EditMessageText"),
        Some(user.id),
        support::Fault::BadRequest("Bad Request: message can't be edited".into()),
        1,
    );
    let date = choose(&bot, &user, &provider, "Jitsi").await;
    let date = if date.method == "EditMessageText" { bot.tg.reply_after(date.seq + 1, user.id).await } else { date };
    assert_eq!(date.method, "SendMessage");
    assert!(date.text().contains("Какого числа"), "{}", date.text());
    let duration = bot.tg.ask(&user, "01.12.2026 18:30").await;
    assert!(duration.text().contains("Сколько длится"), "the dialogue goes on: {}", duration.text());
    bot.finish().await;
}

#[tokio::test]
async fn the_edit_menu_and_its_prompts_take_turns_on_the_card_and_each_has_a_way_back() {
    let bot = TestBot::start().await;
    let user = teacher(&bot, 2504).await;
    let summary = summary(&bot, &user, "Меню на месте", "01.12.2026 18:30").await;
    let card = press_for(&bot, &user, &summary, "Создать", "Занятие создано").await;
    let mark = bot.tg.mark();
    let menu = press_for(&bot, &user, &card, "Изменить", "что изменить").await;
    assert_eq!((menu.method.as_str(), menu.message_id()), ("EditMessageText", card.message_id()));
    assert!(menu.text().contains("«Меню на месте»"), "{}", menu.text());
    for (label, asked) in [
        ("Название", "Новое название"),
        ("Описание", "Новое описание"),
        ("Дата и время", "Новые дата и время"),
        ("Длительность", "Новая длительность"),
    ] {
        let prompt = press_for(&bot, &user, &menu, label, asked).await;
        assert_eq!(prompt.message_id(), card.message_id(), "{label}: asked in place");
        let back = press_for(&bot, &user, &prompt, "Назад", "что изменить").await;
        assert_eq!(back.message_id(), card.message_id());
        // Back left the typed step: text now is no answer to it.
        let unknown = bot.tg.ask(&user, "05.12.2026 16:00").await;
        assert!(!unknown.text().contains("Сохранено"), "{label}: {}", unknown.text());
    }
    let copy = press_for(&bot, &user, &menu, "К занятию", "Меню на месте").await;
    let prompt = press_for(&bot, &user, &copy, "Копировать", "скопировать").await;
    press_for(&bot, &user, &prompt, "Назад", "Меню на месте").await;
    assert_eq!(tally(&bot, mark, user.id).0, 4, "only the four unknown-input answers were new messages");

    let menu = press_for(&bot, &user, &copy, "Изменить", "что изменить").await;
    let prompt = press_for(&bot, &user, &menu, "Дата и время", "Новые дата и время").await;
    let mark = bot.tg.mark();
    let saved = bot.tg.ask(&user, "05.12.2026 16:00").await;
    assert!(saved.text().contains("Сохранено"), "{}", saved.text());
    bot.tg
        .wait_for(mark, "the prompt losing its button", |c| {
            c.method == "EditMessageReplyMarkup" && c.message_id() == prompt.message_id()
        })
        .await;
    assert_eq!(live_keyboards(&bot, mark, user.id), vec![saved.text().to_owned()]);

    // /cancel also leaves a prompt, and takes its button away.
    let menu = press_for(&bot, &user, &saved, "Изменить", "что изменить").await;
    let prompt = press_for(&bot, &user, &menu, "Название", "Новое название").await;
    let mark = bot.tg.mark();
    let cancelled = bot.tg.ask(&user, "/cancel").await;
    assert!(cancelled.text().contains("Отменено"), "{}", cancelled.text());
    bot.tg
        .wait_for(mark, "the prompt losing its button", |c| {
            c.method == "EditMessageReplyMarkup" && c.message_id() == prompt.message_id()
        })
        .await;
    bot.finish().await;
}

#[tokio::test]
async fn provider_setup_answers_in_place() {
    let bot = TestBot::start().await;
    let admin = TgUser::ru(support::ADMIN_ID);
    let mark = bot.tg.mark();
    let list = bot.tg.ask(&admin, "/providers").await;
    let kinds = choose(&bot, &admin, &list, "Подключить").await;
    assert_eq!(kinds.message_id(), list.message_id(), "Add edits the list in place");
    let domain = choose(&bot, &admin, &kinds, "Jitsi").await;
    assert!(domain.text().contains("Jitsi"), "the guide leads the first question: {}", domain.text());
    let name = choose(&bot, &admin, &domain, "meet.jit.si").await;
    let placement = bot.tg.ask(&admin, "Школьный Jitsi").await;
    let card = press_for(&bot, &admin, &placement, "Всем преподавателям", "Проверка прошла").await;
    assert_eq!(card.message_id(), placement.message_id(), "the check and the card take the question's place");
    assert_eq!(name.message_id(), list.message_id());
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (sent, edited) = tally(&bot, mark, admin.id);
    println!("/providers setup of Jitsi: {sent} messages sent, {edited} edits");
    assert!(sent <= 6, "{sent} messages for a provider setup");
    assert_eq!(live_keyboards(&bot, mark, admin.id), vec![card.text().to_owned()], "only the card keeps buttons");
    bot.finish().await;
}

#[tokio::test]
async fn reminders_already_past_for_the_start_are_said_offered_to_drop_and_not_promised() {
    let bot = TestBot::start().await;
    let user = teacher(&bot, 2505).await;
    // 10:00 in Moscow now: the class starts in three minutes, so "a day" and "an hour" before
    // (the defaults) have already passed.
    bot.tg.ask(&user, "/new").await;
    let q = bot.tg.ask(&user, "Срочное занятие").await;
    let q = choose(&bot, &user, &q, "Jitsi").await;
    assert!(q.text().contains("Какого числа"), "{}", q.text());
    let q = bot.tg.ask(&user, "30.11.2026 10:03").await;
    let q = choose(&bot, &user, &q, "30 минут").await;
    let q = choose(&bot, &user, &q, "Не повторять").await;
    let reminders = choose(&bot, &user, &q, "Пропустить").await;
    assert!(reminders.text().contains("⌛"), "{}", reminders.text());
    reminders.button_data("⌛ За 1 день");
    reminders.button_data("⌛ За 1 час");
    let audience = choose(&bot, &user, &reminders, "Готово").await;
    let summary = choose(&bot, &user, &audience, "Готово").await;
    assert!(summary.text().contains("не будут отправлены"), "{}", summary.text());
    assert!(summary.text().contains("За 1 день, За 1 час."), "{}", summary.text());
    let summary = choose(&bot, &user, &summary, "Убрать неотправляемые").await;
    assert!(summary.text().contains("Напоминания: без напоминаний"), "{}", summary.text());
    assert!(!summary.text().contains("не будут отправлены"), "{}", summary.text());
    assert!(summary.buttons().iter().all(|(label, _)| !label.contains("Убрать")), "{:?}", summary.buttons());

    // Chosen again and kept: the summary says so, and the card's menu does not tick it.
    let reminders = choose(&bot, &user, &summary, "Напоминания").await;
    let reminders = choose(&bot, &user, &reminders, "За 15 минут").await;
    assert!(reminders.button_data("⌛ За 15 минут").ends_with("r:15m"));
    let reminders = choose(&bot, &user, &reminders, "В момент начала").await;
    reminders.button_data("✅ В момент начала");
    let summary = choose(&bot, &user, &reminders, "Готово").await;
    assert!(summary.text().contains("Это напоминание не будет отправлено"), "{}", summary.text());
    let card = press_for(&bot, &user, &summary, "Создать", "Занятие создано").await;
    let menu = press_for(&bot, &user, &card, "Изменить", "что изменить").await;
    assert!(menu.text().contains("⌛"), "{}", menu.text());
    menu.button_data("⌛ За 15 минут");
    menu.button_data("✅ В момент начала");
    bot.finish().await;
}
