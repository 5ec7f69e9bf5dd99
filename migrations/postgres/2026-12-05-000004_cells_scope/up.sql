-- Today's matrix shows, per force x tool cell, the statuses its deployments hold: it changes only
-- when a status appears in a cell or leaves it (a deployment_cells row inserted or deleted), not
-- when a cell's count moves. Such writes touch the `cells` scope of write_scopes, which the cached
-- matrix is checked against (with `*`), so a claim that leaves every cell's statuses as they were
-- keeps the matrix cached.
-- Once per statement; an upsert's INSERT transition table holds only the rows it inserted.
CREATE FUNCTION write_scopes_cells() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO write_scopes (scope, marker)
    SELECT 'cells', value FROM write_sequence
    WHERE EXISTS (SELECT 1 FROM changed_rows)
    ON CONFLICT (scope) DO UPDATE SET marker = EXCLUDED.marker;
    RETURN NULL;
END;
$$;

CREATE TRIGGER write_scopes_cell_added AFTER INSERT ON deployment_cells
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION write_scopes_cells();
CREATE TRIGGER write_scopes_cell_removed AFTER DELETE ON deployment_cells
    REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION write_scopes_cells();
