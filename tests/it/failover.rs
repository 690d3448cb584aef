//! One leader, hot standbys, on PostgreSQL (issue 17): two bot processes share one database and
//! one fake Telegram, each with an address of its own there, so every call is known by who made
//! it. These need PostgreSQL on either run of the suite (`support::required_postgres`).

use crate::delivery_crash::{BotProcess, RECIPIENTS, reminders, seed, start_bot_at, wait_until};
use crate::support;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use support::proxy::TcpProxy;
use support::{Call, FakeTelegram};

/// Two instances in one data folder: they share its `secret.key`, as standbys must share the
/// key to read the providers (on separate machines: the same `BOT_SECRET_KEY`).
fn start_instance(name: &str, dir: &Path, tg: &FakeTelegram, database_url: &str) -> BotProcess {
    start_bot_at(dir, &tg.url_for(name), database_url)
}

/// The reminders each instance got out, in the order they reached Telegram.
fn sends_by(tg: &FakeTelegram, name: &str) -> Vec<Call> {
    tg.calls()
        .into_iter()
        .filter(|c| c.via.as_deref() == Some(name) && c.method == "SendMessage" && c.text().contains("Общая лекция"))
        .collect()
}

async fn in_flight(database_url: &str) -> i64 {
    let db = webinar_bot::store::connect(database_url).await.unwrap();
    let n: i64 =
        webinar_bot::on_db!(&db, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state = 'sending'")
            .fetch_one(pool)
            .await)
        .unwrap();
    db.close().await;
    n
}

struct Tally {
    once: usize,
    twice: usize,
    more: usize,
    recipients: usize,
}

fn tally(tg: &FakeTelegram) -> Tally {
    let counts: HashMap<i64, usize> = reminders(tg);
    Tally {
        once: counts.values().filter(|n| **n == 1).count(),
        twice: counts.values().filter(|n| **n == 2).count(),
        more: counts.values().filter(|n| **n > 2).count(),
        recipients: counts.len(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standby_takes_over_from_a_killed_leader_and_nothing_is_lost_or_sent_by_two() {
    let tg = FakeTelegram::start().await;
    tg.set_latency(Duration::from_millis(2));
    let dir = tempfile::tempdir().unwrap();
    let database_url = support::fresh_postgres_database(&support::required_postgres()).await;
    seed(&database_url).await;

    let mut leader = start_instance("a", dir.path(), &tg, &database_url);
    wait_until("the leader's first sends", Duration::from_secs(30), || sends_by(&tg, "a").len() >= 100).await;
    let standby = start_instance("b", dir.path(), &tg, &database_url);
    // The standby is up and waiting for the lease; it sends nothing meanwhile.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(sends_by(&tg, "b").is_empty(), "a standby sends nothing while the leader lives");

    leader.0.kill().expect("SIGKILL");
    let killed = Instant::now();
    leader.0.wait().unwrap();
    let in_flight_at_kill = in_flight(&database_url).await;
    let leader_sends = sends_by(&tg, "a");
    let last_by_leader = leader_sends.last().map(|c| c.at).expect("the leader sent");

    wait_until("the standby's first send", Duration::from_secs(30), || !sends_by(&tg, "b").is_empty()).await;
    let taken_over = sends_by(&tg, "b")[0].at;
    wait_until("every recipient", Duration::from_secs(120), || reminders(&tg).len() == RECIPIENTS as usize).await;
    // The rows the leader held come back once their claim lease runs out.
    tokio::time::sleep(Duration::from_secs(1)).await;
    drop(standby);

    let took = taken_over.saturating_duration_since(killed);
    let t = tally(&tg);
    eprintln!(
        "failover: {RECIPIENTS} recipients; the leader sent {} before the SIGKILL, {in_flight_at_kill} rows in \
         flight at it; the standby's first send {:.1} s after it; {} once, {} twice, {} more; \
         {} getUpdates conflicts",
        leader_sends.len(),
        took.as_secs_f64(),
        t.once,
        t.twice,
        t.more,
        tg.get_updates_conflicts()
    );
    assert_eq!(t.recipients, RECIPIENTS as usize, "nobody is lost");
    assert_eq!(t.more, 0, "nobody gets it three times");
    assert!(t.twice as i64 <= in_flight_at_kill, "only what was in flight at the kill repeats: {}", t.twice);
    assert!(took < Duration::from_secs(15), "the standby takes over within 15 s: {took:?}");
    assert!(taken_over > last_by_leader, "never two senders at one moment");
    assert_eq!(tg.get_updates_conflicts(), 0, "never two getUpdates at one moment");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_cut_off_from_its_database_stops_sending_within_the_lease_and_stands_by_after() {
    let tg = FakeTelegram::start().await;
    tg.set_latency(Duration::from_millis(2));
    let dir = tempfile::tempdir().unwrap();
    let database_url = support::fresh_postgres_database(&support::required_postgres()).await;
    seed(&database_url).await;
    let server: url::Url = database_url.parse().unwrap();
    let upstream = format!("{}:{}", server.host_str().unwrap(), server.port().unwrap_or(5432));
    let proxy = TcpProxy::start(upstream.parse().unwrap()).await;
    let mut through_proxy = server.clone();
    through_proxy.set_port(Some(proxy.addr.port())).unwrap();

    let mut leader = start_instance("a", dir.path(), &tg, through_proxy.as_str());
    wait_until("the leader's first sends", Duration::from_secs(30), || sends_by(&tg, "a").len() >= 100).await;
    let standby = start_instance("b", dir.path(), &tg, &database_url);
    tokio::time::sleep(Duration::from_secs(3)).await;

    proxy.cut();
    let cut = Instant::now();
    // A leader that cannot renew stops, and says so by ending with an error.
    let status = loop {
        if let Some(status) = leader.0.try_wait().unwrap() {
            break status;
        }
        assert!(cut.elapsed() < Duration::from_secs(30), "the cut-off leader gives up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(!status.success(), "a lost lease ends the process with an error: {status:?}");
    let last_by_leader = sends_by(&tg, "a").last().map(|c| c.at).expect("the leader sent");
    let stopped_after = last_by_leader.saturating_duration_since(cut);
    wait_until("the standby's first send", Duration::from_secs(30), || !sends_by(&tg, "b").is_empty()).await;
    let taken_over = sends_by(&tg, "b")[0].at;

    // Back on its database, the old leader comes back as a standby and sends nothing.
    proxy.heal();
    let again = start_instance("a2", dir.path(), &tg, through_proxy.as_str());
    wait_until("every recipient", Duration::from_secs(120), || reminders(&tg).len() == RECIPIENTS as usize).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    drop(again);
    drop(standby);

    let t = tally(&tg);
    eprintln!(
        "partition: the leader's last send {:.1} s after the cut; the standby's first {:.1} s after it; \
         {} once, {} twice, {} more",
        stopped_after.as_secs_f64(),
        taken_over.saturating_duration_since(cut).as_secs_f64(),
        t.once,
        t.twice,
        t.more
    );
    assert!(stopped_after < webinar_bot::leader::LEASE_VALID, "stops within the lease: {stopped_after:?}");
    assert!(taken_over > last_by_leader, "never two senders at one moment");
    assert!(sends_by(&tg, "a2").is_empty(), "back as a standby, it sends nothing while another leads");
    assert_eq!(t.recipients, RECIPIENTS as usize, "nobody is lost");
    assert_eq!(t.more, 0, "nobody gets it three times");
    assert_eq!(tg.get_updates_conflicts(), 0, "never two getUpdates at one moment");
}
