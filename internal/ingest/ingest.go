// Package ingest is the import pipeline: open (stdin, gzip), detect the
// format, parse with the format's package, derive shares, deduplicate, and
// emit to a store in one all-or-nothing transaction, or to a callback when
// a command runs straight from files. It never decides how records are
// stored; the store does.
package ingest

import (
	"cmp"
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/decompress"
	"github.com/tahqiq/tahqiq/internal/progress"
	"github.com/tahqiq/tahqiq/internal/storeimport"
)

// Options control one import or read.
type Options struct {
	Format        string            // force this format; "" detects per file
	Dataset       string            // dataset name; "" derives it from the first file name
	FormatOptions map[string]string // passed to the parser (e.g. "map" for generic CSV)
	Stdin         io.Reader         // read for the file name "-"
	OnRecords     func(n int64)     // when set, told the running count of stored records every 1,024 records
	Names         map[string]string // the name to record for a path (e.g. an upload's original file name); default the path
	// OnShares, when set, is given the shares of each stored record that
	// added shares to the dataset (a record of a post already stored adds
	// none), in file order; they are committed only if Import succeeds.
	OnShares func([]tahqiq.Share)
	// BeforeCommit, when set, is called in the import's transaction just
	// before it commits, when the import stores something (internal/
	// casework logs the import there: the import and its custody-log entry
	// commit together). An error rolls the import back.
	BeforeCommit func(ctx context.Context, tx tahqiq.ImportTx, sum *Summary) error
	Log          *slog.Logger
	// Media is the folder in which the pictures posts name are looked up
	// and hashed (docs/images.md). "" looks only beside a Telegram Desktop
	// export read from its own path (its photos/ and files/); NoMedia
	// looks nowhere.
	Media   string
	NoMedia bool
	// MediaFolders gives input files (by path) a folder of pictures that
	// is not on disk, such as the folder of an uploaded archive that held
	// them; it takes precedence over Media. NoMedia still looks nowhere.
	MediaFolders map[string]MediaFolder
	// KeepPicture, when set, keeps the bytes of each picture hashed
	// (content-addressed by sha, its hex SHA-256: internal/casework puts
	// them in the blob store, docs/images.md "Pictures kept"), once per
	// file; a picture larger than KeepLimit (0: DefaultKeepLimit) is hashed
	// but not kept, and counted. An error fails the import.
	KeepPicture func(sha string, data []byte) error
	KeepLimit   int64

	// lean: a read into a Dataset (ReadInto) parses with Format.Lean
	// where a format has it
	lean bool
	// ahead: the dataset's, for the file being read (aheadDataset)
	ahead tahqiq.AccountsAhead
}

// Summary is the outcome of an import, printed by `tahqiq import --json`.
type Summary struct {
	Dataset    string          `json:"dataset"`
	Files      int             `json:"files"`
	Records    int64           `json:"records"`
	Posts      int64           `json:"posts"`
	Accounts   int64           `json:"accounts"`
	Shares     int64           `json:"shares"`
	Duplicates int64           `json:"duplicates"`
	Rejects    int64           `json:"rejects"`   // every reject, exactly
	Conflicts  int64           `json:"conflicts"` // of them, post ids given to a second account (see tahqiq.PostConflict)
	Rejected   []tahqiq.Reject `json:"rejected"`  // the first 10,000 of them; the store keeps all (tahqiq datasets rejects)
	// Kinds counts records by what they turned out to be: post, account,
	// count, compliance or other (headers, notices, service messages).
	Kinds   map[tahqiq.RecordKind]int64 `json:"record_kinds"`
	Skipped []string                    `json:"skipped,omitempty"` // files already imported into the dataset
	// Retried are files imported into the dataset before whose import
	// kept nothing (every record rejected, or a header line alone): this
	// import replaced that attempt and its rejects.
	Retried []Retry             `json:"retried,omitempty"`
	Sources []tahqiq.ImportFile `json:"sources"`
	// Committed is false when the import was rolled back: then nothing
	// is counted, no file is listed, and Failure says why in the user's
	// terms (the rejects found before are listed).
	Committed bool   `json:"committed"`
	Failure   string `json:"failure,omitempty"`
	failure   error  // the error Failure says (FailureIn)
	// params are the rejects whose reasons name a parameter, by file and
	// reason: the reason with it as {name} (RejectIn)
	params map[string]*tahqiq.ParamError
	// Media says what became of the pictures posts name, when a media
	// folder was read.
	Media *MediaSummary `json:"media,omitempty"`
}

// Retry is a file imported again after an import that kept nothing.
type Retry struct {
	File          string `json:"file"`
	FormatBefore  string `json:"format_before"`
	RejectsBefore int64  `json:"rejects_before"`
}

// Item is what Read hands to its callback for each record.
type Item struct {
	File   *tahqiq.ImportFile
	Parsed *tahqiq.Parsed
	Shares []tahqiq.Share // derived, deduplicated against everything read before
	New    []bool         // New[i]: Parsed.Posts[i] was not seen before
}

// Importer runs imports with a registry of formats.
type Importer struct {
	Formats *Registry
	// Limits bound what a compressed input (.gz, or gzip on stdin) may
	// expand to; an input that passes them fails the whole import.
	Limits decompress.Limits
}

// MaxRejectsListed caps the rejects listed in a Summary; Summary.Rejects
// counts them all, and the store keeps them all.
const MaxRejectsListed = 10000

// Import imports files into the store in one transaction. Bad records are
// reported in the summary; a file that is empty or of no known format is
// reported as a reject of that file. It fails (and stores nothing) on an
// I/O or store error, an interrupt, or when nothing at all could be
// imported: then the summary says so (Committed false, Failure in the
// user's terms), counts nothing and lists no file as imported, and the
// error carries the same message.
func (im *Importer) Import(ctx context.Context, store tahqiq.ImportStore, files []string, opt Options) (Summary, error) {
	var reading string // the file being read, for the message of a failure
	sum, err := im.importFiles(ctx, store, files, opt, &reading)
	if err == nil {
		sum.Committed = true
		return sum, nil
	}
	msg := failure(err, reading)
	if opt.Log != nil {
		opt.Log.Debug("import rolled back", "dataset", sum.Dataset, "file", reading, "err", err)
	}
	sum.Failure = msg
	sum.Files, sum.Records, sum.Posts, sum.Accounts, sum.Shares, sum.Duplicates = 0, 0, 0, 0, 0, 0
	sum.Kinds = map[tahqiq.RecordKind]int64{}
	sum.Media = nil
	sum.Sources, sum.Retried = []tahqiq.ImportFile{}, nil
	code := tahqiq.ErrorCode(err)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		code = tahqiq.EINTERNAL
	}
	sum.failure = keepParam(&tahqiq.Error{Code: code, Message: msg}, err)
	return sum, sum.failure
}

// keepParam returns e, an EINVALID error whose message says err's, as a
// *tahqiq.ParamError when err is one, so that each interface still says
// the parameter its way; else e.
func keepParam(e *tahqiq.Error, err error) error {
	var pe *tahqiq.ParamError
	if e.Code != tahqiq.EINVALID || !errors.As(err, &pe) || !strings.Contains(e.Message, pe.Error()) {
		return e
	}
	return &tahqiq.ParamError{Param: pe.Param, Text: strings.Replace(e.Message, pe.Error(), pe.Text, 1)}
}

// FailureIn returns Failure with the parameters it names said by name
// (the CLI: as its flags).
func (s Summary) FailureIn(name func(param string) string) string {
	if s.failure == nil {
		return s.Failure
	}
	return tahqiq.PhraseError(s.failure, name)
}

// storeError is an error of the store while an import writes.
type storeError struct{ err error }

func (e storeError) Error() string { return e.err.Error() }
func (e storeError) Unwrap() error { return e.err }

// failure tells why an import was rolled back, in the user's terms: the
// file and what happened to it, not the package that noticed.
func failure(err error, file string) string {
	const unchanged = "nothing was imported, the store is unchanged"
	var se storeError
	var pe *fs.PathError
	var ce flate.CorruptInputError
	switch {
	case errors.Is(err, context.Canceled):
		if file != "" {
			return "the import was interrupted while reading " + file + "; " + unchanged
		}
		return "the import was interrupted; " + unchanged
	case errors.Is(err, context.DeadlineExceeded):
		return "the import ran out of time; " + unchanged
	case errors.As(err, &se):
		return "the store could not write the import (" + se.err.Error() + "); " + unchanged
	case tahqiq.ErrorCode(err) != tahqiq.EINTERNAL:
		if m := tahqiq.ErrorMessage(err); strings.HasPrefix(m, "nothing imported") || strings.Contains(m, "nothing was imported") {
			return m // says so itself
		}
		return tahqiq.ErrorMessage(err) + "; " + unchanged
	case errors.Is(err, io.ErrUnexpectedEOF):
		return file + ": the file ends early (a truncated gzip file or an incomplete download?); " + unchanged
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.As(err, &ce):
		return file + ": the gzip data is damaged (" + rootCause(err).Error() + "); " + unchanged
	case errors.As(err, &pe):
		return file + ": cannot be read: " + pe.Err.Error() + "; " + unchanged
	case file != "":
		return file + ": reading stopped: " + rootCause(err).Error() + "; " + unchanged
	}
	return rootCause(err).Error() + "; " + unchanged
}

// rootCause is the innermost error of err's chain (the first of a join).
func rootCause(err error) error {
	for {
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			if next := u.Unwrap(); next != nil {
				err = next
				continue
			}
		case interface{ Unwrap() []error }:
			if list := u.Unwrap(); len(list) > 0 {
				err = list[len(list)-1]
				continue
			}
		}
		return err
	}
}

func (im *Importer) importFiles(ctx context.Context, store tahqiq.ImportStore, files []string, opt Options, reading *string) (Summary, error) {
	sum := Summary{Dataset: datasetName(opt.Dataset, files), Rejected: []tahqiq.Reject{}, Kinds: map[tahqiq.RecordKind]int64{}}
	tx, err := store.BeginImport(ctx, sum.Dataset)
	if err != nil {
		return sum, storeError{err}
	}
	defer tx.Rollback()
	// One dataset, one derivation: a dataset derived by other rules is
	// re-derived before anything is added to it.
	derivation, hasFiles, err := tx.Derivation(ctx)
	if err != nil {
		return sum, storeError{err}
	}
	if hasFiles && derivation != Derivation {
		return sum, CheckDerivation(tahqiq.Dataset{Name: sum.Dataset, Derivation: derivation})
	}
	if derivation != Derivation {
		if err := tx.SetDerivation(ctx, Derivation); err != nil {
			return sum, storeError{err}
		}
	}
	var headerOnly []string // files that gave nothing but a header line
	ms, err := im.media(ctx, opt, &sum, tx.EachMedia)
	if err != nil {
		return sum, err
	}
	defer ms.close()
	prog := progress.Start(ctx, "reading", "bytes", inputSize(files)).Items("records")
	sink := func(in *input, d *derived) error {
		p := d.p
		if p.Reject != "" {
			r := tahqiq.Reject{File: in.file.Name, Line: p.Record.Line, Reason: strings.TrimPrefix(p.Reject, fmt.Sprintf("line %d: ", p.Record.Line))}
			sum.addReject(r)
			in.file.Rejects++
			if err := tx.AddReject(ctx, r, p.Record.Raw); err != nil {
				return storeError{err}
			}
			return nil
		}
		for _, m := range d.media {
			if err := tx.AddMedia(ctx, m); err != nil {
				return storeError{err}
			}
		}
		res, err := tx.AddRecord(ctx, &p.Record, p.Posts, p.Accounts, d.shares)
		if err != nil {
			return storeError{err}
		}
		for _, c := range res.Conflicts { // the store keeps them as rejects of the record
			sum.addReject(tahqiq.Reject{File: in.file.Name, Line: p.Record.Line, Reason: c.Reason()})
			sum.Conflicts++
			in.file.Rejects++
		}
		sum.Records++
		sum.Kinds[p.Record.Kind]++
		sum.Posts += int64(res.NewPosts)
		sum.Accounts += int64(res.NewAccounts)
		sum.Shares += int64(res.NewShares)
		sum.Duplicates += int64(res.Duplicates)
		if opt.OnShares != nil && res.NewShares > 0 {
			opt.OnShares(withoutConflicts(d.shares, res.Conflicts))
		}
		if sum.Records&255 == 0 {
			prog.SetItems(sum.Records)
		}
		if opt.OnRecords != nil && sum.Records&1023 == 0 {
			opt.OnRecords(sum.Records)
		}
		return nil
	}
	for _, name := range files {
		*reading = name
		if n, ok := opt.Names[name]; ok {
			*reading = n
		}
		in, err := openInput(name, opt.Names[name], opt.Stdin, im.Limits, prog)
		if err != nil {
			if isInputError(err) {
				sum.addReject(sum.fileReject(name, err))
				continue
			}
			return sum, err
		}
		if n, ok := opt.Names[name]; ok {
			in.file.Name = n
		}
		prior, found, err := tx.FindFile(ctx, in.file.SHA256)
		if err != nil {
			in.close()
			return sum, storeError{err}
		}
		if found && prior.Kept > 0 {
			in.finished(prog)
			in.close()
			sum.Skipped = append(sum.Skipped, name)
			continue
		}
		if found {
			// imported before, it kept nothing: this import replaces it
			sum.Retried = append(sum.Retried, Retry{File: name, FormatBefore: prior.Format, RejectsBefore: prior.Rejects})
		}
		before, headersBefore := sum.Records, sum.Kinds[tahqiq.RecordHeader]
		in.file.ImportedAt = time.Now().UTC()
		in.file.Options = recordedOptions(opt.FormatOptions) // re-deriving reads the file as it was read
		err = im.readFile(ctx, in, opt, func(f Format) error {
			in.file.Format = f.Name
			if err := tx.AddFile(ctx, in.file); err != nil {
				return storeError{err}
			}
			return nil
		}, nil, func(d *derived) error { return sink(in, d) }, ms)
		in.file.Records = sum.Records - before
		in.finished(prog)
		in.close()
		if rerr := in.refused(); rerr != nil { // rolled back: the counts so far were never stored
			return Summary{Dataset: sum.Dataset, Rejected: []tahqiq.Reject{}, Kinds: map[tahqiq.RecordKind]int64{}}, refusal(rerr, "nothing was imported (an import is all or nothing)")
		}
		if err != nil {
			if !isInputError(err) {
				return sum, err
			}
			r := sum.fileReject(name, err)
			if in.file.Format == "" { // not read at all: empty, unrecognised
				sum.addReject(r)
				continue
			}
			// It stopped midway (a syntax error inside a JSON
			// document): what was read before is kept, the rest is a
			// reject of the file.
			r.File = in.file.Name
			if in.file.Records > 0 {
				r.Reason += "; the rest of the file was not read"
			}
			sum.addReject(r)
			in.file.Rejects++
			if err := tx.AddReject(ctx, r, nil); err != nil {
				return sum, storeError{err}
			}
		}
		if in.file.Records > 0 && in.file.Records == sum.Kinds[tahqiq.RecordHeader]-headersBefore {
			headerOnly = append(headerOnly, in.file.Name)
		}
		sum.Files++
		sum.Sources = append(sum.Sources, in.file)
	}
	prog.Done()
	*reading = ""
	ms.done(&sum)
	if imported(sum) == 0 && len(sum.Skipped) == 0 {
		return sum, nothingImported(sum, headerOnly)
	}
	defer progress.Start(ctx, "storing", "", 0).Done()
	if opt.BeforeCommit != nil && imported(sum) > 0 {
		if err := opt.BeforeCommit(ctx, tx, &sum); err != nil {
			return sum, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return sum, storeError{err}
	}
	return sum, nil
}

// Read parses files like Import but stores nothing: fn receives every
// record with its derived shares, posts and shares deduplicated in memory
// across all files as an import into one dataset would: by
// storeimport.Add, over a storeimport.Memory.
func (im *Importer) Read(ctx context.Context, files []string, opt Options, fn func(*Item) error) (Summary, error) {
	return im.read(ctx, files, opt, storeimport.NewMemory(), fn)
}

// Dataset is what a read that stores nothing adds records to, deciding
// what each adds as storeimport.Add does: storeimport.Memory (Read), or
// the caller's (coord.Collector, which interns the shares of a
// coordination run as they arrive). Add returns the record's result,
// whether each of posts is new, and the shares the record added.
type Dataset interface {
	Add(ctx context.Context, rec *tahqiq.RawRecord, posts []tahqiq.Post, accounts []tahqiq.Account, shares []tahqiq.Share) (tahqiq.RecordResult, []bool, []tahqiq.Share, error)
}

// ReadInto is Read over the caller's dataset ds, for a caller that keeps
// nothing of an Item but strings: the Item, its Parsed record with its
// posts and the slices it holds may be reused for the next record once fn
// returns (formats with a Format.Lean parser read that way: an events
// table without a record, its raw bytes or their hash made per row).
func (im *Importer) ReadInto(ctx context.Context, files []string, opt Options, ds Dataset, fn func(*Item) error) (Summary, error) {
	opt.lean = true
	return im.read(ctx, files, opt, ds, fn)
}

// aheadDataset is a Dataset that looks the accounts of a file's records
// up ahead of their Add, on a goroutine of the parser's
// (tahqiq.Source.Ahead): AccountsAhead is called before each file is
// read, and what it returns is given to the file's parser.
type aheadDataset interface {
	AccountsAhead() tahqiq.AccountsAhead
}

func (im *Importer) read(ctx context.Context, files []string, opt Options, mem Dataset, fn func(*Item) error) (Summary, error) {
	sum := Summary{Dataset: datasetName(opt.Dataset, files), Rejected: []tahqiq.Reject{}, Kinds: map[tahqiq.RecordKind]int64{}}
	var item Item
	var derivedBuf []tahqiq.Share // lean: every record's shares
	var headerOnly []string
	ms, err := im.media(ctx, opt, &sum, nil)
	if err != nil {
		return sum, err
	}
	defer ms.close()
	prog := progress.Start(ctx, "reading", "bytes", inputSize(files)).Items("records")
	for _, name := range files {
		in, err := openInput(name, opt.Names[name], opt.Stdin, im.Limits, prog)
		if err != nil {
			if isInputError(err) {
				sum.addReject(sum.fileReject(name, err))
				continue
			}
			return sum, err
		}
		if n, ok := opt.Names[name]; ok {
			in.file.Name = n
		}
		file := &in.file
		before, headersBefore := sum.Records, sum.Kinds[tahqiq.RecordHeader]
		fopt := opt
		if a, ok := mem.(aheadDataset); ok && opt.lean {
			fopt.ahead = a.AccountsAhead()
		}
		err = im.readFile(ctx, in, fopt, func(f Format) error {
			in.file.Format = f.Name
			return nil
		}, func(p *tahqiq.Parsed) error {
			if p.Reject != "" {
				sum.addReject(tahqiq.Reject{File: name, Line: p.Record.Line, Reason: strings.TrimPrefix(p.Reject, fmt.Sprintf("line %d: ", p.Record.Line))})
				file.Rejects++
				return nil
			}
			var shares []tahqiq.Share
			if opt.lean {
				derivedBuf = deriveInto(derivedBuf[:0], p)
				shares = derivedBuf
			} else {
				shares = derive(p).shares
			}
			res, isNew, added, err := mem.Add(ctx, &p.Record, p.Posts, p.Accounts, shares)
			if err != nil {
				return err
			}
			for _, c := range res.Conflicts { // as Import counts them
				sum.addReject(tahqiq.Reject{File: name, Line: p.Record.Line, Reason: c.Reason()})
				sum.Conflicts++
				file.Rejects++
			}
			sum.Records++
			sum.Kinds[p.Record.Kind]++
			sum.Posts += int64(res.NewPosts)
			sum.Accounts += int64(res.NewAccounts)
			sum.Shares += int64(res.NewShares)
			sum.Duplicates += int64(res.Duplicates)
			if sum.Records&255 == 0 {
				prog.SetItems(sum.Records)
			}
			if !opt.lean {
				return fn(&Item{File: file, Parsed: p, New: isNew, Shares: added})
			}
			item = Item{File: file, Parsed: p, New: isNew, Shares: added}
			return fn(&item)
		}, nil, ms)
		in.file.Records = sum.Records - before
		in.finished(prog)
		in.close()
		if rerr := in.refused(); rerr != nil {
			return sum, refusal(rerr, "nothing was read")
		}
		if err != nil {
			if !isInputError(err) {
				return sum, err
			}
			r := sum.fileReject(name, err)
			if in.file.Format == "" { // not read at all: empty, unrecognised
				sum.addReject(r)
				continue
			}
			// stopped midway: what was read is used, as Import keeps it
			if in.file.Records > 0 {
				r.Reason += "; the rest of the file was not read"
			}
			sum.addReject(r)
			file.Rejects++
		}
		if in.file.Records > 0 && in.file.Records == sum.Kinds[tahqiq.RecordHeader]-headersBefore {
			headerOnly = append(headerOnly, in.file.Name)
		}
		sum.Files++
		sum.Sources = append(sum.Sources, in.file)
	}
	prog.Done()
	ms.done(&sum)
	if imported(sum) == 0 {
		return sum, nothingImported(sum, headerOnly)
	}
	return sum, nil
}

// imported is the number of records an import kept other than CSV header
// lines: a header alone is no import. Records of every other kind (posts,
// accounts, counts, compliance results, notices and service messages)
// count.
func imported(sum Summary) int64 {
	return sum.Records - sum.Kinds[tahqiq.RecordHeader]
}

// recordedOptions is a copy of the format options kept with a file (an
// empty map, not nil: "none given" is recorded too).
func recordedOptions(o map[string]string) map[string]string {
	out := make(map[string]string, len(o))
	for k, v := range o {
		out[k] = v
	}
	return out
}

// withoutConflicts returns the shares of posts that are not conflicts.
func withoutConflicts(shares []tahqiq.Share, conflicts []tahqiq.PostConflict) []tahqiq.Share {
	if len(conflicts) == 0 {
		return shares
	}
	out := make([]tahqiq.Share, 0, len(shares))
	for _, s := range shares {
		keep := true
		for _, c := range conflicts {
			if s.PostID == c.UID {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}

// hkey is a 128-bit hash of strings.
type hkey [2]uint64

type hasher struct{ s1, s2 maphash.Seed }

func newHasher() hasher { return hasher{maphash.MakeSeed(), maphash.MakeSeed()} }

// sum hashes the strings, separated so that ("ab","c") != ("a","bc").
func (h hasher) sum(parts ...string) hkey {
	var a, b maphash.Hash
	a.SetSeed(h.s1)
	b.SetSeed(h.s2)
	for _, p := range parts {
		a.WriteString(p)
		a.WriteByte(0)
		b.WriteString(p)
		b.WriteByte(0)
	}
	return hkey{a.Sum64(), b.Sum64()}
}

// readFile detects the format of in (unless forced), calls begin, then
// parses the file, filling in the record provenance the parser leaves out.
//
// With emit, records go to emit on the calling goroutine. With consume
// instead, parsing and share derivation run on a goroutine of their own
// and consume receives each record with its shares on the calling one, so
// that parsing and storing use two cores. With ms, the pictures the posts
// name are looked up in the file's media folder, if it has one, and
// hashed while the parser runs ahead (mediaStage.run); each record
// arrives with its pictures' objects set.
func (im *Importer) readFile(ctx context.Context, in *input, opt Options, begin func(Format) error, emit func(*tahqiq.Parsed) error, consume func(*derived) error, ms *mediaStage) error {
	f, err := im.detect(in, opt)
	if err != nil {
		return err
	}
	if err := begin(f); err != nil {
		return err
	}
	var mf *mediaFolder
	if ms != nil {
		if mf, err = ms.open(opt, in, f.Name); err != nil {
			return err
		}
		if mf != nil {
			defer mf.close()
		}
	}
	parse := func(ctx context.Context, emit func(*tahqiq.Parsed) error) error {
		return parseFile(ctx, in, f, opt, emit)
	}
	if consume == nil {
		if mf == nil {
			return parse(ctx, emit)
		}
		return ms.run(ctx, in.file.Name, mf, parse, func(p *tahqiq.Parsed, _ []tahqiq.MediaFile) error { return emit(p) })
	}
	return pipeline(ctx, func(ctx context.Context, out func(*derived) error) error {
		if mf == nil {
			return parse(ctx, func(p *tahqiq.Parsed) error { return out(derive(p)) })
		}
		return ms.run(ctx, in.file.Name, mf, parse, func(p *tahqiq.Parsed, rows []tahqiq.MediaFile) error {
			d := derive(p)
			d.media = rows
			return out(d)
		})
	}, consume)
}

// detect returns the format of in: the forced one, or the detected one.
func (im *Importer) detect(in *input, opt Options) (Format, error) {
	head, err := in.head()
	if err != nil {
		return Format{}, err
	}
	if opt.Format != "" {
		f, err := im.Formats.Lookup(opt.Format)
		if err != nil {
			return f, err
		}
		if len(head) == 0 {
			return f, tahqiq.Errorf(tahqiq.EINVALID, "%s: empty input", in.file.Name)
		}
		return f, nil
	}
	return im.Formats.Detect(in.file.Name, head)
}

// parseFile runs the parser of f over in.
func parseFile(ctx context.Context, in *input, f Format, opt Options, emit func(*tahqiq.Parsed) error) error {
	src := tahqiq.Source{Name: in.file.Name, R: in.r, Options: opt.FormatOptions, SHA256: in.file.SHA256, Ahead: opt.ahead}
	parse := f.Parse
	if opt.lean && f.Lean != nil {
		parse = f.Lean
	}
	if workers := splitWorkers(opt.lean && f.Lean != nil); workers > 1 && in.gz == nil {
		switch {
		case opt.lean && f.Lean != nil && f.SplitLean != nil:
			parse = f.SplitLean(workers)
		case (!opt.lean || f.Lean == nil) && f.Split != nil:
			parse = f.Split(workers)
		}
	}
	err := parse(ctx, src, func(p *tahqiq.Parsed) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if p.Record.SourceFile == "" {
			p.Record.SourceFile = in.file.Name
		}
		if p.Record.Format == "" {
			p.Record.Format = f.Name
		}
		return emit(p)
	})
	if err != nil && tahqiq.ErrorCode(err) == tahqiq.EINVALID {
		var e *tahqiq.Error
		if errors.As(err, &e) && !strings.Contains(e.Message, in.file.Name) {
			return keepParam(tahqiq.Errorf(tahqiq.EINVALID, "%s: %s", in.file.Name, tahqiq.ErrorMessage(err)), err)
		}
	}
	return err
}

// splitWorkers is how many cores a parser that has them (Format.Split)
// reads an input on: TAHQIQ_PARSE_CORES when it is a number (1: on one
// core, as before the split; for comparing both in one binary,
// docs/benchmarks.md), else GOMAXPROCS for a lean read (coord --input:
// the parse leaves the strand of the reader's dataset, which bounds the
// read) and one core for an import (whose bound is the store's INSERTs:
// split, it measured no faster and slower under load). A variable for
// tests.
var splitWorkers = func(lean bool) int {
	def := 1
	if lean {
		def = runtime.GOMAXPROCS(0)
	}
	return parseCores(os.Getenv("TAHQIQ_PARSE_CORES"), def)
}

// parseCores is env as a number of cores of at least 1, or def.
func parseCores(env string, def int) int {
	if n, err := strconv.Atoi(strings.TrimSpace(env)); err == nil && n >= 1 {
		return n
	}
	return def
}

// isInputError reports whether err concerns one input file only (missing,
// empty, unrecognised), so the other files can still be imported.
func isInputError(err error) bool {
	switch tahqiq.ErrorCode(err) {
	case tahqiq.EINVALID, tahqiq.ENOTFOUND:
		return true
	}
	return false
}

// refusal is the error of an input that expanded beyond its limits: bad
// input, but not one file's reject, for the file was read in part.
func refusal(err error, then string) error {
	return tahqiq.Errorf(tahqiq.EINVALID, "%v; %s", err, then)
}

// fileReject reports a whole file that could not be read.
// A parameter its reason names (a *tahqiq.ParamError) is kept as one,
// for each interface to phrase (RejectIn).
func (s *Summary) fileReject(name string, err error) tahqiq.Reject {
	msg := tahqiq.ErrorMessage(err)
	r := tahqiq.Reject{File: name, Reason: strings.TrimPrefix(msg, name+": ")}
	var pe *tahqiq.ParamError
	if errors.As(err, &pe) && strings.Contains(msg, pe.Error()) {
		if s.params == nil {
			s.params = map[string]*tahqiq.ParamError{}
		}
		s.params[r.File+"\x00"+r.Reason] = &tahqiq.ParamError{Param: pe.Param, Text: strings.TrimPrefix(strings.Replace(msg, pe.Error(), pe.Text, 1), name+": ")}
	}
	return r
}

// RejectIn returns the reason of r, a reject of s, with the parameters it
// names said by name (the CLI: as its flags).
func (s Summary) RejectIn(r tahqiq.Reject, name func(param string) string) string {
	if pe := s.params[r.File+"\x00"+r.Reason]; pe != nil {
		return pe.Phrase(name)
	}
	return r.Reason
}

func nothingImported(sum Summary, headerOnly []string) error {
	msg := "nothing imported"
	var reasons []string
	for _, f := range headerOnly {
		reasons = append(reasons, f+": a header line and no row that could be imported")
	}
	param := "" // a parameter a reject names: the error names it too
	if len(sum.Rejected) > 0 {
		for i, r := range sum.Rejected {
			if i == 5 {
				reasons = append(reasons, "...")
				break
			}
			reason := r.Reason
			if pe := sum.params[r.File+"\x00"+r.Reason]; pe != nil {
				param, reason = cmp.Or(param, pe.Param), pe.Text
			}
			if r.Line > 0 {
				reasons = append(reasons, fmt.Sprintf("%s:%d: %s", r.File, r.Line, reason))
			} else {
				reasons = append(reasons, r.File+": "+reason)
			}
		}
	}
	if len(reasons) > 0 {
		msg += ": " + strings.Join(reasons, "; ")
	}
	if param != "" {
		return tahqiq.ParamErrorf(param, "%s", msg)
	}
	return tahqiq.Errorf(tahqiq.EINVALID, "%s", msg)
}

func (s *Summary) addReject(r tahqiq.Reject) {
	s.Rejects++
	if len(s.Rejected) < MaxRejectsListed {
		s.Rejected = append(s.Rejected, r)
	}
}

// datasetName returns name, or the base name of the first file without
// its extensions.
// DatasetName is the dataset an import of files goes into: name, or by
// default the first file's base name without its extensions.
func DatasetName(name string, files []string) string { return datasetName(name, files) }

func datasetName(name string, files []string) string {
	if name != "" {
		return name
	}
	if len(files) == 0 || files[0] == "-" {
		return "stdin"
	}
	base := filepath.Base(files[0])
	for _, ext := range []string{".gz", ".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt"} {
		base = strings.TrimSuffix(base, ext)
	}
	if base == "" {
		return "default"
	}
	return base
}
