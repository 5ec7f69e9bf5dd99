-- A search document is found by its entity (type and id), never by a row number: PostgreSQL's
-- search reads `tsv` through its GIN index and orders by rank and entity. The `rowid` column (SQLite
-- keeps one, as FTS5's link to the document) only cost every document a sequence value and an
-- index entry, so the entity becomes the primary key.
ALTER TABLE search_documents DROP COLUMN rowid;
ALTER TABLE search_documents
    DROP CONSTRAINT search_documents_entity_type_entity_id_key,
    ADD PRIMARY KEY (entity_type, entity_id);

-- A deployment's search texts, written once for the view (read by updates) and for the insert
-- trigger below, which builds them from the inserted rows themselves instead of reading each new
-- deployment back through the view by its key.
CREATE FUNCTION deployment_search_title(force_slug TEXT, tool_slug TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT force_slug || ' ' || tool_slug $$;
CREATE FUNCTION deployment_search_body(
    summary TEXT, vendors TEXT, product TEXT, legal_basis TEXT, tool_name TEXT, tool_aliases TEXT
) RETURNS TEXT LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT concat_ws(' ', summary, translate(vendors, '[]"', ''), product, legal_basis,
                           tool_name || ' ' || translate(tool_aliases, '[]"', '')) $$;

CREATE OR REPLACE VIEW deployment_search_texts AS
SELECT d.id, d.force_slug, deployment_search_title(d.force_slug, d.tool_slug) AS title,
       deployment_search_body(d.summary, d.vendors, d.product, d.legal_basis, t.name, t.aliases) AS body
FROM deployments d LEFT JOIN tools t ON t.slug = d.tool_slug;

CREATE OR REPLACE FUNCTION search_documents_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_ARGV[0] = 'deployment' THEN
        INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
        SELECT 'deployment', i.id, i.force_slug, deployment_search_title(i.force_slug, i.tool_slug),
               deployment_search_body(i.summary, i.vendors, i.product, i.legal_basis, t.name, t.aliases)
        FROM inserted i LEFT JOIN tools t ON t.slug = i.tool_slug;
    ELSIF TG_ARGV[0] = 'foi_request' THEN
        INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
        SELECT 'foi_request', i.id, i.force_slug, i.title, i.request_text || ' ' || i.reply_text
        FROM inserted i;
    ELSIF TG_ARGV[0] = 'foi_answer' THEN
        INSERT INTO search_documents (entity_type, entity_id, parent_id, force_slug, title, body)
        SELECT 'foi_answer', i.id, i.foi_request_id, r.force_slug, i.question, i.answer_text
        FROM inserted i,
             LATERAL (SELECT r.force_slug FROM foi_requests r WHERE r.id = i.foi_request_id OFFSET 0) r;
    ELSIF TG_ARGV[0] = 'source' THEN
        INSERT INTO search_documents (entity_type, entity_id, title, body)
        SELECT 'source', t.id, t.title, t.body
        FROM inserted i, LATERAL (SELECT * FROM source_search_texts t WHERE t.id = i.id OFFSET 0) t;
    END IF;
    RETURN NULL;
END;
$$;
