//! No provider secret, bot token or invitation token reaches a log line, in either format: the
//! production subscriber (`webinar_bot::logging`), at `debug` for every crate, watches a bot
//! through a scenario that handles all three and fails on the way (network errors on getUpdates
//! and on a reply, a service that echoes the token it was sent).

use crate::admin_providers::{Act, CLIENT_ID, register, telemost_fake};
use crate::support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use support::fake_provider::{FakeServer, Reply};
use support::{ADMIN_ID, Clock, Fault, TOKEN, TestBot, TgUser};
use tracing_subscriber::EnvFilter;
use webinar_bot::config::LogFormat;
use webinar_bot::domain::invite::InviteKind;
use webinar_bot::providers::telemost::{LiveStreamAccess, TelemostSettings, WaitingRoomLevel};
use webinar_bot::providers::{ProviderSettings, Secret, ServiceSettings};

const TYPED_SECRET: &str = "y0_AgAAAAAlogs-typed-SECRET-3f9a";
const ECHOED_SECRET: &str = "y0_AgAAAAAlogs-echoed-SECRET-8b2c";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Runs the scenario under the production subscriber in `format`; returns what it wrote and the
/// invitation token the scenario used.
async fn scenario(format: LogFormat) -> (String, String) {
    // teloxide logs through `log`; this bridge sends it to whichever subscriber is current.
    let _ = tracing_log::LogTracer::init();
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = webinar_bot::logging::subscriber(format, EnvFilter::new("debug"), move || writer.clone(), false);
    // The test runs on one thread (tokio's current-thread runtime), the bot's tasks with it.
    let _guard = tracing::subscriber::set_default(subscriber);

    let bot = TestBot::start().await;
    let admin = TgUser::ru(ADMIN_ID);
    // A secret typed into the chat while registering a service.
    let telemost = FakeServer::start().await;
    telemost_fake(&telemost);
    let url = format!("{}/v1/telemost-api", telemost.origin);
    register(
        &bot,
        &admin,
        "Телемост",
        &[
            Act::Text(CLIENT_ID),
            Act::Secret(TYPED_SECRET),
            Act::Text("Школьный Телемост"),
            Act::Text(&url),
            Act::Button("Сотрудников организации"),
            Act::Button("Всем преподавателям"),
        ],
    )
    .await;
    // A service that answers an error quoting the token it was sent.
    let echo = FakeServer::start().await;
    echo.on("GET", "/info", Reply::json(401, json!({ "error": format!("token {ECHOED_SECRET} is not valid") })));
    let settings = ProviderSettings::new(ServiceSettings::Telemost(TelemostSettings {
        token: Secret::new(ECHOED_SECRET),
        waiting_room_level: WaitingRoomLevel::Public,
        live_stream_access: LiveStreamAccess::Public,
        login_info_url: Some(format!("{}/info", echo.origin)),
    }))
    .with_base_url(format!("{}/v1/telemost-api", echo.origin));
    assert!(bot.ctx().meetings.check(settings).await.is_err(), "the echoing service refuses");

    // An invitation link opened.
    let code = bot
        .ctx()
        .invites
        .create(InviteKind::Teacher, None, teloxide::types::UserId(ADMIN_ID as u64), None, None, bot.clock.now())
        .await
        .unwrap();
    let teacher = TgUser::ru(777);
    let welcome = bot.tg.ask(&teacher, &format!("/start {code}")).await;
    assert!(!welcome.text().is_empty());

    // Network failures, where a request URL (which holds the bot token) would surface.
    bot.tg.inject(Some("SendMessage"), Some(teacher.id), Fault::Network, 1);
    bot.tg.send_text(&teacher, "/help");
    bot.tg.inject(Some("GetUpdates"), None, Fault::Network, 2);
    bot.tg.release_polls();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while bot.tg.failed_get_updates() < 2 || bot.handler_errors() < 1 {
        assert!(tokio::time::Instant::now() < deadline, "the faults did not happen");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bot.finish_with_handler_errors(1).await;
    (captured.text(), code.token().to_owned())
}

fn assert_clean(logs: &str, invite_token: &str) {
    let bot_secret = TOKEN.split_once(':').unwrap().1;
    for (what, secret) in [
        ("the bot token", bot_secret),
        ("a provider secret typed in the chat", TYPED_SECRET),
        ("a provider secret echoed by the service", ECHOED_SECRET),
        ("an invitation token", invite_token),
    ] {
        let leaks: Vec<&str> = logs.lines().filter(|l| l.contains(secret)).collect();
        assert!(leaks.is_empty(), "{what} reached the log:\n{}", leaks.join("\n"));
    }
    // The scenario was seen: the failures it caused are in the log.
    assert!(logs.contains("getUpdates failed"), "{logs}");
    assert!(logs.contains("a handler failed"), "{logs}");
    assert!(logs.lines().any(|l| l.contains("provider call") && l.contains("401")), "{logs}");
}

#[tokio::test]
async fn no_secret_reaches_a_text_log_line() {
    let (logs, invite) = scenario(LogFormat::Text).await;
    assert_clean(&logs, &invite);
}

#[tokio::test]
async fn no_secret_reaches_a_json_log_line_and_every_line_is_one_object() {
    let (logs, invite) = scenario(LogFormat::Json).await;
    assert_clean(&logs, &invite);
    for line in logs.lines() {
        let object: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(object["level"].is_string() && object["timestamp"].is_string(), "{line}");
    }
}
