//! Wraps the update tree: every update is counted by kind and outcome and timed, and its arrival
//! is a sign that Telegram reaches the bot (the only one a webhook gives between probes).

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Instant;

use teloxide::dispatching::{DpHandlerDescription, UpdateHandler};
use teloxide::types::{Update, UpdateKind as Kind};

use super::BotError;
use crate::clock::SharedClock;
use crate::health::Health;
use crate::metrics::{Metrics, UpdateKind, UpdateOutcome};

/// `schema` behind a step that counts, times and stamps every update.
pub fn observed(
    schema: UpdateHandler<BotError>,
    metrics: Metrics,
    health: Arc<Health>,
    clock: SharedClock,
) -> UpdateHandler<BotError> {
    let watch = dptree::from_fn_with_description(
        <DpHandlerDescription as dptree::HandlerDescription>::entry(),
        move |deps: dptree::di::DependencyMap, cont| {
            let metrics = metrics.clone();
            let health = health.clone();
            let clock = clock.clone();
            async move {
                health.telegram_answered(clock.now());
                let kind = deps.get::<Update>().kind.clone();
                let started = Instant::now();
                let flow = cont(deps).await;
                let outcome = match &flow {
                    ControlFlow::Break(Ok(())) => UpdateOutcome::handled,
                    ControlFlow::Break(Err(_)) => UpdateOutcome::failed,
                    ControlFlow::Continue(_) => UpdateOutcome::unhandled,
                };
                metrics.update_handled(label(&kind), outcome, started.elapsed());
                flow
            }
        },
        dptree::HandlerSignature::Entry,
    );
    watch.chain(schema)
}

fn label(kind: &Kind) -> UpdateKind {
    match kind {
        Kind::Message(_) => UpdateKind::message,
        Kind::CallbackQuery(_) => UpdateKind::callback_query,
        Kind::MyChatMember(_) => UpdateKind::my_chat_member,
        _ => UpdateKind::other,
    }
}
