//! The `.ics` copies of an event's calendar entry: the one a listener asks for with "Add to
//! calendar", and the new copy each holder gets when the class moves, changes or is cancelled.
//! Every copy is made here, so one rule decides its UID and SEQUENCE.

use chrono::{DateTime, Utc};
use teloxide::types::ChatId;

use super::Inner;
use crate::domain::calendar::{CalendarEntry, next_sequence};
use crate::domain::event::EventStatus;
use crate::ics::{self, IcsEvent};
use crate::store::{Event, Series, StoreResult};

/// One copy of a calendar entry for one chat, ready to send as a document.
#[derive(Clone, Debug)]
pub struct CalendarFile {
    pub entry: CalendarEntry,
    pub sequence: u32,
    pub file_name: String,
    pub text: String,
    /// The file removes the entry (`METHOD:CANCEL`) rather than adds or updates it.
    pub removes: bool,
}

/// The entry an event's file describes.
pub fn entry_of(event: &Event) -> CalendarEntry {
    CalendarEntry::of(event.id, event.series.map(|(series, _)| series))
}

/// The copy `chat` should get now: the event's current state, with a SEQUENCE above any copy
/// that chat got before.
pub(super) async fn copy_for(inner: &Inner, event: &Event, chat: ChatId) -> StoreResult<CalendarFile> {
    let mut calendar = base_file(inner, event).await?;
    if let Some((series, occurrence)) = event.series
        && let Some(series) = inner.series.get(series).await?
    {
        let made = inner.events.occurrences(series.id).await?;
        calendar = repeat_in_calendar(calendar, &series, occurrence, &made);
    }
    let entry = entry_of(event);
    let last = inner.calendars.last_sequence(entry, chat).await?;
    calendar.sequence = next_sequence(calendar.sequence, last);
    Ok(CalendarFile {
        entry,
        sequence: calendar.sequence,
        file_name: ics::file_name(event.id),
        text: calendar.render(),
        removes: calendar.cancelled,
    })
}

async fn base_file(inner: &Inner, event: &Event) -> StoreResult<IcsEvent> {
    let host = match event.host_id {
        Some(host) => inner.users.get(host).await?.map(|u| u.first_name),
        None => None,
    };
    Ok(calendar_file(event, host, inner.clock.now()))
}

/// A series is one calendar entry with its rule, its cancelled dates as exceptions and its moved
/// occurrences as overrides, under the series' own UID, so each week's file updates the same
/// entry.
fn repeat_in_calendar(calendar: IcsEvent, series: &Series, occurrence: i64, made: &[Event]) -> IcsEvent {
    let made: Vec<ics::MadeOccurrence> = made.iter().filter_map(made_occurrence).collect();
    let rule =
        ics::SeriesRule { rule: &series.rule, first: series.first_date.and_time(series.local_time), tz: series.tz };
    let mut calendar = calendar.repeating(rule, &made);
    calendar.uid = format!("series-{}@webinar-bot", series.id);
    // Each occurrence is its own event row whose sequence starts again; the series' entry must
    // only ever move forward, so the occurrence number leads.
    let occurrence = u32::try_from(occurrence).unwrap_or(0);
    calendar.sequence = occurrence.saturating_mul(1000).saturating_add(calendar.sequence);
    // One occurrence cancelled is an exception of a series that goes on; only a cancelled series
    // cancels the calendar entry.
    calendar.cancelled = series.cancelled;
    calendar
}

fn made_occurrence(event: &Event) -> Option<ics::MadeOccurrence> {
    let (_, number) = event.series?;
    Some(ics::MadeOccurrence {
        number: usize::try_from(number).ok()?,
        start: event.starts_at,
        end: event.ends_at(),
        cancelled: event.status == EventStatus::Cancelled,
    })
}

/// The `.ics` of an event: the same UID for its whole life, SEQUENCE raised on each change.
fn calendar_file(event: &Event, host: Option<String>, now: DateTime<Utc>) -> IcsEvent {
    IcsEvent {
        uid: ics::event_uid(event.id),
        sequence: u32::try_from(event.sequence).unwrap_or(0),
        title: event.title.clone(),
        description: event.description.clone(),
        start: event.starts_at,
        end: event.ends_at(),
        // A cancelled class's link leads nowhere.
        url: event.join_url().filter(|_| event.status != EventStatus::Cancelled).map(str::to_owned),
        organizer_name: host,
        cancelled: event.status == EventStatus::Cancelled,
        repeat: None,
        dtstamp: now,
    }
}
