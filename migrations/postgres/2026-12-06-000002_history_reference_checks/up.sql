-- A deployment's revisions and every change event copy their force (and a revision its tool) from
-- the record they describe, whose own foreign keys checked it in the same transaction; forces and
-- tools are reference data that are never deleted nor renamed. So these three checks could never
-- fail, yet each ran a query per row: a third of a deployment's reference checks, about a tenth of
-- the database's work in an import. Stores still check every reference a request names.
ALTER TABLE deployment_revisions
    DROP CONSTRAINT deployment_revisions_force_slug_fkey,
    DROP CONSTRAINT deployment_revisions_tool_slug_fkey;
ALTER TABLE change_events DROP CONSTRAINT change_events_force_slug_fkey;
