-- Attendance (issue 18): personal join links, Join presses, the services' reports.

-- A personal link's token is derived from the key (attendance::links) and never stored: only its
-- SHA-256, to find whose link a press or a report names.
CREATE TABLE join_links (
    token_hash TEXT    PRIMARY KEY,
    event_id   INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT    NOT NULL,
    UNIQUE (event_id, user_id)
);

-- Presses of the bot's own Join redirect (/j/<token>), for services that report nothing.
CREATE TABLE join_presses (
    event_id   INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    first_at   TEXT    NOT NULL,
    last_at    TEXT    NOT NULL,
    presses    INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (event_id, user_id)
);

-- A class's report as the service gave it, matched: one row per listener found (user_id set) or
-- per participant who matched nobody (user_id NULL). Replaced whole at every fetch.
CREATE TABLE attendance (
    id           INTEGER PRIMARY KEY,
    event_id     INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id      INTEGER REFERENCES users (id),
    matched_by   TEXT    CHECK (matched_by IN ('token', 'registrant', 'email', 'name')),
    name         TEXT    NOT NULL,
    email        TEXT,
    minutes      INTEGER NOT NULL,
    first_joined TEXT    NOT NULL,
    last_left    TEXT    NOT NULL,
    joined_late  INTEGER NOT NULL,
    left_early   INTEGER NOT NULL,
    stays        INTEGER NOT NULL
);
CREATE INDEX attendance_event ON attendance (event_id);

-- When to ask the service for a class's report again, and what it said last.
CREATE TABLE attendance_fetches (
    event_id   INTEGER PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    state      TEXT    NOT NULL CHECK (state IN ('waiting', 'ready', 'unavailable', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    -- NULL once nothing more will be asked.
    next_at    TEXT,
    -- domain::attendance::Unavailable's code, or the last error for the log.
    reason     TEXT,
    fetched_at TEXT
);
CREATE INDEX attendance_fetches_due ON attendance_fetches (next_at) WHERE next_at IS NOT NULL;

-- The e-mail a listener gave in /settings: a report that shows e-mails is matched by it.
ALTER TABLE users ADD COLUMN email TEXT;

-- Set when a service said its plan or key gives no reports: its next classes are not asked.
ALTER TABLE providers ADD COLUMN reports_unavailable TEXT;
