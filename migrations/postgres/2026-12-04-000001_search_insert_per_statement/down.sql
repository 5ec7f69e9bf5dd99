DROP TRIGGER sources_search_inserted ON sources;
DROP TRIGGER sources_search ON sources;
CREATE TRIGGER sources_search
    AFTER INSERT OR DELETE OR UPDATE OF title, publisher, locator, statement ON sources
    FOR EACH ROW EXECUTE FUNCTION search_text_sync('source');

DROP TRIGGER foi_answers_search_inserted ON foi_answers;
DROP TRIGGER foi_answers_search ON foi_answers;
CREATE TRIGGER foi_answers_search AFTER INSERT OR DELETE OR UPDATE OF question, answer_text
    ON foi_answers FOR EACH ROW EXECUTE FUNCTION search_document_sync('foi_answer');

DROP TRIGGER foi_requests_search_inserted ON foi_requests;
DROP TRIGGER foi_requests_search ON foi_requests;
CREATE TRIGGER foi_requests_search AFTER INSERT OR DELETE OR UPDATE OF title, request_text, reply_text
    ON foi_requests FOR EACH ROW EXECUTE FUNCTION search_document_sync('foi_request');

DROP TRIGGER deployments_search_inserted ON deployments;
DROP TRIGGER deployments_search ON deployments;
CREATE TRIGGER deployments_search
    AFTER INSERT OR DELETE OR UPDATE OF summary, vendors, product, legal_basis ON deployments
    FOR EACH ROW EXECUTE FUNCTION search_document_sync('deployment');

DROP FUNCTION search_documents_inserted();
