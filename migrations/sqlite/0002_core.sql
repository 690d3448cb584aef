-- The core model every flow shares: providers, invitations, listener groups, events, the outbox.
-- Times are RFC 3339 text in UTC (they sort as text); zones are IANA names.

-- Video-service accounts, registered by an administrator or a teacher.
CREATE TABLE providers (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,                 -- providers::ProviderKind
    name            TEXT    NOT NULL,
    owner_id        INTEGER NOT NULL REFERENCES users (id),
    -- shared: every teacher may use it; private: the owner only; host: host_id only.
    visibility      TEXT    NOT NULL DEFAULT 'private' CHECK (visibility IN ('shared', 'private', 'host')),
    host_id         INTEGER REFERENCES users (id),
    -- ProviderSettings as JSON, sealed with the AEAD (crypto.rs); never stored in the clear.
    sealed_settings BLOB    NOT NULL,
    -- The last four characters of the main secret, the only part ever shown again.
    secret_hint     TEXT,
    checked_at      TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    deleted_at      TEXT
);

CREATE INDEX providers_owner ON providers (owner_id) WHERE deleted_at IS NULL;

-- Switches an administrator can turn, as key/value text.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Listener groups such as «Группа №15-ПБ».
CREATE TABLE listener_groups (
    id         INTEGER PRIMARY KEY,
    owner_id   INTEGER NOT NULL REFERENCES users (id),
    name       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    deleted_at TEXT
);

CREATE TABLE group_members (
    group_id  INTEGER NOT NULL REFERENCES listener_groups (id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users (id),
    joined_at TEXT    NOT NULL,
    PRIMARY KEY (group_id, user_id)
);

CREATE INDEX group_members_user ON group_members (user_id);

-- A Telegram group chat linked to a listener group: notices go to the chat once, not to each member.
CREATE TABLE group_chats (
    chat_id   INTEGER PRIMARY KEY,
    group_id  INTEGER NOT NULL REFERENCES listener_groups (id) ON DELETE CASCADE,
    title     TEXT,
    linked_by INTEGER NOT NULL REFERENCES users (id),
    linked_at TEXT    NOT NULL,
    active    INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX group_chats_group ON group_chats (group_id);

-- Deep-link codes (/start <code>) for teachers, groups and single events. Random, revocable.
CREATE TABLE invites (
    code       TEXT PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('teacher', 'group', 'event', 'chat')),
    target_id  INTEGER,                               -- the group or event; NULL for teacher invites
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT    NOT NULL,
    expires_at TEXT,
    max_uses   INTEGER,                               -- NULL: unlimited
    uses       INTEGER NOT NULL DEFAULT 0,
    revoked_at TEXT
);

CREATE INDEX invites_target ON invites (kind, target_id);

CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    owner_id     INTEGER NOT NULL REFERENCES users (id),  -- the teacher who made it
    host_id      INTEGER REFERENCES users (id),
    host_email   TEXT,
    provider_id  INTEGER REFERENCES providers (id),
    title        TEXT    NOT NULL,
    description  TEXT,
    starts_at    TEXT    NOT NULL,
    duration_min INTEGER NOT NULL,
    timezone     TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'planned', 'cancelled', 'finished')),
    -- providers::Meeting as JSON once the service has created it.
    meeting      TEXT,
    options      TEXT    NOT NULL DEFAULT '{}',       -- the service's per-event options
    reminders    TEXT    NOT NULL DEFAULT '',         -- offset codes, comma-separated
    -- The calendar SEQUENCE: raised on every change listeners should see.
    sequence     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);

CREATE INDEX events_owner ON events (owner_id, starts_at);
CREATE INDEX events_start ON events (status, starts_at);

CREATE TABLE event_groups (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES listener_groups (id),
    PRIMARY KEY (event_id, group_id)
);

CREATE INDEX event_groups_group ON event_groups (group_id);

-- Listeners of an event: those who came by its own link, and anyone who answered RSVP or left.
CREATE TABLE event_listeners (
    event_id  INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users (id),
    direct    INTEGER NOT NULL DEFAULT 0,             -- joined by the event's own link
    rsvp      TEXT CHECK (rsvp IN ('yes', 'no')),
    rsvp_at   TEXT,
    left_at   TEXT,
    PRIMARY KEY (event_id, user_id)
);

-- The durable outbox: every message to a listener is a row here before it is sent.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    event_id   INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    chat_id    INTEGER NOT NULL,
    -- invitation | reminder:<offset> | starting | changed:<sequence> | cancelled | nudge:<n>
    kind       TEXT    NOT NULL,
    -- When the message is meant to arrive (a reminder's nominal time)...
    due_at     TEXT    NOT NULL,
    -- ...and when sending may begin: earlier for a large audience, so the last recipient is on time;
    -- later after a network error, for the backoff.
    send_at    TEXT    NOT NULL,
    state      TEXT    NOT NULL DEFAULT 'pending'
               CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    message_id INTEGER,                               -- Telegram's, once sent
    reason     TEXT,                                  -- why failed or skipped
    late       INTEGER NOT NULL DEFAULT 0,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    sent_at    TEXT,
    UNIQUE (event_id, chat_id, kind)
);

-- Finding the next due row reads only pending rows, however large the table grows.
CREATE INDEX outbox_due ON outbox (send_at, id) WHERE state = 'pending';
CREATE INDEX outbox_sending ON outbox (id) WHERE state = 'sending';
CREATE INDEX outbox_chat ON outbox (chat_id);
