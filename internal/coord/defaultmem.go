package coord

// The default budget of a run that reads files it can measure (coord
// --input of uncompressed files): a few times the input rather than half
// the machine. Under half the machine the heap of a run whose edges
// outgrow its input grows to the edges (530 MiB for the 58 MB of 1M
// synthetic posts, lean), where spilling them costs a few percent of CPU
// (docs/benchmarks.md, branch readspill).

// InputMemFactor is how many times its input a run's default budget is.
const InputMemFactor = 4

// MinDefaultMem is the least default budget (small inputs run in memory).
const MinDefaultMem = 256 << 20

// DefaultMemFor is the default budget of a run that reads size bytes of
// uncompressed input: InputMemFactor times it, at least MinDefaultMem, at
// most DefaultMem (half the machine). size < 0 (unknown: standard input,
// compressed files, a stored dataset): DefaultMem.
func DefaultMemFor(size int64) int64 {
	if size < 0 {
		return DefaultMem()
	}
	return min(DefaultMem(), max(MinDefaultMem, InputMemFactor*size))
}
