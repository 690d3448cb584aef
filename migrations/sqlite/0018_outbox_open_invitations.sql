-- A chat's messages of an event wait for its invitation: the claim asks, for each due row,
-- whether that invitation is still open. Only the few open invitations are in this index, so
-- the answer never reads the outbox's history, whichever plan the database picks.
CREATE INDEX outbox_open_invitations ON outbox (event_id, chat_id)
    WHERE kind = 'invitation' AND state IN ('pending', 'sending');
