//! The global plan: when each batch of reminders must begin so that, with everything else queued,
//! its last recipient is served by its due time. Pure, tested on its own.
//!
//! Reminders due at the same instant form one batch, whatever their events: a school's
//! timetable puts many classes at 10:00. Batches are placed as late as they can go, latest due
//! first, each ending by its due time and before the next batch begins (earliest deadline first,
//! at the bulk capacity). What is queued for now (invitations, notices, retries, batches already
//! started) goes before them all. A batch that cannot fit between now and its due time is late,
//! and the plan says by how much.

use chrono::{DateTime, Duration, Utc};

/// A batch that takes longer than a second is planned to end this long before its due time.
pub const MARGIN: Duration = Duration::seconds(1);
/// A second's worth of rows goes out at its due time, and a last recipient served within this
/// long after it is on time.
const ON_TIME: Duration = Duration::seconds(1);

/// Reminders due at one instant, not yet started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Batch {
    pub due_at: DateTime<Utc>,
    pub rows: u64,
}

/// Where a batch was placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    pub due_at: DateTime<Utc>,
    /// When its first row may go (never before now).
    pub send_at: DateTime<Utc>,
    /// How long after its due time its last recipient is expected; zero when on time.
    pub late_by: Duration,
    /// Sent as a paid broadcast: at the free rate it would have been late.
    pub paid: bool,
}

/// How long `rows` take at `per_sec`.
pub fn sending_time(rows: u64, per_sec: f64) -> Duration {
    if per_sec <= 0.0 {
        return Duration::MAX;
    }
    Duration::milliseconds((rows as f64 / per_sec * 1000.0).ceil() as i64)
}

/// Whole minutes, rounded up: "1 minute late" for 20 seconds.
pub fn minutes_late(late: Duration) -> i64 {
    (late.num_seconds() + 59) / 60
}

/// Places every batch. `backlog` rows are due now and go first; `per_sec` is what bulk traffic
/// may use of the send rate.
pub fn place(batches: &[Batch], backlog: u64, per_sec: f64, now: DateTime<Utc>) -> Vec<Placed> {
    let mut batches = batches.to_vec();
    batches.sort_by_key(|b| b.due_at);
    // Latest first: each ends by its due time and before the one after it starts.
    let mut starts = vec![now; batches.len()];
    let mut next_start: Option<DateTime<Utc>> = None;
    for (i, batch) in batches.iter().enumerate().rev() {
        let needs = sending_time(batch.rows, per_sec);
        starts[i] = match next_start {
            // It must be done before the batch after it begins.
            Some(next) if next < batch.due_at => next - needs - MARGIN,
            _ if needs <= ON_TIME => batch.due_at,
            _ => batch.due_at - needs - MARGIN,
        };
        next_start = Some(starts[i]);
    }
    // Earliest first: none starts before now or before what is ahead of it is sent.
    let mut free_at = now + sending_time(backlog, per_sec);
    batches
        .iter()
        .zip(starts)
        .map(|(batch, start)| {
            let begins = start.max(free_at);
            free_at = begins + sending_time(batch.rows, per_sec);
            Placed {
                due_at: batch.due_at,
                send_at: start.max(now),
                late_by: (free_at - batch.due_at - ON_TIME).max(Duration::zero()),
                paid: false,
            }
        })
        .collect()
}

/// Like `place`, and the batches that would be late at the free rate go as paid broadcasts at
/// `paid_per_sec` (a lane of their own) when that is on; the others are placed again without
/// them, so they keep only what they need.
pub fn place_with_paid(
    batches: &[Batch],
    backlog: u64,
    free_per_sec: f64,
    paid_per_sec: Option<f64>,
    now: DateTime<Utc>,
) -> Vec<Placed> {
    let free = place(batches, backlog, free_per_sec, now);
    let Some(paid_per_sec) = paid_per_sec else { return free };
    let late = |b: &Batch| free.iter().any(|p| p.due_at == b.due_at && !p.late_by.is_zero());
    let (paid, on_time): (Vec<Batch>, Vec<Batch>) = batches.iter().partition(|b| late(b));
    if paid.is_empty() {
        return free;
    }
    let mut placed = place(&on_time, backlog, free_per_sec, now);
    placed.extend(place(&paid, 0, paid_per_sec, now).into_iter().map(|p| Placed { paid: true, ..p }));
    placed.sort_by_key(|p| p.due_at);
    placed
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, m, s).unwrap()
    }

    fn batch(due_at: DateTime<Utc>, rows: u64) -> Batch {
        Batch { due_at, rows }
    }

    #[test]
    fn one_batch_starts_early_enough_for_its_last_recipient() {
        let placed = place(&[batch(at(10, 0, 0), 2700)], 0, 27.0, at(8, 0, 0));
        // 100 s of sending and the margin.
        let expected = Placed { due_at: at(10, 0, 0), send_at: at(9, 58, 19), late_by: Duration::zero(), paid: false };
        assert_eq!(placed, [expected]);
    }

    #[test]
    fn batches_that_would_overlap_are_placed_one_before_the_other() {
        // 10:00 needs 100 s, 10:01 needs 200 s: the later one starts at 09:57:39, so the earlier
        // one must be done a second before.
        let placed = place(&[batch(at(10, 1, 0), 5400), batch(at(10, 0, 0), 2700)], 0, 27.0, at(8, 0, 0));
        assert_eq!(placed[0].send_at, at(9, 55, 58));
        assert_eq!(placed[1].send_at, at(9, 57, 39));
        assert!(placed.iter().all(|p| p.late_by.is_zero()));
    }

    #[test]
    fn a_batch_that_cannot_fit_says_how_late_it_will_be() {
        // 2,700 rows at 27/s need 100 s, and only 40 s are left.
        let now = at(9, 59, 20);
        let placed = place(&[batch(at(10, 0, 0), 2700)], 0, 27.0, now);
        assert_eq!(placed[0].send_at, now);
        // Done at 10:01:00, a minute after its time, less the second that counts as on time.
        assert_eq!(placed[0].late_by, Duration::seconds(59));
    }

    #[test]
    fn what_is_queued_for_now_goes_first() {
        let now = at(9, 0, 0);
        // An hour's backlog at 27/s, then a batch due in 30 minutes: it waits behind the backlog.
        let placed = place(&[batch(at(9, 30, 0), 270)], 97_200, 27.0, now);
        assert_eq!(placed[0].late_by, Duration::seconds(30 * 60 + 9));
    }

    #[test]
    fn a_seconds_worth_goes_out_at_its_time() {
        let placed = place(&[batch(at(10, 0, 0), 20)], 0, 27.0, at(8, 0, 0));
        assert_eq!(placed[0].send_at, at(10, 0, 0));
        assert!(placed[0].late_by.is_zero());
    }

    #[test]
    fn only_a_batch_that_would_be_late_goes_as_a_paid_broadcast() {
        let now = at(9, 59, 0);
        // 10:00 cannot fit 2,700 at 27/s in a minute; 12:00 can.
        let batches = [batch(at(10, 0, 0), 2700), batch(at(12, 0, 0), 270)];
        let placed = place_with_paid(&batches, 0, 27.0, Some(970.0), now);
        assert!(placed[0].paid && placed[0].late_by.is_zero(), "{placed:?}");
        assert_eq!(placed[0].send_at, at(9, 59, 56) + Duration::milliseconds(216));
        assert!(!placed[1].paid);
        assert_eq!(placed[1].send_at, at(11, 59, 49));
        assert_eq!(place_with_paid(&batches, 0, 27.0, None, now), place(&batches, 0, 27.0, now));
    }

    #[test]
    fn batches_far_apart_each_start_just_before_their_own_time() {
        let placed = place(&[batch(at(10, 0, 0), 270), batch(at(12, 0, 0), 270)], 0, 27.0, at(8, 0, 0));
        assert_eq!(placed[0].send_at, at(9, 59, 49));
        assert_eq!(placed[1].send_at, at(11, 59, 49));
    }
}
