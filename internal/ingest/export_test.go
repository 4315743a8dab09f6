package ingest

// SetSplitWorkers makes the importer read on n cores where a format can
// (Format.Split) until the returned func restores GOMAXPROCS.
func SetSplitWorkers(n int) (restore func()) {
	old := splitWorkers
	splitWorkers = func() int { return n }
	return func() { splitWorkers = old }
}

var ParseCores = parseCores
