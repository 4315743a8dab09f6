-- Cases, evidence and the custody log (issue 5). Rows that are evidence
-- (items, log entries) are append-only; the custody log detects edits.
CREATE TABLE organisations (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE users (
  id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organisations(id),
  name TEXT NOT NULL UNIQUE, role TEXT NOT NULL);
CREATE TABLE cases (
  id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organisations(id),
  title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', tlp TEXT NOT NULL,
  created_by TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE case_shares (
  case_id TEXT NOT NULL REFERENCES cases(id), item_id TEXT NOT NULL DEFAULT '',
  org_id TEXT NOT NULL REFERENCES organisations(id), tlp TEXT NOT NULL,
  PRIMARY KEY (case_id, item_id, org_id));
-- data is the item's canonical JSON (tahqiq.Item); its digest is logged.
CREATE TABLE items (
  id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases(id),
  seq INTEGER NOT NULL, data BLOB NOT NULL);
CREATE INDEX items_case ON items(case_id, seq);
CREATE TABLE item_blobs (item_id TEXT NOT NULL REFERENCES items(id), sha256 TEXT NOT NULL, dhash TEXT NOT NULL DEFAULT '');
CREATE INDEX item_blobs_sha ON item_blobs(sha256);
CREATE INDEX item_blobs_dhash ON item_blobs(dhash) WHERE dhash != '';
-- findings, recommendations, tasks, notes: JSON of the root types.
CREATE TABLE case_records (
  id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases(id),
  kind TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL);
CREATE INDEX case_records_case ON case_records(case_id, kind, seq);
-- The RFC 6962 log: leaves and stored hashes (tlog.StoredHashIndex order).
CREATE TABLE ledger_entries (idx INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE ledger_hashes (idx INTEGER PRIMARY KEY, hash BLOB NOT NULL);
CREATE TABLE ledger_checkpoints (size INTEGER NOT NULL, note BLOB NOT NULL, seq INTEGER PRIMARY KEY AUTOINCREMENT);
