//! Reading the `.ics` files the bot sends, with an independent parser (the `icalendar` crate).

use icalendar::{Calendar, Component};

use super::Call;

/// What a calendar client looks at to match and apply a file.
#[derive(Debug)]
pub struct Ics {
    pub method: String,
    pub uid: String,
    pub sequence: u32,
    pub start: String,
    pub status: String,
    /// VEVENTs in the file: a series with a moved occurrence has two.
    pub vevents: usize,
    /// The raw text, for the lines the parser does not name.
    pub text: String,
}

pub fn parse(text: &str) -> Ics {
    let calendar: Calendar = text.parse().expect("a valid calendar");
    let method = calendar.property_value("METHOD").unwrap_or_default().to_owned();
    let events: Vec<_> = calendar.components.iter().filter_map(|c| c.as_event()).collect();
    // The master entry: the one without a RECURRENCE-ID.
    let event = events.iter().find(|e| e.property_value("RECURRENCE-ID").is_none()).expect("a master VEVENT");
    Ics {
        method,
        uid: event.get_uid().unwrap().to_owned(),
        sequence: event.get_sequence().unwrap_or(0),
        start: event.property_value("DTSTART").unwrap().to_owned(),
        status: event.property_value("STATUS").unwrap_or_default().to_owned(),
        vevents: events.len(),
        text: text.to_owned(),
    }
}

/// The calendar file a `sendDocument` call carried.
pub fn of(call: &Call) -> Ics {
    assert_eq!(call.method, "SendDocument", "{call:?}");
    parse(call.body["document"].as_str().expect("the file's text"))
}

/// Whether the call is a calendar file sent to `chat`.
pub fn is_file_to(call: &Call, chat: i64) -> bool {
    call.method == "SendDocument" && call.chat_id() == Some(chat) && call.delivered()
}
