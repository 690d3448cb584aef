//! The bot as the rest of the program holds it: Telegram's Bot API with HTML by default, where
//! every message sent or edited first takes a slot of the one [`SendBudget`].
//!
//! teloxide's `Throttle` counts only sends (not edits), lets go a second's worth of messages per
//! pass, so a 429 stops only what it has not released yet, and knows no priorities; the budget
//! does all three. Methods that are not messages (answering a button, the command menu) pass
//! straight through to the inner bot.

pub mod budget;
pub mod polling;

use std::future::{Future, IntoFuture};
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use teloxide::RequestError;
use teloxide::adaptors::DefaultParseMode;
use teloxide::payloads::{EditMessageReplyMarkup, EditMessageText, SendDocument, SendMessage};
use teloxide::prelude::*;
use teloxide::requests::{HasPayload, Output};
use teloxide::types::{InputFile, MessageId, Recipient};

pub use budget::{Lane, Limits, SendBudget};

use crate::metrics::Metrics;

/// The Bot API client without the budget: for the dispatcher's own calls (getMe, getUpdates).
pub type RawBot = DefaultParseMode<Bot>;

/// Replies to a person are retried this many times after a 429 before the error is theirs; the
/// delivery engine retries bulk rows itself, from the outbox.
const REPLY_RETRIES_AFTER_429: usize = 3;

#[derive(Clone)]
pub struct Tg {
    raw: RawBot,
    budget: SendBudget,
    lane: Lane,
    metrics: Metrics,
    halted: Halted,
}

/// Set once this instance must send nothing more (a leader that lost its lease): every clone
/// of the bot shares it.
#[derive(Clone, Default)]
struct Halted(Arc<AtomicBool>);

impl Halted {
    fn check(&self) -> Result<(), RequestError> {
        match self.0.load(Ordering::Acquire) {
            false => Ok(()),
            true => Err(RequestError::Io(Arc::new(std::io::Error::other(
                "this instance no longer holds the leader lease and sends nothing",
            )))),
        }
    }
}

impl Tg {
    /// A bot whose messages are replies to people.
    pub fn new(raw: RawBot, budget: SendBudget) -> Self {
        Self { raw, budget, lane: Lane::Reply, metrics: Metrics::disabled(), halted: Halted::default() }
    }

    /// The same bot, counting Telegram's 429 answers and the time they make it wait.
    pub fn with_metrics(self, metrics: Metrics) -> Self {
        Self { metrics, ..self }
    }

    /// The same bot and budget, for bulk traffic that yields to replies.
    pub fn bulk(&self) -> Self {
        Self { lane: Lane::Bulk, ..self.clone() }
    }

    /// The same bot and budget, for paid broadcasts (`allow_paid_broadcast`), paced at the paid
    /// rate apart from the free one.
    pub fn paid(&self) -> Self {
        Self { lane: Lane::Paid, ..self.clone() }
    }

    /// Sends nothing more, from any clone: requests waiting for their slot fail instead.
    pub fn halt(&self) {
        self.halted.0.store(true, Ordering::Release);
    }

    pub fn raw(&self) -> &RawBot {
        &self.raw
    }

    pub fn budget(&self) -> &SendBudget {
        &self.budget
    }

    pub fn send_message<C, T>(&self, chat_id: C, text: T) -> Budgeted<<RawBot as Requester>::SendMessage>
    where
        C: Into<Recipient>,
        T: Into<String>,
    {
        self.budgeted(self.raw.send_message(chat_id, text))
    }

    pub fn send_document<C>(&self, chat_id: C, document: InputFile) -> Budgeted<<RawBot as Requester>::SendDocument>
    where
        C: Into<Recipient>,
    {
        self.budgeted(self.raw.send_document(chat_id, document))
    }

    pub fn edit_message_text<C, T>(
        &self,
        chat_id: C,
        message_id: MessageId,
        text: T,
    ) -> Budgeted<<RawBot as Requester>::EditMessageText>
    where
        C: Into<Recipient>,
        T: Into<String>,
    {
        self.budgeted(self.raw.edit_message_text(chat_id, message_id, text))
    }

    pub fn edit_message_reply_markup<C>(
        &self,
        chat_id: C,
        message_id: MessageId,
    ) -> Budgeted<<RawBot as Requester>::EditMessageReplyMarkup>
    where
        C: Into<Recipient>,
    {
        self.budgeted(self.raw.edit_message_reply_markup(chat_id, message_id))
    }

    fn budgeted<R>(&self, request: R) -> Budgeted<R> {
        Budgeted {
            request,
            budget: self.budget.clone(),
            lane: self.lane,
            metrics: self.metrics.clone(),
            halted: self.halted.clone(),
        }
    }
}

/// Everything that is not a message goes to the inner bot as it is.
impl Deref for Tg {
    type Target = RawBot;

    fn deref(&self) -> &RawBot {
        &self.raw
    }
}

/// A message request that waits for its slot of the budget when awaited. Its payload can be set
/// up like the inner request's (`.reply_markup(…)`, `.caption(…)`).
#[must_use = "a request does nothing until it is awaited"]
pub struct Budgeted<R> {
    request: R,
    budget: SendBudget,
    lane: Lane,
    metrics: Metrics,
    halted: Halted,
}

impl<R: HasPayload> HasPayload for Budgeted<R> {
    type Payload = R::Payload;

    fn payload_mut(&mut self) -> &mut Self::Payload {
        self.request.payload_mut()
    }

    fn payload_ref(&self) -> &Self::Payload {
        self.request.payload_ref()
    }
}

impl<R> IntoFuture for Budgeted<R>
where
    R: Request<Err = RequestError> + Send + 'static,
    R::Payload: ToChat,
    Output<R>: Send,
{
    type Output = Result<Output<R>, RequestError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let chat = self.request.payload_ref().chat();
            let mut retries = if self.lane == Lane::Reply { REPLY_RETRIES_AFTER_429 } else { 0 };
            loop {
                self.budget.acquire(self.lane, chat).await;
                self.halted.check()?;
                match self.request.send_ref().await {
                    Err(RequestError::RetryAfter(after)) => {
                        self.metrics.rate_limited(after.duration());
                        self.budget.pause_for(after.duration());
                        if retries == 0 {
                            return Err(RequestError::RetryAfter(after));
                        }
                        retries -= 1;
                    }
                    other => return other,
                }
            }
        })
    }
}

/// The chat a message payload goes to, for the budget's per-chat limits.
pub trait ToChat {
    fn chat(&self) -> Option<ChatId>;
}

fn chat_of(recipient: &Recipient) -> Option<ChatId> {
    match recipient {
        Recipient::Id(id) => Some(*id),
        Recipient::ChannelUsername(_) => None,
    }
}

macro_rules! to_chat {
    ($($payload:ty),*) => {
        $(impl ToChat for $payload {
            fn chat(&self) -> Option<ChatId> {
                chat_of(&self.chat_id)
            }
        })*
    };
}

to_chat!(SendMessage, SendDocument, EditMessageText, EditMessageReplyMarkup);
