//! One leader, hot standbys. Telegram admits one `getUpdates` consumer and limits sends per bot,
//! so more instances buy availability, not throughput: on PostgreSQL every instance starts as a
//! standby, and only the holder of the lease (`store::leader`) talks to Telegram and sends.
//!
//! The holder renews every [`RENEW_EVERY`] for [`LEASE_VALID`]. A standby takes an expired lease
//! within `RENEW_EVERY` of its expiry: within 12 s of the leader's death. A leader that cannot
//! renew gives up before its lease can expire (fencing), so two never send at once; the outbox
//! checks the epoch besides, on every claim.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::health::{Health, Role};
use crate::store::{Instance, leader};

pub const RENEW_EVERY: Duration = Duration::from_secs(2);
pub const LEASE_VALID: Duration = Duration::from_secs(10);

/// A leader gives up once it has not renewed for this long: its last lease still has
/// `LEASE_VALID - GIVE_UP_AFTER` to run, more than the scheduler's 3 s grace for the sends in
/// hand, so they have stopped before anyone else may start.
const GIVE_UP_AFTER: Duration = Duration::from_secs(6);

/// This instance's term as leader. `serving` ends with the term (a stop, or the lease lost);
/// `lost` only when the lease is lost.
pub struct Term {
    me: Arc<Instance>,
    pub serving: CancellationToken,
    pub lost: CancellationToken,
    renewer: tokio::task::JoinHandle<()>,
}

/// Waits as a standby until this instance holds the lease; None when asked to stop meanwhile.
pub async fn wait_for_lease(
    pool: &PgPool,
    me: &Arc<Instance>,
    health: &Arc<Health>,
    shutdown: &CancellationToken,
) -> Option<Term> {
    health.set_role(Role::Standby);
    let mut said = false;
    let mut warned: Option<Instant> = None;
    loop {
        match leader::acquire(pool, me, LEASE_VALID).await {
            Ok(Some(epoch)) => {
                tracing::info!(epoch, "holding the leader lease: this instance serves Telegram");
                health.set_role(Role::Leader);
                return Some(Term::begin(pool.clone(), me.clone(), epoch, health.clone(), shutdown));
            }
            Ok(None) if !said => {
                said = true;
                let holder = leader::holder(pool).await.ok().flatten().unwrap_or_default();
                tracing::info!(leader = %holder, "another instance leads; standing by");
            }
            Ok(None) => {}
            // A database that is down stays down for a while: said once, then once a minute.
            Err(err) if warned.is_none_or(|at| at.elapsed() >= Duration::from_secs(60)) => {
                warned = Some(Instant::now());
                tracing::warn!(%err, "could not read the leader lease; standing by");
            }
            Err(_) => {}
        }
        tokio::select! {
            _ = tokio::time::sleep(RENEW_EVERY) => {}
            _ = shutdown.cancelled() => return None,
        }
    }
}

impl Term {
    fn begin(pool: PgPool, me: Arc<Instance>, epoch: i64, health: Arc<Health>, shutdown: &CancellationToken) -> Term {
        me.hold(epoch);
        let serving = shutdown.child_token();
        let lost = CancellationToken::new();
        let renewer = tokio::spawn(renew(pool, me.clone(), epoch, serving.clone(), lost.clone(), health));
        Term { me, serving, lost, renewer }
    }

    /// Ends the term at a stop, letting a lease still held go, so a standby takes over at once
    /// instead of when it expires.
    pub async fn end(self, pool: &PgPool) {
        self.serving.cancel();
        let _ = self.renewer.await;
        if !self.lost.is_cancelled()
            && let Err(err) = leader::release(pool, &self.me).await
        {
            tracing::warn!(%err, "could not let the leader lease go; a standby takes over when it expires");
        }
    }
}

/// Renews until the lease is lost or the term ends. A renewal that another instance won (the
/// lease expired meanwhile) ends the term at once; failing ones end it once the last good
/// renewal is `GIVE_UP_AFTER` old.
async fn renew(
    pool: PgPool,
    me: Arc<Instance>,
    epoch: i64,
    serving: CancellationToken,
    lost: CancellationToken,
    health: Arc<Health>,
) {
    let mut renewed = Instant::now();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(RENEW_EVERY) => {}
            _ = serving.cancelled() => return,
        }
        let started = Instant::now();
        match tokio::time::timeout(RENEW_EVERY, leader::acquire(&pool, &me, LEASE_VALID)).await {
            Ok(Ok(Some(now))) if now == epoch => renewed = started,
            Ok(Ok(_)) => {
                tracing::error!(epoch, "the leader lease went to another instance; this one stops sending");
                break;
            }
            Ok(Err(err)) if renewed.elapsed() < GIVE_UP_AFTER => {
                tracing::warn!(%err, "could not renew the leader lease")
            }
            Err(_) if renewed.elapsed() < GIVE_UP_AFTER => tracing::warn!("renewing the leader lease is taking long"),
            _ => {
                tracing::error!(epoch, "could not renew the leader lease in time; this one stops sending");
                break;
            }
        }
    }
    me.hold(0);
    health.set_role(Role::Standby);
    lost.cancel();
    serving.cancel();
}
