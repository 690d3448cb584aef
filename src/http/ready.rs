//! `/readyz`: ready only when the database answers, Telegram answered recently, the scheduler
//! is alive and the outbox is not falling behind. Each failing check is named in the body.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Probes;
use crate::health::{ReadyLimits, Role};
use crate::store::maintenance;
use crate::store::outbox::Figures;

/// How updates arrive, which decides what "Telegram answered" means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdatesVia {
    /// A successful getUpdates.
    Polling,
    /// A webhook update, or Telegram answering the periodic getWebhookInfo probe with our URL.
    Webhook,
}

/// The database must answer within this.
const DATABASE_LIMIT: Duration = Duration::from_secs(2);

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Check {
    fn pass(name: &'static str) -> Self {
        Self { name, ok: true, reason: None }
    }

    fn fail(name: &'static str, reason: String) -> Self {
        Self { name, ok: false, reason: Some(reason) }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Readiness {
    pub status: &'static str,
    /// Leader, standby, or the single instance of SQLite.
    pub role: Role,
    pub failing: Vec<&'static str>,
    pub checks: Vec<Check>,
}

impl Readiness {
    fn of(role: Role, checks: Vec<Check>) -> Self {
        let failing: Vec<&'static str> = checks.iter().filter(|c| !c.ok).map(|c| c.name).collect();
        let status = if failing.is_empty() { "ready" } else { "not ready" };
        Self { status, role, failing, checks }
    }

    pub fn is_ready(&self) -> bool {
        self.failing.is_empty()
    }
}

/// What the checks look at, read at one moment.
pub struct Observed {
    pub now: DateTime<Utc>,
    pub role: Role,
    pub database: Result<(), String>,
    pub telegram: Option<DateTime<Utc>>,
    pub scheduler: Option<DateTime<Utc>>,
    /// None when the database could not be read.
    pub outbox: Option<Figures>,
}

pub async fn observe(probes: &Probes) -> Observed {
    let now = probes.clock.now();
    let database = maintenance::ping(&probes.pool, DATABASE_LIMIT).await;
    let outbox = match &database {
        Ok(()) => match probes.delivery.figures(now).await {
            Ok(figures) => Some(figures),
            Err(err) => {
                tracing::warn!(%err, "readiness: could not read the outbox");
                None
            }
        },
        Err(_) => None,
    };
    Observed {
        now,
        role: probes.health.role(),
        database,
        telegram: probes.health.last_telegram(),
        scheduler: probes.health.last_scheduler_beat(),
        outbox,
    }
}

/// The verdict on what was observed; no I/O, so every rule is unit-tested. A standby is ready
/// when its database answers: it is ready to take over, and talks to Telegram only once leader.
pub fn judge(seen: &Observed, limits: ReadyLimits, via: UpdatesVia) -> Readiness {
    let database = match &seen.database {
        Ok(()) => Check::pass("database"),
        Err(err) => Check::fail("database", format!("the database does not answer: {err}")),
    };
    if seen.role == Role::Standby {
        return Readiness::of(seen.role, vec![database]);
    }
    let what = match via {
        UpdatesVia::Polling => "successful getUpdates",
        UpdatesVia::Webhook => "webhook update or getWebhookInfo answer",
    };
    let telegram = match age(seen.now, seen.telegram) {
        None => Check::fail("telegram", format!("no {what} yet")),
        Some(age) if age > limits.telegram => Check::fail(
            "telegram",
            format!("no {what} for {} s (limit {} s)", age.as_secs(), limits.telegram.as_secs()),
        ),
        Some(_) => Check::pass("telegram"),
    };
    let scheduler = match age(seen.now, seen.scheduler) {
        None => Check::fail("scheduler", "the delivery scheduler has not started".to_owned()),
        Some(age) if age > limits.scheduler => Check::fail(
            "scheduler",
            format!(
                "no heartbeat from the delivery scheduler for {} s (limit {} s)",
                age.as_secs(),
                limits.scheduler.as_secs()
            ),
        ),
        Some(_) => Check::pass("scheduler"),
    };
    let outbox = match &seen.outbox {
        None => Check::fail("outbox", "the outbox could not be read".to_owned()),
        Some(figures) => {
            let behind = figures.overdue.to_std().unwrap_or_default();
            if behind > limits.overdue {
                Check::fail(
                    "outbox",
                    format!(
                        "due messages are {} s overdue (limit {} s); the oldest was due at {}",
                        behind.as_secs(),
                        limits.overdue.as_secs(),
                        figures.oldest_due.map(|at| at.to_rfc3339()).unwrap_or_default()
                    ),
                )
            } else {
                Check::pass("outbox")
            }
        }
    };
    Readiness::of(seen.role, vec![database, telegram, scheduler, outbox])
}

/// How long ago `at` was; a stamp ahead of `now` (a clock moved back) counts as fresh.
fn age(now: DateTime<Utc>, at: Option<DateTime<Utc>>) -> Option<Duration> {
    at.map(|at| (now - at).to_std().unwrap_or_default())
}

pub async fn assess(probes: &Probes) -> Readiness {
    let readiness = judge(&observe(probes).await, probes.limits, probes.via);
    for check in &readiness.checks {
        probes.metrics.set_ready(check.name, check.ok);
    }
    readiness
}

pub async fn readyz(State(probes): State<Arc<Probes>>) -> Response {
    let readiness = assess(&probes).await;
    let status = if readiness.is_ready() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(readiness)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn limits() -> ReadyLimits {
        ReadyLimits::for_poll_timeout(Duration::from_secs(10))
    }

    fn healthy(now: DateTime<Utc>) -> Observed {
        Observed {
            now,
            role: Role::Single,
            database: Ok(()),
            telegram: Some(now - chrono::Duration::seconds(3)),
            scheduler: Some(now - chrono::Duration::seconds(1)),
            outbox: Some(Figures::default()),
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap()
    }

    #[test]
    fn all_signs_fresh_is_ready() {
        let verdict = judge(&healthy(now()), limits(), UpdatesVia::Polling);
        assert!(verdict.is_ready(), "{verdict:?}");
    }

    #[test]
    fn getupdates_silent_past_the_limit_fails_the_telegram_check_only() {
        let mut seen = healthy(now());
        seen.telegram = Some(now() - chrono::Duration::seconds(21));
        let verdict = judge(&seen, limits(), UpdatesVia::Polling);
        assert_eq!(verdict.failing, vec!["telegram"]);
        assert!(verdict.checks[1].reason.as_deref().unwrap().contains("getUpdates for 21 s"), "{verdict:?}");
    }

    #[test]
    fn the_telegram_limit_turns_red_within_thirty_seconds() {
        assert!(limits().telegram < Duration::from_secs(30));
    }

    #[test]
    fn a_stalled_scheduler_a_dead_database_and_a_late_outbox_are_each_named() {
        let mut seen = healthy(now());
        seen.scheduler = Some(now() - chrono::Duration::seconds(60));
        assert_eq!(judge(&seen, limits(), UpdatesVia::Polling).failing, vec!["scheduler"]);
        let mut seen = healthy(now());
        seen.database = Err("disk I/O error".into());
        seen.outbox = None;
        assert_eq!(judge(&seen, limits(), UpdatesVia::Polling).failing, vec!["database", "outbox"]);
        let mut seen = healthy(now());
        seen.outbox = Some(Figures {
            rows: vec![],
            oldest_due: Some(now() - chrono::Duration::seconds(100)),
            overdue: chrono::Duration::seconds(61),
        });
        assert_eq!(judge(&seen, limits(), UpdatesVia::Polling).failing, vec!["outbox"]);
    }

    #[test]
    fn a_standby_is_ready_while_its_database_answers_though_it_talks_to_nobody() {
        let mut seen = healthy(now());
        seen.role = Role::Standby;
        seen.telegram = None;
        seen.scheduler = None;
        let verdict = judge(&seen, limits(), UpdatesVia::Polling);
        assert!(verdict.is_ready(), "{verdict:?}");
        assert_eq!(serde_json::to_value(&verdict).unwrap()["role"], "standby");
        seen.database = Err("connection refused".into());
        assert_eq!(judge(&seen, limits(), UpdatesVia::Polling).failing, vec!["database"]);
    }

    #[test]
    fn before_the_first_answer_the_bot_is_not_ready() {
        let mut seen = healthy(now());
        seen.telegram = None;
        seen.scheduler = None;
        let verdict = judge(&seen, limits(), UpdatesVia::Webhook);
        assert_eq!(verdict.failing, vec!["telegram", "scheduler"]);
        assert!(verdict.checks[1].reason.as_deref().unwrap().contains("webhook"), "{verdict:?}");
    }
}
