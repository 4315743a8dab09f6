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
}
