-- A reject the store found in a stored record (a post id that the
-- dataset holds as another account's post) names that record; a reject
-- of the parser has none. Re-deriving a dataset recomputes the former
-- and keeps the latter.
ALTER TABLE rejects ADD COLUMN record_id INTEGER;
