-- The derivation of a dataset and the format options of each file, as in
-- internal/sqlite/migrations/0010_derivation.sql.
ALTER TABLE datasets ADD COLUMN derivation TEXT NOT NULL DEFAULT '';
ALTER TABLE files ADD COLUMN options TEXT NOT NULL DEFAULT '';
