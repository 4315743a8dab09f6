package events_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/events"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

// collect parses data with fn and returns copies of its records (leanView
// for a lean parser, which reuses them) and its error.
func collect(t *testing.T, fn tahqiq.ParseFunc, name string, r io.Reader, lean bool) ([]tahqiq.Parsed, error) {
	t.Helper()
	var out []tahqiq.Parsed
	err := fn(t.Context(), tahqiq.Source{Name: name, R: r}, func(p *tahqiq.Parsed) error {
		if lean {
			out = append(out, leanView(p))
		} else {
			out = append(out, *p)
		}
		return nil
	})
	return out, err
}

// sameSplit fails unless the split parsers give the records and the error
// of the parsers on one core, for data cut into chunks of size bytes.
func sameSplit(t *testing.T, name string, data []byte, size int) {
	t.Helper()
	defer events.SetChunkSize(size)()
	for _, tc := range []struct {
		one, split tahqiq.ParseFunc
		lean       bool
	}{
		{events.ParseEvents, events.ParseEventsSplit(3), false},
		{events.ParseEventsLean, events.ParseEventsLeanSplit(2), true},
		{events.ParseCooRTweet, events.ParseCooRTweetSplit(2), false},
	} {
		want, errWant := collect(t, tc.one, name, bytes.NewReader(data), tc.lean)
		got, errGot := collect(t, tc.split, name, bytes.NewReader(data), tc.lean)
		if (errWant == nil) != (errGot == nil) || errWant != nil && errWant.Error() != errGot.Error() {
			t.Fatalf("%s (chunks of %d): error %v, want %v", name, size, errGot, errWant)
		}
		if len(got) != len(want) {
			t.Fatalf("%s (chunks of %d): %d records, want %d", name, size, len(got), len(want))
		}
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("%s (chunks of %d): record %d (line %d):\n got %+v\nwant %+v", name, size, i, want[i].Record.Line, got[i], want[i])
			}
		}
		if tc.lean {
			sameAhead(t, name, data, size, tc.split, want)
		}
	}
}

// aheadLog is a tahqiq.AccountsAhead that keeps what it is told: the
// accounts, and how many of them were flushed.
type aheadLog struct {
	mu      sync.Mutex
	told    []string
	flushed int
}

func (a *aheadLog) Account(line int64, uid string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.told = append(a.told, fmt.Sprint(line, " ", uid))
}

func (a *aheadLog) Flush() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.flushed = len(a.told)
}

// sameAhead fails unless the lean split parser fn, given the accounts
// ahead, gives the records want and tells every post's author, with its
// record's line, in order, flushed before the record is emitted.
func sameAhead(t *testing.T, name string, data []byte, size int, fn tahqiq.ParseFunc, want []tahqiq.Parsed) {
	t.Helper()
	var log aheadLog
	var got, wantTold []string
	err := fn(t.Context(), tahqiq.Source{Name: name, R: bytes.NewReader(data), Ahead: &log}, func(p *tahqiq.Parsed) error {
		for _, post := range p.Posts {
			s := fmt.Sprint(p.Record.Line, " ", post.AuthorUID)
			got = append(got, s)
			// told, and flushed, before the record comes (the parser's
			// goroutine finished the chunk, which happened before)
			log.mu.Lock()
			if n := len(got); n > log.flushed || log.told[n-1] != s {
				t.Errorf("%s (chunks of %d): record at line %d emitted before its author was told ahead", name, size, p.Record.Line)
			}
			log.mu.Unlock()
		}
		return nil
	})
	for _, p := range want {
		for _, post := range p.Posts {
			wantTold = append(wantTold, fmt.Sprint(p.Record.Line, " ", post.AuthorUID))
		}
	}
	if err == nil && !reflect.DeepEqual(log.told, wantTold) || !reflect.DeepEqual(got, wantTold) {
		t.Fatalf("%s (chunks of %d): told ahead %d accounts, emitted %d, want %d", name, size, len(log.told), len(got), len(wantTold))
	}
}

// TestSplitEqualsParse: parsing on several cores gives every record,
// reject and error of the parse on one, in order, whatever the chunks:
// on the fixtures, a table of rejects with quoted newlines, and the real
// tables (the Russian one in -short).
func TestSplitEqualsParse(t *testing.T) {
	bad := "account_id,post_id,timestamp,time_utc,object_type,object_value\n" +
		"a1,p1,1600000000,,retweet,\"x\ny\"\n" + // a quoted newline
		"a2,p2,1600000001,,nope,v\n" + // an unknown type
		"a3,p3,1.6e9,,url,\"u\"\"v\"\n" + // not integer seconds
		"a4,p4,1600000002,,url,b\"are\n" + // a bare quote
		"\n" +
		"a5,\"p\r\n5\",1600000003,,hashtag,h\r\n" +
		",p6,1600000004,,url,u\n" +
		"a7,p7,1600000005,,url\n" + // a field short
		"a8,p8,1600000006,,url,\"open\n"
	files := parsetest.Fixtures(t, "testdata/*.csv")
	files = withRealTables(t, files)
	for _, size := range []int{1, 7, 100, 4 << 10} {
		sameSplit(t, "bad.csv", []byte(bad), size)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sizes := []int{1000, 64 << 10}
		if testing.Short() && len(data) > 1<<20 {
			sizes = sizes[1:]
		}
		for _, size := range sizes {
			sameSplit(t, filepath.Base(f), data, size)
		}
	}
}

func FuzzSplitEqualsParse(f *testing.F) {
	for _, p := range parsetest.Fixtures(f, "testdata/*.csv") {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data[:min(len(data), 4000)], uint16(300))
	}
	f.Add([]byte("account_id,post_id,timestamp,object_type,object_value\na,\"p\n\",1,url,\"x\"y\nb,p,2,url,v\n"), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, size uint16) {
		sameSplit(t, "fuzz.csv", data, int(size)+1)
	})
}

// failing reads data, then fails.
type failing struct {
	r   io.Reader
	err error
}

func (f *failing) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

// TestSplitErrors: an error of the input comes after the records before
// it, with the message of the parse on one core; a cancelled context and
// an error of emit stop the parse, and no goroutine is left reading.
func TestSplitErrors(t *testing.T) {
	defer events.SetChunkSize(64)()
	var b strings.Builder
	b.WriteString("account_id,post_id,timestamp,object_type,object_value\n")
	for i := range 3000 {
		fmt.Fprintf(&b, "a%d,p%d,%d,url,u%d\n", i%7, i, 1600000000+i, i)
	}
	data := []byte(b.String())
	broken := errors.New("disk on fire")
	for _, lean := range []bool{false, true} {
		one, split := events.ParseEvents, events.ParseEventsSplit(2)
		if lean {
			one, split = events.ParseEventsLean, events.ParseEventsLeanSplit(2)
		}
		want, errWant := collect(t, one, "x.csv", &failing{bytes.NewReader(data), broken}, lean)
		got, errGot := collect(t, split, "x.csv", &failing{bytes.NewReader(data), broken}, lean)
		if !errors.Is(errGot, broken) || errWant == nil || errGot.Error() != errWant.Error() {
			t.Fatalf("lean %v: error %v, want %v", lean, errGot, errWant)
		}
		if len(got) != len(want) || len(got) < 150 {
			t.Fatalf("lean %v: %d records before the error, want %d", lean, len(got), len(want))
		}
		ctx, cancel := context.WithCancel(t.Context())
		n := 0
		err := split(ctx, tahqiq.Source{Name: "x.csv", R: bytes.NewReader(data)}, func(*tahqiq.Parsed) error {
			if n++; n == 10 {
				cancel()
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) || n > 1024 {
			t.Errorf("lean %v: cancelled: %v after %d records", lean, err, n)
		}
		stop := errors.New("enough")
		n = 0
		err = split(t.Context(), tahqiq.Source{Name: "x.csv", R: bytes.NewReader(data)}, func(*tahqiq.Parsed) error {
			if n++; n == 50 {
				return stop
			}
			return nil
		})
		if err != stop || n != 50 {
			t.Errorf("lean %v: emit's error: %v after %d records", lean, err, n)
		}
	}
}
