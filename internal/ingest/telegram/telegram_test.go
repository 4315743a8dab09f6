package telegram_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
	"github.com/tahqiq/tahqiq/internal/ingest/telegram"
)

// Expected counts were computed independently with Python's json module,
// slicing each entity's UTF-16 code units (text.encode("utf-16-le")) and
// checking that hashtags start with "#" and mentions with "@":
// msgs = lines, service = "_" == "MessageService", fwd = fwd_from set,
// known = fwd_from.from_id and channel_post set, reply = reply_to.reply_to_msg_id set
// (in messages that are not service messages: a pin answers the pinned message).
func TestTelethonRealFiles(t *testing.T) {
	tests := []struct {
		dir, file                                                   string
		msgs, service, fwd, known, reply, hashtags, mentions, links int
	}{
		{"telegram-toolkit-telethon", "bookshub25_1451760157.jsonl", 24, 2, 0, 0, 0, 0, 0, 1},
		{"telegram-toolkit-telethon", "btcchamp_1150750640.jsonl", 644, 64, 150, 149, 1, 68, 246, 930 + 697},
		{"telegram-toolkit-telethon", "crypto_pumps_profits_signals_1886383603.jsonl", 968, 146, 0, 0, 1, 0, 730, 40 + 24},
		{"telegram-toolkit-telethon", "crypto_pumps_signals_big_1843949501.jsonl", 1045, 160, 0, 0, 1, 0, 786, 45 + 68},
		{"telegram-toolkit-telethon", "crypto_pumps_signals_global_1890625146.jsonl", 1044, 164, 0, 0, 1, 0, 785, 45 + 67},
		{"telegram-toolkit-telethon", "crypto_pumps_whales_signals_1591996423.jsonl", 1067, 164, 0, 0, 1, 0, 804, 45 + 79},
		{"telegram-toolkit-telethon", "durov_1006503122.jsonl", 210, 2, 1, 1, 1, 5, 35, 104 + 183},
		{"telegram-toolkit-telethon", "icospeaksnews_1394763592.jsonl", 1120, 62, 120, 118, 2, 223, 586, 1648 + 1818},
		{"telegram-toolkit-telethon", "ieopools_1325905169.jsonl", 730, 83, 157, 156, 0, 77, 276, 1141 + 1031},
		{"telegram-toolkit-telethon", "proxyme_1195603742.jsonl", 6, 1, 0, 0, 2, 0, 0, 12},
		{"gesis-telegram-telethon", "bloomberg.jsonl", 3, 0, 0, 0, 0, 0, 0, 3},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			path := parsetest.DataDir(t, "social", tc.dir, tc.file)
			if f, ok := telegram.Sniff(parsetest.ReadFile(t, path)); !ok || f != telegram.FormatTelethon {
				t.Fatalf("Sniff = %q, %v", f, ok)
			}
			res := parsetest.Run(t, telegram.Parse, path, nil, nil)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			parsetest.Check(t, res)
			var got struct{ msgs, service, fwd, known, reply, hashtags, mentions, links, rejects int }
			for _, p := range res.Parsed {
				if p.Reject != "" {
					got.rejects++
					continue
				}
				got.msgs++
				if p.Record.Kind == tahqiq.RecordOther && bytes.Contains(p.Record.Raw[:30], []byte(`"MessageService"`)) {
					// a pin, a join, a title change: kept as a record,
					// never a post
					got.service++
					if len(p.Posts) != 0 {
						t.Fatalf("%s: service message made posts %+v", p.Record.Locator, p.Posts)
					}
					continue
				}
				if len(p.Posts) != 1 || p.Record.Kind != tahqiq.RecordPost {
					t.Fatalf("%s: kind %q, %d posts", p.Record.Locator, p.Record.Kind, len(p.Posts))
				}
				post := p.Posts[0]
				runes := []rune(post.Text)
				for _, r := range post.References {
					switch r.Type {
					case tahqiq.RefForwardOf:
						got.fwd++
						if r.TargetUID != "" {
							got.known++
						}
					case tahqiq.RefReplyTo:
						got.reply++
					}
				}
				for _, h := range post.Hashtags {
					if runes[h.Start] != '#' || string(runes[h.Start+1:h.End]) != h.Text {
						t.Fatalf("%s: hashtag %+v does not slice %q", p.Record.Locator, h, post.Text)
					}
					got.hashtags++
				}
				for _, m := range post.Mentions {
					if runes[m.Start] != '@' || string(runes[m.Start+1:m.End]) != m.Text {
						t.Fatalf("%s: mention %+v does not slice %q", p.Record.Locator, m, post.Text)
					}
					got.mentions++
				}
				got.links += len(post.Links)
				if want := "telegram:" + post.ContainerID; post.AuthorUID != want {
					t.Fatalf("%s: author %q, want %q", p.Record.Locator, post.AuthorUID, want)
				}
			}
			want := tc
			if got.msgs != want.msgs || got.rejects != 0 || got.service != want.service || got.fwd != want.fwd || got.known != want.known ||
				got.reply != want.reply || got.hashtags != want.hashtags || got.mentions != want.mentions || got.links != want.links {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestTelethonForward(t *testing.T) {
	path := parsetest.DataDir(t, "social", "telegram-toolkit-telethon", "btcchamp_1150750640.jsonl")
	res := parsetest.Run(t, telegram.Parse, path, nil, nil)
	for _, p := range res.Parsed {
		if len(p.Posts) == 0 || p.Posts[0].UID != "telegram:channel1150750640/1829" {
			continue
		}
		post := p.Posts[0]
		want := []tahqiq.Reference{{Type: tahqiq.RefForwardOf, TargetUID: "telegram:channel2050125833/3", TargetID: "channel2050125833/3",
			TargetAccountID: "channel2050125833", TargetCreatedAt: parsetest.Time("2024-02-07T10:02:38Z").Unix()}}
		if diff := cmp.Diff(want, post.References); diff != "" {
			t.Errorf("references (-want +got):\n%s", diff)
		}
		if post.Kind != tahqiq.KindRepost || post.ContainerName != "btcchamp" || post.CreatedAt != parsetest.Time("2024-02-07T10:03:40Z") || post.Metrics["views"] != 42065 {
			t.Errorf("post = %+v", post)
		}
		if l := post.Links[len(post.Links)-1]; l.URL != "https://t.me/kucoinvipp" {
			t.Errorf("last link = %+v", l)
		}
		return
	}
	t.Fatal("message 1829 not found")
}

func TestDesktopSingleChat(t *testing.T) {
	res := parsetest.Run(t, telegram.Parse, "testdata/handmade_desktop_single_chat.json", nil, nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	parsetest.Check(t, res)
	if len(res.Parsed) != 8 {
		t.Fatalf("%d records, want 8", len(res.Parsed))
	}
	byLoc := map[string]*tahqiq.Parsed{}
	for _, p := range res.Parsed {
		byLoc[p.Record.Locator] = p
	}
	real := byLoc["#/messages/1"].Posts[0]
	if real.UID != "telegram:channel1234567890/363180" || real.AuthorUID != "telegram:user1927162607" || real.Kind != tahqiq.KindReply ||
		real.References[0].TargetUID != "telegram:channel1234567890/363176" || real.CreatedAt.Unix() != 1660682202 ||
		real.Text != "really we just want to get @pubkraal on there drinking with us again, and get b1n/< onto our car this next time" {
		t.Errorf("real message = %+v", real)
	}
	wantMentions := []tahqiq.Entity{{Text: "pubkraal", Start: 27, End: 36}, {Text: "b1n/<", ID: "1898901504", Start: 78, End: 83}}
	if diff := cmp.Diff(wantMentions, real.Mentions); diff != "" {
		t.Errorf("mentions (-want +got):\n%s", diff)
	}
	emoji := byLoc["#/messages/2"].Posts[0]
	runes := []rune(emoji.Text)
	if h := emoji.Hashtags[0]; string(runes[h.Start:h.End]) != "#فارم45" {
		t.Errorf("hashtag %+v slices %q", h, string(runes[h.Start:h.End]))
	}
	if len(emoji.Links) != 2 || emoji.Links[1].URL != "https://example.org/h" || string(runes[emoji.Links[0].Start:emoji.Links[0].End]) != "https://example.org/form45" || emoji.Metrics["reactions:👍"] != 3 {
		t.Errorf("links %+v metrics %v", emoji.Links, emoji.Metrics)
	}
	fwd := byLoc["#/messages/3"].Posts[0]
	if fwd.Kind != tahqiq.KindRepost || fwd.References[0] != (tahqiq.Reference{Type: tahqiq.RefForwardOf, TargetAccountID: "channel1006503122", TargetAccount: "Some Channel"}) || fwd.Media[0].Type != "photo" {
		t.Errorf("forward = %+v", fwd)
	}
	if hidden := byLoc["#/messages/4"].Posts[0]; hidden.References[0].TargetAccount != "Hidden Sender" || hidden.Media[0] != (tahqiq.Media{Type: "video_file:video/mp4"}) {
		t.Errorf("hidden forward = %+v", hidden)
	}
	if r := byLoc["#/messages/5"].Reject; !strings.Contains(r, "#/messages/5: date_unixtime") {
		t.Errorf("reject = %q", r)
	}
	if p := byLoc["#/messages/6"]; p.Record.Kind != tahqiq.RecordOther || len(p.Posts) != 0 {
		t.Errorf("unsupported = %+v", p)
	}
	// A service message is a record of kind other, never a post; its
	// actor is an account it shows.
	if p := byLoc["#/messages/0"]; p.Record.Kind != tahqiq.RecordOther || len(p.Posts) != 0 || len(p.Accounts) != 1 || p.Accounts[0].UID != "telegram:user1927162607" {
		t.Errorf("service = %+v", p)
	}
	// The raw record is the exact bytes of the message object.
	in := parsetest.ReadFile(t, "testdata/handmade_desktop_single_chat.json")
	for _, p := range res.Parsed {
		r := p.Record
		if !bytes.Equal(in[r.Offset:r.Offset+int64(len(r.Raw))], r.Raw) || r.Raw[0] != '{' {
			t.Fatalf("%s: raw is not the input bytes at offset %d", r.Locator, r.Offset)
		}
	}
	if !bytes.Contains(byLoc["#/messages/7"].Record.Raw, []byte(`"future_key"`)) {
		t.Error("unknown key not kept in Raw")
	}
}

// Telethon service messages (a pin, a title change) are records of kind
// other: no post, no share; their actor (the channel) is an account.
func TestTelethonServiceMessages(t *testing.T) {
	res := parsetest.Run(t, telegram.Parse, "testdata/handmade_telethon_service.jsonl", nil, nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	parsetest.Check(t, res)
	if len(res.Parsed) != 3 || len(res.Parsed[0].Posts) != 1 || res.Parsed[0].Record.Kind != tahqiq.RecordPost {
		t.Fatalf("post: %+v", res.Parsed[0])
	}
	for _, p := range res.Parsed[1:] {
		if p.Reject != "" || p.Record.Kind != tahqiq.RecordOther || len(p.Posts) != 0 || len(p.Accounts) != 1 || p.Accounts[0].UID != "telegram:channel1234567890" {
			t.Errorf("%s: %+v", p.Record.Locator, p)
		}
	}
}

func TestDesktopFullExport(t *testing.T) {
	res := parsetest.Run(t, telegram.Parse, "testdata/handmade_desktop_full_export.json", nil, nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	parsetest.Check(t, res)
	var got []string
	for _, p := range res.Parsed {
		if len(p.Posts) == 0 {
			got = append(got, p.Record.Locator+" "+string(p.Record.Kind)+" no post")
			continue
		}
		got = append(got, p.Record.Locator+" "+p.Posts[0].UID+" "+string(p.Posts[0].Kind))
	}
	want := []string{
		"#/chats/list/0/messages/0 telegram:channel1150750640/1829 original",
		"#/chats/list/0/messages/1 telegram:channel1150750640/1830 reply",
		"#/chats/list/1/messages/0 telegram:user7/5 original",
		"#/left_chats/list/0/messages/0 other no post",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestDesktopStreams feeds a generated export of 50,000 messages through a
// pipe: the parser must emit records before the input ends.
func TestDesktopStreams(t *testing.T) {
	pr, pw := io.Pipe()
	const n = 50000
	firstSeen := make(chan int, 1)
	written := 0
	go func() {
		fmt.Fprint(pw, `{"name": "G", "type": "public_channel", "id": 1, "messages": [`)
		for i := 0; i < n; i++ {
			if i > 0 {
				fmt.Fprint(pw, ",\n")
			}
			fmt.Fprintf(pw, `{"id": %d, "type": "message", "date_unixtime": "%d", "from_id": "channel1", "text_entities": [{"type": "plain", "text": "m%d"}]}`, i+1, 1700000000+i, i)
			written = i
		}
		fmt.Fprint(pw, "]}")
		pw.Close()
	}()
	count := 0
	err := telegram.ParseDesktop(context.Background(), tahqiq.Source{Name: "pipe", R: pr}, func(p *tahqiq.Parsed) error {
		if count == 0 {
			firstSeen <- written
		}
		count++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if w := <-firstSeen; w >= n-1 || count != n {
		t.Errorf("first record after %d of %d messages were written; %d records", w, n, count)
	}
}

func TestInvalidInput(t *testing.T) {
	for _, tc := range []struct{ name, in, msg string }{
		{"empty", "", "empty input"},
		{"spaces", " \n ", "empty input"},
		{"array", "[1,2]", "not a JSON object"},
		{"truncated", `{"name": "x", "type": "public_channel", "id": 1, "messages": [{"id": 1, "type": "mess`, "bad JSON"},
	} {
		res := parsetest.Run(t, telegram.Parse, "in.json", []byte(tc.in), nil)
		parsetest.WantInvalid(t, res.Err, tc.msg)
	}
	// A bad line in JSON Lines is a reject, not an error.
	in := parsetest.ReadFile(t, "testdata/bloomberg.jsonl")
	lines := bytes.SplitN(in, []byte("\n"), 2)
	bad := append(append(append([]byte{}, lines[0]...), "\n{\"_\": \"Message\", \"id\": 1.5e3, \"peer_id\": null}\nnot json\n"...), lines[1]...)
	res := parsetest.Run(t, telegram.Parse, "b.jsonl", bad, nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	var rejects []string
	for _, p := range res.Parsed {
		if p.Reject != "" {
			rejects = append(rejects, p.Reject)
		}
	}
	if len(rejects) != 2 || !strings.HasPrefix(rejects[0], "line 2: message id") || !strings.HasPrefix(rejects[1], "line 3: not a JSON object") {
		t.Errorf("rejects = %q", rejects)
	}
}

func TestContainerOption(t *testing.T) {
	in := `{"_": "Message", "id": 9, "peer_id": {"_": "PeerChannel", "channel_id": 42}, "date": 1707300220.25, "message": "x", "from_id": {"_": "PeerUser", "user_id": 7}}` + "\n"
	res := parsetest.Run(t, telegram.Parse, "whatever.jsonl", []byte(in), map[string]string{"container": "My Channel"})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	p := res.Parsed[0].Posts[0]
	if p.ContainerName != "My Channel" || p.AuthorUID != "telegram:user7" || p.Precision != tahqiq.PrecisionMillisecond || p.CreatedAt.UnixMilli() != 1707300220250 {
		t.Errorf("post = %+v", p)
	}
}

func TestGolden(t *testing.T) {
	for _, f := range parsetest.Fixtures(t, "testdata/*.json*") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			parsetest.GoldenOf(t, f, parsetest.MustParse(t, telegram.Parse, f, nil))
		})
	}
}

func FuzzParse(f *testing.F) {
	parsetest.FuzzParse(f, telegram.Parse, "fuzz_123.jsonl", parsetest.Fixtures(f, "testdata/*.json*"), nil)
}

func BenchmarkParse(b *testing.B) {
	data := parsetest.ReadFile(b, parsetest.DataDir(b, "social", "telegram-toolkit-telethon", "btcchamp_1150750640.jsonl"))
	parsetest.Bench(b, telegram.Parse, "btcchamp_1150750640.jsonl", data, nil)
}
