-- The derivation a dataset's posts, accounts and shares were made by
-- (ingest.Derivation: the importer's and the text normaliser's versions),
-- '' for datasets imported before it was recorded, which are re-derived
-- from their raw records (tahqiq datasets rederive) before use; and the
-- format options each file was imported with (JSON; '' when not recorded),
-- which re-deriving needs.
ALTER TABLE datasets ADD COLUMN derivation TEXT NOT NULL DEFAULT '';
ALTER TABLE files ADD COLUMN options TEXT NOT NULL DEFAULT '';
