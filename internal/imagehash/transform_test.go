package imagehash_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tahqiq/tahqiq/internal/imagehash"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

var bridgeFile = filepath.Join("testdata", "threatexchange", "bridge-1-original.jpg")

var bridgeOnce = sync.OnceValues(func() (*image.RGBA, error) {
	data, err := os.ReadFile(bridgeFile)
	if err != nil {
		return nil, err
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	out := image.NewRGBA(img.Bounds())
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out, nil
})

// bridge is ThreatExchange's reference photograph, decoded (1600×1004).
func bridge(t testing.TB) *image.RGBA {
	t.Helper()
	img, err := bridgeOnce()
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// bridgeSum is the hash of the reference photograph's file.
func bridgeSum(t testing.TB) imagehash.Result {
	t.Helper()
	data, err := os.ReadFile(bridgeFile)
	if err != nil {
		t.Fatal(err)
	}
	return sum(t, data)
}

func decodeFile(t testing.TB, path string) image.Image {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func sum(t testing.TB, data []byte) imagehash.Result {
	t.Helper()
	r, err := imagehash.Sum(data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.NoCompression} // fast: the tests hash it at once
	if err := enc.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// transform turns or mirrors a picture by pixel moves (what a person's
// editor does), independently of the package's own code.
func transform(src image.Image, tr imagehash.Transform) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	ow, oh := w, h
	switch tr {
	case imagehash.Rotate90, imagehash.Rotate270, imagehash.Transpose, imagehash.Transverse:
		ow, oh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for Y := range oh {
		for X := range ow {
			var x, y int
			switch tr {
			case imagehash.Original:
				x, y = X, Y
			case imagehash.Rotate90: // clockwise: the left column becomes the top row
				x, y = Y, h-1-X
			case imagehash.Rotate180:
				x, y = w-1-X, h-1-Y
			case imagehash.Rotate270:
				x, y = w-1-Y, X
			case imagehash.MirrorHorizontal:
				x, y = w-1-X, Y
			case imagehash.MirrorVertical:
				x, y = X, h-1-Y
			case imagehash.Transpose:
				x, y = Y, X
			case imagehash.Transverse:
				x, y = w-1-Y, h-1-X
			}
			out.Set(X, Y, src.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return out
}

// crop cuts a fraction off each side.
func crop(src image.Image, left, top, right, bottom float64) *image.RGBA {
	b := src.Bounds()
	r := image.Rect(b.Min.X+int(left*float64(b.Dx())), b.Min.Y+int(top*float64(b.Dy())),
		b.Max.X-int(right*float64(b.Dx())), b.Max.Y-int(bottom*float64(b.Dy())))
	out := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(out, out.Bounds(), src, r.Min, draw.Src)
	return out
}

// nearest is the smallest distance from h to any dihedral hash of r.
func nearest(h imagehash.Hash, r imagehash.Result) (int, imagehash.Transform) {
	best, bt := 257, imagehash.Original
	for tr, d := range r.Dihedral {
		if n := imagehash.Distance(h, d); n < best {
			best, bt = n, imagehash.Transform(tr)
		}
	}
	return best, bt
}

// TestDihedral: a picture turned or mirrored by pixel moves hashes close
// to the matching dihedral hash of the original, which PDQ derives from
// the original's DCT alone; the other seven are far. Close is within the
// variant tier, not always the same-image one: PDQ's box filter and
// sampling grid are not quite symmetric, so a half turn of this 640×402
// photo is 18 bits from its derived hash (docs/images.md).
func TestDihedral(t *testing.T) {
	src := parsetest.Shrink(bridge(t), 640, 402)
	orig := sum(t, encodePNG(t, src))
	if orig.Dihedral[imagehash.Original] != orig.PDQ {
		t.Fatalf("Dihedral[Original] = %s, PDQ = %s", orig.Dihedral[imagehash.Original], orig.PDQ)
	}
	for tr := imagehash.Original; tr <= imagehash.Transverse; tr++ {
		t.Run(tr.String(), func(t *testing.T) {
			r := sum(t, encodePNG(t, transform(src, tr)))
			for u := imagehash.Original; u <= imagehash.Transverse; u++ {
				d := imagehash.Distance(r.PDQ, orig.Dihedral[u])
				if u == tr && d > imagehash.Variant {
					t.Errorf("%s by pixels is %d bits from the original's %s hash; want at most %d", tr, d, u, imagehash.Variant)
				}
				if u == tr {
					t.Logf("%s by pixels: %d bits from the derived hash", tr, d)
				}
				if u != tr && d <= 31 {
					t.Errorf("%s by pixels is %d bits from the original's %s hash; want more than 31", tr, d, u)
				}
			}
			if d, got := nearest(r.PDQ, orig); got != tr {
				t.Errorf("nearest dihedral of %s is %s (%d bits)", tr, got, d)
			}
		})
	}
}

// TestNearDuplicates: the edits people make when they re-post a picture
// keep it within the tiers of docs/images.md: recompressing and resizing
// within 10 bits (the same picture), a thumbnail or a crop of a percent
// within 31 (a variant), a frame added around it within 10 through the
// framed-picture hash; different pictures stay far apart. PDQ is
// sensitive to crops: 2% off each side of this photo is 36 bits away.
func TestNearDuplicates(t *testing.T) {
	src := bridge(t)
	b := src.Bounds()
	half := parsetest.Shrink(src, b.Dx()/2, b.Dy()/2)
	orig := bridgeSum(t)
	for _, tc := range []struct {
		name string
		img  func() []byte
		max  int
	}{
		{"JPEG quality 90", func() []byte { return encodeJPEG(t, src, 90) }, imagehash.SameImage},
		{"JPEG quality 50", func() []byte { return encodeJPEG(t, src, 50) }, imagehash.SameImage},
		{"half size", func() []byte { return encodePNG(t, half) }, imagehash.SameImage},
		{"320 px wide, JPEG 75", func() []byte { return encodeJPEG(t, parsetest.Shrink(src, 320, 201), 75) }, imagehash.SameImage},
		{"squashed to 512×512", func() []byte { return encodeJPEG(t, parsetest.Shrink(src, 512, 512), 85) }, imagehash.SameImage},
		{"1% off the bottom", func() []byte { return encodeJPEG(t, crop(half, 0, 0, 0, .01), 85) }, imagehash.SameImage},
		{"thumbnail 160 px", func() []byte { return encodeJPEG(t, parsetest.Shrink(src, 160, 100), 80) }, imagehash.Variant},
		{"1% off each side", func() []byte { return encodeJPEG(t, crop(half, .01, .01, .01, .01), 85) }, imagehash.Variant},
		{"2% off the bottom (a caption cut)", func() []byte { return encodeJPEG(t, crop(half, 0, 0, 0, .02), 85) }, imagehash.Variant},
		{"half size, 1% crop, JPEG 60", func() []byte { return encodeJPEG(t, crop(half, .01, .01, .01, .01), 60) }, imagehash.Variant},
		{"mirrored, half size, JPEG 75", func() []byte { return encodeJPEG(t, transform(half, imagehash.MirrorHorizontal), 75) }, imagehash.SameImage},
		{"a white frame of 40 px", func() []byte { return encodeJPEG(t, frame(half, 40, 255), 85) }, imagehash.SameImage},
		{"black bars above and below", func() []byte { return encodeJPEG(t, bars(half, 120, 0), 85) }, imagehash.SameImage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sum(t, tc.img())
			m := imagehash.Compare(r.Hashes(), orig.Hashes())
			if m.Distance > tc.max {
				t.Errorf("%s: %d bits from the original (%s, trimmed %v); want at most %d", tc.name, m.Distance, m.Transform, m.Trimmed, tc.max)
			}
			t.Logf("%s: %d bits (%s, trimmed %v; without turning or trimming %d), quality %d",
				tc.name, m.Distance, m.Transform, m.Trimmed, imagehash.Distance(r.PDQ, orig.PDQ), r.Quality)
		})
	}
	// different pictures: every pair of the reference set, turned any way
	var others []imagehash.Result
	for _, f := range []string{"q0122.jpg", "q0291.jpg", "q0746.jpg", "q1050.jpg", "q2821.jpg", "wee.jpg"} {
		others = append(others, sum(t, encodePNG(t, decodeFile(t, filepath.Join("testdata", "threatexchange", f)))))
	}
	others = append(others, orig)
	for i := range others {
		for j := range i {
			if m := imagehash.Compare(others[i].Hashes(), others[j].Hashes()); m.Distance <= imagehash.Variant {
				t.Errorf("different pictures %d and %d are %d bits apart (%s)", i, j, m.Distance, m.Transform)
			}
		}
	}
}

// frame lays a picture on a plain background with a margin all round.
func frame(src image.Image, margin int, grey uint8) *image.RGBA {
	b := src.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()+2*margin, b.Dy()+2*margin))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.Gray{grey}), image.Point{}, draw.Src)
	draw.Draw(out, image.Rect(margin, margin, margin+b.Dx(), margin+b.Dy()), src, b.Min, draw.Src)
	return out
}

// bars lays a picture between plain bars above and below, as a phone
// shows a landscape photo upright.
func bars(src image.Image, height int, grey uint8) *image.RGBA {
	b := src.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()+2*height))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.Gray{grey}), image.Point{}, draw.Src)
	draw.Draw(out, image.Rect(0, height, b.Dx(), height+b.Dy()), src, b.Min, draw.Src)
	return out
}

// TestFlatPicture: a picture with no detail has quality 0 (its hash is
// noise), and a transparent one is laid over white.
func TestFlatPicture(t *testing.T) {
	grey := image.NewGray(image.Rect(0, 0, 300, 200))
	for i := range grey.Pix {
		grey.Pix[i] = 128
	}
	if r := sum(t, encodePNG(t, grey)); r.Quality != 0 {
		t.Errorf("quality of a flat grey picture = %d, want 0", r.Quality)
	}
	clear := image.NewNRGBA(image.Rect(0, 0, 300, 200)) // transparent black
	white := image.NewGray(image.Rect(0, 0, 300, 200))
	for i := range white.Pix {
		white.Pix[i] = 255
	}
	a, b := sum(t, encodePNG(t, clear)), sum(t, encodePNG(t, white))
	if a.PDQ != b.PDQ || a.DHash != b.DHash {
		t.Errorf("a transparent picture hashes %s/%016x, a white one %s/%016x: transparency is laid over white", a.PDQ, a.DHash, b.PDQ, b.DHash)
	}
}

// TestDHash: the difference hash keeps its definition (9×8 cells, a bit
// per left cell brighter than its right neighbour, rows from the most
// significant bit).
func TestDHash(t *testing.T) {
	// brightness falls from left to right in every row: every bit set
	img := image.NewGray(image.Rect(0, 0, 90, 80))
	for y := range 80 {
		for x := range 90 {
			img.Pix[y*90+x] = uint8(250 - 2*x)
		}
	}
	if r := sum(t, encodePNG(t, img)); r.DHash != ^uint64(0) {
		t.Errorf("dHash of a left-to-right fall = %016x, want ffffffffffffffff", r.DHash)
	}
	for y := range 80 { // and rising: none
		for x := range 90 {
			img.Pix[y*90+x] = uint8(10 + 2*x)
		}
	}
	if r := sum(t, encodePNG(t, img)); r.DHash != 0 {
		t.Errorf("dHash of a left-to-right rise = %016x, want 0", r.DHash)
	}
	a, b := bridgeSum(t), sum(t, encodeJPEG(t, parsetest.Shrink(bridge(t), 400, 251), 70))
	if d := imagehash.DHashDistance(a.DHash, b.DHash); d > 10 {
		t.Errorf("dHash of a smaller JPEG copy is %d bits from the original's; want at most 10", d)
	}
}

// TestSumErrors: what cannot be hashed says why, in a user's terms.
func TestSumErrors(t *testing.T) {
	src := encodeJPEG(t, parsetest.Shrink(bridge(t), 64, 40), 80)
	// a PNG header claiming 100000×100000 pixels, and nothing after it
	ihdr := []byte("IHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x00\x00\x00\x00")
	huge := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d"), ihdr...)
	huge = binary.BigEndian.AppendUint32(huge, crc32.ChecksumIEEE(ihdr))
	for _, tc := range []struct {
		name     string
		data     []byte
		notImage bool
		reason   string
	}{
		{"text", []byte("(File not included. Change data exporting settings to download.)"), true, "not a picture"},
		{"empty", nil, true, "not a picture"},
		{"HEIC", append([]byte("\x00\x00\x00\x18ftypheic"), make([]byte, 32)...), false, "HEIC pictures are not decoded"},
		{"TIFF", []byte("II*\x00\x08\x00\x00\x00"), false, "TIFF pictures are not decoded"},
		{"truncated JPEG", src[:len(src)/2], false, "damaged jpeg picture"},
		{"too many pixels", huge, false, "more than the 50 million read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := imagehash.Sum(tc.data)
			e, ok := err.(*imagehash.Error)
			if !ok {
				t.Fatalf("Sum = %v, want an *imagehash.Error", err)
			}
			if e.NotImage != tc.notImage || !bytes.Contains([]byte(e.Reason), []byte(tc.reason)) {
				t.Errorf("Sum: NotImage %v, reason %q; want NotImage %v, a reason containing %q", e.NotImage, e.Reason, tc.notImage, tc.reason)
			}
		})
	}
}
