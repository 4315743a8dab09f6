package imagehash_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/tahqiq/tahqiq/internal/imagehash"
	"github.com/tahqiq/tahqiq/internal/ingest/parsetest"
)

// tiff is TIFF data whose first directory holds an Orientation tag.
func tiff(bo binary.ByteOrder, orientation uint16) []byte {
	var b bytes.Buffer
	if bo == binary.LittleEndian {
		b.WriteString("II")
	} else {
		b.WriteString("MM")
	}
	binary.Write(&b, bo, uint16(42))
	binary.Write(&b, bo, uint32(8))
	binary.Write(&b, bo, uint16(2)) // two entries
	// ImageWidth first, so that the reader must walk the directory
	binary.Write(&b, bo, []uint16{0x0100, 3})
	binary.Write(&b, bo, uint32(1))
	binary.Write(&b, bo, []uint16{640, 0})
	binary.Write(&b, bo, []uint16{0x0112, 3})
	binary.Write(&b, bo, uint32(1))
	binary.Write(&b, bo, []uint16{orientation, 0})
	binary.Write(&b, bo, uint32(0))
	return b.Bytes()
}

// withJPEGExif puts an APP1 Exif segment after the SOI of a JPEG.
func withJPEGExif(jpg []byte, t []byte) []byte {
	seg := append([]byte("Exif\x00\x00"), t...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, 0xff, 0xe1, byte((len(seg)+2)>>8), byte(len(seg)+2))
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// withPNGExif puts an eXIf chunk after the IHDR of a PNG (its CRC is not
// checked by the reader).
func withPNGExif(p []byte, t []byte) []byte {
	ihdrEnd := 8 + 12 + 13
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(t)))
	chunk = append(chunk, "eXIf"...)
	chunk = append(chunk, t...)
	chunk = append(chunk, 0, 0, 0, 0)
	out := append([]byte{}, p[:ihdrEnd]...)
	out = append(out, chunk...)
	return append(out, p[ihdrEnd:]...)
}

func webpWithExif(t []byte) []byte {
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(4+8+10+8+len(t)+len(t)%2))
	b.WriteString("WEBP")
	b.WriteString("VP8X")
	binary.Write(&b, binary.LittleEndian, uint32(10))
	b.Write(make([]byte, 10))
	b.WriteString("EXIF")
	binary.Write(&b, binary.LittleEndian, uint32(len(t)))
	b.Write(t)
	if len(t)%2 == 1 {
		b.WriteByte(0)
	}
	return b.Bytes()
}

func TestOrientation(t *testing.T) {
	small := parsetest.Shrink(bridge(t), 32, 20)
	jpg, png := encodeJPEG(t, small, 80), encodePNG(t, small)
	for o := uint16(1); o <= 8; o++ {
		for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			for name, data := range map[string][]byte{
				"jpeg": withJPEGExif(jpg, tiff(bo, o)),
				"png":  withPNGExif(png, tiff(bo, o)),
				"webp": webpWithExif(tiff(bo, o)),
			} {
				if got := imagehash.Orientation(data); got != int(o) {
					t.Errorf("Orientation(%s %s, tag %d) = %d", name, bo, o, got)
				}
			}
		}
	}
	for name, data := range map[string][]byte{
		"no exif":              jpg,
		"out of range":         withJPEGExif(jpg, tiff(binary.BigEndian, 9)),
		"zero":                 withJPEGExif(jpg, tiff(binary.BigEndian, 0)),
		"not a TIFF header":    withJPEGExif(jpg, []byte("XX*\x00\x08\x00\x00\x00")),
		"directory past end":   withJPEGExif(jpg, []byte("MM\x00*\xff\x00\x00\x00")),
		"png without eXIf":     png,
		"not a picture":        []byte("hello"),
		"empty":                nil,
		"jpeg cut in a marker": jpg[:3],
	} {
		if got := imagehash.Orientation(data); got != 1 {
			t.Errorf("Orientation(%s) = %d, want 1", name, got)
		}
	}
}

// TestOrientedJPEG: a photo stored sideways, upside down or mirrored,
// with the EXIF tag that says how to show it, hashes as the upright
// photo does (width and height upright too).
func TestOrientedJPEG(t *testing.T) {
	src := parsetest.Shrink(bridge(t), 400, 251)
	upright := sum(t, encodeJPEG(t, src, 92))
	// stored = the inverse of the transform the tag asks for
	stored := map[int]imagehash.Transform{
		2: imagehash.MirrorHorizontal, 3: imagehash.Rotate180, 4: imagehash.MirrorVertical, 5: imagehash.Transpose,
		6: imagehash.Rotate270, 7: imagehash.Transverse, 8: imagehash.Rotate90,
	}
	for o, tr := range stored {
		data := withJPEGExif(encodeJPEG(t, transform(src, tr), 92), tiff(binary.BigEndian, uint16(o)))
		r := sum(t, data)
		if r.Orientation != o || r.Width != 400 || r.Height != 251 {
			t.Errorf("orientation %d: Sum says orientation %d, %d×%d; want %d, 400×251", o, r.Orientation, r.Width, r.Height, o)
		}
		if d := imagehash.Distance(r.PDQ, upright.PDQ); d > 10 {
			t.Errorf("orientation %d: %d bits from the upright photo; want at most 10", o, d)
		}
		if d := imagehash.DHashDistance(r.DHash, upright.DHash); d > 6 {
			t.Errorf("orientation %d: dHash %d bits from the upright photo's", o, d)
		}
	}
}

// FuzzOrientation: any bytes give an orientation of 1 to 8 without
// reading out of bounds; the same TIFF data gives the same answer in
// every container.
func FuzzOrientation(f *testing.F) {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	var jb, pb bytes.Buffer
	if err := jpeg.Encode(&jb, img, nil); err != nil {
		f.Fatal(err)
	}
	if err := png.Encode(&pb, img); err != nil {
		f.Fatal(err)
	}
	for _, o := range []uint16{1, 3, 6, 8} {
		f.Add(withJPEGExif(jb.Bytes(), tiff(binary.BigEndian, o)))
		f.Add(withPNGExif(pb.Bytes(), tiff(binary.LittleEndian, o)))
		f.Add(webpWithExif(tiff(binary.LittleEndian, o)))
		f.Add(tiff(binary.BigEndian, o))
	}
	f.Add([]byte{0xff, 0xd8, 0xff, 0xe1, 0x00, 0x02})
	f.Add([]byte{0xff, 0xd8, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		o := imagehash.Orientation(data)
		if o < 1 || o > 8 {
			t.Fatalf("Orientation = %d", o)
		}
		// the bytes read as TIFF data inside each container
		j := imagehash.Orientation(withJPEGExif([]byte{0xff, 0xd8, 0xff, 0xd9}, data))
		w := imagehash.Orientation(webpWithExif(data))
		if len(data)+8 < 0xffff && !bytes.HasPrefix(data, []byte("Exif\x00\x00")) && j != w {
			t.Fatalf("the same TIFF data: %d in a JPEG, %d in a WebP", j, w)
		}
	})
}
