-- PostgreSQL's change only (see its migration): SQLite's schema stays as it is.
SELECT 1;
