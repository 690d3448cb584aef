//! Calls to the learning platform's webhook (`API_WEBHOOK_URL`): taken from the durable queue
//! (`store::webhooks`), signed, retried with exponential backoff. A task of its own, so a slow
//! or absent platform never delays a chat reply or a delivery.
//!
//! Signature: `X-Webinar-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
//! under the secret `API_WEBHOOK_SECRET`; the platform recomputes it and refuses a `t` too old.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::clock::SharedClock;
use crate::config::PlatformWebhook;
use crate::store::webhooks::{Call, WebhookQueue};

/// After this many failed attempts a call is given up (marked failed, with its last error).
pub const MAX_ATTEMPTS: i64 = 12;
/// How long a claimed call stays claimed: longer than a call's timeout.
const LEASE: Duration = Duration::seconds(60);
const CALL_TIMEOUT: StdDuration = StdDuration::from_secs(10);
/// The longest the sender sleeps: rows written by another instance are seen this soon.
const IDLE_CHECK: StdDuration = StdDuration::from_secs(1);

/// `t=<t>,v1=<hex>` for `body` at unix time `t`.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

/// The wait before attempt `attempts + 1`: 10 s, 20 s, 40 s … up to an hour.
pub fn backoff(attempts: i64) -> Duration {
    let seconds = 10i64.saturating_mul(1i64 << attempts.clamp(0, 20));
    Duration::seconds(seconds.min(3600))
}

#[derive(Clone)]
pub struct WebhookSender {
    queue: WebhookQueue,
    http: reqwest::Client,
    target: PlatformWebhook,
    clock: SharedClock,
    wake: Arc<Notify>,
}

impl WebhookSender {
    pub fn new(queue: WebhookQueue, http: reqwest::Client, target: PlatformWebhook, clock: SharedClock) -> Self {
        Self { queue, http, target, clock, wake: Arc::new(Notify::new()) }
    }

    /// Wakes the sender for a call just queued.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn spawn(&self, shutdown: CancellationToken) -> tokio::task::JoinHandle<()> {
        let sender = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(err) = sender.send_due().await {
                    tracing::warn!(%err, "the platform webhook queue could not be read");
                }
                let wait = match sender.queue.next_due().await {
                    Ok(Some(at)) => (at - sender.clock.now()).to_std().unwrap_or(StdDuration::ZERO).min(IDLE_CHECK),
                    _ => IDLE_CHECK,
                };
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = sender.wake.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        })
    }

    /// Sends every call due now.
    async fn send_due(&self) -> crate::store::StoreResult<()> {
        while let Some(call) = self.queue.claim(self.clock.now(), LEASE).await? {
            let outcome = self.call(&call).await;
            let now = self.clock.now();
            match outcome {
                Ok(()) => self.queue.sent(call.id, now).await?,
                Err(error) => {
                    let next = (call.attempts + 1 < MAX_ATTEMPTS).then(|| now + backoff(call.attempts));
                    tracing::warn!(call = call.id, kind = %call.kind, attempts = call.attempts + 1, %error, "a platform webhook call failed");
                    self.queue.failed(call.id, &error, next).await?;
                }
            }
        }
        Ok(())
    }

    async fn call(&self, call: &Call) -> Result<(), String> {
        let t = self.clock.now().timestamp();
        let response = self
            .http
            .post(self.target.url.clone())
            .timeout(CALL_TIMEOUT)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Webinar-Event", &call.kind)
            .header("X-Webinar-Signature", signature(&self.target.secret, t, &call.body))
            .body(call.body.clone())
            .send()
            .await
            .map_err(|err| format!("no answer: {}", err.without_url()))?;
        match response.status() {
            status if status.is_success() => Ok(()),
            status => Err(format!("HTTP {}", status.as_u16())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_of_t_dot_body() {
        // echo -n '1700000000.{"a":1}' | openssl dgst -sha256 -hmac 'secret-secret-16'
        let sig = signature("secret-secret-16", 1_700_000_000, r#"{"a":1}"#);
        assert_eq!(sig, "t=1700000000,v1=df6c7ddb48f79237fc23533418747c32f1beedf8c52f397e7fef6ac321de837c");
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(0), Duration::seconds(10));
        assert_eq!(backoff(1), Duration::seconds(20));
        assert_eq!(backoff(3), Duration::seconds(80));
        assert_eq!(backoff(30), Duration::seconds(3600));
    }
}
