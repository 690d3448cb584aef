//! The learning platform's API through a real HTTP client against the bot's server: tokens made
//! in the chat and revoked there, scopes, problem details naming the field, rosters that groups
//! follow, idempotent PUTs, and the signed links opened in the chat.

use crate::support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::scenario::people;
use support::telegram::Call;
use support::{ADMIN_ID, Clock, TestBot, TgUser};
use teloxide::types::UserId;
use webinar_bot::domain::platform::Scope;
use webinar_bot::store::outbox::RowState;

fn admin() -> TgUser {
    TgUser::ru(ADMIN_ID)
}

/// A token of `scope`, made as `/api` makes it.
async fn token(bot: &TestBot, scope: Scope) -> String {
    people(bot, [ADMIN_ID]).await;
    bot.ctx().platform.create_token("LMS", scope, UserId(ADMIN_ID as u64)).await.unwrap().token
}

struct Client {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
}

impl Client {
    fn new(bot: &TestBot, token: &str) -> Self {
        Client {
            base: format!("{}/api/v1", bot.http_url()),
            http: reqwest::Client::new(),
            token: Some(token.to_owned()),
        }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (StatusCode, Value, reqwest::header::HeaderMap) {
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap();
        let value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("a JSON body, got {status} {body:?}"));
        (status, value, headers)
    }

    async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let (status, value, _) = self.send(self.request(reqwest::Method::PUT, path).json(&body)).await;
        (status, value)
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let (status, value, _) = self.send(self.request(reqwest::Method::POST, path).json(&body)).await;
        (status, value)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (status, value, _) = self.send(self.request(reqwest::Method::GET, path)).await;
        (status, value)
    }
}

/// The problem's status and the field it names.
#[track_caller]
fn problem(answer: &(StatusCode, Value)) -> (u16, String) {
    let (status, body) = answer;
    assert_eq!(body["status"], status.as_u16(), "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
    (status.as_u16(), body["invalid-params"][0]["name"].as_str().unwrap_or_default().to_owned())
}

async fn members_of(bot: &TestBot, external: &str) -> Vec<i64> {
    let (group, _) = bot.ctx().platform.store.group(external).await.unwrap().expect("the group exists");
    let mut ids: Vec<i64> =
        bot.ctx().groups.members(group).await.unwrap().into_iter().map(|m| m.user_id.0 as i64).collect();
    ids.sort_unstable();
    ids
}

/// The `/start` payload in a link the API returned.
fn payload(url: &str) -> String {
    url.strip_prefix("https://t.me/webinar_test_bot?start=").expect("a link to the bot").to_owned()
}

/// Returns the bot's answer to `person` opening a link the API signed for `user_id`.
async fn link(bot: &TestBot, api: &Client, user_id: &str, person: &TgUser) -> Call {
    let (status, body) = api.post("/links", json!({ "user_id": user_id, "expires_in": 3600 })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let url = body["url"].as_str().unwrap();
    let start = payload(url);
    assert!(start.len() <= 64 && start.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
    bot.tg.ask(person, &format!("/start {start}")).await
}

#[tokio::test]
async fn a_token_made_in_the_chat_works_until_it_is_revoked_there() {
    let bot = TestBot::start().await;
    let overview = bot.tg.ask(&admin(), "/api").await;
    assert!(overview.text().contains("пока ни одного"), "{}", overview.text());
    let mark = bot.tg.mark();
    bot.tg.press(&admin(), overview.message_id().unwrap(), &overview.button_data("Выпустить"));
    let answered = bot.tg.wait_for(mark, "the press answered", |c| c.method == "AnswerCallbackQuery").await;
    assert!(answered.body.get("show_alert").is_none(), "{}", answered.body);
    bot.tg
        .wait_for(mark, "the name asked", |c| c.method == "SendMessage" && c.text().contains("Как назвать токен"))
        .await;
    let scopes = bot.tg.ask(&admin(), "СДО, основной").await;
    assert!(scopes.text().contains("СДО, основной"), "{}", scopes.text());
    let mark = bot.tg.mark();
    bot.tg.press(&admin(), scopes.message_id().unwrap(), &scopes.button_data("Группы"));
    let shown = bot.tg.wait_for(mark, "the token", |c| c.method == "SendMessage" && c.text().contains("wbt_")).await;
    let at = shown.text().find("wbt_").unwrap();
    let token: String = shown.text()[at..].chars().take(36).collect();
    assert!(webinar_bot::domain::platform::token_well_formed(&token), "{token}");
    // Stored only as its hash.
    let db = bot.db().await;
    let stored: Vec<String> =
        webinar_bot::on_db!(&db, |pool| sqlx::query_scalar("SELECT token_hash FROM api_tokens").fetch_all(pool).await)
            .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token);

    let api = Client::new(&bot, &token);
    let answer = api.put("/groups/g-1", json!({ "name": "Группа 1" })).await;
    assert_eq!(answer.0, StatusCode::CREATED, "{}", answer.1);

    let list = bot.tg.ask(&admin(), "/api").await;
    assert!(list.text().contains("1 действующий токен"), "{}", list.text());
    assert!(list.text().contains("последнее обращение"), "{}", list.text());
    let mark = bot.tg.mark();
    bot.tg.press(&admin(), list.message_id().unwrap(), &list.button_data("Отозвать: СДО, основной"));
    let ask = bot
        .tg
        .wait_for(mark, "the question", |c| c.method == "SendMessage" && c.text().contains("Отозвать токен"))
        .await;
    let mark = bot.tg.mark();
    bot.tg.press(&admin(), ask.message_id().unwrap(), &ask.button_data("Да, отозвать"));
    bot.tg.wait_for(mark, "revoked", |c| c.method == "SendMessage" && c.text().contains("отозван")).await;

    let refused = api.get("/groups/g-1").await;
    assert_eq!(problem(&refused), (401, "Authorization".to_owned()));
    bot.finish().await;
}

#[tokio::test]
async fn no_token_is_401_and_a_read_token_may_not_write() {
    let bot = TestBot::start().await;
    let read = Client::new(&bot, &token(&bot, Scope::Read).await);
    let none = Client { token: None, ..Client::new(&bot, "") };
    let unknown = Client::new(&bot, &webinar_bot::domain::platform::generate_token(&mut rand::rngs::OsRng));
    let (status, _, headers) = none.send(none.request(reqwest::Method::GET, "/groups/g-1")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(headers.get("www-authenticate").is_some());
    assert_eq!(problem(&unknown.get("/groups/g-1").await), (401, "Authorization".to_owned()));
    assert_eq!(problem(&read.put("/groups/g-1", json!({ "name": "x" })).await), (403, "Authorization".to_owned()));
    assert_eq!(problem(&read.post("/links", json!({ "user_id": "u1" })).await), (403, "Authorization".to_owned()));
    // Reading is allowed; the group does not exist.
    assert_eq!(problem(&read.get("/groups/g-1").await), (404, "external_id".to_owned()));
    bot.finish().await;
}

#[tokio::test]
async fn bad_bodies_are_problems_naming_the_field() {
    let bot = TestBot::start().await;
    let api = Client::new(&bot, &token(&bot, Scope::Groups).await);
    let raw = |body: &'static str| {
        api.request(reqwest::Method::PUT, "/groups/g-1").header("content-type", "application/json").body(body)
    };
    let (status, body, _) = api.send(raw("{\"name\": ")).await;
    assert_eq!(problem(&(status, body)), (400, "body".to_owned()));
    assert_eq!(problem(&api.put("/groups/g-1", json!({})).await), (422, "name".to_owned()));
    assert_eq!(problem(&api.put("/groups/g-1", json!({ "name": 5 })).await), (422, "name".to_owned()));
    assert_eq!(problem(&api.put("/groups/g-1", json!({ "name": "  " })).await), (422, "name".to_owned()));
    assert_eq!(problem(&api.put("/groups/g%2F1", json!({ "name": "x" })).await), (422, "external_id".to_owned()));
    let (status, body, _) = api
        .send(api.request(reqwest::Method::PUT, "/groups/g-1").header("content-type", "text/plain").body("{}"))
        .await;
    assert_eq!(problem(&(status, body)), (415, "Content-Type".to_owned()));
    let huge = json!({ "name": "x".repeat(70 * 1024) });
    assert_eq!(problem(&api.put("/groups/g-1", huge).await), (413, "body".to_owned()));
    assert_eq!(api.put("/groups/g-1", json!({ "name": "Группа" })).await.0, StatusCode::CREATED);
    let roster = json!([{ "user_id": "s1" }, { "name": "Без id" }]);
    assert_eq!(problem(&api.put("/groups/g-1/members", roster).await), (422, "[1].user_id".to_owned()));
    let twice = json!([{ "user_id": "s1" }, { "user_id": "s1" }]);
    assert_eq!(problem(&api.put("/groups/g-1/members", twice).await), (422, "[1].user_id".to_owned()));
    assert_eq!(problem(&api.put("/groups/nope/members", json!([])).await), (404, "external_id".to_owned()));
    assert_eq!(
        problem(&api.post("/links", json!({ "user_id": "s1", "expires_in": 5 })).await),
        (422, "expires_in".to_owned())
    );
    assert_eq!(problem(&api.get("/nothing-here").await), (404, "path".to_owned()));
    let (status, body, _) = api.send(api.request(reqwest::Method::DELETE, "/links")).await;
    assert_eq!(problem(&(status, body)), (405, "method".to_owned()));
    bot.finish().await;
}

#[tokio::test]
async fn a_group_follows_its_roster_and_a_second_identical_put_changes_nothing() {
    let bot = TestBot::start().await;
    let api = Client::new(&bot, &token(&bot, Scope::Groups).await);
    let created = api.put("/groups/pb-15", json!({ "name": "Группа №15-ПБ" })).await;
    assert_eq!(created.0, StatusCode::CREATED, "{}", created.1);
    let again = api.put("/groups/pb-15", json!({ "name": "Группа №15-ПБ" })).await;
    assert_eq!(again, (StatusCode::OK, created.1.clone()));

    let anna = TgUser::ru(501);
    let boris = TgUser::ru(502);
    let roster = json!([
        { "user_id": "anna", "name": "Анна Петрова", "organisation": "ПТУ №1" },
        { "user_id": "boris", "name": "Борис Сидоров" },
        { "user_id": "vera" },
    ]);
    let put = api.put("/groups/pb-15/members", roster.clone()).await;
    assert_eq!(put.0, StatusCode::OK, "{}", put.1);
    assert!(put.1.as_array().unwrap().iter().all(|m| m["linked"] == false), "{}", put.1);
    assert!(members_of(&bot, "pb-15").await.is_empty());

    // Linking later brings them into the groups that list them.
    let said = link(&bot, &api, "anna", &anna).await;
    assert!(said.text().contains("связан"), "{}", said.text());
    link(&bot, &api, "boris", &boris).await;
    assert_eq!(members_of(&bot, "pb-15").await, vec![501, 502]);
    let listed = api.get("/groups/pb-15/members").await;
    assert_eq!(listed.0, StatusCode::OK);
    let linked: Vec<(String, bool)> = listed
        .1
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["user_id"].as_str().unwrap().to_owned(), m["linked"].as_bool().unwrap()))
        .collect();
    assert_eq!(linked, vec![("anna".into(), true), ("boris".into(), true), ("vera".into(), false)]);
    assert_eq!(listed.1[0]["organisation"], "ПТУ №1");

    // Boris leaves the roster: he is dropped; the same roster again changes nothing.
    let smaller =
        json!([{ "user_id": "anna", "name": "Анна Петрова", "organisation": "ПТУ №1" }, { "user_id": "vera" }]);
    let first = api.put("/groups/pb-15/members", smaller.clone()).await;
    assert_eq!(members_of(&bot, "pb-15").await, vec![501]);
    let db = bot.db().await;
    let stamps = || async {
        webinar_bot::on_db!(&db, |pool| sqlx::query_scalar::<_, String>(
            "SELECT updated_at FROM platform_users ORDER BY external_id"
        )
        .fetch_all(pool)
        .await)
        .unwrap()
    };
    let before = stamps().await;
    bot.clock.advance(chrono::Duration::minutes(5));
    let second = api.put("/groups/pb-15/members", smaller).await;
    assert_eq!(first, second);
    assert_eq!(stamps().await, before, "nothing was written");
    assert_eq!(members_of(&bot, "pb-15").await, vec![501]);

    // A member added in the bot by hand is dropped too: the group follows the platform.
    let (group, _) = bot.ctx().platform.store.group("pb-15").await.unwrap().unwrap();
    people(&bot, [503]).await;
    bot.ctx().groups.add_member(group, UserId(503), bot.clock.now()).await.unwrap();
    api.put("/groups/pb-15/members", json!([{ "user_id": "anna" }])).await;
    assert_eq!(members_of(&bot, "pb-15").await, vec![501]);
    bot.finish().await;
}

#[tokio::test]
async fn a_forged_or_expired_link_is_refused_in_the_chat_and_invites_still_work() {
    let bot = TestBot::start().await;
    let api = Client::new(&bot, &token(&bot, Scope::Groups).await);
    let person = TgUser::en(601);
    let (_, body) = api.post("/links", json!({ "user_id": "stud-1", "expires_in": 120 })).await;
    let start = payload(body["url"].as_str().unwrap());

    // One character changed in the signature's place.
    let mut forged = start.clone().into_bytes();
    forged[3] = if forged[3] == b'A' { b'B' } else { b'A' };
    let said = bot.tg.ask(&person, &format!("/start {}", String::from_utf8(forged).unwrap())).await;
    assert!(said.text().contains("not valid"), "{}", said.text());
    let said = bot.tg.ask(&person, "/start lnot-a-link").await;
    assert!(said.text().contains("not valid"), "{}", said.text());

    bot.clock.advance(chrono::Duration::minutes(3));
    let said = bot.tg.ask(&person, &format!("/start {start}")).await;
    assert!(said.text().contains("expired"), "{}", said.text());
    let db = bot.db().await;
    let linked: i64 = webinar_bot::on_db!(&db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM platform_users WHERE user_id IS NOT NULL"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(linked, 0);

    // An invitation code is still an invitation.
    let code = bot
        .ctx()
        .invites
        .create(
            webinar_bot::domain::invite::InviteKind::Teacher,
            None,
            UserId(ADMIN_ID as u64),
            None,
            Some(1),
            bot.clock.now(),
        )
        .await
        .unwrap();
    let said = bot.tg.ask(&person, &format!("/start {code}")).await;
    assert!(said.text().contains("You are a teacher now"), "{}", said.text());
    bot.finish().await;
}

#[tokio::test]
async fn a_token_over_its_rate_is_told_when_to_come_back() {
    let bot = TestBot::start().await;
    let api = Client::new(&bot, &token(&bot, Scope::Read).await);
    let mut limited = None;
    // Serial requests: a burst of 20 and 10 a second back are used up well before 200.
    for _ in 0..200 {
        let (status, body, headers) = api.send(api.request(reqwest::Method::GET, "/groups/x")).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some((body, headers));
            break;
        }
    }
    let (body, headers) = limited.expect("the limit was reached");
    assert_eq!(body["status"], 429);
    assert!(headers.get("retry-after").is_some());
    bot.finish().await;
}

/// The Jitsi provider every bot starts with, which the administrator may use.
async fn jitsi(bot: &TestBot) -> i64 {
    let ctx = bot.ctx();
    let admin = ctx.users.get(UserId(ADMIN_ID as u64)).await.unwrap().expect("the administrator");
    let usable = ctx.providers.usable_by(&admin).await.unwrap();
    usable.iter().find(|p| p.kind == webinar_bot::providers::ProviderKind::Jitsi).expect("the default Jitsi").id
}

/// A message the bot sent to `chat` after `mark` that contains `needle`.
async fn message_to(bot: &TestBot, mark: usize, chat: i64, needle: &str) -> Call {
    bot.tg
        .wait_for(mark, needle, |c| {
            matches!(c.method.as_str(), "SendMessage" | "EditMessageText")
                && c.chat_id() == Some(chat)
                && c.text().contains(needle)
        })
        .await
}

/// A group `group` the platform made whose roster is `people`, each of whom opened their link.
async fn linked_group(bot: &TestBot, api: &Client, group: &str, people: &[(&str, &TgUser)]) {
    api.put(&format!("/groups/{group}"), json!({ "name": "Группа" })).await;
    let roster: Vec<Value> = people.iter().map(|(id, _)| json!({ "user_id": id })).collect();
    api.put(&format!("/groups/{group}/members"), Value::Array(roster)).await;
    for (id, person) in people {
        link(bot, api, id, person).await;
    }
}

/// The body of a class of `group` on the default Jitsi, a day from now.
async fn class_of(bot: &TestBot, title: &str, group: &str) -> Value {
    json!({
        "title": title,
        "provider": jitsi(bot).await,
        "start": (bot.clock.now() + chrono::Duration::days(1)).to_rfc3339(),
        "timezone": "Europe/Moscow",
        "duration_minutes": 45,
        "groups": [group],
    })
}

/// The invitation card `person` got after `mark`.
async fn invitation(bot: &TestBot, mark: usize, person: &TgUser) -> Call {
    bot.tg
        .wait_for(mark, "the invitation", |c| {
            c.chat_id() == Some(person.id) && c.buttons().iter().any(|(_, d)| d.starts_with("rsvp:"))
        })
        .await
}

fn without_delivery(mut body: Value) -> Value {
    body.as_object_mut().unwrap().remove("delivery");
    body
}

#[tokio::test]
async fn an_event_put_by_the_platform_reaches_listeners_changes_and_is_cancelled() {
    let bot = TestBot::start().await;
    let api = Client::new(&bot, &token(&bot, Scope::Events).await);
    let anna = TgUser::ru(701);
    assert_eq!(api.put("/groups/g1", json!({ "name": "Группа 1" })).await.0, StatusCode::CREATED);
    api.put("/groups/g1/members", json!([{ "user_id": "anna" }])).await;
    link(&bot, &api, "anna", &anna).await;
    let provider = jitsi(&bot).await;
    let start = (bot.clock.now() + chrono::Duration::days(2))
        .with_timezone(&chrono::FixedOffset::east_opt(3 * 3600).unwrap())
        .to_rfc3339();
    let event = json!({
        "title": "Дроби и проценты",
        "provider": provider,
        "start": start,
        "timezone": "Europe/Moscow",
        "duration_minutes": 90,
        "reminders": ["1h"],
        "groups": ["g1"],
    });
    let mark = bot.tg.mark();
    let created = api.put("/events/ev-1", event.clone()).await;
    assert_eq!(created.0, StatusCode::CREATED, "{}", created.1);
    assert_eq!(created.1["status"], "planned", "{}", created.1);
    assert!(created.1["join_url"].as_str().is_some_and(|u| u.starts_with("https://")), "{}", created.1);
    assert_eq!(created.1["groups"], json!(["g1"]));
    message_to(&bot, mark, anna.id, "Дроби и проценты").await;
    let listed = bot.tg.ask(&admin(), "/events").await;
    assert!(listed.buttons().iter().any(|(label, _)| label.contains("Дроби и проценты")), "{:?}", listed.buttons());

    // The same PUT again: nothing changes (the delivery counts move on their own).
    let sequence = || async {
        bot.ctx()
            .events
            .get(bot.ctx().platform.store.event("ev-1").await.unwrap().unwrap())
            .await
            .unwrap()
            .unwrap()
            .sequence
    };
    let before = sequence().await;
    // An instance that raced this one to the same id finds it taken, and changes this event.
    let id = bot.ctx().platform.store.event("ev-1").await.unwrap().unwrap();
    assert!(!bot.ctx().platform.store.map_event("ev-1", id, bot.clock.now()).await.unwrap());
    let again = api.put("/events/ev-1", event.clone()).await;
    assert_eq!(again.0, StatusCode::OK);
    assert_eq!(without_delivery(again.1), without_delivery(created.1.clone()));
    assert_eq!(sequence().await, before);

    // A new start goes through the edit's service: the listener is told.
    let mut moved = event.clone();
    let later = (bot.clock.now() + chrono::Duration::days(3)).to_rfc3339();
    moved["start"] = json!(later);
    let mark = bot.tg.mark();
    let changed = api.put("/events/ev-1", moved.clone()).await;
    assert_eq!(changed.0, StatusCode::OK, "{}", changed.1);
    assert!(sequence().await > before);
    bot.tg
        .wait_for(mark, "a notice to the listener", |c| c.chat_id() == Some(anna.id) && c.method == "SendMessage")
        .await;
    // The card she has is edited to the new day, and her reminder moves with the start.
    let new_day = (bot.clock.now() + chrono::Duration::days(3)).with_timezone(&chrono_tz::Europe::Moscow);
    let new_day = new_day.format("%d.%m.%Y").to_string();
    bot.tg
        .wait_for(mark, "the card edited", |c| {
            c.chat_id() == Some(anna.id) && c.method == "EditMessageText" && c.text().contains(&new_day)
        })
        .await;
    let rows = bot.ctx().delivery.outbox().rows_of_event(id).await.unwrap();
    let reminder = rows
        .iter()
        .find(|r| matches!(r.kind, webinar_bot::store::outbox::Kind::Reminder { .. }) && r.state == RowState::Pending)
        .expect("a pending reminder");
    assert_eq!(reminder.due_at, chrono::DateTime::parse_from_rfc3339(&later).unwrap() - chrono::Duration::hours(1));

    // What cannot change is a conflict naming the field; a past start is refused.
    let mut other_zone = moved.clone();
    other_zone["timezone"] = json!("Asia/Yekaterinburg");
    assert_eq!(problem(&api.put("/events/ev-1", other_zone).await), (409, "timezone".to_owned()));

    let mark = bot.tg.mark();
    let status = api.request(reqwest::Method::DELETE, "/events/ev-1").send().await.unwrap().status();
    assert_eq!(status, StatusCode::NO_CONTENT);
    bot.tg
        .wait_for(mark, "the cancellation notice", |c| c.chat_id() == Some(anna.id) && c.method == "SendMessage")
        .await;
    let gone = api.get("/events/ev-1").await;
    assert_eq!(gone.1["status"], "cancelled", "{}", gone.1);
    assert_eq!(problem(&api.put("/events/ev-1", moved).await), (409, "external_id".to_owned()));
    bot.finish().await;
}

#[tokio::test]
async fn an_event_body_is_checked_by_the_dialogues_rules() {
    let bot = TestBot::start().await;
    let api = Client::new(&bot, &token(&bot, Scope::Events).await);
    let groups_only = Client::new(&bot, &token(&bot, Scope::Groups).await);
    let provider = jitsi(&bot).await;
    let good = json!({
        "title": "Занятие",
        "provider": provider,
        "start": (bot.clock.now() + chrono::Duration::days(1)).to_rfc3339(),
        "timezone": "Europe/Moscow",
        "duration_minutes": 60,
    });
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    assert_eq!(problem(&groups_only.put("/events/e", good.clone()).await), (403, "Authorization".to_owned()));
    assert_eq!(
        problem(&api.put("/events/e", with("timezone", json!("Mars/Olympus"))).await),
        (422, "timezone".to_owned())
    );
    assert_eq!(problem(&api.put("/events/e", with("start", json!("tomorrow"))).await), (422, "start".to_owned()));
    let past = (bot.clock.now() - chrono::Duration::hours(1)).to_rfc3339();
    assert_eq!(problem(&api.put("/events/e", with("start", json!(past))).await), (422, "start".to_owned()));
    assert_eq!(
        problem(&api.put("/events/e", with("duration_minutes", json!(0))).await),
        (422, "duration_minutes".to_owned())
    );
    assert_eq!(
        problem(&api.put("/events/e", with("duration_minutes", json!(-5))).await),
        (422, "duration_minutes".to_owned())
    );
    assert_eq!(problem(&api.put("/events/e", with("title", json!(""))).await), (422, "title".to_owned()));
    assert_eq!(problem(&api.put("/events/e", with("provider", json!(987654))).await), (422, "provider".to_owned()));
    assert_eq!(
        problem(&api.put("/events/e", with("reminders", json!(["1h", "5y"]))).await),
        (422, "reminders[1]".to_owned())
    );
    assert_eq!(problem(&api.put("/events/e", with("groups", json!(["nope"]))).await), (422, "groups[0]".to_owned()));
    assert_eq!(
        problem(&api.put("/events/e", with("host_email", json!("not-mail"))).await),
        (422, "host_email".to_owned())
    );
    assert_eq!(problem(&api.get("/events/e").await), (404, "external_id".to_owned()));
    assert!(bot.ctx().platform.store.event("e").await.unwrap().is_none(), "a refused body makes no event");
    bot.finish().await;
}

/// Waits for the `n`-th call to the fake platform's webhook.
async fn hook_calls(server: &support::fake_provider::FakeServer, n: usize) -> Vec<support::fake_provider::Recorded> {
    for _ in 0..1000 {
        let calls = server.requests_to("POST", "/hooks");
        if calls.len() >= n {
            return calls;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the webhook was called {} times, not {n}", server.requests_to("POST", "/hooks").len());
}

/// A platform whose webhook takes every call, and a bot that calls it.
async fn listening_platform() -> (support::fake_provider::FakeServer, TestBot) {
    use support::fake_provider::{FakeServer, Reply};
    let platform = FakeServer::start().await;
    platform.on("POST", "/hooks", Reply::empty(204));
    let url = format!("{}/hooks", platform.origin);
    let bot =
        TestBot::start_with(&[("API_WEBHOOK_URL", &url), ("API_WEBHOOK_SECRET", "a-secret-of-the-platform")]).await;
    (platform, bot)
}

/// Waits until the webhook sender has put its failed call back in line for later.
async fn failure_recorded(bot: &TestBot) {
    let queue = webinar_bot::store::webhooks::WebhookQueue::new(bot.ctx().pool.clone());
    for _ in 0..1000 {
        if queue.next_due().await.unwrap().is_some_and(|at| at > bot.clock.now()) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the failed webhook call was not put back in line");
}

#[tokio::test]
async fn the_platform_hears_of_its_events_signed_and_again_after_failures() {
    use support::fake_provider::{FakeServer, Reply};
    let platform = FakeServer::start().await;
    platform.on("POST", "/hooks", Reply::empty(500)).on("POST", "/hooks", Reply::empty(500)).on(
        "POST",
        "/hooks",
        Reply::empty(204),
    );
    let secret = "a-secret-of-the-platform";
    let url = format!("{}/hooks", platform.origin);
    let bot = TestBot::start_with(&[("API_WEBHOOK_URL", &url), ("API_WEBHOOK_SECRET", secret)]).await;
    let api = Client::new(&bot, &token(&bot, Scope::Events).await);
    let event = json!({
        "title": "Вебинар",
        "provider": jitsi(&bot).await,
        "start": (bot.clock.now() + chrono::Duration::days(1)).to_rfc3339(),
        "timezone": "Europe/Moscow",
        "duration_minutes": 45,
    });
    assert_eq!(api.put("/events/w-1", event).await.0, StatusCode::CREATED);
    let first = hook_calls(&platform, 1).await.remove(0);
    let body = String::from_utf8(first.body.clone()).unwrap();
    let sent: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(sent["type"], "event.created", "{sent}");
    assert_eq!(sent["data"]["external_id"], "w-1");
    assert_eq!(first.header("x-webinar-event"), Some("event.created"));
    let signature = first.header("x-webinar-signature").expect("signed").to_owned();
    let t: i64 = signature.strip_prefix("t=").and_then(|s| s.split(',').next()).unwrap().parse().unwrap();
    assert_eq!(signature, webinar_bot::webhooks::signature(secret, t, &body));

    // The platform answered 500 twice: the same call again after each backoff (10 s, then 20 s),
    // and nothing more once it took it. The clock moves only once the sender has written down
    // the failure, or the backoff would start from the moved clock.
    failure_recorded(&bot).await;
    bot.clock.advance(chrono::Duration::seconds(15));
    let calls = hook_calls(&platform, 2).await;
    assert_eq!(calls[1].body, first.body);
    failure_recorded(&bot).await;
    bot.clock.advance(chrono::Duration::seconds(25));
    let calls = hook_calls(&platform, 3).await;
    assert_eq!(calls[2].body, first.body);
    bot.clock.advance(chrono::Duration::minutes(5));
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(platform.requests_to("POST", "/hooks").len(), 3, "taken once, not sent again");

    let status = api.request(reqwest::Method::DELETE, "/events/w-1").send().await.unwrap().status();
    assert_eq!(status, StatusCode::NO_CONTENT);
    let calls = hook_calls(&platform, 4).await;
    let cancelled: Value = serde_json::from_slice(&calls[3].body).unwrap();
    assert_eq!(cancelled["type"], "event.cancelled", "{cancelled}");
    assert_eq!(cancelled["data"]["status"], "cancelled");
    bot.finish().await;
}

#[tokio::test]
async fn the_openapi_document_is_served_without_a_token() {
    let bot = TestBot::start().await;
    let response = reqwest::get(format!("{}/api/v1/openapi.json", bot.http_url())).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let doc: Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);
    for path in [
        "/api/v1/groups/{external_id}",
        "/api/v1/groups/{external_id}/members",
        "/api/v1/links",
        "/api/v1/events/{external_id}",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    bot.finish().await;
}

#[tokio::test]
async fn api_is_for_administrators_in_private_and_cancel_leaves_the_name_step() {
    let bot = TestBot::start().await;
    let listener = TgUser::ru(801);
    let refused = bot.tg.ask(&listener, "/api").await;
    assert!(refused.text().contains("только администраторы"), "{}", refused.text());
    let overview = bot.tg.ask(&admin(), "/api").await;
    let mark = bot.tg.mark();
    bot.tg.press(&admin(), overview.message_id().unwrap(), &overview.button_data("Выпустить"));
    message_to(&bot, mark, ADMIN_ID, "Как назвать токен").await;
    let cancelled = bot.tg.ask(&admin(), "/cancel").await;
    assert!(cancelled.text().contains("Отменено"), "{}", cancelled.text());
    // The next text is not taken for a name.
    let said = bot.tg.ask(&admin(), "Мой токен").await;
    assert!(!said.text().contains("Что будет разрешено"), "{}", said.text());
    // A scope button pressed with no name asked is stale, and answered so.
    let mark = bot.tg.mark();
    bot.tg.press(&admin(), overview.message_id().unwrap(), "api:sc:read");
    let answer = bot.tg.wait_for(mark, "the press answered", |c| c.method == "AnswerCallbackQuery").await;
    assert_eq!(answer.body["show_alert"], true, "{}", answer.body);
    assert!(bot.ctx().platform.tokens.active().await.unwrap().is_empty());
    // A too long name is refused politely, and the question stays.
    bot.tg.press(&admin(), overview.message_id().unwrap(), &overview.button_data("Выпустить"));
    message_to(&bot, mark, ADMIN_ID, "Как назвать токен").await;
    let long = bot.tg.ask(&admin(), &"я".repeat(60)).await;
    assert!(long.text().contains("от 1 до 48"), "{}", long.text());
    bot.finish().await;
}

#[tokio::test]
async fn the_platform_hears_a_listeners_answer_with_their_platform_id() {
    let (platform, bot) = listening_platform().await;
    let api = Client::new(&bot, &token(&bot, Scope::Events).await);
    let anna = TgUser::ru(901);
    linked_group(&bot, &api, "g1", &[("anna", &anna)]).await;
    let mark = bot.tg.mark();
    assert_eq!(api.put("/events/s-1", class_of(&bot, "Семинар", "g1").await).await.0, StatusCode::CREATED);
    let card = invitation(&bot, mark, &anna).await;
    bot.tg.press(&anna, card.message_id().unwrap(), &card.button_data("Приду"));
    let body: Value = serde_json::from_slice(&platform.webhook("/hooks", "rsvp").await.body).unwrap();
    assert_eq!(body["data"], json!({ "event_id": "s-1", "user_id": "anna", "answer": "yes" }), "{body}");
    bot.finish().await;
}

#[tokio::test]
async fn someone_dropped_from_the_roster_hears_no_more_of_the_groups_classes() {
    let bot = TestBot::start().await;
    let api = Client::new(&bot, &token(&bot, Scope::Events).await);
    let anna = TgUser::ru(951);
    linked_group(&bot, &api, "g1", &[("anna", &anna)]).await;
    let mark = bot.tg.mark();
    let event = json!({
        "title": "Практикум",
        "provider": jitsi(&bot).await,
        "start": (bot.clock.now() + chrono::Duration::days(2)).to_rfc3339(),
        "timezone": "Europe/Moscow",
        "duration_minutes": 45,
        "reminders": ["1d", "1h"],
        "groups": ["g1"],
    });
    assert_eq!(api.put("/events/p-1", event).await.0, StatusCode::CREATED);
    message_to(&bot, mark, anna.id, "Практикум").await;
    let before = api.get("/events/p-1").await.1;
    assert_eq!(before["delivery"]["pending"], 2, "two reminders queued: {before}");
    let roster = api.put("/groups/g1/members", json!([])).await;
    assert_eq!(roster, (StatusCode::OK, json!([])));
    assert!(members_of(&bot, "g1").await.is_empty());
    let after = api.get("/events/p-1").await.1;
    assert_eq!(after["delivery"]["pending"], 0, "{after}");
    assert_eq!(after["delivery"]["skipped"], 2, "{after}");
    bot.finish().await;
}

#[tokio::test]
async fn the_platform_hears_of_a_message_that_will_not_reach_a_listener() {
    use support::telegram::Fault;
    let (platform, bot) = listening_platform().await;
    let api = Client::new(&bot, &token(&bot, Scope::Events).await);
    let boris = TgUser::ru(902);
    linked_group(&bot, &api, "g2", &[("boris", &boris)]).await;
    // Boris blocks the bot before his invitation goes out.
    bot.tg.inject(Some("SendMessage"), Some(boris.id), Fault::Blocked, 1);
    assert_eq!(api.put("/events/s-2", class_of(&bot, "Семинар", "g2").await).await.0, StatusCode::CREATED);
    let body: Value = serde_json::from_slice(&platform.webhook("/hooks", "delivery.failed").await.body).unwrap();
    assert_eq!(body["data"]["external_id"], "s-2", "{body}");
    assert_eq!(body["data"]["chat_id"], boris.id, "{body}");
    assert!(body["data"]["reason"].as_str().unwrap_or_default().contains("blocked"), "{body}");
    bot.finish().await;
}

#[tokio::test]
async fn a_series_put_by_the_platform_keeps_its_schedule_and_moves_to_its_next_class() {
    let (platform, bot) = listening_platform().await;
    let api = Client::new(&bot, &token(&bot, Scope::Events).await);
    let anna = TgUser::ru(961);
    linked_group(&bot, &api, "g1", &[("anna", &anna)]).await;
    let moscow = chrono::FixedOffset::east_opt(3 * 3600).unwrap();
    let first = (bot.clock.now() + chrono::Duration::days(2)).with_timezone(&moscow);
    let weekday = first.format("%a").to_string().to_lowercase();
    let series = json!({
        "title": "Английский",
        "provider": jitsi(&bot).await,
        "start": first.to_rfc3339(),
        "timezone": "Europe/Moscow",
        "duration_minutes": 60,
        "groups": ["g1"],
        "repeat": { "frequency": "weekly", "weekdays": [weekday], "count": 3 },
    });
    let mark = bot.tg.mark();
    let created = api.put("/events/eng", series.clone()).await;
    assert_eq!(created.0, StatusCode::CREATED, "{}", created.1);
    assert_eq!(created.1["occurrence"], json!({ "number": 1, "of": 3, "series_status": "active" }), "{}", created.1);
    assert_eq!(created.1["repeat"], json!({ "frequency": "weekly", "interval": 1, "weekdays": [weekday], "count": 3 }));
    message_to(&bot, mark, anna.id, "Английский").await;

    // The same body again changes nothing; the schedule is fixed once made.
    let again = api.put("/events/eng", series.clone()).await;
    assert_eq!(again.0, StatusCode::OK);
    assert_eq!(without_delivery(again.1), without_delivery(created.1.clone()));
    let mut longer = series.clone();
    longer["repeat"]["count"] = json!(5);
    assert_eq!(problem(&api.put("/events/eng", longer).await), (409, "repeat".to_owned()));
    let mut moved = series.clone();
    moved["start"] = json!((first + chrono::Duration::hours(1)).to_rfc3339());
    assert_eq!(problem(&api.put("/events/eng", moved).await), (409, "start".to_owned()));
    let mut once = series.clone();
    once["repeat"] = Value::Null;
    assert_eq!(problem(&api.put("/events/eng", once).await), (409, "repeat".to_owned()));

    // The first class ends: the series makes the next, a week on, and the platform hears of it.
    let mark = bot.tg.mark();
    bot.clock.advance(chrono::Duration::days(2) + chrono::Duration::minutes(61));
    let changed: Value = serde_json::from_slice(&platform.webhook("/hooks", "event.changed").await.body).unwrap();
    assert_eq!(changed["data"]["external_id"], "eng", "{changed}");
    assert_eq!(changed["data"]["occurrence"], 2, "{changed}");
    let second = (first + chrono::Duration::weeks(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    assert_eq!(changed["data"]["start"], second, "{changed}");
    message_to(&bot, mark, anna.id, "Английский").await;
    let now = api.get("/events/eng").await.1;
    assert_eq!(now["occurrence"]["number"], 2, "{now}");
    assert_eq!(now["start"], second, "{now}");

    // A new title reaches the current class (and the ones after it copy it); the same body
    // that made the series is still its schedule.
    let mut renamed = series.clone();
    renamed["title"] = json!("Английский B2");
    let mark = bot.tg.mark();
    let answer = api.put("/events/eng", renamed).await;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
    assert_eq!(answer.1["title"], "Английский B2");
    assert_eq!(answer.1["occurrence"]["number"], 2);
    message_to(&bot, mark, anna.id, "Английский B2").await;

    // DELETE cancels the series: the listener is told, and nothing more is made.
    let mark = bot.tg.mark();
    let status = api.request(reqwest::Method::DELETE, "/events/eng").send().await.unwrap().status();
    assert_eq!(status, StatusCode::NO_CONTENT);
    bot.tg
        .wait_for(mark, "the cancellation notice", |c| c.chat_id() == Some(anna.id) && c.method == "SendMessage")
        .await;
    let gone = api.get("/events/eng").await.1;
    assert_eq!(gone["status"], "cancelled", "{gone}");
    assert_eq!(gone["occurrence"]["series_status"], "cancelled", "{gone}");
    let report = api.get("/events/eng/report?occurrence=1").await;
    assert_eq!(report.0, StatusCode::OK, "{}", report.1);
    assert_eq!(report.1["occurrence"], 1);
    assert_eq!(problem(&api.get("/events/eng/report?occurrence=3").await), (404, "occurrence".to_owned()));
    bot.finish().await;
}

#[tokio::test]
async fn a_repeat_is_checked_and_each_mistake_names_its_field() {
    let bot = TestBot::start().await;
    let api = Client::new(&bot, &token(&bot, Scope::Events).await);
    let start = (bot.clock.now() + chrono::Duration::days(1)).with_timezone(&chrono_tz::Europe::Moscow);
    let other_day = (start + chrono::Duration::days(1)).format("%a").to_string().to_lowercase();
    let provider = jitsi(&bot).await;
    let with_repeat = |repeat: Value| {
        json!({
            "title": "Занятие",
            "provider": provider,
            "start": start.to_rfc3339(),
            "timezone": "Europe/Moscow",
            "duration_minutes": 60,
            "repeat": repeat,
        })
    };
    let day_before = (start - chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
    let same_day = start.format("%Y-%m-%d").to_string();
    for (repeat, field) in [
        (json!({ "frequency": "weekly", "weekdays": [other_day], "count": 4 }), "repeat.weekdays"),
        (json!({ "frequency": "weekly", "count": 1 }), "repeat.count"),
        (json!({ "frequency": "weekly", "count": 51 }), "repeat.count"),
        (json!({ "frequency": "weekly", "count": 4, "until": "2030-01-01" }), "repeat"),
        (json!({ "frequency": "weekly" }), "repeat"),
        (json!({ "frequency": "weekly", "until": day_before }), "repeat.until"),
        (json!({ "frequency": "weekly", "until": same_day }), "repeat.until"),
        (json!({ "frequency": "weekly", "until": "31.05.2027" }), "repeat.until"),
        (json!({ "frequency": "daily", "interval": 9, "count": 3 }), "repeat.interval"),
        (json!({ "frequency": "daily", "weekdays": ["mon"], "count": 3 }), "repeat.weekdays"),
        (json!({ "frequency": "monthly", "count": 3 }), "repeat.frequency"),
    ] {
        assert_eq!(
            problem(&api.put("/events/r", with_repeat(repeat.clone())).await),
            (422, field.to_owned()),
            "{repeat}"
        );
    }
    assert!(bot.ctx().platform.store.event("r").await.unwrap().is_none(), "a refused body makes no event");
    let daily = api
        .put(
            "/events/r",
            with_repeat(json!({ "frequency": "daily", "interval": 2, "until": start
        .checked_add_days(chrono::Days::new(6)).unwrap().format("%Y-%m-%d").to_string() })),
        )
        .await;
    assert_eq!(daily.0, StatusCode::CREATED, "{}", daily.1);
    assert_eq!(daily.1["occurrence"]["of"], 4, "days 0, 2, 4 and 6: {}", daily.1);
    bot.finish().await;
}

#[tokio::test]
async fn the_report_tells_each_listeners_answer_invitation_and_join() {
    use support::telegram::Fault;
    let bot = TestBot::start_with(&[("PUBLIC_URL", "https://bot.example.org")]).await;
    let api = Client::new(&bot, &token(&bot, Scope::Events).await);
    let reader = Client::new(&bot, &token(&bot, Scope::Read).await);
    let (anna, boris) = (TgUser::ru(971), TgUser::ru(972));
    linked_group(&bot, &api, "g1", &[("anna", &anna), ("boris", &boris)]).await;
    bot.tg.inject(Some("SendMessage"), Some(boris.id), Fault::Blocked, 1);
    let mark = bot.tg.mark();
    assert_eq!(api.put("/events/l-1", class_of(&bot, "Лекция", "g1").await).await.0, StatusCode::CREATED);
    let card = invitation(&bot, mark, &anna).await;
    bot.tg.press(&anna, card.message_id().unwrap(), &card.button_data("Приду"));
    let join = card
        .buttons()
        .into_iter()
        .find_map(|(_, url)| url.strip_prefix("https://bot.example.org/j/").map(str::to_owned));
    let token = join.expect("a counted Join button");
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    assert_eq!(client.get(format!("{}/j/{token}", bot.http_url())).send().await.unwrap().status(), 302);

    let mut report = Value::Null;
    // Slower than the token's rate: the answer and the failure land in their own time.
    for _ in 0..40 {
        report = reader.get("/events/l-1/report").await.1;
        let lines = report["listeners"].as_array().cloned().unwrap_or_default();
        let settled = lines.iter().any(|l| l["rsvp"] == "yes") && lines.iter().any(|l| l["invitation"] == "failed");
        if settled {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    for c in bot.tg.calls().iter() {
        eprintln!(
            "DBG {} {:?} {:?} {:?}",
            c.method,
            c.chat_id(),
            c.fault,
            c.text().chars().take(40).collect::<String>()
        );
    }
    assert_eq!(report["attendance_source"], "join_presses", "{report}");
    let line = |user: &str| {
        report["listeners"].as_array().unwrap().iter().find(|l| l["user_id"] == user).cloned().expect(user)
    };
    let (a, b) = (line("anna"), line("boris"));
    assert_eq!(
        (a["rsvp"].clone(), a["invitation"].clone(), a["attendance"].clone()),
        (json!("yes"), json!("sent"), json!("pressed_join")),
        "{a}"
    );
    assert!(a["pressed_at"].as_str().is_some_and(|t| t.ends_with("+03:00")), "{a}");
    assert_eq!(
        (b["rsvp"].clone(), b["invitation"].clone(), b["attendance"].clone()),
        (Value::Null, json!("failed"), json!("absent")),
        "{b}"
    );
    assert!(b["invitation_error"].as_str().is_some_and(|e| e.contains("blocked")), "{b}");
    assert_eq!(report["delivery"]["failed"], 1, "{report}");
    assert_eq!(problem(&reader.get("/events/l-1/report?occurrence=2").await), (404, "occurrence".to_owned()));
    assert_eq!(problem(&reader.get("/events/l-1/report?occurrence=zero").await), (422, "occurrence".to_owned()));
    assert_eq!(problem(&reader.get("/events/nope/report").await), (404, "external_id".to_owned()));
    bot.finish().await;
}
