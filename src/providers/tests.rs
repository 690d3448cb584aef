//! Pure checks of the provider types; HTTP behaviour is tested against fake
//! servers in `tests/providers_*.rs`.

use super::*;
use chrono::TimeZone;

#[test]
fn kind_names_round_trip() {
    for kind in ProviderKind::ALL {
        assert_eq!(kind.as_str().parse::<ProviderKind>(), Ok(kind));
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(json, format!("\"{}\"", kind.as_str()));
    }
    assert!("skype".parse::<ProviderKind>().is_err());
}

#[test]
fn settings_serialize_with_a_kind_tag() {
    let settings = ProviderSettings::new(ServiceSettings::Telemost(telemost::TelemostSettings {
        token: Secret::new("y0_token-value-abcdef"),
        waiting_room_level: telemost::WaitingRoomLevel::Organization,
        live_stream_access: telemost::LiveStreamAccess::Public,
        login_info_url: None,
    }));
    let json = serde_json::to_value(&settings).unwrap();
    assert_eq!(json["kind"], "telemost");
    assert_eq!(json["token"], "y0_token-value-abcdef");
    assert_eq!(json["waiting_room_level"], "ORGANIZATION");
    let back: ProviderSettings = serde_json::from_value(json).unwrap();
    assert_eq!(back, settings);
    let external: ProviderSettings = serde_json::from_str(r#"{"kind":"external"}"#).unwrap();
    assert_eq!(external.kind(), ProviderKind::External);
    let jitsi: ProviderSettings = serde_json::from_str(r#"{"kind":"jitsi"}"#).unwrap();
    assert_eq!(jitsi.service, ServiceSettings::Jitsi(jitsi::JitsiSettings::default()));
}

#[test]
fn base_override_must_be_https_or_loopback() {
    assert_eq!(resolve_base(None, "https://a.example/v3/").unwrap(), "https://a.example/v3");
    assert!(resolve_base(Some("https://proxy.example/api/"), "x").is_ok());
    assert!(resolve_base(Some("http://127.0.0.1:8080"), "x").is_ok());
    assert!(resolve_base(Some("http://example.com"), "x").is_err());
    assert!(resolve_base(Some("not a url"), "x").is_err());
}

#[test]
fn room_names_are_long_lowercase_and_distinct() {
    let a = random_room_name();
    let b = random_room_name();
    assert_eq!(a.len(), 20);
    assert!(a.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    assert_ne!(a, b);
}

#[test]
fn gmt_offsets_follow_the_zone_at_the_start() {
    let winter = Utc.with_ymd_and_hms(2025, 1, 15, 10, 0, 0).unwrap();
    let summer = Utc.with_ymd_and_hms(2025, 7, 15, 10, 0, 0).unwrap();
    assert_eq!(kontur::gmt_offset(chrono_tz::Europe::Moscow, winter), "GMT+3");
    assert_eq!(kontur::gmt_offset(chrono_tz::America::New_York, winter), "GMT-5");
    assert_eq!(kontur::gmt_offset(chrono_tz::America::New_York, summer), "GMT-4");
    assert_eq!(kontur::gmt_offset(chrono_tz::Asia::Kolkata, winter), "GMT+5:30");
}

#[test]
fn external_links_must_be_https() {
    assert!(external::validate_url("https://meet.google.com/abc-defg-hij").is_ok());
    assert!(external::validate_url("http://meet.google.com/abc").is_err());
    assert!(external::validate_url("https://user:pw@host.example/x").is_err());
    assert!(external::validate_url("javascript:alert(1)").is_err());
    assert!(external::validate_url("").is_err());
}

#[test]
fn emails_and_path_segments() {
    assert!(check_email("teacher@school.ru").is_ok());
    assert!(check_email("teacher@school").is_err());
    assert!(check_email("a b@school.ru").is_err());
    assert_eq!(path_segment("a@b.ru"), "a@b.ru");
    assert_eq!(path_segment("x/y z"), "x%2Fy%20z");
}

#[test]
fn only_zoom_and_kontur_report_attendance() {
    let reporting: Vec<ProviderKind> = ProviderKind::ALL.into_iter().filter(|k| k.reports_attendance()).collect();
    assert_eq!(reporting, [ProviderKind::Zoom, ProviderKind::Kontur]);
}

/// The services without a report API answer without a call: MTS Link's key points nowhere.
#[tokio::test]
async fn services_without_a_report_api_say_so_and_give_no_personal_links() {
    let start = Utc.with_ymd_and_hms(2025, 9, 1, 7, 30, 0).unwrap();
    let end = start + chrono::Duration::minutes(90);
    let mts = ProviderSettings::new(ServiceSettings::MtsLink(mts_link::MtsLinkSettings {
        api_key: Secret::new("key"),
        event_type: mts_link::MtsEventType::Webinar,
        host_email: None,
        timezone_id: None,
    }))
    .with_base_url("http://127.0.0.1:9");
    let settings = [
        mts,
        ProviderSettings::new(ServiceSettings::Jitsi(jitsi::JitsiSettings::default())),
        ProviderSettings::new(ServiceSettings::External),
        ProviderSettings::new(ServiceSettings::Telemost(telemost::TelemostSettings {
            token: Secret::new("y0_token-value-abcdef"),
            waiting_room_level: telemost::WaitingRoomLevel::Organization,
            live_stream_access: telemost::LiveStreamAccess::Public,
            login_info_url: None,
        }))
        .with_base_url("http://127.0.0.1:9"),
    ];
    let meeting = Meeting {
        id: "9988".into(),
        join_url: "https://my.mts-link.ru/j/4455".into(),
        host_url: None,
        extra: MeetingExtra::default(),
    };
    for settings in settings {
        let provider = Provider::new(settings, http_client()).unwrap();
        let fetch = provider.attendance(&meeting, start, end).await.unwrap();
        assert_eq!(fetch, ReportFetch::Unavailable(Unavailable::NoApi), "{:?}", provider.kind());
        assert_eq!(provider.personal_join_url(&meeting, "tok"), None);
        assert!(!provider.kind().reports_attendance());
    }
}

/// Every key the code can return is in both locales, with its arguments.
#[test]
fn every_i18n_key_is_in_both_locales() {
    let ru = include_str!("../../locales/ru/providers.ftl");
    let en = include_str!("../../locales/en/providers.ftl");
    let mut keyed: Vec<(&str, Vec<(&str, String)>)> = all_errors().iter().map(|e| e.i18n()).collect();
    for kind in ProviderKind::ALL {
        keyed.push((kind.i18n_key(), vec![]));
        for outcome in [
            DeleteOutcome::Deleted,
            DeleteOutcome::AlreadyGone,
            DeleteOutcome::NotSupported,
            DeleteOutcome::NothingToDelete,
        ] {
            keyed.push(outcome.i18n(kind));
        }
    }
    for (key, args) in keyed {
        for (name, text) in [("ru", ru), ("en", en)] {
            let message = message_text(text, key).unwrap_or_else(|| panic!("{key} missing in {name}"));
            for (arg, _) in &args {
                assert!(message.contains(&format!("${arg}")), "{key} in {name} lacks ${arg}");
            }
        }
    }
}

/// The message's text: its first line and the indented lines after it.
fn message_text<'a>(ftl: &'a str, key: &str) -> Option<String> {
    let mut lines = ftl.lines().skip_while(|l| !l.starts_with(&format!("{key} =")));
    let first = lines.next()?;
    let rest: Vec<&'a str> = lines.take_while(|l| l.starts_with(' ') || l.is_empty()).collect();
    Some(format!("{first}\n{}", rest.join("\n")))
}

fn all_errors() -> Vec<ProviderError> {
    use ProviderError as E;
    let when = Utc.with_ymd_and_hms(2025, 12, 31, 23, 59, 0).unwrap();
    let mut errors = vec![
        E::TelemostTokenInvalid,
        E::LiveStreamNeedsPayment,
        E::OrganizationRequired,
        E::UnknownCohosts(vec!["a@b.ru".into()]),
        E::TelemostForbidden,
        E::ZoomCredentialsInvalid,
        E::ZoomMissingScopes,
        E::ZoomHostNotInAccount("a@b.ru".into()),
        E::ZoomWebinarPlanMissing,
        E::DailyLimit,
        E::KonturKeyInvalid,
        E::KonturForbidden,
        E::KonturKeyExpired(when),
        E::KonturMissingScope("rooms".into()),
        E::MtsKeyInvalid,
        E::Conflict,
        E::MeetingGone,
        E::RateLimited { service: ProviderKind::Zoom, retry_after: Some(3) },
        E::Timeout(ProviderKind::Zoom),
        E::ServerError { service: ProviderKind::Zoom, status: 502 },
        E::Malformed(ProviderKind::Zoom),
        E::WrongMeeting(ProviderKind::Zoom),
        E::Network(ProviderKind::Zoom),
        E::Rejected { service: ProviderKind::Zoom, status: 400, code: "300".into() },
        E::Rejected { service: ProviderKind::Kontur, status: 403, code: String::new() },
    ];
    let problems = [
        InputProblem::TooManyCohosts { max: 30, given: 31 },
        InputProblem::BadEmail("x".into()),
        InputProblem::HostEmailRequired,
        InputProblem::BadMeetingUrl,
        InputProblem::BadBaseUrl,
        InputProblem::BadSpace,
        InputProblem::BadDomain,
        InputProblem::MissingCredential,
    ];
    errors.extend(problems.into_iter().map(E::InvalidInput));
    errors
}

/// Both files parse, and every message formats with its arguments and
/// without Fluent errors (a typo in a selector or variable shows up here).
#[test]
fn every_message_formats_in_both_locales() {
    use fluent_templates::fluent_bundle::{FluentArgs, FluentBundle, FluentResource};
    let files = [
        (unic_langid::langid!("ru"), include_str!("../../locales/ru/providers.ftl")),
        (unic_langid::langid!("en"), include_str!("../../locales/en/providers.ftl")),
    ];
    for (lang, text) in files {
        let resource = FluentResource::try_new(text.to_owned()).expect("the .ftl parses");
        let mut bundle = FluentBundle::new(vec![lang]);
        bundle.set_use_isolating(false);
        bundle.add_resource(resource).unwrap();
        for (key, args) in all_errors().iter().flat_map(|e| [e.i18n(), e.i18n_for_check()]) {
            let mut fluent_args = FluentArgs::new();
            for (name, value) in args {
                fluent_args.set(name, value);
            }
            let pattern = bundle.get_message(key).unwrap().value().unwrap();
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
            assert!(errors.is_empty(), "{key}: {errors:?}");
            assert!(!text.contains('{'), "{key}: {text}");
        }
    }
}

#[test]
fn a_refusal_without_a_code_shows_no_empty_code_and_a_check_speaks_of_settings() {
    let none = ProviderError::Rejected { service: ProviderKind::Kontur, status: 403, code: " ".into() };
    let (key, args) = none.i18n();
    assert_eq!(key, "provider-error-rejected-no-code");
    assert!(args.iter().all(|(name, _)| *name != "code"), "{args:?}");
    assert_eq!(none.i18n_for_check().0, "provider-check-rejected-no-code");
    let coded = ProviderError::Rejected { service: ProviderKind::Zoom, status: 400, code: "300".into() };
    assert_eq!(coded.i18n().0, "provider-error-rejected");
    assert_eq!(coded.i18n_for_check().0, "provider-check-rejected");
    assert_eq!(ProviderError::MtsKeyInvalid.i18n_for_check(), ProviderError::MtsKeyInvalid.i18n());
}
