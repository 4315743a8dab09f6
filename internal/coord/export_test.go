package coord

import (
	"encoding/binary"
	"os"
)

// SetGraphFilesMaxEdges sets the bound of GraphFilesAuto for a test and
// returns a function that restores it.
func SetGraphFilesMaxEdges(n int64) (restore func()) {
	old := graphFilesMaxEdges
	graphFilesMaxEdges = n
	return func() { graphFilesMaxEdges = old }
}

// WriteEvidence writes r's evidence.csv.gz to path, alone.
func WriteEvidence(r *Result, path string) error { return r.writeEvidence(path) }

// SetRunBlock sets the pairs a sorted run's cursor reads at a time for a
// test and returns a function that restores it.
func SetRunBlock(n int) (restore func()) {
	old := runBlock
	runBlock = n
	return func() { runBlock = old }
}

// SetCountEdgesAlways makes a run whose pairs spilled count its edges
// before it chooses where they go, as it did before runEdges, and returns
// a function that restores it.
func SetCountEdgesAlways(on bool) (restore func()) {
	old := countEdgesAlways
	countEdgesAlways = on
	return func() { countEdgesAlways = old }
}

// SetMinPairCap sets the fewest pairs a run under a budget holds (so that
// small test sets spill) and returns a func that restores it.
func SetMinPairCap(n int64) (restore func()) {
	old := minPairCap
	minPairCap = n
	return func() { minPairCap = old }
}

// SetCarryRows forces whether a spilling run's pairs carry their rows
// (1: whenever the run can let its rows go; -1: never; 0: the budget
// decides).
func SetCarryRows(mode int) (restore func()) {
	old := carryMode
	carryMode = mode
	return func() { carryMode = old }
}

// MergeCarried merges a run of one carried pair (rec: its 7 fields) of
// a run of nobj objects and nacc accounts.
func MergeCarried(nobj, nacc int, rec [7]uint32) error {
	in := &interned{objects: make([]string, nobj), accounts: make([]string, nacc)}
	f, err := os.CreateTemp("", "carried-*.run")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	b := make([]byte, carryBytes)
	for i, v := range rec {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	if _, err := f.Write(b); err != nil {
		return err
	}
	s := &spilledPairs{carry: true, runLen: []int64{1}, held: 1}
	s.runs = []*os.File{f}
	return s.merge(in, func(*pairRows) bool { return true })
}
