-- The learning platform's API (issue 19): tokens, and the platform's ids of groups and people.

-- A token is shown once when made; only its SHA-256 is kept, to find it again.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    scope        TEXT    NOT NULL CHECK (scope IN ('events', 'groups', 'read')),
    token_hash   TEXT    NOT NULL UNIQUE,
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT    NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT
);

-- A listener group the platform manages, by the platform's own id for it.
CREATE TABLE api_groups (
    external_id TEXT    PRIMARY KEY,
    group_id    INTEGER NOT NULL UNIQUE REFERENCES listener_groups (id),
    created_at  TEXT    NOT NULL
);

-- People as the platform knows them; user_id is set once they opened a signed link in Telegram.
CREATE TABLE platform_users (
    external_id  TEXT    PRIMARY KEY,
    user_id      INTEGER UNIQUE REFERENCES users (id),
    name         TEXT,
    organisation TEXT,
    linked_at    TEXT,
    updated_at   TEXT    NOT NULL
);

-- The roster the platform last sent for a group, linked or not: someone who links later joins
-- the groups that list them.
CREATE TABLE api_roster (
    group_id    INTEGER NOT NULL REFERENCES listener_groups (id),
    external_id TEXT    NOT NULL REFERENCES platform_users (external_id),
    PRIMARY KEY (group_id, external_id)
);

-- An event the platform manages, by the platform's own id for it.
CREATE TABLE api_events (
    external_id TEXT    PRIMARY KEY,
    event_id    INTEGER NOT NULL UNIQUE REFERENCES events (id) ON DELETE CASCADE,
    created_at  TEXT    NOT NULL
);
