//! Listener groups through the fake Bot API: teachers manage groups, listeners join by link,
//! group chats are linked by a one-time code, and everyone can only touch what is theirs.

use crate::support;

use chrono::Duration;
use support::scenario;
use support::telegram::{Call, group_chat};
use support::{ADMIN_ID, TestBot, TgUser};
use webinar_bot::clock::Clock;
use webinar_bot::domain::event::GroupId;
use webinar_bot::domain::reminders::ReminderOffset;
use webinar_bot::store::outbox::RowState;

/// Makes `user` known to the bot and gives them the teacher role, as an administrator would.
async fn teacher(bot: &TestBot, id: i64) -> TgUser {
    let user = TgUser::ru(id);
    bot.tg.ask(&user, "/start").await;
    let db = bot.db().await;
    webinar_bot::on_db!(&db, |pool| sqlx::query("UPDATE users SET role = 'teacher' WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
    .unwrap();
    db.close().await;
    user
}

/// Presses a button under `screen` and returns what the bot shows next in that chat.
async fn press(bot: &TestBot, user: &TgUser, screen: &Call, label: &str) -> Call {
    let mark = bot.tg.mark();
    bot.tg.press(user, screen.message_id().unwrap(), &screen.button_data(label));
    bot.tg.reply_after(mark, user.id).await
}

/// The answer to a button press (a toast or an alert), when the press changes no screen.
async fn press_for_answer(bot: &TestBot, user: &TgUser, screen: &Call, data: &str) -> Call {
    bot.tg.click(user, screen.message_id().unwrap(), data).await
}

/// Creates a group through `/groups` and returns its menu.
async fn create_group(bot: &TestBot, owner: &TgUser, name: &str) -> Call {
    let list = bot.tg.ask(owner, "/groups").await;
    let prompt = press(bot, owner, &list, "Создать группу").await;
    assert!(prompt.text().contains("Напишите название группы"), "{}", prompt.text());
    let menu = bot.tg.ask(owner, name).await;
    assert!(menu.text().contains("создана"), "{}", menu.text());
    menu
}

/// Creates an invite link from a group's menu; returns the `/start` payload and the links screen.
async fn new_link(bot: &TestBot, owner: &TgUser, menu: &Call, expiry: &str) -> (String, Call) {
    let links = press(bot, owner, menu, "Ссылки-приглашения").await;
    let links = press(bot, owner, &links, expiry).await;
    assert!(links.text().contains("Новая ссылка готова"), "{}", links.text());
    (payloads(links.text()).pop().expect("a link"), links)
}

/// Every `start=` payload in a text, in order.
fn payloads(text: &str) -> Vec<String> {
    text.split("https://t.me/webinar_test_bot?start=")
        .skip(1)
        .map(|rest| rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect())
        .collect()
}

/// Opens an invite link for the first time: returns the answer, once the profile question that
/// follows it has arrived too (so later replies are not confused with it).
async fn join(bot: &TestBot, user: &TgUser, code: &str) -> Call {
    let mark = bot.tg.mark();
    bot.tg.send_text(user, &format!("/start {code}"));
    let reply = bot.tg.reply_after(mark, user.id).await;
    let asks_profile = |c: &Call| c.chat_id() == Some(user.id) && c.buttons().iter().any(|(_, d)| d == "pf:s");
    bot.tg.wait_for(mark, "the profile question", asks_profile).await;
    reply
}

fn group_id(menu: &Call) -> i64 {
    let data = menu.button_data("Участники");
    data.split(':').nth(2).unwrap().parse().unwrap()
}

async fn members(bot: &TestBot, owner: &TgUser, menu: &Call) -> Call {
    press(bot, owner, menu, "Участники").await
}

async fn scalar(bot: &TestBot, sql: &str, bind: i64) -> i64 {
    let db = bot.db().await;
    let value =
        webinar_bot::on_db!(&db, |pool| sqlx::query_scalar::<_, i64>(sql).bind(bind).fetch_one(pool).await).unwrap();
    db.close().await;
    value
}

#[tokio::test]
async fn a_listener_joins_by_link_gives_a_profile_and_appears_in_the_member_list() {
    let bot = TestBot::start().await;
    let owner = teacher(&bot, 300).await;
    let menu = create_group(&bot, &owner, "Группа №15-ПБ").await;
    assert!(menu.text().contains("0 участников"), "{}", menu.text());
    let (code, links) = new_link(&bot, &owner, &menu, "без срока").await;
    assert!(links.text().contains("бессрочная"), "{}", links.text());

    let listener = TgUser::ru(301);
    let mark = bot.tg.mark();
    bot.tg.send_text(&listener, &format!("/start {code}"));
    let joined = bot.tg.reply_after(mark, listener.id).await;
    assert!(joined.text().contains("Вы вступили в группу «Группа №15-ПБ»"), "{}", joined.text());
    let question = bot.tg.wait_for(mark, "the name question", |c| c.text().contains("Как вас записать")).await;
    assert!(question.buttons().iter().any(|(label, _)| label == "Пропустить"));
    let org = bot.tg.ask(&listener, "Петров Пётр Петрович").await;
    assert!(org.text().contains("Из какой вы организации"), "{}", org.text());
    let thanks = bot.tg.ask(&listener, "ООО «Ромашка» & <Co>").await;
    assert!(thanks.text().contains("/settings"), "{}", thanks.text());

    // A second listener skips both questions and is listed by their Telegram name.
    let other = TgUser::new(302, "Маша", Some("ru"));
    let mark = bot.tg.mark();
    bot.tg.send_text(&other, &format!("/start {code}"));
    let question = bot.tg.wait_for(mark, "the name question", |c| c.text().contains("Как вас записать")).await;
    let next = press(&bot, &other, &question, "Пропустить").await;
    assert!(next.text().contains("Из какой вы организации"), "{}", next.text());
    let done = press(&bot, &other, &next, "Пропустить").await;
    assert!(done.text().contains("Спасибо"), "{}", done.text());

    // Opening the link again changes nothing and asks nothing.
    let mark = bot.tg.mark();
    bot.tg.send_text(&listener, &format!("/start {code}"));
    let again = bot.tg.reply_after(mark, listener.id).await;
    assert!(again.text().contains("Вы уже в группе «Группа №15-ПБ»"), "{}", again.text());
    bot.tg.assert_silent_after(again.seq + 1, listener.id).await;

    let list = members(&bot, &owner, &menu).await;
    let text = list.text();
    assert!(text.contains("2 участника"), "{text}");
    assert!(text.contains("Петров Пётр Петрович"), "{text}");
    assert!(text.contains("ООО «Ромашка» &amp; &lt;Co&gt;"), "escaped: {text}");
    assert!(text.contains("@user301") && text.contains("@user302"), "{text}");
    assert!(text.contains("Маша"), "{text}");
    assert!(text.contains("30.11.2026 10:00"), "joined, in the teacher's zone: {text}");
    assert!(!text.contains("заблокировал"), "{text}");
    let id = group_id(&menu);
    assert_eq!(scalar(&bot, "SELECT COUNT(*) FROM group_members WHERE group_id = $1", id).await, 2);
    assert_eq!(scalar(&bot, "SELECT uses FROM invites WHERE target_id = $1 AND kind = 'group'", id).await, 2);
    bot.finish().await;
}

#[tokio::test]
async fn revoked_expired_and_forged_links_are_refused_politely() {
    let bot = TestBot::start().await;
    let owner = teacher(&bot, 310).await;
    let menu = create_group(&bot, &owner, "Вечерняя группа").await;
    let listener = TgUser::ru(311);

    let (revoked, links) = new_link(&bot, &owner, &menu, "без срока").await;
    let after = press(&bot, &owner, &links, "Отозвать все ссылки").await;
    assert!(after.text().contains("Отозвана 1 ссылка"), "{}", after.text());
    let reply = bot.tg.ask(&listener, &format!("/start {revoked}")).await;
    assert!(reply.text().contains("ссылка-приглашение недействительна"), "{}", reply.text());

    let (day, links) = new_link(&bot, &owner, &menu, "на 1 день").await;
    assert!(links.text().contains("действует до 01.12.2026 10:00"), "{}", links.text());
    bot.clock.advance(Duration::days(2));
    let reply = bot.tg.ask(&listener, &format!("/start {day}")).await;
    assert!(reply.text().contains("ссылка-приглашение недействительна"), "{}", reply.text());

    for forged in ["gAAAAAAAAAAAAAAAAAAAAAA", "eAAAAAAAAAAAAAAAAAAAAAA", &format!("e{}", &day[1..]), "g1"] {
        let reply = bot.tg.ask(&listener, &format!("/start {forged}")).await;
        assert!(reply.text().contains("ссылка-приглашение недействительна"), "{forged}: {}", reply.text());
    }
    assert_eq!(scalar(&bot, "SELECT COUNT(*) FROM group_members WHERE user_id = $1", listener.id).await, 0);
    bot.finish().await;
}

#[tokio::test]
async fn an_event_link_adds_the_person_to_that_event_only_and_leave_removes_them() {
    let bot = TestBot::start().await;
    let owner = teacher(&bot, 320).await;
    let db = bot.db().await;
    let event: i64 = webinar_bot::on_db!(&db, |pool| sqlx::query_scalar(
        "INSERT INTO events (owner_id, title, starts_at, duration_min, timezone, status, created_at, updated_at)
         VALUES ($1, 'Вводное занятие <1>', '2026-12-02T07:00:00.000Z', 60, 'Europe/Moscow', 'planned', 'x', 'x')
         RETURNING id",
    )
    .bind(owner.id)
    .fetch_one(pool)
    .await)
    .unwrap();
    let ctx = bot.ctx();
    let now = bot.clock.now();
    let code = ctx
        .invites
        .create(
            webinar_bot::domain::invite::InviteKind::Event,
            Some(event),
            teloxide::types::UserId(320),
            None,
            None,
            now,
        )
        .await
        .unwrap();

    let listener = TgUser::ru(321);
    let mark = bot.tg.mark();
    let reply = join(&bot, &listener, &code.to_string()).await;
    assert!(reply.text().contains("Вы записаны на занятие «Вводное занятие &lt;1&gt;»"), "{}", reply.text());
    bot.tg.wait_for(mark, "the card", |c| c.chat_id() == Some(listener.id) && c.text().contains("🗓")).await;
    let (direct, left): (bool, Option<String>) = webinar_bot::on_db!(&db, |pool| sqlx::query_as(
        "SELECT direct, left_at FROM event_listeners WHERE event_id = $1 AND user_id = $2"
    )
    .bind(event)
    .bind(listener.id)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!((direct, left), (true, None));
    assert_eq!(scalar(&bot, "SELECT COUNT(*) FROM group_members WHERE user_id = $1", listener.id).await, 0);
    let again = bot.tg.ask(&listener, &format!("/start {code}")).await;
    assert!(again.text().contains("уже записаны"), "{}", again.text());

    let menu = bot.tg.ask(&listener, "/leave").await;
    let confirm = press(&bot, &listener, &menu, "Вводное занятие <1>").await;
    assert!(confirm.text().contains("Отказаться от занятия"), "{}", confirm.text());
    let done = press(&bot, &listener, &confirm, "Да, выйти").await;
    assert!(done.text().contains("больше не записаны"), "{}", done.text());
    let left: Option<String> = webinar_bot::on_db!(&db, |pool| sqlx::query_scalar(
        "SELECT left_at FROM event_listeners WHERE event_id = $1 AND user_id = $2"
    )
    .bind(event)
    .bind(listener.id)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert!(left.is_some());
    assert!(bot.tg.ask(&listener, "/leave").await.text().contains("не состоите ни в одной группе"));
    // A cancelled event's link no longer works.
    webinar_bot::on_db!(&db, |pool| sqlx::query("UPDATE events SET status = 'cancelled' WHERE id = $1")
        .bind(event)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
    .unwrap();
    let reply = bot.tg.ask(&TgUser::ru(322), &format!("/start {code}")).await;
    assert!(reply.text().contains("недействительна"), "{}", reply.text());
    db.close().await;
    bot.finish().await;
}

/// "You are signed up" comes before the card even when Telegram is slow to answer it and the
/// event is planned again meanwhile (a teacher's edit, a group added): the card waits for it.
#[tokio::test]
async fn the_card_never_overtakes_you_are_signed_up() {
    let bot = TestBot::start().await;
    let id = scenario::event(&bot, "Химия", Duration::days(1), &[]).await;
    let ctx = bot.ctx();
    let code = ctx
        .invites
        .create(
            webinar_bot::domain::invite::InviteKind::Event,
            Some(id.get()),
            teloxide::types::UserId(ADMIN_ID as u64),
            None,
            None,
            bot.clock.now(),
        )
        .await
        .unwrap();
    let listener = TgUser::ru(331);
    let (mark, card) = open_slowly_while_planned_again(&bot, &listener, &code, id).await;
    let calls = bot.tg.calls();
    let signed_up = calls[mark..]
        .iter()
        .find(|c| c.chat_id() == Some(listener.id) && c.text().contains("Вы записаны"))
        .unwrap_or_else(|| panic!("no «signed up» before the card: {:?}", card.text()));
    assert!(signed_up.seq < card.seq, "the card came first");
    // The profile question comes after both, and the card only once.
    let asks = bot.tg.wait_for(mark, "the profile question", |c| {
        c.chat_id() == Some(listener.id) && c.buttons().iter().any(|(_, d)| d == "pf:s")
    });
    let asks = asks.await;
    assert!(asks.seq > card.seq);
    // An event link brings no group: the question speaks of the list of listeners.
    assert!(asks.text().contains("в списке слушателей") && !asks.text().contains("группы"), "{}", asks.text());
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let cards =
        bot.tg.calls()[mark..].iter().filter(|c| c.chat_id() == Some(listener.id) && c.text().contains("🗓")).count();
    assert_eq!(cards, 1);
    bot.finish().await;
}

/// Opens an invitation link while Telegram is slow to answer the first message to the person,
/// and plans the class again for its whole audience meanwhile; returns the mark before the
/// link and the card that arrived.
async fn open_slowly_while_planned_again(
    bot: &TestBot,
    listener: &TgUser,
    code: &impl std::fmt::Display,
    id: webinar_bot::domain::event::EventId,
) -> (usize, support::Call) {
    let ctx = bot.ctx();
    bot.tg.slow_next("SendMessage", listener.id, std::time::Duration::from_millis(800), 1);
    let mark = bot.tg.mark();
    bot.tg.send_text(listener, &format!("/start {code}"));
    let user = teloxide::types::UserId(listener.id as u64);
    for _ in 0..500 {
        if ctx.events.is_listener(id, user).await.unwrap() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    ctx.delivery.plan_event(id).await.unwrap();
    let card = bot.tg.wait_for(mark, "the card", |c| c.chat_id() == Some(listener.id) && c.text().contains("🗓")).await;
    (mark, card)
}

/// A group's link follows the same one path: "you are in the group" comes before the card of
/// each of its classes, even when Telegram is slow to answer it and the class is planned again
/// meanwhile (before, the scheduler could send the card first).
#[tokio::test]
async fn a_group_link_card_never_overtakes_you_are_in_the_group() {
    let bot = TestBot::start().await;
    let id = scenario::event(&bot, "Химия", Duration::days(1), &[ReminderOffset::Hour1]).await;
    let group = scenario::group(&bot, &[], None).await;
    let ctx = bot.ctx();
    ctx.events.set_groups(id, &[group]).await.unwrap();
    let admin = teloxide::types::UserId(ADMIN_ID as u64);
    let kind = webinar_bot::domain::invite::InviteKind::Group;
    let code = ctx.invites.create(kind, Some(group.get()), admin, None, None, bot.clock.now()).await.unwrap();
    let listener = TgUser::ru(332);
    let (mark, card) = open_slowly_while_planned_again(&bot, &listener, &code, id).await;
    let calls = bot.tg.calls();
    let joined = calls[mark..]
        .iter()
        .find(|c| c.chat_id() == Some(listener.id) && c.text().contains("Вы вступили в группу"))
        .unwrap_or_else(|| panic!("no «in the group» before the card: {:?}", card.text()));
    assert!(joined.seq < card.seq, "the card came first");
    bot.tg.wait_for(mark, "the profile question", |c| c.chat_id() == Some(listener.id) && c.seq > card.seq).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let cards =
        bot.tg.calls()[mark..].iter().filter(|c| c.chat_id() == Some(listener.id) && c.text().contains("🗓")).count();
    assert_eq!(cards, 1);
    // The reminder is planned for the joiner too, once.
    let rows = ctx.delivery.outbox().rows_of_event(id).await.unwrap();
    let reminders = rows
        .iter()
        .filter(|r| r.chat_id.0 == listener.id && matches!(r.kind, webinar_bot::store::outbox::Kind::Reminder { .. }))
        .count();
    assert_eq!(reminders, 1);
    bot.finish().await;
}

/// A group whose chat is linked hears of its classes in that chat: someone joining it by link
/// gets no card of their own (the chat has it), as the event's audience says.
#[tokio::test]
async fn joining_a_group_heard_in_its_chat_sends_no_card_of_ones_own() {
    let bot = TestBot::start().await;
    let id = scenario::event(&bot, "Химия", Duration::days(1), &[ReminderOffset::Hour1]).await;
    let group = scenario::group(&bot, &[], Some(-100_777)).await;
    let ctx = bot.ctx();
    ctx.events.set_groups(id, &[group]).await.unwrap();
    let admin = teloxide::types::UserId(ADMIN_ID as u64);
    let kind = webinar_bot::domain::invite::InviteKind::Group;
    let code = ctx.invites.create(kind, Some(group.get()), admin, None, None, bot.clock.now()).await.unwrap();
    let listener = TgUser::ru(333);
    let mark = bot.tg.mark();
    let joined = bot.tg.ask(&listener, &format!("/start {code}")).await;
    assert!(joined.text().contains("Вы вступили в группу"), "{}", joined.text());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let cards =
        bot.tg.calls()[mark..].iter().filter(|c| c.chat_id() == Some(listener.id) && c.text().contains("🗓")).count();
    assert_eq!(cards, 0);
    let rows = ctx.delivery.outbox().rows_of_event(id).await.unwrap();
    assert!(rows.iter().all(|r| r.chat_id.0 != listener.id), "nothing queued for the joiner in person");
    bot.finish().await;
}

/// `/groups` takes turns on one message where the answer is a press: list, prompt, menu,
/// members, links, chats, rename, delete. A typed name gets a new message and the prompt loses
/// its Back button; every prompt has Back and `/cancel`, and leaving it leaves the step.
#[tokio::test]
async fn group_screens_take_turns_on_one_message_and_every_prompt_has_a_way_back() {
    let bot = TestBot::start().await;
    let owner = teacher(&bot, 340).await;
    let start = bot.tg.mark();
    let list = bot.tg.ask(&owner, "/groups").await;
    let over = |call: &Call, screen: &Call| {
        assert_eq!(
            (call.method.as_str(), call.message_id()),
            ("EditMessageText", screen.message_id()),
            "{}",
            call.text()
        );
    };
    let prompt = press(&bot, &owner, &list, "Создать группу").await;
    over(&prompt, &list);
    assert!(prompt.text().contains("/cancel"), "{}", prompt.text());
    let back = press(&bot, &owner, &prompt, "К списку групп").await;
    over(&back, &list);
    // Back left the step: a typed line now makes no group.
    let said = bot.tg.ask(&owner, "Не группа").await;
    assert!(!said.text().contains("создана"), "{}", said.text());
    assert_eq!(scalar(&bot, "SELECT COUNT(*) FROM listener_groups WHERE owner_id = $1", owner.id).await, 0);

    // The typed name: the menu is a new message, the prompt's Back button goes.
    let prompt = press(&bot, &owner, &back, "Создать группу").await;
    let mark = bot.tg.mark();
    let menu = bot.tg.ask(&owner, "Группа Б").await;
    assert_eq!(menu.method, "SendMessage");
    assert!(menu.text().contains("создана"), "{}", menu.text());
    let stripped = |c: &Call| c.method == "EditMessageReplyMarkup" && c.message_id() == prompt.message_id();
    bot.tg.wait_for(mark, "the prompt without its button", stripped).await;

    // Every screen of the group on the menu's message, and back.
    let mut here = menu.clone();
    for (open, needle) in [("Участники", "участник"), ("Ссылки-приглашения", "ссыл"), ("Групповые чаты", "чат")]
    {
        let screen = press(&bot, &owner, &here, open).await;
        over(&screen, &menu);
        assert!(screen.text().contains(needle), "{open}: {}", screen.text());
        here = press(&bot, &owner, &screen, "Назад").await;
        over(&here, &menu);
    }
    // Rename asks in place with Back and /cancel; /cancel takes the button away.
    let rename = press(&bot, &owner, &here, "Переименовать").await;
    over(&rename, &menu);
    assert!(rename.text().contains("/cancel"), "{}", rename.text());
    assert!(rename.buttons().iter().any(|(label, _)| label.contains("Назад")), "{:?}", rename.buttons());
    let mark = bot.tg.mark();
    let cancelled = bot.tg.ask(&owner, "/cancel").await;
    assert!(cancelled.text().contains("Отменено"), "{}", cancelled.text());
    let stripped = |c: &Call| c.method == "EditMessageReplyMarkup" && c.message_id() == menu.message_id();
    bot.tg.wait_for(mark, "the rename prompt without its button", stripped).await;

    // Delete: asked and done on the list's message, opened anew.
    let list = bot.tg.ask(&owner, "/groups").await;
    let menu = press(&bot, &owner, &list, "Группа Б").await;
    let confirm = press(&bot, &owner, &menu, "Удалить").await;
    over(&confirm, &list);
    let deleted = press(&bot, &owner, &confirm, "Да, удалить").await;
    over(&deleted, &list);
    assert!(deleted.text().contains("удалена"), "{}", deleted.text());
    bot.tg.assert_silent_after(deleted.seq + 1, owner.id).await;
    let calls = bot.tg.calls();
    let count =
        |method: &str| calls[start..].iter().filter(|c| c.method == method && c.chat_id() == Some(owner.id)).count();
    // New messages: the two /groups lists, "not understood", the menu after the name, /cancel's answer.
    assert_eq!((count("SendMessage"), count("EditMessageText")), (5, 13));
    bot.finish().await;
}

#[tokio::test]
async fn a_listener_cannot_manage_groups_even_with_forged_buttons() {
    let bot = TestBot::start().await;
    let owner = teacher(&bot, 330).await;
    let menu = create_group(&bot, &owner, "Группа А").await;
    let id = group_id(&menu);
    let listener = TgUser::ru(331);
    let reply = bot.tg.ask(&listener, "/groups").await;
    assert!(reply.text().contains("Группы слушателей ведут преподаватели"), "{}", reply.text());
    let settings = bot.tg.ask(&listener, "/settings").await;
    for forged in ["gr:l".to_owned(), "gr:n".to_owned(), format!("gr:D:{id}"), format!("gr:o:{id}")] {
        let answer = press_for_answer(&bot, &listener, &settings, &forged).await;
        assert!(answer.text().contains("ведут преподаватели"), "{forged}: {}", answer.text());
    }
    assert_eq!(scalar(&bot, "SELECT COUNT(*) FROM listener_groups WHERE id = $1 AND deleted_at IS NULL", id).await, 1);
    let help = bot.tg.ask(&listener, "/help").await;
    assert!(help.text().contains("/leave") && !help.text().contains("/groups"), "{}", help.text());
    bot.finish().await;
}

#[tokio::test]
async fn another_teacher_neither_sees_nor_touches_the_group_but_an_administrator_does() {
    let bot = TestBot::start().await;
    let owner = teacher(&bot, 340).await;
    let menu = create_group(&bot, &owner, "Группа владельца").await;
    let id = group_id(&menu);
    let (code, _) = new_link(&bot, &owner, &menu, "без срока").await;
    let member = TgUser::ru(342);
    join(&bot, &member, &code).await;

    let stranger = teacher(&bot, 341).await;
    let list = bot.tg.ask(&stranger, "/groups").await;
    assert!(list.text().contains("Ваши группы слушателей</b> (0)"), "{}", list.text());
    assert!(!list.text().contains("Группа владельца"));
    for forged in [
        format!("gr:o:{id}"),
        format!("gr:D:{id}"),
        format!("gr:r:{id}"),
        format!("gr:m:{id}:0"),
        format!("gr:X:{id}:{}", member.id),
        format!("gr:e:{id}:0"),
        format!("gr:k:{id}"),
    ] {
        let answer = press_for_answer(&bot, &stranger, &list, &forged).await;
        assert!(answer.text().contains("группа не найдена"), "{forged}: {}", answer.text());
    }
    assert_eq!(scalar(&bot, "SELECT COUNT(*) FROM listener_groups WHERE id = $1 AND deleted_at IS NULL", id).await, 1);
    assert_eq!(scalar(&bot, "SELECT COUNT(*) FROM group_members WHERE group_id = $1", id).await, 1);
    assert_eq!(scalar(&bot, "SELECT COUNT(*) FROM invites WHERE target_id = $1 AND created_by = 341", id).await, 0);
    // Forged data that names no action at all is stale.
    let answer = press_for_answer(&bot, &stranger, &list, "gr:e:1:9").await;
    assert!(answer.text().contains("кнопка устарела"), "{}", answer.text());

    let admin = TgUser::ru(ADMIN_ID);
    let all = bot.tg.ask(&admin, "/groups").await;
    assert!(all.text().contains("Все группы слушателей"), "{}", all.text());
    let opened = press(&bot, &admin, &all, "Группа владельца").await;
    assert!(opened.text().contains("1 участник"), "{}", opened.text());
    bot.finish().await;
}

#[tokio::test]
async fn rename_checks_the_input_then_members_are_removed_and_the_group_deleted() {
    let bot = TestBot::start().await;
    let owner = teacher(&bot, 350).await;
    let menu = create_group(&bot, &owner, "Черновое название").await;
    let id = group_id(&menu);
    let (code, _) = new_link(&bot, &owner, &menu, "без срока").await;
    let listener = TgUser::ru(351);
    join(&bot, &listener, &code).await;

    let prompt = press(&bot, &owner, &menu, "Переименовать").await;
    assert!(prompt.text().contains("Черновое название"), "{}", prompt.text());
    for (input, expected) in [
        ("   ", "Текст пустой"),
        (&"я".repeat(4097), "Слишком длинно: 4097"),
        (&"я".repeat(101), "не больше 100"),
        ("две\nстроки", "в одну строку"),
        ("/groups2", "похоже на команду"),
    ] {
        let reply = bot.tg.ask(&owner, input).await;
        assert!(reply.text().contains(expected), "{input:?}: {}", reply.text());
    }
    let mark = bot.tg.mark();
    bot.tg.send_photo(&owner);
    assert!(bot.tg.reply_after(mark, owner.id).await.text().contains("Пришлите, пожалуйста, текст"));
    let renamed = bot.tg.ask(&owner, "<b>Группа</b> №15 🚀").await;
    assert!(renamed.text().contains("Название группы изменено"), "{}", renamed.text());
    // The menu below names it, escaped, and only once.
    assert_eq!(renamed.text().matches("&lt;b&gt;Группа&lt;/b&gt; №15 🚀").count(), 1, "{}", renamed.text());
    let name: String = {
        let db = bot.db().await;
        webinar_bot::on_db!(&db, |pool| sqlx::query_scalar("SELECT name FROM listener_groups WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await)
        .unwrap()
    };
    assert_eq!(name, "<b>Группа</b> №15 🚀");

    let list = members(&bot, &owner, &renamed).await;
    let confirm = press(&bot, &owner, &list, "✖ 1").await;
    assert!(confirm.text().contains("Исключить Иван"), "{}", confirm.text());
    let after = press(&bot, &owner, &confirm, "Да, исключить").await;
    assert!(after.text().contains("Участник исключён") && after.text().contains("0 участников"), "{}", after.text());
    assert_eq!(scalar(&bot, "SELECT COUNT(*) FROM group_members WHERE group_id = $1", id).await, 0);

    let menu = press(&bot, &owner, &after, "Назад").await;
    let confirm = press(&bot, &owner, &menu, "Удалить").await;
    assert!(confirm.text().contains("Удалить группу"), "{}", confirm.text());
    let deleted = press(&bot, &owner, &confirm, "Да, удалить").await;
    assert!(deleted.text().contains("удалена"), "{}", deleted.text());
    assert_eq!(scalar(&bot, "SELECT COUNT(*) FROM listener_groups WHERE id = $1 AND deleted_at IS NULL", id).await, 0);
    let reply = bot.tg.ask(&TgUser::ru(352), &format!("/start {code}")).await;
    assert!(reply.text().contains("недействительна"), "the deleted group's link is revoked: {}", reply.text());
    let list = bot.tg.ask(&owner, "/groups").await;
    assert!(list.text().contains("(0)"), "{}", list.text());
    bot.finish().await;
}

#[tokio::test]
async fn a_group_chat_is_linked_once_and_only_by_the_owner_then_unlinked() {
    let bot = TestBot::start().await;
    let owner = teacher(&bot, 360).await;
    let menu = create_group(&bot, &owner, "Группа с чатом").await;
    let id = group_id(&menu);
    let chats = press(&bot, &owner, &menu, "Групповые чаты").await;
    let code_message = press(&bot, &owner, &chats, "Привязать чат").await;
    let command = code_message.text().split("<code>").nth(1).unwrap().split("</code>").next().unwrap().to_owned();
    assert!(command.starts_with("/link "), "{command}");

    let chat = -100_360;
    let in_chat = |user: &TgUser, text: &str| {
        let mark = bot.tg.mark();
        bot.tg.send_text_in_chat(user, group_chat(chat, "Чат 15-ПБ"), text);
        mark
    };
    let other_teacher = teacher(&bot, 361).await;
    let mark = in_chat(&other_teacher, &command);
    assert!(bot.tg.reply_after(mark, chat).await.text().contains("только преподаватель этой группы"));
    let mark = in_chat(&TgUser::ru(362), &command);
    assert!(bot.tg.reply_after(mark, chat).await.text().contains("только преподаватель этой группы"));
    let mark = in_chat(&owner, "/link");
    assert!(bot.tg.reply_after(mark, chat).await.text().contains("Нужен код"));
    let mark = in_chat(&owner, &command.replace("/link", "/link@webinar_test_bot"));
    let done = bot.tg.reply_after(mark, chat).await;
    assert!(done.text().contains("привязан к группе «Группа с чатом»"), "{}", done.text());
    assert_eq!(scalar(&bot, "SELECT group_id FROM group_chats WHERE chat_id = $1", chat).await, id);
    let mark = in_chat(&owner, &command);
    assert!(bot.tg.reply_after(mark, chat).await.text().contains("код привязки недействителен"), "one-time");
    let private = bot.tg.ask(&owner, &command).await;
    assert!(private.text().contains("в групповом чате"), "{}", private.text());

    let chats = press(&bot, &owner, &chats, "Назад").await;
    let chats = press(&bot, &owner, &chats, "Групповые чаты").await;
    assert!(chats.text().contains("Чат 15-ПБ"), "{}", chats.text());
    let after = press(&bot, &owner, &chats, "Отвязать").await;
    assert!(after.text().contains("Чат отвязан"), "{}", after.text());
    assert_eq!(scalar(&bot, "SELECT COUNT(*) FROM group_chats WHERE group_id = $1", id).await, 0);
    bot.finish().await;
}

#[tokio::test]
async fn a_member_who_blocked_the_bot_is_shown_as_such_and_leave_removes_a_member() {
    let bot = TestBot::start().await;
    let owner = teacher(&bot, 370).await;
    let menu = create_group(&bot, &owner, "Группа Б").await;
    let id = group_id(&menu);
    let (code, _) = new_link(&bot, &owner, &menu, "без срока").await;
    let blocker = TgUser::ru(371);
    let leaver = TgUser::en(372);
    join(&bot, &blocker, &code).await;
    let joined = join(&bot, &leaver, &code).await;
    assert!(joined.text().contains("You joined the group"), "{}", joined.text());

    bot.tg.set_membership(&blocker, "kicked");
    for _ in 0..200 {
        if scalar(&bot, "SELECT COUNT(*) FROM users WHERE id = $1 AND active", blocker.id).await == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let list = members(&bot, &owner, &menu).await;
    let blocked_lines: Vec<&str> = list.text().split("\n\n").filter(|l| l.contains("заблокировал(а) бота")).collect();
    assert_eq!(blocked_lines.len(), 1, "{}", list.text());
    assert!(blocked_lines[0].contains("@user371"), "{}", list.text());

    let menu = bot.tg.ask(&leaver, "/leave").await;
    let confirm = press(&bot, &leaver, &menu, "Группа Б").await;
    let stayed = press(&bot, &leaver, &confirm, "Stay").await;
    assert!(stayed.text().contains("nothing changed"), "{}", stayed.text());
    assert_eq!(scalar(&bot, "SELECT COUNT(*) FROM group_members WHERE group_id = $1", id).await, 2);
    let menu = bot.tg.ask(&leaver, "/leave").await;
    let confirm = press(&bot, &leaver, &menu, "Группа Б").await;
    assert!(confirm.text().contains("Leave the group"), "{}", confirm.text());
    let done = press(&bot, &leaver, &confirm, "Yes, leave").await;
    assert!(done.text().contains("You left the group"), "{}", done.text());
    assert_eq!(scalar(&bot, "SELECT COUNT(*) FROM group_members WHERE user_id = $1", leaver.id).await, 0);
    // The old confirmation pressed again finds nothing to leave.
    let answer = press_for_answer(&bot, &leaver, &confirm, &confirm.button_data("Yes, leave")).await;
    assert!(answer.text().contains("no longer a member"), "{}", answer.text());
    bot.finish().await;
}

#[tokio::test]
async fn settings_show_and_change_the_profile() {
    let bot = TestBot::start().await;
    let user = TgUser::ru(380);
    let settings = bot.tg.ask(&user, "/settings").await;
    // "Not set" agrees in gender and number with what is not set.
    assert!(settings.text().contains("Организация: не указана"), "{}", settings.text());
    assert!(settings.text().contains("Фамилия, имя и отчество: не указаны"), "{}", settings.text());
    assert!(settings.text().contains("Москва (UTC+3)"), "{}", settings.text());
    let prompt = press(&bot, &user, &settings, "Организация").await;
    assert!(prompt.text().contains("название организации"), "{}", prompt.text());
    let saved = bot.tg.ask(&user, "  НИУ «Академия» ").await;
    assert!(saved.text().contains("Организация сохранена: НИУ «Академия»"), "{}", saved.text());
    press(&bot, &user, &settings, "Фамилия").await;
    let too_long = bot.tg.ask(&user, &"Ж".repeat(151)).await;
    assert!(too_long.text().contains("не больше 150"), "{}", too_long.text());
    bot.tg.ask(&user, "Сидорова Анна").await;
    let settings = bot.tg.ask(&user, "/settings").await;
    assert!(settings.text().contains("Фамилия, имя и отчество: Сидорова Анна"), "{}", settings.text());
    let languages = press(&bot, &user, &settings, "Язык").await;
    assert!(languages.text().contains("Выберите язык"), "{}", languages.text());
    let zones = press(&bot, &user, &settings, "Часовой пояс").await;
    assert!(zones.text().contains("Europe/Moscow"), "{}", zones.text());
    let saved = bot.tg.ask(&user, "Asia/Omsk").await;
    assert!(saved.text().contains("Часовой пояс сохранён"), "{}", saved.text());
    // Skip belongs to the first-join questions only.
    let answer = press_for_answer(&bot, &user, &settings, "pf:s").await;
    assert!(answer.text().contains("кнопка устарела"), "{}", answer.text());
    bot.finish().await;
}

#[tokio::test]
async fn joining_brings_the_groups_coming_invitations_and_leaving_stops_its_reminders() {
    let bot = TestBot::start().await;
    let owner = teacher(&bot, 390).await;
    let menu = create_group(&bot, &owner, "Группа с занятиями").await;
    let group = GroupId(group_id(&menu));
    let (code, _) = new_link(&bot, &owner, &menu, "без срока").await;
    let coming = scenario::event(&bot, "Геометрия", Duration::days(2), &[ReminderOffset::Hour1]).await;
    let over = scenario::event(&bot, "Прошедшее занятие", Duration::hours(-3), &[]).await;
    for event in [coming, over] {
        bot.ctx().events.set_groups(event, &[group]).await.unwrap();
    }

    let listener = TgUser::ru(391);
    let mark = bot.tg.mark();
    join(&bot, &listener, &code).await;
    let card =
        bot.tg.wait_for(mark, "the invitation", |c| c.chat_id() == Some(391) && c.text().contains("Геометрия")).await;
    assert!(card.buttons().iter().any(|(_, data)| data.starts_with("rsvp:")), "{:?}", card.buttons());
    assert!(!bot.tg.calls()[mark..].iter().any(|c| c.text().contains("Прошедшее занятие")));
    let rows = bot.ctx().delivery.outbox().rows_of_event(coming).await.unwrap();
    assert!(rows.iter().any(|r| r.chat_id.0 == 391 && r.state == RowState::Pending), "the reminder is queued");

    let leave = bot.tg.ask(&listener, "/leave").await;
    let confirm = press(&bot, &listener, &leave, "Группа с занятиями").await;
    press(&bot, &listener, &confirm, "Да, выйти").await;
    let rows = bot.ctx().delivery.outbox().rows_of_event(coming).await.unwrap();
    let mine: Vec<_> = rows.iter().filter(|r| r.chat_id.0 == 391).collect();
    assert!(mine.iter().all(|r| r.state != RowState::Pending), "{mine:?}");
    assert!(mine.iter().any(|r| r.state == RowState::Skipped), "{mine:?}");
    bot.finish().await;
}

/// The first-join questions: Skip edits its question into the next one, a typed answer takes the
/// old question's Skip away, and a Skip left on an older question cannot skip the current one.
#[tokio::test]
async fn the_first_join_questions_leave_no_skip_behind() {
    let bot = TestBot::start().await;
    let owner = teacher(&bot, 340).await;
    let menu = create_group(&bot, &owner, "Группа Б").await;
    let (code, _) = new_link(&bot, &owner, &menu, "без срока").await;
    let stripped = |chat: i64, message: i64| {
        move |c: &Call| {
            c.method == "EditMessageReplyMarkup"
                && c.chat_id() == Some(chat)
                && c.body["message_id"] == message
                && c.buttons().is_empty()
        }
    };

    // Typed answers: each answered question loses its Skip.
    let typist = TgUser::ru(341);
    let mark = bot.tg.mark();
    bot.tg.send_text(&typist, &format!("/start {code}"));
    let question = bot.tg.wait_for(mark, "the name question", |c| c.text().contains("Как вас записать")).await;
    let org = bot.tg.ask(&typist, "Петров Пётр Петрович").await;
    assert!(org.text().contains("Из какой вы организации"), "{}", org.text());
    bot.tg.wait_for(mark, "the name question's Skip gone", stripped(typist.id, question.message_id().unwrap())).await;
    // A Skip pressed on the older question (a client that still shows it) skips nothing.
    let stale = press_for_answer(&bot, &typist, &question, "pf:s").await;
    assert!(stale.text().contains("кнопка устарела"), "{}", stale.text());
    let thanks = bot.tg.ask(&typist, "ООО «Ромашка»").await;
    assert!(thanks.text().contains("/settings"), "the organisation was still asked: {}", thanks.text());
    bot.tg
        .wait_for(mark, "the organisation question's Skip gone", stripped(typist.id, org.message_id().unwrap()))
        .await;

    // Skips: each question becomes the next on the same message.
    let skipper = TgUser::ru(342);
    let mark = bot.tg.mark();
    bot.tg.send_text(&skipper, &format!("/start {code}"));
    let question = bot.tg.wait_for(mark, "the name question", |c| c.text().contains("Как вас записать")).await;
    let here = question.message_id().unwrap();
    let in_place = |needle: &'static str| {
        move |c: &Call| c.method == "EditMessageText" && c.body["message_id"] == here && c.text().contains(needle)
    };
    let skips = bot.tg.mark();
    bot.tg.press(&skipper, here, "pf:s");
    let org = bot.tg.wait_for(skips, "the organisation question in place", in_place("Из какой вы организации")).await;
    assert!(!org.buttons().is_empty(), "the organisation question has its Skip");
    bot.tg.press(&skipper, here, "pf:s");
    let done = bot.tg.wait_for(skips, "the thanks in place", in_place("/settings")).await;
    assert!(done.buttons().is_empty(), "nothing left to press");
    let sent =
        bot.tg.calls()[skips..].iter().filter(|c| c.method == "SendMessage" && c.chat_id() == Some(skipper.id)).count();
    assert_eq!(sent, 0, "both skips answered in place");
    bot.finish().await;
}
