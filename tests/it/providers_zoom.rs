//! Zoom against a fake API; every request body is validated against the
//! requestBody schema of Zoom's OpenAPI spec in `../shared/specs/`.

use crate::support::fake_provider;
use crate::support::reports::{
    ZoomRecord, zoom_error_body, zoom_missing_report_scope, zoom_participants_page, zoom_report_no_permission,
    zoom_report_not_found,
};

use base64::Engine;
use chrono::{DateTime, TimeZone, Utc};
use fake_provider::*;
use serde_json::{Value, json};
use std::sync::OnceLock;
use webinar_bot::domain::attendance::{Participant, ReportFetch, Stay, Unavailable, presence};
use webinar_bot::providers::zoom::{ZoomMeetingType, ZoomSettings};
use webinar_bot::providers::{
    DeleteOutcome, InputProblem, Meeting, MeetingExtra, Provider, ProviderError, ProviderKind, ProviderSettings,
    Secret, ServiceSettings, http_client,
};

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/specs/zoom-meeting-api.openapi.json");
const ACCOUNT: &str = "mEm7n8r5QzAccount";
const CLIENT_ID: &str = "jKmEGM3KSbClient";
const CLIENT_SECRET: &str = "zoom-client-secret-9c1e5b77aa";
const ACCESS_TOKEN: &str = "eyJzoom-access-token-4d2f81";
const HOST: &str = "teacher@school.ru";
const MEETINGS: &str = "/v2/users/teacher@school.ru/meetings";
const WEBINARS: &str = "/v2/users/teacher@school.ru/webinars";

fn spec() -> &'static Value {
    static SPEC_JSON: OnceLock<Value> = OnceLock::new();
    SPEC_JSON.get_or_init(|| {
        let text = std::fs::read_to_string(SPEC).expect("shared/specs lies beside the checkout");
        serde_json::from_str(&text).unwrap()
    })
}

/// Validates `body` against the JSON requestBody schema of `method path`.
fn assert_conforms(path: &str, method: &str, body: &Value) {
    let schema = &spec()["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "no schema for {method} {path}");
    let validator = jsonschema::draft4::options().should_validate_formats(true).build(schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(body).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{method} {path} body {body} breaks the schema: {errors:?}");
}

#[test]
fn the_schema_check_catches_bad_bodies() {
    let path = "/users/{userId}/meetings";
    let schema = &spec()["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"];
    let validator = jsonschema::draft4::options().should_validate_formats(true).build(schema).unwrap();
    assert!(validator.is_valid(&json!({"topic": "x", "type": 2})));
    assert!(!validator.is_valid(&json!({"type": 5})));
    assert!(!validator.is_valid(&json!({"agenda": "a".repeat(2001)})));
    assert!(!validator.is_valid(&json!({"start_time": "1 Sept 2025"})));
    assert!(!validator.is_valid(&json!({"duration": "90"})));
}

fn settings(server: &FakeServer, kind: ZoomMeetingType) -> ProviderSettings {
    ProviderSettings::new(ServiceSettings::Zoom(ZoomSettings {
        account_id: ACCOUNT.into(),
        client_id: CLIENT_ID.into(),
        client_secret: Secret::new(CLIENT_SECRET),
        meeting_type: kind,
        host_email: Some(HOST.into()),
        oauth_url: None,
    }))
    .with_base_url(format!("{}/v2", server.origin))
}

fn provider(server: &FakeServer, kind: ZoomMeetingType) -> Provider {
    Provider::with_retry(settings(server, kind), http_client(), fast_retry()).unwrap()
}

fn token_reply(expires_in: u64) -> Reply {
    Reply::json(
        200,
        json!({"access_token": ACCESS_TOKEN, "token_type": "bearer", "expires_in": expires_in,
               "scope": "meeting:write:admin", "api_url": "https://api.zoom.us"}),
    )
}

fn meeting_reply(status: u16) -> Reply {
    Reply::json(
        status,
        json!({"id": 85746065432_i64, "uuid": "aDYlohsHRtCd4ii1uC2+hA==", "host_email": HOST,
               "topic": "t", "type": 2, "join_url": "https://us05web.zoom.us/j/85746065432?pwd=x",
               "start_url": "https://us05web.zoom.us/s/85746065432?zak=host", "duration": 90}),
    )
}

fn zoom_error(status: u16, code: i64, message: &str) -> Reply {
    Reply::json(status, json!({"code": code, "message": message}))
}

fn meeting(kind: &str) -> Meeting {
    Meeting {
        id: "85746065432".into(),
        join_url: "https://us05web.zoom.us/j/85746065432".into(),
        host_url: None,
        extra: MeetingExtra { zoom_kind: Some(kind.into()), ..MeetingExtra::default() },
    }
}

fn bearer() -> String {
    format!("Bearer {ACCESS_TOKEN}")
}

#[tokio::test]
async fn create_meeting_fetches_a_token_and_posts_a_valid_body() {
    let server = FakeServer::start().await;
    server.on("POST", "/oauth/token", token_reply(3600));
    server.on("POST", MEETINGS, meeting_reply(201));
    let p = provider(&server, ZoomMeetingType::Meeting);

    let m = p.create(&sample_request()).await.unwrap();
    p.create(&sample_request()).await.unwrap();

    assert_eq!(m.id, "85746065432");
    assert_eq!(m.join_url, "https://us05web.zoom.us/j/85746065432?pwd=x");
    assert_eq!(m.host_url.as_deref(), Some("https://us05web.zoom.us/s/85746065432?zak=host"));
    assert!(p.supports_schedule());

    // One token for both calls: it is cached.
    let token = server.only("POST", "/oauth/token");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    assert_eq!(token.header("authorization"), Some(format!("Basic {basic}").as_str()));
    assert!(token.content_type().starts_with("application/x-www-form-urlencoded"));
    let form = token.form();
    assert_eq!(form["grant_type"], "account_credentials");
    assert_eq!(form["account_id"], ACCOUNT);

    let calls = server.requests_to("POST", MEETINGS);
    assert_eq!(calls.len(), 2);
    let r = &calls[0];
    assert_eq!(r.header("authorization"), Some(bearer().as_str()));
    assert!(r.content_type().starts_with("application/json"));
    let body = r.json();
    assert_eq!(
        body,
        json!({"topic": "Пожарная безопасность: изменения с 1 сентября", "type": 2,
               "start_time": "2025-09-01T07:30:00Z", "timezone": "Europe/Moscow",
               "duration": 90, "agenda": "Что изменилось в правилах"})
    );
    assert_conforms("/users/{userId}/meetings", "post", &body);
}

#[tokio::test]
async fn create_webinar_uses_type_5_and_the_webinar_endpoint() {
    let server = FakeServer::start().await;
    server.on("POST", "/oauth/token", token_reply(3600));
    server.on("POST", WEBINARS, meeting_reply(201));
    let p = provider(&server, ZoomMeetingType::Webinar);
    let mut req = sample_request();
    req.description = Some("a".repeat(2500));

    let m = p.create(&req).await.unwrap();

    assert_eq!(m.extra.zoom_kind.as_deref(), Some("webinar"));
    let body = server.only("POST", WEBINARS).json();
    assert_eq!(body["type"], 5);
    assert_eq!(body["agenda"].as_str().unwrap().len(), 2000);
    assert_conforms("/users/{userId}/webinars", "post", &body);
}

#[tokio::test]
async fn update_patches_then_reads_fresh_links() {
    let server = FakeServer::start().await;
    server.on("POST", "/oauth/token", token_reply(3600));
    server.on("PATCH", "/v2/meetings/85746065432", Reply::empty(204));
    server.on("GET", "/v2/meetings/85746065432", meeting_reply(200));
    let p = provider(&server, ZoomMeetingType::Meeting);

    let m = p.update(&meeting("meeting"), &sample_request()).await.unwrap();

    assert_eq!(m.host_url.as_deref(), Some("https://us05web.zoom.us/s/85746065432?zak=host"));
    let patch = server.only("PATCH", "/v2/meetings/85746065432");
    assert_eq!(patch.header("authorization"), Some(bearer().as_str()));
    assert!(patch.content_type().starts_with("application/json"));
    assert_conforms("/meetings/{meetingId}", "patch", &patch.json());
}

/// Zoom's GET after a PATCH names the meeting it read: an answer for another meeting (a proxy's
/// cache, a mixed-up account) must not replace the class's links.
#[tokio::test]
async fn an_update_read_back_as_another_meeting_is_an_error() {
    let server = FakeServer::start().await;
    server.on("POST", "/oauth/token", token_reply(3600));
    server.on("PATCH", "/v2/meetings/85746065432", Reply::empty(204));
    server.on(
        "GET",
        "/v2/meetings/85746065432",
        Reply::json(
            200,
            json!({"id": 91122334455_i64, "uuid": "other==", "host_email": HOST, "topic": "someone else's",
                   "type": 2, "join_url": "https://us05web.zoom.us/j/91122334455?pwd=y",
                   "start_url": "https://us05web.zoom.us/s/91122334455?zak=other", "duration": 60}),
        ),
    );
    let p = provider(&server, ZoomMeetingType::Meeting);

    let err = p.update(&meeting("meeting"), &sample_request()).await.unwrap_err();

    assert!(matches!(err, ProviderError::WrongMeeting(ProviderKind::Zoom)), "{err:?}");
    assert_eq!(key(&err), "provider-error-wrong-meeting");
    assert_eq!(server.requests_to("GET", "/v2/meetings/85746065432").len(), 1);
}

#[tokio::test]
async fn webinar_update_conforms_and_detects_the_missing_plan() {
    let server = FakeServer::start().await;
    server.on("POST", "/oauth/token", token_reply(3600));
    server.on("PATCH", "/v2/webinars/85746065432", zoom_error(200, 200, "Webinar subscription plan is missing."));
    let p = provider(&server, ZoomMeetingType::Meeting);

    let err = p.update(&meeting("webinar"), &sample_request()).await.unwrap_err();

    assert_eq!(key(&err), "provider-error-zoom-webinar-plan");
    let patch = server.only("PATCH", "/v2/webinars/85746065432");
    assert_conforms("/webinars/{webinarId}", "patch", &patch.json());
}

#[tokio::test]
async fn delete_sends_no_emails() {
    let server = FakeServer::start().await;
    server.on("POST", "/oauth/token", token_reply(3600));
    server.on("DELETE", "/v2/meetings/85746065432", Reply::empty(204));
    server.on("DELETE", "/v2/webinars/85746065432", zoom_error(404, 3001, "Webinar not found"));
    let p = provider(&server, ZoomMeetingType::Meeting);

    assert_eq!(p.delete(&meeting("meeting")).await.unwrap(), DeleteOutcome::Deleted);
    assert_eq!(p.delete(&meeting("webinar")).await.unwrap(), DeleteOutcome::AlreadyGone);

    let r = server.only("DELETE", "/v2/meetings/85746065432");
    assert_eq!(r.header("authorization"), Some(bearer().as_str()));
    let q = r.query_pairs();
    assert_eq!(q["cancel_meeting_reminder"], "false");
    assert_eq!(q["schedule_for_reminder"], "false");
    let w = server.only("DELETE", "/v2/webinars/85746065432");
    assert_eq!(w.query_pairs()["cancel_webinar_reminder"], "false");
}

#[tokio::test]
async fn an_expired_token_is_fetched_again_once() {
    let server = FakeServer::start().await;
    server.on("POST", "/oauth/token", token_reply(3600));
    server.on("POST", MEETINGS, zoom_error(401, 124, "Access token is expired."));
    server.on("POST", MEETINGS, meeting_reply(201));
    let p = provider(&server, ZoomMeetingType::Meeting);

    p.create(&sample_request()).await.unwrap();

    assert_eq!(server.requests_to("POST", "/oauth/token").len(), 2);
    assert_eq!(server.requests_to("POST", MEETINGS).len(), 2);
}

#[tokio::test]
async fn a_token_rejected_twice_is_a_credentials_error() {
    let server = FakeServer::start().await;
    server.on("POST", "/oauth/token", token_reply(3600));
    server.on("POST", MEETINGS, zoom_error(401, 124, "Invalid access token."));
    let p = provider(&server, ZoomMeetingType::Meeting);

    let err = p.create(&sample_request()).await.unwrap_err();

    assert_eq!(key(&err), "provider-error-zoom-credentials");
    assert_eq!(server.requests_to("POST", MEETINGS).len(), 2);
}

#[tokio::test]
async fn the_token_is_renewed_before_it_expires() {
    let server = FakeServer::start().await;
    // A token with no life left is renewed before the next call.
    server.on("POST", "/oauth/token", token_reply(0));
    server.on("POST", MEETINGS, meeting_reply(201));
    let p = provider(&server, ZoomMeetingType::Meeting);

    p.create(&sample_request()).await.unwrap();
    p.create(&sample_request()).await.unwrap();

    assert_eq!(server.requests_to("POST", "/oauth/token").len(), 2);
}

#[tokio::test]
async fn every_documented_error_has_its_own_explanation() {
    let cases = [
        (
            "/oauth/token",
            Reply::json(400, json!({"reason": "Invalid client_id or client_secret", "error": "invalid_client"})),
            "provider-error-zoom-credentials",
        ),
        (
            MEETINGS,
            zoom_error(404, 1001, "User does not exist: teacher@school.ru."),
            "provider-error-zoom-host-not-in-account",
        ),
        (
            MEETINGS,
            zoom_error(400, 4711, "Invalid access token, does not contain scopes:[meeting:write:admin]."),
            "provider-error-zoom-scopes",
        ),
        (
            MEETINGS,
            zoom_error(300, 300, "A maximum of 100 meetings can be created/updated for a single user in one day."),
            "provider-error-zoom-daily-limit",
        ),
        (
            MEETINGS,
            zoom_error(
                429,
                429,
                "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests permitted for this particular user.",
            ),
            "provider-error-zoom-daily-limit",
        ),
        (MEETINGS, zoom_error(429, 429, "Too many requests."), "provider-error-rate-limited"),
        (MEETINGS, Reply::json(503, json!({})), "provider-error-server"),
        (MEETINGS, Reply::text(201, "<html>"), "provider-error-malformed"),
    ];
    for (path, reply, expected) in cases {
        let server = FakeServer::start().await;
        if path != "/oauth/token" {
            server.on("POST", "/oauth/token", token_reply(3600));
        }
        server.on("POST", path, reply);
        let p = provider(&server, ZoomMeetingType::Meeting);
        let err = p.create(&sample_request()).await.unwrap_err();
        assert_eq!(key(&err), expected, "{path}: {err:?}");
    }
    let err = ProviderError::ZoomHostNotInAccount(HOST.into());
    assert_eq!(err.i18n().1, vec![("email", HOST.to_owned())]);
}

#[tokio::test]
async fn webinar_without_plan_and_gone_meetings() {
    let server = FakeServer::start().await;
    server.on("POST", "/oauth/token", token_reply(3600));
    server.on(
        "POST",
        WEBINARS,
        zoom_error(400, 200, "Subscription plan for webinar is missing. Enable webinar for this user once the subscription plan is added:teacher@school.ru."),
    );
    server.on(
        "PATCH",
        "/v2/meetings/85746065432",
        zoom_error(404, 3001, "Meeting 85746065432 is not found or has expired."),
    );
    let p = provider(&server, ZoomMeetingType::Webinar);

    let plan = p.create(&sample_request()).await.unwrap_err();
    let gone = p.update(&meeting("meeting"), &sample_request()).await.unwrap_err();

    assert_eq!(key(&plan), "provider-error-zoom-webinar-plan");
    assert!(matches!(gone, ProviderError::MeetingGone));
}

#[tokio::test]
async fn a_host_email_is_required() {
    let server = FakeServer::start().await;
    let mut settings = settings(&server, ZoomMeetingType::Meeting);
    if let ServiceSettings::Zoom(z) = &mut settings.service {
        z.host_email = None;
    }
    let p = Provider::new(settings, http_client()).unwrap();
    let mut req = sample_request();
    req.host_email = None;

    let err = p.create(&req).await.unwrap_err();

    assert!(matches!(err, ProviderError::InvalidInput(InputProblem::HostEmailRequired)));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn check_fetches_a_token_and_reads_the_host() {
    let server = FakeServer::start().await;
    server.on("POST", "/oauth/token", token_reply(3600));
    server.on("GET", "/v2/users/teacher@school.ru", Reply::json(200, json!({"id": "z8", "email": HOST})));
    let p = provider(&server, ZoomMeetingType::Meeting);

    let report = p.check().await.unwrap();

    assert_eq!(report.account.as_deref(), Some(HOST));
    let r = server.only("GET", "/v2/users/teacher@school.ru");
    assert_eq!(r.header("authorization"), Some(bearer().as_str()));
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let server = FakeServer::start().await;
    server.on("POST", "/oauth/token", token_reply(3600));
    server.on("POST", MEETINGS, meeting_reply(201).delayed(std::time::Duration::from_millis(600)));
    let settings = settings(&server, ZoomMeetingType::Meeting);
    let p = Provider::with_retry(settings, impatient_client(), fast_retry()).unwrap();
    let err = p.create(&sample_request()).await.unwrap_err();
    assert_eq!(key(&err), "provider-error-timeout");
}

#[tokio::test]
async fn secrets_never_leak() {
    let (_guard, logs) = capture_logs();
    let server = FakeServer::start().await;
    server.on("POST", "/oauth/token", token_reply(3600));
    server.on("POST", MEETINGS, zoom_error(401, 124, "Invalid access token."));
    server.on("DELETE", "/v2/meetings/85746065432", Reply::json(500, json!({})));
    let p = provider(&server, ZoomMeetingType::Meeting);

    let create = p.create(&sample_request()).await.unwrap_err();
    let delete = p.delete(&meeting("meeting")).await.unwrap_err();

    for secret in [CLIENT_SECRET, ACCESS_TOKEN] {
        assert_secret_hidden(secret, &create, &logs);
        assert_secret_hidden(secret, &delete, &logs);
        assert!(!format!("{p:?}").contains(secret));
    }
}

const MEETING_REPORT: &str = "/v2/report/meetings/85746065432/participants";
const WEBINAR_REPORT: &str = "/v2/report/webinars/85746065432/participants";

/// 1 September 2025, UTC: the sample class runs 07:30 to 09:00.
fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 9, 1, h, m, 0).unwrap()
}

fn class_window() -> (DateTime<Utc>, DateTime<Utc>) {
    (at(7, 30), at(9, 0))
}

async fn report(p: &Provider, meeting: &Meeting) -> ReportFetch {
    let (start, end) = class_window();
    p.attendance(meeting, start, end).await.unwrap()
}

fn ready(fetch: ReportFetch) -> Vec<Participant> {
    match fetch {
        ReportFetch::Ready(participants) => participants,
        other => panic!("expected a report, got {other:?}"),
    }
}

#[tokio::test]
async fn zoom_report_follows_the_page_token_and_keeps_every_record() {
    let server = FakeServer::start().await;
    server.on("POST", "/oauth/token", token_reply(3600));
    let first = [
        // Joined twice: two records.
        ZoomRecord::new("Анна Петрова", at(7, 28), at(7, 50)).email("anna@school.ru"),
        ZoomRecord::new("Анна Петрова", at(7, 55), at(9, 1)).email("anna@school.ru"),
        // Left early; outside the host's account, so Zoom sends an empty e-mail.
        ZoomRecord::new("Борис", at(7, 31), at(8, 10)),
    ];
    let second = [
        ZoomRecord::new("Вера Сидорова", at(7, 33), at(9, 0)).registrant("reg-V1"),
        ZoomRecord::new("Гость из приёмной", at(7, 29), at(7, 40)).in_waiting_room(),
    ];
    server.on("GET", MEETING_REPORT, Reply::json(200, zoom_participants_page(&first, "tok-page-2")));
    server.on("GET", MEETING_REPORT, Reply::json(200, zoom_participants_page(&second, "")));
    let p = provider(&server, ZoomMeetingType::Meeting);

    let participants = ready(report(&p, &meeting("meeting")).await);

    let names: Vec<&str> = participants.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Анна Петрова", "Анна Петрова", "Борис", "Вера Сидорова"], "the waiting room is no stay");
    assert_eq!(participants[0].stays, [Stay { joined: at(7, 28), left: at(7, 50) }]);
    assert_eq!(participants[1].stays, [Stay { joined: at(7, 55), left: at(9, 1) }]);
    assert_eq!(participants[0].email.as_deref(), Some("anna@school.ru"));
    assert_eq!(participants[2].email, None, "an empty e-mail is none");
    assert_eq!(participants[3].registrant_id.as_deref(), Some("reg-V1"));
    assert!(participants.iter().all(|p| p.token.is_none()));
    let (start, end) = class_window();
    let early = presence(&participants[2].stays, start, end);
    assert!(early.left_early && !early.joined_late);
    assert_eq!(early.minutes, 39);

    let calls = server.requests_to("GET", MEETING_REPORT);
    assert_eq!(calls.len(), 2);
    for call in &calls {
        assert_eq!(call.header("authorization"), Some(bearer().as_str()));
        let q = call.query_pairs();
        assert_eq!(q["page_size"], "300");
        assert_eq!(q["include_fields"], "registrant_id");
    }
    assert!(!calls[0].query_pairs().contains_key("next_page_token"));
    assert_eq!(calls[1].query_pairs()["next_page_token"], "tok-page-2");
    assert_eq!(server.requests_to("POST", "/oauth/token").len(), 1, "one token for every page");
}

#[tokio::test]
async fn zoom_webinar_reports_come_from_the_webinar_endpoint() {
    let server = FakeServer::start().await;
    server.on("POST", "/oauth/token", token_reply(3600));
    let records = [ZoomRecord::new("Анна Петрова", at(7, 30), at(9, 0))];
    server.on("GET", WEBINAR_REPORT, Reply::json(200, zoom_participants_page(&records, "")));
    // The provider's default is meetings; the meeting's own kind decides.
    let p = provider(&server, ZoomMeetingType::Meeting);

    let participants = ready(report(&p, &meeting("webinar")).await);

    assert_eq!(participants.len(), 1);
    server.only("GET", WEBINAR_REPORT);
    assert!(server.requests_to("GET", MEETING_REPORT).is_empty());
}

#[tokio::test]
async fn zoom_report_of_a_meeting_not_ended_is_not_ready() {
    let server = FakeServer::start().await;
    server.on("POST", "/oauth/token", token_reply(3600));
    server.on("GET", MEETING_REPORT, Reply::json(404, zoom_report_not_found("85746065432")));
    let p = provider(&server, ZoomMeetingType::Meeting);

    assert_eq!(report(&p, &meeting("meeting")).await, ReportFetch::NotReady);
    assert_eq!(server.requests_to("GET", MEETING_REPORT).len(), 1, "a 404 is not retried");
}

#[tokio::test]
async fn zoom_without_a_paid_plan_gives_no_reports() {
    let server = FakeServer::start().await;
    server.on("POST", "/oauth/token", token_reply(3600));
    server.on("GET", MEETING_REPORT, Reply::json(400, zoom_report_no_permission()));
    server.on(
        "GET",
        WEBINAR_REPORT,
        Reply::json(400, zoom_error_body(200, "Only available for paid account: mEm7n8r5QzAccount")),
    );
    let p = provider(&server, ZoomMeetingType::Meeting);

    assert_eq!(report(&p, &meeting("meeting")).await, ReportFetch::Unavailable(Unavailable::Plan));
    assert_eq!(report(&p, &meeting("webinar")).await, ReportFetch::Unavailable(Unavailable::Plan));
}

#[tokio::test]
async fn zoom_without_the_report_scope_gives_no_reports_and_keeps_its_token() {
    let cases = [
        Reply::json(400, zoom_missing_report_scope()),
        Reply::json(401, zoom_error_body(4700, "Invalid access token, does not contain scopes.")),
        Reply::json(403, zoom_error_body(403, "Access denied: missing scope report:read:admin.")),
    ];
    for reply in cases {
        let server = FakeServer::start().await;
        server.on("POST", "/oauth/token", token_reply(3600));
        server.on("GET", MEETING_REPORT, reply.clone());
        let p = provider(&server, ZoomMeetingType::Meeting);

        let fetch = report(&p, &meeting("meeting")).await;

        assert_eq!(fetch, ReportFetch::Unavailable(Unavailable::Permission), "{reply:?}");
        // A new token of the same app has the same scopes: no renewal, no second call.
        assert_eq!(server.requests_to("POST", "/oauth/token").len(), 1, "{reply:?}");
        assert_eq!(server.requests_to("GET", MEETING_REPORT).len(), 1, "{reply:?}");
    }
}

#[tokio::test]
async fn zoom_report_reads_are_retried_and_other_errors_keep_their_explanations() {
    let server = FakeServer::start().await;
    server.on("POST", "/oauth/token", token_reply(3600));
    server.on("GET", MEETING_REPORT, Reply::json(503, json!({})));
    let records = [ZoomRecord::new("Анна Петрова", at(7, 30), at(9, 0))];
    server.on("GET", MEETING_REPORT, Reply::json(200, zoom_participants_page(&records, "")));
    let p = provider(&server, ZoomMeetingType::Meeting);
    assert_eq!(ready(report(&p, &meeting("meeting")).await).len(), 1);
    assert_eq!(server.requests_to("GET", MEETING_REPORT).len(), 2, "a read is retried after a 5xx");

    let cases = [
        (zoom_error(401, 124, "Invalid access token."), "provider-error-zoom-credentials"),
        (zoom_error(429, 429, "Too many requests."), "provider-error-rate-limited"),
        (zoom_error(400, 12702, "Can not access meeting a year ago."), "provider-error-rejected"),
        (Reply::json(200, json!({"page_size": 300})), "provider-error-malformed"),
        (Reply::json(200, zoom_participants_page(&records, "same")), "provider-error-malformed"),
    ];
    for (reply, expected) in cases {
        let server = FakeServer::start().await;
        server.on("POST", "/oauth/token", token_reply(3600));
        server.on("GET", MEETING_REPORT, reply);
        let p = provider(&server, ZoomMeetingType::Meeting);
        let (start, end) = class_window();
        let err = p.attendance(&meeting("meeting"), start, end).await.unwrap_err();
        assert_eq!(key(&err), expected, "{err:?}");
    }
}

#[tokio::test]
async fn zoom_gives_no_personal_links() {
    let server = FakeServer::start().await;
    let p = provider(&server, ZoomMeetingType::Meeting);
    assert!(p.kind().reports_attendance());
    assert_eq!(p.personal_join_url(&meeting("meeting"), "tok"), None);
}

/// The builders in `support::reports` answer as the spec's 200 schemas say.
#[test]
fn the_report_pages_conform_to_the_spec() {
    let records = [
        ZoomRecord::new("Анна Петрова", at(7, 28), at(7, 50)).email("anna@school.ru").registrant("reg-1"),
        ZoomRecord::new("Гость", at(7, 29), at(7, 40)).in_waiting_room(),
    ];
    let page = zoom_participants_page(&records, "tok-page-2");
    for (path, formats) in [
        ("/report/meetings/{meetingId}/participants", true),
        // The webinar schema says `format: email` while its text says outsiders get "".
        ("/report/webinars/{webinarId}/participants", false),
    ] {
        let schema = &spec()["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        assert!(schema.is_object(), "no schema for {path}");
        let validator = jsonschema::draft4::options().should_validate_formats(formats).build(schema).unwrap();
        let errors: Vec<String> = validator.iter_errors(&page).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{path}: {errors:?}");
        assert!(!validator.is_valid(&json!({"participants": [{"duration": "1h"}]})), "{path} checks nothing");
    }
}
