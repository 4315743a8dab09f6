-- Row-level security on the dataset content tables too: a file, record,
-- reject, account, post or share is visible only with its dataset (whose
-- policy, 0003/0004, hides another organisation's). The policies test
-- membership in one uncorrelated subquery, which PostgreSQL evaluates
-- once per statement (a hashed set of the visible datasets or files), not
-- once per row. PostgreSQL refuses COPY FROM into a table under
-- row-level security, so imports COPY into a temporary staging table and
-- INSERT from it (internal/postgres/batch.go). post_records holds only
-- pairs of ids and stays as it is.
ALTER TABLE files ENABLE ROW LEVEL SECURITY;
ALTER TABLE files FORCE ROW LEVEL SECURITY;
CREATE POLICY files_org ON files USING (dataset_id IN (SELECT id FROM datasets));

ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY accounts_org ON accounts USING (dataset_id IN (SELECT id FROM datasets));

ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
ALTER TABLE posts FORCE ROW LEVEL SECURITY;
CREATE POLICY posts_org ON posts USING (dataset_id IN (SELECT id FROM datasets));

ALTER TABLE shares ENABLE ROW LEVEL SECURITY;
ALTER TABLE shares FORCE ROW LEVEL SECURITY;
CREATE POLICY shares_org ON shares USING (dataset_id IN (SELECT id FROM datasets));

ALTER TABLE records ENABLE ROW LEVEL SECURITY;
ALTER TABLE records FORCE ROW LEVEL SECURITY;
CREATE POLICY records_org ON records USING (file_id IN (SELECT id FROM files));

ALTER TABLE rejects ENABLE ROW LEVEL SECURITY;
ALTER TABLE rejects FORCE ROW LEVEL SECURITY;
CREATE POLICY rejects_org ON rejects USING (file_id IN (SELECT id FROM files));
