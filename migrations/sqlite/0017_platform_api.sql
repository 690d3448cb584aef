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

-- Calls to the platform's webhook, durable: written with the change, sent and retried by the
-- webhook sender, so a slow platform never delays a chat reply. next_at is also the claim: a
-- sender moves it ahead before it calls, so two instances never send one row at once.
CREATE TABLE api_webhooks (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    state      TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    TEXT    NOT NULL,
    last_error TEXT,
    created_at TEXT    NOT NULL,
    sent_at    TEXT
);
CREATE INDEX api_webhooks_due ON api_webhooks (next_at) WHERE state = 'pending';
