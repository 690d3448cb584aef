//! External link: validated, never called.

use crate::support::fake_provider;

use fake_provider::*;
use webinar_bot::providers::{
    DeleteOutcome, InputProblem, Provider, ProviderError, ProviderSettings, ServiceSettings, http_client,
};

fn provider() -> Provider {
    Provider::new(ProviderSettings::new(ServiceSettings::External), http_client()).unwrap()
}

#[tokio::test]
async fn a_pasted_https_link_becomes_the_meeting() {
    let p = provider();
    let mut req = sample_request();
    req.external_url = Some("  https://meet.google.com/abc-defg-hij ".into());

    let m = p.create(&req).await.unwrap();

    assert_eq!(m.join_url, "https://meet.google.com/abc-defg-hij");
    assert_eq!(m.host_url, None);
    assert!(!p.supports_schedule());
    assert_eq!(p.delete(&m).await.unwrap(), DeleteOutcome::NotSupported);
    let (key, _) = DeleteOutcome::NotSupported.i18n(p.kind());
    assert_eq!(key, "provider-delete-not-supported-external");
}

#[tokio::test]
async fn update_replaces_the_link_only_when_a_new_one_is_given() {
    let p = provider();
    let mut req = sample_request();
    req.external_url = Some("https://meet.google.com/abc-defg-hij".into());
    let m = p.create(&req).await.unwrap();

    req.external_url = None;
    assert_eq!(p.update(&m, &req).await.unwrap(), m);
    req.external_url = Some("https://zoom.us/j/123".into());
    assert_eq!(p.update(&m, &req).await.unwrap().join_url, "https://zoom.us/j/123");
}

#[tokio::test]
async fn bad_links_are_refused_with_an_explanation() {
    let p = provider();
    for bad in ["", "http://meet.google.com/x", "ftp://x.ru/y", "https://user:pw@x.ru/y", "meet.google.com/x"] {
        let mut req = sample_request();
        req.external_url = Some(bad.into());
        let err = p.create(&req).await.unwrap_err();
        assert!(matches!(err, ProviderError::InvalidInput(InputProblem::BadMeetingUrl)), "{bad}");
        assert_eq!(key(&err), "provider-input-bad-meeting-url");
    }
}

#[tokio::test]
async fn a_link_with_a_password_is_never_echoed() {
    let (_guard, logs) = capture_logs();
    tracing::info!("external test start");
    let p = provider();
    let mut req = sample_request();
    req.external_url = Some("https://user:s3cret-pass-word@x.ru/y".into());
    let err = p.create(&req).await.unwrap_err();
    assert_secret_hidden("s3cret-pass-word", &err, &logs);
}
