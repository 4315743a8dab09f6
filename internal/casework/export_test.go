package casework

// SetAfterChange sets a function change calls between a state change and
// the log entry recording it, inside their transaction (for crash tests).
func SetAfterChange(f func()) { afterChange = f }

// Digest is the digest a log entry records for a record (the test
// vectors compute theirs with it).
func Digest(kind string, v any) string { return digest(kind, v) }
