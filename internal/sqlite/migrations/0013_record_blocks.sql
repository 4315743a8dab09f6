-- Raw records in compressed blocks (internal/sqlstore/blocks.go): the
-- records of one file, consecutive in input order, up to 256 of them
-- (or 64 KiB) in one row, their fields and bytes encoded and compressed
-- with DEFLATE. id is the id of the block's first record and last_id that
-- of its last: records keep their ids, and the block of a record is the
-- one with the greatest id not above it. Imports write blocks only; the
-- records table keeps the records of stores written before, read as they
-- were (internal/sqlstore/records.go reads both).
CREATE TABLE record_blocks (
    id      INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    last_id INTEGER NOT NULL,
    records INTEGER NOT NULL,
    data    BLOB NOT NULL
);
CREATE INDEX record_blocks_file ON record_blocks(file_id, id);

-- One index of shares instead of two: every query of shares names its
-- dataset (the import's look-up of a share of a post too), so
-- (dataset_id, post_id) serves what shares_post and shares_dataset
-- served, and an import maintains one index a share fewer.
DROP INDEX shares_post;
DROP INDEX shares_dataset;
CREATE INDEX shares_dataset_post ON shares(dataset_id, post_id);
