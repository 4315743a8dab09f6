-- The organisation owning a dataset imported through tahqiq serve. A
-- dataset without a row (imported from the CLI by whoever runs the store)
-- is readable by every organisation.
CREATE TABLE dataset_orgs (
  dataset TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organisations(id));
