package imagehash_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"testing"

	"github.com/tahqiq/tahqiq/internal/imagehash"
)

// TestThumbnail: a thumbnail fits the size with the picture's proportions,
// is upright by the EXIF orientation (a photo stored sideways comes out
// portrait, its top where the picture's top is), lays transparency over
// white, keeps a small picture's size, and is refused for a file that is
// not a picture.
func TestThumbnail(t *testing.T) {
	bridge, err := os.ReadFile("testdata/threatexchange/bridge-1-original.jpg")
	if err != nil {
		t.Fatal(err)
	}
	dims := func(b []byte) (int, int) {
		t.Helper()
		cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
		if err != nil || format != "jpeg" {
			t.Fatalf("thumbnail: %s, %v", format, err)
		}
		return cfg.Width, cfg.Height
	}
	th, err := imagehash.Thumbnail(bridge, 320)
	if err != nil {
		t.Fatal(err)
	}
	if w, h := dims(th); w != 320 || h != 201 { // 1600×1004
		t.Errorf("thumbnail of 1600×1004 within 320: %d×%d, want 320×201", w, h)
	}
	if len(th) > len(bridge)/5 {
		t.Errorf("thumbnail of %d bytes, the picture %d", len(th), len(bridge))
	}

	// a 200×100 picture, red on top and blue below, stored with EXIF
	// orientation 6 (to be turned a quarter clockwise): upright it is
	// 100×200 with red on the right
	src := image.NewRGBA(image.Rect(0, 0, 200, 100))
	for y := range 100 {
		for x := range 200 {
			c := color.RGBA{255, 0, 0, 255}
			if y >= 50 {
				c = color.RGBA{0, 0, 255, 255}
			}
			src.Set(x, y, c)
		}
	}
	var jb bytes.Buffer
	jpeg.Encode(&jb, src, &jpeg.Options{Quality: 95})
	turned := withJPEGExif(jb.Bytes(), tiff(binary.BigEndian, 6))
	th, err = imagehash.Thumbnail(turned, 320)
	if err != nil {
		t.Fatal(err)
	}
	if w, h := dims(th); w != 100 || h != 200 {
		t.Fatalf("upright thumbnail: %d×%d, want 100×200 (kept size, turned)", w, h)
	}
	img, _ := jpeg.Decode(bytes.NewReader(th))
	if r, _, b, _ := img.At(90, 100).RGBA(); r < b {
		t.Errorf("orientation 6: the right of the thumbnail is not red (the picture's top)")
	}
	if r, _, b, _ := img.At(10, 100).RGBA(); b < r {
		t.Errorf("orientation 6: the left of the thumbnail is not blue")
	}

	// transparency over white
	transparent := image.NewNRGBA(image.Rect(0, 0, 40, 40))
	var pb bytes.Buffer
	png.Encode(&pb, transparent)
	th, err = imagehash.Thumbnail(pb.Bytes(), 320)
	if err != nil {
		t.Fatal(err)
	}
	img, _ = jpeg.Decode(bytes.NewReader(th))
	if r, g, b, _ := img.At(20, 20).RGBA(); r>>8 < 250 || g>>8 < 250 || b>>8 < 250 {
		t.Errorf("a transparent picture's thumbnail is not white: %d %d %d", r>>8, g>>8, b>>8)
	}

	for _, bad := range [][]byte{[]byte("%PDF-1.4 not a picture"), {}, []byte("\x00\x00\x00\x18ftypheic")} {
		if _, err := imagehash.Thumbnail(bad, 320); err == nil {
			t.Errorf("thumbnail of %q: no error", bad)
		}
	}
}
