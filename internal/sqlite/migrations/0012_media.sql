-- The media files posts name, as imports found them in the media folder
-- (tahqiq import --media DIR, or Telegram Desktop's photos/ and files/
-- beside result.json): one row per input file and name, with the picture's
-- hashes (docs/images.md) and the object of the image shares it gives. The
-- files themselves are not stored. Rows of files that could not be hashed
-- say why (status, detail): an import never drops them silently.
CREATE TABLE media (
    id           INTEGER PRIMARY KEY,
    dataset_id   INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    file_id      INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    status       TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    sha256       TEXT NOT NULL DEFAULT '',
    size         INTEGER NOT NULL DEFAULT 0,
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    orientation  INTEGER NOT NULL DEFAULT 0,
    pdq          TEXT NOT NULL DEFAULT '',
    pdq_quality  INTEGER NOT NULL DEFAULT 0,
    pdq_dihedral TEXT NOT NULL DEFAULT '',
    pdq_trimmed  TEXT NOT NULL DEFAULT '',
    dhash        TEXT NOT NULL DEFAULT '',
    object       TEXT NOT NULL DEFAULT '',
    distance     INTEGER NOT NULL DEFAULT 0,
    hashing      TEXT NOT NULL DEFAULT '',
    UNIQUE (file_id, name)
);
CREATE INDEX media_dataset ON media(dataset_id);
