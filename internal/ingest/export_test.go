package ingest

// SetSplitWorkers makes the importer read on n cores where a format can
// (Format.Split), an import too, until the returned func restores the
// default.
func SetSplitWorkers(n int) (restore func()) {
	old := splitWorkers
	splitWorkers = func(bool) int { return n }
	return func() { splitWorkers = old }
}

var ParseCores = parseCores

// SplitWorkers is the cores of a read (lean) or an import by default.
func SplitWorkers(lean bool) int { return splitWorkers(lean) }
