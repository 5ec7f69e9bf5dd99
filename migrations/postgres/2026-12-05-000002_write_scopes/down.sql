DROP TRIGGER write_scopes_event ON change_events;
DROP FUNCTION write_scopes_touch();
DROP TABLE write_scopes;
