//! Running as a service: `/healthz`, `/readyz` turning red (naming the check) when getUpdates
//! fails or the scheduler stalls and green again on recovery, `/metrics` agreeing with the
//! outbox, the webhook's secret, and a backup taken mid fan-out restored without losing a row.

use crate::support;

use std::collections::{BTreeMap, HashSet};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::scenario;
use support::{Fault, TOKEN, TestBot, TgUser, WriteLock};
use webinar_bot::providers::telemost::{LiveStreamAccess, TelemostSettings, WaitingRoomLevel};
use webinar_bot::providers::{ProviderSettings, Secret, ServiceSettings};

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().unwrap()
}

async fn readyz(bot: &TestBot) -> (u16, Value) {
    let response = client().get(format!("{}/readyz", bot.http_url())).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn failing(body: &Value) -> Vec<String> {
    body["failing"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

/// Polls `/readyz` (real time; the bot's clock is moved by the test) until it answers `status`
/// with exactly these checks failing.
async fn wait_ready_state(bot: &TestBot, status: u16, checks: &[&str], within: Duration) -> Value {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let (got, body) = readyz(bot).await;
        if got == status && failing(&body) == checks {
            return body;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("/readyz never reached {status} with {checks:?} failing; last: {got} {body:#}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn reason<'a>(body: &'a Value, check: &str) -> &'a str {
    let checks = body["checks"].as_array().unwrap();
    let found = checks.iter().find(|c| c["name"] == check).unwrap_or_else(|| panic!("no check {check}: {body}"));
    found["reason"].as_str().unwrap_or("")
}

#[tokio::test]
async fn healthz_answers_and_readyz_is_green_once_everything_runs() {
    let bot = TestBot::start().await;
    let health = client().get(format!("{}/healthz", bot.http_url())).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let body = wait_ready_state(&bot, 200, &[], Duration::from_secs(5)).await;
    assert_eq!(body["status"], "ready");
    let names: Vec<&str> = body["checks"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["database", "telegram", "scheduler", "outbox"]);
    let missing = client().get(format!("{}/nothing-here", bot.http_url())).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["content-type"], "application/problem+json");
    bot.finish().await;
}

#[tokio::test]
async fn readyz_names_telegram_while_getupdates_fails_and_turns_green_when_it_answers() {
    let bot = TestBot::start().await;
    wait_ready_state(&bot, 200, &[], Duration::from_secs(5)).await;
    bot.tg.inject(Some("GetUpdates"), None, Fault::Network, 1_000_000);
    // End the long poll in flight, so the next one meets the fault.
    bot.tg.release_polls();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while bot.tg.failed_get_updates() < 2 {
        assert!(tokio::time::Instant::now() < deadline, "getUpdates was not tried again");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Past the limit (the 5 s test poll plus 10 s) with no successful getUpdates.
    bot.clock.advance(chrono::Duration::seconds(16));
    let body = wait_ready_state(&bot, 503, &["telegram"], Duration::from_secs(5)).await;
    assert!(reason(&body, "telegram").contains("no successful getUpdates for 16 s"), "{body:#}");

    bot.tg.clear_faults();
    let failures = bot.tg.failed_get_updates();
    // The backoff is capped at 10 s; after a few failures it is a few seconds.
    wait_ready_state(&bot, 200, &[], Duration::from_secs(15)).await;
    assert!(failures >= 2);
    let mark = bot.tg.mark();
    let reply = bot.tg.ask(&TgUser::ru(42), "/start").await;
    assert!(reply.seq >= mark && reply.text().contains("Здравствуйте"), "{}", reply.text());
    bot.finish().await;
}

#[tokio::test]
async fn readyz_names_the_scheduler_while_it_stalls_and_turns_green_when_it_moves_again() {
    let bot = TestBot::start().await;
    wait_ready_state(&bot, 200, &[], Duration::from_secs(5)).await;
    // Another process holds the write lock (a long transaction, a backup tool): every pass of
    // the scheduler waits for it and fails.
    let db = bot.db().await;
    let locker = WriteLock::take(&db).await;
    bot.clock.advance(chrono::Duration::seconds(21));
    // Telegram's sign of life follows at the next long poll; hurry it.
    bot.tg.release_polls();
    let body = wait_ready_state(&bot, 503, &["scheduler"], Duration::from_secs(5)).await;
    assert!(reason(&body, "scheduler").contains("no heartbeat from the delivery scheduler for"), "{body:#}");

    locker.release().await;
    db.close().await;
    // The scheduler's failed claim waits out the busy timeout (5 s) before it tries again.
    wait_ready_state(&bot, 200, &[], Duration::from_secs(15)).await;
    bot.finish().await;
}

#[tokio::test]
async fn readyz_names_the_outbox_when_due_messages_wait_past_what_the_rate_explains() {
    let bot = TestBot::start().await;
    // More than the 30 sends the scheduler keeps in hand at 30 a second.
    let people = scenario::people(&bot, 1000..1040).await;
    // Telegram takes every message but never answers in time: nothing gets out.
    for person in &people {
        bot.tg.slow_chat(person.id, Duration::from_secs(600));
    }
    let event = scenario::event(&bot, "Дроби", chrono::Duration::days(1), &[]).await;
    scenario::invite(&bot, event, &people).await;
    bot.ctx().delivery.plan_event(event).await.unwrap();
    // The 30 in hand explain a second of waiting; a minute more is the limit.
    bot.clock.advance(chrono::Duration::seconds(59));
    bot.tg.release_polls();
    wait_ready_state(&bot, 200, &[], Duration::from_secs(5)).await;
    bot.clock.advance(chrono::Duration::seconds(3));
    bot.tg.release_polls();
    let body = wait_ready_state(&bot, 503, &["outbox"], Duration::from_secs(5)).await;
    assert!(reason(&body, "outbox").contains("overdue (limit 60 s)"), "{body:#}");
    let mut bot = bot;
    bot.shutdown().await;
}

/// `name{labels} value` lines of a Prometheus text, by name and labels.
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.rsplit_once(' '))
        .map(|(key, value)| (key.to_owned(), value.parse().unwrap_or(f64::NAN)))
        .collect()
}

#[tokio::test]
async fn after_a_fan_out_to_100_listeners_metrics_count_what_the_outbox_holds() {
    let bot = TestBot::start_with(&[("METRICS_TOKEN", "metrics-bearer-token-1")]).await;
    let people = scenario::people(&bot, 2000..2100).await;
    let event = scenario::event(&bot, "Вебинар", chrono::Duration::days(2), &[]).await;
    scenario::invite(&bot, event, &people).await;
    bot.ctx().delivery.plan_event(event).await.unwrap();
    let reply = bot.tg.ask(&TgUser::ru(42), "/start").await;
    assert!(reply.text().contains("Здравствуйте"));
    let db = bot.db().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let sent: i64 =
            webinar_bot::on_db!(&db, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state = 'sent'")
                .fetch_one(pool)
                .await)
            .unwrap();
        if sent == 100 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "only {sent} of 100 sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let url = format!("{}/metrics", bot.http_url());
    let refused = client().get(&url).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["invalid-params"][0]["name"], "Authorization", "{problem}");
    let wrong = client().get(&url).bearer_auth("not-it").send().await.unwrap();
    assert_eq!(wrong.status(), 401);

    let response = client().get(&url).bearer_auth("metrics-bearer-token-1").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().contains("openmetrics-text"));
    let text = response.text().await.unwrap();
    let metrics = samples(&text);
    let by_kind: Vec<(String, String, i64)> = webinar_bot::on_db!(&db, |pool| sqlx::query_as(
        "SELECT state, kind, COUNT(*) FROM outbox GROUP BY state, kind",
    )
    .fetch_all(pool)
    .await)
    .unwrap();
    // By kind without its parameters (`reminder`, not `reminder:1h:0`), as the metric counts.
    let mut families: BTreeMap<(String, String), i64> = BTreeMap::new();
    for (state, kind, count) in by_kind {
        let family = kind.split(':').next().unwrap_or_default().to_owned();
        *families.entry((state, family)).or_default() += count;
    }
    let rows: Vec<(String, String, i64)> = families.into_iter().map(|((s, k), n)| (s, k, n)).collect();
    assert!(!rows.is_empty());
    for (state, kind, count) in &rows {
        let key = format!("webinar_outbox_rows{{state=\"{state}\",kind=\"{kind}\"}}");
        assert_eq!(metrics.get(&key).copied(), Some(*count as f64), "{key} in:\n{text}");
    }
    let outbox_total: i64 = rows.iter().map(|r| r.2).sum();
    let reported: f64 = metrics.iter().filter(|(k, _)| k.starts_with("webinar_outbox_rows{")).map(|(_, v)| v).sum();
    assert_eq!(reported, outbox_total as f64, "no row reported twice or missing");
    assert_eq!(metrics.get("webinar_messages_sent_total{kind=\"invitation\"}").copied(), Some(100.0), "{text}");
    assert!(metrics.get("webinar_updates_total{kind=\"message\",outcome=\"handled\"}").copied().unwrap_or(0.0) >= 1.0);
    assert!(metrics.keys().any(|k| k.starts_with("webinar_handler_seconds_bucket{")), "{text}");
    assert_eq!(metrics.get("webinar_outbox_overdue_seconds").copied(), Some(0.0), "{text}");
    assert_eq!(metrics.get("webinar_ready{check=\"outbox\"}").copied(), Some(1.0), "{text}");
    assert!(text.contains("webinar_build_info{version="), "{text}");
    assert!(!text.contains(TOKEN), "the bot token is never in the metrics");
    db.close().await;
    bot.finish().await;
}

const HOOK: &str = "https://bot.example.org/telegram/hook";
const HOOK_SECRET: &str = "hook-Secret_0123456789";

async fn post_update(bot: &TestBot, update: &Value, secret: Option<&str>) -> reqwest::Response {
    let mut request = client().post(format!("{}/telegram/hook", bot.http_url())).json(update);
    if let Some(secret) = secret {
        request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_webhook_update_needs_the_secret_and_is_answered_like_a_polled_one() {
    let polled = TestBot::start().await;
    let user = TgUser::ru(4242);
    let polled_reply = polled.tg.ask(&user, "/start").await;
    polled.finish().await;

    let mut bot = TestBot::start_with(&[("WEBHOOK_URL", HOOK), ("WEBHOOK_SECRET", HOOK_SECRET)]).await;
    assert_eq!(bot.tg.webhook(), Some((HOOK.to_owned(), Some(HOOK_SECRET.to_owned()))));
    assert_eq!(bot.tg.polls_in_flight(), 0, "no long polling next to the webhook");

    let mark = bot.tg.mark();
    for secret in [None, Some("wrong-secret"), Some("")] {
        let refused = post_update(&bot, &bot.tg.text_update(&user, "/start"), secret).await;
        assert_eq!(refused.status(), 401, "secret {secret:?}");
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(problem["invalid-params"][0]["name"], "x-telegram-bot-api-secret-token");
    }
    bot.tg.assert_silent_after(mark, user.id).await;

    let accepted = post_update(&bot, &bot.tg.text_update(&user, "/start"), Some(HOOK_SECRET)).await;
    assert_eq!(accepted.status(), 200);
    let reply = bot.tg.reply_after(mark, user.id).await;
    assert_eq!(reply.text(), polled_reply.text());
    assert_eq!(reply.buttons(), polled_reply.buttons());
    wait_ready_state(&bot, 200, &[], Duration::from_secs(5)).await;

    bot.shutdown().await;
    assert_eq!(bot.tg.webhook(), None, "the webhook is deleted on the way out");
    bot.finish().await;
}

fn cli(bot: &TestBot, args: &[&str]) -> std::process::Output {
    cli_in(&bot.config, args)
}

fn cli_in(config: &webinar_bot::config::Config, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_webinar-bot"))
        .env_clear()
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("DATA_DIR", &config.data_dir)
        .env("DATABASE_URL", &config.database_url)
        .env("HTTP_ADDR", config.http_addr.map_or("off".to_owned(), |a| a.to_string()))
        .env("RUST_LOG", "warn")
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[tokio::test]
async fn a_backup_taken_mid_fan_out_restores_into_a_bot_that_delivers_what_was_pending() {
    let mut bot = TestBot::start().await;
    // A provider whose secret only the key opens: the restored bot must start with it.
    let settings = ProviderSettings::new(ServiceSettings::Telemost(TelemostSettings {
        token: Secret::new("y0_backup-test-SECRET"),
        waiting_room_level: WaitingRoomLevel::Public,
        live_stream_access: LiveStreamAccess::Public,
        login_info_url: None,
    }));
    scenario::register_provider(&bot, "Телемост школы", &settings).await;
    let people = scenario::people(&bot, 3000..3200).await;
    let all: HashSet<i64> = people.iter().map(|p| p.id).collect();
    let event = scenario::event(&bot, "Большой вебинар", chrono::Duration::days(1), &[]).await;
    scenario::invite(&bot, event, &people).await;
    // Each message takes a while, so the backup lands in the middle of the fan-out.
    bot.tg.set_latency(Duration::from_millis(40));
    bot.ctx().delivery.plan_event(event).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while bot.tg.calls().iter().filter(|c| c.method == "SendMessage").count() < 30 {
        assert!(tokio::time::Instant::now() < deadline, "the fan-out did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let backups = tempfile::tempdir().unwrap();
    let copy = backups.path().join("mid-fan-out.sqlite");
    let out = tokio::task::spawn_blocking({
        let config = bot.config.clone();
        let copy = copy.clone();
        move || cli_in(&config, &["backup", copy.to_str().unwrap()])
    })
    .await
    .unwrap();
    if support::postgres_server().is_some() {
        // PostgreSQL has its own tools; the command says which and writes nothing.
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert!(text(&out.stderr).contains("pg_dump"), "{}", text(&out.stderr));
        assert!(!copy.exists(), "nothing written");
        bot.finish().await;
        return;
    }
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("KEEP THE KEY WITH THE BACKUP"), "{}", text(&out.stderr));
    // A second backup to the same file is refused; the first is untouched.
    let again = cli(&bot, &["backup", copy.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("already exists"), "{}", text(&again.stderr));

    // The copy opens and is sound, and it caught the fan-out half way.
    let backup = webinar_bot::store::connect(&format!("sqlite://{}", copy.display())).await.unwrap();
    let integrity: String =
        webinar_bot::on_db!(&backup, |pool| sqlx::query_scalar("PRAGMA integrity_check").fetch_one(pool).await)
            .unwrap();
    assert_eq!(integrity, "ok");
    let rows: Vec<(i64, String)> = webinar_bot::on_db!(&backup, |pool| sqlx::query_as(
        "SELECT chat_id, state FROM outbox WHERE kind = 'invitation'"
    )
    .fetch_all(pool)
    .await)
    .unwrap();
    backup.close().await;
    assert_eq!(rows.len(), 200);
    let pending: HashSet<i64> = rows.iter().filter(|(_, s)| s != "sent").map(|(c, _)| *c).collect();
    assert!(!pending.is_empty() && pending.len() < 200, "{} of 200 still to send in the backup", pending.len());
    let sent_before: HashSet<i64> = rows.iter().filter(|(_, s)| s == "sent").map(|(c, _)| *c).collect();

    // The old machine is gone; the new one has an empty data folder and the key.
    bot.shutdown().await;
    let fresh = tempfile::tempdir().unwrap();
    let key = bot.config.data_dir.join(webinar_bot::crypto::KEY_FILE_NAME);
    let restored_config = {
        let mut config = bot.config.clone();
        config.data_dir = fresh.path().to_owned();
        config.database_url = format!("sqlite://{}", fresh.path().join("bot.sqlite").display());
        config.http_addr = None;
        config
    };
    // Restoring where a database already is, or without the right key, is refused.
    let busy = cli(&bot, &["restore", copy.to_str().unwrap()]);
    assert_eq!(busy.status.code(), Some(1));
    assert!(text(&busy.stderr).contains("is not empty"), "{}", text(&busy.stderr));
    std::fs::write(fresh.path().join(webinar_bot::crypto::KEY_FILE_NAME), "cd".repeat(32)).unwrap();
    let wrong_key = cli_in(&restored_config, &["restore", copy.to_str().unwrap()]);
    assert_eq!(wrong_key.status.code(), Some(1));
    assert!(text(&wrong_key.stderr).contains("does not open the provider secrets"), "{}", text(&wrong_key.stderr));
    assert!(!fresh.path().join("bot.sqlite").exists(), "a refused restore leaves nothing behind");
    std::fs::copy(&key, fresh.path().join(webinar_bot::crypto::KEY_FILE_NAME)).unwrap();
    let restored = cli_in(&restored_config, &["restore", copy.to_str().unwrap()]);
    assert!(restored.status.success(), "{}", text(&restored.stderr));
    let old_sends: HashSet<i64> = bot.tg.calls().iter().filter(|c| c.is_ok()).filter_map(|c| c.chat_id()).collect();
    bot.finish().await;

    // A bot on the restored copy delivers every row that was not sent at the backup, and only those.
    let bot = TestBot::start_in(fresh, &[]).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let sent: HashSet<i64> = bot
            .tg
            .calls()
            .iter()
            .filter(|c| c.method == "SendMessage" && c.is_ok())
            .filter_map(|c| c.chat_id())
            .filter(|c| all.contains(c))
            .collect();
        if sent == pending {
            break;
        }
        assert!(sent.is_subset(&pending), "rows sent before the backup went again: {:?}", sent.difference(&pending));
        assert!(tokio::time::Instant::now() < deadline, "{} of {} pending delivered", sent.len(), pending.len());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let everyone: HashSet<i64> = sent_before.union(&pending).copied().collect();
    assert_eq!(everyone, all, "nothing lost");
    assert!(sent_before.is_subset(&old_sends));
    let db = bot.db().await;
    let left: i64 =
        webinar_bot::on_db!(&db, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state != 'sent'")
            .fetch_one(pool)
            .await)
        .unwrap();
    assert_eq!(left, 0);
    db.close().await;
    bot.finish().await;
}

#[tokio::test]
async fn the_healthcheck_subcommand_exits_0_when_ready_and_1_when_not() {
    let bot = TestBot::start().await;
    wait_ready_state(&bot, 200, &[], Duration::from_secs(5)).await;
    let config = bot.config.clone();
    let addr = bot.http_url().trim_start_matches("http://").to_owned();
    let run = |addr: String| {
        let mut config = config.clone();
        config.http_addr = Some(addr.parse().unwrap());
        tokio::task::spawn_blocking(move || cli_in(&config, &["healthcheck"]))
    };
    let ready = run(addr.clone()).await.unwrap();
    assert!(ready.status.success(), "{}", text(&ready.stderr));
    bot.tg.inject(Some("GetUpdates"), None, Fault::Network, 1_000_000);
    bot.tg.release_polls();
    while bot.tg.failed_get_updates() == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bot.clock.advance(chrono::Duration::seconds(30));
    wait_ready_state(&bot, 503, &["telegram"], Duration::from_secs(5)).await;
    let not_ready = run(addr).await.unwrap();
    assert_eq!(not_ready.status.code(), Some(1));
    assert!(text(&not_ready.stderr).contains("telegram"), "{}", text(&not_ready.stderr));
    // Nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let nobody = run(port.to_string()).await.unwrap();
    assert_eq!(nobody.status.code(), Some(1));
    bot.tg.clear_faults();
    let mut bot = bot;
    bot.shutdown().await;
}
