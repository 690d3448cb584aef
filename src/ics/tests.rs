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
        repeat: None,
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
fn a_single_event_has_no_time_zone_block() {
    let ics = sample().render();
    assert!(!ics.contains("VTIMEZONE") && !ics.contains("TZID"), "{ics}");
}

// ---- series ----

const VLADIVOSTOK: chrono_tz::Tz = chrono_tz::Asia::Vladivostok;
const BERLIN: chrono_tz::Tz = chrono_tz::Europe::Berlin;

fn local(tz: chrono_tz::Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    tz.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
}

fn tuesdays(count: u32) -> Recurrence {
    use crate::domain::recurrence::{Ending, Frequency};
    Recurrence {
        frequency: Frequency::Weekly { weekdays: vec![chrono::Weekday::Tue], interval: 1 },
        ending: Ending::Count(count),
    }
}

/// A 90-minute Tuesday class: the sample moved to `tz`, repeated from 5 January 2027 at `hour`.
fn series(tz: chrono_tz::Tz, hour: u32, rule: &Recurrence, made: &[MadeOccurrence]) -> IcsEvent {
    let start = local(tz, 2027, 1, 5, hour, 0);
    let event = IcsEvent { start, end: start + chrono::Duration::minutes(90), ..sample() };
    let first = chrono::NaiveDate::from_ymd_opt(2027, 1, 5).unwrap().and_hms_opt(hour, 0, 0).unwrap();
    event.repeating(SeriesRule { rule, first, tz }, made)
}

#[test]
fn a_vladivostok_tuesday_class_is_written_on_tuesdays_in_its_zone() {
    let ics = unfold(&series(VLADIVOSTOK, 9, &tuesdays(4), &[]).render());
    assert!(ics.contains("\r\nDTSTART;TZID=Asia/Vladivostok:20270105T090000\r\n"), "{ics}");
    assert!(ics.contains("\r\nDTEND;TZID=Asia/Vladivostok:20270105T103000\r\n"), "{ics}");
    assert!(ics.contains("\r\nRRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;COUNT=4\r\n"), "{ics}");
    assert!(ics.contains("\r\nBEGIN:VTIMEZONE\r\nTZID:Asia/Vladivostok\r\nBEGIN:STANDARD\r\n"), "{ics}");
    assert!(!ics.contains("DTSTART:20270104T230000Z"), "never in UTC: {ics}");
}

#[test]
fn the_typed_model_reads_the_zone_and_the_time_zone_block_parses() {
    use icalendar::{Calendar, CalendarDateTime, Component as _, DatePerhapsTime};
    let text = unfold(&series(BERLIN, 18, &tuesdays(12), &[]).render());
    let calendar: Calendar = text.parse().expect("parses");
    let event = calendar.components.iter().find_map(|c| c.as_event()).expect("one event");
    let expected = CalendarDateTime::WithTimezone {
        date_time: chrono::NaiveDate::from_ymd_opt(2027, 1, 5).unwrap().and_hms_opt(18, 0, 0).unwrap(),
        tzid: "Europe/Berlin".to_owned(),
    };
    assert_eq!(event.get_start(), Some(DatePerhapsTime::DateTime(expected)));
    let parsed = read_calendar(&text).expect("parses");
    let zone = parsed.components.iter().find(|c| c.name.as_str() == "VTIMEZONE").expect("a VTIMEZONE");
    let kinds: Vec<&str> = zone.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(kinds, ["DAYLIGHT", "STANDARD"], "12 weeks from January cross the March change");
}

#[test]
fn cancelled_occurrences_are_exdates_in_the_zone() {
    let rule = tuesdays(4);
    let (first, second) = (local(BERLIN, 2027, 1, 5, 18, 0), local(BERLIN, 2027, 1, 12, 18, 0));
    let class = chrono::Duration::minutes(90);
    let made = [
        MadeOccurrence { number: 0, start: first, end: first + class, cancelled: false },
        MadeOccurrence { number: 1, start: second, end: second + class, cancelled: true },
    ];
    let ics = unfold(&series(BERLIN, 18, &rule, &made).render());
    assert!(ics.contains("\r\nEXDATE;TZID=Europe/Berlin:20270112T180000\r\n"), "{ics}");
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1, "nothing moved: {ics}");
}

#[test]
fn a_class_made_longer_is_an_override_too() {
    let first = local(BERLIN, 2027, 1, 5, 18, 0);
    let made =
        [MadeOccurrence { number: 0, start: first, end: first + chrono::Duration::minutes(120), cancelled: false }];
    let ics = unfold(&series(BERLIN, 18, &tuesdays(4), &made).render());
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2, "{ics}");
    assert!(ics.contains("\r\nRECURRENCE-ID;TZID=Europe/Berlin:20270105T180000\r\n"), "{ics}");
    assert!(ics.contains("\r\nDTEND;TZID=Europe/Berlin:20270105T200000\r\n"), "{ics}");
}

#[test]
fn a_moved_occurrence_gets_an_override_with_the_same_uid() {
    let rule = tuesdays(4);
    // The third class moved from Tuesday 18:00 to Wednesday 10:00; then the second was moved
    // and cancelled: its exception still names the rule's Tuesday.
    let moved = local(BERLIN, 2027, 1, 20, 10, 0);
    let made = [
        MadeOccurrence { number: 1, start: local(BERLIN, 2027, 1, 13, 9, 0), end: moved, cancelled: true },
        MadeOccurrence { number: 2, start: moved, end: moved + chrono::Duration::minutes(60), cancelled: false },
    ];
    let ics = unfold(&series(BERLIN, 18, &rule, &made).render());
    assert!(ics.contains("\r\nEXDATE;TZID=Europe/Berlin:20270112T180000\r\n"), "{ics}");
    let calendar = read_calendar(&ics).expect("parses");
    let events: Vec<&Component> = calendar.components.iter().filter(|c| c.name.as_str() == "VEVENT").collect();
    assert_eq!(events.len(), 2);
    let overriding = events[1];
    let prop = |name: &str| overriding.find_prop(name).map(|p| p.val.as_str().to_owned());
    assert_eq!(prop("UID").as_deref(), Some("event-42@webinar-bot"));
    assert_eq!(prop("RECURRENCE-ID").as_deref(), Some("20270119T180000"));
    assert_eq!(prop("DTSTART").as_deref(), Some("20270120T100000"));
    assert_eq!(prop("DTEND").as_deref(), Some("20270120T110000"));
    assert!(overriding.find_prop("RRULE").is_none());
    let tzid = overriding.find_prop("RECURRENCE-ID").unwrap().params.iter().find(|p| p.key.as_str() == "TZID").cloned();
    assert_eq!(tzid.and_then(|p| p.val).map(|v| v.as_str().to_owned()).as_deref(), Some("Europe/Berlin"));
}

#[test]
fn an_hour_the_clocks_repeat_is_written_in_utc() {
    // 01:30 on 7 November 2027 happens twice in New York; the second is 06:30 UTC.
    let new_york = chrono_tz::America::New_York;
    let second = Utc.with_ymd_and_hms(2027, 11, 7, 6, 30, 0).unwrap();
    assert_eq!(zoned("DTEND", new_york, second), "DTEND:20271107T063000Z");
    let first = Utc.with_ymd_and_hms(2027, 11, 7, 5, 30, 0).unwrap();
    assert_eq!(zoned("DTEND", new_york, first), "DTEND:20271107T053000Z");
    let later = Utc.with_ymd_and_hms(2027, 11, 7, 8, 0, 0).unwrap();
    assert_eq!(zoned("DTEND", new_york, later), "DTEND;TZID=America/New_York:20271107T030000");
}

#[test]
fn a_rule_with_no_occurrence_leaves_the_entry_single() {
    use crate::domain::recurrence::{Ending, Frequency};
    let rule = Recurrence {
        frequency: Frequency::Weekly { weekdays: vec![chrono::Weekday::Mon], interval: 1 },
        ending: Ending::Until(chrono::NaiveDate::from_ymd_opt(2027, 1, 6).unwrap()),
    };
    let event = series(BERLIN, 18, &rule, &[]);
    assert_eq!(event.repeat, None);
    assert!(event.render().contains("\r\nDTSTART:20270105T170000Z\r\n"));
}

#[test]
fn injected_controls_never_reach_the_rule_line() {
    let mut event = series(BERLIN, 18, &tuesdays(4), &[]);
    if let Some(repeat) = event.repeat.as_mut() {
        repeat.rule = "FREQ=WEEKLY;COUNT=10\r\nX-INJECTED:1".to_owned();
    }
    let ics = event.render();
    assert!(ics.contains("\r\nRRULE:FREQ=WEEKLY;COUNT=10X-INJECTED:1\r\n"), "{ics}");
    assert!(!ics.contains("\r\nX-INJECTED"));
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
