-- A deployment is found by what people search it by: besides its summary, its vendors, product and
-- legal basis (`Cellebrite` finds the claims naming it) and its tool's name and aliases (`Stingray`
-- finds IMSI catchers). Vendors and aliases are JSON lists; their brackets and quotes are dropped.
-- The text is defined once, as a view the trigger function and the backfill read.
CREATE VIEW deployment_search_texts AS
SELECT d.id, d.force_slug, d.force_slug || ' ' || d.tool_slug AS title,
       concat_ws(' ', d.summary, translate(d.vendors, '[]"', ''), d.product, d.legal_basis,
                 t.name || ' ' || translate(t.aliases, '[]"', '')) AS body
FROM deployments d LEFT JOIN tools t ON t.slug = d.tool_slug;
CREATE OR REPLACE FUNCTION search_document_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kind TEXT := TG_ARGV[0];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM search_documents WHERE entity_type = kind AND entity_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF kind = 'deployment' THEN
            INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
            SELECT kind, id, force_slug, title, body FROM deployment_search_texts WHERE id = NEW.id;
        ELSIF kind = 'foi_request' THEN
            INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
            VALUES (kind, NEW.id, NEW.force_slug, NEW.title, NEW.request_text || ' ' || NEW.reply_text);
        ELSIF kind = 'foi_answer' THEN
            INSERT INTO search_documents (entity_type, entity_id, parent_id, force_slug, title, body)
            SELECT kind, NEW.id, NEW.foi_request_id, r.force_slug, NEW.question, NEW.answer_text
            FROM foi_requests r WHERE r.id = NEW.foi_request_id;
        ELSE
            INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
            VALUES (kind, NEW.id, NEW.force_slug, NEW.title, NEW.summary);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

DROP TRIGGER deployments_search ON deployments;
CREATE TRIGGER deployments_search
    AFTER INSERT OR DELETE OR UPDATE OF summary, vendors, product, legal_basis ON deployments
    FOR EACH ROW EXECUTE FUNCTION search_document_sync('deployment');

DELETE FROM search_documents WHERE entity_type = 'deployment';
INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
SELECT 'deployment', id, force_slug, title, body FROM deployment_search_texts;
