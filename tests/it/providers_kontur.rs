//! Kontur.Talk against a fake API that answers as its OpenAPI spec says.

use crate::support::fake_provider;
use crate::support::reports::{KonturRow, kontur_room_report};

use chrono::{DateTime, TimeZone, Utc};
use fake_provider::*;
use serde_json::json;
use webinar_bot::domain::attendance::{Participant, ReportFetch, Stay, Unavailable};
use webinar_bot::providers::kontur::{self, KonturSettings};
use webinar_bot::providers::{
    DeleteOutcome, Meeting, MeetingExtra, Provider, ProviderError, ProviderSettings, Secret, ServiceSettings,
    http_client,
};

const KEY: &str = "ktalk-api-key-5b0c9e2d7f41";
const HOST: &str = "teacher@school.ru";
const CALENDAR: &str = "/api/EmailCalendar/teacher@school.ru";
const EVENT: &str = "/api/EmailCalendar/teacher@school.ru/AAMkAGI2evt";

fn settings(server: &FakeServer, host: Option<&str>) -> ProviderSettings {
    ProviderSettings::new(ServiceSettings::Kontur(KonturSettings {
        space: "uchi.ktalk.ru".into(),
        api_key: Secret::new(KEY),
        anonymous_access: Some(true),
        host_email: host.map(str::to_owned),
    }))
    .with_base_url(server.origin.clone())
}

fn provider(server: &FakeServer, host: Option<&str>) -> Provider {
    Provider::with_retry(settings(server, host), http_client(), fast_retry()).unwrap()
}

/// The Room answer echoes the name from the path, as the service does.
fn rooms(server: &FakeServer) {
    server.on(
        "PUT",
        "/api/Rooms/*",
        Reply::json(200, json!({"roomName": "{path_last}", "conferenceId": "c1", "stageConferenceId": "s1"})),
    );
}

fn calendar_item() -> Reply {
    Reply::json(
        200,
        json!({"id": "AAMkAGI2evt", "subject": "t", "roomName": "r",
               "onlineMeetingUrl": "https://uchi.ktalk.ru/r"}),
    )
}

fn meeting(origin: &str) -> Meeting {
    Meeting {
        id: "abc123room".into(),
        join_url: format!("{origin}/abc123room"),
        host_url: None,
        extra: MeetingExtra {
            calendar_email: Some(HOST.into()),
            calendar_event_id: Some("AAMkAGI2evt".into()),
            ..MeetingExtra::default()
        },
    }
}

#[tokio::test]
async fn create_puts_a_room_and_a_calendar_event() {
    let server = FakeServer::start().await;
    rooms(&server);
    server.on("POST", CALENDAR, calendar_item());
    let p = provider(&server, Some(HOST));

    let m = p.create(&sample_request()).await.unwrap();
    let other = p.create(&sample_request()).await.unwrap();

    assert_eq!(m.id.len(), 20);
    assert!(m.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    assert_ne!(m.id, other.id, "each event gets its own unguessable room");
    assert_eq!(m.join_url, format!("{}/{}", server.origin, m.id));
    assert_eq!(m.extra.calendar_email.as_deref(), Some(HOST));
    assert_eq!(m.extra.calendar_event_id.as_deref(), Some("AAMkAGI2evt"));
    assert!(p.supports_schedule());

    let room = server.only("PUT", &format!("/api/Rooms/{}", m.id));
    assert_eq!(room.header("x-auth-token"), Some(KEY));
    assert!(room.content_type().starts_with("application/json"));
    assert_eq!(
        room.json(),
        json!({"title": "Пожарная безопасность: изменения с 1 сентября",
               "description": "Что изменилось в правилах", "allowAnonymous": true})
    );
    let event = &server.requests_to("POST", CALENDAR)[0];
    assert_eq!(event.header("x-auth-token"), Some(KEY));
    assert!(event.content_type().starts_with("application/json"));
    assert_eq!(
        event.json(),
        json!({"subject": "Пожарная безопасность: изменения с 1 сентября", "roomName": m.id,
               "start": "2025-09-01T07:30:00.000Z", "end": "2025-09-01T09:00:00.000Z",
               "timezone": "GMT+3", "description": "Что изменилось в правилах",
               "allowAnonymous": true, "requiredUserKeys": []})
    );
}

#[tokio::test]
async fn without_a_host_only_the_room_is_made() {
    let server = FakeServer::start().await;
    rooms(&server);
    let p = provider(&server, None);
    let mut req = sample_request();
    req.host_email = None;

    let m = p.create(&req).await.unwrap();

    assert_eq!(m.extra.calendar_event_id, None);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn the_space_gives_the_official_address() {
    let s = ProviderSettings::new(ServiceSettings::Kontur(KonturSettings {
        space: "https://uchi.ktalk.ru/".into(),
        api_key: Secret::new(KEY),
        anonymous_access: None,
        host_email: None,
    }));
    assert!(Provider::new(s.clone(), http_client()).is_ok());
    let mut bad = s;
    if let ServiceSettings::Kontur(k) = &mut bad.service {
        k.space = "uchi ktalk".into();
    }
    let err = Provider::new(bad, http_client()).unwrap_err();
    assert_eq!(key(&err), "provider-input-bad-space");
}

#[tokio::test]
async fn update_edits_the_room_and_the_calendar_event() {
    let server = FakeServer::start().await;
    rooms(&server);
    server.on("PUT", EVENT, calendar_item());
    let p = provider(&server, Some(HOST));
    let before = meeting(&server.origin);

    let after = p.update(&before, &sample_request()).await.unwrap();

    assert_eq!(after, before);
    server.only("PUT", "/api/Rooms/abc123room");
    let event = server.only("PUT", EVENT);
    assert_eq!(event.header("x-auth-token"), Some(KEY));
    let body = event.json();
    assert_eq!(body["roomName"], "abc123room");
    assert_eq!(body["subject"], "Пожарная безопасность: изменения с 1 сентября");
    assert!(body.get("requiredUserKeys").is_none(), "only the create schema has it");
}

#[tokio::test]
async fn delete_cancels_the_event_and_says_the_room_stays() {
    let server = FakeServer::start().await;
    server.on("DELETE", EVENT, Reply::empty(200));
    let p = provider(&server, Some(HOST));

    let outcome = p.delete(&meeting(&server.origin)).await.unwrap();

    assert_eq!(outcome, DeleteOutcome::NotSupported);
    assert_eq!(outcome.i18n(p.kind()).0, "provider-delete-not-supported-kontur");
    let r = server.only("DELETE", EVENT);
    assert_eq!(r.header("x-auth-token"), Some(KEY));
}

#[tokio::test]
async fn check_reads_the_expiry_and_scopes() {
    let server = FakeServer::start().await;
    server.on(
        "GET",
        "/api/domain/applications/access-info",
        Reply::json(
            200,
            json!({"expiredAt": "2099-12-31T23:59:00Z",
                   "scopes": [{"type": "rooms", "restrictionType": "readWrite"},
                              {"type": "calendar", "restrictionType": "readWrite"}]}),
        ),
    );
    let p = provider(&server, Some(HOST));

    let report = p.check().await.unwrap();

    assert_eq!(report.expires_at.unwrap().to_rfc3339(), "2099-12-31T23:59:00+00:00");
    let r = server.only("GET", "/api/domain/applications/access-info");
    assert_eq!(r.header("x-auth-token"), Some(KEY));
}

#[tokio::test]
async fn check_reports_an_expired_key_and_missing_scopes() {
    let cases = [
        (
            json!({"expiredAt": "2024-12-31T23:59:00Z",
                   "scopes": [{"type": "rooms", "restrictionType": "readWrite"}]}),
            "provider-error-kontur-key-expired",
        ),
        (
            json!({"expiredAt": "2099-12-31T23:59:00Z",
                   "scopes": [{"type": "rooms", "restrictionType": "read"}]}),
            "provider-error-kontur-missing-scope",
        ),
        (
            json!({"expiredAt": "2099-12-31T23:59:00Z",
                   "scopes": [{"type": "rooms", "restrictionType": "readWrite"}]}),
            "provider-error-kontur-missing-scope",
        ),
    ];
    for (body, expected) in cases {
        let server = FakeServer::start().await;
        server.on("GET", "/api/domain/applications/access-info", Reply::json(200, body));
        let err = provider(&server, Some(HOST)).check().await.unwrap_err();
        assert_eq!(key(&err), expected, "{err:?}");
    }
}

#[tokio::test]
async fn every_documented_error_has_its_own_explanation() {
    let cases = [
        (Reply::empty(401), "provider-error-kontur-key-invalid"),
        (Reply::empty(403), "provider-error-kontur-forbidden"),
        (Reply::empty(429).header("retry-after", "30"), "provider-error-rate-limited"),
        (Reply::empty(502), "provider-error-server"),
        (Reply::text(200, "<html>"), "provider-error-malformed"),
        // No body, so no code to quote.
        (Reply::empty(400), "provider-error-rejected-no-code"),
    ];
    for (reply, expected) in cases {
        let server = FakeServer::start().await;
        server.on("PUT", "/api/Rooms/*", reply);
        let err = provider(&server, None).create(&sample_request()).await.unwrap_err();
        assert_eq!(key(&err), expected, "{err:?}");
    }
    // The calendar step has the same mapping (403: the key lacks Meetings).
    let server = FakeServer::start().await;
    rooms(&server);
    server.on("POST", CALENDAR, Reply::empty(403));
    let err = provider(&server, Some(HOST)).create(&sample_request()).await.unwrap_err();
    assert!(matches!(err, ProviderError::KonturForbidden));
    assert_eq!(server.requests_to("POST", CALENDAR).len(), 1, "create is not retried");
}

#[tokio::test]
async fn idempotent_calls_are_retried_and_time_out() {
    let server = FakeServer::start().await;
    server.on("PUT", "/api/Rooms/abc123room", Reply::empty(500));
    server.on("PUT", "/api/Rooms/abc123room", Reply::json(200, json!({"roomName": "abc123room"})));
    server.on("PUT", EVENT, calendar_item());
    let p = provider(&server, Some(HOST));
    p.update(&meeting(&server.origin), &sample_request()).await.unwrap();
    assert_eq!(server.requests_to("PUT", "/api/Rooms/abc123room").len(), 2);

    let slow = FakeServer::start().await;
    slow.on(
        "GET",
        "/api/domain/applications/access-info",
        Reply::empty(200).delayed(std::time::Duration::from_millis(600)),
    );
    let p = Provider::with_retry(settings(&slow, None), impatient_client(), fast_retry()).unwrap();
    let err = p.check().await.unwrap_err();
    assert_eq!(key(&err), "provider-error-timeout");
    assert_eq!(slow.requests().len(), 3, "a timeout on a read is retried");
}

#[tokio::test]
async fn the_key_never_leaks() {
    let (_guard, logs) = capture_logs();
    let server = FakeServer::start().await;
    server.on("PUT", "/api/Rooms/*", Reply::empty(401));
    server.on("GET", "/api/domain/applications/access-info", Reply::empty(403));
    let p = provider(&server, Some(HOST));

    let create = p.create(&sample_request()).await.unwrap_err();
    let check = p.check().await.unwrap_err();

    assert_secret_hidden(KEY, &create, &logs);
    assert_secret_hidden(KEY, &check, &logs);
    assert!(!format!("{p:?}").contains(KEY));
}

const ROOM_REPORT: &str = "/api/RoomReport/abc123room/statistics/report";

/// 1 September 2025, UTC: the sample class runs 07:30 to 09:00.
fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 9, 1, h, m, 0).unwrap()
}

async fn report(p: &Provider, meeting: &Meeting) -> Result<ReportFetch, ProviderError> {
    p.attendance(meeting, at(7, 30), at(9, 0)).await
}

fn ready(fetch: ReportFetch) -> Vec<Participant> {
    match fetch {
        ReportFetch::Ready(participants) => participants,
        other => panic!("expected a report, got {other:?}"),
    }
}

#[tokio::test]
async fn kontur_report_asks_for_the_widened_window_and_gives_tokens_back() {
    let server = FakeServer::start().await;
    let rows = [
        KonturRow::new("Анна Петрова", at(7, 28), Some(at(7, 50))).url_params("wbt=tokAnna"),
        KonturRow::new("Анна Петрова", at(7, 55), Some(at(9, 2))).url_params("?utm_source=tg&wbt=tokAnna"),
        KonturRow::new("Борис", at(7, 31), Some(at(8, 10))).user("boris@school.ru"),
        // Still in the room when the report was made.
        KonturRow::new("Вера", at(8, 40), None).url_params("wbt=tokVera"),
    ];
    server.on("GET", ROOM_REPORT, Reply::json(200, kontur_room_report(&rows)));
    let p = provider(&server, Some(HOST));

    let participants = ready(report(&p, &meeting(&server.origin)).await.unwrap());

    let tokens: Vec<Option<&str>> = participants.iter().map(|p| p.token.as_deref()).collect();
    assert_eq!(tokens, [Some("tokAnna"), Some("tokAnna"), None, Some("tokVera")]);
    assert_eq!(participants[0].stays, [Stay { joined: at(7, 28), left: at(7, 50) }]);
    assert_eq!(participants[2].email.as_deref(), Some("boris@school.ru"));
    assert_eq!(participants[0].email, None);
    assert_eq!(participants[3].stays, [Stay { joined: at(8, 40), left: at(9, 0) }], "an open exit ends at the end");
    assert!(participants.iter().all(|p| p.registrant_id.is_none()));

    let r = server.only("GET", ROOM_REPORT);
    assert_eq!(r.header("x-auth-token"), Some(KEY));
    let q = r.query_pairs();
    assert_eq!(q["from"], "2025-09-01T06:30:00.000Z", "an hour before the start");
    assert_eq!(q["to"], "2025-09-01T12:00:00.000Z", "three hours after the end");
    assert_eq!(q.len(), 2);
}

#[tokio::test]
async fn kontur_report_refusals() {
    let cases = [
        (Reply::empty(403), Ok(ReportFetch::Unavailable(Unavailable::Permission))),
        (Reply::empty(404), Ok(ReportFetch::NotReady)),
        (Reply::json(200, kontur_room_report(&[])), Ok(ReportFetch::Ready(Vec::new()))),
        (Reply::empty(401), Err("provider-error-kontur-key-invalid")),
        (Reply::empty(429).header("retry-after", "30"), Err("provider-error-rate-limited")),
        (Reply::json(200, json!({"participantCount": 0})), Err("provider-error-malformed")),
    ];
    for (reply, expected) in cases {
        let server = FakeServer::start().await;
        server.on("GET", ROOM_REPORT, reply);
        let got = report(&provider(&server, None), &meeting(&server.origin)).await.map_err(|e| key(&e));
        assert_eq!(got, expected);
    }
    // A read: retried after a 5xx.
    let server = FakeServer::start().await;
    server.on("GET", ROOM_REPORT, Reply::empty(502));
    server.on("GET", ROOM_REPORT, Reply::json(200, kontur_room_report(&[])));
    report(&provider(&server, None), &meeting(&server.origin)).await.unwrap();
    assert_eq!(server.requests_to("GET", ROOM_REPORT).len(), 2);
}

#[tokio::test]
async fn kontur_personal_links_carry_the_token_the_report_gives_back() {
    let server = FakeServer::start().await;
    let p = provider(&server, None);
    let m = meeting(&server.origin);
    assert!(p.kind().reports_attendance());

    let link = p.personal_join_url(&m, "Lz4_k9").unwrap();

    assert_eq!(link, format!("{}/abc123room?{}=Lz4_k9", server.origin, kontur::TOKEN_PARAM));
    // Whatever form `urlParams` takes, the token is read back.
    let query = url::Url::parse(&link).unwrap().query().unwrap().to_owned();
    let rows = [
        KonturRow::new("Анна", at(7, 30), Some(at(9, 0))).url_params(&query),
        KonturRow::new("Анна", at(7, 30), Some(at(9, 0))).url_params(&format!("?{query}")),
    ];
    server.on("GET", ROOM_REPORT, Reply::json(200, kontur_room_report(&rows)));
    let participants = ready(report(&p, &m).await.unwrap());
    assert!(participants.iter().all(|p| p.token.as_deref() == Some("Lz4_k9")), "{participants:?}");
}

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/specs/kontur-talk-public-api.openapi.json");

/// OpenAPI 3.0's `nullable: true` as JSON Schema's `null` type, so draft 4 can check it.
fn nullable_to_null(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if map.remove("nullable") == Some(json!(true))
                && let Some(serde_json::Value::String(kind)) = map.get("type").cloned()
            {
                map.insert("type".into(), json!([kind, "null"]));
            }
            map.values_mut().for_each(nullable_to_null);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(nullable_to_null),
        _ => {}
    }
}

/// `support::reports::kontur_room_report` answers as `RoomStatisticsReport` says, extra fields
/// refused (`additionalProperties: false`).
#[test]
fn the_room_report_conforms_to_the_spec() {
    let spec: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(SPEC).unwrap()).unwrap();
    let mut root = json!({
        "allOf": [{"$ref": "#/components/schemas/SkbKontur.Talk.Web.Entities.Statistics.RoomStatisticsReport"}],
        "components": spec["components"],
    });
    nullable_to_null(&mut root);
    let validator = jsonschema::draft4::options().should_validate_formats(true).build(&root).unwrap();
    let rows = [
        KonturRow::new("Анна", at(7, 28), Some(at(7, 50))).url_params("wbt=tokAnna"),
        KonturRow::new("Борис", at(7, 31), None).user("boris@school.ru"),
    ];
    let body = kontur_room_report(&rows);
    let errors: Vec<String> = validator.iter_errors(&body).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(!validator.is_valid(&json!({"roomParticipants": [{"entryTime": "now", "guessed": 1}]})));
}
