-- The global plan reads and moves the pending reminders by their due time.
CREATE INDEX outbox_pending_due ON outbox (due_at) WHERE state = 'pending';
