//! Attendance from class end to the teacher's report: a service's report matched to the
//! listeners (Kontur.Talk by personal link and name, Zoom by name through a report that is late
//! and paginated), a plan without reports explained once, and the Join redirect that counts
//! presses where a service reports nothing. The files are read back by independent readers.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::Duration;
use serde_json::{Value, json};
use teloxide::types::UserId;
use webinar_bot::attendance::export;
use webinar_bot::attendance::report::{Counted, Status};
use webinar_bot::clock::Clock;
use webinar_bot::domain::event::{EventId, EventStatus};
use webinar_bot::domain::group::FullName;
use webinar_bot::i18n::Lang;
use webinar_bot::providers::jitsi::JitsiSettings;
use webinar_bot::providers::kontur::KonturSettings;
use webinar_bot::providers::zoom::{ZoomMeetingType, ZoomSettings};
use webinar_bot::providers::{Meeting, MeetingExtra, ProviderSettings, Secret, ServiceSettings};
use webinar_bot::store::NewEvent;

use crate::support::fake_provider::{FakeServer, Reply};
use crate::support::scenario::{self, people};
use crate::support::{ADMIN_ID, Call, TestBot, TgUser};

const IVAN: i64 = 301;
const MARIA: i64 = 302;
const OLGA: i64 = 303;

async fn listeners(bot: &TestBot) -> Vec<TgUser> {
    let people = people(bot, [IVAN, MARIA, OLGA]).await;
    let names = [(IVAN, "Иван Петров"), (MARIA, "Мария Фёдорова"), (OLGA, "Ольга Смирнова")];
    for (id, name) in names {
        bot.ctx().users.set_full_name(UserId(id as u64), &FullName::parse(name).unwrap()).await.unwrap();
    }
    people
}

/// A planned class on `provider`, starting in an hour, for 60 minutes.
async fn class(bot: &TestBot, provider: i64, meeting: Meeting) -> EventId {
    people(bot, [ADMIN_ID]).await;
    let new = NewEvent {
        owner_id: UserId(ADMIN_ID as u64),
        host_id: None,
        host_email: None,
        provider_id: Some(provider),
        title: "Дроби".to_owned(),
        description: None,
        starts_at: bot.clock.now() + Duration::hours(1),
        duration_min: 60,
        tz: chrono_tz::Europe::Moscow,
        status: EventStatus::Planned,
        meeting: Some(meeting),
        options: json!({}),
        reminders: vec![],
    };
    bot.ctx().events.insert(&new, bot.clock.now()).await.unwrap()
}

fn meeting(id: &str, join_url: &str) -> Meeting {
    Meeting { id: id.to_owned(), join_url: join_url.to_owned(), host_url: None, extra: MeetingExtra::default() }
}

/// Invites the listeners and waits for each one's card.
async fn invite(bot: &TestBot, event: EventId, people: &[TgUser]) -> Vec<Call> {
    let mark = bot.tg.mark();
    scenario::invite(bot, event, people).await;
    bot.ctx().delivery.plan_event(event).await.unwrap();
    let mut cards = Vec::new();
    for person in people {
        let id = person.id;
        cards.push(bot.tg.wait_for(mark, "the card", |c| c.chat_id() == Some(id) && c.method == "SendMessage").await);
    }
    cards
}

fn join_url(card: &Call) -> String {
    card.buttons().into_iter().find(|(label, _)| label.contains("Подключиться")).expect("a Join button").1
}

/// Moves past the class's end and the first wait for its report, and waits for the notice.
async fn report_notice(bot: &TestBot, after: Duration) -> Call {
    let mark = bot.tg.mark();
    bot.clock.advance(after);
    bot.ctx().attendance.wake();
    bot.tg.wait_for(mark, "the report notice", |c| c.chat_id() == Some(ADMIN_ID) && c.text().contains("отчёт")).await
}

async fn open_report(bot: &TestBot, notice: &Call) -> Call {
    let admin = TgUser::ru(ADMIN_ID);
    scenario::press_for(bot, &admin, notice, "Открыть отчёт", "Посещаемость").await
}

fn at(minutes_after_start: i64, bot_start: chrono::DateTime<chrono::Utc>) -> String {
    (bot_start + Duration::minutes(minutes_after_start)).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn kontur_settings(server: &FakeServer) -> ProviderSettings {
    ProviderSettings::new(ServiceSettings::Kontur(KonturSettings {
        space: "uchi.ktalk.ru".into(),
        api_key: Secret::new("kontur-API-key-1q2w3e4r5t"),
        anonymous_access: Some(true),
        host_email: None,
    }))
    .with_base_url(server.origin.clone())
}

#[tokio::test]
async fn a_kontur_report_is_matched_by_personal_link_and_name_and_reaches_the_teacher() {
    let kontur = FakeServer::start().await;
    let bot = TestBot::start().await;
    let provider = scenario::register_provider(&bot, "Толк", &kontur_settings(&kontur)).await;
    let people = listeners(&bot).await;
    let event = class(&bot, provider, meeting("room1", "https://uchi.ktalk.ru/room1")).await;
    let cards = invite(&bot, event, &people).await;
    let ivan_link = url::Url::parse(&join_url(&cards[0])).unwrap();
    let token = ivan_link.query_pairs().find(|(k, _)| k == "wbt").expect("Ivan's own token").1.into_owned();
    assert_ne!(join_url(&cards[0]), join_url(&cards[1]), "each listener has a link of their own");

    let start = bot.ctx().events.get(event).await.unwrap().unwrap().starts_at;
    kontur.on(
        "GET",
        "/api/RoomReport/room1/statistics/report",
        Reply::json(
            200,
            json!({
                "roomName": "room1",
                "participantCount": 4,
                "roomParticipants": [
                    // Ivan joined from his phone under a nickname: his link names him.
                    {"participantName": "Vanya phone", "participantId": "p1", "isGuest": true, "participant": "Гость",
                     "entryTime": at(-2, start), "exitTime": at(61, start), "urlParams": format!("wbt={token}")},
                    // Maria joined twice and left early, under her name in another order.
                    {"participantName": "Федорова Мария", "participantId": "p2", "isGuest": true, "participant": "Гость",
                     "entryTime": at(10, start), "exitTime": at(20, start), "urlParams": null},
                    {"participantName": "федорова мария", "participantId": "p3", "isGuest": true, "participant": "Гость",
                     "entryTime": at(25, start), "exitTime": at(40, start), "urlParams": null},
                    {"participantName": "Кто-то Незнакомый", "participantId": "p4", "isGuest": true, "participant": "Гость",
                     "entryTime": at(0, start), "exitTime": at(30, start), "urlParams": null}
                ]
            }),
        ),
    );

    let notice = report_notice(&bot, Duration::hours(2) + Duration::minutes(11)).await;
    let report = open_report(&bot, &notice).await;
    let text = report.text();
    assert!(text.contains("По отчёту сервиса"), "{text}");
    assert!(text.contains("Были — 2 человека"), "{text}");
    assert!(text.contains("Иван Петров — 63 минуты"), "{text}");
    assert!(text.contains("Мария Фёдорова — 25 минут (опоздал, ушёл раньше)"), "{text}");
    assert!(text.contains("Не было — 1 человека:\nОльга Смирнова"), "{text}");
    assert!(text.contains("Кто-то Незнакомый — 30 минут"), "{text}");
    let asked = kontur.only("GET", "/api/RoomReport/room1/statistics/report");
    assert!(asked.query_pairs().contains_key("from"), "{asked:?}");

    // The files carry the chat's rows, read back by independent readers.
    let class_report =
        bot.ctx().attendance.class_report(&bot.ctx().events.get(event).await.unwrap().unwrap()).await.unwrap();
    assert_eq!(class_report.counted, Counted::Report);
    let table = export::class_table(&class_report, Lang::Ru);
    let admin = TgUser::ru(ADMIN_ID);
    let xlsx = press_for_file(&bot, &admin, &report, ".xlsx").await;
    assert_eq!(xlsx_rows(&xlsx.file_bytes("document")), table);
    let csv = press_for_file(&bot, &admin, &report, ".csv").await;
    assert_eq!(csv_rows(&csv.file_bytes("document")), table);
    for name in ["Иван Петров", "Мария Фёдорова", "Ольга Смирнова", "Кто-то Незнакомый"]
    {
        assert!(table.iter().any(|row| row[0] == name), "{name} in {table:?}");
    }

    // Listeners see nothing of it: the report's button, forged under a listener's own card, is refused.
    let mark = bot.tg.mark();
    let ivan = TgUser::ru(IVAN);
    bot.tg.press(&ivan, cards[0].message_id().unwrap(), &notice.button_data("Открыть отчёт"));
    let refused =
        bot.tg.wait_for(mark, "the refusal", |c| c.chat_id() == Some(IVAN) || c.method == "AnswerCallbackQuery").await;
    assert!(!refused.text().contains("Посещаемость"), "{refused:?}");
    bot.tg.assert_silent_after(mark, IVAN).await;
    bot.finish().await;
}

/// Presses a download button and waits for the file.
async fn press_for_file(bot: &TestBot, user: &TgUser, under: &Call, label: &str) -> Call {
    let mark = bot.tg.mark();
    bot.tg.press(user, under.message_id().unwrap(), &under.button_data(label));
    let id = user.id;
    bot.tg.wait_for(mark, label, |c| c.chat_id() == Some(id) && c.method == "SendDocument").await
}

/// The rows of the table in the first sheet, from the row where the table starts.
fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("an xlsx file");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("a readable sheet");
    sheet
        .rows()
        .skip(export::XLSX_TABLE_ROW as usize)
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    Data::Int(i) => i.to_string(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// RFC 4180, after the byte order mark Excel needs for Cyrillic.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let text = text.strip_prefix('\u{feff}').expect("a byte order mark");
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted, mut chars) = (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Polls `done` until it holds (the worker runs on its own task).
async fn wait_until<F, Fut>(done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if done().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the attendance worker did not get there in 5 s");
}

fn zoom_settings(server: &FakeServer) -> ProviderSettings {
    ProviderSettings::new(ServiceSettings::Zoom(ZoomSettings {
        account_id: "acc".into(),
        client_id: "client".into(),
        client_secret: Secret::new("zoom-client-secret-1q2w3e"),
        meeting_type: ZoomMeetingType::Meeting,
        host_email: Some("host@example.org".into()),
        oauth_url: None,
    }))
    .with_base_url(format!("{}/v2", server.origin))
}

fn zoom_token() -> Reply {
    Reply::json(
        200,
        json!({"access_token": "tok", "token_type": "bearer", "expires_in": 3600, "scope": "report:read:admin"}),
    )
}

fn zoom_record(name: &str, join: String, leave: String) -> Value {
    json!({"id": "", "user_id": "1", "name": name, "user_email": "", "join_time": join, "leave_time": leave,
           "duration": 0, "status": "in_meeting"})
}

#[tokio::test]
async fn a_zoom_report_that_is_late_and_paginated_is_fetched_again_and_read_whole() {
    let zoom = FakeServer::start().await;
    zoom.on("POST", "/oauth/token", zoom_token());
    let bot = TestBot::start().await;
    let provider = scenario::register_provider(&bot, "Zoom", &zoom_settings(&zoom)).await;
    let people = listeners(&bot).await;
    let event = class(&bot, provider, meeting("8123", "https://zoom.us/j/8123")).await;
    invite(&bot, event, &people).await;
    let start = bot.ctx().events.get(event).await.unwrap().unwrap().starts_at;
    let path = "/v2/report/meetings/8123/participants";
    // Not ended yet for Zoom, then two pages.
    zoom.on("GET", path, Reply::json(404, json!({"code": 3001, "message": "Meeting ID is invalid or not end."})));
    zoom.on(
        "GET",
        path,
        Reply::json(
            200,
            json!({"page_size": 1, "total_records": 2, "next_page_token": "page2",
                                "participants": [zoom_record("Иван Петров", at(0, start), at(60, start))]}),
        ),
    );
    zoom.on(
        "GET",
        path,
        Reply::json(
            200,
            json!({"page_size": 1, "total_records": 2, "next_page_token": "",
                                "participants": [zoom_record("Ольга Смирнова", at(3, start), at(59, start))]}),
        ),
    );

    let mark = bot.tg.mark();
    bot.clock.advance(Duration::hours(2) + Duration::minutes(11));
    bot.ctx().attendance.wake();
    let asked = bot.ctx().attendance.store().clone();
    wait_until(|| {
        let asked = asked.clone();
        async move { asked.fetch(event).await.unwrap().is_some_and(|f| f.attempts == 1) }
    })
    .await;
    bot.tg.assert_silent_after(mark, ADMIN_ID).await;

    let notice = report_notice(&bot, Duration::minutes(20)).await;
    let report = open_report(&bot, &notice).await;
    assert!(report.text().contains("Были — 2 человека"), "{}", report.text());
    assert!(report.text().contains("Не было — 1 человека:\nМария Фёдорова"), "{}", report.text());
    let pages = zoom.requests_to("GET", path);
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert_eq!(pages[2].query_pairs().get("next_page_token").map(String::as_str), Some("page2"));
    assert_eq!(pages[1].query_pairs().get("page_size").map(String::as_str), Some("300"));
    bot.finish().await;
}

#[tokio::test]
async fn a_zoom_plan_without_reports_is_explained_once_not_per_class() {
    let zoom = FakeServer::start().await;
    zoom.on("POST", "/oauth/token", zoom_token());
    zoom.on(
        "GET",
        "/v2/report/meetings/*",
        Reply::json(400, json!({"code": 200, "message": "Only available for paid account: acc"})),
    );
    let bot = TestBot::start().await;
    let provider = scenario::register_provider(&bot, "Zoom", &zoom_settings(&zoom)).await;
    let people = listeners(&bot).await;
    let first = class(&bot, provider, meeting("1001", "https://zoom.us/j/1001")).await;
    let second = class(&bot, provider, meeting("1002", "https://zoom.us/j/1002")).await;
    invite(&bot, first, &people[..1]).await;
    invite(&bot, second, &people[..1]).await;
    let notice = report_notice(&bot, Duration::hours(2) + Duration::minutes(11)).await;
    assert!(notice.text().contains("не даёт отчётов"), "{}", notice.text());
    assert!(notice.text().contains("Pro"), "{}", notice.text());
    let mark = bot.tg.mark();
    bot.clock.advance(Duration::days(2));
    bot.ctx().attendance.wake();
    bot.tg.assert_silent_after(mark, ADMIN_ID).await;
    let asked = zoom.requests().into_iter().filter(|r| r.path.starts_with("/v2/report/")).count();
    assert_eq!(asked, 1, "the second class is not asked once the plan said no");
    let event = bot.ctx().events.get(second).await.unwrap().unwrap();
    let report = bot.ctx().attendance.class_report(&event).await.unwrap();
    assert!(matches!(report.counted, Counted::Nothing(_)), "{:?}", report.counted);
    bot.finish().await;
}

#[tokio::test]
async fn the_join_redirect_counts_a_press_sends_the_listener_on_and_refuses_a_forged_token() {
    let bot = TestBot::start_with(&[("PUBLIC_URL", "https://bot.example.org")]).await;
    let jitsi = ProviderSettings::new(ServiceSettings::Jitsi(JitsiSettings { domain: "meet.jit.si".into() }));
    let provider = scenario::register_provider(&bot, "Jitsi", &jitsi).await;
    let people = listeners(&bot).await;
    let event = class(&bot, provider, scenario::jitsi_meeting("room123abc")).await;
    let cards = invite(&bot, event, &people[..2]).await;
    let button = join_url(&cards[0]);
    let token = button.strip_prefix("https://bot.example.org/j/").expect("the bot's redirect").to_owned();

    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let pressed = client.get(format!("{}/j/{token}", bot.http_url())).send().await.unwrap();
    assert_eq!(pressed.status(), 302);
    assert_eq!(pressed.headers()["location"], "https://meet.jit.si/room123abc");
    assert_eq!(pressed.headers()["cache-control"], "no-store");
    let mut forged = token.clone();
    forged.replace_range(..1, if token.starts_with('A') { "B" } else { "A" });
    for bad in [forged.as_str(), "short", "../../etc/passwd"] {
        let refused = client.get(format!("{}/j/{bad}", bot.http_url())).send().await.unwrap();
        assert_eq!(refused.status(), 404, "{bad}");
        assert_eq!(refused.headers()["content-type"], "application/problem+json");
    }

    let event = bot.ctx().events.get(event).await.unwrap().unwrap();
    let report = bot.ctx().attendance.class_report(&event).await.unwrap();
    assert_eq!(report.counted, Counted::Presses);
    let statuses: Vec<_> = report.rows.iter().map(|r| (r.name.as_str(), r.status)).collect();
    assert!(matches!(statuses[0], ("Иван Петров", Status::Pressed { .. })), "{statuses:?}");
    assert_eq!(statuses[1], ("Мария Фёдорова", Status::Absent));
    bot.finish().await;
}

#[tokio::test]
async fn without_public_url_the_button_is_the_meeting_and_the_report_says_presses_are_not_counted() {
    let bot = TestBot::start().await;
    let jitsi = ProviderSettings::new(ServiceSettings::Jitsi(JitsiSettings { domain: "meet.jit.si".into() }));
    let provider = scenario::register_provider(&bot, "Jitsi", &jitsi).await;
    let people = listeners(&bot).await;
    let event = class(&bot, provider, scenario::jitsi_meeting("room123abc")).await;
    let cards = invite(&bot, event, &people[..1]).await;
    assert_eq!(join_url(&cards[0]), "https://meet.jit.si/room123abc");
    let event = bot.ctx().events.get(event).await.unwrap().unwrap();
    let report = bot.ctx().attendance.class_report(&event).await.unwrap();
    assert_eq!(report.counted, Counted::PressesNotCounted);
    bot.finish().await;
}

#[tokio::test]
async fn deleting_a_class_deletes_its_report() {
    let bot = TestBot::start().await;
    let people = listeners(&bot).await;
    let event = scenario::event(&bot, "Дроби", Duration::hours(1), &[]).await;
    scenario::invite(&bot, event, &people[..1]).await;
    let store = bot.ctx().attendance.store().clone();
    store.record_press(event, UserId(IVAN as u64), bot.clock.now()).await.unwrap();
    let db = bot.db().await;
    let count = |db: webinar_bot::store::Db| async move {
        webinar_bot::on_db!(&db, |pool| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM join_presses")
            .fetch_one(pool)
            .await)
        .unwrap()
    };
    assert_eq!(count(db.clone()).await, 1);
    for delete in ["DELETE FROM event_listeners WHERE event_id = $1", "DELETE FROM events WHERE id = $1"] {
        webinar_bot::on_db!(&db, |pool| sqlx::query(delete)
            .bind(event.0)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))
        .unwrap();
    }
    assert_eq!(count(db.clone()).await, 0);
    db.close().await;
    bot.finish().await;
}

#[tokio::test]
async fn an_email_given_in_settings_matches_a_participant_who_used_another_name() {
    let zoom = FakeServer::start().await;
    zoom.on("POST", "/oauth/token", zoom_token());
    let bot = TestBot::start().await;
    let provider = scenario::register_provider(&bot, "Zoom", &zoom_settings(&zoom)).await;
    let people = listeners(&bot).await;
    let olga = &people[2];
    let settings = bot.tg.ask(olga, "/settings").await;
    assert!(settings.text().contains("Электронная почта: не указан"), "{}", settings.text());
    scenario::press_for(&bot, olga, &settings, "Электронная почта", "адрес электронной почты").await;
    let refused = bot.tg.ask(olga, "olga at school").await;
    assert!(refused.text().contains("не похоже на адрес"), "{}", refused.text());
    let saved = bot.tg.ask(olga, "Olga.S@School.ru").await;
    assert!(saved.text().contains("Адрес сохранён: Olga.S@School.ru"), "{}", saved.text());

    let event = class(&bot, provider, meeting("8124", "https://zoom.us/j/8124")).await;
    invite(&bot, event, &people).await;
    let start = bot.ctx().events.get(event).await.unwrap().unwrap().starts_at;
    let mut record = zoom_record("OS-laptop", at(0, start), at(60, start));
    record["user_email"] = json!("olga.s@school.ru");
    zoom.on(
        "GET",
        "/v2/report/meetings/8124/participants",
        Reply::json(
            200,
            json!({"page_size": 300, "total_records": 1, "next_page_token": "", "participants": [record]}),
        ),
    );
    report_notice(&bot, Duration::hours(2) + Duration::minutes(11)).await;
    let event = bot.ctx().events.get(event).await.unwrap().unwrap();
    let report = bot.ctx().attendance.class_report(&event).await.unwrap();
    let olga_row = report.rows.iter().find(|r| r.name == "Ольга Смирнова").unwrap();
    assert!(matches!(olga_row.status, Status::Attended(_)), "{olga_row:?}");
    assert_eq!(olga_row.matched_by, Some(webinar_bot::domain::attendance::MatchedBy::Email));
    assert!(report.strangers.is_empty(), "{:?}", report.strangers);
    bot.finish().await;
}

/// Presses the Join redirect of `card` as its listener would.
async fn press_join(bot: &TestBot, card: &Call) {
    let url = join_url(card);
    let token = url.rsplit('/').next().unwrap();
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let pressed = client.get(format!("{}/j/{token}", bot.http_url())).send().await.unwrap();
    assert_eq!(pressed.status(), 302);
}

/// The planned occurrence `number` of the series, once the series has made it.
async fn occurrence(bot: &TestBot, series: i64, number: i64) -> EventId {
    for _ in 0..400 {
        if let Some(event) = bot.ctx().events.latest_occurrence(series).await.unwrap()
            && event.series == Some((series, number))
            && event.status == EventStatus::Planned
        {
            return event.id;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("occurrence {number} was not made");
}

#[tokio::test]
async fn a_series_report_gives_each_listener_their_share_with_a_chart() {
    use webinar_bot::domain::recurrence::{Ending, Frequency, Recurrence};
    let bot = TestBot::start_with(&[("PUBLIC_URL", "https://bot.example.org")]).await;
    let jitsi = ProviderSettings::new(ServiceSettings::Jitsi(JitsiSettings { domain: "meet.jit.si".into() }));
    let provider = scenario::register_provider(&bot, "Jitsi", &jitsi).await;
    let people = listeners(&bot).await;
    let first = class(&bot, provider, scenario::jitsi_meeting("room123abc")).await;
    let ctx = bot.ctx();
    let event = ctx.events.get(first).await.unwrap().unwrap();
    let rule = Recurrence { frequency: Frequency::Daily { interval: 1 }, ending: Ending::Count(3) };
    let series = ctx.series.start(&event, &rule).await.unwrap();
    let people = &people[..2];
    // Ivan comes to the first class, Maria to the second, nobody to the third.
    let cards = invite(&bot, first, people).await;
    press_join(&bot, &cards[0]).await;
    for (number, presser) in [(1, Some(1)), (2, None)] {
        let mark = bot.tg.mark();
        bot.clock.advance(Duration::days(1));
        ctx.series.wake();
        let id = occurrence(&bot, series, number).await;
        ctx.delivery.plan_event(id).await.unwrap();
        if let Some(at) = presser {
            let who = people[at].id;
            let card =
                bot.tg.wait_for(mark, "the card", |c| c.chat_id() == Some(who) && c.text().contains("Дроби")).await;
            press_join(&bot, &card).await;
        }
    }
    // Into the third class: it has begun, so it counts.
    bot.clock.advance(Duration::hours(1) + Duration::minutes(5));
    occurrence(&bot, series, 2).await;

    let admin = TgUser::ru(ADMIN_ID);
    let list = bot.tg.ask(&admin, "/events").await;
    let card = scenario::choose(&bot, &admin, &list, "Дроби").await;
    let report = scenario::press_for(&bot, &admin, &card, "Кто был на занятии", "Посещаемость").await;
    assert!(report.text().contains("Нажали «Подключиться»") || report.text().contains("Не было"), "{}", report.text());
    let mark = bot.tg.mark();
    bot.tg.press(&admin, report.message_id().unwrap(), &report.button_data("По всей серии"));
    let chart = bot.tg.wait_for(mark, "the chart", |c| c.chat_id() == Some(ADMIN_ID) && c.method == "SendPhoto").await;
    assert!(chart.file_bytes("photo").starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    let text = bot
        .tg
        .wait_for(mark, "the series", |c| {
            c.chat_id() == Some(ADMIN_ID) && c.method == "SendMessage" && c.text().contains("серии")
        })
        .await;
    let body = text.text();
    assert!(body.contains("Иван Петров — 1 из 3 (33 %)"), "{body}");
    assert!(body.contains("Мария Фёдорова — 1 из 3 (33 %)"), "{body}");
    let classes: Vec<&str> = body.lines().filter(|l| l.contains("были")).collect();
    assert_eq!(classes.len(), 3, "{body}");
    assert!(classes.iter().all(|l| l.ends_with("были 1 из 2") || l.ends_with("были 0 из 2")), "{body}");
    let xlsx = press_for_file(&bot, &admin, &text, ".xlsx").await;
    let series_report =
        ctx.attendance.series_report(series, chrono_tz::Europe::Moscow).await.unwrap().expect("a series report");
    assert_eq!(xlsx_rows(&xlsx.file_bytes("document")), export::series_table(&series_report, Lang::Ru));
    bot.finish().await;
}

/// A class the learning platform made hears of its report by webhook (issue 19).
#[tokio::test]
async fn the_platform_hears_when_its_class_has_a_report() {
    let kontur = FakeServer::start().await;
    let platform = FakeServer::start().await;
    platform.on("POST", "/hooks", Reply::empty(204));
    let url = format!("{}/hooks", platform.origin);
    let bot =
        TestBot::start_with(&[("API_WEBHOOK_URL", &url), ("API_WEBHOOK_SECRET", "a-secret-of-the-platform")]).await;
    let provider = scenario::register_provider(&bot, "Толк", &kontur_settings(&kontur)).await;
    let people = listeners(&bot).await;
    let event = class(&bot, provider, meeting("room1", "https://uchi.ktalk.ru/room1")).await;
    assert!(bot.ctx().platform.store.map_event("lesson-7", event, bot.clock.now()).await.unwrap());
    invite(&bot, event, &people).await;
    let start = bot.ctx().events.get(event).await.unwrap().unwrap().starts_at;
    kontur.on(
        "GET",
        "/api/RoomReport/room1/statistics/report",
        Reply::json(
            200,
            json!({
                "roomName": "room1",
                "participantCount": 2,
                "roomParticipants": [
                    {"participantName": "Иван Петров", "participantId": "p1", "isGuest": true, "participant": "Гость",
                     "entryTime": at(0, start), "exitTime": at(60, start), "urlParams": null},
                    {"participantName": "Кто-то Незнакомый", "participantId": "p2", "isGuest": true, "participant": "Гость",
                     "entryTime": at(0, start), "exitTime": at(30, start), "urlParams": null}
                ]
            }),
        ),
    );
    report_notice(&bot, Duration::hours(2) + Duration::minutes(11)).await;
    let body: Value = serde_json::from_slice(&platform.webhook("/hooks", "attendance.ready").await.body).unwrap();
    assert_eq!(body["data"]["external_id"], "lesson-7", "{body}");
    assert_eq!(body["data"]["participants"], 2, "{body}");
    assert_eq!(body["data"]["listeners_present"], 1, "{body}");

    // The platform reads the rows behind the numbers.
    let token = bot
        .ctx()
        .platform
        .create_token("LMS", webinar_bot::domain::platform::Scope::Read, UserId(ADMIN_ID as u64))
        .await
        .unwrap()
        .token;
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/events/lesson-7/report", bot.http_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["attendance_source"], "report", "{report}");
    let line =
        |name: &str| report["listeners"].as_array().unwrap().iter().find(|l| l["name"] == name).cloned().expect(name);
    let ivan = line("Иван Петров");
    assert_eq!(ivan["attendance"], "attended", "{ivan}");
    assert_eq!(ivan["minutes"], 60, "{ivan}");
    assert_eq!(ivan["matched_by"], "name", "{ivan}");
    assert_eq!(ivan["invitation"], "sent", "{ivan}");
    assert_eq!(line("Мария Фёдорова")["attendance"], "absent");
    assert_eq!(report["unmatched"], json!([{ "name": "Кто-то Незнакомый", "email": null, "minutes": 30 }]));
    bot.finish().await;
}
