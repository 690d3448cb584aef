//! Yandex Telemost against a fake API that answers as its documentation says.

use crate::support::fake_provider;

use fake_provider::*;
use serde_json::json;
use webinar_bot::providers::telemost::{LiveStreamAccess, TelemostSettings, WaitingRoomLevel};
use webinar_bot::providers::{
    DeleteOutcome, InputProblem, Meeting, MeetingExtra, Provider, ProviderError, ProviderSettings, Secret,
    ServiceSettings, http_client,
};

const TOKEN: &str = "y0_AgAAAABfake-telemost-token-7f3a";
const CONF: &str = "/v1/telemost-api/conferences";

fn provider(server: &FakeServer, client: reqwest::Client) -> Provider {
    let settings = ProviderSettings::new(ServiceSettings::Telemost(TelemostSettings {
        token: Secret::new(TOKEN),
        waiting_room_level: WaitingRoomLevel::Organization,
        live_stream_access: LiveStreamAccess::Public,
        login_info_url: Some(format!("{}/info", server.origin)),
    }))
    .with_base_url(format!("{}/v1/telemost-api", server.origin));
    Provider::with_retry(settings, client, fast_retry()).unwrap()
}

fn created() -> Reply {
    Reply::json(201, json!({"id": "12345678901234", "join_url": "https://telemost.yandex.ru/j/12345678901234"}))
}

fn meeting() -> Meeting {
    Meeting {
        id: "12345678901234".into(),
        join_url: "https://telemost.yandex.ru/j/12345678901234".into(),
        host_url: None,
        extra: MeetingExtra::default(),
    }
}

#[tokio::test]
async fn create_posts_the_documented_body_and_reads_the_link() {
    let server = FakeServer::start().await;
    server.on("POST", CONF, created());
    let p = provider(&server, http_client());

    let m = p.create(&sample_request()).await.unwrap();

    assert_eq!(m.id, "12345678901234");
    assert_eq!(m.join_url, "https://telemost.yandex.ru/j/12345678901234");
    assert_eq!(m.host_url, None);
    assert!(!p.supports_schedule());
    let r = server.only("POST", CONF);
    assert_eq!(r.header("authorization"), Some(format!("OAuth {TOKEN}").as_str()));
    assert!(r.content_type().starts_with("application/json"));
    // No title or time exists in Telemost: only the waiting room is sent.
    assert_eq!(r.json(), json!({"waiting_room_level": "ORGANIZATION"}));
}

#[tokio::test]
async fn create_with_live_stream_and_cohosts() {
    let server = FakeServer::start().await;
    server.on(
        "POST",
        CONF,
        Reply::json(
            201,
            json!({
                "id": "12345678901234",
                "join_url": "https://telemost.yandex.ru/j/12345678901234",
                "live_stream": {"watch_url": "https://telemost.yandex.ru/live/abcdef"}
            }),
        ),
    );
    let p = provider(&server, http_client());
    let mut req = sample_request();
    req.live_stream = true;
    req.title = "т".repeat(1100);
    req.description = Some("d".repeat(3000));
    req.cohosts = vec!["user1@yandex.ru".into(), "user2@org-domain.ru".into()];

    let m = p.create(&req).await.unwrap();

    assert_eq!(m.extra.watch_url.as_deref(), Some("https://telemost.yandex.ru/live/abcdef"));
    let body = server.only("POST", CONF).json();
    assert_eq!(body["live_stream"]["access_level"], "PUBLIC");
    assert_eq!(body["live_stream"]["title"].as_str().unwrap().chars().count(), 1024);
    assert_eq!(body["live_stream"]["description"].as_str().unwrap().chars().count(), 2048);
    assert_eq!(body["cohosts"], json!([{"email": "user1@yandex.ru"}, {"email": "user2@org-domain.ru"}]));
}

#[tokio::test]
async fn more_than_thirty_cohosts_are_refused_before_sending() {
    let server = FakeServer::start().await;
    let p = provider(&server, http_client());
    let mut req = sample_request();
    req.cohosts = (0..31).map(|i| format!("u{i}@org.ru")).collect();

    let err = p.create(&req).await.unwrap_err();

    assert!(matches!(err, ProviderError::InvalidInput(InputProblem::TooManyCohosts { max: 30, given: 31 })));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn update_patches_and_reads_the_conference_back() {
    let server = FakeServer::start().await;
    let path = format!("{CONF}/12345678901234");
    server.on("PATCH", &path, Reply::empty(204));
    server.on(
        "GET",
        &path,
        Reply::json(
            200,
            json!({"id": "12345678901234", "join_url": "https://telemost.yandex.ru/j/12345678901234",
                   "access_level": "PUBLIC", "waiting_room_level": "ORGANIZATION"}),
        ),
    );
    let p = provider(&server, http_client());

    let m = p.update(&meeting(), &sample_request()).await.unwrap();

    assert_eq!(m.join_url, "https://telemost.yandex.ru/j/12345678901234");
    let patch = server.only("PATCH", &path);
    assert_eq!(patch.header("authorization"), Some(format!("OAuth {TOKEN}").as_str()));
    assert!(patch.content_type().starts_with("application/json"));
    assert_eq!(patch.json(), json!({"waiting_room_level": "ORGANIZATION", "cohosts": []}));
    assert_eq!(server.requests_to("GET", &path).len(), 1);
}

#[tokio::test]
async fn update_is_retried_on_5xx() {
    let server = FakeServer::start().await;
    let path = format!("{CONF}/12345678901234");
    server.on("PATCH", &path, Reply::json(503, json!({})));
    server.on(
        "PATCH",
        &path,
        Reply::json(200, json!({"id": "12345678901234", "join_url": "https://telemost.yandex.ru/j/12345678901234"})),
    );
    let p = provider(&server, http_client());

    p.update(&meeting(), &sample_request()).await.unwrap();

    assert_eq!(server.requests_to("PATCH", &path).len(), 2);
}

#[tokio::test]
async fn create_is_never_retried() {
    let server = FakeServer::start().await;
    server.on("POST", CONF, Reply::json(502, json!({})));
    let p = provider(&server, http_client());

    let err = p.create(&sample_request()).await.unwrap_err();

    assert!(matches!(err, ProviderError::ServerError { status: 502, .. }));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn delete_outcomes() {
    let path = format!("{CONF}/12345678901234");
    for (status, outcome) in
        [(204, DeleteOutcome::Deleted), (404, DeleteOutcome::AlreadyGone), (405, DeleteOutcome::NotSupported)]
    {
        let server = FakeServer::start().await;
        let body = json!({"error": "ConferenceNotFound", "message": "x", "description": "x"});
        server.on("DELETE", &path, Reply::json(status, body));
        let p = provider(&server, http_client());
        assert_eq!(p.delete(&meeting()).await.unwrap(), outcome, "status {status}");
        let r = server.only("DELETE", &path);
        assert_eq!(r.header("authorization"), Some(format!("OAuth {TOKEN}").as_str()));
    }
}

#[tokio::test]
async fn check_reads_the_account() {
    let server = FakeServer::start().await;
    server.on("GET", "/info", Reply::json(200, json!({"login": "teacher", "default_email": "teacher@school.ru"})));
    let p = provider(&server, http_client());

    let report = p.check().await.unwrap();

    assert_eq!(report.account.as_deref(), Some("teacher@school.ru"));
    let r = server.only("GET", "/info");
    assert_eq!(r.query, "format=json");
    assert_eq!(r.header("authorization"), Some(format!("OAuth {TOKEN}").as_str()));
}

fn error_body(code: &str) -> serde_json::Value {
    json!({"error": code, "message": "m", "description": "d"})
}

#[tokio::test]
async fn every_documented_error_has_its_own_explanation() {
    let cases = [
        (Reply::json(401, error_body("UnauthorizedError")), "provider-error-telemost-token"),
        (
            Reply::json(402, error_body("PaymentRequiredToUseLiveStreams")),
            "provider-error-telemost-live-stream-payment",
        ),
        (Reply::json(403, error_body("ApiRestrictedToOrganizations")), "provider-error-telemost-organization"),
        (Reply::json(429, error_body("TooManyRequests")).header("retry-after", "7"), "provider-error-rate-limited"),
        (Reply::json(500, json!({})), "provider-error-server"),
        (Reply::text(201, "<html>not json</html>"), "provider-error-malformed"),
        (Reply::json(400, error_body("BadRequest")), "provider-error-rejected"),
    ];
    for (reply, expected) in cases {
        let server = FakeServer::start().await;
        server.on("POST", CONF, reply);
        let p = provider(&server, http_client());
        let err = p.create(&sample_request()).await.unwrap_err();
        assert_eq!(key(&err), expected, "{err:?}");
    }
}

#[tokio::test]
async fn unknown_cohosts_are_named() {
    let server = FakeServer::start().await;
    server.on(
        "POST",
        CONF,
        Reply::json(
            404,
            json!({"error": "NoSuchUserPrincipalsFound", "message": "m", "description": "d",
                   "details": {"emails": "wrong1@nowhere.ru;wrong2@nowhere.ru;"}}),
        ),
    );
    let p = provider(&server, http_client());
    let mut req = sample_request();
    req.cohosts = vec!["wrong1@nowhere.ru".into(), "wrong2@nowhere.ru".into()];

    let err = p.create(&req).await.unwrap_err();

    match &err {
        ProviderError::UnknownCohosts(emails) => {
            assert_eq!(emails, &["wrong1@nowhere.ru", "wrong2@nowhere.ru"])
        }
        other => panic!("unexpected {other:?}"),
    }
    let (key, args) = err.i18n();
    assert_eq!(key, "provider-error-telemost-unknown-cohosts");
    assert_eq!(args, vec![("emails", "wrong1@nowhere.ru, wrong2@nowhere.ru".to_owned())]);
}

#[tokio::test]
async fn rate_limit_carries_retry_after() {
    let server = FakeServer::start().await;
    server.on("POST", CONF, Reply::json(429, json!({})).header("retry-after", "7"));
    let p = provider(&server, http_client());
    let err = p.create(&sample_request()).await.unwrap_err();
    assert!(matches!(err, ProviderError::RateLimited { retry_after: Some(7), .. }));
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let server = FakeServer::start().await;
    server.on("POST", CONF, created().delayed(std::time::Duration::from_millis(600)));
    let p = provider(&server, impatient_client());
    let err = p.create(&sample_request()).await.unwrap_err();
    assert_eq!(key(&err), "provider-error-timeout");
}

#[tokio::test]
async fn the_token_never_leaks() {
    let (_guard, logs) = capture_logs();
    let server = FakeServer::start().await;
    server.on("POST", CONF, Reply::json(401, error_body("UnauthorizedError")));
    server.on("DELETE", &format!("{CONF}/12345678901234"), Reply::json(500, json!({})));
    let p = provider(&server, http_client());

    let create = p.create(&sample_request()).await.unwrap_err();
    let delete = p.delete(&meeting()).await.unwrap_err();

    assert_secret_hidden(TOKEN, &create, &logs);
    assert_secret_hidden(TOKEN, &delete, &logs);
    assert!(!format!("{p:?}").contains(TOKEN));
}
