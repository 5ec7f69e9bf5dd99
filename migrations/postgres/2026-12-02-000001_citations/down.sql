ALTER TABLE sources DROP COLUMN statement;
ALTER TABLE sources DROP COLUMN locator;
