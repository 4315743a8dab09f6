package tahqiq

import "time"

// Precision is the resolution of a timestamp as the source gave it.
type Precision string

const (
	PrecisionNanosecond  Precision = "ns"
	PrecisionMillisecond Precision = "ms"
	PrecisionSecond      Precision = "s"
	PrecisionMinute      Precision = "min"
	PrecisionDay         Precision = "day"
	// PrecisionNone: the source gives no time (a research CSV without a
	// time column). The post has a zero CreatedAt and its shares Time 0;
	// only detection without a time window can use them.
	PrecisionNone Precision = "none"
)

// Seconds returns the width of one unit of p in seconds (at least 1).
func (p Precision) Seconds() int64 {
	switch p {
	case PrecisionMinute:
		return 60
	case PrecisionDay:
		return 86400
	}
	return 1
}

// RecordKind says what a raw record turned out to be.
type RecordKind string

const (
	RecordPost       RecordKind = "post"       // produced one or more posts
	RecordAccount    RecordKind = "account"    // a user profile (users lookup, IO users file)
	RecordCount      RecordKind = "count"      // tweet counts (twarc2 counts)
	RecordCompliance RecordKind = "compliance" // compliance job result
	RecordOther      RecordKind = "other"      // recognised, kept, not a post (service messages, notices)
	RecordHeader     RecordKind = "header"     // a CSV's header line, kept once per file; on its own it is no import
)

// RawRecord is one input item kept byte for byte.
type RawRecord struct {
	Format      string     // importer format name, e.g. "x_v2_twarc_jsonl"
	SourceFile  string     // path as given by the user ("-" for stdin)
	Line        int64      // 1-based line of the record's first byte (0 when not line-based)
	Offset      int64      // byte offset of the record in the (decompressed) input
	Locator     string     // line number / JSON pointer, e.g. "L12#/data/3"
	Raw         []byte     // verbatim bytes; for CSV the row re-encoded as a JSON object keyed by header
	SHA256      [32]byte   // of Raw
	Kind        RecordKind // what the record produced
	CollectedAt time.Time  // when the collector fetched it, if the source says
}
