//! The one send budget: every message the bot sends or edits, a reply to a person or a reminder to
//! a thousand listeners, takes a slot here first, so Telegram's limits hold for the whole bot.
//!
//! Telegram counts per bot, not per caller: about 30 messages a second overall, about one a second
//! in a private chat (short bursts tolerated), 20 a minute in a group. A 429 says how long to wait,
//! and it is the bot that must wait, so one `retry_after` pauses every lane. Replies to people go
//! ahead of bulk traffic: a person tapping through a dialogue should not queue behind a fan-out.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use teloxide::types::ChatId;
use tokio::sync::{Notify, oneshot};
use tokio::time::Instant;

/// Telegram's sending limits, as the bot keeps to them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Messages a second to all chats together.
    pub overall_per_sec: f64,
    /// Messages a second to one private chat on average, and how many may go at once: Telegram
    /// asks for about one a second in a chat and tolerates short bursts, so a bucket of this
    /// shape. A person tapping through a dialogue gets each answer at once; a chat pressed faster
    /// than this waits its turn instead of drawing a 429 that would pause the whole bot.
    pub private_per_sec: f64,
    pub private_burst: f64,
    /// Messages to one group chat in any minute.
    pub group_per_min: usize,
    /// Paid broadcasts a second, on top of the overall rate and paced apart from it; None: off.
    pub paid_per_sec: Option<f64>,
}

impl Limits {
    /// Telegram's limits with the configured overall rate.
    pub fn telegram(overall_per_sec: u32) -> Self {
        Self {
            overall_per_sec: f64::from(overall_per_sec.max(1)),
            private_per_sec: 1.0,
            private_burst: 3.0,
            group_per_min: 20,
            paid_per_sec: None,
        }
    }

    /// A short burst overall, a tenth of a second of the rate: enough to absorb the pacer waking
    /// late, never enough to look like a flood.
    fn overall_burst(&self) -> f64 {
        (self.overall_per_sec / 10.0).max(1.0)
    }

    fn paid_burst(&self) -> f64 {
        (self.paid_per_sec.unwrap_or(0.0) / 10.0).max(1.0)
    }

    fn private_capacity(&self) -> f64 {
        self.private_burst.max(1.0)
    }

    /// Tokens a private chat's bucket must hold before a message goes: one, and `CHAT_SLACK`'s
    /// worth.
    fn private_need(&self) -> f64 {
        1.0 + CHAT_SLACK.as_secs_f64() * self.private_per_sec
    }

    /// A group's window: so many messages in any minute.
    fn group_window(&self) -> Window {
        Window { limit: self.group_per_min, span: Duration::from_secs(60) }
    }
}

/// How much later than its own limit a message to one chat goes. The budget counts a message when
/// it lets it go, Telegram when it arrives; a message held up on the way (a busy runtime, a new
/// connection) makes the next one to the same chat arrive early by as much, and a 429 for one
/// chat pauses the whole bot. Only a chat already at its limit waits this long.
const CHAT_SLACK: Duration = Duration::from_millis(25);

/// Who is waiting for a slot. Replies go first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    /// An answer to a person who wrote or pressed a button just now.
    Reply,
    /// Invitations, reminders, notices and card edits of the delivery engine.
    Bulk,
    /// Reminders sent as paid broadcasts: their own overall rate, the chats' limits as ever.
    Paid,
}

/// A cheap handle; clones share one budget.
#[derive(Clone)]
pub struct SendBudget {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    changed: Arc<Notify>,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl SendBudget {
    /// Starts the budget's pacer on the current tokio runtime.
    pub fn start(limits: Limits) -> Self {
        let changed = Arc::new(Notify::new());
        let shared =
            Arc::new(Shared { state: Mutex::new(State::new(limits, Instant::now())), changed: changed.clone() });
        tokio::spawn(pace(Arc::downgrade(&shared), changed));
        Self { shared }
    }

    pub fn limits(&self) -> Limits {
        self.shared.lock().gate.limits
    }

    /// Waits until a message to `chat` may go. Dropping the future gives the place up.
    pub async fn acquire(&self, lane: Lane, chat: Option<ChatId>) {
        let (grant, granted) = oneshot::channel();
        self.shared.lock().queue(lane).push_back(Waiter { chat, grant });
        self.shared.changed.notify_one();
        // The pacer only drops a waiter whose receiver is gone, so an error cannot happen while
        // we wait; should the pacer be gone, sending unpaced beats hanging.
        let _ = granted.await;
    }

    /// Telegram said "retry after": nothing goes out, in any lane, until then.
    pub fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut state = self.shared.lock();
        if state.gate.paused_until.is_none_or(|current| current < until) {
            tracing::warn!(seconds = wait.as_secs_f64(), "Telegram asked the bot to slow down; every send waits");
            state.gate.paused_until = Some(until);
        }
        drop(state);
        self.shared.changed.notify_one();
    }

    /// Messages waiting for a slot, replies and bulk.
    pub fn waiting(&self) -> (usize, usize) {
        let state = self.shared.lock();
        (state.replies.len(), state.bulk.len())
    }

    /// Replies let go a second, over the last half minute: how busy people keep the bot.
    pub fn replies_per_sec(&self) -> f64 {
        let mut state = self.shared.lock();
        state.forget_old_replies(Instant::now());
        state.recent_replies.len() as f64 / REPLY_WINDOW.as_secs_f64()
    }
}

/// Lets waiters go as slots open; ends when the last handle of the budget is gone.
async fn pace(shared: Weak<Shared>, changed: Arc<Notify>) {
    // A pacer asleep with nobody waiting re-checks now and then that its budget still exists.
    const IDLE: Duration = Duration::from_secs(1);
    loop {
        let woken = changed.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let next = {
            let Some(shared) = shared.upgrade() else { return };
            shared.lock().release(Instant::now())
        };
        let until = next.unwrap_or_else(|| Instant::now() + IDLE);
        tokio::select! {
            _ = tokio::time::sleep_until(until) => {}
            _ = &mut woken => {}
        }
    }
}

struct Waiter {
    chat: Option<ChatId>,
    grant: oneshot::Sender<()>,
}

/// The span over which the reply rate is measured.
const REPLY_WINDOW: Duration = Duration::from_secs(30);

struct State {
    gate: Gate,
    replies: VecDeque<Waiter>,
    bulk: VecDeque<Waiter>,
    paid: VecDeque<Waiter>,
    /// When replies were let go, over the last `REPLY_WINDOW`.
    recent_replies: VecDeque<Instant>,
}

impl State {
    fn new(limits: Limits, now: Instant) -> Self {
        Self {
            gate: Gate::new(limits, now),
            replies: VecDeque::new(),
            bulk: VecDeque::new(),
            paid: VecDeque::new(),
            recent_replies: VecDeque::new(),
        }
    }

    fn forget_old_replies(&mut self, now: Instant) {
        while self.recent_replies.front().is_some_and(|at| *at + REPLY_WINDOW <= now) {
            self.recent_replies.pop_front();
        }
    }

    fn queue(&mut self, lane: Lane) -> &mut VecDeque<Waiter> {
        match lane {
            Lane::Reply => &mut self.replies,
            Lane::Bulk => &mut self.bulk,
            Lane::Paid => &mut self.paid,
        }
    }

    /// Lets go every waiter that may send now, replies first, each lane in its order except that
    /// a chat at its own limit does not hold up the others. Returns when the next could go.
    fn release(&mut self, now: Instant) -> Option<Instant> {
        let mut next: Option<Instant> = None;
        for lane in [Lane::Reply, Lane::Bulk, Lane::Paid] {
            let mut i = 0;
            while i < self.queue(lane).len() {
                let waiter = &self.queue(lane)[i];
                if waiter.grant.is_closed() {
                    self.queue(lane).remove(i);
                    continue;
                }
                let chat = waiter.chat;
                let at = self.gate.ready_at(lane, chat, now);
                if at <= now {
                    self.gate.take(lane, chat, now);
                    if let Some(waiter) = self.queue(lane).remove(i) {
                        let _ = waiter.grant.send(());
                    }
                    if lane == Lane::Reply {
                        self.recent_replies.push_back(now);
                        self.forget_old_replies(now);
                    }
                    continue;
                }
                next = Some(next.map_or(at, |n| n.min(at)));
                if self.gate.blocked_for_all(lane, now) {
                    break;
                }
                i += 1;
            }
        }
        next
    }
}

/// The overall limits and the private chats' as token buckets, the groups' as exact windows over
/// recent sends.
struct Gate {
    limits: Limits,
    overall: Bucket,
    /// Paid broadcasts' own overall bucket.
    paid: Bucket,
    chats: HashMap<ChatId, ChatPace>,
    paused_until: Option<Instant>,
}

/// Above this many remembered chats, those with nothing in the last minute are forgotten.
const CHATS_REMEMBERED: usize = 4096;

impl Gate {
    fn new(limits: Limits, now: Instant) -> Self {
        Self {
            overall: Bucket::full(limits.overall_burst(), now),
            paid: Bucket::full(limits.paid_burst(), now),
            limits,
            chats: HashMap::new(),
            paused_until: None,
        }
    }

    /// Nothing more of `lane` may go before then: a pause, or its overall bucket is empty.
    fn blocked_for_all(&mut self, lane: Lane, now: Instant) -> bool {
        let overall = self.overall_ready_at(lane, now);
        overall > now || self.paused_until.is_some_and(|until| until > now)
    }

    /// Paid broadcasts have a bucket of their own when they are on; otherwise they are bulk.
    fn overall_ready_at(&mut self, lane: Lane, now: Instant) -> Instant {
        match (lane, self.limits.paid_per_sec) {
            (Lane::Paid, Some(rate)) => self.paid.ready_at(self.limits.paid_burst(), rate, now),
            _ => self.overall.ready_at(self.limits.overall_burst(), self.limits.overall_per_sec, now),
        }
    }

    /// When a message of `lane` to `chat` may go.
    fn ready_at(&mut self, lane: Lane, chat: Option<ChatId>, now: Instant) -> Instant {
        let mut at = self.overall_ready_at(lane, now);
        if let Some(until) = self.paused_until {
            at = at.max(until);
        }
        if let Some(chat) = chat
            && let Some(pace) = self.chats.get_mut(&chat)
        {
            at = at.max(pace.ready_at(&self.limits, now));
        }
        at
    }

    fn take(&mut self, lane: Lane, chat: Option<ChatId>, now: Instant) {
        match (lane, self.limits.paid_per_sec) {
            (Lane::Paid, Some(_)) => self.paid.tokens -= 1.0,
            _ => self.overall.tokens -= 1.0,
        }
        if let Some(chat) = chat {
            let limits = self.limits;
            self.chats.entry(chat).or_insert_with(|| ChatPace::new(chat, &limits, now)).take(&limits, now);
            if self.chats.len() > CHATS_REMEMBERED {
                self.forget_idle_chats(now);
            }
        }
    }

    fn forget_idle_chats(&mut self, now: Instant) {
        let limits = self.limits;
        self.chats.retain(|_, pace| !pace.is_idle(&limits, now));
    }
}

/// How one chat's messages are paced: a private chat by a bucket, a group by a window.
enum ChatPace {
    Private(Bucket),
    Group(Recent),
}

impl ChatPace {
    fn new(chat: ChatId, limits: &Limits, now: Instant) -> Self {
        if chat.is_user() {
            ChatPace::Private(Bucket::full(limits.private_capacity(), now))
        } else {
            ChatPace::Group(Recent::default())
        }
    }

    fn ready_at(&mut self, limits: &Limits, now: Instant) -> Instant {
        match self {
            ChatPace::Private(bucket) => {
                bucket.ready_for(limits.private_need(), limits.private_capacity(), limits.private_per_sec, now)
            }
            ChatPace::Group(recent) => recent.ready_at(limits.group_window(), now),
        }
    }

    fn take(&mut self, limits: &Limits, now: Instant) {
        match self {
            ChatPace::Private(bucket) => {
                bucket.ready_at(limits.private_capacity(), limits.private_per_sec, now);
                bucket.tokens -= 1.0;
            }
            ChatPace::Group(recent) => recent.record(limits.group_window(), now),
        }
    }

    /// Nothing sent lately holds a message back: the chat may be forgotten.
    fn is_idle(&mut self, limits: &Limits, now: Instant) -> bool {
        match self {
            ChatPace::Private(bucket) => {
                let capacity = limits.private_capacity();
                bucket.ready_at(capacity, limits.private_per_sec, now);
                bucket.tokens >= capacity
            }
            ChatPace::Group(recent) => {
                recent.forget_before(limits.group_window(), now);
                recent.sent.is_empty()
            }
        }
    }
}

/// So many messages in any span of this length.
#[derive(Clone, Copy)]
struct Window {
    limit: usize,
    span: Duration,
}

/// When the last messages to one chat went, oldest first.
#[derive(Default)]
struct Recent {
    sent: VecDeque<Instant>,
}

impl Recent {
    /// When one more message fits the window: if it holds `limit` already, once the oldest of
    /// those leaves it.
    fn ready_at(&self, window: Window, now: Instant) -> Instant {
        match self.sent.len().checked_sub(window.limit.max(1)) {
            Some(kept) => (self.sent[kept] + window.span + CHAT_SLACK).max(now),
            None => now,
        }
    }

    fn record(&mut self, window: Window, now: Instant) {
        self.sent.push_back(now);
        // Only the last `limit` sends can ever hold a message back.
        while self.sent.len() > window.limit.max(1) {
            self.sent.pop_front();
        }
    }

    fn forget_before(&mut self, window: Window, now: Instant) {
        while self.sent.front().is_some_and(|at| *at + window.span <= now) {
            self.sent.pop_front();
        }
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

    /// When the bucket holds a whole token.
    fn ready_at(&mut self, capacity: f64, rate: f64, now: Instant) -> Instant {
        self.ready_for(1.0, capacity, rate, now)
    }

    /// When the bucket holds `need` tokens (at most its capacity).
    fn ready_for(&mut self, need: f64, capacity: f64, rate: f64, now: Instant) -> Instant {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(capacity);
        self.at = now;
        let need = need.min(capacity);
        if self.tokens >= need { now } else { now + Duration::from_secs_f64((need - self.tokens) / rate) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(rate: f64) -> Limits {
        Limits {
            overall_per_sec: rate,
            private_per_sec: 1.0,
            private_burst: 3.0,
            group_per_min: 20,
            paid_per_sec: None,
        }
    }

    /// Queues waiters and returns their receivers.
    fn wait(state: &mut State, lane: Lane, chats: &[i64]) -> Vec<oneshot::Receiver<()>> {
        chats
            .iter()
            .map(|chat| {
                let (grant, granted) = oneshot::channel();
                state.queue(lane).push_back(Waiter { chat: Some(ChatId(*chat)), grant });
                granted
            })
            .collect()
    }

    fn granted(receivers: &mut [oneshot::Receiver<()>]) -> usize {
        receivers.iter_mut().map(|r| r.try_recv()).filter(Result::is_ok).count()
    }

    /// Runs the pacer by hand over `seconds`, waking whenever it asks.
    fn run(state: &mut State, start: Instant, seconds: f64) {
        let end = start + Duration::from_secs_f64(seconds);
        let mut now = start;
        while let Some(next) = state.release(now).filter(|next| *next <= end) {
            now = next.max(now + Duration::from_micros(1));
        }
    }

    #[test]
    fn the_overall_rate_holds_over_a_second() {
        let start = Instant::now();
        let mut state = State::new(limits(30.0), start);
        let chats: Vec<i64> = (1..=200).collect();
        let mut bulk = wait(&mut state, Lane::Bulk, &chats);
        run(&mut state, start, 1.0);
        // The burst (3) plus a second of the rate (30), give or take the last slot's rounding.
        assert!((32..=33).contains(&granted(&mut bulk)));
    }

    #[test]
    fn replies_go_before_bulk() {
        let start = Instant::now();
        let mut state = State::new(limits(10.0), start);
        let mut bulk = wait(&mut state, Lane::Bulk, &(1..=50).collect::<Vec<_>>());
        state.release(start);
        assert_eq!(granted(&mut bulk), 1, "the burst of one went to bulk");
        let mut replies = wait(&mut state, Lane::Reply, &[900, 901]);
        run(&mut state, start, 0.2);
        assert_eq!(granted(&mut replies), 2, "both replies got the next two slots");
        assert_eq!(granted(&mut bulk), 0, "bulk waited behind them");
    }

    #[test]
    fn a_busy_chat_does_not_hold_up_the_others() {
        let start = Instant::now();
        let mut state = State::new(limits(100.0), start);
        // Five messages to one person, then one each to two others.
        let mut same = wait(&mut state, Lane::Bulk, &[7, 7, 7, 7, 7]);
        let mut others = wait(&mut state, Lane::Bulk, &[8, 9]);
        state.release(start);
        assert_eq!(granted(&mut others), 2, "the others went past the busy chat");
        // Each run goes on from where the last ended: a bucket must not see time go back.
        let at = |seconds: f64| start + Duration::from_secs_f64(seconds);
        run(&mut state, start, 0.1);
        assert_eq!(granted(&mut same), 3, "a burst of three in a private chat");
        run(&mut state, at(0.1), 0.9);
        assert_eq!(granted(&mut same), 0);
        run(&mut state, at(1.0), 0.1);
        assert_eq!(granted(&mut same), 1, "then one a second");
        run(&mut state, at(1.1), 1.0);
        assert_eq!(granted(&mut same), 1);
    }

    #[test]
    fn a_private_chat_gets_a_burst_then_one_a_second() {
        let start = Instant::now();
        let mut state = State::new(limits(100.0), start);
        let mut chat = wait(&mut state, Lane::Bulk, &[7; 100]);
        run(&mut state, start, 59.5);
        assert_eq!(granted(&mut chat), 3 + 59);
    }

    #[test]
    fn a_quiet_private_chat_gets_its_burst_back() {
        let start = Instant::now();
        let mut state = State::new(limits(100.0), start);
        let mut first = wait(&mut state, Lane::Bulk, &[7; 3]);
        run(&mut state, start, 0.1);
        assert_eq!(granted(&mut first), 3);
        let later = start + Duration::from_secs(3);
        let mut second = wait(&mut state, Lane::Bulk, &[7; 4]);
        run(&mut state, later, 0.1);
        assert_eq!(granted(&mut second), 3, "three seconds refill the burst, and no more");
    }

    /// Telegram judges a message when it arrives. However a chat's messages are held up on the
    /// way, by less than `CHAT_SLACK` each, Telegram's bucket of a chat at its limit still holds a
    /// token for every one of them.
    #[test]
    fn a_chat_at_its_limit_keeps_to_it_as_telegram_sees_it() {
        let start = Instant::now();
        let mut state = State::new(limits(100.0), start);
        let mut chat = wait(&mut state, Lane::Reply, &[7; 12]);
        let mut granted_at = Vec::new();
        let mut now = start;
        while granted_at.len() < chat.len() {
            let next = state.release(now);
            granted_at.extend(std::iter::repeat_n(now, granted(&mut chat)));
            now = next.map_or(now, |next| next.max(now + Duration::from_micros(1)));
        }
        // The worst case: Telegram starts counting from the first messages, held up almost the
        // whole slack, and every later one arrives at once, so looks early by as much.
        let held_up = CHAT_SLACK - Duration::from_millis(1);
        let mut arrivals: Vec<Instant> =
            granted_at.iter().enumerate().map(|(i, at)| if i < 3 { *at + held_up } else { *at }).collect();
        arrivals.sort();
        let mut telegram = Bucket::full(3.0, start);
        for (i, at) in arrivals.into_iter().enumerate() {
            assert_eq!(telegram.ready_at(3.0, 1.0, at), at, "message {i} would draw a 429");
            telegram.tokens -= 1.0;
        }
    }

    #[test]
    fn a_group_gets_twenty_a_minute() {
        let start = Instant::now();
        let mut state = State::new(limits(100.0), start);
        let mut group = wait(&mut state, Lane::Bulk, &[-100_500; 40]);
        run(&mut state, start, 59.9);
        assert_eq!(granted(&mut group), 20);
    }

    #[test]
    fn a_pause_stops_every_lane_until_it_ends() {
        let start = Instant::now();
        let mut state = State::new(limits(100.0), start);
        state.gate.paused_until = Some(start + Duration::from_secs(3));
        let mut bulk = wait(&mut state, Lane::Bulk, &[1, 2]);
        let mut replies = wait(&mut state, Lane::Reply, &[3]);
        assert_eq!(state.release(start), Some(start + Duration::from_secs(3)));
        run(&mut state, start, 2.9);
        assert_eq!(granted(&mut bulk) + granted(&mut replies), 0);
        run(&mut state, start + Duration::from_secs(3), 0.1);
        assert_eq!(granted(&mut replies), 1);
        assert_eq!(granted(&mut bulk), 2);
    }

    #[test]
    fn paid_broadcasts_have_their_own_rate() {
        let start = Instant::now();
        let mut state = State::new(Limits { paid_per_sec: Some(100.0), ..limits(10.0) }, start);
        let mut bulk = wait(&mut state, Lane::Bulk, &(1..=50).collect::<Vec<_>>());
        let mut paid = wait(&mut state, Lane::Paid, &(101..=250).collect::<Vec<_>>());
        run(&mut state, start, 1.0);
        // Each its own burst (1 and 10) and a second of its rate.
        assert!((10..=11).contains(&granted(&mut bulk)));
        assert!((109..=110).contains(&granted(&mut paid)));
    }

    #[test]
    fn the_reply_rate_counts_the_last_half_minute() {
        let start = Instant::now();
        let mut state = State::new(limits(100.0), start);
        let mut replies = wait(&mut state, Lane::Reply, &(1..=60).collect::<Vec<_>>());
        run(&mut state, start, 1.0);
        assert_eq!(granted(&mut replies), 60);
        assert_eq!(state.recent_replies.len(), 60);
        state.forget_old_replies(start + Duration::from_secs(31));
        assert!(state.recent_replies.is_empty());
    }

    #[test]
    fn a_waiter_that_gave_up_takes_no_slot() {
        let start = Instant::now();
        let mut state = State::new(limits(1.0), start);
        let gone = wait(&mut state, Lane::Bulk, &[1]);
        drop(gone);
        let mut next = wait(&mut state, Lane::Bulk, &[2]);
        state.release(start);
        assert_eq!(granted(&mut next), 1);
        assert!(state.bulk.is_empty());
    }
}
