-- PostgreSQL's insert search triggers change (see its migration); SQLite's do not.
SELECT 1;
