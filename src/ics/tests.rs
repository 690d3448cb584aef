use super::*;
use chrono::TimeZone;
use icalendar::parser::{Component, read_calendar, unfold};
use proptest::prelude::*;

fn utc(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, hour, minute, 0).unwrap()
}

fn sample() -> IcsEvent {
    IcsEvent {
        uid: event_uid(EventId(42)),
        sequence: 3,
        title: "Вебинар: Rust, часть 1; введение".to_owned(),
        description: Some("Первая строка\nвторая строка, с запятой\\и слэшем".to_owned()),
        start: utc(12, 25, 15, 30),
        end: utc(12, 25, 17, 0),
        url: Some("https://meet.example.org/room-1?x=1,2".to_owned()),
        organizer_name: Some("Иван \"Ваня\" Петров".to_owned()),
        cancelled: false,
        recurrence: None,
        exdates: vec![],
        dtstamp: utc(6, 10, 9, 0),
    }
}

/// (name, value) pairs of one component, in file order.
type Props = Vec<(String, String)>;

/// Parses a rendered file with an independent parser and returns the calendar's and the VEVENT's
/// properties. The parser unescapes TEXT values (SUMMARY, DESCRIPTION, LOCATION) itself.
fn parsed_event(ics: &str) -> (Props, Props) {
    let unfolded = unfold(ics);
    let calendar = read_calendar(&unfolded).expect("the output parses");
    let props = |list: &[icalendar::parser::Property]| {
        list.iter().map(|p| (p.name.as_str().to_owned(), p.val.as_str().to_owned())).collect::<Vec<_>>()
    };
    let events: Vec<&Component> = calendar.components.iter().filter(|c| c.name.as_str() == "VEVENT").collect();
    assert_eq!(events.len(), 1);
    (props(&calendar.properties), props(&events[0].properties))
}

fn value<'a>(props: &'a [(String, String)], name: &str) -> Option<&'a str> {
    props.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
}

#[test]
fn a_parser_reads_back_uid_times_sequence_and_method() {
    let ics = sample().render();
    let (calendar, event) = parsed_event(&ics);
    assert_eq!(value(&calendar, "VERSION"), Some("2.0"));
    assert_eq!(value(&calendar, "METHOD"), Some("PUBLISH"));
    assert_eq!(value(&event, "UID"), Some("event-42@webinar-bot"));
    assert_eq!(value(&event, "SEQUENCE"), Some("3"));
    assert_eq!(value(&event, "DTSTART"), Some("20261225T153000Z"));
    assert_eq!(value(&event, "DTEND"), Some("20261225T170000Z"));
    assert_eq!(value(&event, "DTSTAMP"), Some("20260610T090000Z"));
    assert_eq!(value(&event, "STATUS"), Some("CONFIRMED"));
    assert_eq!(value(&event, "URL"), Some("https://meet.example.org/room-1?x=1,2"));
}

#[test]
fn text_survives_escaping() {
    let event = sample();
    let (_, props) = parsed_event(&event.render());
    assert_eq!(value(&props, "SUMMARY").unwrap(), event.title);
    assert_eq!(value(&props, "DESCRIPTION").unwrap(), event.description.unwrap());
    assert_eq!(value(&props, "LOCATION").unwrap(), event.url.unwrap());
}

#[test]
fn dtstart_reads_as_utc_in_the_typed_model() {
    use icalendar::{Calendar, CalendarDateTime, Component as _, DatePerhapsTime};
    let calendar: Calendar = unfold(&sample().render()).parse().expect("parses");
    let event = calendar.components.iter().find_map(|c| c.as_event()).expect("one event");
    assert_eq!(event.get_start(), Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(utc(12, 25, 15, 30)))));
    assert_eq!(event.get_sequence(), Some(3));
    assert_eq!(event.get_uid(), Some("event-42@webinar-bot"));
}

#[test]
fn cancellation_uses_method_cancel_and_status_cancelled() {
    let event = IcsEvent { cancelled: true, sequence: 4, ..sample() };
    let (calendar, props) = parsed_event(&event.render());
    assert_eq!(value(&calendar, "METHOD"), Some("CANCEL"));
    assert_eq!(value(&props, "STATUS"), Some("CANCELLED"));
    assert_eq!(value(&props, "SEQUENCE"), Some("4"));
    assert_eq!(value(&props, "UID"), Some("event-42@webinar-bot"));
}

#[test]
fn recurrence_and_exdates() {
    let event = IcsEvent {
        recurrence: Some("FREQ=WEEKLY;COUNT=10\r\nX-INJECTED:1".to_owned()),
        exdates: vec![utc(12, 25, 15, 30), utc(1, 1, 15, 30)],
        ..sample()
    };
    let ics = event.render();
    assert!(ics.contains("\r\nRRULE:FREQ=WEEKLY;COUNT=10X-INJECTED:1\r\n"));
    assert!(ics.contains("\r\nEXDATE:20261225T153000Z\r\n"));
    assert!(ics.contains("\r\nEXDATE:20260101T153000Z\r\n"));
    assert!(!ics.contains("\r\nX-INJECTED"));
    let (_, props) = parsed_event(&ics);
    assert_eq!(props.iter().filter(|(name, _)| name == "EXDATE").count(), 2);
    let prefixed = IcsEvent { recurrence: Some("RRULE:FREQ=DAILY".to_owned()), ..sample() };
    assert!(prefixed.render().contains("\r\nRRULE:FREQ=DAILY\r\n"));
}

#[test]
fn optional_fields_are_left_out() {
    let event = IcsEvent { description: None, url: None, organizer_name: None, ..sample() };
    let ics = event.render();
    for name in ["DESCRIPTION", "URL", "LOCATION", "ORGANIZER", "RRULE", "EXDATE"] {
        assert!(!ics.contains(&format!("\r\n{name}")), "{name}");
    }
}

#[test]
fn organizer_name_is_quoted_without_inner_quotes() {
    let ics = unfold(&sample().render());
    assert!(ics.contains("ORGANIZER;CN=\"Иван Ваня Петров\":mailto:noreply@webinar-bot.invalid"), "{ics}");
}

#[test]
fn every_line_ends_in_crlf() {
    let ics = sample().render();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(ics.matches('\n').count(), ics.matches("\r\n").count());
    assert_eq!(ics.matches('\r').count(), ics.matches("\r\n").count());
}

#[test]
fn uid_and_file_name() {
    assert_eq!(event_uid(EventId(7)), "event-7@webinar-bot");
    assert_eq!(file_name(EventId(7)), "event-7.ics");
}

// ---- escaping ----

#[test]
fn escaping_rules() {
    assert_eq!(escape_text(r"a\b"), r"a\\b");
    assert_eq!(escape_text("a;b,c"), r"a\;b\,c");
    assert_eq!(escape_text("a\nb\r\nc\rd"), r"a\nb\nc\nd");
    assert_eq!(escape_text("a\u{0}b\u{7}c\td"), "abc\td");
    assert_eq!(escape_text("Привет: мир"), "Привет: мир");
}

// ---- folding ----

#[test]
fn short_lines_are_not_folded() {
    let line = "x".repeat(75);
    assert_eq!(fold_line(&line), line);
}

#[test]
fn ascii_folds_at_75_then_74_octets() {
    let line = "x".repeat(75 + 74 + 10);
    let folded = fold_line(&line);
    let pieces: Vec<&str> = folded.split("\r\n").collect();
    assert_eq!(pieces.len(), 3);
    assert_eq!(pieces[0].len(), 75);
    assert_eq!(pieces[1].len(), 75);
    assert!(pieces[1].starts_with(' '));
    assert_eq!(pieces[2].len(), 11);
    assert_eq!(unfold(&folded), line);
}

#[test]
fn cyrillic_is_never_split_inside_a_character() {
    // "SUMMARY:" (8 octets) then two-octet letters: a cut at exactly 75 would halve one.
    let line = format!("SUMMARY:{}", "Щ".repeat(100));
    let folded = fold_line(&line);
    for piece in folded.split("\r\n") {
        assert!(piece.len() <= 75, "{} octets", piece.len());
    }
    let first = folded.split("\r\n").next().unwrap();
    assert_eq!(first.len(), 74, "8 + 33 letters of 2 octets; the 34th does not fit");
    assert_eq!(unfold(&folded), line);
}

#[test]
fn four_octet_characters_fold_safely() {
    let line = format!("DESCRIPTION:{}", "😀".repeat(50));
    let folded = fold_line(&line);
    assert!(folded.split("\r\n").all(|piece| piece.len() <= 75));
    assert_eq!(unfold(&folded), line);
}

#[test]
fn long_cyrillic_event_renders_within_limits() {
    let event = IcsEvent {
        title: "Очень длинное название мероприятия по программированию на языке Rust".repeat(3),
        description: Some("Описание, в котором есть запятые; точки с запятой и\nпереносы строк. ".repeat(20)),
        ..sample()
    };
    let ics = event.render();
    assert!(ics.split("\r\n").all(|line| line.len() <= 75));
    let (_, props) = parsed_event(&ics);
    assert_eq!(value(&props, "SUMMARY").unwrap(), event.title);
    assert_eq!(value(&props, "DESCRIPTION").unwrap(), event.description.unwrap());
}

proptest! {
    #[test]
    fn folding_keeps_content_and_limits(line in "\\PC{0,200}") {
        let folded = fold_line(&line);
        prop_assert!(folded.split("\r\n").all(|piece| piece.len() <= 75));
        prop_assert_eq!(unfold(&folded), line);
    }

    #[test]
    fn any_title_renders_into_one_summary_that_parses_back(title in "\\PC{1,150}", description in any::<String>()) {
        let event = IcsEvent { title: title.clone(), description: Some(description), ..sample() };
        let ics = event.render();
        prop_assert!(ics.split("\r\n").all(|line| line.len() <= 75));
        let (_, props) = parsed_event(&ics);
        prop_assert_eq!(props.iter().filter(|(name, _)| name == "SUMMARY").count(), 1);
        prop_assert_eq!(value(&props, "SUMMARY").unwrap(), title);
    }
}
