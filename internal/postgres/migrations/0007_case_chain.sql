-- Custody log format 2: every entry row names the case it belongs to, so
-- that the next entry of a case can chain to the last one (case_seq, prev).
-- Entries written before keep their bytes; their case is read from them.
ALTER TABLE ledger_entries ADD COLUMN case_id TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger_entries ADD COLUMN case_seq BIGINT NOT NULL DEFAULT 0;
UPDATE ledger_entries SET case_id = coalesce(convert_from(data, 'UTF8')::jsonb->>'case_id', '');
UPDATE ledger_entries SET case_seq = s.n FROM (
  SELECT idx, row_number() OVER (PARTITION BY case_id ORDER BY idx) AS n FROM ledger_entries WHERE case_id <> '') AS s
  WHERE ledger_entries.idx = s.idx;
CREATE INDEX ledger_entries_case ON ledger_entries(case_id, idx);
-- The records each entry of format 2 names, by version: where the next
-- version of a record starts (an index of the log, rebuilt from it).
CREATE TABLE ledger_records (
  kind TEXT NOT NULL, id TEXT NOT NULL, version BIGINT NOT NULL, idx BIGINT NOT NULL,
  PRIMARY KEY (kind, id, version));
