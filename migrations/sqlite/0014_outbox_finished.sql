-- The readiness check counts the rows finished since the oldest due row's send time (how much
-- of its wait the send rate explains); without this it would read the whole history.
CREATE INDEX outbox_finished ON outbox (updated_at) WHERE state IN ('sent', 'failed', 'skipped');
