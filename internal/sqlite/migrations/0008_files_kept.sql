-- The records of a file other than CSV header lines. A file whose import
-- kept none (every row rejected) may be imported again, and is replaced.
-- Files imported before this count was kept count all their records.
ALTER TABLE files ADD COLUMN kept INTEGER NOT NULL DEFAULT 0;
UPDATE files SET kept = records;
