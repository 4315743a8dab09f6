-- Raw records in compressed blocks, as in
-- internal/sqlite/migrations/0013_record_blocks.sql (the encoding is
-- internal/sqlstore/blocks.go's), visible with their file like the
-- records table's rows (0005_rls_content.sql).
CREATE TABLE record_blocks (
    id      BIGINT PRIMARY KEY,
    file_id BIGINT NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    last_id BIGINT NOT NULL,
    records INTEGER NOT NULL,
    data    BYTEA NOT NULL
);
-- data is compressed already: TOAST keeps it out of line without
-- compressing it again.
ALTER TABLE record_blocks ALTER COLUMN data SET STORAGE EXTERNAL;
CREATE INDEX record_blocks_file ON record_blocks(file_id, id);

ALTER TABLE record_blocks ENABLE ROW LEVEL SECURITY;
ALTER TABLE record_blocks FORCE ROW LEVEL SECURITY;
CREATE POLICY record_blocks_org ON record_blocks USING (file_id IN (SELECT id FROM files));

-- The two tables an import writes a row to for nearly every event, posts
-- and shares, drop their foreign key to datasets: PostgreSQL checks one by
-- a query per row (a trigger taking a key-share lock on the dataset),
-- which was more than half of the server's time in a COPY of posts or
-- shares (docs/benchmarks.md, "PostgreSQL: where the time goes"). The
-- dataset exists for the whole of an import (it holds the import lock,
-- which deleting a dataset takes too: internal/sqlstore DeleteDataset),
-- and deleting a dataset deletes its posts and shares itself, so no row
-- can outlive its dataset. accounts, files and media keep theirs.
ALTER TABLE posts DROP CONSTRAINT posts_dataset_id_fkey;
ALTER TABLE shares DROP CONSTRAINT shares_dataset_id_fkey;

-- One index of shares instead of two, as in SQLite's 0013: every query of
-- shares names its dataset.
DROP INDEX shares_post;
DROP INDEX shares_dataset;
CREATE INDEX shares_dataset_post ON shares(dataset_id, post_id);
