//! The leader lease on PostgreSQL: one row that the instance allowed to talk to Telegram renews.
//! Its times are the database server's, so the instances agree on them whatever their own clocks
//! say. SQLite has one instance by construction and no lease.

use std::time::Duration;

use sqlx::PgPool;

use super::{Instance, StoreResult};

/// Takes the lease, or renews it when this instance holds it already, for `valid`. Another
/// instance's lease is taken only once it expired, and then with the next epoch. The epoch now
/// held, or None when another instance holds a live lease.
pub async fn acquire(pool: &PgPool, me: &Instance, valid: Duration) -> StoreResult<Option<i64>> {
    let epoch: Option<i64> = sqlx::query_scalar(
        "INSERT INTO leader_lease (name, holder, epoch, renewed_at, expires_at)
         VALUES ('leader', $1, 1, clock_timestamp(), clock_timestamp() + $2 * INTERVAL '1 millisecond')
         ON CONFLICT (name) DO UPDATE
            SET holder = excluded.holder,
                epoch = CASE WHEN leader_lease.holder = excluded.holder THEN leader_lease.epoch
                             ELSE leader_lease.epoch + 1 END,
                renewed_at = excluded.renewed_at,
                expires_at = excluded.expires_at
          WHERE leader_lease.holder = excluded.holder OR leader_lease.expires_at < clock_timestamp()
         RETURNING epoch",
    )
    .bind(me.id())
    .bind(valid.as_millis() as i64)
    .fetch_optional(pool)
    .await?;
    Ok(epoch)
}

/// Lets the lease go at a clean stop, so a standby takes over at once instead of after expiry.
pub async fn release(pool: &PgPool, me: &Instance) -> StoreResult<()> {
    me.hold(0);
    sqlx::query("UPDATE leader_lease SET expires_at = clock_timestamp() WHERE name = 'leader' AND holder = $1")
        .bind(me.id())
        .execute(pool)
        .await?;
    Ok(())
}

/// Who holds a live lease now, if anyone.
pub async fn holder(pool: &PgPool) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT holder FROM leader_lease WHERE name = 'leader' AND expires_at > clock_timestamp()")
        .fetch_optional(pool)
        .await?)
}
