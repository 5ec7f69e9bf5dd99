-- Change events keep the value before and after of every field a write changed, as JSON
-- ([{"field", "old", "new"}]); events recorded before this migration keep only the names.
ALTER TABLE change_events ADD COLUMN changes TEXT NOT NULL DEFAULT '[]';
-- `since=<timestamp>` finds the first event at or after a moment.
CREATE INDEX change_events_occurred_idx ON change_events (occurred_at, id);
