-- Repeating classes. Only the next occurrence of a series exists as an event (with its meeting);
-- the next one is made when it ends or is cancelled.
CREATE TABLE series (
    id          INTEGER PRIMARY KEY,
    owner_id    INTEGER NOT NULL REFERENCES users (id),
    rule        TEXT    NOT NULL,                      -- JSON of domain::recurrence::Recurrence
    first_date  TEXT    NOT NULL,                      -- YYYY-MM-DD of the first occurrence
    local_time  TEXT    NOT NULL,                      -- HH:MM on the wall clock of `timezone`
    timezone    TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled', 'finished')),
    -- Failed attempts to create the next occurrence's meeting, and when to try again.
    attempts    INTEGER NOT NULL DEFAULT 0,
    retry_at    TEXT,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

ALTER TABLE events ADD COLUMN series_id INTEGER REFERENCES series (id);
-- The occurrence's number in its series, from 0.
ALTER TABLE events ADD COLUMN occurrence INTEGER;

CREATE UNIQUE INDEX events_occurrence ON events (series_id, occurrence) WHERE series_id IS NOT NULL;
