//! Webhooks to the learning platform: what happened to its classes (created, changed,
//! cancelled, an RSVP, a delivery that failed, attendance ready), from a durable queue.
//!
//! A notice is a row before it is sent, so a chat reply never waits on the platform and a
//! platform that is down gets everything later, in order, retried with backoff. Each POST is
//! signed: `X-Webinar-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, with the
//! secret only the bot and the platform know; the timestamp lets the platform refuse replays.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use hmac::Mac;
use serde_json::{Value, json};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::clock::SharedClock;
use crate::store::StoreResult;
use crate::store::webhooks::{Due, WebhookStore};

/// What a notice is about; its name is the `type` of the body and the `X-Webinar-Event` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic {
    EventCreated,
    EventChanged,
    EventCancelled,
    Rsvp,
    DeliveryFailed,
    AttendanceReady,
}

impl Topic {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EventCreated => "event.created",
            Self::EventChanged => "event.changed",
            Self::EventCancelled => "event.cancelled",
            Self::Rsvp => "rsvp",
            Self::DeliveryFailed => "delivery.failed",
            Self::AttendanceReady => "attendance.ready",
        }
    }
}

/// Where notices go, from `PLATFORM_WEBHOOK_URL` and `PLATFORM_WEBHOOK_SECRET`.
#[derive(Clone)]
pub struct Target {
    pub url: Url,
    pub secret: secrecy::SecretString,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target").field("url", &self.url.as_str()).field("secret", &"<redacted>").finish()
    }
}

/// Waits after the 1st, 2nd, … failed attempt; after the last the notice is given up (about
/// two days in all), with its last error kept.
const BACKOFF: [Duration; 10] = [
    Duration::seconds(30),
    Duration::minutes(2),
    Duration::minutes(10),
    Duration::minutes(30),
    Duration::hours(1),
    Duration::hours(2),
    Duration::hours(4),
    Duration::hours(8),
    Duration::hours(12),
    Duration::hours(24),
];

/// The platform must answer within this; a slow one is tried again later.
const TIMEOUT: StdDuration = StdDuration::from_secs(10);

/// A cheap handle; clones share one queue. Without a target nothing is queued at all.
#[derive(Clone)]
pub struct Webhooks {
    inner: Arc<Inner>,
}

struct Inner {
    store: WebhookStore,
    clock: SharedClock,
    target: Option<Target>,
    http: reqwest::Client,
    wake: Notify,
}

impl Webhooks {
    pub fn new(store: WebhookStore, clock: SharedClock, target: Option<Target>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .user_agent(concat!("webinar-bot/", env!("CARGO_PKG_VERSION")))
            // The platform's answer is read for its status only; a redirect is an answer.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client with static settings always builds");
        Self { inner: Arc::new(Inner { store, clock, target, http, wake: Notify::new() }) }
    }

    pub fn store(&self) -> &WebhookStore {
        &self.inner.store
    }

    /// Queues a notice; the sender takes it at once. A no-op when no platform listens.
    pub async fn emit(&self, topic: Topic, data: Value) -> StoreResult<()> {
        if self.inner.target.is_none() {
            return Ok(());
        }
        let now = self.inner.clock.now();
        let body = json!({ "type": topic.as_str(), "occurred_at": now.to_rfc3339(), "data": data }).to_string();
        self.inner.store.enqueue(topic.as_str(), &body, now).await?;
        self.inner.wake.notify_one();
        Ok(())
    }

    pub fn spawn(&self, shutdown: CancellationToken) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            let Some(target) = this.inner.target.clone() else { return };
            let inner = &this.inner;
            crate::clock::run_turns(&inner.clock, &inner.wake, shutdown, || async {
                match this.send_due(&target).await {
                    Ok(next) => next,
                    Err(err) => {
                        tracing::error!(%err, "webhooks: the database failed; trying again shortly");
                        Some(inner.clock.now() + Duration::seconds(30))
                    }
                }
            })
            .await;
        })
    }

    /// Sends what is due, oldest first; returns when the next notice is due.
    async fn send_due(&self, target: &Target) -> StoreResult<Option<DateTime<Utc>>> {
        let store = &self.inner.store;
        for due in store.due(self.inner.clock.now(), 50).await? {
            let now = self.inner.clock.now();
            match self.post(target, &due, now).await {
                Ok(()) => store.delivered(due.id, now).await?,
                Err(error) => {
                    let next = BACKOFF.get(due.attempts as usize).map(|wait| now + *wait);
                    tracing::warn!(id = due.id, topic = %due.topic, %error, attempt = due.attempts + 1, gave_up = next.is_none(),
                        "webhook not taken");
                    store.failed(due.id, next, &error).await?;
                }
            }
        }
        store.next_due_at().await
    }

    async fn post(&self, target: &Target, due: &Due, now: DateTime<Utc>) -> Result<(), String> {
        let timestamp = now.timestamp();
        let signature = sign(&target.secret, timestamp, &due.body);
        let sent = self
            .inner
            .http
            .post(target.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Webinar-Event", &due.topic)
            .header("X-Webinar-Delivery", due.id.to_string())
            .header("X-Webinar-Signature", format!("t={timestamp},v1={signature}"))
            .body(due.body.clone())
            .send()
            .await
            .map_err(|err| format!("no answer: {}", err.without_url()))?;
        match sent.status() {
            status if status.is_success() => Ok(()),
            status => Err(format!("answered {status}")),
        }
    }
}

/// A class as the platform hears of it.
pub fn event_json(event: &crate::store::Event) -> Value {
    json!({
        "id": event.id.0,
        "title": event.title,
        "starts_at": event.starts_at.to_rfc3339(),
        "ends_at": event.ends_at().to_rfc3339(),
        "timezone": event.tz.name(),
        "status": event.status.as_str(),
        "join_url": event.join_url(),
        "series_id": event.series.map(|(series, _)| series),
    })
}

/// The hex HMAC-SHA256 of `"<timestamp>.<body>"` under the secret.
pub fn sign(secret: &secrecy::SecretString, timestamp: i64, body: &str) -> String {
    use secrecy::ExposeSecret;
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.expose_secret().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_the_timestamp_and_the_body() {
        // RFC 4231 test case 2's key and data, framed as "t.body".
        let secret = secrecy::SecretString::from("Jefe");
        let signed = sign(&secret, 1, "what do ya want for nothing?");
        assert_eq!(signed.len(), 64);
        assert_ne!(signed, sign(&secret, 2, "what do ya want for nothing?"));
        assert_ne!(signed, sign(&secrecy::SecretString::from("other"), 1, "what do ya want for nothing?"));
        let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"1.what do ya want for nothing?");
        let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(signed, expected);
    }

    #[test]
    fn the_backoff_grows_and_gives_up_after_about_two_days() {
        assert!(BACKOFF.windows(2).all(|w| w[0] < w[1]));
        let total: Duration = BACKOFF.iter().copied().sum();
        assert!(total > Duration::hours(48) && total < Duration::hours(60), "{total}");
    }
}
