-- The per-statement search triggers of inserts look each new row's texts up by key, as their
-- migration meant to: the planner pulled those LATERAL subqueries up into plain joins and, knowing
-- nothing of a transition table's size nor of rows this transaction added, hashed the whole table
-- once per statement (seen in the plans of an import, slower with every batch). `OFFSET 0` keeps
-- each subquery apart, so it runs once per new row through the primary key.
CREATE OR REPLACE FUNCTION search_documents_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_ARGV[0] = 'deployment' THEN
        INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
        SELECT 'deployment', t.id, t.force_slug, t.title, t.body
        FROM inserted i, LATERAL (SELECT * FROM deployment_search_texts t WHERE t.id = i.id OFFSET 0) t;
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
