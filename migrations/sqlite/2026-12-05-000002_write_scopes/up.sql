-- What each write touched, for the response cache: the write sequence's value at the latest write
-- of each scope. A change event of a deployment touches its force's scope (`force:<slug>`); every
-- other change event (a source, a tool, a force, an assessment, an FOI request, ...) touches `*`,
-- which stands for everything. A cached force profile stays valid while neither its force's scope
-- nor `*` has moved past the value it was computed at, so a write to one force's claims keeps
-- every other force's profile cached. Kept by a trigger, so no write path can forget it (a claim's
-- force is fixed once written, so it never leaves one force's scope for another's).
CREATE TABLE write_scopes (
    scope TEXT PRIMARY KEY,
    marker BIGINT NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER write_scopes_event AFTER INSERT ON change_events
BEGIN
    INSERT INTO write_scopes (scope, marker)
    SELECT CASE WHEN NEW.entity_type = 'deployment' AND NEW.force_slug IS NOT NULL
                THEN 'force:' || NEW.force_slug ELSE '*' END, value
    FROM write_sequence WHERE true
    ON CONFLICT (scope) DO UPDATE SET marker = excluded.marker;
END;

