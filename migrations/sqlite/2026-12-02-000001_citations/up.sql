-- Where in a source the claims citing it are made, and what it says there in the registry's own words.
ALTER TABLE sources ADD COLUMN locator TEXT;
ALTER TABLE sources ADD COLUMN statement TEXT;
