-- Row-level security fails closed: a query that set no scope sees no
-- organisation's cases, items or case records and no owned dataset. The
-- store sets tahqiq.org in every transaction (set_config(..., true)): the
-- organisation of a request, or '*' (the system scope: the CLI, background
-- jobs, tahqiq migrate) when the caller is scoped to none. So a query that
-- skipped the store's scoping, or ran on a bare connection, leaks nothing.
CREATE OR REPLACE FUNCTION tahqiq_scope() RETURNS TEXT LANGUAGE sql STABLE AS $$
  SELECT CASE coalesce(current_setting('tahqiq.org', true), '')
    WHEN '*' THEN ''         -- system scope: every row (the policies read '' as all)
    WHEN '' THEN '(unscoped)' -- no scope: matches no organisation
    ELSE current_setting('tahqiq.org', true)
  END
$$;
