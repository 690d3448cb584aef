//! A token bucket per API token, in memory: a platform that loops cannot starve the bot's own
//! work. Real time, not the injected clock: it paces requests, it does not schedule anything.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<i64, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(rate: f64, burst: f64) -> Self {
        Self { rate, burst, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request from the token's bucket, or says in how many seconds one is back.
    pub fn take(&self, token: i64) -> Result<(), u64> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (left, at) = buckets.entry(token).or_insert((self.burst, now));
        *left = (*left + now.duration_since(*at).as_secs_f64() * self.rate).min(self.burst);
        *at = now;
        if *left >= 1.0 {
            *left -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *left) / self.rate).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_refusals_with_a_wait() {
        let limiter = RateLimiter::new(10.0, 20.0);
        for _ in 0..20 {
            assert_eq!(limiter.take(1), Ok(()));
        }
        assert_eq!(limiter.take(1), Err(1));
        // Another token has a bucket of its own.
        assert_eq!(limiter.take(2), Ok(()));
    }
}
