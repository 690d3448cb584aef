//! The bot for `scripts/test`'s schemathesis step to fuzz: the real bot, against the tests' fake
//! Telegram and a SQLite database in a temporary directory, with an `events` token, a group and
//! an event to find. Writes `<base URL> <token>` to the file named by its argument and serves
//! until that file is deleted.
//!
//! `cargo run --example api_fuzz_target -- /tmp/target`

// The tests' harness, shared with them; this program uses part of it.
#[allow(dead_code, unused_imports)]
#[path = "../tests/it/support/mod.rs"]
mod support;

use std::path::Path;
use std::time::Duration;

use support::{ADMIN_ID, TestBot};
use teloxide::types::UserId;
use webinar_bot::clock::Clock;
use webinar_bot::domain::platform::Scope;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let target = std::env::args().nth(1).expect("the file to write the address and token to");
    // A rate the fuzzer does not run into: 429s would stop it reaching the handlers.
    let bot = TestBot::start_with(&[("API_RATE", "1000")]).await;
    support::scenario::people(&bot, [ADMIN_ID]).await;
    let token = bot.ctx().platform.create_token("fuzz", Scope::Events, UserId(ADMIN_ID as u64)).await.unwrap().token;
    // A group to find, so some generated requests get past the 404s and 422s.
    let created = reqwest::Client::new()
        .put(format!("{}/api/v1/groups/g1", bot.http_url()))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "name": "Группа" }))
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success(), "the group was not made: {}", created.status());
    // And an event, so GET, DELETE and the report have one to find.
    let start = (bot.clock.now() + chrono::Duration::days(7)).to_rfc3339();
    let created = reqwest::Client::new()
        .put(format!("{}/api/v1/events/e1", bot.http_url()))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "title": "Занятие", "provider": 1, "start": start, "timezone": "Europe/Moscow",
            "duration_minutes": 60, "groups": ["g1"],
        }))
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success(), "the event was not made: {}", created.status());
    std::fs::write(format!("{target}.tmp"), format!("{} {token}\n", bot.http_url())).unwrap();
    std::fs::rename(format!("{target}.tmp"), &target).unwrap();
    while Path::new(&target).exists() {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bot.finish().await;
}
