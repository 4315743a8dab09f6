package coord

// SetFoldPartMin sets the fewest pairs a part of the fold (and of the
// merge of spilled pairs) is given, so that small inputs are folded in
// parts, and returns the function that restores it.
func SetFoldPartMin(n int) (restore func()) {
	old := foldPartMin
	foldPartMin = n
	return func() { foldPartMin = old }
}
