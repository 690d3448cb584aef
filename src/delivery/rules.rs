//! What to do with a due row: pure rules, tested on their own.

use chrono::{DateTime, Duration, Utc};
use teloxide::{ApiError, RequestError};

use crate::domain::event::EventStatus;
use crate::domain::reminders::ReminderOffset;
use crate::store::outbox::Kind;

/// A reminder later than this after its time is marked as late.
pub const LATE_AFTER: Duration = Duration::seconds(60);
/// "Starting now" still makes sense this long after the start.
pub const START_WINDOW: Duration = Duration::minutes(15);
/// Transient failures (the network, Telegram's 5xx, an answer that is not JSON) are retried this
/// many times before the row is failed: with `backoff`, about two hours of an outage.
pub const MAX_ATTEMPTS: i64 = 30;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Send { late: bool },
    Skip(&'static str),
}

/// The facts about the event a decision needs.
#[derive(Clone, Copy, Debug)]
pub struct EventFacts {
    pub status: EventStatus,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

pub fn decide(
    kind: Kind,
    due_at: DateTime<Utc>,
    event: EventFacts,
    recipient_active: bool,
    now: DateTime<Utc>,
) -> Decision {
    if !recipient_active {
        return Decision::Skip("recipient blocked the bot");
    }
    let planned = event.status == EventStatus::Planned;
    match kind {
        Kind::Invitation if !planned => Decision::Skip("event is not planned"),
        Kind::Invitation if now >= event.ends_at => Decision::Skip("event is over"),
        Kind::Reminder { .. } | Kind::Nudge { .. } if !planned => Decision::Skip("event is not planned"),
        Kind::Reminder { offset: ReminderOffset::AtStart, .. } if now >= event.starts_at + START_WINDOW => {
            Decision::Skip("event already started")
        }
        Kind::Reminder { offset, .. } if offset != ReminderOffset::AtStart && now >= event.starts_at => {
            Decision::Skip("event already started")
        }
        Kind::Nudge { .. } if now >= event.starts_at => Decision::Skip("event already started"),
        Kind::Reminder { .. } => Decision::Send { late: now > due_at + LATE_AFTER },
        _ => Decision::Send { late: false },
    }
}

/// How a failed Telegram call is treated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The recipient cannot be reached any more: mark them inactive, do not retry.
    Unreachable(String),
    /// Try again after this long.
    Retry(Duration, String),
    /// Telegram said to wait: the send budget already holds every send for `retry_after`, so
    /// the row goes back in line, the try not counted.
    RateLimited,
    /// The edit changed nothing: as good as sent.
    AlreadyThere,
    /// The group became a supergroup with this id.
    Migrated(i64),
    Failed(String),
}

/// How a failed call is treated; `attempts` counts this one.
pub fn classify(err: &RequestError, attempts: i64) -> Failure {
    let transient = |reason: String| {
        if attempts < MAX_ATTEMPTS {
            Failure::Retry(backoff(attempts), reason)
        } else {
            Failure::Failed(format!("{reason}; gave up after {attempts} attempts"))
        }
    };
    match err {
        RequestError::Api(api) if is_server_error(api) => transient(format!("Telegram server error: {api}")),
        RequestError::Api(api) => classify_api(api),
        RequestError::MigrateToChatId(chat) => Failure::Migrated(chat.0),
        RequestError::RetryAfter(_) => Failure::RateLimited,
        RequestError::Network(_) | RequestError::Io(_) => transient("network error".to_owned()),
        // A proxy's error page (an nginx 502) or a cut-off body: the request may not have reached
        // Telegram at all.
        RequestError::InvalidJson { .. } => transient("Telegram's answer was not JSON".to_owned()),
    }
}

/// teloxide keeps only the description of an error, not its code. Telegram's own refusals all
/// start with their 4xx reason ("Bad Request: …", "Forbidden: …"); an unknown description that
/// does not is a 5xx such as "Bad Gateway" or "Internal Server Error", worth another try.
fn is_server_error(api: &ApiError) -> bool {
    const REFUSALS: [&str; 6] =
        ["Bad Request", "Forbidden", "Unauthorized", "Not Found", "Conflict", "Too Many Requests"];
    match api {
        ApiError::Unknown(text) => !REFUSALS.iter().any(|prefix| text.starts_with(prefix)),
        _ => false,
    }
}

fn classify_api(api: &ApiError) -> Failure {
    use ApiError::*;
    match api {
        BotBlocked
        | UserDeactivated
        | ChatNotFound
        | BotKicked
        | BotKickedFromSupergroup
        | BotKickedFromChannel
        | GroupDeactivated
        | CantInitiateConversation
        | NotEnoughRightsToPostMessages => Failure::Unreachable(api.to_string()),
        Unknown(text) if text.starts_with("Forbidden:") => Failure::Unreachable(text.clone()),
        MessageNotModified => Failure::AlreadyThere,
        other => Failure::Failed(other.to_string()),
    }
}

/// 2, 4, 8 … seconds, at most five minutes.
pub fn backoff(attempts: i64) -> Duration {
    Duration::seconds(2_i64.saturating_pow(attempts.clamp(1, 20) as u32).min(300))
}

/// The share of the send rate always kept for replies to people.
pub const REPLY_RESERVE: f64 = 0.1;

/// What bulk traffic may plan with at `rate`: the rate less the replies' reserve, which is a
/// tenth of it or, while people keep the bot busy, their recent rate and a fifth more; bulk keeps
/// a tenth at the least, so a busy hour delays a fan-out instead of stopping it.
pub fn bulk_rate(rate: f64, replies_per_sec: f64) -> f64 {
    let reserve = (rate * REPLY_RESERVE).max(replies_per_sec * 1.2);
    (rate - reserve).max(rate * 0.1)
}

/// Rows in flight at once: a second's worth, so the send budget always has a queue to pace
/// (fewer caps the rate; more only widens what a crash can repeat).
pub fn in_flight(rate: f64) -> usize {
    (rate.ceil() as usize).clamp(16, 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0).unwrap()
    }

    fn facts(status: EventStatus) -> EventFacts {
        EventFacts { status, starts_at: at(18, 0), ends_at: at(19, 0) }
    }

    fn reminder(offset: ReminderOffset) -> Kind {
        Kind::Reminder { offset, sequence: 0 }
    }

    #[test]
    fn a_reminder_on_time_is_sent_and_a_late_one_is_marked() {
        let planned = facts(EventStatus::Planned);
        let kind = reminder(ReminderOffset::Hour1);
        assert_eq!(decide(kind, at(17, 0), planned, true, at(17, 0)), Decision::Send { late: false });
        assert_eq!(decide(kind, at(17, 0), planned, true, at(17, 30)), Decision::Send { late: true });
    }

    #[test]
    fn reminders_of_started_or_cancelled_events_are_skipped() {
        let kind = reminder(ReminderOffset::Hour1);
        assert_eq!(
            decide(kind, at(17, 0), facts(EventStatus::Planned), true, at(18, 5)),
            Decision::Skip("event already started")
        );
        assert_eq!(
            decide(kind, at(17, 0), facts(EventStatus::Cancelled), true, at(17, 0)),
            Decision::Skip("event is not planned")
        );
    }

    #[test]
    fn starting_now_is_sent_within_the_window_only() {
        let kind = reminder(ReminderOffset::AtStart);
        let planned = facts(EventStatus::Planned);
        assert_eq!(decide(kind, at(18, 0), planned, true, at(18, 5)), Decision::Send { late: true });
        assert_eq!(decide(kind, at(18, 0), planned, true, at(18, 20)), Decision::Skip("event already started"));
    }

    #[test]
    fn blocked_recipients_are_skipped_and_cancellations_still_go_out() {
        let planned = facts(EventStatus::Planned);
        assert_eq!(
            decide(Kind::Invitation, at(9, 0), planned, false, at(9, 0)),
            Decision::Skip("recipient blocked the bot")
        );
        assert_eq!(
            decide(Kind::Cancelled, at(9, 0), facts(EventStatus::Cancelled), true, at(9, 0)),
            Decision::Send { late: false }
        );
    }

    #[test]
    fn telegram_errors_are_classified() {
        assert!(matches!(classify(&RequestError::Api(ApiError::BotBlocked), 1), Failure::Unreachable(_)));
        assert!(matches!(
            classify(&RequestError::Api(ApiError::Unknown("Forbidden: bot was kicked".into())), 1),
            Failure::Unreachable(_)
        ));
        assert_eq!(classify(&RequestError::Api(ApiError::MessageNotModified), 1), Failure::AlreadyThere);
        assert_eq!(
            classify(&RequestError::RetryAfter(teloxide::types::Seconds::from_seconds(7)), 1),
            Failure::RateLimited
        );
    }

    #[test]
    fn server_errors_and_garbled_answers_are_retried_until_the_attempts_are_spent() {
        let bad_gateway = RequestError::Api(ApiError::Unknown("Bad Gateway".into()));
        let garbled = RequestError::InvalidJson {
            source: std::sync::Arc::new(serde_json::from_str::<u8>("<html>").unwrap_err()),
            raw: "<html><body>502 Bad Gateway</body></html>".into(),
        };
        for err in [&bad_gateway, &garbled] {
            assert!(matches!(classify(err, 1), Failure::Retry(d, _) if d == Duration::seconds(2)), "{err}");
            assert!(matches!(classify(err, MAX_ATTEMPTS), Failure::Failed(reason) if reason.contains("gave up")));
        }
        let refused = RequestError::Api(ApiError::Unknown("Bad Request: BUTTON_DATA_INVALID".into()));
        assert!(matches!(classify(&refused, 1), Failure::Failed(_)));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::seconds(2));
        assert_eq!(backoff(3), Duration::seconds(8));
        assert_eq!(backoff(30), Duration::seconds(300));
    }

    #[test]
    fn bulk_plans_with_what_replies_leave() {
        assert_eq!(bulk_rate(30.0, 0.0), 27.0);
        assert_eq!(bulk_rate(30.0, 10.0), 18.0);
        assert_eq!(bulk_rate(30.0, 40.0), 3.0);
        assert_eq!(in_flight(30.0), 30);
        assert_eq!(in_flight(5.0), 16);
    }
}
