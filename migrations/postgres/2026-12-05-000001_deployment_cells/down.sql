DROP TRIGGER deployment_cells_deleted ON deployments;
DROP TRIGGER deployment_cells_updated ON deployments;
DROP TRIGGER deployment_cells_inserted ON deployments;
DROP FUNCTION deployment_cells_sync();
DROP TABLE deployment_cells;
