package ingest

// Default returns the registry of every importer tahqiq ships, in detection
// order: the most specific sniffers first.
func Default() *Registry {
	return NewRegistry()
}
