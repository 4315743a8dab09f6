// Package minverify is a second, minimal verifier of tahqiq's custody
// log and export bundles, written from the specification
// (docs/format/ledger.md and docs/format/bundle.md) and not from tahqiq's
// code, with the Go standard library only: no tahqiq package, no
// golang.org/x/mod. It exists to prove that the formats are specified
// well enough for an outsider to verify them without tahqiq: its tests
// run it over every test vector of docs/format/testdata and require the
// conclusion each vector expects.
//
// It is test-only: nothing but tests may import it (architecture_test.go).
// It checks log entries (their canonical form), the RFC 6962 tree and its
// inclusion and consistency proofs, signed checkpoints (C2SP signed-note
// with Ed25519 keys over a tlog-checkpoint body), the fold of a log into
// records and its comparison with the records present, and bundle
// directories end to end. Every problem it finds carries one of the
// failure classes named in ledger.md, "Test vectors".
package minverify

import "fmt"

// Problem is one thing found wrong: its class (ledger.md, "Test
// vectors"), the log index it concerns (-1 for none) and a message.
type Problem struct {
	Class string
	Index int64
	Msg   string
}

func (p Problem) String() string {
	if p.Index >= 0 {
		return fmt.Sprintf("%s at %d: %s", p.Class, p.Index, p.Msg)
	}
	return p.Class + ": " + p.Msg
}

func problem(class string, index int64, format string, a ...any) Problem {
	return Problem{Class: class, Index: index, Msg: fmt.Sprintf(format, a...)}
}

// Error is a Problem as an error.
type Error struct{ Problem }

func (e *Error) Error() string { return e.Problem.String() }

func errorf(class string, format string, a ...any) error {
	return &Error{problem(class, -1, format, a...)}
}

// ClassOf returns the class of an error this package returned ("" for
// nil).
func ClassOf(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := err.(*Error); ok {
		return e.Class
	}
	return "unclassified"
}
