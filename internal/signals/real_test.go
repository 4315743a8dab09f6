package signals_test

import (
	"context"
	"testing"

	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/signals"
)

// read feeds files through the importers to a Builder, as a run of
// --input files does: every record's accounts, every post as first seen.
func read(tb testing.TB, files ...string) *signals.Builder {
	tb.Helper()
	var bl signals.Builder
	im := &ingest.Importer{Formats: ingest.Default()}
	_, err := im.Read(context.Background(), files, ingest.Options{}, func(it *ingest.Item) error {
		for _, a := range it.Parsed.Accounts {
			bl.Account(a)
		}
		for i := range it.Parsed.Posts {
			if it.New[i] {
				bl.Author(it.Parsed.Posts[i].AuthorUID)
				bl.Post(&it.Parsed.Posts[i])
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return &bl
}

// Real exports: what each carries gives signals, what it lacks stays
// empty. The expected values were read off the files (jq, by hand).
func TestRealData(t *testing.T) {
	if testing.Short() {
		t.Skip("signals of real datasets (about 5 s): not in -short (go test ./..., as CI runs it, does)")
	}
	for _, tc := range []struct {
		name     string
		file     []string
		accounts int
		account  string
		want     map[string]string // column -> cell
	}{
		{"twarc2 default handle", []string{"twarc-csv-testdata", "2sets.jsonl"}, 251, "x:963465855538524162", map[string]string{
			"created_at": "2018-02-13T17:32:15Z", "default_handle": "true", "handle_digits": "8", "handles": "paulafr68963440",
			"followers": "30027", "following": "18934", "posts_count": "24761", "follow_ratio": "0.2003", "clients": "Twitter for iPad:1",
			"hour_entropy": "", // one post
		}},
		{"twarc2 ten posts in an hour", []string{"twarc-csv-testdata", "2sets.jsonl"}, 251, "x:1413141881983172615", map[string]string{
			"posts_total": "10", "active_days": "1", "posts_per_day": "10", "max_posts_1h": "10", "link_share": "1",
			"clients": "Twitter for Android:10", "client_top_share": "1", "default_handle": "false", "fast_gap_share": "1",
		}},
		{"twarc2 named handle", []string{"twarc-csv-testdata", "2sets.jsonl"}, 251, "x:1164497209351479296", map[string]string{
			"default_handle": "false", "handles": "official_ARIAZ", "names": "아리아즈 ARIAZ", "renames": "0",
		}},
		// 538's rows give the author's followers at each tweet: the profile is the first row's, the range all rows'
		{"IRA 538 rows", []string{"ira-538-by-author", "tweets_2016-11-01_to_2016-11-10.csv"}, 371, "x:@bogdankravcov", map[string]string{
			"created_at": "", "posts_total": "135", "active_days": "10", "max_posts_24h": "21", "repost_share": "1",
			"hour_entropy": "4.4205", "hour_entropy_norm": "0.9641", "followers": "2685", "followers_min": "2622", "followers_max": "2685",
			"clients": "", "default_handle": "false",
		}},
		// Telethon: a channel, no client, no follower count
		{"Telegram channel", []string{"telegram-toolkit-telethon", "durov_1006503122.jsonl"}, 1, "telegram:channel1006503122", map[string]string{
			"posts_total": "208", "active_days": "162", "max_posts_1h": "6", "hour_entropy": "3.6782", "clients": "",
			"followers": "", "follow_ratio": "", "default_handle": "", "names": "durov",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bl := read(t, parsetest.DataDir(t, append([]string{"social"}, tc.file...)...))
			if bl.Len() != tc.accounts {
				t.Errorf("%d accounts, want %d", bl.Len(), tc.accounts)
			}
			r := bl.Row(tc.account)
			if r == nil {
				t.Fatalf("no row for %s", tc.account)
			}
			for col, want := range tc.want {
				c, ok := signals.ColumnByName(col)
				if !ok {
					t.Fatalf("no column %s", col)
				}
				if got := c.Value(r); got != want {
					t.Errorf("%s = %q, want %q", col, got, want)
				}
			}
		})
	}
}
