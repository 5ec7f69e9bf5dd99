-- Search finds sources (title; publisher, locator and the statement of what they say), tools (name;
-- description and aliases) and FOI reply documents (file name; the text extracted from them, which
-- the registry stores in `foi_documents.text` when a document is written: NULL until extracted).
ALTER TABLE foi_documents ADD COLUMN text TEXT;

CREATE VIEW source_search_texts AS
SELECT id, title, COALESCE(publisher, '') || ' ' || COALESCE(locator, '') || ' ' || COALESCE(statement, '') AS body
FROM sources;
CREATE VIEW tool_search_texts AS
SELECT slug AS id, name AS title,
       description || ' ' || replace(replace(replace(aliases, '[', ''), ']', ''), '"', '') AS body
FROM tools;
CREATE VIEW document_search_texts AS
SELECT d.id, d.foi_request_id AS parent_id, r.force_slug, d.filename AS title, d.text AS body
FROM foi_documents d JOIN foi_requests r ON r.id = d.foi_request_id
WHERE d.text IS NOT NULL;

CREATE TRIGGER sources_search_ai AFTER INSERT ON sources BEGIN
    INSERT INTO search_documents (entity_type, entity_id, title, body)
    SELECT 'source', id, title, body FROM source_search_texts WHERE id = NEW.id;
END;
CREATE TRIGGER sources_search_au AFTER UPDATE OF title, publisher, locator, statement ON sources BEGIN
    DELETE FROM search_documents WHERE entity_type = 'source' AND entity_id = OLD.id;
    INSERT INTO search_documents (entity_type, entity_id, title, body)
    SELECT 'source', id, title, body FROM source_search_texts WHERE id = NEW.id;
END;
CREATE TRIGGER sources_search_ad AFTER DELETE ON sources BEGIN
    DELETE FROM search_documents WHERE entity_type = 'source' AND entity_id = OLD.id;
END;

CREATE TRIGGER tools_search_ai AFTER INSERT ON tools BEGIN
    INSERT INTO search_documents (entity_type, entity_id, title, body)
    SELECT 'tool', id, title, body FROM tool_search_texts WHERE id = NEW.slug;
END;
CREATE TRIGGER tools_search_au AFTER UPDATE OF name, description, aliases ON tools BEGIN
    DELETE FROM search_documents WHERE entity_type = 'tool' AND entity_id = OLD.slug;
    INSERT INTO search_documents (entity_type, entity_id, title, body)
    SELECT 'tool', id, title, body FROM tool_search_texts WHERE id = NEW.slug;
END;

CREATE TRIGGER foi_documents_search_ai AFTER INSERT ON foi_documents BEGIN
    INSERT INTO search_documents (entity_type, entity_id, parent_id, force_slug, title, body)
    SELECT 'foi_document', id, parent_id, force_slug, title, body FROM document_search_texts WHERE id = NEW.id;
END;
CREATE TRIGGER foi_documents_search_au AFTER UPDATE OF text ON foi_documents BEGIN
    DELETE FROM search_documents WHERE entity_type = 'foi_document' AND entity_id = OLD.id;
    INSERT INTO search_documents (entity_type, entity_id, parent_id, force_slug, title, body)
    SELECT 'foi_document', id, parent_id, force_slug, title, body FROM document_search_texts WHERE id = NEW.id;
END;
CREATE TRIGGER foi_documents_search_ad AFTER DELETE ON foi_documents BEGIN
    DELETE FROM search_documents WHERE entity_type = 'foi_document' AND entity_id = OLD.id;
END;

INSERT INTO search_documents (entity_type, entity_id, title, body)
SELECT 'source', id, title, body FROM source_search_texts;
INSERT INTO search_documents (entity_type, entity_id, title, body)
SELECT 'tool', id, title, body FROM tool_search_texts;
