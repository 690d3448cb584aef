//! Issue 14's holes, each tried as an attacker would through the fake Bot API: a host copying an
//! administrator's audience, event links that never die, a service URL that reaches the local
//! network, and `/link` taking another teacher's chat.

use crate::support;
use crate::support::fake_provider;

use chrono::Duration;
use fake_provider::{FakeServer, Reply};
use serde_json::json;
use support::scenario::{jitsi_meeting, people, register_provider};
use support::telegram::{Call, group_chat};
use support::{ADMIN_ID, Clock, TestBot, TgUser};
use teloxide::types::UserId;
use webinar_bot::domain::event::{EventId, EventStatus, GroupId};
use webinar_bot::domain::group::GroupName;
use webinar_bot::domain::invite::InviteKind;
use webinar_bot::providers::jitsi::JitsiSettings;
use webinar_bot::providers::{ProviderSettings, ServiceSettings};
use webinar_bot::store::NewEvent;
use webinar_bot::store::providers::{NewProvider, Visibility};

const TEACHER: i64 = 3001;
const OTHER_TEACHER: i64 = 3002;

fn admin() -> TgUser {
    TgUser::ru(ADMIN_ID)
}

async fn teacher(bot: &TestBot, id: i64) -> TgUser {
    let person = people(bot, [id]).await.remove(0);
    bot.ctx().users.promote_to_teacher(UserId(id as u64), bot.clock.now()).await.unwrap();
    person
}

fn jitsi() -> ProviderSettings {
    ProviderSettings::new(ServiceSettings::Jitsi(JitsiSettings::default()))
}

/// A provider of the administrator's that only the administrator may use.
async fn private_provider(bot: &TestBot) -> i64 {
    let settings = jitsi();
    let new = NewProvider {
        name: "Jitsi администратора",
        owner: UserId(ADMIN_ID as u64),
        visibility: Visibility::Private,
        host: None,
        settings: &settings,
        checked_at: None,
    };
    bot.ctx().providers.create(&new, bot.clock.now()).await.unwrap()
}

/// A planned class of the administrator's, hosted by `host`, on `provider`, for `groups`.
async fn admins_event(bot: &TestBot, title: &str, host: i64, provider: i64, groups: &[GroupId]) -> EventId {
    people(bot, [ADMIN_ID]).await;
    let ctx = bot.ctx();
    let new = NewEvent {
        owner_id: UserId(ADMIN_ID as u64),
        host_id: Some(UserId(host as u64)),
        host_email: None,
        provider_id: Some(provider),
        title: title.to_owned(),
        description: None,
        starts_at: bot.clock.now() + Duration::days(3),
        duration_min: 60,
        tz: chrono_tz::Europe::Moscow,
        status: EventStatus::Planned,
        meeting: Some(jitsi_meeting("roomcopy1")),
        options: json!({}),
        reminders: Vec::new(),
    };
    let id = ctx.events.insert(&new, bot.clock.now()).await.unwrap();
    ctx.events.set_groups(id, groups).await.unwrap();
    id
}

async fn admins_group(bot: &TestBot, members: &[i64]) -> GroupId {
    people(bot, members.iter().copied()).await;
    let ctx = bot.ctx();
    let name = GroupName::parse("Группа администратора").unwrap();
    let group = ctx.groups.create(UserId(ADMIN_ID as u64), &name, bot.clock.now()).await.unwrap();
    for member in members {
        ctx.groups.add_member(group, UserId(*member as u64), bot.clock.now()).await.unwrap();
    }
    group
}

/// `/events` → the class → its card, as `user` sees it.
async fn open_card(bot: &TestBot, user: &TgUser, title: &str) -> Call {
    let list = bot.tg.ask(user, "/events").await;
    let mark = bot.tg.mark();
    bot.tg.press(user, list.message_id().unwrap(), &list.button_data(title));
    bot.tg.wait_for(mark, "the card", |c| c.chat_id() == Some(user.id) && c.text().contains("Статус")).await
}

async fn press_and_wait(bot: &TestBot, user: &TgUser, under: &Call, label: &str, needle: &str) -> Call {
    let mark = bot.tg.mark();
    bot.tg.press(user, under.message_id().unwrap(), &under.button_data(label));
    bot.tg.wait_for(mark, needle, |c| c.chat_id() == Some(user.id) && c.text().contains(needle)).await
}

async fn events_of(bot: &TestBot, owner: i64) -> Vec<i64> {
    let pool = bot.db().await;
    webinar_bot::on_db!(&pool, |pool| sqlx::query_scalar("SELECT id FROM events WHERE owner_id = $1 ORDER BY id")
        .bind(owner)
        .fetch_all(pool)
        .await)
    .unwrap()
}

// ---- 1. copy ----

#[tokio::test]
async fn a_host_who_is_not_the_owner_copies_without_the_owners_groups() {
    let bot = TestBot::start().await;
    let host = teacher(&bot, TEACHER).await;
    let shared = register_provider(&bot, "Общий Jitsi", &jitsi()).await;
    let group = admins_group(&bot, &[3101, 3102]).await;
    admins_event(&bot, "Занятие администратора", TEACHER, shared, &[group]).await;

    let card = open_card(&bot, &host, "Занятие администратора").await;
    press_and_wait(&bot, &host, &card, "Копировать", "скопировать").await;
    let mark = bot.tg.mark();
    bot.tg.send_text(&host, "07.12.2026 10:00");
    let done = bot
        .tg
        .wait_for(mark, "the copy's card", |c| c.chat_id() == Some(TEACHER) && c.text().contains("создано"))
        .await;
    assert!(done.text().contains("Занятие администратора"), "{}", done.text());
    let copies = events_of(&bot, TEACHER).await;
    assert_eq!(copies.len(), 1, "the copy is the host's");
    let groups = bot.ctx().events.groups_of(EventId(copies[0])).await.unwrap();
    assert!(groups.is_empty(), "a host copies no groups of the owner's: {groups:?}");
    // Nobody of the administrator's group hears of the copy.
    bot.tg.assert_silent_after(mark, 3101).await;
    bot.finish().await;
}

#[tokio::test]
async fn a_copy_needs_a_provider_the_copier_may_use() {
    let bot = TestBot::start().await;
    let host = teacher(&bot, TEACHER).await;
    let private = private_provider(&bot).await;
    admins_event(&bot, "На закрытом сервисе", TEACHER, private, &[]).await;

    let card = open_card(&bot, &host, "На закрытом сервисе").await;
    press_and_wait(&bot, &host, &card, "Копировать", "скопировать").await;
    let refusal = bot.tg.ask(&host, "07.12.2026 10:00").await;
    assert!(refusal.text().contains("сервис"), "{}", refusal.text());
    assert!(events_of(&bot, TEACHER).await.is_empty(), "no copy on a provider the host may not use");
    bot.finish().await;
}

#[tokio::test]
async fn an_owner_copies_only_the_groups_they_may_still_invite() {
    let bot = TestBot::start().await;
    let owner = teacher(&bot, TEACHER).await;
    let shared = register_provider(&bot, "Общий Jitsi", &jitsi()).await;
    let ctx = bot.ctx();
    let own =
        ctx.groups.create(UserId(TEACHER as u64), &GroupName::parse("Свои").unwrap(), bot.clock.now()).await.unwrap();
    let foreign = admins_group(&bot, &[3103]).await;
    // The owner's class lists an administrator's group too (an administrator added it).
    let id = admins_event(&bot, "Своё занятие", TEACHER, shared, &[own, foreign]).await;
    webinar_bot::on_db!(&bot.db().await, |pool| sqlx::query("UPDATE events SET owner_id = $1 WHERE id = $2")
        .bind(TEACHER)
        .bind(id.get())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
    .unwrap();

    let card = open_card(&bot, &owner, "Своё занятие").await;
    press_and_wait(&bot, &owner, &card, "Копировать", "скопировать").await;
    let mark = bot.tg.mark();
    bot.tg.send_text(&owner, "08.12.2026 10:00");
    bot.tg.wait_for(mark, "the copy's card", |c| c.chat_id() == Some(TEACHER) && c.text().contains("создано")).await;
    let copies = events_of(&bot, TEACHER).await;
    let copy = EventId(*copies.last().unwrap());
    assert_ne!(copy, id);
    assert_eq!(ctx.events.groups_of(copy).await.unwrap(), vec![own], "only the owner's own group comes along");
    bot.finish().await;
}

// ---- 2. event links ----

async fn open_link(bot: &TestBot, user: &TgUser, link: &str) -> Call {
    let code = link.rsplit("start=").next().unwrap().trim_end_matches(['"', '<', '.', ' ']);
    let code: String = code.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    bot.tg.ask(user, &format!("/start {code}")).await
}

fn link_in(call: &Call) -> String {
    let text = call.text();
    let at = text.find("https://t.me/").unwrap_or_else(|| panic!("no link in {text}"));
    text[at..].split_whitespace().next().unwrap().trim_end_matches(['<', '.']).to_owned()
}

#[tokio::test]
async fn a_draft_cannot_be_joined_by_its_link() {
    let bot = TestBot::start().await;
    let shared = register_provider(&bot, "Общий Jitsi", &jitsi()).await;
    let id = admins_event(&bot, "Черновик", ADMIN_ID, shared, &[]).await;
    bot.ctx().events.set_status(id, EventStatus::Draft, None, bot.clock.now()).await.unwrap();
    let code = bot
        .ctx()
        .invites
        .create(InviteKind::Event, Some(id.get()), UserId(ADMIN_ID as u64), None, None, bot.clock.now())
        .await
        .unwrap();
    let listener = TgUser::ru(3201);
    let reply = bot.tg.ask(&listener, &format!("/start {code}")).await;
    assert!(reply.text().contains("недействительна"), "{}", reply.text());
    assert!(!bot.ctx().events.is_listener(id, UserId(3201)).await.unwrap());
    bot.finish().await;
}

#[tokio::test]
async fn event_links_are_renewed_revoked_and_expire() {
    let bot = TestBot::start().await;
    let admin = admin();
    let shared = register_provider(&bot, "Общий Jitsi", &jitsi()).await;
    admins_event(&bot, "Со ссылкой", ADMIN_ID, shared, &[]).await;
    let card = open_card(&bot, &admin, "Со ссылкой").await;

    // A new link, without an expiry.
    let expiry = press_and_wait(&bot, &admin, &card, "Новая ссылка-приглашение", "Срок").await;
    let first = press_and_wait(&bot, &admin, &expiry, "Бессрочная", "https://t.me/").await;
    let first = link_in(&first);
    let joined = open_link(&bot, &TgUser::ru(3301), &first).await;
    assert!(joined.text().contains("записаны"), "{}", joined.text());

    // Another new link revokes the first.
    let card = open_card(&bot, &admin, "Со ссылкой").await;
    let expiry = press_and_wait(&bot, &admin, &card, "Новая ссылка-приглашение", "Срок").await;
    let second = link_in(&press_and_wait(&bot, &admin, &expiry, "Бессрочная", "https://t.me/").await);
    assert_ne!(first, second);
    let refused = open_link(&bot, &TgUser::ru(3302), &first).await;
    assert!(refused.text().contains("недействительна"), "{}", refused.text());
    let joined = open_link(&bot, &TgUser::ru(3302), &second).await;
    assert!(joined.text().contains("записаны"), "{}", joined.text());

    // Revoked.
    let card = open_card(&bot, &admin, "Со ссылкой").await;
    let revoked = press_and_wait(&bot, &admin, &card, "Отозвать ссылку-приглашение", "отозвана").await;
    assert!(revoked.text().contains('1'), "{}", revoked.text());
    let refused = open_link(&bot, &TgUser::ru(3303), &second).await;
    assert!(refused.text().contains("недействительна"), "{}", refused.text());

    // A link for a day stops working after it.
    let card = open_card(&bot, &admin, "Со ссылкой").await;
    let expiry = press_and_wait(&bot, &admin, &card, "Новая ссылка-приглашение", "Срок").await;
    let daily = link_in(&press_and_wait(&bot, &admin, &expiry, "1 день", "https://t.me/").await);
    bot.clock.advance(Duration::hours(25));
    let refused = open_link(&bot, &TgUser::ru(3304), &daily).await;
    assert!(refused.text().contains("недействительна"), "{}", refused.text());
    bot.finish().await;
}

#[tokio::test]
async fn invite_codes_are_kept_only_as_hashes() {
    let bot = TestBot::start().await;
    let code = bot
        .ctx()
        .invites
        .create(InviteKind::Teacher, None, UserId(ADMIN_ID as u64), None, Some(1), bot.clock.now())
        .await
        .unwrap();
    let pool = bot.db().await;
    let stored: Vec<String> =
        webinar_bot::on_db!(&pool, |pool| sqlx::query_scalar("SELECT code FROM invites").fetch_all(pool).await)
            .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(code.token()), "the token is not in the clear: {stored:?}");
    assert_eq!(stored[0].len(), 64, "a SHA-256 in hex: {stored:?}");
    let listener = TgUser::ru(3401);
    let reply = bot.tg.ask(&listener, &format!("/start {code}")).await;
    assert!(reply.text().contains("преподавател"), "the hashed code still works: {}", reply.text());
    bot.finish().await;
}

// ---- 3. the service URL ----

async fn start_mts_registration(bot: &TestBot, user: &TgUser) -> Call {
    let list = bot.tg.ask(user, "/providers").await;
    let mark = bot.tg.mark();
    bot.tg.press(user, list.message_id().unwrap(), &list.button_data("Подключить"));
    let kinds = bot.tg.wait_for(mark, "the kinds", |c| c.text().contains("Выберите сервис")).await;
    let mark = bot.tg.mark();
    bot.tg.press(user, kinds.message_id().unwrap(), &kinds.button_data("МТС Линк"));
    bot.tg.wait_for(mark, "the key question", |c| c.text().contains("API-ключ")).await
}

#[tokio::test]
async fn a_service_url_on_the_local_machine_is_refused_before_any_request() {
    // Without ALLOW_LOOPBACK_PROVIDERS, as in production.
    let bot = TestBot::start_with(&[("ALLOW_LOOPBACK_PROVIDERS", "0")]).await;
    let admin = admin();
    let mts = FakeServer::start().await;
    mts.on("GET", "/v3/organization/members", Reply::json(200, json!([])));
    start_mts_registration(&bot, &admin).await;
    let mark = bot.tg.mark();
    bot.tg.send_text(&admin, "mts-link-API-key-0p9o8i7u");
    bot.tg.wait_for(mark, "the name question", |c| c.text().contains("Как назвать")).await;
    let url_question = bot.tg.ask(&admin, "МТС").await;
    assert!(url_question.text().contains("Ссылка на сервис"), "{}", url_question.text());
    let port = mts.origin.rsplit(':').next().unwrap().to_owned();
    for url in [
        format!("{}/v3", mts.origin),
        format!("https://127.0.0.1:{port}/v3"),
        format!("https://localhost:{port}/v3"),
        format!("https://[::1]:{port}/v3"),
        "https://0.0.0.0/v3".to_owned(),
    ] {
        let reply = bot.tg.ask(&admin, &url).await;
        assert!(reply.text().contains("внутренн"), "{url}: {}", reply.text());
    }
    assert!(mts.requests().is_empty(), "no request left the bot: {:?}", mts.requests());
    bot.finish().await;
}

#[tokio::test]
async fn only_administrators_are_asked_for_a_service_url() {
    let bot = TestBot::start().await;
    let teacher = teacher(&bot, TEACHER).await;
    bot.ctx().settings.set_teachers_may_register_providers(true).await.unwrap();
    start_mts_registration(&bot, &teacher).await;
    let mark = bot.tg.mark();
    bot.tg.send_text(&teacher, "mts-link-API-key-0p9o8i7u");
    bot.tg.wait_for(mark, "the name question", |c| c.text().contains("Как назвать")).await;
    let next = bot.tg.ask(&teacher, "Мой МТС").await;
    assert!(!next.text().contains("Ссылка на сервис"), "a teacher is not asked the URL: {}", next.text());
    bot.finish().await;
}

// ---- 4. /link ----

#[tokio::test]
async fn link_does_not_move_a_chat_from_another_teachers_group() {
    let bot = TestBot::start().await;
    let first = teacher(&bot, TEACHER).await;
    let second = teacher(&bot, OTHER_TEACHER).await;
    let ctx = bot.ctx();
    let now = bot.clock.now();
    let a = ctx.groups.create(UserId(TEACHER as u64), &GroupName::parse("Группа А").unwrap(), now).await.unwrap();
    let b = ctx.groups.create(UserId(OTHER_TEACHER as u64), &GroupName::parse("Группа Б").unwrap(), now).await.unwrap();
    let chat = group_chat(-100_777, "Класс");

    let code = ctx.groups.create_chat_code(a, UserId(TEACHER as u64), now).await.unwrap();
    let mark = bot.tg.mark();
    bot.tg.send_text_in_chat(&first, chat.clone(), &format!("/link {code}"));
    let done = bot.tg.wait_for(mark, "linked", |c| c.chat_id() == Some(-100_777)).await;
    assert!(done.text().contains("привязан"), "{}", done.text());

    let code = ctx.groups.create_chat_code(b, UserId(OTHER_TEACHER as u64), now).await.unwrap();
    let mark = bot.tg.mark();
    bot.tg.send_text_in_chat(&second, chat, &format!("/link {code}"));
    let refused = bot.tg.wait_for(mark, "refused", |c| c.chat_id() == Some(-100_777)).await;
    assert!(refused.text().contains("уже привязан"), "{}", refused.text());
    assert!(refused.text().contains("user3001"), "names who must unlink it: {}", refused.text());
    assert_eq!(ctx.groups.chats(a).await.unwrap().len(), 1, "the chat stays with the first group");
    assert!(ctx.groups.chats(b).await.unwrap().is_empty());
    bot.finish().await;
}

// ---- forged presses and group chats ----

/// The bot's answer to one callback query.
async fn answer_to(bot: &TestBot, mark: usize, query: &str) -> Call {
    bot.tg
        .wait_for(mark, "the answer", |c| c.method == "AnswerCallbackQuery" && c.body["callback_query_id"] == query)
        .await
}

#[tokio::test]
async fn a_forged_calendar_day_past_the_typed_limit_gets_the_polite_answer() {
    let bot = TestBot::start().await;
    let admin = admin();
    bot.tg.ask(&admin, "/new").await;
    let providers = bot.tg.ask(&admin, "Далёкое будущее").await;
    let mark = bot.tg.mark();
    bot.tg.press(&admin, providers.message_id().unwrap(), &providers.button_data("Jitsi"));
    let dates = bot.tg.wait_for(mark, "the date question", |c| c.text().contains("Какого числа")).await;
    for forged in ["nw:d:99991231", "nw:m:999912", "nw:d:21010101"] {
        let mark = bot.tg.mark();
        let query = bot.tg.press_query(&admin, dates.message_id().unwrap(), forged);
        let answer = answer_to(&bot, mark, &query).await;
        assert!(answer.text().contains("можно указать год от 2000 до 2100"), "{forged}: {}", answer.text());
    }
    // The step is still the date: a real day goes on.
    let next = bot.tg.ask(&admin, "07.12.2026").await;
    assert!(next.text().contains("время"), "{}", next.text());
    bot.finish().await;
}

#[tokio::test]
async fn a_forged_page_number_gets_the_polite_answer() {
    let bot = TestBot::start().await;
    let admin = admin();
    let shared = register_provider(&bot, "Общий Jitsi", &jitsi()).await;
    admins_event(&bot, "Единственное", ADMIN_ID, shared, &[]).await;
    let list = bot.tg.ask(&admin, "/events").await;
    let mark = bot.tg.mark();
    bot.tg.press(&admin, list.message_id().unwrap(), "evl:4294967295");
    let page =
        bot.tg.wait_for(mark, "the last page", |c| c.method == "SendMessage" && c.chat_id() == Some(ADMIN_ID)).await;
    assert!(
        page.text().contains("Единственное") || page.buttons().iter().any(|(l, _)| l.contains("Единственное")),
        "{}",
        page.text()
    );
    let stale = bot.tg.click(&admin, list.message_id().unwrap(), "evl:4294967296").await;
    assert!(stale.text().contains("устарела"), "{}", stale.text());
    bot.finish().await;
}

#[tokio::test]
async fn dialogue_buttons_are_refused_in_a_group_so_no_member_captures_anothers_message() {
    let bot = TestBot::start().await;
    let members = people(&bot, [3501, 3502]).await;
    let chat = group_chat(-100_888, "Класс");
    let mark = bot.tg.mark();
    let query = bot.tg.press_in(&members[0], chat.clone(), "pf:n");
    let refused = answer_to(&bot, mark, &format!("cb{query}")).await;
    assert!(refused.text().contains("личном чате"), "{}", refused.text());
    let mark = bot.tg.mark();
    bot.tg.send_text_in_chat(&members[1], chat, "Пётр Петров");
    bot.tg.assert_silent_after(mark, -100_888).await;
    let profile = bot.ctx().users.profile(UserId(3502)).await.unwrap();
    assert_eq!(profile.full_name, None, "a message in the group is nobody's answer");
    bot.finish().await;
}

// ---- provider rights at every use ----

#[tokio::test]
async fn provider_rights_are_checked_again_at_retry_and_new_link() {
    let bot = TestBot::start().await;
    let owner = teacher(&bot, TEACHER).await;
    let shared = register_provider(&bot, "Общий Jitsi", &jitsi()).await;
    let draft = admins_event(&bot, "Черновик преподавателя", TEACHER, shared, &[]).await;
    let planned = admins_event(&bot, "Запланированное", TEACHER, shared, &[]).await;
    let pool = bot.db().await;
    webinar_bot::on_db!(&pool, |pool| sqlx::query("UPDATE events SET owner_id = $1 WHERE id IN ($2, $3)")
        .bind(TEACHER)
        .bind(draft.get())
        .bind(planned.get())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
    .unwrap();
    bot.ctx().events.set_status(draft, EventStatus::Draft, None, bot.clock.now()).await.unwrap();
    // The administrator takes the service back after the teacher chose it.
    webinar_bot::on_db!(&pool, |pool| sqlx::query("UPDATE providers SET visibility = 'private' WHERE id = $1")
        .bind(shared)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
    .unwrap();

    let card = open_card(&bot, &owner, "Черновик преподавателя").await;
    let refused = press_and_wait(&bot, &owner, &card, "Повторить", "недоступен").await;
    assert!(!refused.text().contains("создано"), "{}", refused.text());
    assert_eq!(bot.ctx().events.get(draft).await.unwrap().unwrap().status, EventStatus::Draft);

    let card = open_card(&bot, &owner, "Запланированное").await;
    let before = bot.ctx().events.get(planned).await.unwrap().unwrap().meeting;
    press_and_wait(&bot, &owner, &card, "🔄 Новая ссылка", "недоступен").await;
    assert_eq!(bot.ctx().events.get(planned).await.unwrap().unwrap().meeting, before, "the meeting stays");
    bot.finish().await;
}
