-- A reminder the plan sends as a paid broadcast (Telegram's allow_paid_broadcast), because at the
-- free rate it would reach its last listeners late.
ALTER TABLE outbox ADD COLUMN paid INTEGER NOT NULL DEFAULT 0;
-- Paid rows are claimed ahead of the rest: they are the ones that would be late.
CREATE INDEX outbox_due_paid ON outbox (send_at, id) WHERE state = 'pending' AND paid = 1;
