DELETE FROM search_documents WHERE entity_type IN ('source', 'tool', 'foi_document');
DROP TRIGGER foi_documents_search ON foi_documents;
DROP TRIGGER tools_search ON tools;
DROP TRIGGER sources_search ON sources;
DROP FUNCTION search_text_sync();
DROP VIEW document_search_texts;
DROP VIEW tool_search_texts;
DROP VIEW source_search_texts;
ALTER TABLE foi_documents DROP COLUMN text;
