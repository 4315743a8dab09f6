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

// SetMinPairCap sets the fewest pairs a run under a budget holds (so that
// small test sets spill) and returns a func that restores it.
func SetMinPairCap(n int64) (restore func()) {
	old := minPairCap
	minPairCap = n
	return func() { minPairCap = old }
}
