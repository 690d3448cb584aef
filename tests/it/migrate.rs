//! Moving a school from SQLite to PostgreSQL: `webinar-bot migrate-to-postgres` run as a process
//! on a database a real bot filled, then a bot started on the copy, which must show the same
//! classes, send what was still to be sent and open every provider secret. These run on
//! PostgreSQL (TEST_POSTGRES_URL) on both runs of `scripts/test`, whatever the rest runs on.

use crate::support;

use std::collections::{BTreeMap, HashSet};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use chrono::Datelike;
use support::scenario::{self, people, register_provider};
use support::{ADMIN_ID, Clock, TestBot, TgUser, fresh_postgres_database, required_postgres};
use teloxide::types::UserId;
use webinar_bot::domain::invite::InviteKind;
use webinar_bot::domain::recurrence::{Ending, Frequency, Recurrence};
use webinar_bot::domain::reminders::ReminderOffset;
use webinar_bot::providers::telemost::{LiveStreamAccess, TelemostSettings, WaitingRoomLevel};
use webinar_bot::providers::zoom::{ZoomMeetingType, ZoomSettings};
use webinar_bot::providers::{ProviderSettings, Secret, ServiceSettings};
use webinar_bot::store::Db;
use webinar_bot::store::copy::TABLES;

const GROUP_CHAT: i64 = -100_777;
const TEACHER: i64 = 7100;
/// Members of the group (linked to GROUP_CHAT), then the event's own listeners.
const MEMBERS: [i64; 2] = [7001, 7002];
const DIRECT: [i64; 3] = [7003, 7004, 7005];
/// The listener whose invitation was being sent when the snapshot was taken.
const IN_FLIGHT: i64 = 7005;
/// The school's key, given to the bot on SQLite and to the one on PostgreSQL; the copy itself
/// needs none.
const KEY: &str = "5c0a1ab05c0a1ab05c0a1ab05c0a1ab05c0a1ab05c0a1ab05c0a1ab05c0a1ab0";

/// The subcommand as an operator runs it: the built binary, nothing in its environment.
async fn migrate_to_postgres(from: &str, to: &str) -> Output {
    let (from, to) = (from.to_owned(), to.to_owned());
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_webinar-bot"))
            .env_clear()
            .args(["migrate-to-postgres", "--from", &from, "--to", &to])
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("bot.sqlite").display())
}

/// A bot on a SQLite file in `dir`, whichever backend the suite runs on; the file outlives it.
async fn start_on_sqlite(dir: &tempfile::TempDir) -> TestBot {
    let data = tempfile::TempDir::new_in(dir.path()).unwrap();
    TestBot::start_on(data, &sqlite_url(dir), &[("BOT_SECRET_KEY", KEY)]).await
}

/// Rows of every copied table.
async fn counts(db: &Db) -> BTreeMap<&'static str, i64> {
    let mut counts = BTreeMap::new();
    for table in TABLES {
        let sql = format!("SELECT COUNT(*) FROM {}", table.name);
        let n: i64 = webinar_bot::on_db!(db, |pool| sqlx::query_scalar(&sql).fetch_one(pool).await).unwrap();
        counts.insert(table.name, n);
    }
    counts
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    webinar_bot::on_db!(db, |pool| sqlx::query_scalar(sql).fetch_one(pool).await).unwrap()
}

fn zoom() -> ProviderSettings {
    ProviderSettings::new(ServiceSettings::Zoom(ZoomSettings {
        account_id: "mEm7n8r5QzAccount".into(),
        client_id: "jKmEGM3KSbClient".into(),
        client_secret: Secret::new("zoom-client-secret-moved-9c1e5b77aa"),
        meeting_type: ZoomMeetingType::Meeting,
        host_email: Some("teacher@school.ru".into()),
        oauth_url: None,
    }))
}

fn telemost() -> ProviderSettings {
    ProviderSettings::new(ServiceSettings::Telemost(TelemostSettings {
        token: Secret::new("y0_moved-telemost-SECRET"),
        waiting_room_level: WaitingRoomLevel::Public,
        live_stream_access: LiveStreamAccess::Public,
        login_info_url: None,
    }))
}

/// Waits until no row of the outbox is due now and unsent.
async fn settle(bot: &TestBot) {
    let db = bot.db().await;
    let now = webinar_bot::store::stamp(bot.clock.now());
    for _ in 0..1000 {
        let due: i64 = webinar_bot::on_db!(&db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE state = 'sending' OR (state = 'pending' AND send_at <= $1)"
        )
        .bind(&now)
        .fetch_one(pool)
        .await)
        .unwrap();
        if due == 0 {
            db.close().await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the outbox did not settle");
}

/// A message's text and its buttons (label, data).
type Screen = (String, Vec<(String, String)>);

/// What a school looks like after a week of use, set up by driving the bot as the scenario
/// tests do.
struct School {
    providers: Vec<(i64, Option<ProviderSettings>)>,
    group_code: String,
    /// `/events` as each listener saw it.
    events_seen: Vec<(i64, Screen)>,
    reminder_at: chrono::DateTime<chrono::Utc>,
}

async fn run_a_school(bot: &TestBot) -> School {
    let ctx = bot.ctx();
    let now = bot.clock.now();
    people(bot, [ADMIN_ID, TEACHER]).await;
    ctx.users.promote_to_teacher(UserId(TEACHER as u64), now).await.unwrap();
    ctx.settings.set_teachers_may_register_providers(true).await.unwrap();
    let zoom_id = register_provider(bot, "Zoom школы", &zoom()).await;
    let telemost_id = register_provider(bot, "Телемост школы", &telemost()).await;
    let members = people(bot, MEMBERS).await;
    let direct = people(bot, DIRECT).await;
    let group = scenario::group(bot, &members, Some(GROUP_CHAT)).await;
    let group_code = ctx
        .invites
        .create(InviteKind::Group, Some(group.get()), UserId(ADMIN_ID as u64), None, None, now)
        .await
        .unwrap();
    ctx.invites.create(InviteKind::Teacher, None, UserId(ADMIN_ID as u64), None, Some(1), now).await.unwrap();

    // A class in two days with a reminder an hour before: the invitations go now, the
    // reminders stay pending in the outbox.
    let mark = bot.tg.mark();
    let algebra = scenario::event(bot, "Алгебра", chrono::Duration::days(2), &[ReminderOffset::Hour1]).await;
    ctx.events.set_groups(algebra, &[group]).await.unwrap();
    scenario::invite(bot, algebra, &direct).await;
    ctx.delivery.plan_event(algebra).await.unwrap();
    settle(bot).await;
    let card =
        bot.tg.wait_for(mark, "the card", |c| c.chat_id() == Some(DIRECT[0]) && c.text().contains("Алгебра")).await;
    let answer = bot.tg.click(&direct[0], card.message_id().unwrap(), &card.button_data("Приду")).await;
    assert!(answer.text().contains("вы придёте"), "{}", answer.text());
    let card =
        bot.tg.wait_for(mark, "the card", |c| c.chat_id() == Some(DIRECT[1]) && c.text().contains("Алгебра")).await;
    let ics_mark = bot.tg.mark();
    bot.tg.press(&direct[1], card.message_id().unwrap(), &card.button_data("календарь"));
    bot.tg.wait_for(ics_mark, "the .ics", |c| c.method == "SendDocument").await;

    // A weekly class, its first occurrence in three days.
    let physics = scenario::event(bot, "Физика", chrono::Duration::days(3), &[]).await;
    let event = ctx.events.get(physics).await.unwrap().unwrap();
    let weekday = event.starts_at.with_timezone(&event.tz).weekday();
    let rule =
        Recurrence { frequency: Frequency::Weekly { weekdays: vec![weekday], interval: 1 }, ending: Ending::Count(3) };
    ctx.series.start(&event, &rule).await.unwrap();

    let mut events_seen = Vec::new();
    for id in [MEMBERS[0], DIRECT[0]] {
        let reply = bot.tg.ask(&TgUser::ru(id), "/events").await;
        assert!(reply.text().contains("Алгебра"), "{}", reply.text());
        events_seen.push((id, (reply.text().to_owned(), reply.buttons())));
    }
    // The administrator is half-way through creating a class.
    bot.tg.ask(&TgUser::ru(ADMIN_ID), "/new").await;

    let mut providers = Vec::new();
    let ids: Vec<i64> =
        webinar_bot::on_db!(&ctx.pool, |pool| sqlx::query_scalar("SELECT id FROM providers ORDER BY id")
            .fetch_all(pool)
            .await)
        .unwrap();
    for id in ids {
        let expected =
            [(zoom_id, zoom()), (telemost_id, telemost())].into_iter().find(|(p, _)| *p == id).map(|(_, s)| s);
        providers.push((id, expected));
    }
    let reminder_at = now + chrono::Duration::days(2) - chrono::Duration::hours(1);
    School { providers, group_code: group_code.to_string(), events_seen, reminder_at }
}

/// A crash while the invitation to IN_FLIGHT was out: claimed, never marked sent.
async fn leave_one_row_in_flight(source: &str) {
    let db = webinar_bot::store::connect(source).await.unwrap();
    let done = webinar_bot::on_db!(&db, |pool| sqlx::query(
        "UPDATE outbox SET state = 'sending', sent_at = NULL, message_id = NULL
          WHERE chat_id = $1 AND kind = 'invitation'"
    )
    .bind(IN_FLIGHT)
    .execute(pool)
    .await
    .map(|d| d.rows_affected()))
    .unwrap();
    assert_eq!(done, 1);
    db.close().await;
}

fn sent_to(bot: &TestBot, mark: usize, chat: i64, needle: &str) -> bool {
    bot.tg.calls()[mark..]
        .iter()
        .any(|c| c.method == "SendMessage" && c.is_ok() && c.chat_id() == Some(chat) && c.text().contains(needle))
}

async fn wait_sent(bot: &TestBot, mark: usize, chat: i64, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !sent_to(bot, mark, chat, needle) {
        assert!(Instant::now() < deadline, "{needle:?} never reached {chat}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_school_moved_to_postgres_shows_the_same_classes_sends_what_was_pending_and_opens_every_secret() {
    let source_dir = tempfile::tempdir().unwrap();
    let source = sqlite_url(&source_dir);
    let bot = start_on_sqlite(&source_dir).await;
    let school = run_a_school(&bot).await;
    bot.finish().await;
    leave_one_row_in_flight(&source).await;
    let source_db = webinar_bot::store::connect(&source).await.unwrap();
    let before = counts(&source_db).await;
    source_db.close().await;
    for table in ["users", "providers", "listener_groups", "group_members", "group_chats", "invites", "series"] {
        assert!(before[table] > 0, "the school has {table}");
    }
    for table in ["events", "event_groups", "event_listeners", "outbox", "calendar_copies", "dialogues", "settings"] {
        assert!(before[table] > 0, "the school has {table}");
    }

    let target = fresh_postgres_database(&required_postgres()).await;
    let out = migrate_to_postgres(&source, &target).await;
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("row counts match"), "{stdout}");
    assert!(
        stdout.lines().any(|l| l.split_whitespace().collect::<Vec<_>>()
            == ["outbox", &before["outbox"].to_string(), &before["outbox"].to_string()]),
        "{stdout}"
    );

    let target_db = webinar_bot::store::connect(&target).await.unwrap();
    assert_eq!(counts(&target_db).await, before);
    assert_eq!(
        scalar(&target_db, "SELECT COUNT(*) FROM outbox WHERE state = 'sending' OR claimed_by IS NOT NULL").await,
        0
    );
    target_db.close().await;

    let bot = TestBot::start_on(tempfile::tempdir().unwrap(), &target, &[("BOT_SECRET_KEY", KEY)]).await;
    let ctx = bot.ctx();
    for (id, expected) in &school.providers {
        let opened = ctx.providers.settings(*id).await.unwrap().unwrap_or_else(|| panic!("provider {id}"));
        if let Some(expected) = expected {
            assert_eq!(&opened, expected, "provider {id}");
        }
    }
    let mark = bot.tg.mark();
    // The row in flight at the snapshot goes out at once.
    wait_sent(&bot, mark, IN_FLIGHT, "Алгебра").await;
    // The dialogue goes on where it stopped.
    let next = bot.tg.ask(&TgUser::ru(ADMIN_ID), "Геометрия").await;
    assert!(next.buttons().iter().any(|(label, _)| label.contains("Jitsi")), "{} {:?}", next.text(), next.buttons());
    for (id, seen) in &school.events_seen {
        let reply = bot.tg.ask(&TgUser::ru(*id), "/events").await;
        assert_eq!(&(reply.text().to_owned(), reply.buttons()), seen, "/events of {id}");
    }
    // The group's link still opens.
    let newcomer = TgUser::ru(7200);
    bot.tg.ask(&newcomer, &format!("/start {}", school.group_code)).await;
    let group = ctx.groups.list(None).await.unwrap()[0].id;
    assert!(ctx.groups.is_member(group, UserId(7200)).await.unwrap());
    // New rows get ids past the copied ones.
    let fresh = register_provider(&bot, "Ещё один", &telemost()).await;
    assert!(school.providers.iter().all(|(id, _)| *id < fresh), "{fresh}");
    ctx.invites.create(InviteKind::Teacher, None, UserId(ADMIN_ID as u64), None, None, bot.clock.now()).await.unwrap();

    // The reminders pending at the move go at their time.
    let mark = bot.tg.mark();
    bot.clock.set(school.reminder_at);
    for chat in [DIRECT[0], DIRECT[1], GROUP_CHAT] {
        wait_sent(&bot, mark, chat, "Через 1 час").await;
    }
    bot.finish().await;
}

/// `url` with a password in it: the server trusts loopback and ignores it, and no message may
/// show it.
fn with_password(url: &str) -> String {
    let mut parsed = url::Url::parse(url).unwrap();
    parsed.set_password(Some("pw-never-shown-4711")).unwrap();
    parsed.to_string()
}

#[tokio::test]
async fn a_target_that_holds_anything_is_refused_and_left_as_it_was() {
    let source_dir = tempfile::tempdir().unwrap();
    let bot = start_on_sqlite(&source_dir).await;
    people(&bot, [7300]).await;
    bot.finish().await;
    // A bot already ran on the target: it has its administrator and its default provider.
    let target = fresh_postgres_database(&required_postgres()).await;
    let used = TestBot::start_on(tempfile::tempdir().unwrap(), &target, &[]).await;
    used.finish().await;
    let target_db = webinar_bot::store::connect(&target).await.unwrap();
    let before = counts(&target_db).await;
    assert!(before["users"] > 0);

    let out = migrate_to_postgres(&sqlite_url(&source_dir), &with_password(&target)).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("is not empty") && stderr.contains("users: "), "{stderr}");
    assert!(!stderr.contains("pw-never-shown-4711"), "{stderr}");
    assert_eq!(counts(&target_db).await, before, "the target is unchanged");
    target_db.close().await;
}

#[tokio::test]
async fn a_missing_source_is_named_and_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("school.sqlite");
    let target = fresh_postgres_database(&required_postgres()).await;
    let out = migrate_to_postgres(&format!("sqlite://{}", missing.display()), &with_password(&target)).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&format!("the database {} does not exist", missing.display())), "{stderr}");
    assert!(!stderr.contains("pw-never-shown-4711"), "{stderr}");
    assert!(!missing.exists(), "the source is never created");
    // Nor is the target touched: not even its migrations.
    let target_db = webinar_bot::store::connect(&target).await.unwrap();
    assert_eq!(
        scalar(&target_db, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'").await,
        0
    );
    target_db.close().await;

    let wrong_way = migrate_to_postgres(&target, &format!("sqlite://{}", missing.display())).await;
    assert_eq!(wrong_way.status.code(), Some(1));
    assert!(text(&wrong_way.stderr).contains("--from must name a SQLite database"), "{}", text(&wrong_way.stderr));
}

/// The copy's column lists against PostgreSQL's schema: every table, every column, its type.
#[tokio::test]
async fn the_copied_columns_are_the_postgres_schema_but_the_claim_lease() {
    let target = fresh_postgres_database(&required_postgres()).await;
    let db = webinar_bot::store::connect(&target).await.unwrap();
    webinar_bot::store::migrate(&db).await.unwrap();
    let Db::Postgres(pool, _) = &db else { unreachable!() };
    let columns: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name NOT IN ('_sqlx_migrations', 'leader_lease')
            AND (table_name, column_name) NOT IN (('outbox', 'claimed_by'), ('outbox', 'lease_until'))",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let schema: HashSet<(String, String, String)> = columns.into_iter().collect();
    let listed: HashSet<(String, String, String)> = TABLES
        .iter()
        .flat_map(|t| t.columns.iter().map(|(c, k)| (t.name.to_owned(), c.to_string(), k.postgres_type().to_owned())))
        .collect();
    assert_eq!(listed, schema);
    db.close().await;
}

/// A large school: `MIGRATE_OUTBOX_ROWS` outbox rows (20,000 by default, several batches; set it
/// to 1000000 for the figure in the README), 10,000 people, 1,000 classes.
#[tokio::test]
async fn a_large_outbox_moves_in_batches_with_every_row() {
    let rows: i64 = std::env::var("MIGRATE_OUTBOX_ROWS").ok().and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let dir = tempfile::tempdir().unwrap();
    let source = sqlite_url(&dir);
    let db = webinar_bot::store::connect(&source).await.unwrap();
    webinar_bot::store::migrate(&db).await.unwrap();
    let Db::Sqlite(pool) = &db else { unreachable!() };
    let seeded = Instant::now();
    for sql in [
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
         INSERT INTO users (id, first_name, language, timezone, role, created_at, updated_at)
         SELECT 100000 + i, 'Слушатель ' || i, 'ru', 'Europe/Moscow', CASE i WHEN 1 THEN 'admin' ELSE 'listener' END,
                '2026-11-01T07:00:00.000Z', '2026-11-01T07:00:00.000Z' FROM n",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
         INSERT INTO events (owner_id, title, starts_at, duration_min, timezone, status, created_at, updated_at)
         SELECT 100001, 'Урок ' || i, '2026-12-01T07:00:00.000Z', 90, 'Europe/Moscow', 'planned',
                '2026-11-01T07:00:00.000Z', '2026-11-01T07:00:00.000Z' FROM n",
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $1 - 1)
         INSERT INTO outbox (event_id, chat_id, kind, due_at, send_at, state, attempts, message_id, late,
                             created_at, updated_at, sent_at, paid)
         SELECT i % 1000 + 1, 100001 + i / 1000 % 10000, 'reminder:h1',
                '2026-12-01T06:00:00.000Z', '2026-12-01T05:59:00.000Z',
                CASE WHEN i % 500 = 0 THEN 'sending' WHEN i % 3 = 0 THEN 'pending' ELSE 'sent' END,
                i % 3, CASE WHEN i % 3 = 1 THEN i % 2000000000 END, i % 7 = 0,
                '2026-11-01T07:00:00.000Z', '2026-11-01T07:00:00.000Z',
                CASE WHEN i % 3 = 1 THEN '2026-11-01T07:00:01.000Z' END, i % 11 = 0 FROM n",
    ] {
        sqlx::query(sql).bind(rows).execute(pool).await.unwrap();
    }
    let before = counts(&db).await;
    assert_eq!(before["outbox"], rows);
    db.close().await;
    let seeded = seeded.elapsed();

    let target = fresh_postgres_database(&required_postgres()).await;
    let started = Instant::now();
    let out = migrate_to_postgres(&source, &target).await;
    let took = started.elapsed();
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    eprintln!(
        "{}moved {rows} outbox rows (seeded in {:.1} s) in {:.1} s",
        text(&out.stdout),
        seeded.as_secs_f64(),
        took.as_secs_f64()
    );
    let target_db = webinar_bot::store::connect(&target).await.unwrap();
    assert_eq!(counts(&target_db).await, before);
    assert_eq!(scalar(&target_db, "SELECT COUNT(*) FROM outbox WHERE state = 'sending'").await, 0);
    let paid = "SELECT COUNT(*) FROM outbox WHERE paid";
    assert_eq!(scalar(&target_db, paid).await, (rows + 10) / 11);
    // The next id is past the largest copied.
    let Db::Postgres(pool, _) = &target_db else { unreachable!() };
    let next: i64 = sqlx::query_scalar(
        "INSERT INTO outbox (event_id, chat_id, kind, due_at, send_at, created_at, updated_at)
         VALUES (1, 1, 'x', '', '', '', '') RETURNING id",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(next, rows + 1);
    target_db.close().await;
}

/// A source one migration behind, with a code still in the clear (as a release before hashing
/// left it): the output says what was done to it first, and the copy holds only the hash. One
/// with a migration this binary does not know is refused.
#[tokio::test]
async fn a_source_behind_is_brought_up_first_and_one_ahead_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let source = sqlite_url(&dir);
    let db = webinar_bot::store::connect(&source).await.unwrap();
    webinar_bot::store::migrate(&db).await.unwrap();
    let Db::Sqlite(pool) = &db else { unreachable!() };
    for sql in [
        "DROP INDEX outbox_finished",
        "DELETE FROM _sqlx_migrations WHERE version = 14",
        "INSERT INTO users (id, first_name, language, timezone, role, created_at, updated_at)
         VALUES (100, 'A', 'ru', 'Europe/Moscow', 'admin', '2026-11-01T07:00:00.000Z', '2026-11-01T07:00:00.000Z')",
        "INSERT INTO invites (code, kind, target_id, created_by, created_at, hashed)
         VALUES ('gClearCode0123456789ab', 'group', 7, 100, '2026-11-01T07:00:00.000Z', 0)",
    ] {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
    db.close().await;

    let target = fresh_postgres_database(&required_postgres()).await;
    let out = migrate_to_postgres(&source, &target).await;
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("the source was behind this binary: applied its migrations 14 first"), "{stdout}");
    assert!(stdout.contains("1 invitation codes stored in the clear were hashed"), "{stdout}");
    let target_db = webinar_bot::store::connect(&target).await.unwrap();
    let clear = "SELECT COUNT(*) FROM invites WHERE NOT hashed OR code = 'gClearCode0123456789ab'";
    assert_eq!(scalar(&target_db, clear).await, 0);
    target_db.close().await;

    let db = webinar_bot::store::connect(&source).await.unwrap();
    let Db::Sqlite(pool) = &db else { unreachable!() };
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (9999, 'from the future', 1, x'00', 0)",
    )
    .execute(pool)
    .await
    .unwrap();
    db.close().await;
    let out = migrate_to_postgres(&source, &fresh_postgres_database(&required_postgres()).await).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("has migrations this binary does not know (9999)"), "{}", text(&out.stderr));
}

/// A row PostgreSQL refuses half-way through (a listener of a class that is gone, written while
/// SQLite's foreign keys were off): the command fails naming the table, and the target holds
/// nothing of what was copied before it.
#[tokio::test]
async fn a_failure_half_way_leaves_the_target_empty() {
    let dir = tempfile::tempdir().unwrap();
    let source = sqlite_url(&dir);
    let db = webinar_bot::store::connect(&source).await.unwrap();
    webinar_bot::store::migrate(&db).await.unwrap();
    let Db::Sqlite(pool) = &db else { unreachable!() };
    let mut conn = pool.acquire().await.unwrap();
    for sql in [
        "PRAGMA foreign_keys = OFF",
        "INSERT INTO users (id, first_name, language, timezone, role, created_at, updated_at)
         VALUES (100, 'A', 'ru', 'Europe/Moscow', 'admin', '2026-11-01T07:00:00.000Z', '2026-11-01T07:00:00.000Z')",
        "INSERT INTO event_listeners (event_id, user_id) VALUES (999, 100)",
    ] {
        sqlx::query(sql).execute(&mut *conn).await.unwrap();
    }
    drop(conn);
    db.close().await;

    let target = fresh_postgres_database(&required_postgres()).await;
    let out = migrate_to_postgres(&source, &target).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("copying event_listeners") && stderr.contains("foreign key"), "{stderr}");
    let target_db = webinar_bot::store::connect(&target).await.unwrap();
    assert!(counts(&target_db).await.values().all(|n| *n == 0), "nothing committed");
    target_db.close().await;
}
