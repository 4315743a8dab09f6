package coord

// SetGraphFilesMaxEdges sets the bound of GraphFilesAuto for a test and
// returns a function that restores it.
func SetGraphFilesMaxEdges(n int64) (restore func()) {
	old := graphFilesMaxEdges
	graphFilesMaxEdges = n
	return func() { graphFilesMaxEdges = old }
}

// WriteEvidence writes r's evidence.csv.gz to path, alone.
func WriteEvidence(r *Result, path string) error { return r.writeEvidence(path) }
