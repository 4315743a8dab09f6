// Package events imports coordination event tables: the events CSV of
// shared/data/coord (account_id,post_id,timestamp,time_utc,object_type,
// object_value) and CooRTweet's tables, in both of its layouts: the long
// table of prep_data (object_id,account_id,content_id,timestamp_share) and
// the wide table its bundled german_elections data comes in (account_id,
// post_id, one column per object type: url_id, hashtag_id, domain_id,
// phash_id, and timestamp). Every row is one raw record carrying one post
// with its stated share objects (one in the long layouts, those of the
// non-empty object columns in the wide one); rows of the same post repeat
// the post and the pipeline merges them by UID.
//
// This is the speed-critical importer: the row loop avoids maps, reflection
// and fmt. It does not derive shares and does not touch storage.
package events

import (
	"context"
	"crypto/sha256"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/csvrow"
)

// Format names.
const (
	FormatEvents    = "coord_events_csv"
	FormatCooRTweet = "coortweet_csv"
)

var (
	eventsCols    = []string{"account_id", "post_id", "timestamp", "object_type", "object_value"}
	coortweetCols = []string{"object_id", "account_id", "content_id", "timestamp_share"}
	wideCols      = []string{"account_id", "post_id", "timestamp"}
	// wideObjects are the object columns of CooRTweet's wide layout and
	// the object types they hold.
	wideObjects = []struct {
		col string
		typ tahqiq.ObjectType
	}{{"url_id", tahqiq.ObjURL}, {"hashtag_id", tahqiq.ObjHashtag}, {"domain_id", tahqiq.ObjDomain}, {"phash_id", tahqiq.ObjImage}}
)

// layout is one of the table layouts this package reads.
type layout int

const (
	noLayout layout = iota
	eventsLayout
	longLayout // CooRTweet's object_id,account_id,content_id,timestamp_share
	wideLayout // CooRTweet's account_id,post_id,<type>_id...,timestamp
)

// layoutOf returns the layout of a header.
func layoutOf(h []string) layout {
	switch {
	case csvrow.HasColumns(h, eventsCols...):
		return eventsLayout
	case csvrow.HasColumns(h, coortweetCols...):
		return longLayout
	case csvrow.HasColumns(h, wideCols...) && !csvrow.HasColumns(h, "object_type"):
		for _, o := range wideObjects {
			if csvrow.HasColumns(h, o.col) {
				return wideLayout
			}
		}
	}
	return noLayout
}

// Sniff recognises the tables by their header names.
func Sniff(head []byte) (string, bool) {
	switch layoutOf(csvrow.HeaderFields(head)) {
	case eventsLayout:
		return FormatEvents, true
	case longLayout, wideLayout:
		return FormatCooRTweet, true
	}
	return "", false
}

// Parse reads any of the tables. Options: "platform" (default "other")
// sets the platform of post and account UIDs; "object_type" (default
// "retweet") is the object type of CooRTweet's long rows, which carry
// none.
func Parse(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
	return parse(ctx, src, "", false, 1, emit)
}

// ParseEvents reads an events table only: a header of another layout is
// an EINVALID error naming the events column it lacks.
func ParseEvents(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
	return parse(ctx, src, FormatEvents, false, 1, emit)
}

// ParseEventsLean is ParseEvents for a reader that keeps nothing of a
// record but strings (ingest's Format.Lean): one Parsed, with one post and
// one object, is reused for every row and valid until emit returns; a row
// the CSV reader takes carries no Raw bytes, and no row a SHA256 or
// Locator. The records, their posts and the rejects are ParseEvents'.
func ParseEventsLean(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
	return parse(ctx, src, FormatEvents, true, 1, emit)
}

// ParseCooRTweet reads CooRTweet's tables only (long or wide): another
// header is an EINVALID error naming both layouts' columns.
func ParseCooRTweet(ctx context.Context, src tahqiq.Source, emit func(*tahqiq.Parsed) error) error {
	return parse(ctx, src, FormatCooRTweet, false, 1, emit)
}

func parse(ctx context.Context, src tahqiq.Source, want string, lean bool, workers int, emit func(*tahqiq.Parsed) error) error {
	r, err := csvrow.NewReader(src.R, src.Name)
	if err != nil {
		return err
	}
	platform := tahqiq.PlatformOther
	if p := src.Options["platform"]; p != "" {
		platform = p
	}
	rp := &rows{name: src.Name, platform: platform, prefix: platform + ":", names: &eventsNames, lean: lean}
	if lean {
		rp.ahead = src.Ahead
	}
	lay := layoutOf(r.Header())
	switch {
	case lay == eventsLayout && want != FormatCooRTweet:
		rp.format = FormatEvents
		idx, _ := r.Require(eventsCols...)
		rp.iAcc, rp.iPost, rp.iTime, rp.iType, rp.iVal = idx[0], idx[1], idx[2], idx[3], idx[4]
	case lay == longLayout && want != FormatEvents:
		rp.format = FormatCooRTweet
		rp.names = &coortweetNames
		idx, _ := r.Require(coortweetCols...)
		rp.iVal, rp.iAcc, rp.iPost, rp.iTime, rp.iType = idx[0], idx[1], idx[2], idx[3], -1
		t := tahqiq.ObjRetweet
		if o := src.Options["object_type"]; o != "" {
			var ok bool
			if t, ok = objectType(o); !ok {
				return tahqiq.Errorf(tahqiq.EINVALID, "%s: unknown object_type option %q", src.Name, o)
			}
		}
		rp.fixedType = t
	case lay == wideLayout && want != FormatEvents:
		return parseWide(ctx, r, src.Name, platform, emit)
	case want == FormatCooRTweet:
		return tahqiq.Errorf(tahqiq.EINVALID, "%s: not a CooRTweet table: want the columns %s (prep_data's long table) or %s with one or more of %s (the wide table of its datasets)",
			src.Name, strings.Join(coortweetCols, ","), strings.Join(wideCols, ","), wideObjectCols())
	default:
		_, err := r.Require(eventsCols...)
		return err
	}
	if err := emit(csvrow.HeaderRecord(r, rp.format, src.Name)); err != nil {
		return err
	}
	if lean {
		r.OmitRaw()
	}
	if workers > 1 {
		return rp.split(ctx, r, workers, emit)
	}
	var slabs alloc
	var one tahqiq.Parsed // lean: every row's
	next := r.Next
	if lean {
		slabs.reuse = true
		var stop func()
		next, stop = readAhead(r)
		defer stop()
	}
	for n := 0; ; n++ {
		if n&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		row, err := next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		p := &one
		if !lean {
			p = new(tahqiq.Parsed)
		}
		rp.record(p, row, &slabs)
		if err := emit(p); err != nil {
			return err
		}
	}
}

// rows turns the rows of a table of the events or CooRTweet's long
// layout into records.
type rows struct {
	format, name     string
	platform, prefix string
	names            *columns
	fixedType        tahqiq.ObjectType // of every row when iType < 0
	iAcc, iPost      int
	iTime, iType     int
	iVal             int
	lean             bool                 // no Locator, SHA256 (and Raw: the reader omits it)
	ahead            tahqiq.AccountsAhead // a lean split parse's (Source.Ahead)
}

// record sets *p to the record of row, its post from slabs.
func (rp *rows) record(p *tahqiq.Parsed, row *csvrow.Row, slabs *alloc) {
	if rp.lean {
		*p = tahqiq.Parsed{Record: tahqiq.RawRecord{Format: rp.format, SourceFile: rp.name, Line: row.Line, Offset: row.Offset, Raw: row.Raw}}
	} else {
		*p = tahqiq.Parsed{Record: tahqiq.RawRecord{
			Format: rp.format, SourceFile: rp.name, Line: row.Line, Offset: row.Offset,
			Locator: "L" + strconv.FormatInt(row.Line, 10), Raw: row.Raw, SHA256: sha256.Sum256(row.Raw),
		}}
	}
	if row.Reject != "" {
		p.Reject = row.Reject
	} else {
		f := row.Fields
		var typ tahqiq.ObjectType
		if typ, p.Reject = rp.rowType(f, row.Line); p.Reject == "" {
			p.Reject = fill(p, slabs, rp.names, f[rp.iAcc], f[rp.iPost], f[rp.iTime], typ, f[rp.iVal], rp.platform, rp.prefix, row.Line)
		}
	}
	if p.Reject == "" {
		p.Record.Kind = tahqiq.RecordPost
	}
}

// rowType returns the object type of a row with fields f (the table's
// object_type column, or the one type of a table without it), or why the
// row is rejected.
func (rp *rows) rowType(f []string, line int64) (tahqiq.ObjectType, string) {
	if rp.iType < 0 {
		return rp.fixedType, ""
	}
	typ, ok := objectType(f[rp.iType])
	if !ok {
		return "", reject(line, "unknown object_type ", f[rp.iType])
	}
	return typ, ""
}

func wideObjectCols() string {
	cols := make([]string, len(wideObjects))
	for i, o := range wideObjects {
		cols[i] = o.col
	}
	return strings.Join(cols, ", ")
}

var wideNames = columns{"account_id", "post_id", ""}

// parseWide reads CooRTweet's wide layout: one post per row with one
// object per non-empty object column (a row without any is a post that
// shares nothing). The timestamp is unix seconds, with a fraction (the
// column is a float in R) giving millisecond precision.
func parseWide(ctx context.Context, r *csvrow.Reader, name, platform string, emit func(*tahqiq.Parsed) error) error {
	idx, _ := r.Require(wideCols...)
	iAcc, iPost, iTime := idx[0], idx[1], idx[2]
	type objCol struct {
		i   int
		typ tahqiq.ObjectType
	}
	var cols []objCol
	for _, o := range wideObjects {
		if i := r.Index(o.col); i >= 0 {
			cols = append(cols, objCol{i, o.typ})
		}
	}
	prefix := platform + ":"
	return csvrow.Each(ctx, r, FormatCooRTweet, name, emit, func(p *tahqiq.Parsed, f []string) string {
		acc, post, ts := f[iAcc], f[iPost], f[iTime]
		line := p.Record.Line
		switch {
		case acc == "":
			return reject(line, "empty account id", "")
		case post == "":
			return reject(line, "empty post id", "")
		case tahqiq.FloatMangled(acc):
			return floatID(line, wideNames.acc, acc)
		case tahqiq.FloatMangled(post):
			return floatID(line, wideNames.post, post)
		}
		created, prec, ok := unixTime(ts)
		if !ok {
			return reject(line, "timestamp is not unix seconds: ", strconv.Quote(ts))
		}
		var objs []tahqiq.Object
		for _, c := range cols {
			if v := f[c.i]; v != "" {
				objs = append(objs, tahqiq.Object{Type: c.typ, Value: v})
			}
		}
		p.Record.Kind = tahqiq.RecordPost
		p.Posts = []tahqiq.Post{{
			UID: prefix + post, Platform: platform, PlatformID: post, AuthorUID: prefix + acc,
			Kind: tahqiq.KindOriginal, CreatedAt: created, CreatedAtRaw: ts, Precision: prec, Objects: objs,
		}}
		return ""
	})
}

// unixTime reads unix seconds written as an integer or with a decimal
// fraction (never with an exponent: that lost digits).
func unixTime(s string) (time.Time, tahqiq.Precision, bool) {
	whole, frac, dot := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || whole == "" || whole[0] == '+' || whole[0] == '-' {
		return time.Time{}, "", false
	}
	if !dot || strings.Trim(frac, "0") == "" {
		if dot && frac == "" {
			return time.Time{}, "", false
		}
		return time.Unix(sec, 0).UTC(), tahqiq.PrecisionSecond, true
	}
	for i := 0; i < len(frac); i++ {
		if frac[i] < '0' || frac[i] > '9' {
			return time.Time{}, "", false
		}
	}
	ms, _ := strconv.ParseInt((frac + "000")[:3], 10, 64)
	return time.Unix(sec, ms*1e6).UTC(), tahqiq.PrecisionMillisecond, true
}

// columns names the account, post and object columns of a layout, for
// reject reasons.
type columns struct{ acc, post, val string }

var (
	eventsNames    = columns{"account_id", "post_id", "object_value"}
	coortweetNames = columns{"account_id", "content_id", "object_id"}
)

// fill sets the post of p, or returns a reject reason. The UIDs share one
// string allocation; posts and objects come from slabs (see alloc).
func fill(p *tahqiq.Parsed, a *alloc, names *columns, acc, post, ts string, typ tahqiq.ObjectType, val, platform, prefix string, line int64) string {
	sec, why := checkRow(names, acc, post, ts, typ, val, line)
	if why != "" {
		return why
	}
	uids, n := joinUIDs(prefix, post, acc)
	setPost(p, a, platform, post, ts, sec, typ, val, uids, n)
	return ""
}

// checkRow returns the time of a row's post, or why the row is rejected.
func checkRow(names *columns, acc, post, ts string, typ tahqiq.ObjectType, val string, line int64) (int64, string) {
	switch {
	case acc == "":
		return 0, reject(line, "empty account id", "")
	case post == "":
		return 0, reject(line, "empty post id", "")
	case val == "":
		return 0, reject(line, "empty object value", "")
	case tahqiq.FloatMangled(post):
		return 0, floatID(line, names.post, post)
	case tahqiq.FloatMangled(acc):
		return 0, floatID(line, names.acc, acc)
	case (typ == tahqiq.ObjRetweet || typ == tahqiq.ObjReply) && tahqiq.FloatMangled(val):
		return 0, floatID(line, names.val, val) // the id of the retweeted or answered post
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return 0, reject(line, "timestamp is not integer unix seconds: ", strconv.Quote(ts))
	}
	return sec, ""
}

// joinUIDs returns the post's and the account's UIDs in one string, the
// post's its first n bytes.
func joinUIDs(prefix, post, acc string) (string, int) {
	return prefix + post + prefix + acc, len(prefix) + len(post)
}

// setPost sets the post of p, of a row checkRow let through.
func setPost(p *tahqiq.Parsed, a *alloc, platform, post, ts string, sec int64, typ tahqiq.ObjectType, val, uids string, n int) {
	kind := tahqiq.KindOriginal
	if typ == tahqiq.ObjRetweet {
		kind = tahqiq.KindRepost
	}
	ps, os := a.next()
	os[0] = tahqiq.Object{Type: typ, Value: val}
	ps[0] = tahqiq.Post{
		UID: uids[:n], Platform: platform, PlatformID: post, AuthorUID: uids[n:],
		Kind: kind, CreatedAt: time.Unix(sec, 0).UTC(), CreatedAtRaw: ts, Precision: tahqiq.PrecisionSecond,
		Objects: os,
	}
	p.Posts = ps
}

// alloc hands out one-element post and object slices cut from larger
// slabs, so that a row costs two allocations fewer. Each slice has its
// capacity capped: appending to it reallocates instead of touching the
// neighbour.
// With reuse (a lean parse), every row gets the same one post and object.
type alloc struct {
	posts []tahqiq.Post
	objs  []tahqiq.Object
	reuse bool
	post  [1]tahqiq.Post
	obj   [1]tahqiq.Object
}

const slab = 128

func (a *alloc) next() ([]tahqiq.Post, []tahqiq.Object) {
	if a.reuse {
		return a.post[:1:1], a.obj[:1:1]
	}
	if len(a.posts) == 0 {
		a.posts = make([]tahqiq.Post, slab)
		a.objs = make([]tahqiq.Object, slab)
	}
	ps, os := a.posts[:1:1], a.objs[:1:1]
	a.posts, a.objs = a.posts[1:], a.objs[1:]
	return ps, os
}

// floatID is the reason of a spreadsheet-mangled id in column col.
func floatID(line int64, col, v string) string {
	return reject(line, col+" "+strconv.Quote(v), " looks like a number a spreadsheet wrote: the id lost digits and is never used or rounded")
}

func reject(line int64, what, detail string) string {
	return "line " + strconv.FormatInt(line, 10) + ": " + what + detail
}

// objectType maps an object_type cell to a share object type: the names of
// tahqiq.ObjectTypes, plus "phash" for images.
func objectType(s string) (tahqiq.ObjectType, bool) {
	switch s {
	case "phash":
		return tahqiq.ObjImage, true
	case "retweet":
		return tahqiq.ObjRetweet, true
	case "url":
		return tahqiq.ObjURL, true
	case "domain":
		return tahqiq.ObjDomain, true
	case "hashtag":
		return tahqiq.ObjHashtag, true
	}
	for _, t := range tahqiq.ObjectTypes {
		if string(t) == s {
			return t, true
		}
	}
	return "", false
}

// readAhead reads the rows of r on a goroutine of its own, a batch at a
// time, so that the CSV parsing of a lean read runs beside what is done
// with its rows: next gives them in order, as r.Next would (a row is
// valid until the next call), and stop ends the reading (it must be
// called, and nothing read from r's input after it returns).
func readAhead(r *csvrow.Reader) (next func() (*csvrow.Row, error), stop func()) {
	const batches, batchRows = 3, 1024
	type batch struct {
		rows   []csvrow.Row
		fields []string
		ends   []int // rows[i].Fields is fields[ends[i-1]:ends[i]] (nil for a reject)
		err    error // after the rows: io.EOF, or the reader's error
	}
	full := make(chan *batch, batches)
	free := make(chan *batch, batches)
	done := make(chan struct{})
	for range batches {
		free <- &batch{}
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(full)
		for {
			var b *batch
			select {
			case b = <-free:
			case <-done:
				return
			}
			b.rows, b.fields, b.ends, b.err = b.rows[:0], b.fields[:0], b.ends[:0], nil
			for len(b.rows) < batchRows {
				row, err := r.Next()
				if err != nil {
					b.err = err
					break
				}
				b.fields = append(b.fields, row.Fields...)
				b.ends = append(b.ends, len(b.fields))
				b.rows = append(b.rows, *row)
			}
			start := 0
			for i := range b.rows {
				if b.rows[i].Fields != nil {
					b.rows[i].Fields = b.fields[start:b.ends[i]:b.ends[i]]
				}
				start = b.ends[i]
			}
			select {
			case full <- b:
			case <-done:
				return
			}
			if b.err != nil {
				return
			}
		}
	})
	var cur *batch
	i := 0
	next = func() (*csvrow.Row, error) {
		for cur == nil || i == len(cur.rows) {
			if cur != nil {
				if cur.err != nil {
					return nil, cur.err
				}
				free <- cur
			}
			b, ok := <-full
			if !ok {
				return nil, io.EOF // stopped
			}
			cur, i = b, 0
		}
		i++
		return &cur.rows[i-1], nil
	}
	return next, func() {
		close(done)
		wg.Wait()
	}
}
