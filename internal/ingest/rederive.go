package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/progress"
)

// Layout says how the stored records of a format make an input again, so
// that re-deriving reads them with the format's own parser.
type Layout int

const (
	// LayoutJSON: every record is one JSON value (a line, a list
	// element, a document); the input is one value per line.
	LayoutJSON Layout = iota
	// LayoutCSV: a header record, then rows stored as JSON objects keyed
	// by header; the input is the header and the rows as CSV, each at the
	// line it was read from (an id made of the file and line stays).
	LayoutCSV
	// LayoutTelegramDesktop: messages of the chats of a Telegram Desktop
	// export; the input is an export of those chats, each chat's id, kind
	// and name taken from the posts its messages made.
	LayoutTelegramDesktop
)

// RederiveOptions control one re-derivation.
type RederiveOptions struct {
	// FormatOptions are used for files imported before their format
	// options were recorded (a generic CSV's map, say); a file whose
	// options were recorded is read with those.
	FormatOptions map[string]string
	DryRun        bool // do everything, print what changes, keep nothing
	Log           *slog.Logger
	// BeforeCommit, when set, is called in the transaction just before it
	// commits (internal/casework logs the re-derivation there). An error
	// rolls it back.
	BeforeCommit func(ctx context.Context, tx tahqiq.RederiveTx, sum *RederiveSummary) error
}

// RederiveSummary says what a re-derivation changed.
type RederiveSummary struct {
	Dataset   string               `json:"dataset"`
	From      string               `json:"from"` // derivation before ("" when none was recorded)
	To        string               `json:"to"`
	DryRun    bool                 `json:"dry_run"`
	Committed bool                 `json:"committed"`
	Files     int                  `json:"files"`
	Records   int64                `json:"records"` // stored records read again
	Before    tahqiq.DatasetCounts `json:"before"`
	After     tahqiq.DatasetCounts `json:"after"`

	PostsAdded     int64 `json:"posts_added"`
	PostsRemoved   int64 `json:"posts_removed"`
	PostsChanged   int64 `json:"posts_changed"` // same UID, other content (author, text, time, entities …)
	SharesAdded    int64 `json:"shares_added"`
	SharesRemoved  int64 `json:"shares_removed"`
	RejectsAdded   int64 `json:"rejects_added"`
	RejectsRemoved int64 `json:"rejects_removed"`
	// RecordsRejected are records the importers reject now: they moved
	// to the rejects with their raw bytes (counted in RejectsAdded too).
	RecordsRejected int64            `json:"records_rejected"`
	KindsChanged    map[string]int64 `json:"kinds_changed"` // "post -> other": records whose kind changed

	// Examples: the first 20 of each change, for the log.
	Examples RederiveExamples `json:"examples"`
}

// RederiveExamples are the first changes of each kind.
type RederiveExamples struct {
	PostsAdded     []string        `json:"posts_added"`
	PostsRemoved   []string        `json:"posts_removed"`
	PostsChanged   []string        `json:"posts_changed"`
	RejectsAdded   []tahqiq.Reject `json:"rejects_added"`
	RejectsRemoved []tahqiq.Reject `json:"rejects_removed"`
}

// maxExamples caps each list of RederiveExamples.
const maxExamples = 20

// recordPage is how many stored records are read at a time.
const recordPage = 10000

// Rederive rebuilds the posts, accounts and shares of a dataset from its
// stored raw records, with the current importers and Derivation, in one
// store transaction: every file is read again as its format's parser
// reads an input (see Layout), each record gets what it derives now (a
// record the importer rejects now becomes a reject, raw kept), the
// rejects the store finds (post-id conflicts) are made anew, and the
// parsers' rejects stay as they were. The summary says what changed. With
// DryRun, or on any error, the store is left as it was.
func (im *Importer) Rederive(ctx context.Context, store tahqiq.RederiveStore, dataset string, opt RederiveOptions) (RederiveSummary, error) {
	sum := RederiveSummary{Dataset: dataset, To: Derivation, DryRun: opt.DryRun, KindsChanged: map[string]int64{}}
	tx, err := store.BeginRederive(ctx, dataset)
	if err != nil {
		return sum, err
	}
	defer tx.Rollback()
	if sum.From, _, err = tx.Derivation(ctx); err != nil {
		return sum, err
	}
	files, err := tx.Files(ctx)
	if err != nil {
		return sum, err
	}
	formats := make([]Format, len(files))
	desktop := false
	for i, f := range files {
		if formats[i], err = im.Formats.Lookup(f.Format); err != nil {
			return sum, tahqiq.Errorf(tahqiq.EINVALID, "%s was imported as %s, a format this tahqiq does not read: it cannot be re-derived", f.Name, f.Format)
		}
		desktop = desktop || formats[i].Layout == LayoutTelegramDesktop
	}
	if sum.Before, err = tx.Counts(ctx); err != nil {
		return sum, err
	}
	h, seed := newHasher(), maphash.MakeSeed() // one for both snapshots
	before, err := snapshot(ctx, tx, desktop, h, seed)
	if err != nil {
		return sum, err
	}
	media, err := newFixedMedia(ctx, tx)
	if err != nil {
		return sum, err
	}
	if err := tx.Reset(ctx); err != nil {
		return sum, err
	}
	prog := progress.Start(ctx, "re-deriving", "records", sum.Before.Records)
	for i, f := range files {
		if err := im.rederiveFile(ctx, tx, f, formats[i], opt, before.containers, media, &sum, prog); err != nil {
			return sum, err
		}
		sum.Files++
	}
	prog.Done()
	if err := tx.SetDerivation(ctx, Derivation); err != nil {
		return sum, err
	}
	if sum.After, err = tx.Counts(ctx); err != nil {
		return sum, err
	}
	after, err := snapshot(ctx, tx, false, h, seed)
	if err != nil {
		return sum, err
	}
	diff(&sum, before, after)
	if opt.DryRun {
		return sum, nil // rolled back by the deferred Rollback
	}
	if opt.BeforeCommit != nil {
		if err := opt.BeforeCommit(ctx, tx, &sum); err != nil {
			return sum, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return sum, err
	}
	sum.Committed = true
	if opt.Log != nil {
		opt.Log.Info("dataset re-derived", "dataset", dataset, "from", sum.From, "to", sum.To,
			"posts_added", sum.PostsAdded, "posts_removed", sum.PostsRemoved, "shares_added", sum.SharesAdded, "shares_removed", sum.SharesRemoved,
			"rejects_added", sum.RejectsAdded, "rejects_removed", sum.RejectsRemoved)
	}
	return sum, nil
}

// state is what a dataset holds, for the comparison before and after.
type state struct {
	posts      map[hkey]oldPost
	shares     map[hkey]struct{}
	rejects    map[string]int // "file\x00line\x00reason" -> how many
	containers map[int64]container
}

type oldPost struct {
	content uint64 // hash of the post's JSON
	uid     string
}

// container is the chat a Telegram Desktop message was read in.
type container struct{ id, name string }

func snapshot(ctx context.Context, tx tahqiq.RederiveTx, containers bool, h hasher, seed maphash.Seed) (*state, error) {
	s := &state{posts: map[hkey]oldPost{}, shares: map[hkey]struct{}{}, rejects: map[string]int{}}
	if containers {
		s.containers = map[int64]container{}
	}
	err := tx.EachPost(ctx, func(record int64, uid, author string, data []byte) error {
		s.posts[h.sum(uid)] = oldPost{content: maphash.Bytes(seed, data), uid: uid}
		if containers && strings.HasPrefix(uid, tahqiq.PlatformTelegram+":") {
			var p struct {
				ContainerID   string `json:"container_id"`
				ContainerName string `json:"container_name"`
			}
			if err := json.Unmarshal(data, &p); err == nil && p.ContainerID != "" {
				s.containers[record] = container{p.ContainerID, p.ContainerName}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := tx.EachShare(ctx, func(post string, typ tahqiq.ObjectType, object string) error {
		s.shares[h.sum(post, string(typ), object)] = struct{}{}
		return nil
	}); err != nil {
		return nil, err
	}
	err = tx.EachReject(ctx, func(r tahqiq.Reject) error {
		s.rejects[rejectKey(r)]++
		return nil
	})
	return s, err
}

func rejectKey(r tahqiq.Reject) string {
	return r.File + "\x00" + strconv.FormatInt(r.Line, 10) + "\x00" + r.Reason
}

func keyReject(k string) tahqiq.Reject {
	parts := strings.SplitN(k, "\x00", 3)
	line, _ := strconv.ParseInt(parts[1], 10, 64)
	return tahqiq.Reject{File: parts[0], Line: line, Reason: parts[2]}
}

// diff counts what changed from before to after.
func diff(sum *RederiveSummary, before, after *state) {
	ex := &sum.Examples
	for k, p := range after.posts {
		old, ok := before.posts[k]
		switch {
		case !ok:
			sum.PostsAdded++
			ex.PostsAdded = appendExample(ex.PostsAdded, p.uid)
		case old.content != p.content:
			sum.PostsChanged++
			ex.PostsChanged = appendExample(ex.PostsChanged, p.uid)
		}
	}
	for k, p := range before.posts {
		if _, ok := after.posts[k]; !ok {
			sum.PostsRemoved++
			ex.PostsRemoved = appendExample(ex.PostsRemoved, p.uid)
		}
	}
	for k := range after.shares {
		if _, ok := before.shares[k]; !ok {
			sum.SharesAdded++
		}
	}
	for k := range before.shares {
		if _, ok := after.shares[k]; !ok {
			sum.SharesRemoved++
		}
	}
	for _, k := range sortedKeys(after.rejects) {
		if n := after.rejects[k] - before.rejects[k]; n > 0 {
			sum.RejectsAdded += int64(n)
			if len(ex.RejectsAdded) < maxExamples {
				ex.RejectsAdded = append(ex.RejectsAdded, keyReject(k))
			}
		}
	}
	for _, k := range sortedKeys(before.rejects) {
		if n := before.rejects[k] - after.rejects[k]; n > 0 {
			sum.RejectsRemoved += int64(n)
			if len(ex.RejectsRemoved) < maxExamples {
				ex.RejectsRemoved = append(ex.RejectsRemoved, keyReject(k))
			}
		}
	}
	for _, l := range [][]string{ex.PostsAdded, ex.PostsRemoved, ex.PostsChanged} {
		sort.Strings(l)
	}
}

func appendExample(list []string, s string) []string {
	if len(list) < maxExamples {
		return append(list, s)
	}
	return list
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// rederiveFile reads the stored records of f again with the format's
// parser and stores what each derives now.
func (im *Importer) rederiveFile(ctx context.Context, tx tahqiq.RederiveTx, f tahqiq.StoredFile, format Format, opt RederiveOptions,
	containers map[int64]container, media *mediaStage, sum *RederiveSummary, prog *progress.Phase) error {
	if err := tx.SetFile(ctx, f.ID); err != nil {
		return err
	}
	tmp, n, unknownChat, err := rebuildInput(ctx, tx, f, format.Layout, containers)
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if n == 0 {
		return nil // the file kept no record: nothing to derive
	}
	options := f.Options
	if options == nil {
		options = opt.FormatOptions // imported before options were recorded
	}
	src := tahqiq.Source{Name: f.Name, R: bufio.NewReaderSize(tmp, 1<<20), Options: options, SHA256: f.SHA256}
	cur := &recordCursor{tx: tx, file: f.ID}
	parse := format.Parse
	if format.Reread != nil {
		parse = format.Reread
	}
	err = parse(ctx, src, func(p *tahqiq.Parsed) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := cur.next(ctx)
		if err != nil {
			return err
		}
		if rec == nil {
			return fmt.Errorf("%s: reading its records again gave more records than the %d stored", f.Name, n)
		}
		if format.Layout == LayoutCSV && p.Record.Line != rec.Line {
			return fmt.Errorf("%s: record %s was read again at line %d", f.Name, rec.Locator, p.Record.Line)
		}
		sum.Records++
		if sum.Records&255 == 0 {
			prog.Set(sum.Records)
		}
		if p.Reject != "" {
			sum.RecordsRejected++
			return tx.DropRecord(ctx, rec, strings.TrimPrefix(p.Reject, fmt.Sprintf("line %d: ", rec.Line)))
		}
		if unknownChat[rec.ID] && len(p.Posts) > 0 {
			return tahqiq.Errorf(tahqiq.EINVALID, "%s: the chat of record %s made no post before, so its id and name are unknown, and now it makes posts: re-import the export", f.Name, rec.Locator)
		}
		if media != nil {
			media.attachFixed(f.ID, p)
		}
		d := derive(p)
		if p.Record.Kind != rec.Kind {
			sum.KindsChanged[string(rec.Kind)+" -> "+string(p.Record.Kind)]++
			rec.Kind = p.Record.Kind
		}
		_, err = tx.Rederive(ctx, rec, p.Posts, p.Accounts, d.shares)
		return err
	})
	if err != nil {
		var e *tahqiq.Error
		if errors.As(err, &e) && e.Code == tahqiq.EINVALID {
			// a parameter the reason names stays a parameter, for each
			// interface to phrase
			inner, param := e.Message, ""
			var pe *tahqiq.ParamError
			if errors.As(err, &pe) {
				inner, param = pe.Text, pe.Param
			}
			if f.Options == nil && format.Name == "generic_csv" {
				return tahqiq.ParamErrorf("map", "%s was imported before tahqiq kept import options: give the {map} it was imported with (%s)", f.Name, inner)
			}
			if param != "" {
				return tahqiq.ParamErrorf(param, "%s cannot be read again as %s: %s", f.Name, f.Format, inner)
			}
			return tahqiq.Errorf(tahqiq.EINVALID, "%s cannot be read again as %s: %s", f.Name, f.Format, e.Message)
		}
		return err
	}
	if rec, err := cur.next(ctx); err != nil || rec != nil {
		if err != nil {
			return err
		}
		return fmt.Errorf("%s: reading its records again gave fewer records than the %d stored (record %s was not read)", f.Name, n, rec.Locator)
	}
	return nil
}

// recordCursor walks the stored records of a file in order, a page at a
// time.
type recordCursor struct {
	tx    tahqiq.RederiveTx
	file  int64
	page  []tahqiq.StoredRecord
	after int64
	done  bool
}

func (c *recordCursor) next(ctx context.Context) (*tahqiq.StoredRecord, error) {
	if len(c.page) == 0 && !c.done {
		page, err := c.tx.Records(ctx, c.file, c.after, recordPage)
		if err != nil {
			return nil, err
		}
		c.page, c.done = page, len(page) < recordPage
		if len(page) > 0 {
			c.after = page[len(page)-1].ID
		}
	}
	if len(c.page) == 0 {
		return nil, nil
	}
	r := &c.page[0]
	c.page = c.page[1:]
	return r, nil
}

// rebuildInput writes the stored records of f into a temporary file as
// an input its format's parser reads, and returns it (at its start), the
// number of records, and for a Telegram Desktop export the records of
// chats whose id and name are unknown (see desktopBuilder).
func rebuildInput(ctx context.Context, tx tahqiq.RederiveTx, f tahqiq.StoredFile, layout Layout, containers map[int64]container) (*os.File, int64, map[int64]bool, error) {
	tmp, err := os.CreateTemp("", "tahqiq-rederive-*")
	if err != nil {
		return nil, 0, nil, fmt.Errorf("ingest: rederive %s: %w", f.Name, err)
	}
	fail := func(err error) (*os.File, int64, map[int64]bool, error) {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, 0, nil, err
	}
	w := bufio.NewWriterSize(tmp, 1<<20)
	var b builder
	var desktop *desktopBuilder
	switch layout {
	case LayoutCSV:
		b = &csvBuilder{w: w, cw: csv.NewWriter(w), line: 1}
	case LayoutTelegramDesktop:
		desktop = &desktopBuilder{w: w, containers: containers, unknown: map[int64]bool{}}
		b = desktop
	default:
		b = &jsonBuilder{w: w}
	}
	cur := &recordCursor{tx: tx, file: f.ID}
	var n int64
	for {
		if n&1023 == 0 && ctx.Err() != nil {
			return fail(ctx.Err())
		}
		rec, err := cur.next(ctx)
		if err != nil {
			return fail(err)
		}
		if rec == nil {
			break
		}
		if err := b.add(rec); err != nil {
			return fail(fmt.Errorf("%s: record %s cannot be read again: %w", f.Name, rec.Locator, err))
		}
		n++
	}
	if err := b.end(); err != nil {
		return fail(fmt.Errorf("%s: %w", f.Name, err))
	}
	if err := w.Flush(); err != nil {
		return fail(fmt.Errorf("ingest: rederive %s: %w", f.Name, err))
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return fail(fmt.Errorf("ingest: rederive %s: %w", f.Name, err))
	}
	var unknown map[int64]bool
	if desktop != nil {
		unknown = desktop.unknown
	}
	return tmp, n, unknown, nil
}

// builder writes stored records as an input.
type builder interface {
	add(rec *tahqiq.StoredRecord) error
	end() error
}

// jsonBuilder writes one JSON value per line.
type jsonBuilder struct {
	w   *bufio.Writer
	buf bytes.Buffer
}

func (b *jsonBuilder) add(rec *tahqiq.StoredRecord) error {
	b.buf.Reset()
	if err := json.Compact(&b.buf, rec.Raw); err != nil {
		return err
	}
	b.buf.WriteByte('\n')
	_, err := b.w.Write(b.buf.Bytes())
	return err
}

func (b *jsonBuilder) end() error { return nil }

// csvBuilder writes the header record, then each row at its line (blank
// lines fill the lines of rejected rows, which CSV readers skip).
type csvBuilder struct {
	w      *bufio.Writer
	cw     *csv.Writer
	line   int64 // the line the next row starts on
	header bool
	fields int
}

func (b *csvBuilder) add(rec *tahqiq.StoredRecord) error {
	if !b.header {
		if rec.Kind != tahqiq.RecordHeader && !strings.HasSuffix(rec.Locator, "#header") {
			return errors.New("the first record of a CSV file is not its header line")
		}
		b.header = true
		fields, err := csv.NewReader(bytes.NewReader(rec.Raw)).Read()
		if err != nil {
			return fmt.Errorf("header line: %w", err)
		}
		b.fields = len(fields)
		b.w.Write(rec.Raw)
		b.w.WriteByte('\n')
		b.line = rec.Line + 1 + int64(bytes.Count(rec.Raw, []byte{'\n'}))
		return nil
	}
	values, err := jsonValues(rec.Raw)
	if err != nil {
		return err
	}
	if len(values) != b.fields {
		return fmt.Errorf("%d values, the header has %d", len(values), b.fields)
	}
	if rec.Line < b.line {
		return fmt.Errorf("line %d comes before line %d", rec.Line, b.line)
	}
	for ; b.line < rec.Line; b.line++ {
		b.w.WriteByte('\n')
	}
	if len(values) == 1 && values[0] == "" {
		b.w.WriteString("\"\"\n") // an empty line would be skipped
	} else {
		if err := b.cw.Write(values); err != nil {
			return err
		}
		b.cw.Flush()
		if err := b.cw.Error(); err != nil {
			return err
		}
	}
	b.line++
	for _, v := range values {
		b.line += int64(strings.Count(v, "\n"))
	}
	return nil
}

func (b *csvBuilder) end() error { return nil }

// jsonValues returns the string values of a JSON object in order (a CSV
// row as csvrow stores it: keyed by header, in header order, where header
// names may repeat).
func jsonValues(raw []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a row stored as a JSON object")
	}
	var out []string
	for dec.More() {
		if _, err := dec.Token(); err != nil { // the key
			return nil, err
		}
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		s, ok := tok.(string)
		if !ok {
			return nil, errors.New("a value of the row is not a string")
		}
		out = append(out, s)
	}
	return out, nil
}

// desktopBuilder writes the messages of a Telegram Desktop export as an
// export of their chats: a single chat ({name, type, id, messages}) or
// the chats and left chats of a full export, in the order read. A chat's
// id, kind and name come from the posts its messages made; a chat that
// made none (service messages alone) is written with a stand-in id, which
// is right as long as its messages still make no post (Rederive checks:
// unknown holds their records).
type desktopBuilder struct {
	w          *bufio.Writer
	containers map[int64]container
	chats      []*desktopChat
	full       bool
	unknown    map[int64]bool
}

type desktopChat struct {
	section string // "", "chats" or "left_chats"
	pointer string // "#/chats/list/5" or "#"
	c       container
	known   bool
	msgs    [][]byte
	recs    []int64
}

func (b *desktopBuilder) add(rec *tahqiq.StoredRecord) error {
	ptr, _, ok := strings.Cut(rec.Locator, "/messages/")
	if !ok {
		return errors.New("not a message of a chat (its locator is " + rec.Locator + ")")
	}
	section := ""
	switch {
	case strings.HasPrefix(ptr, "#/chats/"):
		section, b.full = "chats", true
	case strings.HasPrefix(ptr, "#/left_chats/"):
		section, b.full = "left_chats", true
	}
	var ch *desktopChat
	if n := len(b.chats); n > 0 && b.chats[n-1].pointer == ptr {
		ch = b.chats[n-1]
	} else {
		ch = &desktopChat{section: section, pointer: ptr}
		b.chats = append(b.chats, ch)
	}
	if c, ok := b.containers[rec.ID]; ok && !ch.known {
		ch.c, ch.known = c, true
	}
	ch.msgs = append(ch.msgs, rec.Raw)
	ch.recs = append(ch.recs, rec.ID)
	return nil
}

// desktopTypes gives a chat type of the export for each peer kind of a
// container id (the reverse of the parser's peerKind).
var desktopTypes = []struct{ kind, typ string }{{"channel", "public_channel"}, {"chat", "private_group"}, {"user", "personal_chat"}}

func (b *desktopBuilder) end() error {
	writeChat := func(ch *desktopChat) error {
		if !ch.known {
			ch.c = container{id: "chat0"} // a stand-in: see desktopBuilder
			for _, r := range ch.recs {
				b.unknown[r] = true
			}
		}
		typ, id := "", ""
		for _, t := range desktopTypes {
			if rest, ok := strings.CutPrefix(ch.c.id, t.kind); ok {
				typ, id = t.typ, rest
				break
			}
		}
		if typ == "" {
			return errors.New("the chat at " + ch.pointer + " has an unknown container " + strconv.Quote(ch.c.id))
		}
		name, _ := json.Marshal(ch.c.name)
		fmt.Fprintf(b.w, `{"name": %s, "type": %q, "id": %q, "messages": [`, name, typ, id)
		for i, m := range ch.msgs {
			if i > 0 {
				b.w.WriteString(",\n")
			}
			b.w.Write(m)
		}
		b.w.WriteString("]}")
		return nil
	}
	if !b.full {
		if len(b.chats) != 1 {
			return errors.New("the messages are not those of one chat")
		}
		return writeChat(b.chats[0])
	}
	b.w.WriteString("{")
	open := ""
	for _, ch := range b.chats {
		if ch.section == "" {
			return errors.New("messages of a single-chat export in a full export")
		}
		if ch.section != open {
			if open != "" {
				b.w.WriteString("]}, ")
			}
			if open == "left_chats" {
				return errors.New("chats after the left chats")
			}
			fmt.Fprintf(b.w, `%q: {"list": [`, ch.section)
			open = ch.section
		} else {
			b.w.WriteString(", ")
		}
		if err := writeChat(ch); err != nil {
			return err
		}
	}
	if open != "" {
		b.w.WriteString("]}")
	}
	b.w.WriteString("}")
	return nil
}
