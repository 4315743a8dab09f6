package events

// SetChunkSize makes the chunks of a split parse n bytes until the
// returned func restores the size.
func SetChunkSize(n int) (restore func()) {
	old := chunkSize
	chunkSize = n
	return func() { chunkSize = old }
}
