-- Search documents of inserted rows are computed once per statement, from the statement's new rows
-- (a transition table), instead of by a trigger call per row: a multi-row insert of a thousand FOI
-- answers (an import, the demo seeder) adds their thousand search documents with one set-based
-- INSERT. Updates and deletes keep their row triggers (they come one record at a time). Each new
-- row looks its texts up by key (LATERAL): the planner knows nothing of a transition table's size,
-- and a hash join would scan the whole (growing) table once per statement.
CREATE FUNCTION search_documents_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_ARGV[0] = 'deployment' THEN
        INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
        SELECT 'deployment', t.id, t.force_slug, t.title, t.body
        FROM inserted i, LATERAL (SELECT * FROM deployment_search_texts t WHERE t.id = i.id) t;
    ELSIF TG_ARGV[0] = 'foi_request' THEN
        INSERT INTO search_documents (entity_type, entity_id, force_slug, title, body)
        SELECT 'foi_request', i.id, i.force_slug, i.title, i.request_text || ' ' || i.reply_text
        FROM inserted i;
    ELSIF TG_ARGV[0] = 'foi_answer' THEN
        INSERT INTO search_documents (entity_type, entity_id, parent_id, force_slug, title, body)
        SELECT 'foi_answer', i.id, i.foi_request_id, r.force_slug, i.question, i.answer_text
        FROM inserted i,
             LATERAL (SELECT r.force_slug FROM foi_requests r WHERE r.id = i.foi_request_id) r;
    ELSIF TG_ARGV[0] = 'source' THEN
        INSERT INTO search_documents (entity_type, entity_id, title, body)
        SELECT 'source', t.id, t.title, t.body
        FROM inserted i, LATERAL (SELECT * FROM source_search_texts t WHERE t.id = i.id) t;
    END IF;
    RETURN NULL;
END;
$$;

DROP TRIGGER deployments_search ON deployments;
CREATE TRIGGER deployments_search
    AFTER DELETE OR UPDATE OF summary, vendors, product, legal_basis ON deployments
    FOR EACH ROW EXECUTE FUNCTION search_document_sync('deployment');
CREATE TRIGGER deployments_search_inserted AFTER INSERT ON deployments
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION search_documents_inserted('deployment');

DROP TRIGGER foi_requests_search ON foi_requests;
CREATE TRIGGER foi_requests_search AFTER DELETE OR UPDATE OF title, request_text, reply_text
    ON foi_requests FOR EACH ROW EXECUTE FUNCTION search_document_sync('foi_request');
CREATE TRIGGER foi_requests_search_inserted AFTER INSERT ON foi_requests
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION search_documents_inserted('foi_request');

DROP TRIGGER foi_answers_search ON foi_answers;
CREATE TRIGGER foi_answers_search AFTER DELETE OR UPDATE OF question, answer_text
    ON foi_answers FOR EACH ROW EXECUTE FUNCTION search_document_sync('foi_answer');
CREATE TRIGGER foi_answers_search_inserted AFTER INSERT ON foi_answers
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION search_documents_inserted('foi_answer');

DROP TRIGGER sources_search ON sources;
CREATE TRIGGER sources_search
    AFTER DELETE OR UPDATE OF title, publisher, locator, statement ON sources
    FOR EACH ROW EXECUTE FUNCTION search_text_sync('source');
CREATE TRIGGER sources_search_inserted AFTER INSERT ON sources
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION search_documents_inserted('source');
