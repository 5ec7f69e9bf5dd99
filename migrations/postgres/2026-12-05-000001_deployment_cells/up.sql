-- How many deployments each force x tool cell holds of each status, kept by triggers in every write
-- transaction, whatever path writes (the API, imports, restores, the demo seeder). The matrix and
-- profiles read their current statuses from here (at most a row per force, tool and status)
-- instead of grouping every deployment on each cache miss. A count that falls to 0 is deleted, so a row
-- exists exactly for each status some deployment of the cell has. The triggers run once per
-- statement over its transition tables, so a bulk insert of a thousand deployments costs one
-- grouped upsert, not a thousand.
CREATE TABLE deployment_cells (
    force_slug TEXT NOT NULL,
    tool_slug TEXT NOT NULL,
    status TEXT NOT NULL,
    deployments BIGINT NOT NULL,
    PRIMARY KEY (force_slug, tool_slug, status)
);

INSERT INTO deployment_cells (force_slug, tool_slug, status, deployments)
SELECT force_slug, tool_slug, status, count(*) FROM deployments
GROUP BY force_slug, tool_slug, status;

CREATE FUNCTION deployment_cells_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE deployment_cells c SET deployments = c.deployments - o.n
        FROM (SELECT force_slug, tool_slug, status, count(*) AS n FROM old_rows
              GROUP BY force_slug, tool_slug, status) o
        WHERE c.force_slug = o.force_slug AND c.tool_slug = o.tool_slug AND c.status = o.status;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO deployment_cells AS c (force_slug, tool_slug, status, deployments)
        SELECT force_slug, tool_slug, status, count(*) FROM new_rows
        GROUP BY force_slug, tool_slug, status
        ON CONFLICT (force_slug, tool_slug, status)
        DO UPDATE SET deployments = c.deployments + EXCLUDED.deployments;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM deployment_cells c USING old_rows o
        WHERE c.force_slug = o.force_slug AND c.tool_slug = o.tool_slug AND c.status = o.status
          AND c.deployments = 0;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER deployment_cells_inserted AFTER INSERT ON deployments
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION deployment_cells_sync();
CREATE TRIGGER deployment_cells_updated AFTER UPDATE ON deployments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION deployment_cells_sync();
CREATE TRIGGER deployment_cells_deleted AFTER DELETE ON deployments
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION deployment_cells_sync();
