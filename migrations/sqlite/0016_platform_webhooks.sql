-- Webhooks to the learning platform (issue 19): each notice waits here, signed as it will be
-- sent, until the platform has taken it; a chat reply never waits for the platform.
CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY,
    topic        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      TEXT,
    last_error   TEXT,
    delivered_at TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at) WHERE state = 'pending';
