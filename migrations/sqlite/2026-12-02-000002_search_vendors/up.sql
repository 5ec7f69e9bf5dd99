-- A deployment is found by what people search it by: besides its summary, its vendors, product and
-- legal basis (`Cellebrite` finds the claims naming it) and its tool's name and aliases (`Stingray`
-- finds IMSI catchers). Vendors and aliases are JSON lists; their brackets and quotes are dropped.
-- The text is defined once, as a view the triggers and the backfill read.
CREATE VIEW deployment_search_texts AS
SELECT d.id, d.force_slug, d.force_slug || ' ' || d.tool_slug AS title,
       d.summary || ' ' || replace(replace(replace(d.vendors, '[', ''), ']', ''), '"', '')
       || ' ' || COALESCE(d.product, '') || ' ' || COALESCE(d.legal_basis, '')
       || ' ' || COALESCE(t.name || ' ' || replace(replace(replace(t.aliases, '[', ''), ']', ''), '"', ''), '')
       AS body
FROM deployments d LEFT JOIN tools t ON t.slug = d.tool_slug;

DROP TRIGGER deployments_search_ai;
DROP TRIGGER deployments_search_au;
CREATE TRIGGER deployments_search_ai AFTER INSERT ON deployments BEGIN
    INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
    SELECT 'deployment', id, force_slug, title, body FROM deployment_search_texts WHERE id = NEW.id;
END;
CREATE TRIGGER deployments_search_au AFTER UPDATE OF summary, vendors, product, legal_basis ON deployments BEGIN
    DELETE FROM search_documents WHERE entity_type = 'deployment' AND entity_id = OLD.id;
    INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
    SELECT 'deployment', id, force_slug, title, body FROM deployment_search_texts WHERE id = NEW.id;
END;

DELETE FROM search_documents WHERE entity_type = 'deployment';
INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
SELECT 'deployment', id, force_slug, title, body FROM deployment_search_texts;
