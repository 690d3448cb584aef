//! Long polling that tells the readiness check when Telegram last answered.
//!
//! teloxide's `Polling` hides its successful calls: an empty long poll (an idle bot's usual
//! answer) yields nothing to the dispatcher, so from outside a bot that hears from Telegram every
//! ten seconds looks the same as one whose getUpdates fails. This listener does what teloxide's
//! does (long polls from the last offset, backs off after an error, waits out `retry_after`, and
//! confirms the handed-out updates with one last call when stopped) and stamps every answer.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::BoxStream;
use teloxide::RequestError;
use teloxide::payloads::GetUpdatesSetters;
use teloxide::prelude::*;
use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::{AllowedUpdate, Update};
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};

use super::RawBot;
use crate::clock::SharedClock;
use crate::health::Health;

pub struct WatchedPolling {
    bot: RawBot,
    timeout: Duration,
    backoff: fn(u32) -> Duration,
    health: Arc<Health>,
    clock: SharedClock,
    allowed: Option<Vec<AllowedUpdate>>,
    token: StopToken,
    flag: Option<StopFlag>,
}

impl WatchedPolling {
    /// Deletes a webhook left from an earlier run (Telegram refuses getUpdates while one is
    /// set), as teloxide's `delete_webhook()` does.
    pub async fn start(
        bot: RawBot,
        timeout: Duration,
        backoff: fn(u32) -> Duration,
        health: Arc<Health>,
        clock: SharedClock,
    ) -> Self {
        match bot.get_webhook_info().await {
            Ok(info) if info.url.is_some() => {
                if let Err(err) = bot.delete_webhook().await {
                    tracing::error!(%err, "could not delete the webhook left from an earlier run");
                }
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(%err, "could not read the webhook settings"),
        }
        let (token, flag) = mk_stop_token();
        Self { bot, timeout, backoff, health, clock, allowed: None, token, flag: Some(flag) }
    }
}

impl UpdateListener for WatchedPolling {
    type Err = RequestError;

    fn stop_token(&mut self) -> StopToken {
        self.token.clone()
    }

    fn hint_allowed_updates(&mut self, hint: &mut dyn Iterator<Item = AllowedUpdate>) {
        self.allowed = Some(hint.collect());
    }
}

/// Where the stream is between two calls.
struct Polling<'a> {
    listener: &'a WatchedPolling,
    flag: Pin<Box<StopFlag>>,
    /// Sent until Telegram has taken it once; Telegram remembers it afterwards.
    allowed: Option<Vec<AllowedUpdate>>,
    offset: i32,
    errors: u32,
    pause: Option<Duration>,
    buffer: VecDeque<Update>,
    stopping: bool,
    done: bool,
}

impl<'a> AsUpdateStream<'a> for WatchedPolling {
    type StreamErr = RequestError;
    type Stream = BoxStream<'a, Result<Update, RequestError>>;

    fn as_stream(&'a mut self) -> Self::Stream {
        // The dispatcher takes the stop token first and the stream once; a second stream gets
        // a flag of its own that no earlier token can stop.
        let flag = self.flag.take().unwrap_or_else(|| {
            let (token, flag) = mk_stop_token();
            self.token = token;
            flag
        });
        let state = Polling {
            allowed: self.allowed.clone(),
            listener: self,
            flag: Box::pin(flag),
            offset: 0,
            errors: 0,
            pause: None,
            buffer: VecDeque::new(),
            stopping: false,
            done: false,
        };
        Box::pin(futures::stream::unfold(state, |mut state| async move {
            let item = state.next().await?;
            Some((item, state))
        }))
    }
}

impl Polling<'_> {
    async fn next(&mut self) -> Option<Result<Update, RequestError>> {
        loop {
            if let Some(update) = self.buffer.pop_front() {
                return Some(Ok(update));
            }
            if self.done {
                return None;
            }
            if self.stopping {
                self.done = true;
                return self.confirm().await.err().map(Err);
            }
            if let Some(pause) = self.pause.take() {
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = self.flag.as_mut() => self.stopping = true,
                }
                continue;
            }
            let listener = self.listener;
            let seconds = u32::try_from(listener.timeout.as_secs()).unwrap_or(u32::MAX);
            let mut request = listener.bot.get_updates().offset(self.offset).timeout(seconds);
            if let Some(allowed) = self.allowed.clone() {
                request = request.allowed_updates(allowed);
            }
            let answer = tokio::select! {
                // A stop drops the long poll in flight: what arrives after it is not wanted.
                biased;
                _ = self.flag.as_mut() => {
                    self.stopping = true;
                    continue;
                }
                answer = request.send() => answer,
            };
            match answer {
                Ok(updates) => {
                    listener.health.telegram_answered(listener.clock.now());
                    self.errors = 0;
                    self.allowed = None;
                    if let Some(last) = updates.last() {
                        self.offset = last.id.as_offset();
                    }
                    self.buffer.extend(updates);
                }
                Err(err) => {
                    self.pause = Some(match &err {
                        RequestError::RetryAfter(after) => after.duration(),
                        _ => (listener.backoff)(self.errors),
                    });
                    self.errors = self.errors.saturating_add(1);
                    return Some(Err(err));
                }
            }
        }
    }

    /// Tells Telegram the updates handed out so far are done, so the next start does not get
    /// them again.
    async fn confirm(&self) -> Result<(), RequestError> {
        let bot = &self.listener.bot;
        bot.get_updates().offset(self.offset).limit(1).timeout(0).await.map(|_| ())
    }
}
