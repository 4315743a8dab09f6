-- Organisation isolation in the database (row-level security), beside the
-- checks of casework. A transaction scoped to an organisation sets
-- tahqiq.org (set_config(..., true)); without it (the CLI, background jobs,
-- migrations) every row is visible. FORCE applies the policies to the
-- table owner too; superusers and BYPASSRLS roles skip them, so connect as
-- an ordinary role (the store warns otherwise).
CREATE FUNCTION tahqiq_scope() RETURNS TEXT LANGUAGE sql STABLE AS
  $$ SELECT coalesce(current_setting('tahqiq.org', true), '') $$;

-- a case is visible to its organisation and to any it is shared with
CREATE FUNCTION tahqiq_case_visible(c_id TEXT, c_org TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
  SELECT tahqiq_scope() = '' OR c_org = tahqiq_scope()
      OR EXISTS (SELECT 1 FROM case_shares s WHERE s.case_id = c_id AND s.org_id = tahqiq_scope())
$$;

-- an item: its case's organisation, or a share of the whole case or of it
CREATE FUNCTION tahqiq_item_visible(i_id TEXT, c_id TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
  SELECT tahqiq_scope() = ''
      OR EXISTS (SELECT 1 FROM cases c WHERE c.id = c_id AND c.org_id = tahqiq_scope())
      OR EXISTS (SELECT 1 FROM case_shares s WHERE s.case_id = c_id AND s.org_id = tahqiq_scope() AND (s.item_id = '' OR s.item_id = i_id))
$$;

ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE cases FORCE ROW LEVEL SECURITY;
CREATE POLICY cases_org ON cases USING (tahqiq_case_visible(id, org_id))
  WITH CHECK (tahqiq_scope() = '' OR org_id = tahqiq_scope());

ALTER TABLE items ENABLE ROW LEVEL SECURITY;
ALTER TABLE items FORCE ROW LEVEL SECURITY;
CREATE POLICY items_org ON items USING (tahqiq_item_visible(id, case_id));

ALTER TABLE case_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_records FORCE ROW LEVEL SECURITY;
CREATE POLICY case_records_org ON case_records
  USING (tahqiq_scope() = '' OR EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id AND tahqiq_case_visible(c.id, c.org_id)));

-- a dataset owned by another organisation is invisible (unowned ones, from
-- the CLI, are everyone's)
ALTER TABLE datasets ENABLE ROW LEVEL SECURITY;
ALTER TABLE datasets FORCE ROW LEVEL SECURITY;
CREATE POLICY datasets_org ON datasets USING (tahqiq_scope() = ''
  OR NOT EXISTS (SELECT 1 FROM dataset_orgs o WHERE o.dataset = datasets.name AND o.org_id <> tahqiq_scope()));
