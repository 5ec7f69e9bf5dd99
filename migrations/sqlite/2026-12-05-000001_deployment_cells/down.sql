DROP TRIGGER deployment_cells_updated;
DROP TRIGGER deployment_cells_deleted;
DROP TRIGGER deployment_cells_inserted;
DROP TABLE deployment_cells;
