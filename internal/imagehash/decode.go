package imagehash

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // register decoder
	_ "image/jpeg" // register decoder
	_ "image/png"  // register decoder

	_ "golang.org/x/image/webp" // register decoder
)

// MaxPixels bounds the pictures decoded: a file that says it is larger
// (a decompression bomb, or a scan at 1200 dpi) is refused before any
// pixel is decoded, for it would take gigabytes.
const MaxPixels = 50_000_000

// Error is why a file could not be hashed. NotImage is true when it is no
// picture at all (a PDF, a video, text); otherwise it is a picture that
// could not be decoded (damaged, too large, a format not read here).
type Error struct {
	NotImage bool
	Reason   string
}

func (e *Error) Error() string { return "imagehash: " + e.Reason }

// Sum decodes a JPEG, PNG, GIF (its first frame) or WebP picture, turns
// it upright by its EXIF orientation, lays any transparency over white,
// and hashes its luminance with PDQ and dHash. A file it cannot hash
// gives an *Error.
func Sum(data []byte) (Result, error) {
	var r Result
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			if name := otherImageFormat(data); name != "" {
				return r, &Error{Reason: name + " pictures are not decoded (JPEG, PNG, GIF and WebP are)"}
			}
			return r, &Error{NotImage: true, Reason: "not a picture (JPEG, PNG, GIF and WebP are read)"}
		}
		return r, &Error{Reason: "damaged " + format + " picture: " + err.Error()}
	}
	if cfg.Width < 1 || cfg.Height < 1 {
		return r, &Error{Reason: fmt.Sprintf("empty %s picture (%d×%d pixels)", format, cfg.Width, cfg.Height)}
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return r, &Error{Reason: fmt.Sprintf("%s picture of %d×%d pixels, more than the %d million read", format, cfg.Width, cfg.Height, MaxPixels/1_000_000)}
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return r, &Error{Reason: "damaged " + format + " picture: " + err.Error()}
	}
	lum, w, h := Luminance(img)
	r.Orientation = Orientation(data)
	lum, w, h = Orient(lum, w, h, r.Orientation)
	r.Width, r.Height, r.Format = w, h, format
	r.DHash = dhash(lum, w, h)
	if in, tw, th := trimmed(lum, w, h); in != nil {
		hs, _ := pdq(in, tw, th)
		r.Trimmed, r.HasTrimmed = hs[Original], true
	}
	r.Dihedral, r.Quality = pdq(lum, w, h)
	r.PDQ = r.Dihedral[Original]
	return r, nil
}

// HashLuminance hashes a luminance picture (values 0 to 255, w×h, row by
// row, already upright) with PDQ: the reference implementations' input.
// It overwrites lum.
func HashLuminance(lum []float32, w, h int) (dihedral [8]Hash, quality int) {
	return pdq(lum, w, h)
}

// otherImageFormat names a picture format by its magic number when it is
// one Hash does not decode, or returns "".
func otherImageFormat(b []byte) string {
	switch {
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		switch string(b[8:12]) {
		case "heic", "heix", "hevc", "heim", "heis", "mif1", "msf1":
			return "HEIC"
		case "avif", "avis":
			return "AVIF"
		}
	case len(b) >= 4 && (string(b[:4]) == "II*\x00" || string(b[:4]) == "MM\x00*"):
		return "TIFF"
	case len(b) >= 2 && string(b[:2]) == "BM":
		return "BMP"
	case len(b) >= 4 && string(b[:4]) == "\x00\x00\x01\x00":
		return "ICO"
	case len(b) >= 2 && string(b[:2]) == "\xff\x0a", len(b) >= 12 && string(b[4:12]) == "JXL \x0d\x0a\x87\x0a":
		return "JPEG XL"
	}
	return ""
}

// Luminance returns the luminance 0.299R + 0.587G + 0.114B (0 to 255) of
// every pixel, row by row, with transparent parts laid over white. For
// a JPEG's YCbCr picture it is the Y plane itself, which JPEG defines by
// the same weights.
func Luminance(img image.Image) ([]float32, int, int) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]float32, w*h)
	switch m := img.(type) {
	case *image.YCbCr:
		for y := range h {
			row := m.Y[m.YOffset(b.Min.X, b.Min.Y+y):]
			for x := range w {
				out[y*w+x] = float32(row[x])
			}
		}
	case *image.Gray:
		for y := range h {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range w {
				out[y*w+x] = float32(row[x])
			}
		}
	case *image.RGBA: // premultiplied: over white is c + (255 - a)
		for y := range h {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range w {
				p := row[4*x : 4*x+4]
				white := 255 - int(p[3])
				out[y*w+x] = luma(float32(int(p[0])+white), float32(int(p[1])+white), float32(int(p[2])+white))
			}
		}
	case *image.NRGBA:
		for y := range h {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range w {
				p := row[4*x : 4*x+4]
				l := luma(float32(p[0]), float32(p[1]), float32(p[2]))
				if p[3] != 255 {
					l = over(l, p[3])
				}
				out[y*w+x] = l
			}
		}
	case *image.Paletted:
		var pal [256]float32
		for i, c := range m.Palette {
			pal[i] = lumaOf(c.RGBA())
		}
		for y := range h {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range w {
				out[y*w+x] = pal[row[x]]
			}
		}
	default:
		for y := range h {
			for x := range w {
				out[y*w+x] = lumaOf(img.At(b.Min.X+x, b.Min.Y+y).RGBA())
			}
		}
	}
	return out, w, h
}

// luma weighs the three channels; the conversions round each step to
// float32, as the reference implementations compute, and keep the
// compiler from fusing them.
func luma(r, g, b float32) float32 {
	return float32(float32(float32(0.299)*r)+float32(float32(0.587)*g)) + float32(float32(0.114)*b)
}

// over lays luminance l of opacity a (0 to 255) over white.
func over(l float32, a uint8) float32 {
	f := float32(a) / 255
	return float32(l*f) + float32(255*(1-f))
}

// lumaOf is the luminance over white of a premultiplied 16-bit colour.
func lumaOf(r, g, b, a uint32) float32 {
	white := 0xffff - a
	return luma(float32(r+white)/257, float32(g+white)/257, float32(b+white)/257)
}

// Orient turns a w×h luminance picture upright by its EXIF orientation
// (1 to 8; anything else is taken as 1) and returns it with its new
// size.
func Orient(lum []float32, w, h, orientation int) ([]float32, int, int) {
	if orientation < 2 || orientation > 8 {
		return lum, w, h
	}
	ow, oh := w, h
	if orientation >= 5 { // a quarter turn or a diagonal mirror swaps the sides
		ow, oh = h, w
	}
	out := make([]float32, len(lum))
	for Y := range oh {
		for X := range ow {
			var x, y int
			switch orientation {
			case 2: // mirrored left to right
				x, y = w-1-X, Y
			case 3: // upside down
				x, y = w-1-X, h-1-Y
			case 4: // mirrored top to bottom
				x, y = X, h-1-Y
			case 5: // mirrored across the main diagonal
				x, y = Y, X
			case 6: // stored a quarter turn anticlockwise: turn it clockwise
				x, y = Y, h-1-X
			case 7: // mirrored across the other diagonal
				x, y = w-1-Y, h-1-X
			case 8: // stored a quarter turn clockwise: turn it back
				x, y = w-1-Y, X
			}
			out[Y*ow+X] = lum[y*w+x]
		}
	}
	return out, ow, oh
}
