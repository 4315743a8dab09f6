-- Datasets, imports, raw records, posts, accounts and derived shares.
CREATE TABLE datasets (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- One row per input file of an import. (dataset_id, sha256) is unique:
-- importing the same bytes twice into a dataset adds nothing.
CREATE TABLE files (
    id          INTEGER PRIMARY KEY,
    dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    format      TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    records     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (dataset_id, sha256)
);

-- Every input record, byte for byte.
CREATE TABLE records (
    id           INTEGER PRIMARY KEY,
    file_id      INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    line         INTEGER NOT NULL,
    offset       INTEGER NOT NULL,
    locator      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    sha256       BLOB NOT NULL,
    raw          BLOB NOT NULL,
    collected_at INTEGER
);

CREATE TABLE rejects (
    id      INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    line    INTEGER NOT NULL,
    reason  TEXT NOT NULL,
    raw     BLOB
);
CREATE INDEX rejects_file ON rejects(file_id);

CREATE TABLE accounts (
    id         INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    uid        TEXT NOT NULL,
    record_id  INTEGER NOT NULL,
    data       BLOB NOT NULL, -- JSON of tahqiq.Account as first seen
    UNIQUE (dataset_id, uid)
);

-- One row per post; further occurrences go to post_records.
CREATE TABLE posts (
    id         INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    uid        TEXT NOT NULL,
    account_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    record_id  INTEGER NOT NULL,
    data       BLOB NOT NULL, -- JSON of tahqiq.Post
    UNIQUE (dataset_id, uid)
);

CREATE TABLE post_records (
    post_id   INTEGER NOT NULL,
    record_id INTEGER NOT NULL,
    PRIMARY KEY (post_id, record_id)
) WITHOUT ROWID;

-- Derived shares, one per (post, object), appended in import order;
-- detection sorts them itself. The post index serves deduplication of
-- repeated posts and stays append-ordered.
CREATE TABLE shares (
    id         INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    post_id    INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    type       TEXT NOT NULL,
    object     TEXT NOT NULL,
    t          INTEGER NOT NULL,
    precision  TEXT NOT NULL
);
CREATE INDEX shares_post ON shares(post_id);
CREATE INDEX shares_dataset ON shares(dataset_id);
