DROP TRIGGER deployments_search_ai;
DROP TRIGGER deployments_search_au;
DROP VIEW deployment_search_texts;
CREATE TRIGGER deployments_search_ai AFTER INSERT ON deployments BEGIN
    INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
    VALUES ('deployment', NEW.id, NEW.force_slug, NEW.force_slug || ' ' || NEW.tool_slug, NEW.summary);
END;
CREATE TRIGGER deployments_search_au AFTER UPDATE OF summary ON deployments BEGIN
    DELETE FROM search_documents WHERE entity_type = 'deployment' AND entity_id = OLD.id;
    INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
    VALUES ('deployment', NEW.id, NEW.force_slug, NEW.force_slug || ' ' || NEW.tool_slug, NEW.summary);
END;
DELETE FROM search_documents WHERE entity_type = 'deployment';
INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
SELECT 'deployment', id, force_slug, force_slug || ' ' || tool_slug, summary FROM deployments;
