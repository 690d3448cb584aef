-- Listener groups: whether the bot already offered a person to give their full name and
-- organisation, so the question comes once, on the first join, and never again uninvited.
ALTER TABLE users ADD COLUMN profile_asked INTEGER NOT NULL DEFAULT 0;

-- The teacher's member list is read by group, newest first.
CREATE INDEX group_members_joined ON group_members (group_id, joined_at);
