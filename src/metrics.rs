//! Prometheus metrics: one registry per running bot (so two bots in one process, as in the
//! tests, never mix their figures), counters the layers bump as things happen, and gauges the
//! HTTP server fills from the database when scraped.
//!
//! Metrics are off when the HTTP server is (`HTTP_ADDR=off`): nobody could read them, so every
//! recording method is then a no-op that costs one branch.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::health::Role;

/// Seconds from 1 ms to about 33 s: a handler or a provider call.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;
type FloatGauge = Gauge<f64, AtomicU64>;

/// The kind of a Telegram update, as a label.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)] // label values are Prometheus' snake_case
pub enum UpdateKind {
    message,
    callback_query,
    my_chat_member,
    other,
}

/// What became of an update.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum UpdateOutcome {
    handled,
    failed,
    unhandled,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct UpdateLabels {
    kind: UpdateKind,
    outcome: UpdateOutcome,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: UpdateKind,
}

/// Why a message did not go out, in a few words fit for a label (the full reason stays in the
/// outbox row).
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
pub enum FailReason {
    /// A network error, a 5xx or a broken answer: tried again later.
    transient,
    /// Blocked, deactivated, chat not found: the recipient is marked inactive.
    unreachable,
    /// Telegram refused the message (400) or the tries ran out: the row is failed.
    rejected,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MessageLabels {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FailedLabels {
    kind: String,
    reason: FailReason,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProviderCallLabels {
    service: &'static str,
    operation: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProviderOpLabels {
    service: &'static str,
    operation: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutboxLabels {
    state: String,
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RoleLabel {
    role: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CheckLabel {
    check: &'static str,
}

struct Families {
    registry: Registry,
    updates: Family<UpdateLabels, Counter>,
    handler_seconds: HistogramFamily<KindLabel>,
    sent: Family<MessageLabels, Counter>,
    failed: Family<FailedLabels, Counter>,
    rate_limited: Counter,
    rate_limited_seconds: Counter<f64, AtomicU64>,
    fanout_last_lateness: FloatGauge,
    provider_calls: Family<ProviderCallLabels, Counter>,
    provider_seconds: HistogramFamily<ProviderOpLabels>,
    outbox_rows: Family<OutboxLabels, Gauge>,
    oldest_due: FloatGauge,
    overdue: FloatGauge,
    dialogues: Family<StateLabel, Gauge>,
    ready: Family<CheckLabel, Gauge>,
    role: Family<RoleLabel, Gauge>,
}

/// A cheap handle; clones share one registry.
#[derive(Clone, Default)]
pub struct Metrics {
    families: Option<Arc<Families>>,
}

/// A snapshot of the outbox and the dialogues, read from the database at scrape time.
#[derive(Clone, Debug, Default)]
pub struct StoredFigures {
    /// Rows by (state, kind).
    pub outbox: Vec<(String, String, i64)>,
    /// Seconds since the oldest pending row became due; 0 when none is due.
    pub oldest_due_seconds: f64,
    /// Seconds the outbox is behind what its send rate explains (what `/readyz` checks).
    pub overdue_seconds: f64,
    /// Chats by dialogue state.
    pub dialogues: Vec<(String, i64)>,
}

impl Metrics {
    /// Metrics nobody reads: every recording is a no-op.
    pub fn disabled() -> Self {
        Self { families: None }
    }

    pub fn enabled() -> Self {
        let mut registry = Registry::with_prefix("webinar");
        let updates = Family::<UpdateLabels, Counter>::default();
        registry.register("updates", "Telegram updates by kind and what became of them", updates.clone());
        let handler_seconds = HistogramFamily::<KindLabel>::new_with_constructor(latency_histogram as fn() -> _);
        registry.register("handler_seconds", "Time to handle one update, by kind", handler_seconds.clone());
        let sent = Family::<MessageLabels, Counter>::default();
        registry.register("messages_sent", "Outbox messages delivered, by kind", sent.clone());
        let failed = Family::<FailedLabels, Counter>::default();
        registry.register(
            "messages_failed",
            "Outbox delivery attempts that failed, by kind and reason",
            failed.clone(),
        );
        let rate_limited = Counter::default();
        registry.register(
            "telegram_rate_limited",
            "Answers of 429 Too Many Requests from Telegram",
            rate_limited.clone(),
        );
        let rate_limited_seconds = Counter::<f64, AtomicU64>::default();
        registry.register(
            "telegram_rate_limited_wait_seconds",
            "Seconds all sending paused for Telegram's retry_after",
            rate_limited_seconds.clone(),
        );
        let fanout_last_lateness = FloatGauge::default();
        registry.register(
            "fanout_last_recipient_lateness_seconds",
            "How late the last recipient of the most recently finished reminder fan-out got it",
            fanout_last_lateness.clone(),
        );
        let provider_calls = Family::<ProviderCallLabels, Counter>::default();
        registry.register(
            "provider_calls",
            "Calls to the video services, by service, operation and outcome",
            provider_calls.clone(),
        );
        let provider_seconds =
            HistogramFamily::<ProviderOpLabels>::new_with_constructor(latency_histogram as fn() -> _);
        registry.register("provider_call_seconds", "Time a video service took to answer", provider_seconds.clone());
        let outbox_rows = Family::<OutboxLabels, Gauge>::default();
        registry.register("outbox_rows", "Outbox rows by state and kind", outbox_rows.clone());
        let oldest_due = FloatGauge::default();
        registry.register(
            "outbox_oldest_due_age_seconds",
            "Seconds since the oldest pending outbox row became due (grows during a large fan-out by design)",
            oldest_due.clone(),
        );
        let overdue = FloatGauge::default();
        registry.register(
            "outbox_overdue_seconds",
            "Seconds the outbox is behind what the send rate explains; /readyz fails above 60",
            overdue.clone(),
        );
        let dialogues = Family::<StateLabel, Gauge>::default();
        registry.register("dialogues", "Chats in the middle of a dialogue, by state", dialogues.clone());
        let ready = Family::<CheckLabel, Gauge>::default();
        registry.register("ready", "1 when the readiness check passes, by check", ready.clone());
        let role = Family::<RoleLabel, Gauge>::default();
        registry.register("role", "1 for what this instance is now: leader, standby or single (SQLite)", role.clone());
        let build = Family::<BuildLabels, Gauge>::default();
        build.get_or_create(&BuildLabels { version: env!("CARGO_PKG_VERSION") }).set(1);
        registry.register("build_info", "The running version", build);
        Self {
            families: Some(Arc::new(Families {
                registry,
                updates,
                handler_seconds,
                sent,
                failed,
                rate_limited,
                rate_limited_seconds,
                fanout_last_lateness,
                provider_calls,
                provider_seconds,
                outbox_rows,
                oldest_due,
                overdue,
                dialogues,
                ready,
                role,
            })),
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.families.is_some()
    }

    pub fn update_handled(&self, kind: UpdateKind, outcome: UpdateOutcome, took: Duration) {
        let Some(f) = &self.families else { return };
        f.updates.get_or_create(&UpdateLabels { kind, outcome }).inc();
        f.handler_seconds.get_or_create(&KindLabel { kind }).observe(took.as_secs_f64());
    }

    /// `kind` is the outbox kind without its parameters (`reminder`, not `reminder:15m:1`).
    pub fn message_sent(&self, kind: &str) {
        let Some(f) = &self.families else { return };
        f.sent.get_or_create(&MessageLabels { kind: kind.to_owned() }).inc();
    }

    pub fn message_failed(&self, kind: &str, reason: FailReason) {
        let Some(f) = &self.families else { return };
        f.failed.get_or_create(&FailedLabels { kind: kind.to_owned(), reason }).inc();
    }

    pub fn rate_limited(&self, wait: Duration) {
        let Some(f) = &self.families else { return };
        f.rate_limited.inc();
        f.rate_limited_seconds.inc_by(wait.as_secs_f64());
    }

    pub fn fanout_finished(&self, last_recipient_late_by: Duration) {
        let Some(f) = &self.families else { return };
        f.fanout_last_lateness.set(last_recipient_late_by.as_secs_f64());
    }

    pub fn provider_call(&self, service: &'static str, operation: &'static str, ok: bool, took: Duration) {
        let Some(f) = &self.families else { return };
        let outcome = if ok { "ok" } else { "error" };
        f.provider_calls.get_or_create(&ProviderCallLabels { service, operation, outcome }).inc();
        f.provider_seconds.get_or_create(&ProviderOpLabels { service, operation }).observe(took.as_secs_f64());
    }

    /// Replaces the figures read from the database, so a state that emptied reads 0 rather than
    /// its last count.
    pub fn set_stored(&self, figures: &StoredFigures) {
        let Some(f) = &self.families else { return };
        f.outbox_rows.clear();
        for (state, kind, rows) in &figures.outbox {
            f.outbox_rows.get_or_create(&OutboxLabels { state: state.clone(), kind: kind.clone() }).set(*rows);
        }
        f.oldest_due.set(figures.oldest_due_seconds);
        f.overdue.set(figures.overdue_seconds);
        f.dialogues.clear();
        for (state, chats) in &figures.dialogues {
            f.dialogues.get_or_create(&StateLabel { state: state.clone() }).set(*chats);
        }
    }

    pub fn set_ready(&self, check: &'static str, passing: bool) {
        let Some(f) = &self.families else { return };
        f.ready.get_or_create(&CheckLabel { check }).set(i64::from(passing));
    }

    pub fn set_role(&self, now: Role) {
        let Some(f) = &self.families else { return };
        for role in [Role::Single, Role::Standby, Role::Leader] {
            f.role.get_or_create(&RoleLabel { role: role.as_str() }).set(i64::from(role == now));
        }
    }

    /// The registry in Prometheus' text format; None when metrics are off.
    pub fn encode(&self) -> Option<String> {
        let f = self.families.as_ref()?;
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &f.registry).ok()?;
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_metrics_record_nothing_and_encode_nothing() {
        let metrics = Metrics::disabled();
        metrics.message_sent("invitation");
        assert!(metrics.encode().is_none());
    }

    #[test]
    fn counters_reach_the_text_format_with_their_labels() {
        let metrics = Metrics::enabled();
        metrics.message_sent("invitation");
        metrics.message_sent("invitation");
        metrics.message_failed("reminder", FailReason::unreachable);
        metrics.rate_limited(Duration::from_secs(3));
        let text = metrics.encode().unwrap();
        assert!(text.contains("webinar_messages_sent_total{kind=\"invitation\"} 2"), "{text}");
        assert!(text.contains("webinar_messages_failed_total{kind=\"reminder\",reason=\"unreachable\"} 1"), "{text}");
        assert!(text.contains("webinar_telegram_rate_limited_wait_seconds_total 3.0"), "{text}");
        assert!(text.contains("webinar_build_info{version=\""), "{text}");
    }

    #[test]
    fn stored_figures_replace_the_previous_ones() {
        let metrics = Metrics::enabled();
        let mut figures =
            StoredFigures { outbox: vec![("pending".into(), "invitation".into(), 5)], ..StoredFigures::default() };
        metrics.set_stored(&figures);
        figures.outbox = vec![("sent".into(), "invitation".into(), 5)];
        metrics.set_stored(&figures);
        let text = metrics.encode().unwrap();
        assert!(!text.contains("state=\"pending\""), "{text}");
        assert!(text.contains("webinar_outbox_rows{state=\"sent\",kind=\"invitation\"} 5"), "{text}");
    }
}
