-- Who holds a calendar entry of a class: every chat that was sent its `.ics` file ("Add to
-- calendar"), with the SEQUENCE of the last copy. A change or a cancellation sends those chats a
-- new copy with a higher SEQUENCE, or their calendars keep the old time.
CREATE TABLE calendar_copies (
    -- event: entry_id is events.id; series: entry_id is series.id (one entry for all occurrences).
    entry      TEXT    NOT NULL CHECK (entry IN ('event', 'series')),
    entry_id   INTEGER NOT NULL,
    chat_id    INTEGER NOT NULL,
    sequence   INTEGER NOT NULL,
    sent_at    TEXT    NOT NULL,
    PRIMARY KEY (entry, entry_id, chat_id)
);
