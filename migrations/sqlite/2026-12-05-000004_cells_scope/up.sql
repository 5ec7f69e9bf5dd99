-- Today's matrix shows, per force x tool cell, the statuses its deployments hold: it changes only
-- when a status appears in a cell or leaves it (a deployment_cells row inserted or deleted), not
-- when a cell's count moves. Such writes touch the `cells` scope of write_scopes, which the cached
-- matrix is checked against (with `*`), so a claim that leaves every cell's statuses as they were
-- keeps the matrix cached.
CREATE TRIGGER write_scopes_cell_added AFTER INSERT ON deployment_cells
BEGIN
    INSERT INTO write_scopes (scope, marker)
    SELECT 'cells', value FROM write_sequence WHERE true
    ON CONFLICT (scope) DO UPDATE SET marker = excluded.marker;
END;

CREATE TRIGGER write_scopes_cell_removed AFTER DELETE ON deployment_cells
BEGIN
    INSERT INTO write_scopes (scope, marker)
    SELECT 'cells', value FROM write_sequence WHERE true
    ON CONFLICT (scope) DO UPDATE SET marker = excluded.marker;
END;
