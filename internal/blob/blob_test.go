package blob_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/tahqiq/tahqiq/internal/blob"
)

func TestPutCheck(t *testing.T) {
	s, err := blob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("fake ballot paper")
	sum, n, err := s.Put(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(data)
	if sum != hex.EncodeToString(want[:]) || n != int64(len(data)) {
		t.Fatalf("Put = %s %d, want %x %d", sum, n, want, len(data))
	}
	if sum2, _, err := s.Put(bytes.NewReader(data)); err != nil || sum2 != sum {
		t.Fatalf("second Put = %s, %v", sum2, err)
	}
	if err := blob.Check(s.Path(sum), sum); err != nil {
		t.Fatalf("Check intact = %v", err)
	}
	p := s.Path(sum)
	os.Chmod(p, 0o600)
	b, _ := os.ReadFile(p)
	b[3] ^= 1
	os.WriteFile(p, b, 0o600)
	if err := blob.Check(p, sum); err == nil || !strings.Contains(err.Error(), "was changed") {
		t.Errorf("Check flipped byte = %v, want a 'was changed' error", err)
	}
	os.Remove(p)
	if err := blob.Check(p, sum); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("Check removed = %v, want 'missing'", err)
	}
}

func picture(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := uint8((x*200/w + y*55/h) % 256)
			if (x/(w/4))%2 == (y/(h/3))%2 {
				v = 255 - v
			}
			img.Set(x, y, color.RGBA{v, v / 2, 255 - v, 255})
		}
	}
	return img
}

func TestDHash(t *testing.T) {
	var pngBuf, jpgBuf, otherBuf bytes.Buffer
	png.Encode(&pngBuf, picture(400, 300))
	jpeg.Encode(&jpgBuf, picture(200, 150), &jpeg.Options{Quality: 60})
	img := image.NewGray(image.Rect(0, 0, 300, 300))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 31 % 251)
	}
	png.Encode(&otherBuf, img)
	a, err := blob.DHash(&pngBuf)
	if err != nil {
		t.Fatal(err)
	}
	b, err := blob.DHash(&jpgBuf)
	if err != nil {
		t.Fatal(err)
	}
	c, err := blob.DHash(&otherBuf)
	if err != nil {
		t.Fatal(err)
	}
	if d := blob.Distance(a, b); d > 10 {
		t.Errorf("Distance(png, resized jpeg) = %d, want <= 10", d)
	}
	if d := blob.Distance(a, c); d <= 10 {
		t.Errorf("Distance(picture, other) = %d, want > 10", d)
	}
	if _, err := blob.DHash(strings.NewReader("not an image")); err == nil {
		t.Error("DHash(text) = nil error")
	}
}

func BenchmarkPut(b *testing.B) {
	s, _ := blob.Open(b.TempDir())
	data := bytes.Repeat([]byte("x"), 1<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		data[0]++
		if _, _, err := s.Put(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
