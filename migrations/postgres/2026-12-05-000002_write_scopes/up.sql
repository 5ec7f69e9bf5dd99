-- What each write touched, for the response cache: the write sequence's value at the latest write
-- of each scope. A change event of a deployment touches its force's scope (`force:<slug>`); every
-- other change event (a source, a tool, a force, an assessment, an FOI request, ...) touches `*`,
-- which stands for everything. A cached force profile stays valid while neither its force's scope
-- nor `*` has moved past the value it was computed at, so a write to one force's claims keeps
-- every other force's profile cached. Kept by a trigger (once per statement), so no write path can
-- forget it (a claim's force is fixed once written, so it never leaves one force's scope for
-- another's).
CREATE TABLE write_scopes (
    scope TEXT PRIMARY KEY,
    marker BIGINT NOT NULL
);

CREATE FUNCTION write_scopes_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO write_scopes (scope, marker)
    SELECT DISTINCT CASE WHEN n.entity_type = 'deployment' AND n.force_slug IS NOT NULL
                         THEN 'force:' || n.force_slug ELSE '*' END, s.value
    FROM new_rows n, write_sequence s
    ON CONFLICT (scope) DO UPDATE SET marker = EXCLUDED.marker;
    RETURN NULL;
END;
$$;

CREATE TRIGGER write_scopes_event AFTER INSERT ON change_events
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION write_scopes_touch();
