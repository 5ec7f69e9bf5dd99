DROP INDEX change_events_occurred_idx;
ALTER TABLE change_events DROP COLUMN changes;
