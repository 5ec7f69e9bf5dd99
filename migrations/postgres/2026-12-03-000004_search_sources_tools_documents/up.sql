-- Search finds sources (title; publisher, locator and the statement of what they say), tools (name;
-- description and aliases) and FOI reply documents (file name; the text extracted from them, which
-- the registry stores in `foi_documents.text` when a document is written: NULL until extracted).
ALTER TABLE foi_documents ADD COLUMN text TEXT;

CREATE VIEW source_search_texts AS
SELECT id, title, concat_ws(' ', publisher, locator, statement) AS body
FROM sources;
CREATE VIEW tool_search_texts AS
SELECT slug AS id, name AS title, description || ' ' || translate(aliases, '[]"', '') AS body
FROM tools;
CREATE VIEW document_search_texts AS
SELECT d.id, d.foi_request_id AS parent_id, r.force_slug, d.filename AS title, d.text AS body
FROM foi_documents d JOIN foi_requests r ON r.id = d.foi_request_id
WHERE d.text IS NOT NULL;

-- One function for the three, apart from `search_document_sync` (whose texts live on the row).
CREATE FUNCTION search_text_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kind TEXT := TG_ARGV[0];
    key TEXT;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF kind = 'tool' THEN key := OLD.slug; ELSE key := OLD.id; END IF;
        DELETE FROM search_documents WHERE entity_type = kind AND entity_id = key;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF kind = 'tool' THEN key := NEW.slug; ELSE key := NEW.id; END IF;
        IF kind = 'source' THEN
            INSERT INTO search_documents (entity_type, entity_id, title, body)
            SELECT kind, id, title, body FROM source_search_texts WHERE id = key;
        ELSIF kind = 'tool' THEN
            INSERT INTO search_documents (entity_type, entity_id, title, body)
            SELECT kind, id, title, body FROM tool_search_texts WHERE id = key;
        ELSE
            INSERT INTO search_documents (entity_type, entity_id, parent_id, force_slug, title, body)
            SELECT kind, id, parent_id, force_slug, title, body FROM document_search_texts WHERE id = key;
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER sources_search
    AFTER INSERT OR DELETE OR UPDATE OF title, publisher, locator, statement ON sources
    FOR EACH ROW EXECUTE FUNCTION search_text_sync('source');
CREATE TRIGGER tools_search
    AFTER INSERT OR DELETE OR UPDATE OF name, description, aliases ON tools
    FOR EACH ROW EXECUTE FUNCTION search_text_sync('tool');
CREATE TRIGGER foi_documents_search
    AFTER INSERT OR DELETE OR UPDATE OF text ON foi_documents
    FOR EACH ROW EXECUTE FUNCTION search_text_sync('foi_document');

INSERT INTO search_documents (entity_type, entity_id, title, body)
SELECT 'source', id, title, body FROM source_search_texts;
INSERT INTO search_documents (entity_type, entity_id, title, body)
SELECT 'tool', id, title, body FROM tool_search_texts;
