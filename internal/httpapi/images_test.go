package httpapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/ingest"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

// TestImagesAPI: the pictures of a dataset imported with its photos (from
// the command line: an upload brings no folder of pictures) are listed by
// GET /datasets/{name}/media with their counts, and grouped by GET
// /images as tahqiq images groups them; bad parameters are named.
func TestImagesAPI(t *testing.T) {
	e := newEnv(t)
	a := e.setup()
	ctx := context.Background()
	ex := parsetest.TelegramMediaExport(t, t.TempDir())
	admin, err := e.api.Store.FindUserByName(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.Cases.Import(ctx, admin, e.api.Importer, e.api.Store, []string{ex.Result}, ingest.Options{Dataset: "tg"}); err != nil {
		t.Fatal(err)
	}

	var media struct {
		Counts map[string]int
		Total  int
		Media  []tahqiq.MediaFile
	}
	a.want(200, "GET", "/api/v1/datasets/tg/media", nil, &media)
	if media.Counts["hashed"] != 7 || media.Counts["missing"] != 1 || media.Counts["unreadable"] != 1 || media.Counts["not_image"] != 1 || media.Total != 10 || len(media.Media) != 10 {
		t.Errorf("media: counts %v, total %d, %d rows", media.Counts, media.Total, len(media.Media))
	}
	a.want(200, "GET", "/api/v1/datasets/tg/media?status=missing", nil, &media)
	if media.Total != 1 || len(media.Media) != 1 || media.Media[0].Name != "photos/photo_9@08-02-2024_10-15-00.jpg" || media.Media[0].Detail == "" {
		t.Errorf("missing media: %+v", media)
	}
	a.want(200, "GET", "/api/v1/datasets/tg/media?limit=2&offset=1", nil, &media)
	if media.Total != 10 || len(media.Media) != 2 {
		t.Errorf("a page of media: total %d, %d rows", media.Total, len(media.Media))
	}

	var rep struct {
		Params struct {
			Datasets    []string
			MaxDistance int `json:"max_distance"`
		}
		Groups []struct {
			ID                     string
			Posts, Accounts, Items int
		}
	}
	a.want(200, "GET", "/api/v1/images?dataset=tg", nil, &rep)
	if len(rep.Groups) != 1 || rep.Groups[0].Posts != 5 || rep.Groups[0].Accounts != 4 || rep.Params.MaxDistance != 10 || len(rep.Params.Datasets) != 1 {
		t.Errorf("images: %+v", rep)
	}
	for path, want := range map[string]string{
		"/api/v1/images": "dataset or case: give at least one",
		"/api/v1/images?dataset=tg&max_distance=40": "max_distance=40: want 0 to 31 bits",
		"/api/v1/images?dataset=tg&all=maybe":       `all=\"maybe\": want true or false`,
		"/api/v1/datasets/tg/media?status=lost":     `status=\"lost\": want hashed, missing, unreadable or not_image`,
		"/api/v1/images?dataset=tg&dataset=nope":    "",
	} {
		r := a.call("GET", path, nil)
		status := 400
		if want == "" {
			status = 404
		}
		if r.status != status || !strings.Contains(string(r.body), want) {
			t.Errorf("GET %s: %d %s; want %d with %q", path, r.status, r.body, status, want)
		}
	}

	// attach the group to a case with its parameters
	var cs struct{ ID string }
	a.want(201, "POST", "/api/v1/cases", map[string]string{"title": "ballot pictures"}, &cs)
	var it tahqiq.Item
	a.want(201, "POST", "/api/v1/cases/"+cs.ID+"/items/images", map[string]any{"datasets": []string{"tg"}, "max_distance": 10, "group": rep.Groups[0].ID}, &it)
	// the JSON and the four pictures of the group, kept by the import
	if it.Kind != tahqiq.ItemAnalysis || !strings.Contains(it.Title, "5 posts by 4 accounts in tg (within 10 bits)") || it.Source != "images "+rep.Groups[0].ID || len(it.Blobs) != 5 {
		t.Errorf("attached group: %+v", it)
	}
	r := a.call("GET", "/api/v1/items/"+it.ID+"/content", nil)
	var held struct {
		Params struct {
			Datasets    []string
			MaxDistance int `json:"max_distance"`
			Hashing     string
		}
		Group struct {
			ID      string
			Posts   int
			Members []struct {
				Posts []struct {
					Account, AccountUID, Text string
				}
			}
		}
	}
	r.json(t, &held)
	if held.Params.MaxDistance != 10 || len(held.Params.Datasets) != 1 || held.Params.Hashing != "imagehash-1" || held.Group.ID != rep.Groups[0].ID || held.Group.Posts != 5 {
		t.Errorf("the item holds %s", r.body)
	}
	if p := held.Group.Members[0].Posts[0]; p.Text != "Form rigged! پولنگ اسٹیشن 45" {
		t.Errorf("the first post of the group: %+v, want its text", p)
	}
	for _, c := range []struct {
		body   map[string]any
		status int
		want   string
	}{
		{map[string]any{"datasets": []string{"tg"}, "group": "pdq:00"}, 404, "group pdq:00: not among the groups of these datasets and cases at max_distance 10"},
		{map[string]any{"datasets": []string{"tg"}}, 400, "group: give the group's id"},
		{map[string]any{"group": "pdq:00"}, 400, "datasets or cases: give at least one"},
		{map[string]any{"datasets": []string{"tg"}, "group": "pdq:00", "max_distance": 32}, 400, "max_distance 32: want 0 to 31 bits"},
		{map[string]any{"datasets": []string{"nope"}, "group": "pdq:00"}, 404, ""},
	} {
		r := a.call("POST", "/api/v1/cases/"+cs.ID+"/items/images", c.body)
		if r.status != c.status || !strings.Contains(string(r.body), c.want) {
			t.Errorf("attach %v: %d %s; want %d with %q", c.body, r.status, r.body, c.status, c.want)
		}
	}
}
