package casework

// SetAfterChange sets a function change calls between a state change and
// the log entry recording it, inside their transaction (for crash tests).
func SetAfterChange(f func()) { afterChange = f }
