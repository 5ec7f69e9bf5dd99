-- How many deployments each force x tool cell holds of each status, kept by triggers in every write
-- transaction, whatever path writes (the API, imports, restores, the demo seeder). The matrix and
-- profiles read their current statuses from here (at most a row per force, tool and status)
-- instead of grouping every deployment on each cache miss. A count that falls to 0 is deleted, so a row
-- exists exactly for each status some deployment of the cell has.
CREATE TABLE deployment_cells (
    force_slug TEXT NOT NULL,
    tool_slug TEXT NOT NULL,
    status TEXT NOT NULL,
    deployments INTEGER NOT NULL,
    PRIMARY KEY (force_slug, tool_slug, status)
) WITHOUT ROWID;

INSERT INTO deployment_cells (force_slug, tool_slug, status, deployments)
SELECT force_slug, tool_slug, status, count(*) FROM deployments
GROUP BY force_slug, tool_slug, status;

CREATE TRIGGER deployment_cells_inserted AFTER INSERT ON deployments
BEGIN
    INSERT INTO deployment_cells (force_slug, tool_slug, status, deployments)
    VALUES (NEW.force_slug, NEW.tool_slug, NEW.status, 1)
    ON CONFLICT (force_slug, tool_slug, status) DO UPDATE SET deployments = deployments + 1;
END;

CREATE TRIGGER deployment_cells_deleted AFTER DELETE ON deployments
BEGIN
    UPDATE deployment_cells SET deployments = deployments - 1
    WHERE force_slug = OLD.force_slug AND tool_slug = OLD.tool_slug AND status = OLD.status;
    DELETE FROM deployment_cells
    WHERE force_slug = OLD.force_slug AND tool_slug = OLD.tool_slug AND status = OLD.status
      AND deployments = 0;
END;

CREATE TRIGGER deployment_cells_updated AFTER UPDATE OF force_slug, tool_slug, status ON deployments
WHEN OLD.force_slug <> NEW.force_slug OR OLD.tool_slug <> NEW.tool_slug OR OLD.status <> NEW.status
BEGIN
    UPDATE deployment_cells SET deployments = deployments - 1
    WHERE force_slug = OLD.force_slug AND tool_slug = OLD.tool_slug AND status = OLD.status;
    DELETE FROM deployment_cells
    WHERE force_slug = OLD.force_slug AND tool_slug = OLD.tool_slug AND status = OLD.status
      AND deployments = 0;
    INSERT INTO deployment_cells (force_slug, tool_slug, status, deployments)
    VALUES (NEW.force_slug, NEW.tool_slug, NEW.status, 1)
    ON CONFLICT (force_slug, tool_slug, status) DO UPDATE SET deployments = deployments + 1;
END;
