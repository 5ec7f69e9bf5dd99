-- PostgreSQL's search triggers on insert become per statement (see its migration). SQLite's
-- triggers run in-process at no round trip's cost, and SQLite has no transition tables: nothing
-- changes here.
SELECT 1;
