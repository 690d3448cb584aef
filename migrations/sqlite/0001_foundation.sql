-- People who have written to the bot. The id is the Telegram user id.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    first_name      TEXT    NOT NULL DEFAULT '',
    last_name       TEXT,
    username        TEXT,
    role            TEXT    NOT NULL DEFAULT 'listener' CHECK (role IN ('admin', 'teacher', 'listener')),
    language        TEXT    NOT NULL CHECK (language IN ('ru', 'en')),
    -- Once the person picks a language with /lang, Telegram's language_code no longer overrides it.
    language_chosen INTEGER NOT NULL DEFAULT 0,
    timezone        TEXT    NOT NULL,
    full_name       TEXT,
    organisation    TEXT,
    -- 0 once Telegram says the person blocked the bot or was deactivated.
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);

CREATE INDEX users_role ON users (role);

-- Dialogue state per chat, JSON of bot::State.
CREATE TABLE dialogues (
    chat_id    INTEGER PRIMARY KEY,
    state      TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
