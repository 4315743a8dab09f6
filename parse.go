package tahqiq

import (
	"context"
	"io"
)

// Parsed is what a parser makes of one raw record: the record itself and the
// posts and accounts it carries. A record with a non-empty Reject is kept in
// the rejects report and produces nothing else.
type Parsed struct {
	Record   RawRecord
	Posts    []Post
	Accounts []Account
	Reject   string
}

// Source is one input stream handed to a parser.
type Source struct {
	Name    string            // file name as given by the user ("-" for stdin)
	R       io.Reader         // decompressed bytes; parsers must stream, never read it whole
	Options map[string]string // format options, e.g. "map" for generic CSV, "container" for Telethon
	SHA256  string            // hex SHA-256 of the file as given, when known (ids made of the file and line use it)

	// Ahead, when set, is told the accounts of the records ahead of
	// their emit, by a parser that reads on several cores (the events
	// tables' lean split parse): each record that is not a reject gives
	// the UIDs of its accounts and then of its posts' authors, in the
	// input's order, and Flush is called before any of them is emitted.
	// Parsers that do not support it ignore it.
	Ahead AccountsAhead
}

// AccountsAhead is told, on a goroutine of the parser's, the accounts
// of records before they are emitted (Source.Ahead), so that a reader
// can look them up on a core of their own.
type AccountsAhead interface {
	// Account is account uid of the record at line.
	Account(line int64, uid string)
	// Flush hands what Account was told since the last Flush to the
	// reader: the records it names are emitted after it returns.
	Flush()
}

// ParseFunc parses src and calls emit for every record, in input order.
// A bad record is emitted with Reject set, never returned as an error; the
// returned error is for I/O failures and for input that is not this format
// at all (code EINVALID). Parsers allocate a fresh Parsed, and a fresh Raw
// slice, for every record: emit may keep them.
type ParseFunc func(ctx context.Context, src Source, emit func(*Parsed) error) error
