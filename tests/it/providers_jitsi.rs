//! Jitsi Meet: no credentials, no HTTP calls; an unguessable room name.

use crate::support::fake_provider;

use fake_provider::*;
use webinar_bot::providers::jitsi::JitsiSettings;
use webinar_bot::providers::{DeleteOutcome, Provider, ProviderSettings, ServiceSettings, http_client};

fn provider(domain: &str) -> Provider {
    let settings = ProviderSettings::new(ServiceSettings::Jitsi(JitsiSettings { domain: domain.into() }));
    Provider::new(settings, http_client()).unwrap()
}

#[tokio::test]
async fn rooms_are_unguessable_on_the_configured_domain() {
    let p = provider("meet.jit.si");
    let a = p.create(&sample_request()).await.unwrap();
    let b = p.create(&sample_request()).await.unwrap();

    assert!(a.join_url.starts_with("https://meet.jit.si/"));
    assert_eq!(a.join_url, format!("https://meet.jit.si/{}", a.id));
    assert_eq!(a.id.len(), 20);
    assert_ne!(a.id, b.id);
    assert!(!p.supports_schedule());

    let own = provider("jitsi.school.ru").create(&sample_request()).await.unwrap();
    assert!(own.join_url.starts_with("https://jitsi.school.ru/"));
}

#[tokio::test]
async fn the_link_survives_updates_and_nothing_is_called() {
    let p = provider("");
    let m = p.create(&sample_request()).await.unwrap();
    assert!(m.join_url.starts_with("https://meet.jit.si/"), "empty domain = default");
    assert_eq!(p.update(&m, &sample_request()).await.unwrap(), m);
    // A room exists only while people are in it: there is nothing to delete, and the teacher is
    // not told that something was.
    let outcome = p.delete(&m).await.unwrap();
    assert_eq!(outcome, DeleteOutcome::NothingToDelete);
    assert_eq!(outcome.i18n(p.kind()).0, "provider-delete-nothing-to-delete");
    assert_eq!(p.check().await.unwrap(), Default::default());
}

#[tokio::test]
async fn bad_domains_are_refused() {
    let settings = ProviderSettings::new(ServiceSettings::Jitsi(JitsiSettings { domain: "not a domain/x".into() }));
    let err = Provider::new(settings, http_client()).unwrap_err();
    assert_eq!(key(&err), "provider-input-bad-domain");
    let settings = ProviderSettings::new(ServiceSettings::Jitsi(JitsiSettings::default()))
        .with_base_url("http://jitsi.example.com");
    let err = Provider::new(settings, http_client()).unwrap_err();
    assert_eq!(key(&err), "provider-input-bad-base-url");
}

#[tokio::test]
async fn nothing_secret_to_leak_and_nothing_logged_about_it() {
    let (_guard, logs) = capture_logs();
    tracing::info!("jitsi test start");
    let p = provider("meet.jit.si");
    let m = p.create(&sample_request()).await.unwrap();
    // The room name is the only thing that protects the room: never logged.
    assert!(!logs.text().contains(&m.id));
}
