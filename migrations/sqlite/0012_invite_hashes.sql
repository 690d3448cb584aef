-- Invitation codes are kept only as their SHA-256 (in `code`, as lower-case hex), so a copy of
-- the database opens no link. Rows written before this say hashed = 0; the bot hashes them
-- right after the migrations run (store::migrate), since SQLite has no SHA-256 of its own.
ALTER TABLE invites ADD COLUMN hashed INTEGER NOT NULL DEFAULT 0;
