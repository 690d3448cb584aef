//! MTS Link against a fake API that answers as its help-centre pages say.

use crate::support::fake_provider;

use fake_provider::*;
use serde_json::json;
use webinar_bot::providers::mts_link::{MtsEventType, MtsLinkSettings};
use webinar_bot::providers::{
    DeleteOutcome, Meeting, MeetingExtra, Provider, ProviderError, ProviderSettings, Secret, ServiceSettings,
    http_client,
};

const KEY: &str = "8368b48e9ebc600cf40f52cdmtsfake";
const HOST: &str = "teacher@school.ru";

fn settings(server: &FakeServer, host: Option<&str>) -> ProviderSettings {
    ProviderSettings::new(ServiceSettings::MtsLink(MtsLinkSettings {
        api_key: Secret::new(KEY),
        event_type: MtsEventType::Meeting,
        host_email: host.map(str::to_owned),
        timezone_id: Some(2),
    }))
    .with_base_url(format!("{}/v3", server.origin))
}

fn provider(server: &FakeServer, host: Option<&str>) -> Provider {
    Provider::with_retry(settings(server, host), http_client(), fast_retry()).unwrap()
}

fn script_create(server: &FakeServer) {
    server.on(
        "POST",
        "/v3/events",
        Reply::json(201, json!({"eventId": 4455, "link": "https://my.mts-link.ru/j/4455"})),
    );
    server.on(
        "POST",
        "/v3/events/4455/sessions",
        Reply::json(201, json!({"eventsessionId": 9988, "link": "https://my.mts-link.ru/s/9988"})),
    );
    server.on(
        "POST",
        "/v3/eventsessions/9988/register",
        Reply::json(
            201,
            json!({"participationId": 1, "contactId": 2,
                   "link": "https://events.webinar.ru/org/4455/hosthash"}),
        ),
    );
}

fn meeting() -> Meeting {
    Meeting {
        id: "9988".into(),
        join_url: "https://my.mts-link.ru/j/4455".into(),
        host_url: None,
        extra: MeetingExtra { event_id: Some("4455".into()), ..MeetingExtra::default() },
    }
}

fn assert_form_request(r: &Recorded) {
    assert_eq!(r.header("x-auth-token"), Some(KEY));
    assert!(r.content_type().starts_with("application/x-www-form-urlencoded"));
}

#[tokio::test]
async fn create_makes_event_session_and_host_link() {
    let server = FakeServer::start().await;
    script_create(&server);
    let p = provider(&server, Some(HOST));

    let m = p.create(&sample_request()).await.unwrap();

    assert_eq!(m.id, "9988");
    assert_eq!(m.join_url, "https://my.mts-link.ru/j/4455");
    assert_eq!(m.host_url.as_deref(), Some("https://events.webinar.ru/org/4455/hosthash"));
    assert_eq!(m.extra.event_id.as_deref(), Some("4455"));

    let event = server.only("POST", "/v3/events");
    assert_form_request(&event);
    let f = event.form();
    assert_eq!(f["name"], "Пожарная безопасность: изменения с 1 сентября");
    assert_eq!(f["type"], "meeting");
    // 07:30 UTC is 10:30 in Moscow: the start goes in the event's zone.
    assert_eq!(f["startsAt[date][year]"], "2025");
    assert_eq!(f["startsAt[date][month]"], "9");
    assert_eq!(f["startsAt[date][day]"], "1");
    assert_eq!(f["startsAt[time][hour]"], "10");
    assert_eq!(f["startsAt[time][minute]"], "30");
    assert_eq!(f["timezone"], "2");
    assert_eq!(f["duration"], "PT1H30M0S");
    assert_eq!(f["description"], "Что изменилось в правилах");
    assert_eq!(f["accessSettings[isRegistrationRequired]"], "0");

    let session = server.only("POST", "/v3/events/4455/sessions");
    assert_form_request(&session);
    assert_eq!(session.form()["startsAt[time][hour]"], "10");

    let register = server.only("POST", "/v3/eventsessions/9988/register");
    assert_form_request(&register);
    let f = register.form();
    assert_eq!(f["email"], HOST);
    assert_eq!(f["role"], "LECTURER");
}

#[tokio::test]
async fn a_failed_session_removes_the_event() {
    let server = FakeServer::start().await;
    server.on("POST", "/v3/events", Reply::json(201, json!({"eventId": 4455, "link": "l"})));
    server.on("POST", "/v3/events/4455/sessions", Reply::json(409, json!({"error": {"message": "Conflict"}})));
    server.on("DELETE", "/v3/organization/events/4455", Reply::empty(204));
    let p = provider(&server, Some(HOST));

    let err = p.create(&sample_request()).await.unwrap_err();

    assert!(matches!(err, ProviderError::Conflict));
    assert_eq!(key(&err), "provider-error-mts-conflict");
    server.only("DELETE", "/v3/organization/events/4455");
}

#[tokio::test]
async fn update_puts_event_and_session() {
    let server = FakeServer::start().await;
    server.on("PUT", "/v3/events/4455", Reply::empty(204));
    server.on("PUT", "/v3/eventsessions/9988", Reply::empty(204));
    let p = provider(&server, Some(HOST));

    let m = p.update(&meeting(), &sample_request()).await.unwrap();

    assert_eq!(m, meeting());
    let event = server.only("PUT", "/v3/events/4455");
    assert_form_request(&event);
    assert_eq!(event.form()["name"], "Пожарная безопасность: изменения с 1 сентября");
    let session = server.only("PUT", "/v3/eventsessions/9988");
    assert_form_request(&session);
    assert_eq!(session.form()["startsAt[date][day]"], "1");
}

#[tokio::test]
async fn delete_sends_no_email() {
    let server = FakeServer::start().await;
    server.on("DELETE", "/v3/eventsessions/9988", Reply::empty(204));
    let p = provider(&server, None);

    assert_eq!(p.delete(&meeting()).await.unwrap(), DeleteOutcome::Deleted);

    let r = server.only("DELETE", "/v3/eventsessions/9988");
    assert_eq!(r.header("x-auth-token"), Some(KEY));
    assert_eq!(r.query_pairs()["sendEmail"], "false");

    let gone = FakeServer::start().await;
    gone.on("DELETE", "/v3/eventsessions/9988", Reply::empty(404));
    assert_eq!(provider(&gone, None).delete(&meeting()).await.unwrap(), DeleteOutcome::AlreadyGone);
}

#[tokio::test]
async fn check_reads_one_page_of_members() {
    let server = FakeServer::start().await;
    server.on("GET", "/v3/organization/members", Reply::json(200, json!([])));
    let p = provider(&server, None);
    p.check().await.unwrap();
    let r = server.only("GET", "/v3/organization/members");
    assert_eq!(r.header("x-auth-token"), Some(KEY));
}

#[tokio::test]
async fn every_documented_error_has_its_own_explanation() {
    let cases = [
        (Reply::empty(401), "provider-error-mts-key-invalid"),
        (Reply::empty(403), "provider-error-mts-key-invalid"),
        (Reply::empty(409), "provider-error-mts-conflict"),
        (Reply::empty(429), "provider-error-rate-limited"),
        (Reply::empty(500), "provider-error-server"),
        (Reply::text(201, "<html>"), "provider-error-malformed"),
        (Reply::json(400, json!({"error": "ERROR_BLANK"})), "provider-error-rejected"),
    ];
    for (reply, expected) in cases {
        let server = FakeServer::start().await;
        server.on("POST", "/v3/events", reply);
        let err = provider(&server, None).create(&sample_request()).await.unwrap_err();
        assert_eq!(key(&err), expected, "{err:?}");
        assert_eq!(server.requests().len(), 1, "create is not retried");
    }
}

#[tokio::test]
async fn reads_are_retried_and_time_out() {
    let server = FakeServer::start().await;
    server.on("DELETE", "/v3/eventsessions/9988", Reply::empty(502));
    server.on("DELETE", "/v3/eventsessions/9988", Reply::empty(204));
    assert_eq!(provider(&server, None).delete(&meeting()).await.unwrap(), DeleteOutcome::Deleted);
    assert_eq!(server.requests().len(), 2);

    let slow = FakeServer::start().await;
    slow.on("POST", "/v3/events", Reply::empty(201).delayed(std::time::Duration::from_millis(600)));
    let p = Provider::with_retry(settings(&slow, None), impatient_client(), fast_retry()).unwrap();
    let err = p.create(&sample_request()).await.unwrap_err();
    assert_eq!(key(&err), "provider-error-timeout");
}

#[tokio::test]
async fn the_key_never_leaks() {
    let (_guard, logs) = capture_logs();
    let server = FakeServer::start().await;
    server.on("POST", "/v3/events", Reply::empty(401));
    server.on("DELETE", "/v3/eventsessions/9988", Reply::empty(503));
    let p = provider(&server, Some(HOST));

    let create = p.create(&sample_request()).await.unwrap_err();
    let delete = p.delete(&meeting()).await.unwrap_err();

    assert_secret_hidden(KEY, &create, &logs);
    assert_secret_hidden(KEY, &delete, &logs);
    assert!(!format!("{p:?}").contains(KEY));
}
