//! Starting when Telegram is not there yet, or refuses the token; and a key that does not open
//! the stored secrets.

use crate::support;

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::{FakeTelegram, Fault, TOKEN, TgUser};
use tokio_util::sync::CancellationToken;
use webinar_bot::app::{self, Tuning};
use webinar_bot::clock::SystemClock;
use webinar_bot::config::Config;

/// An address nothing listens on (yet).
fn free_address() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

fn config(api: &str, dir: &std::path::Path) -> Config {
    let vars = [
        ("TELOXIDE_TOKEN", TOKEN.to_owned()),
        ("TELOXIDE_API_URL", api.to_owned()),
        ("DATA_DIR", dir.display().to_string()),
        ("HTTP_ADDR", "127.0.0.1:0".to_owned()),
    ];
    Config::from_lookup(|name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone())).unwrap()
}

fn binary(dir: &std::path::Path, api: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_webinar-bot"));
    command
        .env_clear()
        .current_dir(dir)
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", api)
        .env("DATA_DIR", dir)
        .env("ADMIN_IDS", "1")
        // Tests run side by side: none may take the default port.
        .env("HTTP_ADDR", "off")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn terminate(child: &Child) {
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
}

#[tokio::test]
async fn a_bot_started_before_telegram_serves_as_soon_as_it_answers() {
    let dir = tempfile::tempdir().unwrap();
    let addr = free_address();
    let shutdown = CancellationToken::new();
    let tuning = Tuning { poll_timeout: Duration::from_secs(2), ..Tuning::default() };
    let config = config(&format!("http://{addr}"), dir.path());
    let running = app::start(config, Arc::new(SystemClock), tuning, shutdown.clone()).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!running.task.is_finished(), "it keeps trying while Telegram is away");

    let came_up = Instant::now();
    let tg = FakeTelegram::start_on(addr).await;
    let reply = tokio::time::timeout(Duration::from_secs(15), tg.ask(&TgUser::ru(42), "/start")).await;
    let reply = reply.expect("an answer once Telegram is up");
    assert!(reply.text().contains("Здравствуйте, Иван!"), "{}", reply.text());
    // The retries back off to ten seconds at most.
    assert!(came_up.elapsed() < Duration::from_secs(12), "{:?}", came_up.elapsed());

    shutdown.cancel();
    tokio::time::sleep(Duration::from_millis(20)).await;
    tg.release_polls();
    tokio::time::timeout(Duration::from_secs(10), running.task).await.unwrap().unwrap().unwrap();
}

#[tokio::test]
async fn a_token_telegram_refuses_stops_the_start_with_a_clear_reason() {
    let dir = tempfile::tempdir().unwrap();
    let tg = FakeTelegram::start().await;
    tg.inject(Some("GetMe"), None, Fault::Unauthorized, 100);
    let running =
        app::start(config(&tg.url(), dir.path()), Arc::new(SystemClock), Tuning::default(), CancellationToken::new())
            .await
            .unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(5), running.task).await.expect("it stops at once");
    let err = outcome.unwrap().expect_err("the start fails");
    assert!(err.to_string().contains("refused the bot token"), "{err:#}");
    let get_me = tg.calls().iter().filter(|c| c.method == "GetMe").count();
    assert_eq!(get_me, 1, "a refused token is not retried");
}

#[tokio::test]
async fn the_process_exits_1_with_one_line_when_the_token_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let tg = FakeTelegram::start().await;
    tg.inject(Some("GetMe"), None, Fault::Unauthorized, 100);
    let child = binary(dir.path(), &tg.url()).spawn().unwrap();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output()).await.unwrap().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("TELOXIDE_TOKEN") && !stderr.contains(TOKEN), "{stderr}");
}

#[test]
fn a_bot_that_cannot_reach_telegram_keeps_trying_logs_it_once_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let child = binary(dir.path(), &format!("http://{}", free_address())).spawn().unwrap();
    std::thread::sleep(Duration::from_secs(3));
    terminate(&child);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "a clean stop: {out:?}");
    let log = String::from_utf8_lossy(&out.stdout);
    assert_eq!(log.matches("cannot reach Telegram").count(), 1, "once a minute at most: {log}");
    assert!(!log.contains(TOKEN), "{log}");
}

#[test]
fn a_key_that_does_not_open_the_stored_secrets_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let unreachable = format!("http://{}", free_address());
    let first = "11".repeat(32);
    // The first start stores the default Jitsi provider, sealed with the first key.
    let child = binary(dir.path(), &unreachable).env("BOT_SECRET_KEY", &first).spawn().unwrap();
    std::thread::sleep(Duration::from_secs(2));
    terminate(&child);
    assert!(child.wait_with_output().unwrap().status.success());

    let out = binary(dir.path(), &unreachable).env("BOT_SECRET_KEY", "22".repeat(32)).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("does not match the database"), "{stderr}");
    assert!(!stderr.contains(&first) && !stderr.contains(&"22".repeat(32)), "{stderr}");
}

/// A second bot on the same database: on SQLite it would send everything twice, so it is refused;
/// on PostgreSQL it becomes a standby that answers nobody while the first leads.
#[tokio::test]
async fn a_second_instance_on_the_same_database_is_refused_on_sqlite_and_stands_by_on_postgres() {
    let bot = support::TestBot::start().await;
    let shutdown = CancellationToken::new();
    let second = app::start(bot.config.clone(), Arc::new(SystemClock), Tuning::default(), shutdown.clone()).await;
    match support::postgres_server() {
        None => {
            let err = second.err().expect("a second instance on one SQLite file is refused");
            assert!(err.to_string().contains("another instance of the bot serves"), "{err:#}");
        }
        Some(_) => {
            let second = second.expect("a standby starts");
            let url = format!("http://{}/readyz", second.http_addr.expect("its HTTP server"));
            let ready: serde_json::Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
            assert_eq!((ready["role"].as_str(), ready["status"].as_str()), (Some("standby"), Some("ready")), "{ready}");
            let mark = bot.tg.mark();
            let reply = bot.tg.ask(&TgUser::ru(42), "/start").await;
            assert!(reply.seq >= mark, "the leader answers");
            shutdown.cancel();
            tokio::time::timeout(Duration::from_secs(10), second.task).await.unwrap().unwrap().unwrap();
        }
    }
    // Whatever the second did, the first still serves.
    let reply = bot.tg.ask(&TgUser::ru(43), "/start").await;
    assert!(reply.text().contains("Здравствуйте"), "{}", reply.text());
    bot.finish().await;
}
