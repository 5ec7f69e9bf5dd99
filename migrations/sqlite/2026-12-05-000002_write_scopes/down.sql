DROP TRIGGER write_scopes_event;
DROP TABLE write_scopes;
