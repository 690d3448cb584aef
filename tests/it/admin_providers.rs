//! `/providers` through the fake Bot API and the fake provider servers: registering each
//! service, a failed check fixed in place, secrets deleted from the chat and sealed at rest,
//! managing saved providers, and refusals.

use crate::support;
use crate::support::fake_provider;

use fake_provider::{FakeServer, Reply};
use serde_json::json;
use support::telegram::{Call, group_chat};
use support::{ADMIN_ID, Fault, TestBot, TgUser};

const TELEMOST_TOKEN: &str = "y0_AgAAAAAtelemost-SECRET-token-7a1b";
const TELEMOST_TOKEN_FIXED: &str = "y0_AgAAAAAtelemost-NEW-token-9c2d";
const ZOOM_SECRET: &str = "zoom-CLIENT-secret-5e6f7g8h";
const KONTUR_KEY: &str = "kontur-API-key-1q2w3e4r5t";
const MTS_KEY: &str = "mts-link-API-key-0p9o8i7u";
pub(crate) const CLIENT_ID: &str = "0123456789abcdef0123456789abcdef";

fn admin() -> TgUser {
    TgUser::ru(ADMIN_ID)
}

/// What the person does at one question.
pub(crate) enum Act<'a> {
    Text(&'a str),
    /// A credential: the bot must delete the message.
    Secret(&'a str),
    /// Press the button whose label contains this.
    Button(&'a str),
}

/// A message the bot sent or edited in place (the setup answers presses in place).
fn shown(call: &Call) -> bool {
    matches!(call.method.as_str(), "SendMessage" | "EditMessageText")
}

fn has_provider_buttons(call: &Call) -> bool {
    shown(call) && call.buttons().iter().any(|(_, data)| data.starts_with("pv:"))
}

/// The next message of the bot in `chat` that carries provider buttons (a question, the list,
/// a card, a failed check).
async fn next_screen(bot: &TestBot, mark: usize, chat: i64) -> Call {
    bot.tg.wait_for(mark, "a provider screen", |c| has_provider_buttons(c) && c.chat_id() == Some(chat)).await
}

async fn text_after(bot: &TestBot, mark: usize, chat: i64, needle: &str) -> Call {
    bot.tg.wait_for(mark, needle, |c| shown(c) && c.chat_id() == Some(chat) && c.text().contains(needle)).await
}

async fn press(bot: &TestBot, user: &TgUser, screen: &Call, label: &str) -> Call {
    let mark = bot.tg.mark();
    bot.tg.press(user, screen.message_id().expect("a sent message"), &screen.button_data(label));
    next_screen(bot, mark, user.id).await
}

/// Does one act on `screen` and returns the next screen.
async fn act(bot: &TestBot, user: &TgUser, screen: &Call, what: &Act<'_>) -> Call {
    let mark = bot.tg.mark();
    match what {
        Act::Text(text) => bot.tg.send_text(user, text),
        Act::Secret(secret) => bot.tg.send_text(user, secret),
        Act::Button(label) => bot.tg.press(user, screen.message_id().unwrap(), &screen.button_data(label)),
    }
    if let Act::Secret(secret) = what {
        let deleted = bot.tg.wait_for(mark, "deleteMessage", |c| c.method == "DeleteMessage").await;
        assert_eq!(deleted.chat_id(), Some(user.id));
        let hint: String = secret.chars().skip(secret.chars().count() - 4).collect();
        let saved = text_after(bot, mark, user.id, "Принято").await;
        assert!(saved.text().contains(&format!("…{hint}")), "{}", saved.text());
        assert!(!saved.text().contains(secret), "the secret is never echoed");
    }
    next_screen(bot, mark, user.id).await
}

/// `/providers` → Add → the service; returns the first question.
async fn start_registration(bot: &TestBot, user: &TgUser, service: &str) -> Call {
    let mark = bot.tg.mark();
    bot.tg.send_text(user, "/providers");
    let list = next_screen(bot, mark, user.id).await;
    let kinds = press(bot, user, &list, "Подключить").await;
    assert!(kinds.text().contains("Выберите сервис"), "{}", kinds.text());
    press(bot, user, &kinds, service).await
}

/// Runs a whole registration and returns the card of the saved provider.
pub(crate) async fn register(bot: &TestBot, user: &TgUser, service: &str, acts: &[Act<'_>]) -> Call {
    let mut screen = start_registration(bot, user, service).await;
    let mark = bot.tg.mark();
    for what in acts {
        screen = act(bot, user, &screen, what).await;
    }
    text_after(bot, mark, user.id, "Проверяю").await;
    assert!(screen.text().contains("Проверка прошла"), "{}", screen.text());
    assert!(screen.text().contains("Сервис:"), "the card follows the save: {}", screen.text());
    screen
}

pub(crate) fn telemost_fake(server: &FakeServer) {
    server.on("GET", "/info", Reply::json(200, json!({"login": "host", "default_email": "host@school.ru"})));
}

async fn provider_rows(bot: &TestBot) -> Vec<(String, String, String, Option<String>)> {
    let pool = bot.db().await;
    webinar_bot::on_db!(&pool, |pool| sqlx::query_as(
        "SELECT kind, name, visibility, secret_hint FROM providers WHERE deleted_at IS NULL ORDER BY id"
    )
    .fetch_all(pool)
    .await)
    .unwrap()
}

fn file_contains(path: &std::path::Path, needle: &str) -> bool {
    let Ok(bytes) = std::fs::read(path) else { return false };
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn assert_no_secret_at_rest(bot: &TestBot, secrets: &[&str]) {
    let db = bot.db_path();
    let wal = db.with_file_name("bot.sqlite-wal");
    for secret in secrets {
        assert!(!file_contains(&db, secret), "{secret} in the database file");
        assert!(!file_contains(&wal, secret), "{secret} in the WAL file");
    }
}

/// Checks the saved row and that no secret sits in the database or its WAL, while the bot runs
/// and after it stopped (when SQLite has folded the WAL into the file).
async fn finish_registration(mut bot: TestBot, kind: &str, name: &str, hint: Option<&str>, secrets: &[&str]) {
    let rows = provider_rows(&bot).await;
    // The zero-setup Jitsi of a fresh install comes first.
    assert_eq!(rows[0].0, "jitsi");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!((rows[1].0.as_str(), rows[1].1.as_str(), rows[1].2.as_str()), (kind, name, "shared"));
    assert_eq!(rows[1].3.as_deref(), hint);
    assert_no_secret_at_rest(&bot, secrets);
    bot.shutdown().await;
    assert_no_secret_at_rest(&bot, secrets);
    bot.finish().await;
}

#[tokio::test]
async fn an_administrator_registers_telemost() {
    let bot = TestBot::start().await;
    let admin = admin();
    let telemost = FakeServer::start().await;
    telemost_fake(&telemost);

    let first = start_registration(&bot, &admin, "Телемост").await;
    assert!(first.text().contains("ClientID"), "{}", first.text());
    let guide = bot.tg.calls().into_iter().find(|c| c.text().contains("telemost-api:conferences.delete")).unwrap();
    for scope in ["create", "read", "update"] {
        assert!(guide.text().contains(&format!("telemost-api:conferences.{scope}")));
    }
    assert!(guide.text().contains("https://oauth.yandex.ru/verification_code"));
    // The ClientID is answered with the ready authorize link, then the token is asked.
    let token_question = act(&bot, &admin, &first, &Act::Text(CLIENT_ID)).await;
    let expected = format!("https://oauth.yandex.ru/authorize?response_type=token&client_id={CLIENT_ID}");
    assert!(token_question.buttons().iter().any(|(_, url)| *url == expected), "{:?}", token_question.buttons());
    assert!(token_question.text().contains(&expected.replace('&', "&amp;")), "{}", token_question.text());
    assert!(token_question.text().contains("OAuth-токен"));

    let mut screen = token_question;
    let url = format!("{}/v1/telemost-api", telemost.origin);
    let acts = [
        Act::Secret(TELEMOST_TOKEN),
        Act::Text("Яндекс.Телемост"),
        Act::Text(&url),
        Act::Button("Сотрудников организации"),
        Act::Button("Всем преподавателям"),
    ];
    let mark = bot.tg.mark();
    for what in &acts {
        screen = act(&bot, &admin, &screen, what).await;
    }
    text_after(&bot, mark, admin.id, "Проверяю").await;
    assert!(screen.text().contains("Проверка прошла"), "{}", screen.text());
    assert!(screen.text().contains("host@school.ru"), "the account is shown: {}", screen.text());
    assert!(screen.text().contains("Яндекс.Телемост") && screen.text().contains("…7a1b"), "{}", screen.text());
    let check = telemost.only("GET", "/info");
    assert_eq!(check.header("authorization"), Some(format!("OAuth {TELEMOST_TOKEN}").as_str()));
    finish_registration(bot, "telemost", "Яндекс.Телемост", Some("7a1b"), &[TELEMOST_TOKEN]).await;
}

#[tokio::test]
async fn an_administrator_registers_zoom() {
    let bot = TestBot::start().await;
    let zoom = FakeServer::start().await;
    zoom.on(
        "POST",
        "/oauth/token",
        Reply::json(200, json!({"access_token": "zoom-access", "token_type": "bearer", "expires_in": 3600})),
    );
    zoom.on("GET", "/v2/users/host@school.ru", Reply::json(200, json!({"id": "z8", "email": "host@school.ru"})));
    let url = format!("{}/v2", zoom.origin);
    let card = register(
        &bot,
        &admin(),
        "Zoom",
        &[
            Act::Text("mEm7n8r5Qz"),
            Act::Text("jKmEGM3KSb"),
            Act::Secret(ZOOM_SECRET),
            Act::Text("host@school.ru"),
            Act::Text("Иванов+Zoom"),
            Act::Text(&url),
            Act::Button("Конференция"),
            Act::Button("Всем преподавателям"),
        ],
    )
    .await;
    assert!(card.text().contains("Иванов+Zoom"), "{}", card.text());
    let guide = bot.tg.calls().into_iter().find(|c| c.text().contains("Server to Server OAuth")).unwrap();
    assert!(guide.text().contains("Activate your app") && guide.text().contains("платном"), "{}", guide.text());
    let token = zoom.only("POST", "/oauth/token");
    assert_eq!(token.form().get("account_id").map(String::as_str), Some("mEm7n8r5Qz"));
    zoom.only("GET", "/v2/users/host@school.ru");
    finish_registration(bot, "zoom", "Иванов+Zoom", Some("7g8h"), &[ZOOM_SECRET]).await;
}

#[tokio::test]
async fn an_administrator_registers_kontur_talk() {
    let bot = TestBot::start().await;
    let kontur = FakeServer::start().await;
    kontur.on(
        "GET",
        "/api/domain/applications/access-info",
        Reply::json(
            200,
            json!({"expiredAt": "2099-12-31T23:59:00Z",
                   "scopes": [{"type": "rooms", "restrictionType": "readWrite"}]}),
        ),
    );
    let card = register(
        &bot,
        &admin(),
        "Контур.Толк",
        &[
            Act::Text("uchi"),
            Act::Secret(KONTUR_KEY),
            Act::Button("Пропустить"),
            Act::Text("Контур.Толк"),
            Act::Text(&kontur.origin),
            Act::Button("Да, пускать"),
            Act::Button("Всем преподавателям"),
        ],
    )
    .await;
    assert!(card.text().contains("2099-12-31"), "the key's expiry is shown: {}", card.text());
    assert_eq!(kontur.only("GET", "/api/domain/applications/access-info").header("x-auth-token"), Some(KONTUR_KEY));
    finish_registration(bot, "kontur", "Контур.Толк", Some("4r5t"), &[KONTUR_KEY]).await;
}

#[tokio::test]
async fn an_administrator_registers_mts_link() {
    let bot = TestBot::start().await;
    let mts = FakeServer::start().await;
    mts.on("GET", "/v3/organization/members", Reply::json(200, json!([])));
    let url = format!("{}/v3", mts.origin);
    register(
        &bot,
        &admin(),
        "МТС Линк",
        &[Act::Secret(MTS_KEY), Act::Text("Вебинары МТС"), Act::Text(&url), Act::Button("Всем преподавателям")],
    )
    .await;
    assert_eq!(mts.only("GET", "/v3/organization/members").header("x-auth-token"), Some(MTS_KEY));
    finish_registration(bot, "mts_link", "Вебинары МТС", Some("8i7u"), &[MTS_KEY]).await;
}

#[tokio::test]
async fn an_administrator_registers_jitsi_on_an_own_server() {
    let bot = TestBot::start().await;
    let card = register(
        &bot,
        &admin(),
        "Jitsi",
        &[Act::Text("https://Jitsi.School.ru/"), Act::Text("Свой Jitsi"), Act::Button("Всем преподавателям")],
    )
    .await;
    assert!(card.text().contains("Свой Jitsi"), "{}", card.text());
    finish_registration(bot, "jitsi", "Свой Jitsi", None, &[]).await;
}

#[tokio::test]
async fn an_administrator_registers_an_external_link() {
    let bot = TestBot::start().await;
    register(&bot, &admin(), "Внешняя ссылка", &[Act::Text("Любая ссылка"), Act::Button("Всем преподавателям")]).await;
    finish_registration(bot, "external", "Любая ссылка", None, &[]).await;
}

#[tokio::test]
async fn a_wrong_token_is_explained_and_fixed_in_place() {
    let bot = TestBot::start().await;
    let admin = admin();
    let telemost = FakeServer::start().await;
    telemost.on(
        "GET",
        "/info",
        Reply::json(401, json!({"error": "UnauthorizedError", "message": "m", "description": "d"})),
    );
    telemost.on("GET", "/info", Reply::json(200, json!({"login": "host"})));

    let mut screen = start_registration(&bot, &admin, "Телемост").await;
    let url = format!("{}/v1/telemost-api", telemost.origin);
    let acts = [
        Act::Text(CLIENT_ID),
        Act::Secret(TELEMOST_TOKEN),
        Act::Text("Телемост Иванова"),
        Act::Text(&url),
        Act::Button("Всех сразу"),
        Act::Button("Всем преподавателям"),
    ];
    for what in &acts {
        screen = act(&bot, &admin, &screen, what).await;
    }
    assert!(screen.text().contains("Проверка не прошла"), "{}", screen.text());
    assert!(screen.text().contains("Телемост не принял OAuth-токен"), "{}", screen.text());
    assert!(screen.is_ok(), "the explanation is valid HTML");
    assert!(provider_rows(&bot).await.iter().all(|r| r.0 != "telemost"), "nothing is saved before the check passes");

    // Only the token is asked again; the name, URL and defaults stay.
    let question = press(&bot, &admin, &screen, "OAuth-токен").await;
    assert!(question.text().contains("OAuth-токен"), "{}", question.text());
    let mark = bot.tg.mark();
    act(&bot, &admin, &question, &Act::Secret(TELEMOST_TOKEN_FIXED)).await;
    text_after(&bot, mark, admin.id, "Проверка прошла").await;

    let requests = telemost.requests_to("GET", "/info");
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].header("authorization"), Some(format!("OAuth {TELEMOST_TOKEN_FIXED}").as_str()));
    let rows = provider_rows(&bot).await;
    let saved: Vec<_> = rows.iter().filter(|r| r.0 == "telemost").collect();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].1, "Телемост Иванова");
    assert_eq!(saved[0].3.as_deref(), Some("9c2d"));
    assert_no_secret_at_rest(&bot, &[TELEMOST_TOKEN, TELEMOST_TOKEN_FIXED]);
    bot.finish().await;
}

#[tokio::test]
async fn bad_answers_are_explained_and_the_question_stays() {
    let bot = TestBot::start().await;
    let admin = TgUser::en(ADMIN_ID);
    let mark = bot.tg.mark();
    bot.tg.send_text(&admin, "/providers");
    let list = next_screen(&bot, mark, admin.id).await;
    let kinds = press(&bot, &admin, &list, "Connect").await;
    let question = press(&bot, &admin, &kinds, "Zoom").await;
    let reply = bot.tg.ask(&admin, "two words").await;
    assert!(reply.text().contains("without spaces"), "{}", reply.text());
    let mark = bot.tg.mark();
    bot.tg.send_text(&admin, "acc-1");
    let next = next_screen(&bot, mark, admin.id).await;
    assert!(next.text().contains("Client ID"), "{}", next.text());
    // Back returns to the previous question, Cancel ends without saving.
    let back = press(&bot, &admin, &next, "Back").await;
    assert!(back.text().contains("Account ID"), "{}", back.text());
    // The same question; the guide that led it the first time is not repeated.
    assert!(question.text().ends_with(back.text()), "{} / {}", question.text(), back.text());
    assert!(question.text().contains("Zoom: preparation"), "{}", question.text());
    let mark = bot.tg.mark();
    bot.tg.press(&admin, back.message_id().unwrap(), &back.button_data("Cancel"));
    text_after(&bot, mark, admin.id, "Nothing was saved").await;
    assert_eq!(provider_rows(&bot).await.len(), 1, "only the default Jitsi");
    bot.finish().await;
}

#[tokio::test]
async fn secrets_are_refused_in_groups() {
    let bot = TestBot::start().await;
    let admin = admin();
    let mark = bot.tg.mark();
    bot.tg.send_text_in_chat(&admin, group_chat(-1001, "Учителя"), "/providers");
    let reply = bot.tg.reply_after(mark, -1001).await;
    assert!(reply.text().contains("только в личных сообщениях"), "{}", reply.text());
    assert!(reply.buttons().is_empty());
    bot.finish().await;
}

/// "Check again" works on the card itself: "checking…" and then the result over the card, on
/// the message pressed, with no new message and the card's buttons back under the result.
#[tokio::test]
async fn checking_again_says_checking_then_the_result_on_the_same_card() {
    let bot = TestBot::start().await;
    let admin = admin();
    let mts = FakeServer::start().await;
    mts.on("GET", "/v3/organization/members", Reply::json(200, json!([])));
    mts.on("GET", "/v3/organization/members", Reply::empty(401));
    let url = format!("{}/v3", mts.origin);
    let card = register(
        &bot,
        &admin,
        "МТС Линк",
        &[Act::Secret(MTS_KEY), Act::Text("МТС"), Act::Text(&url), Act::Button("Всем преподавателям")],
    )
    .await;
    let mark = bot.tg.mark();
    bot.tg.press(&admin, card.message_id().unwrap(), &card.button_data("Проверить"));
    let failed = text_after(&bot, mark, admin.id, "Проверка не прошла").await;
    bot.tg.assert_silent_after(mark, admin.id).await;
    let calls = bot.tg.calls();
    let edits: Vec<&Call> = calls[mark..].iter().filter(|c| c.method == "EditMessageText").collect();
    assert_eq!(edits.len(), 2, "checking, then the result");
    assert!(edits[0].text().contains("Проверяю данные"), "{}", edits[0].text());
    assert!(edits.iter().all(|c| c.message_id() == card.message_id()), "all on the card pressed");
    assert!(failed.text().contains("МТС"), "the card under the result: {}", failed.text());
    assert!(failed.buttons().iter().any(|(label, _)| label.contains("Проверить")), "{:?}", failed.buttons());
    bot.finish().await;
}

#[tokio::test]
async fn saved_providers_are_renamed_rechecked_replaced_and_deleted() {
    let bot = TestBot::start().await;
    let admin = admin();
    let mts = FakeServer::start().await;
    // Registration passes, the re-check finds the key dead, the replaced key passes.
    mts.on("GET", "/v3/organization/members", Reply::json(200, json!([])));
    mts.on("GET", "/v3/organization/members", Reply::empty(401));
    mts.on("GET", "/v3/organization/members", Reply::json(200, json!([])));
    let url = format!("{}/v3", mts.origin);
    let card = register(
        &bot,
        &admin,
        "МТС Линк",
        &[Act::Secret(MTS_KEY), Act::Text("МТС"), Act::Text(&url), Act::Button("Всем преподавателям")],
    )
    .await;

    // Rename.
    let mark = bot.tg.mark();
    bot.tg.press(&admin, card.message_id().unwrap(), &card.button_data("Переименовать"));
    text_after(&bot, mark, admin.id, "новое название").await;
    let mark = bot.tg.mark();
    bot.tg.send_text(&admin, "МТС <Линк> & Co");
    let card = next_screen(&bot, mark, admin.id).await;
    assert!(card.text().contains("МТС &lt;Линк&gt; &amp; Co"), "escaped: {}", card.text());

    // Re-check: the key stopped working.
    let mark = bot.tg.mark();
    bot.tg.press(&admin, card.message_id().unwrap(), &card.button_data("Проверить"));
    let failed = text_after(&bot, mark, admin.id, "Проверка не прошла").await;
    assert!(failed.text().len() > "Проверка не прошла.".len());

    // Replace the credentials: only the key is asked, then checked and saved.
    let question = press(&bot, &admin, &card, "Заменить").await;
    let mark = bot.tg.mark();
    act(&bot, &admin, &question, &Act::Secret("mts-link-NEW-key-zzzz1111")).await;
    text_after(&bot, mark, admin.id, "новые данные для входа сохранены").await;
    let rows = provider_rows(&bot).await;
    assert_eq!(rows.last().unwrap().3.as_deref(), Some("1111"));
    assert_eq!(rows.last().unwrap().1, "МТС <Линк> & Co");

    // Delete asks first and names the planned events that use it.
    let pool = bot.db().await;
    let id: i64 =
        webinar_bot::on_db!(&pool, |pool| sqlx::query_scalar("SELECT id FROM providers WHERE kind = 'mts_link'")
            .fetch_one(pool)
            .await)
        .unwrap();
    webinar_bot::on_db!(&pool, |pool| sqlx::query(
        "INSERT INTO events (owner_id, provider_id, title, starts_at, duration_min, timezone, status, created_at, updated_at)
         VALUES ($1, $2, 'Пожарная безопасность', '2026-12-01T07:00:00.000Z', 60, 'Europe/Moscow', 'planned', '', '')",
    )
    .bind(ADMIN_ID)
    .bind(id)
    .execute(pool)
    .await.map(|done| done.rows_affected()))
    .unwrap();
    let ask = press(&bot, &admin, &card, "Удалить").await;
    assert!(ask.text().contains("1 запланированном мероприятии"), "{}", ask.text());
    assert!(ask.text().contains("Пожарная безопасность — 2026-12-01 10:00"), "{}", ask.text());
    let mark = bot.tg.mark();
    bot.tg.press(&admin, ask.message_id().unwrap(), &ask.button_data("Да, удалить"));
    text_after(&bot, mark, admin.id, "удалён").await;
    assert!(provider_rows(&bot).await.iter().all(|r| r.0 != "mts_link"));
    // The card's buttons now refer to nothing.
    let mark = bot.tg.mark();
    bot.tg.press(&admin, card.message_id().unwrap(), &card.button_data("Переименовать"));
    let refused = bot.tg.wait_for(mark, "a refusal", |c| c.method == "AnswerCallbackQuery").await;
    assert!(refused.body["text"].as_str().unwrap_or("").contains("недоступно"), "{}", refused.body);
    bot.finish().await;
}

#[tokio::test]
async fn a_secret_that_cannot_be_deleted_is_pointed_out() {
    let bot = TestBot::start().await;
    let admin = admin();
    let question = start_registration(&bot, &admin, "МТС Линк").await;
    // Older than 48 hours, or some other refusal: the person is asked to delete it themselves.
    bot.tg.inject(
        Some("DeleteMessage"),
        Some(ADMIN_ID),
        Fault::BadRequest("Bad Request: message can't be deleted".into()),
        1,
    );
    let mark = bot.tg.mark();
    bot.tg.send_text(&admin, MTS_KEY);
    text_after(&bot, mark, admin.id, "удалите его, пожалуйста, сами").await;
    let next = next_screen(&bot, mark, admin.id).await;
    assert!(next.text().contains("Принято: …8i7u"), "the dialogue goes on: {}", next.text());
    assert_ne!(next.text(), question.text());
    bot.finish().await;
}

#[tokio::test]
async fn a_check_refused_without_a_code_names_no_empty_code_and_no_event() {
    let bot = TestBot::start().await;
    let admin = admin();
    let telemost = FakeServer::start().await;
    telemost.on("GET", "/info", Reply::json(400, json!({})));
    let mut screen = start_registration(&bot, &admin, "Телемост").await;
    let url = format!("{}/v1/telemost-api", telemost.origin);
    let acts = [
        Act::Text(CLIENT_ID),
        Act::Secret(TELEMOST_TOKEN),
        Act::Text("Телемост без кода"),
        Act::Text(&url),
        Act::Button("Всех сразу"),
        Act::Button("Всем преподавателям"),
    ];
    for what in &acts {
        screen = act(&bot, &admin, &screen, what).await;
    }
    let said = screen.text();
    assert!(said.contains("Проверка не прошла"), "{said}");
    assert!(said.contains("(HTTP 400) и не назвал причину"), "{said}");
    assert!(!said.contains("«»") && !said.contains("мероприяти") && !said.contains("занятия"), "{said}");
    bot.finish().await;
}

#[tokio::test]
async fn a_provider_named_as_its_service_is_named_once_on_its_button() {
    let bot = TestBot::start().await;
    let admin = admin();
    let list = bot.tg.ask(&admin, "/providers").await;
    let labels: Vec<String> = list.buttons().into_iter().map(|(label, _)| label).collect();
    assert!(labels.contains(&"Jitsi Meet".to_owned()), "{labels:?}");
    bot.tg.ask(&admin, "/new").await;
    let services = bot.tg.ask(&admin, "Проверка подписи").await;
    let labels: Vec<String> = services.buttons().into_iter().map(|(label, _)| label).collect();
    assert!(labels.contains(&"Jitsi Meet".to_owned()), "{labels:?}");
    bot.finish().await;
}
