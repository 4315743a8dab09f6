package postgres

// SetStaging sends every import's rows through the staging table (true)
// or lets a role that bypasses row-level security COPY straight into the
// tables (false, the default), returning the undo.
func SetStaging(on bool) func() {
	old := staging
	staging = on
	return func() { staging = old }
}
