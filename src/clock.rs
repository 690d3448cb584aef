//! Time as an injected dependency, so tests move it instead of sleeping.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;

    /// Resolves once `now() >= deadline`.
    fn sleep_until(&self, deadline: DateTime<Utc>) -> BoxFuture<'static, ()>;
}

pub type SharedClock = Arc<dyn Clock>;

/// Runs a background task's turns until `shutdown`: each turn says when the next one is due
/// (None: only when woken), and a `wake` in the middle of a turn is not lost, because it is
/// listened for before the turn begins.
pub async fn run_turns<F, Fut>(
    clock: &SharedClock,
    wake: &tokio::sync::Notify,
    shutdown: CancellationToken,
    mut turn: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<DateTime<Utc>>>,
{
    while !shutdown.is_cancelled() {
        let woken = wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let next = turn().await;
        let sleep = async {
            match next {
                Some(at) => clock.sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = sleep => {}
            _ = &mut woken => {}
            _ = shutdown.cancelled() => break,
        }
    }
}

/// The wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, deadline: DateTime<Utc>) -> BoxFuture<'static, ()> {
        let wait = (deadline - Utc::now()).to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep(wait))
    }
}

/// A clock that only moves when told to.
#[derive(Clone, Debug)]
pub struct ManualClock {
    now: Arc<Mutex<DateTime<Utc>>>,
    ticks: watch::Sender<DateTime<Utc>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self { now: Arc::new(Mutex::new(start)), ticks: watch::Sender::new(start) }
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = to;
        self.ticks.send_replace(to);
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.set(self.now() + by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn sleep_until(&self, deadline: DateTime<Utc>) -> BoxFuture<'static, ()> {
        let mut ticks = self.ticks.subscribe();
        Box::pin(async move {
            // The sender lives as long as the clock; if it is gone, time has stopped for good.
            let _ = ticks.wait_for(|now| *now >= deadline).await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[tokio::test]
    async fn manual_sleep_wakes_only_when_time_is_moved_past_the_deadline() {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let clock = ManualClock::new(start);
        let sleeper = tokio::spawn(clock.sleep_until(start + chrono::Duration::minutes(10)));
        clock.advance(chrono::Duration::minutes(5));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        clock.advance(chrono::Duration::minutes(5));
        sleeper.await.unwrap();
    }
}
