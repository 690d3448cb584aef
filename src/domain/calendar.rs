//! Which calendar entry a listener's `.ics` file describes, and the SEQUENCE each new copy of it
//! must carry. Calendar clients match a file to the entry they hold by UID and apply it only when
//! its SEQUENCE is higher than the one they have: a copy that does not go up is ignored.

use super::event::EventId;

/// The entry one calendar file describes: a single event, or a whole series (every occurrence
/// shares one UID, so a moved or cancelled occurrence updates the same entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CalendarEntry {
    Event(EventId),
    Series(i64),
}

impl CalendarEntry {
    /// The entry an event's file belongs to: its series', when it is an occurrence of one.
    pub fn of(event: EventId, series: Option<i64>) -> Self {
        series.map_or(Self::Event(event), Self::Series)
    }
}

/// The SEQUENCE of a new copy of an entry for one recipient: what the event's state gives, yet
/// always above the last copy that recipient got. The two can disagree, since a series' number
/// is derived from the occurrence the file is made from; the recipient's client only ever
/// compares its own copies.
pub fn next_sequence(derived: u32, last_sent: Option<u32>) -> u32 {
    match last_sent {
        Some(last) => derived.max(last.saturating_add(1)),
        None => derived,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_copy_carries_the_events_own_sequence() {
        assert_eq!(next_sequence(0, None), 0);
        assert_eq!(next_sequence(3004, None), 3004);
    }

    #[test]
    fn every_later_copy_goes_up_even_when_the_event_did_not() {
        assert_eq!(next_sequence(2, Some(2)), 3, "a second press on an unchanged event");
        assert_eq!(next_sequence(2, Some(5)), 6, "a file made from an older occurrence");
        assert_eq!(next_sequence(7, Some(5)), 7, "the event moved on by itself");
        assert_eq!(next_sequence(0, Some(u32::MAX)), u32::MAX, "saturates rather than wraps to 0");
    }

    #[test]
    fn an_occurrence_belongs_to_its_series_entry() {
        assert_eq!(CalendarEntry::of(EventId(4), None), CalendarEntry::Event(EventId(4)));
        assert_eq!(CalendarEntry::of(EventId(4), Some(9)), CalendarEntry::Series(9));
    }
}
