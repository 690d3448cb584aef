//! A fake Telegram Bot API on 127.0.0.1: the same HTTP path the bot uses in production.
//!
//! It queues user updates for long-polling `getUpdates`, records every call the bot makes,
//! checks each outgoing message against Telegram's limits, and can inject 429, 403, 400 and
//! network failures. The bench also switches on its rate limiter (answering 429 with
//! `retry_after` like Telegram when the bot sends too fast) and reads its timestamps.

// The bench includes this file for its rate limiter and uses only part of it.
#![allow(dead_code)]
// Err is the HTTP answer itself, built once per call; boxing it would buy nothing here.
#![allow(clippy::result_large_err)]

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc};

pub const BOT_ID: i64 = 7_000_000_001;
pub const BOT_USERNAME: &str = "webinar_test_bot";
/// Unix time of the messages the fake makes up (late 2026).
const DATE: i64 = 1_795_000_000;

/// A person on the Telegram side.
#[derive(Clone, Debug)]
pub struct TgUser {
    pub id: i64,
    pub first_name: String,
    pub username: Option<String>,
    pub language_code: Option<String>,
}

impl TgUser {
    pub fn new(id: i64, first_name: &str, language_code: Option<&str>) -> Self {
        Self {
            id,
            first_name: first_name.to_owned(),
            username: Some(format!("user{id}")),
            language_code: language_code.map(str::to_owned),
        }
    }

    pub fn ru(id: i64) -> Self {
        Self::new(id, "Иван", Some("ru"))
    }

    pub fn en(id: i64) -> Self {
        Self::new(id, "John", Some("en"))
    }

    fn json(&self) -> Value {
        json!({
            "id": self.id, "is_bot": false, "first_name": self.first_name,
            "username": self.username, "language_code": self.language_code,
        })
    }
}

/// A failure the fake answers with instead of doing the call.
#[derive(Clone, Debug)]
pub enum Fault {
    RetryAfter(u32),
    Blocked,
    Deactivated,
    ChatNotFound,
    BadRequest(String),
    MigratedTo(i64),
    /// The connection is dropped before the call is handled.
    Network,
    /// The call is handled (a message is sent), then the connection is dropped before the answer:
    /// the bot cannot know, and trying again sends the message twice.
    ResetAfterHandling,
    /// A proxy in front of Telegram answers `502 Bad Gateway` with Telegram's JSON envelope...
    BadGateway,
    /// ...or with nginx's HTML error page.
    BadGatewayHtml,
    /// `200 OK` with a body cut off mid-JSON.
    MalformedJson,
    /// `401 Unauthorized`: Telegram does not know the token.
    Unauthorized,
}

#[derive(Clone, Debug)]
struct FaultRule {
    method: Option<String>,
    chat_id: Option<i64>,
    fault: Fault,
    remaining: usize,
}

/// One request the bot made.
#[derive(Clone, Debug)]
pub struct Call {
    pub seq: usize,
    pub method: String,
    pub body: Value,
    /// The `result` of the call when the fake did it (answered with success, or did it and then
    /// dropped the connection: see `is_ok` and `delivered`).
    pub result: Option<Value>,
    pub fault: Option<Fault>,
    /// When the request reached the fake.
    pub at: Instant,
    /// The instance that made it, for a bot given `url_for(instance)`.
    pub via: Option<String>,
}

impl Call {
    pub fn chat_id(&self) -> Option<i64> {
        self.body.get("chat_id").and_then(as_i64)
    }

    pub fn text(&self) -> &str {
        self.body.get("text").or_else(|| self.body.get("caption")).and_then(Value::as_str).unwrap_or("")
    }

    pub fn message_id(&self) -> Option<i64> {
        self.result.as_ref().and_then(|r| r.get("message_id")).or_else(|| self.body.get("message_id")).and_then(as_i64)
    }

    /// Inline buttons as (label, callback data or url).
    pub fn buttons(&self) -> Vec<(String, String)> {
        let rows = self.body.pointer("/reply_markup/inline_keyboard").and_then(Value::as_array);
        rows.into_iter()
            .flatten()
            .filter_map(Value::as_array)
            .flatten()
            .map(|b| {
                let label = b["text"].as_str().unwrap_or("").to_owned();
                let target = b.get("callback_data").or_else(|| b.get("url")).and_then(Value::as_str);
                (label, target.unwrap_or("").to_owned())
            })
            .collect()
    }

    /// The bytes of the file a sendDocument or sendPhoto carried in `field`.
    pub fn file_bytes(&self, field: &str) -> Vec<u8> {
        let encoded = self.body[format!("{field}_base64")].as_str().unwrap_or_else(|| panic!("no file in {self:?}"));
        STANDARD.decode(encoded).expect("base64 the fake wrote")
    }

    /// The callback data of the button whose label contains `label`.
    pub fn button_data(&self, label: &str) -> String {
        self.buttons()
            .into_iter()
            .find(|(l, _)| l.contains(label))
            .map(|(_, d)| d)
            .unwrap_or_else(|| panic!("no button {label:?} in {:?}", self.buttons()))
    }

    /// Done, and the bot was told so.
    pub fn is_ok(&self) -> bool {
        self.fault.is_none() && self.result.is_some()
    }

    /// Done, whether or not the bot heard it: the person has the message.
    pub fn delivered(&self) -> bool {
        self.result.is_some()
    }
}

fn as_i64(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

/// Telegram's sending limits as the fake enforces them: token buckets that refill at the given
/// rates. Only message-sending methods (the ones teloxide's Throttle counts) are limited.
#[derive(Clone, Copy, Debug)]
pub struct RateLimits {
    /// Messages a second to all chats together; the bucket holds one second of them.
    pub overall_per_sec: f64,
    /// Messages a second to one chat.
    pub per_chat_per_sec: f64,
    /// How many messages one chat may get in a short burst before the per-chat rate applies
    /// (Telegram tolerates short bursts).
    pub per_chat_burst: f64,
}

impl RateLimits {
    pub fn new(overall_per_sec: f64, per_chat_per_sec: f64) -> Self {
        Self { overall_per_sec, per_chat_per_sec, per_chat_burst: 3.0 }
    }
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(capacity: f64, at: Instant) -> Self {
        Self { tokens: capacity, at }
    }

    /// Tokens now; the bucket itself is refilled.
    fn refill(&mut self, rate: f64, capacity: f64, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(capacity);
        self.at = now;
        self.tokens
    }
}

struct Limiter {
    limits: RateLimits,
    overall: Bucket,
    per_chat: HashMap<i64, Bucket>,
}

impl Limiter {
    fn new(limits: RateLimits) -> Self {
        Self {
            overall: Bucket::full(limits.overall_per_sec.max(1.0), Instant::now()),
            limits,
            per_chat: HashMap::new(),
        }
    }

    /// Takes one message's worth from both buckets, or says which limit it is over and by how
    /// much. A paid broadcast is not held to the overall limit (Telegram allows it up to 1,000 a
    /// second).
    fn admit(&mut self, chat: Option<i64>, paid: bool, now: Instant) -> Result<(), Over> {
        let RateLimits { overall_per_sec, per_chat_per_sec, per_chat_burst } = self.limits;
        let overall_capacity = overall_per_sec.max(1.0);
        let overall = if paid { f64::INFINITY } else { self.overall.refill(overall_per_sec, overall_capacity, now) };
        let chat_capacity = per_chat_burst.max(1.0);
        let chat_bucket = chat.map(|c| self.per_chat.entry(c).or_insert_with(|| Bucket::full(chat_capacity, now)));
        let per_chat = chat_bucket.map(|b| b.refill(per_chat_per_sec, chat_capacity, now));
        let wait_overall = if overall >= 1.0 { 0.0 } else { (1.0 - overall) / overall_per_sec };
        let wait_chat = match per_chat {
            Some(tokens) if tokens < 1.0 => (1.0 - tokens) / per_chat_per_sec,
            _ => 0.0,
        };
        if wait_overall > 0.0 || wait_chat > 0.0 {
            let limit = match chat {
                Some(c) if wait_chat >= wait_overall => Limit::Chat(c),
                _ => Limit::Overall,
            };
            return Err(Over { limit, wait: Duration::from_secs_f64(wait_overall.max(wait_chat)) });
        }
        if !paid {
            self.overall.tokens -= 1.0;
        }
        if let Some(c) = chat
            && let Some(bucket) = self.per_chat.get_mut(&c)
        {
            bucket.tokens -= 1.0;
        }
        Ok(())
    }
}

/// Which of the limits a message was over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// The bot-wide rate.
    Overall,
    /// One chat's bucket: a private chat when the id is positive, a group when it is negative.
    Chat(i64),
}

/// A 429 of the flood limiter: which limit, and how long the message came too early, which tells
/// a bot that ignores a limit (seconds) from one that keeps it but loses a little on the way
/// (milliseconds).
#[derive(Clone, Copy, Debug)]
pub struct Over {
    pub limit: Limit,
    pub wait: Duration,
}

impl Over {
    /// What Telegram says: whole seconds, at least one.
    pub fn retry_after(&self) -> u32 {
        self.wait.as_secs_f64().ceil().max(1.0) as u32
    }
}

/// One 429 the limiter answered.
#[derive(Clone, Copy, Debug)]
pub struct RateLimited {
    pub at: Instant,
    pub over: Over,
}

/// Methods Telegram's flood limits count: messages sent, and messages edited.
fn is_rate_limited(method: &str) -> bool {
    (method.starts_with("Send") && method != "SendChatAction")
        || method.starts_with("Copy")
        || method.starts_with("Forward")
        || method.starts_with("EditMessage")
}

/// When an update was queued by a user and when a getUpdates answer first handed it out.
#[derive(Clone, Copy, Debug)]
pub struct UpdateTimes {
    pub queued: Instant,
    pub handed_out: Option<Instant>,
}

#[derive(Default)]
struct Inner {
    updates: VecDeque<(i64, Value)>,
    next_update_id: i64,
    next_message_id: i64,
    calls: Vec<Call>,
    /// Messages in chats, by (chat, message id): what a callback query refers to.
    messages: HashMap<(i64, i64), Value>,
    faults: Vec<FaultRule>,
    violations: Vec<String>,
    polls_in_flight: usize,
    limiter: Option<Limiter>,
    /// Answers of 429 the limiter gave.
    rate_limited: Vec<RateLimited>,
    update_times: HashMap<i64, UpdateTimes>,
    first_get_updates: Option<Instant>,
    /// A copy of every recorded call goes to each of these too, for readers that wait on many
    /// chats at once (the bench's teachers and its reminder count run side by side).
    taps: Vec<mpsc::UnboundedSender<Call>>,
    /// How long each call other than getUpdates takes to answer.
    latency: Duration,
    /// Chats whose calls take this long to answer.
    slow_chats: HashMap<i64, Duration>,
    /// The next calls of a method to a chat that take this long to answer: (method, chat,
    /// latency, calls left).
    slow_next: Vec<(String, i64, Duration, usize)>,
    /// The bot was told "retry after": until then every message gets 429 again.
    retry_window: Option<RetryWindow>,
    /// Messages that reached the fake inside an open retry window, after the grace for those
    /// already on their way when the 429 was answered.
    sent_in_retry_window: usize,
    /// getUpdates calls answered with a fault.
    failed_get_updates: usize,
    /// getUpdates calls that came while another was open.
    get_updates_conflicts: usize,
    /// The bot is stopping: every long poll is answered at once, also one that comes late.
    polls_stopped: bool,
    /// The webhook the bot set (url, secret token), as getWebhookInfo reports it.
    webhook: Option<(String, Option<String>)>,
}

/// A bot that honours `retry_after` sends nothing from the 429 until the window ends; messages
/// already in flight when it was answered may still arrive within the grace.
#[derive(Clone, Copy, Debug)]
struct RetryWindow {
    opened: Instant,
    until: Instant,
}

const RETRY_WINDOW_GRACE: Duration = Duration::from_millis(50);

#[derive(Default)]
struct Shared {
    inner: Mutex<Inner>,
    new_update: Notify,
    new_call: Notify,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Clone)]
pub struct FakeTelegram {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl FakeTelegram {
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0".parse().expect("an address")).await
    }

    /// Starts on a given address: a test that starts the bot first frees a port, points the bot
    /// at it, and brings the API up later.
    pub async fn start_on(addr: SocketAddr) -> Self {
        let shared = Arc::new(Shared::default());
        shared.lock().next_update_id = 1;
        shared.lock().next_message_id = 1;
        let app = Router::new()
            .route("/{token}/{method}", post(handle))
            .route("/{via}/{token}/{method}", post(handle_via))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind(addr).await.expect("bind the fake Bot API");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(async move { axum::serve(listener, app).await.expect("fake Bot API") });
        Self { addr, shared }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address for one of several instances of the bot: every call it makes is recorded
    /// with `via` set to `instance`, so a test sees who sent what.
    pub fn url_for(&self, instance: &str) -> String {
        format!("http://{}/{instance}", self.addr)
    }

    /// getUpdates calls that came while another was still open: two consumers of the updates
    /// at one moment. Telegram answers the newcomer 409 Conflict, and so does the fake.
    pub fn get_updates_conflicts(&self) -> usize {
        self.shared.lock().get_updates_conflicts
    }

    /// Switches on Telegram's flood limits: a message over them is answered with
    /// `429 Too Many Requests: retry after N`.
    pub fn with_limits(self, overall_per_sec: f64, per_chat_per_sec: f64) -> Self {
        self.set_limits(Some(RateLimits::new(overall_per_sec, per_chat_per_sec)));
        self
    }

    /// Sets (or with None, removes) the flood limits.
    pub fn set_limits(&self, limits: Option<RateLimits>) {
        self.shared.lock().limiter = limits.map(Limiter::new);
    }

    /// How many calls the flood limiter answered with 429.
    pub fn rate_limited(&self) -> usize {
        self.shared.lock().rate_limited.len()
    }

    /// Each 429 the flood limiter answered, with the limit it came from.
    pub fn rate_limited_calls(&self) -> Vec<RateLimited> {
        self.shared.lock().rate_limited.clone()
    }

    /// Messages that arrived inside an open retry window (after its grace): each is a send the
    /// bot should have held back.
    pub fn sent_in_retry_window(&self) -> usize {
        self.shared.lock().sent_in_retry_window
    }

    /// Every call recorded from now on is also sent to the returned receiver, until it is dropped.
    pub fn tap(&self) -> mpsc::UnboundedReceiver<Call> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.shared.lock().taps.push(tx);
        rx
    }

    /// When the update was queued and first handed out by getUpdates.
    pub fn update_times(&self, update_id: i64) -> Option<UpdateTimes> {
        self.shared.lock().update_times.get(&update_id).copied()
    }

    /// When the first getUpdates call arrived.
    pub fn first_get_updates(&self) -> Option<Instant> {
        self.shared.lock().first_get_updates
    }

    // ---- the user's side ----

    pub fn send_text(&self, user: &TgUser, text: &str) {
        self.send_text_in_chat(user, private_chat(user), text);
    }

    /// Like `send_text`; returns the update's id.
    pub fn push_text(&self, user: &TgUser, text: &str) -> i64 {
        self.push_text_in_chat(user, private_chat(user), text)
    }

    pub fn send_text_in_chat(&self, user: &TgUser, chat: Value, text: &str) {
        self.push_text_in_chat(user, chat, text);
    }

    fn push_text_in_chat(&self, user: &TgUser, chat: Value, text: &str) -> i64 {
        let mut message = self.new_message(user, chat);
        message["text"] = json!(text);
        if let Some(command) = text.strip_prefix('/') {
            let length = command.split_whitespace().next().map_or(0, |c| c.encode_utf16().count()) + 1;
            message["entities"] = json!([{ "type": "bot_command", "offset": 0, "length": length }]);
        }
        self.push_update("message", message)
    }

    pub fn send_photo(&self, user: &TgUser) {
        let mut message = self.new_message(user, private_chat(user));
        message["photo"] = json!([{ "file_id": "photo1", "file_unique_id": "u1", "width": 90, "height": 90 }]);
        self.push_update("message", message);
    }

    /// Presses a button with `data` under the bot's message `message_id` in the user's chat.
    pub fn press(&self, user: &TgUser, message_id: i64, data: &str) {
        self.push_press(user, message_id, data);
    }

    /// Like `press`; returns the update's id. The callback query's id is `cb<update id>`.
    pub fn push_press(&self, user: &TgUser, message_id: i64, data: &str) -> i64 {
        let message = self.shared.lock().messages.get(&(user.id, message_id)).cloned();
        let message = message.unwrap_or_else(|| panic!("no message {message_id} in chat {}", user.id));
        self.queue_press(user, message, data)
    }

    /// Presses a button with `data` under a message of the bot in any chat (a group chat, say),
    /// as forged data would arrive: the message need not exist.
    pub fn press_in(&self, user: &TgUser, chat: Value, data: &str) -> i64 {
        let mut inner = self.shared.lock();
        let id = inner.next_message_id;
        inner.next_message_id += 1;
        let message = json!({
            "message_id": id, "date": DATE, "chat": chat.clone(),
            "from": { "id": BOT_ID, "is_bot": true, "first_name": "Webinar" }, "text": "…",
        });
        // As if the bot had sent it: edits of it succeed.
        let chat_id = chat.get("id").and_then(Value::as_i64).unwrap_or(0);
        inner.messages.insert((chat_id, id), message.clone());
        drop(inner);
        self.queue_press(user, message, data)
    }

    /// Queues a press of a button under `message`; returns the update's id.
    fn queue_press(&self, user: &TgUser, message: Value, data: &str) -> i64 {
        let mut inner = self.shared.lock();
        let update = inner.next_update_id;
        inner.next_update_id += 1;
        let payload = json!({
            "id": format!("cb{update}"), "from": user.json(), "message": message, "chat_instance": "ci", "data": data,
        });
        inner.updates.push_back((update, json!({ "update_id": update, "callback_query": payload })));
        inner.update_times.insert(update, UpdateTimes { queued: Instant::now(), handed_out: None });
        drop(inner);
        self.shared.new_update.notify_waiters();
        update
    }

    /// Like `press`; returns the callback query's id, which the bot's `answerCallbackQuery` names.
    pub fn press_query(&self, user: &TgUser, message_id: i64, data: &str) -> String {
        format!("cb{}", self.push_press(user, message_id, data))
    }

    /// The person blocks (`kicked`) or unblocks (`member`) the bot in their private chat.
    pub fn set_membership(&self, user: &TgUser, status: &str) {
        let bot = json!({ "id": BOT_ID, "is_bot": true, "first_name": "Webinar" });
        let mut new_member = json!({ "user": bot, "status": status });
        if status == "kicked" {
            new_member["until_date"] = json!(0);
        }
        self.push_update(
            "my_chat_member",
            json!({
                "chat": private_chat(user), "from": user.json(), "date": DATE,
                "old_chat_member": { "user": bot, "status": "member" },
                "new_chat_member": new_member,
            }),
        );
    }

    fn new_message(&self, user: &TgUser, chat: Value) -> Value {
        let mut inner = self.shared.lock();
        let id = inner.next_message_id;
        inner.next_message_id += 1;
        json!({ "message_id": id, "date": DATE, "chat": chat, "from": user.json() })
    }

    fn push_update(&self, kind: &str, payload: Value) -> i64 {
        let mut inner = self.shared.lock();
        let id = inner.next_update_id;
        inner.next_update_id += 1;
        inner.updates.push_back((id, json!({ "update_id": id, kind: payload })));
        inner.update_times.insert(id, UpdateTimes { queued: Instant::now(), handed_out: None });
        drop(inner);
        self.shared.new_update.notify_waiters();
        id
    }

    // ---- faults ----

    /// The next `times` calls of `method` (any when None) to `chat_id` (any when None) fail.
    pub fn inject(&self, method: Option<&str>, chat_id: Option<i64>, fault: Fault, times: usize) {
        self.shared.lock().faults.push(FaultRule {
            method: method.map(str::to_owned),
            chat_id,
            fault,
            remaining: times,
        });
    }

    /// Removes every fault still waiting to happen: the network is back.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// getUpdates calls that were answered with a fault.
    pub fn failed_get_updates(&self) -> usize {
        self.shared.lock().failed_get_updates
    }

    /// The webhook the bot set with setWebhook: its URL and secret token.
    pub fn webhook(&self) -> Option<(String, Option<String>)> {
        self.shared.lock().webhook.clone()
    }

    /// An update as Telegram would post it to a webhook: a private message from `user`, with
    /// the bot-command entity when it starts with '/'.
    pub fn text_update(&self, user: &TgUser, text: &str) -> Value {
        let mut message = self.new_message(user, private_chat(user));
        message["text"] = json!(text);
        if let Some(command) = text.strip_prefix('/') {
            let length = command.split_whitespace().next().map_or(0, |c| c.encode_utf16().count()) + 1;
            message["entities"] = json!([{ "type": "bot_command", "offset": 0, "length": length }]);
        }
        let mut inner = self.shared.lock();
        let id = inner.next_update_id;
        inner.next_update_id += 1;
        json!({ "update_id": id, "message": message })
    }

    /// Makes every call (but getUpdates) take this long, like a real network.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().latency = latency;
    }

    /// Makes every call to `chat` take this long to answer.
    pub fn slow_chat(&self, chat: i64, latency: Duration) {
        self.shared.lock().slow_chats.insert(chat, latency);
    }

    /// Makes the next `times` calls of `method` to `chat` take `latency` to answer, while other
    /// calls go at the usual pace: a first answer held up on Telegram's side.
    pub fn slow_next(&self, method: &str, chat: i64, latency: Duration, times: usize) {
        self.shared.lock().slow_next.push((method.to_owned(), chat, latency, times));
    }

    /// Answers every waiting long poll with nothing, as a stopping bot expects.
    pub fn release_polls(&self) {
        self.shared.new_update.notify_waiters();
    }

    /// Answers every long poll at once until `resume_polls`: a stopping bot may still be backing
    /// off from a failed poll when the waiting ones are released, and its next poll must not
    /// hold the stop for a whole poll timeout.
    pub fn stop_polls(&self) {
        self.shared.lock().polls_stopped = true;
        self.release_polls();
    }

    pub fn resume_polls(&self) {
        self.shared.lock().polls_stopped = false;
    }

    // ---- what the bot did ----

    pub fn calls(&self) -> Vec<Call> {
        self.shared.lock().calls.clone()
    }

    /// A position in the call log, to wait for what comes after it.
    pub fn mark(&self) -> usize {
        self.shared.lock().calls.len()
    }

    /// Long polls waiting for updates right now.
    pub fn polls_in_flight(&self) -> usize {
        self.shared.lock().polls_in_flight
    }

    /// A message as the person sees it now (after every edit), if the bot sent it.
    pub fn message(&self, chat: i64, message_id: i64) -> Option<Value> {
        self.shared.lock().messages.get(&(chat, message_id)).cloned()
    }

    pub fn violations(&self) -> Vec<String> {
        self.shared.lock().violations.clone()
    }

    /// Waits for the first call after `mark` that `pred` accepts.
    pub async fn wait_for(&self, mark: usize, what: &str, pred: impl Fn(&Call) -> bool) -> Call {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.shared.new_call.notified();
            if let Some(call) = self.shared.lock().calls[mark..].iter().find(|c| pred(c)).cloned() {
                return call;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let seen: Vec<String> =
                    self.calls()[mark..].iter().map(|c| format!("{} {}", c.method, c.body)).collect();
                panic!("timed out waiting for {what}; calls since the mark: {seen:#?}");
            }
        }
    }

    /// The first message sent or edited in `chat` after `mark`.
    pub async fn reply_after(&self, mark: usize, chat: i64) -> Call {
        self.wait_for(mark, &format!("a message in chat {chat}"), |c| {
            matches!(c.method.as_str(), "SendMessage" | "EditMessageText" | "SendDocument") && c.chat_id() == Some(chat)
        })
        .await
    }

    /// Sends `text` as `user` and returns the bot's first answer in their chat.
    pub async fn ask(&self, user: &TgUser, text: &str) -> Call {
        let mark = self.mark();
        self.send_text(user, text);
        self.reply_after(mark, user.id).await
    }

    /// Presses a button and waits for the callback to be answered; returns that answer.
    pub async fn click(&self, user: &TgUser, message_id: i64, data: &str) -> Call {
        let mark = self.mark();
        self.press(user, message_id, data);
        self.wait_for(mark, "answerCallbackQuery", |c| c.method == "AnswerCallbackQuery").await
    }

    /// Lets the bot finish what it is doing and asserts it said nothing more to `chat`.
    pub async fn assert_silent_after(&self, mark: usize, chat: i64) {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let said: Vec<_> = self.calls()[mark..]
            .iter()
            .filter(|c| c.chat_id() == Some(chat) && c.method.starts_with("Send"))
            .map(|c| c.text().to_owned())
            .collect();
        assert!(said.is_empty(), "expected silence in chat {chat}, got {said:?}");
    }
}

pub fn private_chat(user: &TgUser) -> Value {
    json!({ "id": user.id, "type": "private", "first_name": user.first_name })
}

pub fn group_chat(id: i64, title: &str) -> Value {
    json!({ "id": id, "type": "supergroup", "title": title })
}

fn chat_for_id(id: i64) -> Value {
    if id < 0 {
        json!({ "id": id, "type": "supergroup", "title": "Group" })
    } else {
        json!({ "id": id, "type": "private", "first_name": "Listener" })
    }
}

// ---- the HTTP side ----

async fn handle(
    State(shared): State<Arc<Shared>>,
    Path((token, method)): Path<(String, String)>,
    req: Request,
) -> Response {
    serve(shared, None, token, method, req).await
}

async fn handle_via(
    State(shared): State<Arc<Shared>>,
    Path((via, token, method)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    serve(shared, Some(via), token, method, req).await
}

async fn serve(shared: Arc<Shared>, via: Option<String>, token: String, method: String, req: Request) -> Response {
    if !token.starts_with("bot") {
        return envelope_error(StatusCode::NOT_FOUND, "Not Found", None);
    }
    let at = Instant::now();
    let body = read_body(req).await;
    if method == "GetUpdates" {
        shared.lock().first_get_updates.get_or_insert(at);
        // Only a rule that names getUpdates breaks it: the long poll is not a message.
        if let Some(fault) = take_named_fault(&shared, &method) {
            shared.lock().failed_get_updates += 1;
            return fault_response(&fault).err().unwrap_or_else(|| ok(json!([])));
        }
        return get_updates(&shared, &body).await;
    }
    let latency = {
        let mut inner = shared.lock();
        let chat = body.get("chat_id").and_then(as_i64);
        let once = inner.slow_next.iter_mut().find(|(m, c, _, left)| *left > 0 && *m == method && Some(*c) == chat);
        let once = once.map(|rule| {
            rule.3 -= 1;
            rule.2
        });
        once.or_else(|| chat.and_then(|c| inner.slow_chats.get(&c).copied())).unwrap_or(inner.latency)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let fault = inside_retry_window(&shared, &method, at)
        .or_else(|| take_fault(&shared, &method, &body))
        .or_else(|| over_limits(&shared, &method, &body, at));
    if let Some(Fault::RetryAfter(secs)) = fault {
        open_retry_window(&shared, at, secs);
    }
    let handled = match &fault {
        None | Some(Fault::ResetAfterHandling) => answer(&shared, &method, &body),
        Some(fault) => fault_response(fault),
    };
    let (result, response) = match handled {
        // Done, and the answer lost on the way back.
        Ok(result) if fault.is_some() => (Some(result), broken_connection()),
        Ok(result) => (Some(result.clone()), ok(result)),
        Err(response) => (None, response),
    };
    {
        let mut inner = shared.lock();
        let seq = inner.calls.len();
        let call = Call { seq, method, body, result, fault, at, via };
        inner.taps.retain(|tap| tap.send(call.clone()).is_ok());
        inner.calls.push(call);
    }
    shared.new_call.notify_waiters();
    response
}

/// Inside an open retry window, a message gets 429 again for the time that is left.
fn inside_retry_window(shared: &Shared, method: &str, now: Instant) -> Option<Fault> {
    if !is_rate_limited(method) {
        return None;
    }
    let mut inner = shared.lock();
    let window = inner.retry_window.filter(|w| now < w.until)?;
    if now > window.opened + RETRY_WINDOW_GRACE {
        inner.sent_in_retry_window += 1;
    }
    Some(Fault::RetryAfter((window.until - now).as_secs_f64().ceil().max(1.0) as u32))
}

fn open_retry_window(shared: &Shared, now: Instant, secs: u32) {
    let until = now + Duration::from_secs(u64::from(secs));
    let mut inner = shared.lock();
    match &mut inner.retry_window {
        Some(window) if now < window.until => window.until = window.until.max(until),
        window => *window = Some(RetryWindow { opened: now, until }),
    }
}

/// A 429 from the flood limiter, when it is on and the message is over the limits.
fn over_limits(shared: &Shared, method: &str, body: &Value, now: Instant) -> Option<Fault> {
    if !is_rate_limited(method) {
        return None;
    }
    let chat = body.get("chat_id").and_then(as_i64);
    let mut inner = shared.lock();
    let paid = body.get("allow_paid_broadcast").and_then(Value::as_bool).unwrap_or(false);
    let over = inner.limiter.as_mut()?.admit(chat, paid, now).err()?;
    inner.rate_limited.push(RateLimited { at: now, over });
    Some(Fault::RetryAfter(over.retry_after()))
}

async fn read_body(req: Request) -> Value {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if is_multipart {
        let mut fields = serde_json::Map::new();
        if let Ok(mut multipart) = Multipart::from_request(req, &()).await {
            while let Ok(Some(field)) = multipart.next_field().await {
                let name = field.name().unwrap_or("").to_owned();
                let file_name = field.file_name().map(str::to_owned);
                let data = field.bytes().await.unwrap_or_default();
                let text = String::from_utf8_lossy(&data).into_owned();
                let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
                if let Some(file_name) = file_name {
                    fields.insert(format!("{name}_file_name"), json!(file_name));
                    // The text above is lossy for a binary file (a spreadsheet, a picture).
                    fields.insert(format!("{name}_base64"), json!(STANDARD.encode(&data)));
                }
                fields.insert(name, value);
            }
        }
        return resolve_attachments(fields);
    }
    let bytes = axum::body::to_bytes(req.into_body(), 16 * 1024 * 1024).await.unwrap_or_default();
    serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({}))
}

/// teloxide sends files as `"document": "attach://<part>"` plus a part of that name: fold the
/// part back into the field, with its file name beside it as `<field>_file_name`.
fn resolve_attachments(mut fields: serde_json::Map<String, Value>) -> Value {
    let references: Vec<(String, String)> = fields
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.strip_prefix("attach://")?.to_owned())))
        .collect();
    for (field, part) in references {
        if let Some(content) = fields.remove(&part) {
            fields.insert(field.clone(), content);
        }
        for suffix in ["_file_name", "_base64"] {
            if let Some(value) = fields.remove(&format!("{part}{suffix}")) {
                fields.insert(format!("{field}{suffix}"), value);
            }
        }
    }
    Value::Object(fields)
}

async fn get_updates(shared: &Arc<Shared>, body: &Value) -> Response {
    if shared.lock().polls_in_flight > 0 {
        shared.lock().get_updates_conflicts += 1;
        return envelope_error(
            StatusCode::CONFLICT,
            "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            None,
        );
    }
    let offset = body.get("offset").and_then(as_i64).unwrap_or(0);
    let timeout = body.get("timeout").and_then(as_i64).unwrap_or(0).clamp(0, 60) as u64;
    let limit = body.get("limit").and_then(as_i64).unwrap_or(100).clamp(1, 100) as usize;
    let notified = shared.new_update.notified();
    tokio::pin!(notified);
    notified.as_mut().enable();
    // Updates below the offset are confirmed: Telegram forgets them.
    let pending = take_pending(shared, offset, limit);
    if !pending.is_empty() || timeout == 0 || shared.lock().polls_stopped {
        return ok(Value::Array(pending));
    }
    let _in_flight = PollGuard::enter(shared);
    let _ = tokio::time::timeout(Duration::from_secs(timeout), notified).await;
    ok(Value::Array(take_pending(shared, offset, limit)))
}

/// Counts a waiting long poll, also when the client hangs up mid-wait.
struct PollGuard<'a>(&'a Shared);

impl<'a> PollGuard<'a> {
    fn enter(shared: &'a Shared) -> Self {
        shared.lock().polls_in_flight += 1;
        Self(shared)
    }
}

impl Drop for PollGuard<'_> {
    fn drop(&mut self) {
        self.0.lock().polls_in_flight -= 1;
    }
}

fn take_pending(shared: &Shared, offset: i64, limit: usize) -> Vec<Value> {
    let mut inner = shared.lock();
    inner.updates.retain(|(id, _)| *id >= offset);
    let now = Instant::now();
    let taken: Vec<(i64, Value)> = inner.updates.iter().take(limit).cloned().collect();
    for (id, _) in &taken {
        if let Some(times) = inner.update_times.get_mut(id) {
            times.handed_out.get_or_insert(now);
        }
    }
    taken.into_iter().map(|(_, u)| u).collect()
}

fn take_named_fault(shared: &Shared, method: &str) -> Option<Fault> {
    let mut inner = shared.lock();
    let rule = inner.faults.iter_mut().find(|r| r.remaining > 0 && r.method.as_deref() == Some(method))?;
    rule.remaining -= 1;
    Some(rule.fault.clone())
}

fn take_fault(shared: &Shared, method: &str, body: &Value) -> Option<Fault> {
    let chat = body.get("chat_id").and_then(as_i64);
    let mut inner = shared.lock();
    let rule = inner.faults.iter_mut().find(|r| {
        r.remaining > 0 && r.method.as_deref().is_none_or(|m| m == method) && r.chat_id.is_none_or(|c| Some(c) == chat)
    })?;
    rule.remaining -= 1;
    Some(rule.fault.clone())
}

fn fault_response(fault: &Fault) -> Result<Value, Response> {
    Err(match fault {
        Fault::RetryAfter(secs) => envelope_error(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("Too Many Requests: retry after {secs}"),
            Some(json!({ "retry_after": secs })),
        ),
        Fault::Blocked => envelope_error(StatusCode::FORBIDDEN, "Forbidden: bot was blocked by the user", None),
        Fault::Deactivated => envelope_error(StatusCode::FORBIDDEN, "Forbidden: user is deactivated", None),
        Fault::ChatNotFound => envelope_error(StatusCode::BAD_REQUEST, "Bad Request: chat not found", None),
        Fault::BadRequest(description) => envelope_error(StatusCode::BAD_REQUEST, description, None),
        Fault::MigratedTo(id) => envelope_error(
            StatusCode::BAD_REQUEST,
            "Bad Request: group chat was upgraded to a supergroup chat",
            Some(json!({ "migrate_to_chat_id": id })),
        ),
        Fault::Network | Fault::ResetAfterHandling => broken_connection(),
        Fault::BadGateway => envelope_error(StatusCode::BAD_GATEWAY, "Bad Gateway", None),
        Fault::BadGatewayHtml => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n",
        )
            .into_response(),
        Fault::MalformedJson => {
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], r#"{"ok":true,"result":{"message_id":"#)
                .into_response()
        }
        Fault::Unauthorized => envelope_error(StatusCode::UNAUTHORIZED, "Unauthorized", None),
    })
}

/// A response whose body fails mid-stream, so the client sees a network error.
fn broken_connection() -> Response {
    let stream = futures::stream::once(async { Err::<Bytes, std::io::Error>(std::io::Error::other("dropped")) });
    Response::builder().status(StatusCode::OK).body(Body::from_stream(stream)).expect("response")
}

fn answer(shared: &Shared, method: &str, body: &Value) -> Result<Value, Response> {
    match method {
        "GetMe" => Ok(json!({
            "id": BOT_ID, "is_bot": true, "first_name": "Webinar", "username": BOT_USERNAME,
            "can_join_groups": true, "can_read_all_group_messages": false,
            "supports_inline_queries": false, "can_connect_to_business": false, "has_main_web_app": false,
        })),
        "GetWebhookInfo" => {
            let url = shared.lock().webhook.as_ref().map(|(url, _)| url.clone()).unwrap_or_default();
            Ok(json!({ "url": url, "has_custom_certificate": false, "pending_update_count": 0 }))
        }
        "SetWebhook" => {
            let Some(url) = body.get("url").and_then(Value::as_str).filter(|u| u.starts_with("https://")) else {
                return Err(reject(shared, method, "bad webhook: an HTTPS URL must be provided for webhook".into()));
            };
            let secret = body.get("secret_token").and_then(Value::as_str).map(str::to_owned);
            shared.lock().webhook = Some((url.to_owned(), secret));
            Ok(json!(true))
        }
        "DeleteWebhook" => {
            shared.lock().webhook = None;
            Ok(json!(true))
        }
        "SetMyCommands" | "AnswerCallbackQuery" | "DeleteMessage" => {
            check_callback_answer(body).map_err(|e| reject(shared, method, e))?;
            Ok(json!(true))
        }
        "SendMessage" | "SendDocument" | "SendPhoto" => {
            check_message(body).map_err(|e| reject(shared, method, e))?;
            Ok(store_message(shared, body, None))
        }
        "EditMessageText" | "EditMessageReplyMarkup" => {
            check_message(body).map_err(|e| reject(shared, method, e))?;
            let chat = body.get("chat_id").and_then(as_i64).unwrap_or(0);
            let id = body.get("message_id").and_then(as_i64).unwrap_or(0);
            if !shared.lock().messages.contains_key(&(chat, id)) {
                return Err(envelope_error(StatusCode::BAD_REQUEST, "Bad Request: message to edit not found", None));
            }
            Ok(store_message(shared, body, Some(id)))
        }
        other => Err(reject(shared, other, format!("method {other} is not known to the fake"))),
    }
}

fn reject(shared: &Shared, method: &str, problem: String) -> Response {
    shared.lock().violations.push(format!("{method}: {problem}"));
    envelope_error(StatusCode::BAD_REQUEST, &format!("Bad Request: {problem}"), None)
}

/// Saves the message the bot sent (or edited) so buttons under it can be pressed.
fn store_message(shared: &Shared, body: &Value, edit_of: Option<i64>) -> Value {
    let chat = body.get("chat_id").and_then(as_i64).unwrap_or(0);
    let mut inner = shared.lock();
    let id = edit_of.unwrap_or_else(|| {
        let id = inner.next_message_id;
        inner.next_message_id += 1;
        id
    });
    let mut message = inner
        .messages
        .get(&(chat, id))
        .cloned()
        .unwrap_or_else(|| json!({ "message_id": id, "date": DATE, "chat": chat_for_id(chat) }));
    message["from"] = json!({ "id": BOT_ID, "is_bot": true, "first_name": "Webinar", "username": BOT_USERNAME });
    if let Some(text) = body.get("text") {
        message["text"] = text.clone();
    }
    if let Some(caption) = body.get("caption") {
        message["caption"] = caption.clone();
    }
    if body.get("document").is_some() {
        let name = body.get("document_file_name").cloned().unwrap_or(json!("file"));
        message["document"] =
            json!({ "file_id": format!("doc{id}"), "file_unique_id": format!("d{id}"), "file_name": name });
    }
    match body.get("reply_markup") {
        Some(markup) if markup.get("inline_keyboard").is_some() => message["reply_markup"] = markup.clone(),
        _ if edit_of.is_some() => {
            // Telegram drops the keyboard of an edited message unless the edit repeats it
            // (editMessageReplyMarkup without a markup is how a keyboard is taken away).
            if let Some(object) = message.as_object_mut() {
                object.remove("reply_markup");
            }
        }
        _ => {}
    }
    inner.messages.insert((chat, id), message.clone());
    message
}

fn ok(result: Value) -> Response {
    (StatusCode::OK, axum::Json(json!({ "ok": true, "result": result }))).into_response()
}

fn envelope_error(status: StatusCode, description: &str, parameters: Option<Value>) -> Response {
    let mut body = json!({ "ok": false, "error_code": status.as_u16(), "description": description });
    if let Some(parameters) = parameters {
        body["parameters"] = parameters;
    }
    (status, axum::Json(body)).into_response()
}

// ---- Telegram's limits, checked on every call ----

const MAX_TEXT: usize = 4096;
const MAX_CAPTION: usize = 1024;
const MAX_CALLBACK_DATA: usize = 64;
const MAX_CALLBACK_ANSWER: usize = 200;

fn check_callback_answer(body: &Value) -> Result<(), String> {
    match body.get("text").and_then(Value::as_str) {
        Some(text) if text.chars().count() > MAX_CALLBACK_ANSWER => {
            Err(format!("callback answer of {} characters", text.chars().count()))
        }
        _ => Ok(()),
    }
}

fn check_message(body: &Value) -> Result<(), String> {
    let html = body.get("parse_mode").and_then(Value::as_str) == Some("HTML");
    for (field, limit) in [("text", MAX_TEXT), ("caption", MAX_CAPTION)] {
        let Some(text) = body.get(field).and_then(Value::as_str) else { continue };
        let visible = if html { html_visible_text(text)? } else { text.to_owned() };
        let length = visible.encode_utf16().count();
        if visible.trim().is_empty() && field == "text" {
            return Err("message text is empty".into());
        }
        if length > limit {
            return Err(format!("{field} is too long: {length} > {limit}"));
        }
    }
    let rows = body.pointer("/reply_markup/inline_keyboard").and_then(Value::as_array);
    for button in rows.into_iter().flatten().filter_map(Value::as_array).flatten() {
        if button["text"].as_str().is_none_or(str::is_empty) {
            return Err("a button has no text".into());
        }
        if let Some(data) = button.get("callback_data").and_then(Value::as_str)
            && (data.is_empty() || data.len() > MAX_CALLBACK_DATA)
        {
            return Err(format!("callback data of {} bytes: {data:?}", data.len()));
        }
        if let Some(url) = button.get("url").and_then(Value::as_str)
            && !(url.starts_with("https://") || url.starts_with("http://") || url.starts_with("tg://"))
        {
            return Err(format!("button url {url:?} is not a URL"));
        }
    }
    Ok(())
}

/// Parses Telegram's HTML subset; returns the visible text or why Telegram would refuse it.
pub fn html_visible_text(text: &str) -> Result<String, String> {
    const TAGS: [&str; 16] = [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "span",
        "blockquote",
        "tg-emoji",
    ];
    let mut visible = String::new();
    let mut open: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                let end = rest.find('>').ok_or("can't parse entities: unclosed tag")?;
                let tag = &rest[1..end];
                let (closing, tag) = match tag.strip_prefix('/') {
                    Some(t) => (true, t),
                    None => (false, tag),
                };
                let name = tag.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
                if !TAGS.contains(&name.as_str()) {
                    return Err(format!("can't parse entities: unsupported start tag {name:?}"));
                }
                if closing {
                    if open.pop().as_deref() != Some(name.as_str()) {
                        return Err(format!("can't parse entities: unmatched end tag {name:?}"));
                    }
                } else {
                    open.push(name);
                }
                rest = &rest[end + 1..];
            }
            '&' => {
                let end = rest.find(';').filter(|e| *e <= 10).ok_or("can't parse entities: bare &")?;
                let entity = &rest[1..end];
                let decoded = match entity {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    e if e.starts_with('#') => e[1..]
                        .parse::<u32>()
                        .ok()
                        .and_then(char::from_u32)
                        .ok_or("can't parse entities: bad numeric entity")?,
                    _ => return Err(format!("can't parse entities: unknown entity &{entity};")),
                };
                visible.push(decoded);
                rest = &rest[end + 1..];
            }
            _ => {
                visible.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if let Some(tag) = open.pop() {
        return Err(format!("can't parse entities: tag {tag:?} is not closed"));
    }
    Ok(visible)
}
