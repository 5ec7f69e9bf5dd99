DROP TRIGGER write_scopes_cell_removed ON deployment_cells;
DROP TRIGGER write_scopes_cell_added ON deployment_cells;
DROP FUNCTION write_scopes_cells();
DELETE FROM write_scopes WHERE scope = 'cells';
