-- A reject the store found in a stored record names it, as in
-- internal/sqlite/migrations/0009_rejects_record.sql.
ALTER TABLE rejects ADD COLUMN record_id BIGINT;
