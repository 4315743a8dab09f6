-- Raw records in compressed blocks, as in
-- internal/sqlite/migrations/0014_record_blocks.sql (the encoding is
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
