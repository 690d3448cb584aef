//! Webhooks to the learning platform: a receiver that fails twice still gets the notice once it
//! answers, signed, in order, and the chat never waited for it.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::Duration;
use hmac::Mac;
use serde_json::Value;

use crate::support::TestBot;
use crate::support::scenario::{self, people};

const SECRET: &str = "platform-secret-0123456789";

#[derive(Clone, Default)]
struct Receiver {
    /// Every request: (status answered, headers, body).
    seen: Arc<Mutex<Vec<(u16, HeaderMap, String)>>>,
    /// How many requests to refuse before taking one.
    refuse: Arc<Mutex<usize>>,
}

impl Receiver {
    async fn start(refuse: usize) -> (Self, String) {
        let receiver = Receiver { refuse: Arc::new(Mutex::new(refuse)), ..Default::default() };
        let state = receiver.clone();
        let app = Router::new().route(
            "/hooks/bot",
            post(move |headers: HeaderMap, body: String| {
                let state = state.clone();
                async move {
                    let status = {
                        let mut refuse = state.refuse.lock().unwrap();
                        if *refuse > 0 {
                            *refuse -= 1;
                            StatusCode::INTERNAL_SERVER_ERROR
                        } else {
                            StatusCode::NO_CONTENT
                        }
                    };
                    state.seen.lock().unwrap().push((status.as_u16(), headers, body));
                    status
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/bot", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (receiver, url)
    }

    fn seen(&self) -> Vec<(u16, HeaderMap, String)> {
        self.seen.lock().unwrap().clone()
    }

    async fn wait_for(&self, requests: usize) {
        for _ in 0..400 {
            if self.seen().len() >= requests {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the receiver got {} requests, not {requests}", self.seen().len());
    }
}

fn verify(headers: &HeaderMap, body: &str) {
    let signature = headers["x-webinar-signature"].to_str().unwrap();
    let (t, v1) = signature.split_once(",v1=").expect("t=…,v1=…");
    let t = t.strip_prefix("t=").unwrap();
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(v1, expected, "the signature is the HMAC of t.body");
}

#[tokio::test]
async fn a_receiver_that_fails_twice_still_gets_the_notice_once_it_answers() {
    let (receiver, url) = Receiver::start(2).await;
    let bot = TestBot::start_with(&[("PLATFORM_WEBHOOK_URL", &url), ("PLATFORM_WEBHOOK_SECRET", SECRET)]).await;
    let listener = people(&bot, [401]).await.remove(0);
    let event = scenario::event(&bot, "Дроби", Duration::hours(3), &[]).await;
    let mark = bot.tg.mark();
    scenario::invite(&bot, event, std::slice::from_ref(&listener)).await;
    bot.ctx().delivery.plan_event(event).await.unwrap();
    let card = bot.tg.wait_for(mark, "the card", |c| c.chat_id() == Some(401) && c.method == "SendMessage").await;

    // The listener's answer is taken at once, whatever the platform does.
    let answered = bot.tg.click(&listener, card.message_id().unwrap(), &card.button_data("Приду")).await;
    assert!(answered.body["text"].as_str().unwrap_or_default().contains("придёте"), "{answered:?}");
    receiver.wait_for(1).await;
    bot.clock.advance(Duration::seconds(31));
    receiver.wait_for(2).await;
    bot.clock.advance(Duration::minutes(2) + Duration::seconds(1));
    receiver.wait_for(3).await;
    bot.clock.advance(Duration::hours(1));
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;

    let seen = receiver.seen();
    assert_eq!(seen.iter().map(|(status, ..)| *status).collect::<Vec<_>>(), [500, 500, 204], "taken once");
    let bodies: Vec<&String> = seen.iter().map(|(_, _, body)| body).collect();
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "each attempt sends the same notice");
    let (_, headers, body) = &seen[2];
    verify(headers, body);
    assert_eq!(headers["x-webinar-event"], "rsvp");
    let notice: Value = serde_json::from_str(body).unwrap();
    assert_eq!(notice["type"], "rsvp");
    assert_eq!(notice["data"]["event_id"], event.0);
    assert_eq!(notice["data"]["user_id"], 401);
    assert_eq!(notice["data"]["answer"], "yes");
    assert_eq!(bot.ctx().delivery.webhooks().store().counts().await.unwrap(), (0, 1, 0));
    bot.finish().await;
}

#[tokio::test]
async fn without_a_receiver_nothing_is_queued() {
    let bot = TestBot::start().await;
    let listener = people(&bot, [402]).await.remove(0);
    let event = scenario::event(&bot, "Дроби", Duration::hours(3), &[]).await;
    let mark = bot.tg.mark();
    scenario::invite(&bot, event, std::slice::from_ref(&listener)).await;
    bot.ctx().delivery.plan_event(event).await.unwrap();
    let card = bot.tg.wait_for(mark, "the card", |c| c.chat_id() == Some(402) && c.method == "SendMessage").await;
    bot.tg.click(&listener, card.message_id().unwrap(), &card.button_data("Приду")).await;
    bot.ctx().delivery.event_cancelled(event).await.unwrap();
    assert_eq!(bot.ctx().delivery.webhooks().store().counts().await.unwrap(), (0, 0, 0));
    bot.finish().await;
}
