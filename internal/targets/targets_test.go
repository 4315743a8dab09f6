package targets_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tahqiq/tahqiq/internal/targets"
)

func TestParseWatchlist(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []targets.Entry
		rejects int
		err     bool
	}{
		{"lines", "# officials\n@ECP_Pakistan\n1234567  # RO NA-56\nx:99\n\nbad handle!\n@ECP_pakistan\n",
			[]targets.Entry{{Account: "@ECP_Pakistan", Handle: "ecp_pakistan"}, {Account: "1234567", ID: "1234567"}, {Account: "x:99", ID: "x:99"}}, 2, false},
		{"csv", "account,label,aliases\nECP_Pakistan,election commission,الیکشن کمیشن;Election Commission\n42,RO NA-56,\n",
			[]targets.Entry{{Account: "ECP_Pakistan", Handle: "ecp_pakistan", Label: "election commission", Aliases: []string{"الیکشن کمیشن", "election commission"}},
				{Account: "42", ID: "42", Label: "RO NA-56"}}, 0, false},
		{"empty", "# nothing\n\n", nil, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, rejects, err := targets.ParseWatchlist([]byte(tc.in), "w")
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if len(rejects) != tc.rejects {
				t.Errorf("rejects = %v, want %d", rejects, tc.rejects)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tc.want, w.Entries); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseWatchlist(f *testing.F) {
	f.Add([]byte("@ECP_Pakistan\n123\n"))
	f.Add([]byte("account,label,aliases\nECP,x,a;b\n\"unterminated"))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, _, err := targets.ParseWatchlist(data, "f")
		if err != nil {
			return
		}
		for i, e := range w.Entries {
			if e.Handle == "" && e.ID == "" {
				t.Fatalf("entry %d has neither handle nor id: %+v", i, e)
			}
			if got := w.Lookup(e.ID, e.Handle); got != i {
				t.Fatalf("Lookup(%q, %q) = %d, want %d", e.ID, e.Handle, got, i)
			}
		}
	})
}

func TestRun(t *testing.T) {
	w, _, err := targets.ParseWatchlist([]byte("account,label,aliases\nECP_Pakistan,commission,\n42,RO NA-56,ریٹرننگ افسر\n"), "w")
	if err != nil {
		t.Fatal(err)
	}
	t0 := int64(1707390000) // 2024-02-08T11:00:00Z
	ecpPost := &targets.Ref{Handle: "ECP_Pakistan", PostID: "x:100"}
	posts := []targets.Post{
		{ID: "x:1", Account: "x:a1", Time: t0, HasTime: true, ReplyTo: ecpPost, Mentions: []targets.Ref{{Handle: "ECP_Pakistan"}}, Text: "@ECP_Pakistan shame"},
		{ID: "x:2", Account: "x:a2", Time: t0 + 30, HasTime: true, ReplyTo: ecpPost, Text: "@ECP_Pakistan shame on you"},
		{ID: "x:3", Account: "x:a3", Time: t0 + 400, HasTime: true, ReplyTo: ecpPost, Text: "too late"},
		{ID: "x:4", Account: "x:a4", Time: t0 + 40, HasTime: true, Mentions: []targets.Ref{{AccountID: "42", Handle: "ro_na56"}}, Text: "@ro_na56 changed form 45"},
		{ID: "x:5", Account: "x:a5", Time: t0 + 50, HasTime: true, Text: "ریٹرننگ افسر نے فارم 45 بدل دیا"},
		{ID: "x:6", Account: "x:ecp", Handle: "ECP_Pakistan", Time: t0 + 60, HasTime: true, Mentions: []targets.Ref{{Handle: "ECP_Pakistan"}}, Text: "our own post"},
		{ID: "x:7", Account: "x:a6", Time: t0 + 70, HasTime: true, Repost: true, Mentions: []targets.Ref{{Handle: "ECP_Pakistan"}}, Text: "RT @ECP_Pakistan"},
	}
	// a burst: 12 mentions of the RO in one hour, a day after a quiet hour
	for i := 0; i < 12; i++ {
		posts = append(posts, targets.Post{ID: fmt.Sprintf("x:b%d", i), Account: fmt.Sprintf("x:b%d", i%6), Time: t0 + 86400 + int64(i)*200, HasTime: true,
			Mentions: []targets.Ref{{AccountID: "x:42"}}, Text: "resign now"})
	}
	r, err := targets.Run(context.Background(), w, posts, targets.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	testWriteNames(t, r)
	types := map[string]string{}
	for _, e := range r.Events {
		types[r.Posts[e.Post].ID] = e.Type
	}
	want := map[string]string{"x:1": "reply", "x:2": "reply", "x:3": "reply", "x:4": "mention", "x:5": "name"}
	for i := 0; i < 12; i++ {
		want[fmt.Sprintf("x:b%d", i)] = "mention"
	}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Errorf("events (-want +got; the watched account's own post and reposts make none):\n%s", diff)
	}
	if len(r.Bursts) != 1 || r.Bursts[0].Target != 1 || r.Bursts[0].Events != 12 || r.Bursts[0].Actors != 6 {
		t.Errorf("bursts = %+v, want one of the RO: 12 events by 6 accounts", r.Bursts)
	}
	// x:a1 and x:a2 replied to the same post 30 s apart: co_reply and co_mention
	var e *targets.Edge
	for i := range r.Edges {
		if r.Edges[i].A == "x:a1" && r.Edges[i].B == "x:a2" {
			e = &r.Edges[i]
		}
	}
	if e == nil || e.CoReply != 1 || e.CoMention != 1 || e.MinDt != 30 || !r.Coordinated["x:a1"] {
		t.Errorf("edge a1-a2 = %+v, coordinated %v", e, r.Coordinated["x:a1"])
	}
	for _, ed := range r.Edges {
		if ed.A == "x:a3" || ed.B == "x:a3" {
			if ed.A == "x:a1" || ed.B == "x:a1" {
				t.Errorf("x:a3 (400 s later) paired with x:a1: %+v", ed)
			}
		}
	}
}

// testWriteNames: the run's files name the accounts beside their UIDs
// (issue 16), after the columns of before: events.csv actor_name (beside
// actor_handle), edges.csv and evidence.csv handle_a, name_a, handle_b,
// name_b; empty for an account the data names not.
func testWriteNames(t *testing.T, r *targets.Result) {
	t.Helper()
	names := map[string][2]string{"x:a1": {"ali_1", "علی رضا"}, "x:a2": {"", "Bilal, \"B\""}}
	dir := t.TempDir()
	if _, err := r.WriteDir(dir, targets.WriteOptions{Version: "test", Names: func(a string) (string, string) { return names[a][0], names[a][1] }}); err != nil {
		t.Fatal(err)
	}
	read := func(f string) [][]string {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	col := func(head []string, name string) int {
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("no column %s in %q", name, head)
		}
		return i
	}
	ev := read(targets.FileEvents)
	if h := ev[0]; h[len(h)-1] != "actor_name" || h[2] != "actor_id" || h[3] != "actor_handle" {
		t.Errorf("events.csv header %q", h)
	}
	for _, rec := range ev[1:] {
		if want := names[rec[2]][1]; rec[len(rec)-1] != want {
			t.Errorf("events.csv: %s named %q, want %q", rec[2], rec[len(rec)-1], want)
		}
	}
	for _, f := range []string{targets.FileEdges, targets.FileEvidence} {
		recs := read(f)
		h := recs[0]
		if !slices.Equal(h[len(h)-4:], []string{"handle_a", "name_a", "handle_b", "name_b"}) {
			t.Errorf("%s header %q", f, h)
		}
		a, b, seen := col(h, "account_a"), col(h, "account_b"), false
		for _, rec := range recs[1:] {
			n := len(rec)
			if rec[n-4] != names[rec[a]][0] || rec[n-3] != names[rec[a]][1] || rec[n-2] != names[rec[b]][0] || rec[n-1] != names[rec[b]][1] {
				t.Errorf("%s: %q names its accounts wrong", f, rec)
			}
			seen = seen || (rec[a] == "x:a1" && rec[b] == "x:a2")
		}
		if !seen {
			t.Errorf("%s: no row of x:a1 and x:a2", f)
		}
	}
}
