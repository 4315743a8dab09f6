package ingest

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/tahqiq/tahqiq"
)

// Format is one importer: a sniffer that recognises its input from the
// first bytes and the parser.
type Format struct {
	Name  string // the --format name
	Doc   string // one line for --help
	Sniff func(head []byte) (format string, ok bool)
	Parse tahqiq.ParseFunc
	// Layout says how its stored records make an input again, for
	// Rederive (LayoutJSON, the zero value, for JSON formats).
	Layout Layout
	// Reread, when set, is the parser Rederive reads stored records of
	// this format with: one that accepts what earlier versions of the
	// format accepted (Parse by default).
	Reread tahqiq.ParseFunc
	// Lean, when set, is the parser of a read that keeps nothing of a
	// record but strings (Importer.ReadInto): it gives the records Parse
	// gives, with the same rejects, but may reuse one Parsed (and the
	// slices it holds) for every record, valid until emit returns, and
	// leaves out each record's SHA256 and Locator, and the Raw bytes of
	// the rows it parses (the header's and those of a row the CSV reader
	// rejects are kept).
	Lean tahqiq.ParseFunc
	// Split and SplitLean, when set, make Parse and Lean on workers
	// cores: the same records, rejects and errors, in the same order.
	// The importer uses them for an input read as it is on disk (not
	// gunzipped), when it may use more than one core.
	Split, SplitLean func(workers int) tahqiq.ParseFunc
}

// Registry is an ordered set of formats: detection tries them in order.
type Registry struct {
	formats []Format
}

// NewRegistry returns a registry of the given formats, tried in that order.
func NewRegistry(formats ...Format) *Registry {
	return &Registry{formats: formats}
}

// Formats returns the registered formats in detection order.
func (r *Registry) Formats() []Format { return r.formats }

// Lookup returns the format with the given name.
func (r *Registry) Lookup(name string) (Format, error) {
	for _, f := range r.formats {
		if f.Name == name {
			return f, nil
		}
	}
	names := make([]string, 0, len(r.formats))
	for _, f := range r.formats {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	return Format{}, tahqiq.Errorf(tahqiq.EINVALID, "unknown format %q (known: %s)", name, strings.Join(names, ", "))
}

// Detect returns the first format whose sniffer accepts head.
func (r *Registry) Detect(file string, head []byte) (Format, error) {
	if len(bytes.TrimSpace(head)) == 0 {
		return Format{}, tahqiq.Errorf(tahqiq.EINVALID, "%s: empty input", file)
	}
	for _, f := range r.formats {
		if f.Sniff == nil {
			continue
		}
		if _, ok := f.Sniff(head); ok {
			return f, nil
		}
	}
	return Format{}, tahqiq.ParamErrorf("format", "%s: format not recognised (starts with %s); name it with {format}", file, preview(head))
}

// preview quotes the start of head for an error message.
func preview(head []byte) string {
	n := min(len(head), 60)
	for n > 0 && !utf8.Valid(head[:n]) {
		n--
	}
	s := string(head[:n])
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return fmt.Sprintf("%q", s)
}
