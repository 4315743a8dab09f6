-- The records of a file other than CSV header lines, as in
-- internal/sqlite/migrations/0008_files_kept.sql.
ALTER TABLE files ADD COLUMN kept BIGINT NOT NULL DEFAULT 0;
UPDATE files SET kept = records;
