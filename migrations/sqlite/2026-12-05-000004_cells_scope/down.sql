DROP TRIGGER write_scopes_cell_removed;
DROP TRIGGER write_scopes_cell_added;
DELETE FROM write_scopes WHERE scope = 'cells';
