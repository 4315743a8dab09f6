package live_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/live"
)

func TestHub(t *testing.T) {
	path := filepath.Join(t.TempDir(), "alerts.jsonl")
	h, err := live.OpenHub(path)
	if err != nil {
		t.Fatal(err)
	}
	sub, cancel := h.Subscribe()
	defer cancel()
	for i, subject := range []string{"tahqiq.live.ru", "tahqiq.live.pk", "tahqiq.live.ru"} {
		r, err := h.Add(subject, live.Alert{Accounts: []string{"a", "b", string(rune('c' + i))}})
		if err != nil {
			t.Fatal(err)
		}
		if r.ID != int64(i+1) || r.Dataset != strings.TrimPrefix(subject, "tahqiq.live.") {
			t.Fatalf("alert %d: %+v", i, r)
		}
		if got := <-sub; got.ID != r.ID {
			t.Fatalf("subscriber got %d, want %d", got.ID, r.ID)
		}
	}
	ru := func(r live.Record) bool { return r.Dataset == "ru" }
	if got := h.Latest(0, ru, 0); len(got) != 2 || got[0].ID != 3 || got[1].ID != 1 {
		t.Fatalf("Latest ru: %+v", got)
	}
	if got := h.Latest(3, nil, 1); len(got) != 1 || got[0].ID != 2 {
		t.Fatalf("Latest before 3, 1: %+v", got)
	}
	if got := h.After(1, nil, 0); len(got) != 2 || got[0].ID != 2 {
		t.Fatalf("After 1: %+v", got)
	}

	// a subscriber that does not read is dropped (its channel closed), the others are not
	slow, cancelSlow := h.Subscribe()
	defer cancelSlow()
	for i := range 70 {
		if _, err := h.Add("tahqiq.live.ru", live.Alert{Time: time.Unix(int64(i), 0)}); err != nil {
			t.Fatal(err)
		}
		<-sub
	}
	n := 0
	for range slow {
		n++
	}
	if n != 64 {
		t.Fatalf("the slow subscriber got %d alerts before being dropped, want 64 (its buffer)", n)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if _, open := <-sub; open {
		t.Fatal("Close left a subscription open")
	}
	if _, err := h.Add("tahqiq.live.ru", live.Alert{}); err == nil {
		t.Fatal("Add after Close")
	}

	// reopened: the same alerts, numbering goes on
	h2, err := live.OpenHub(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := h2.Latest(0, nil, 0); len(got) != 73 || got[72].Accounts[2] != "c" {
		t.Fatalf("reopened: %d alerts", len(got))
	}
	if r, _ := h2.Add("tahqiq.live.pk", live.Alert{}); r.ID != 74 {
		t.Fatalf("next id %d, want 74", r.ID)
	}
	// the same alert raised again (a watch replaying what it had not
	// saved as seen) is recorded once, before and after a reopen
	again := live.Alert{Time: time.Unix(5, 0), Accounts: []string{"a", "b"}}
	first, _ := h2.Add("tahqiq.live.ru", again)
	if r, _ := h2.Add("tahqiq.live.ru", again); r.ID != first.ID || first.ID != 75 {
		t.Fatalf("repeated alert: ids %d and %d, want 75 twice", first.ID, r.ID)
	}
	if r, _ := h2.Add("tahqiq.live.pk", again); r.ID != 76 {
		t.Fatalf("the same accounts and time on another feed: id %d, want 76", r.ID)
	}
	h2.Close()
	h3, err := live.OpenHub(path)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := h3.Add("tahqiq.live.ru", again); r.ID != 75 {
		t.Fatalf("repeated alert after a reopen: id %d, want 75", r.ID)
	}
	if got := h3.Latest(0, nil, 0); len(got) != 76 {
		t.Fatalf("%d alerts held, want 76", len(got))
	}
	h3.Close()

	// a damaged file is an error naming the line
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("{not json\n")
	f.Close()
	if _, err := live.OpenHub(path); err == nil || !strings.Contains(err.Error(), "line 77") {
		t.Fatalf("damaged file: %v", err)
	}
}

// TestWatchersByFeed: shares of two feeds never pair with each other.
func TestWatchersByFeed(t *testing.T) {
	h, err := live.OpenHub(filepath.Join(t.TempDir(), "alerts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var got []live.Record
	ws := &live.Watchers{Params: live.Watcher{Window: 60, MinWeight: 1, GroupSize: 3}, Hub: h,
		OnAlert: func(r live.Record, err error) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, r)
		}}
	share := func(acc string, t int64) tahqiq.Share {
		return tahqiq.Share{Type: tahqiq.ObjURL, Object: "https://example.org/x", AccountID: acc, PostID: acc + "-post", Time: t}
	}
	// two accounts on each feed: no group of three anywhere
	ws.Add("tahqiq.live.a", []tahqiq.Share{share("u1", 10), share("u2", 11)})
	ws.Add("tahqiq.live.b", []tahqiq.Share{share("u3", 12), share("u4", 13)})
	if len(got) != 0 {
		t.Fatalf("alerts across feeds: %+v", got)
	}
	ws.Add("tahqiq.live.a", []tahqiq.Share{share("u5", 14)})
	if len(got) != 1 || got[0].Dataset != "a" || strings.Join(got[0].Accounts, ",") != "u1,u2,u5" {
		t.Fatalf("alert: %+v", got)
	}
	st := ws.Stats()
	if st["tahqiq.live.a"].Shares != 3 || st["tahqiq.live.b"].Pairs != 1 {
		t.Fatalf("stats: %+v", st)
	}
}

// TestPosition: a saved position reads back; no file is a fresh start; a
// damaged or impossible one is an error naming the file.
func TestPosition(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "watch.json")
	if pos, err := live.LoadPosition(path); err != nil || pos.Last != 0 {
		t.Fatalf("no file: %+v, %v", pos, err)
	}
	want := live.Position{Last: 90, Resume: 42, Params: live.PositionParams{Window: 60, Horizon: 86400, MinWeight: 2, GroupSize: 5}}
	if err := live.SavePosition(path, want); err != nil {
		t.Fatal(err)
	}
	if got, err := live.LoadPosition(path); err != nil || got.Last != 90 || got.Resume != 42 || got.Params.Horizon != 86400 {
		t.Fatalf("read back %+v, %v", got, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files in the directory after a save, want 1 (no temporary left)", len(ents))
	}
	for _, bad := range []string{"{not json", `{"last": 3, "resume": 9}`} {
		os.WriteFile(path, []byte(bad), 0o600)
		if _, err := live.LoadPosition(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v, want an error naming %s", bad, err, path)
		}
	}
}
